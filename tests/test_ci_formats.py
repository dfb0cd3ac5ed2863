"""`--format gitlab` (GitLab Code Quality) and `--format junit` (JUnit XML), as a user runs them.

Every Code Quality report the tests produce is checked against tests/schemas/
gitlab-codequality.schema.json (written from GitLab's documentation page, which publishes no
schema) and against what the page asks beyond the schema (no byte order mark, each fingerprint
once); every JUnit report against the Jenkins xUnit plugin's junit-10.xsd (tests/schemas/
junit-10.xsd) and against its own counts. The job in docs/gitlab.md is parsed, checked against
GitLab's CI schema (check-jsonschema's vendored copy) and its svclint command is run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from ruamel.yaml import YAML
from test_sarif import BROKEN, RENDERED, SELECT, make_repo

from svclint.lint.findings import Finding, Report
from svclint.model.objects import SourceFile
from svclint.report import gitlab, junit

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).resolve().parent / "schemas"
ISSUE_KEYS = {"description", "check_name", "fingerprint", "severity", "location"}
SERVICE, DEPLOYMENT = BROKEN.split("---\n")


# ---------------------------------------------------------------------------------------------
# Running the CLI and checking what it writes


def run(*args: str, cwd: Path, stdin: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`python -m svclint ARGS` in `cwd`; CI variables of the machine running the tests are
    left out (a GitLab runner sets CI_PROJECT_DIR), only `env` is added."""
    dropped = ("GITHUB_ACTIONS", "NO_COLOR", gitlab.PROJECT_DIR_VARIABLE)
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    proc = subprocess.run(
        [sys.executable, "-m", "svclint", *args],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**base, "NO_COLOR": "1", **(env or {})},
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@cache
def _gitlab_validator() -> Any:
    schema = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@cache
def _junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


def check_gitlab(text: str) -> list[dict[str, Any]]:
    """The issues of a Code Quality report, after every check the format asks for."""
    assert not text.startswith("\ufeff")  # GitLab's parser refuses a byte order mark
    assert text.endswith("]\n")
    issues: list[dict[str, Any]] = json.loads(text)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _gitlab_validator().iter_errors(issues)
    ]
    assert not errors, "\n".join(errors)
    assert all(set(i) == ISSUE_KEYS for i in issues)  # only what GitLab reads
    assert all(set(i["location"]) == {"path", "lines"} for i in issues)
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints), "fingerprints must be unique"
    return issues


