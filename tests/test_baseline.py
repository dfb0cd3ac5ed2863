"""Adopting svclint on a repository with findings: baselines, stable fingerprints, and the exit
code when a named path is missing.

A baseline written today must absorb the same findings after edits that do not touch them
(documents reordered, comments and blank lines added, an object moved to another file) and let
exactly one new finding through when one bug is injected. Run on the shipped example and, when
`../shared/corpus` is beside the checkout, on real bundles.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from svclint.cli import main
from svclint.lint.fingerprint import field_path
from svclint.load.documents import load_documents
from svclint.report import sarif

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def lint(*args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["--format", "json", *args], env={"NO_COLOR": "1"})
    return result.exit_code, json.loads(result.stdout), result.stderr


def fingerprints(report: dict[str, Any], key: str = "findings") -> list[str]:
    return sorted(f["fingerprint"] for f in report[key])


# -- edits that must not change any fingerprint ----------------------------------------------


def _documents(text: str) -> list[str]:
    return [d for d in re.split(r"(?m)^---[ \t]*\n", text) if d.strip()]


def _shuffle_and_annotate(folder: Path) -> None:
    """Reverse every file's documents, put a comment and blank lines in front of each, and
    move an object to another file: the last document of the first multi-document file (or,
    with none, the first file whole)."""
    files = sorted(p for p in folder.rglob("*.y*ml") if p.is_file())
    moved = False
    for path in files:
        docs = _documents(path.read_text())
        docs.reverse()
        if not moved and len(docs) > 1:
            (path.parent / f"zz-moved-{path.name}").write_text(docs.pop())
            moved = True
        path.write_text("".join(f"---\n# reviewed\n\n{d}" for d in docs))
    if not moved:
        files[0].rename(files[0].parent / f"zz-moved-{files[0].name}")


# One real bug: a Service whose selector has a typo, beside the bundle's own objects.
INJECTED = """\
---
apiVersion: v1
kind: Service
metadata:
  name: injected
spec:
  selector:
    app: injected-typo
  ports:
    - name: http
      port: 80
      targetPort: 8080
"""


def _inject_bug(folder: Path) -> None:
    first = min(folder.rglob("*.y*ml"))
    first.write_text(first.read_text() + INJECTED)


def _adopt(bundle: Path, tmp_path: Path, *extra: str) -> None:
    work = tmp_path / "repo"
    shutil.copytree(bundle, work)
    baseline = tmp_path / "baseline.json"
    code, before, _ = lint("--write-baseline", str(baseline), *extra, str(work))
    assert code == 0 and before["findings"], "the bundle must have findings to accept"
    written = json.loads(baseline.read_text())
    assert sorted(e["fingerprint"] for e in written["findings"]) == fingerprints(before)

    _shuffle_and_annotate(work)
    code, after, _ = lint("--baseline", str(baseline), *extra, str(work))
    assert after["findings"] == [], [f["message"] for f in after["findings"]]
    assert fingerprints(after, "baselined") == fingerprints(before)
    assert after["summary"]["baselined"] == len(before["findings"]) and code == 0

    _inject_bug(work)
    code, broken, _ = lint("--baseline", str(baseline), *extra, str(work))
    assert [f["rule"] for f in broken["findings"]] == ["service-selector-no-match"]
    assert broken["findings"][0]["object"]["name"] == "injected"


def test_the_example_keeps_its_baseline_through_edits(tmp_path: Path) -> None:
    _adopt(ROOT / "examples" / "shop", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "bundle",
    ["bank-of-anthos/kubernetes-manifests", "sock-shop/deploy/kubernetes/manifests"],
)
def test_real_bundles_keep_their_baseline_through_edits(bundle: str, tmp_path: Path) -> None:
    if not (CORPUS / bundle).is_dir():
        pytest.skip("../shared/corpus is not present")
    _adopt(CORPUS / bundle, tmp_path, "--select", "all")


# -- what a fingerprint is made of -------------------------------------------------------------

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - name: metrics
      port: 9090
    - name: http
      port: 80
      targetPort: htpp
"""


def test_field_paths_name_list_items_by_their_name() -> None:
    root = load_documents(SERVICE)[0].root
    assert root is not None
    target = (11, 19, 11, 23)  # `htpp`
    assert field_path(root, target) == (".spec.ports[name=http].targetPort", "htpp")
    assert field_path(root, (11, 7, 11, 17)) == (
        ".spec.ports[name=http].targetPort(key)",
        "targetPort",
    )
    assert field_path(root, (5, 1, 5, 2)) == ("", "")  # inside no child: the object itself


