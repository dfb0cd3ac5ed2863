"""`--format github`: workflow-command annotations, escaped as the Actions toolkit does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest import MonkeyPatch
from test_sarif import BROKEN, RENDERED, SELECT, make_repo, svclint, validate

from svclint.lint.findings import Finding
from svclint.model.objects import SourceFile
from svclint.report.github import annotation, escape_data, escape_property


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    made: Path = make_repo(tmp_path)
    return made


# `::name key=value,key=value::message`, as the runner parses it.
_COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def _unescape(text: str, prop: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for code, char in pairs:
        text = text.replace(code, char)
    return text.replace("%25", "%")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    m = _COMMAND.match(line)
    assert m, f"not a workflow command: {line!r}"
    props: dict[str, str] = {}
    for item in (m.group(2) or "").split(","):
        if item:
            key, _, value = item.partition("=")
            props[key] = _unescape(value, prop=True)
    return m.group(1), props, _unescape(m.group(3), prop=False)


def found_annotations(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    return [parse(line) for line in stdout.splitlines() if line.startswith("::")]


def test_escaping() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("k8s/a,b:c%.yaml\n") == "k8s/a%2Cb%3Ac%25.yaml%0A"
    tricky = "50%: a, b\r\nc %0A"
    assert _unescape(escape_property(tricky), prop=True) == tricky
    assert _unescape(escape_data(tricky), prop=False) == tricky


def test_error_annotation(repo: Path) -> None:
    proc = svclint("--format", "github", *SELECT, "k8s/web.yaml", cwd=repo)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=k8s/web.yaml,line=7,col=10,endLine=7,endColumn=13,"
        "title=svclint service-selector-no-match::selector `app=wbe` matches no pod template"
    )
    ((kind, props, message),) = found_annotations(proc.stdout)
    assert kind == "error" and props["title"] == "svclint service-selector-no-match"
    first, *rest = message.split("\n")
    assert "%" not in first and "\n" not in lines[0]
    assert rest[0].startswith("hint: did you mean `app: web`?")
    assert rest[1] == "note: k8s/web.yaml:20:7: labels of Deployment default/web"
    assert lines[-1] == "svclint: 1 error, 0 warnings, 0 info in 1 file (2 objects)"


def test_levels(repo: Path) -> None:
    (repo / "svc.yaml").write_text(BROKEN.split("---")[0])  # no pod sources: info
    info = found_annotations(svclint("--format", "github", *SELECT, "svc.yaml", cwd=repo).stdout)
    assert [a[0] for a in info] == ["notice"]
    no_probe = BROKEN.replace("app: wbe", "app: web").split("        readinessProbe")[0] + "\n"
    (repo / "noprobe.yaml").write_text(no_probe)
    proc = svclint(
        "--format", "github", "--select", "readiness-probe-missing", "noprobe.yaml", cwd=repo
    )
    assert [a[0] for a in found_annotations(proc.stdout)] == ["warning"]


def test_awkward_path_is_escaped(repo: Path) -> None:
    odd = repo / "a,b: c%"
    odd.mkdir()
    (odd / "web.yaml").write_text(BROKEN)
    proc = svclint("--format", "github", *SELECT, str(odd / "web.yaml"), cwd=repo)
    assert "file=a%2Cb%3A c%25/web.yaml," in proc.stdout
    ((_, props, _),) = found_annotations(proc.stdout)
    assert props["file"] == "a,b: c%/web.yaml"  # relative to the current directory


def test_multiline_span_has_no_columns(repo: Path, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    src = SourceFile("k8s/web.yaml", BROKEN)
    multi = Finding("r", "warning", "m", None, src, (6, 3, 9, 1), None)
    assert parse(annotation(multi))[1] == {
        "file": "k8s/web.yaml", "line": "6", "endLine": "9", "title": "svclint r",
    }  # fmt: skip
    one = Finding("r", "info", "m", "h", src, (7, 10, 7, 13), None)
    kind, props, message = parse(annotation(one))
    assert kind == "notice" and message == "m\nhint: h"
    assert (props["line"], props["col"], props["endLine"], props["endColumn"]) == (
        "7", "10", "7", "13",
    )  # fmt: skip


def test_helm_stdin_points_at_templates(repo: Path) -> None:
    proc = svclint(
        "--format", "github", *SELECT, "--chart-dir", "charts/shop", "-",
        cwd=repo, stdin=RENDERED,
    )  # fmt: skip
    ((_, props, message),) = found_annotations(proc.stdout)
    assert (props["file"], props["line"], props["col"]) == (
        "charts/shop/templates/svc.yaml", "7", "5",
    )  # fmt: skip
    assert "rendered at <stdin>:9:10" in message
    assert "note: charts/shop/templates/deploy.yaml:10:7: labels of" in message


def test_unnamed_stdin_has_no_file(repo: Path) -> None:
    proc = svclint("--format", "github", *SELECT, "-", cwd=repo, stdin=BROKEN)
    assert proc.returncode == 1  # not refused: an annotation without a file is still shown
    ((_, props, message),) = found_annotations(proc.stdout)
    assert set(props) == {"title"}
    assert message.startswith("<stdin>:7:10: selector `app=wbe`")


def test_more_than_shown_per_level(repo: Path) -> None:
    svc = BROKEN.split("---")[0]
    many = "---\n".join(svc.replace("name: web", f"name: web{i}") for i in range(12))
    (repo / "many.yaml").write_text(many)
    proc = svclint("--format", "github", *SELECT, "many.yaml", cwd=repo)
    found = found_annotations(proc.stdout)
    assert found[0][0] == "notice" and "at most 10" in found[0][2]
    assert len(found) == 13  # every finding stays in the log


def test_default_under_github_actions(repo: Path) -> None:
    value = "true"
    proc = svclint(*SELECT, "k8s/web.yaml", cwd=repo, env={"GITHUB_ACTIONS": value})
    assert found_annotations(proc.stdout)[0][1]["file"] == "k8s/web.yaml"
    # Text is still one flag away, and SARIF can go to a file next to the annotations.
    proc = svclint(
        *SELECT, "--format", "sarif", "-o", "r.sarif", "--format", "github", "k8s/web.yaml",
        cwd=repo, env={"GITHUB_ACTIONS": value},
    )  # fmt: skip
    assert proc.stdout.startswith("::error ")
    validate(json.loads((repo / "r.sarif").read_text(encoding="utf-8")), root=repo)


def test_github_format_does_not_import_sarif_om(tmp_path: Path) -> None:
    """Annotations share the SARIF anchoring (report/anchors.py), not sarif-om."""
    (tmp_path / "in.yaml").write_text(BROKEN_FOR_IMPORT_CHECK)
    code = (
        "import sys, runpy; sys.argv = ['svclint', '--format', 'github', 'in.yaml']\n"
        "try:\n    runpy.run_module('svclint', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('sarif_om' in sys.modules, 'svclint.report.github' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert proc.stdout.strip().splitlines()[-1] == "False True", proc.stdout + proc.stderr


BROKEN_FOR_IMPORT_CHECK = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
"""
