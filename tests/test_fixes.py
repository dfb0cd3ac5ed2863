"""`--fix`, `--unsafe-fixes` and `--diff`: every fix has a fixture pair (`X.yaml` before,
`X.fixed.yaml` after) in tests/fixtures/fixes, matched byte for byte, so nothing outside the edited
spans may change; the diff applies with `git apply` and `patch`; applying twice changes nothing;
a fix that would add a finding is rolled back; and a property test fixes mutated real files.
"""

from __future__ import annotations

import codecs
import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from svclint.cli import main
from svclint.load.documents import load_documents

FIXES = Path(__file__).parent / "fixtures" / "fixes"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
PAIRS = sorted(p for p in FIXES.glob("*.yaml") if not p.name.endswith(".fixed.yaml"))


def svclint(*args: str) -> Result:
    return CliRunner().invoke(main, ["--select", "all", *args], env={"NO_COLOR": "1"})


def report_of(*args: str) -> dict[str, Any]:
    result = svclint("--format", "json", *args)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("case", PAIRS, ids=[p.stem for p in PAIRS])
def test_fix_gives_the_fixed_file_byte_for_byte(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(case, case.name)
    expected = (FIXES / f"{case.stem}.fixed.yaml").read_bytes()
    result = svclint("--fix", "--unsafe-fixes", case.name)
    assert Path(case.name).read_bytes() == expected
    assert "svclint: fixed " in result.stderr
    again = svclint("--fix", "--unsafe-fixes", case.name)  # nothing left to do
    assert Path(case.name).read_bytes() == expected and "svclint: fixed" not in again.stderr


@pytest.mark.parametrize("case", PAIRS, ids=[p.stem for p in PAIRS])
def test_the_diff_applies_with_git_apply_and_patch(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(case, case.name)
    result = svclint("--diff", "--unsafe-fixes", case.name)
    assert result.exit_code == 1 and result.stdout.startswith(f"--- {case.name}\n+++ {case.name}\n")
    assert Path(case.name).read_bytes() == case.read_bytes()  # --diff writes nothing
    Path("fix.patch").write_text(result.stdout)
    expected = (FIXES / f"{case.stem}.fixed.yaml").read_bytes()
    subprocess.run(["git", "apply", "-p0", "fix.patch"], check=True, cwd=tmp_path)
    assert Path(case.name).read_bytes() == expected
    if shutil.which("patch"):
        shutil.copy(case, case.name)
        subprocess.run(["patch", "-s", "-p0", "-i", "fix.patch"], check=True, cwd=tmp_path)
        assert Path(case.name).read_bytes() == expected
    # Nothing to fix: no diff, exit 0.
    assert svclint("--diff", "--unsafe-fixes", case.name).exit_code == 0


def test_unsafe_fixes_wait_for_their_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(FIXES / "ports.yaml", "ports.yaml")
    result = svclint("--fix", "ports.yaml")
    assert Path("ports.yaml").read_bytes() == (FIXES / "ports.yaml").read_bytes()
    assert result.stdout.endswith("(4 objects; 5 fixable with --fix --unsafe-fixes)\n")
    report = report_of("ports.yaml")
    assert report["summary"]["fixable"] == 0 and report["summary"]["fixable_unsafe"] == 5
    fixes = {f["rule"]: f["fix"] for f in report["findings"]}
    assert fixes["service-targetport-not-found"] == {
        "title": "set targetPort to http", "safety": "unsafe",
    }  # fmt: skip
    shutil.copy(FIXES / "yaml-implicit-type.yaml", "types.yaml")
    assert svclint("types.yaml").stdout.endswith("(1 object; 5 fixable with --fix)\n")


def test_a_bom_and_crlf_line_ends_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    crlf = (FIXES / "yaml-implicit-type.yaml").read_bytes().replace(b"\n", b"\r\n")
    Path("win.yaml").write_bytes(codecs.BOM_UTF8 + crlf)
    svclint("--fix", "win.yaml")
    fixed = (FIXES / "yaml-implicit-type.fixed.yaml").read_bytes().replace(b"\n", b"\r\n")
    assert Path("win.yaml").read_bytes() == codecs.BOM_UTF8 + fixed


def test_a_fix_that_adds_a_finding_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pointing the targetPort at `http` makes the Service reach a container without a
    readinessProbe: readiness-probe-missing would fire, so the fix is not kept."""
    monkeypatch.chdir(tmp_path)
    text = (FIXES / "ports.yaml").read_text()
    text = text.replace(
        "          readinessProbe:\n            httpGet: {path: /ready, port: htpp}   # probe-port-not-found: `http`\n",
        "",
    )
    Path("ports.yaml").write_text(text)
    result = svclint("--fix", "--unsafe-fixes", "ports.yaml")
    assert (
        "svclint: note: not fixed: service-targetport-not-found at ports.yaml:32:19 (set "
        "targetPort to http): it adds a finding: readiness-probe-missing"
    ) in result.stderr
    assert (  # web-admin's selector too: it would then reach the same container
        "svclint: note: not fixed: service-selector-no-match at ports.yaml:41:10 (set app to "
        "web): it adds a finding: readiness-probe-missing"
    ) in result.stderr
    after = Path("ports.yaml").read_text()
    assert 'targetPort: "htpp"' in after and "app: wbe " in after
    assert "name: web   #" in after and "number: 80   #" in after  # the others kept
    assert "svclint: fixed 2 findings in 1 file" in result.stderr


CROSS_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: wbe
  ports:
    - name: http
      port: 80
      targetPort: http
"""
CROSS_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - {name: http, containerPort: 8080}
          readinessProbe: {httpGet: {path: /ready, port: http}}
"""


@pytest.mark.parametrize("probe", [True, False], ids=["probe", "no-probe"])
def test_a_finding_added_in_another_file_rolls_the_fix_back(
    probe: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixed selector would reach a Deployment, in another file, without a readinessProbe:
    judged as when both are in one file."""
    monkeypatch.chdir(tmp_path)
    Path("svc.yaml").write_text(CROSS_SERVICE)
    deployment = (
        CROSS_DEPLOYMENT if probe else re.sub(r" +readinessProbe.*\n", "", CROSS_DEPLOYMENT)
    )
    Path("deploy.yaml").write_text(deployment)
    result = svclint("--fix", "--unsafe-fixes", "svc.yaml", "deploy.yaml")
    if probe:
        assert Path("svc.yaml").read_text() == CROSS_SERVICE.replace("app: wbe", "app: web")
        assert "svclint: fixed 1 finding in 1 file" in result.stderr
    else:
        assert Path("svc.yaml").read_text() == CROSS_SERVICE
        assert (
            "svclint: note: not fixed: service-selector-no-match at svc.yaml:7:10 (set app to "
            "web): it adds a finding in deploy.yaml: readiness-probe-missing (container `web` of "
            "Deployment `web` serves Service `web` port `http` (80) but has no readinessProbe)"
        ) in result.stderr
    assert Path("deploy.yaml").read_text() == deployment


def test_no_fix_where_the_text_is_not_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (FIXES / "yaml-implicit-type.yaml").read_text()
    piped = CliRunner().invoke(main, ["--fix", "-"], input=text)
    assert "fixed" not in piped.stderr and "fixable" not in piped.stdout
    Path("templates").mkdir()
    Path("templates/web.yaml").write_text(text)  # the template a `# Source:` names
    rendered = Path("rendered.yaml")
    rendered.write_text("---\n# Source: chart/templates/web.yaml\n" + text)
    result = svclint("--fix", "--chart-dir", ".", "rendered.yaml")
    assert rendered.read_text().endswith(text) and "fixed" not in result.stderr
    assert Path("templates/web.yaml").read_text() == text


# -- property: fixing mutated real manifests ----------------------------------------------------

# Mutations a person makes: a slip in a port name, a label value or a Service name, quotes
# dropped from a value the decoder then types.
_NAMES = re.compile(
    r"(?m)^(\s*(?:-\s+)?(?:targetPort|port|app):\s+)([a-z][a-z0-9-]{3,})(\s*(?:#.*)?)$"
)
_QUOTED = re.compile(r'(?m)^(\s*[\w.-]+:\s+)"(yes|no|on|off|true|false|1\.10|0755|null)"(\s*)$')


def _mutate(text: str, rnd: random.Random) -> str:
    sites = [("name", m) for m in _NAMES.finditer(text)] + [
        ("quote", m) for m in _QUOTED.finditer(text)
    ]
    if not sites:
        return text
    for kind, m in rnd.sample(sites, min(3, len(sites))):
        if kind == "quote":
            new = m.group(2)
        else:
            word = m.group(2)
            i = rnd.randrange(1, len(word) - 1)
            new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped
        text = (
            text[: m.start(2) - (1 if kind == "quote" else 0)]
            + new
            + text[m.end(2) + (1 if kind == "quote" else 0) :]
        )
        break  # one mutation per example: positions after it have moved
    return text


def _sources() -> list[Path]:
    found = sorted(FIXES.glob("*.fixed.yaml"))
    for bundle in (
        "bank-of-anthos/kubernetes-manifests",
        "microservices-demo/kubernetes-manifests",
    ):
        if (CORPUS / bundle).is_dir():
            found += sorted((CORPUS / bundle).glob("*.yaml"))
    return found


SOURCES = _sources()


@settings(max_examples=60, deadline=None, database=None)
@given(st.sampled_from(SOURCES), st.randoms(use_true_random=False))
def test_unsafe_fixes_on_mutated_files_only_ever_remove_findings(
    source: Path, rnd: random.Random
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / source.name
        _mutated = _mutate(source.read_text(), rnd)
        path.write_text(_mutated)
        before = report_of(str(path))
        run = svclint("--fix", "--unsafe-fixes", str(path))
        after = report_of(str(path))
        assert text_problems(path.read_text()) == []  # still valid YAML
        assert {f["rule"] for f in after["findings"]} <= {f["rule"] for f in before["findings"]}
        fixed = re.search(r"svclint: fixed (\d+) finding", run.stderr)
        if fixed:  # each fix removed its finding and added none
            assert len(after["findings"]) <= len(before["findings"]) - int(fixed.group(1))
        else:
            assert len(after["findings"]) == len(before["findings"])
            assert path.read_text() == _mutated  # nothing written


def text_problems(text: str) -> list[str]:
    return [p.message for doc in load_documents(text) for p in doc.problems]