def test_a_fingerprint_follows_the_value_and_the_object_not_the_place(tmp_path: Path) -> None:
    path = tmp_path / "svc.yaml"

    def only_fingerprint(text: str) -> str:
        path.write_text(text)
        _, report, _ = lint("--select", "service-targetport-not-found", str(path))
        (f,) = report["findings"]
        return str(f["fingerprint"])

    deployment = (
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec:\n      containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}]}]\n"
    )
    selector = SERVICE.replace("spec:\n", "spec:\n  selector: {app: web}\n", 1)
    first = only_fingerprint(selector + deployment)
    # The ports swapped, the documents swapped, a comment added: the same finding.
    swapped = selector.replace(
        "    - name: metrics\n      port: 9090\n    - name: http\n      port: 80\n      targetPort: htpp\n",
        "    # http first\n    - name: http\n      port: 80\n      targetPort: htpp\n    - name: metrics\n      port: 9090\n",
    )
    assert only_fingerprint(deployment + "---\n" + swapped) == first
    assert only_fingerprint(selector.replace("htpp", "htp") + deployment) != first  # the value
    assert only_fingerprint(selector.replace("name: web", "name: www") + deployment) != first


def test_json_and_sarif_carry_the_same_fingerprints(tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    _, report, _ = lint("--write-baseline", str(baseline), "examples/shop")
    result = CliRunner().invoke(
        main, ["--format", "sarif", "--baseline", str(baseline), "examples/shop"]
    )
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert sorted(r["partialFingerprints"][sarif.STABLE_FINGERPRINT_KEY] for r in results) == (
        fingerprints(report)
    )
    assert {r["baselineState"] for r in results} == {"unchanged"}
    assert all(len(r["partialFingerprints"][sarif.FINGERPRINT_KEY]) == 64 for r in results)
    # Without --baseline there is no comparison, so no baselineState.
    result = CliRunner().invoke(main, ["--format", "sarif", "examples/shop"])
    assert all("baselineState" not in r for r in json.loads(result.stdout)["runs"][0]["results"])


def test_a_recorded_fingerprint_absorbs_as_many_findings_as_it_was_recorded(tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    _, report, _ = lint("--write-baseline", str(baseline), "examples/shop")
    data = json.loads(baseline.read_text())
    data["findings"] = data["findings"][:1]  # accept one of the three
    baseline.write_text(json.dumps(data))
    code, report, _ = lint("--baseline", str(baseline), "examples/shop")
    assert len(report["findings"]) == 2 and len(report["baselined"]) == 1 and code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a baseline (invalid JSON"),
        ('{"findings": []}', 'not a baseline (no "format": "svclint-baseline")'),
        ('{"format": "svclint-baseline", "version": 9, "findings": []}', "baseline version 9"),
        ('{"format": "svclint-baseline", "version": 1, "findings": [1]}', '"findings" must list'),
    ],
)
def test_a_bad_baseline_is_a_usage_error(tmp_path: Path, content: str, message: str) -> None:
    baseline = tmp_path / "b.json"
    baseline.write_text(content)
    result = CliRunner().invoke(main, ["--baseline", str(baseline), "examples/shop"])
    assert result.exit_code == 2 and message in result.stderr


def test_the_text_summary_counts_baselined_findings(tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    CliRunner().invoke(main, ["--write-baseline", str(baseline), "examples/shop"])
    result = CliRunner().invoke(main, ["--baseline", str(baseline), "examples/shop"])
    assert result.stdout == "0 errors, 0 warnings, 0 info in 3 files (6 objects; 3 baselined)\n"
    assert result.exit_code == 0


# -- exit codes for input that cannot be read ------------------------------------------------


def test_a_missing_named_path_exits_2_after_reporting_the_rest(tmp_path: Path) -> None:
    code, report, stderr = lint("examples/shop", str(tmp_path / "typo.yaml"))
    assert code == 2
    assert len(report["findings"]) == 3  # everything else was linted and reported
    assert f"svclint: error: {tmp_path / 'typo.yaml'}: no such file or directory" in stderr
    code, _, _ = lint("--context", str(tmp_path / "nope"), "examples/shop")
    assert code == 2  # a --context path is named on the command line too


def test_a_named_file_that_is_not_text_exits_2(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_bytes(b"\x00\x01encrypted")
    code, _, stderr = lint("examples/shop", str(secret))
    assert code == 2 and "not a text file" in stderr


def test_a_walked_file_that_is_not_text_does_not_change_the_exit_code(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")
    (tmp_path / "shop" / "sealed.yaml").write_bytes(b"\x00\x01encrypted")
    code, _, stderr = lint(str(tmp_path / "shop"))
    assert code == 1 and "sealed.yaml: not a text file" in stderr


def test_a_run_without_a_baseline_or_fingerprints_does_not_load_them(tmp_path: Path) -> None:
    """hashlib costs a pre-commit run several milliseconds of start-up: text output and plain
    runs never need a fingerprint."""
    import subprocess
    import sys

    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
        "spec: {selector: {app: web}, ports: [{port: 80}]}\n"
    )
    probe = (
        "import sys\nfrom svclint.entry import main\nsys.argv = ['svclint', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('svclint.lint.baseline' in sys.modules, 'svclint.lint.fingerprint' in sys.modules)"
    )

    def loaded(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", probe, *args],
            capture_output=True, text=True, check=False, cwd=tmp_path,
        )  # fmt: skip
        return proc.stdout.strip().splitlines()[-1]

    assert loaded("svc.yaml") == "False False"
    assert loaded("--write-baseline", "b.json", "svc.yaml") == "True True"