def gitlab_of(*args: str, cwd: Path, stdin: str | None = None,
              env: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    proc = run("--format", "gitlab", *args, cwd=cwd, stdin=stdin, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return check_gitlab(proc.stdout), proc.returncode


def json_of(*args: str, cwd: Path, stdin: str | None = None) -> Any:
    proc = run("--format", "json", *args, cwd=cwd, stdin=stdin)
    assert proc.returncode in (0, 1, 2), proc.stderr
    return json.loads(proc.stdout)


def check_junit(text: str) -> ET.Element:
    """The root of a JUnit report, after the XSD and a recount of every total."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert text.endswith(("</testsuites>\n", "/>\n"))
    _junit_schema().validate(text)  # raises on an invalid document
    root = ET.fromstring(text.encode("utf-8"))  # well-formed, or this raises
    assert root.tag == "testsuites"
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        cases = suite.findall("testcase")
        assert len(cases) == len(suite), "a suite holds only test cases"
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
        }
        assert {k: int(suite.get(k, "-1")) for k in counts} == counts, suite.get("name")
        names = [(c.get("classname"), c.get("name")) for c in cases]
        assert len(set(names)) == len(names), "GitLab keeps one case per class and name"
        for key in totals:
            totals[key] += counts[key]
    assert {k: int(root.get(k, "-1")) for k in totals} == totals
    return root


def junit_of(*args: str, cwd: Path, stdin: str | None = None) -> tuple[ET.Element, int]:
    proc = run("--format", "junit", *args, cwd=cwd, stdin=stdin)
    assert proc.returncode in (0, 1, 2), proc.stderr
    return check_junit(proc.stdout), proc.returncode


def cases(root: ET.Element) -> dict[str, ET.Element]:
    """Test cases by `<suite name> | <case name>`."""
    return {f"{s.get('name')} | {c.get('name')}": c for s in root for c in s}


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    made: Path = make_repo(tmp_path)
    return made


# ---------------------------------------------------------------------------------------------
# gitlab


def test_gitlab_report_of_the_example() -> None:
    env = {gitlab.PROJECT_DIR_VARIABLE: str(ROOT)}
    issues, code = gitlab_of("examples/shop", cwd=ROOT, env=env)
    assert code == 1  # the exit code does not depend on the format
    findings = json_of("examples/shop", cwd=ROOT)["findings"]
    assert len(issues) == len(findings) == 3
    for issue, f in zip(issues, findings, strict=True):
        assert issue["check_name"] == f["rule"]
        assert issue["fingerprint"] == f["fingerprint"]  # the baseline's and SARIF's identity
        assert issue["location"] == {"path": f["file"], "lines": {"begin": f["line"]}}
        assert issue["description"] == f"{f['message']} (hint: {f['hint']})"
    port = next(i for i in issues if i["check_name"] == "service-targetport-not-found")
    assert port == {
        "description": "targetPort `htpp` of port `http` (80): no container of Deployment web "
        "declares a TCP port named `htpp` (hint: did you mean `http`?)",
        "check_name": "service-targetport-not-found",
        "fingerprint": next(
            f["fingerprint"] for f in findings if f["rule"] == "service-targetport-not-found"
        ),
        "severity": "major",
        "location": {"path": "examples/shop/web.yaml", "lines": {"begin": 43}},
    }
    levels = {f["rule"]: f["level"] for f in findings}
    assert levels["statefulset-service-selector-mismatch"] == "warning"
    assert {i["check_name"]: i["severity"] for i in issues} == {
        "statefulset-service-selector-mismatch": "minor",
        "service-selector-no-match": "major",
        "service-targetport-not-found": "major",
    }


def test_gitlab_severity_of_info_and_no_hint(repo: Path) -> None:
    (repo / "svc.yaml").write_text(SERVICE)  # no pod sources at all: an info finding
    issues, _ = gitlab_of(*SELECT, "svc.yaml", cwd=repo)
    (finding,) = json_of(*SELECT, "svc.yaml", cwd=repo)["findings"]
    assert (finding["level"], finding["hint"]) == ("info", None)
    assert [i["severity"] for i in issues] == ["info"]
    assert issues[0]["description"] == finding["message"]  # no hint: the message alone


def test_gitlab_report_is_the_same_bytes_each_run(repo: Path) -> None:
    first = run("--format", "gitlab", ".", cwd=repo).stdout
    assert first == run("--format", "gitlab", ".", cwd=repo).stdout
    assert first.startswith("[\n  {\n    ") and check_gitlab(first)


def test_shared_fingerprints_are_made_unique(tmp_path: Path) -> None:
    # The same Service in two files: one object identity, one fingerprint, two findings.
    (tmp_path / "a.yaml").write_text(SERVICE)
    (tmp_path / "b.yaml").write_text(SERVICE)
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    plain = [f["fingerprint"] for f in json_of(*SELECT, ".", cwd=tmp_path)["findings"]]
    assert len(plain) == 2 and plain[0] == plain[1]
    issues, _ = gitlab_of(*SELECT, ".", cwd=tmp_path)
    assert [i["location"]["path"] for i in issues] == ["a.yaml", "b.yaml"]
    first, second = (i["fingerprint"] for i in issues)
    assert first == plain[0]  # the first occurrence keeps the fingerprint baselines know
    assert second == hashlib.sha256(f"{plain[0]}:2".encode()).hexdigest()[:32]
    assert gitlab_of(*SELECT, ".", cwd=tmp_path)[0] == issues  # the same on every run


def test_unique_fingerprints_never_collide() -> None:
    derived = hashlib.sha256(b"a:2").hexdigest()[:32]
    # A repeat of `a` whose derived value is taken by a later plain fingerprint moves on.
    out = gitlab.unique_fingerprints(["a", "a", derived, "a"])
    assert out[0] == "a" and out[2] == derived
    assert len(set(out)) == 4
    assert gitlab.unique_fingerprints(["x", "y", "x"])[:2] == ["x", "y"]


def test_paths_are_relative_to_ci_project_dir(repo: Path) -> None:
    sub = repo / "k8s"
    issues, _ = gitlab_of(*SELECT, "web.yaml", cwd=sub, env={"CI_PROJECT_DIR": str(repo)})
    assert [i["location"]["path"] for i in issues] == ["k8s/web.yaml"]
    # The JSON report prints the path as given; only the Code Quality report re-roots it.
    assert [f["file"] for f in json_of(*SELECT, "web.yaml", cwd=sub)["findings"]] == ["web.yaml"]


def test_paths_are_relative_to_the_git_root_without_ci(repo: Path) -> None:
    sub = repo / "k8s"
    if not any((p / ".git").exists() for p in repo.parents):  # else that repository is the root
        issues, _ = gitlab_of(*SELECT, "web.yaml", cwd=sub)
        assert [i["location"]["path"] for i in issues] == ["web.yaml"]  # the current folder
    (repo / ".git").mkdir()
    issues, _ = gitlab_of(*SELECT, "web.yaml", cwd=sub)
    assert [i["location"]["path"] for i in issues] == ["k8s/web.yaml"]
    issues, _ = gitlab_of(*SELECT, "k8s/../k8s/web.yaml", cwd=repo)
    assert [i["location"]["path"] for i in issues] == ["k8s/web.yaml"]


def test_a_path_outside_the_root_stays_as_printed(repo: Path) -> None:
    outside = str(repo / "k8s" / "web.yaml")
    proc = run("--format", "gitlab", *SELECT, outside, cwd=repo,
               env={"CI_PROJECT_DIR": str(repo / "charts")})  # fmt: skip
    (issue,) = json.loads(proc.stdout)
    assert issue["location"]["path"] == outside


def test_standard_input_and_rendered_charts(repo: Path) -> None:
    issues, _ = gitlab_of(*SELECT, "--stdin-filename", "k8s/web.yaml", "-", cwd=repo, stdin=BROKEN)
    assert [(i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("k8s/web.yaml", 7)
    ]
    issues, _ = gitlab_of(*SELECT, "-", cwd=repo, stdin=BROKEN)
    assert [i["location"]["path"] for i in issues] == ["<stdin>"]
    args = (*SELECT, "--chart-dir", "charts/shop", "-")
    issues, _ = gitlab_of(*args, cwd=repo, stdin=RENDERED)
    (finding,) = json_of(*args, cwd=repo, stdin=RENDERED)["findings"]
    assert finding["file"] == "charts/shop/templates/svc.yaml"  # the template, not the stream
    assert issues[0]["location"] == {"path": finding["file"], "lines": {"begin": finding["line"]}}
    assert issues[0]["fingerprint"] == finding["fingerprint"]


def test_only_findings_that_count_are_issues(repo: Path, tmp_path: Path) -> None:
    quiet = BROKEN.replace("app: wbe", "app: wbe  # svclint: ignore=service-selector-no-match")
    (repo / "quiet.yaml").write_text(quiet.replace("name: web", "name: quiet"))
    (repo / "nul.yaml").write_bytes(b"a: \x00\n")
    proc = run("--format", "gitlab", *SELECT, "k8s/web.yaml", "quiet.yaml", "nul.yaml", cwd=repo)
    assert proc.returncode == 2  # a named file is unreadable; the report is written first
    issues = check_gitlab(proc.stdout)
    assert [i["location"]["path"] for i in issues] == ["k8s/web.yaml"]  # not the suppressed one
    assert "svclint: error: nul.yaml: not a text file" in proc.stderr  # errors: stderr only
    baseline = tmp_path / "baseline.json"
    run("--write-baseline", str(baseline), *SELECT, "k8s/web.yaml", cwd=repo)
    issues, code = gitlab_of("--baseline", str(baseline), *SELECT, "k8s/web.yaml", cwd=repo)
    assert (issues, code) == ([], 0)


# ---------------------------------------------------------------------------------------------
# junit


@pytest.mark.parametrize(
    ("fail_level", "failing", "code"),
    [
        (None, 3, 1),  # the default: warning
        ("error", 2, 1),
        ("warning", 3, 1),
        ("info", 3, 1),
        ("none", 0, 0),
    ],
)
def test_junit_counts_follow_the_fail_level(fail_level: str | None, failing: int,
                                            code: int) -> None:  # fmt: skip
    args = ("--fail-level", fail_level) if fail_level else ()
    root, exit_code = junit_of(*args, "examples/shop", cwd=ROOT)
    assert exit_code == code  # a failed test case exactly when the job fails
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (
        "4", str(failing), "0",
    )  # fmt: skip
    assert [s.get("name") for s in root] == [
        "examples/shop/cart.yaml", "examples/shop/routes.yaml", "examples/shop/web.yaml",
    ]  # fmt: skip
    by_name = cases(root)
    warning = by_name["examples/shop/cart.yaml | statefulset-service-selector-mismatch at 7:16"]
    error = by_name["examples/shop/web.yaml | service-targetport-not-found at 43:19"]
    assert error.attrib == {
        "classname": "examples/shop/web",
        "name": "service-targetport-not-found at 43:19",
        "file": "examples/shop/web.yaml",
        "line": "43",
    }
    failure = error.find("failure")
    if fail_level == "none":
        assert failure is None and error.findtext("system-out")
    else:
        assert failure is not None and failure.get("type") == "error"
        assert failure.get("message", "").startswith("targetPort `htpp` of port `http` (80)")
        assert (failure.text or "").split("\n") == [
            (
                "examples/shop/web.yaml:43:19: error[service-targetport-not-found] targetPort "
                "`htpp` of port `http` (80): no container of Deployment web declares a TCP "
                "port named `htpp`"
            ),
            "hint: did you mean `http`?",
            "note: examples/shop/web.yaml:24:11: ports of container `web`",
        ]
    warned = warning.find("failure")
    assert (warned is not None) == (fail_level in (None, "warning", "info"))
    if warned is None:  # below the fail level: a passing case that still tells what it found
        assert (warning.findtext("system-out") or "").startswith(
            "examples/shop/cart.yaml:7:16: warning[statefulset-service-selector-mismatch] "
        )


def test_a_file_without_findings_is_one_passing_case() -> None:
    root, _ = junit_of("examples/shop", cwd=ROOT)
    routes = next(s for s in root if s.get("name") == "examples/shop/routes.yaml")
    assert (routes.get("tests"), routes.get("failures"), routes.get("errors")) == ("1", "0", "0")
    (case,) = routes
    assert case.attrib == {
        "classname": "examples/shop/routes",
        "name": "no findings",
        "file": "examples/shop/routes.yaml",
    }
    assert len(case) == 0  # nothing inside: it passed


def test_unreadable_inputs_are_errors(repo: Path) -> None:
    (repo / "nul.yaml").write_bytes(b"kind: \x00\n")
    (repo / "ok.yaml").write_text(DEPLOYMENT)
    root, code = junit_of(*SELECT, "ok.yaml", "nul.yaml", "missing.yaml", cwd=repo)
    assert code == 2  # a named path is missing; the report is still written
    assert [s.get("name") for s in root] == ["ok.yaml", junit.ERRORS_SUITE]
    errors = root[-1]
    assert (errors.get("tests"), errors.get("failures"), errors.get("errors")) == ("2", "0", "2")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "0", "2")
    found = sorted((e.get("type"), e.get("message")) for e in errors.iter("error"))
    assert found == [
        ("input", "missing.yaml: no such file or directory"),
        ("input", "nul.yaml: not a text file (contains NUL bytes)"),
    ]
    # Nothing readable at all: exit 2, and the report says why rather than nothing.
    root, code = junit_of("nul.yaml", cwd=repo)
    assert code == 2 and (root.get("tests"), root.get("errors")) == ("1", "1")


def test_odd_characters_make_well_formed_xml(repo: Path) -> None:
    odd = SERVICE.replace("app: wbe", 'app: "w<&\\x01\\x1b]]>\\"b"')
    (repo / "odd.yaml").write_text(odd + "---\n" + DEPLOYMENT)
    (finding,) = json_of(*SELECT, "odd.yaml", cwd=repo)["findings"]
    assert "\x01" in finding["message"] and "<&" in finding["message"]  # the message has them
    proc = run("--format", "junit", *SELECT, "odd.yaml", cwd=repo)
    root = check_junit(proc.stdout)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    message = failure.get("message", "")
    assert message == finding["message"].replace("\x01", "\\x01").replace("\x1b", "\\x1b")
    assert 'w<&\\x01\\x1b]]>"b' in (failure.text or "")


def test_characters_xml_cannot_hold_are_escaped() -> None:
    src = SourceFile("we\udcffird\x02.yaml", "a: b\n")
    messages = [
        "nul \x00 and bell \x07",
        "surrogate \ud800 and \ufffe",
        "fine: é ✓ 😀 <tag> & \t",
    ]
    report = Report(
        findings=[Finding("r", "error", m, "h\x0b", src, (1, 1, 1, 2), None) for m in messages],
        input_errors=["bad\x1f.yaml: cannot read"],
    )
    text = junit.render(report)
    root = check_junit(text)
    failures = [c.find("failure") for c in root[0]]
    assert [f.get("message") if f is not None else None for f in failures] == [
        "nul \\x00 and bell \\x07",
        "surrogate \\ud800 and \\ufffe",
        "fine: é ✓ 😀 <tag> & \t",
    ]
    assert root[0].get("name") == "we\\xffird\\x02.yaml"  # an undecodable byte, as bytes
    # Three findings at one place: one case each, named apart (GitLab keys cases by name).
    assert [c.get("name") for c in root[0]] == ["r at 1:1", "r at 1:1 (2)", "r at 1:1 (3)"]
    assert "bad\\x1f.yaml" in (root[-1][0].get("name") or "")


def test_junit_report_is_the_same_bytes_each_run(repo: Path) -> None:
    first = run("--format", "junit", ".", cwd=repo).stdout
    assert first == run("--format", "junit", ".", cwd=repo).stdout
    root = check_junit(first)
    assert not [e.tag for e in root.iter() if {"time", "timestamp", "hostname"} & set(e.attrib)]


def test_an_empty_report_is_valid() -> None:
    assert check_junit(junit.render(Report())).get("tests") == "0"
    assert check_gitlab(gitlab.render(Report())) == []


# ---------------------------------------------------------------------------------------------
# The documentation


def _blocks(doc: str, lang: str) -> list[str]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def test_output_doc_shows_what_the_example_prints() -> None:
    env = {gitlab.PROJECT_DIR_VARIABLE: str(ROOT)}
    shown_json = next(b for b in _blocks("output.md", "json") if b.startswith("[\n"))
    assert run("--format", "gitlab", "examples/shop", cwd=ROOT, env=env).stdout == shown_json
    (shown_xml,) = _blocks("output.md", "xml")
    assert run("--format", "junit", "examples/shop", cwd=ROOT).stdout == shown_xml


def test_the_gitlab_ci_job_in_the_docs(repo: Path, tmp_path: Path) -> None:
    (block,) = _blocks("gitlab.md", "yaml")
    config = YAML(typ="safe").load(block)
    job = config["svclint"]
    reports = job["artifacts"]["reports"]
    assert job["artifacts"]["when"] == "always"
    assert set(reports) == {"codequality", "junit"}
    # GitLab's own CI schema, as check-jsonschema vendors it (offline).
    pytest.importorskip("check_jsonschema")
    ci_file = tmp_path / ".gitlab-ci.yml"
    ci_file.write_text(block)
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci",
         str(ci_file)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The job's svclint command, run in a repository as GitLab runs it.
    (command,) = [line for line in job["script"] if line.startswith("svclint ")]
    argv = shlex.split(command)
    # `--format` and `--output` pair by position: (format, file) for each one written to a file.
    fmts = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--format"]
    files = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--output"]
    outputs = dict(zip(fmts, files, strict=False))
    assert outputs == {"gitlab": reports["codequality"], "junit": reports["junit"]}
    proc = run(*argv[1:], cwd=repo, env={"CI_PROJECT_DIR": str(repo)})
    assert proc.returncode == 1  # the findings fail the job; `when: always` keeps the reports
    assert "error[service-selector-no-match]" in proc.stdout  # the text report in the log
    issues = check_gitlab((repo / reports["codequality"]).read_text(encoding="utf-8"))
    assert [i["location"]["path"] for i in issues] == ["k8s/web.yaml"]
    root = check_junit((repo / reports["junit"]).read_text(encoding="utf-8"))
    assert root.get("failures") == "1"
