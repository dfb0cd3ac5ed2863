"""The command line as a user runs it: a subprocess, real files, stdin, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROKEN = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
    "  selector:\n    app: wbe\n  ports:\n  - port: 80\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
    "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
    "      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n"
    "        image: nginx\n        ports:\n        - containerPort: 80\n"
    "        readinessProbe:\n          httpGet: {path: /, port: 80}\n"
)
CLEAN = BROKEN.replace("app: wbe", "app: web")


def svclint(*args: str, stdin: str | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "svclint", *args],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=120,
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_text_output_and_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    proc = svclint(str(bad))
    assert proc.returncode == 1
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"{bad}:7:10: error[service-selector-no-match]")
    assert "    hint: did you mean `app: web`?" in proc.stdout
    assert "^^^" in proc.stdout
    assert proc.stdout.rstrip().endswith("(2 objects; 1 fixable with --fix --unsafe-fixes)")
    good = tmp_path / "good.yaml"
    good.write_text(CLEAN)
    assert svclint(str(good)).returncode == 0
    assert svclint("--fail-level", "none", str(bad)).returncode == 0


def test_json_contract(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    proc = svclint("--format", "json", str(bad))
    report = json.loads(proc.stdout)
    assert report["version"] == 1
    (f,) = report["findings"]
    assert f["rule"] == "service-selector-no-match" and f["level"] == "error"
    assert (f["file"], f["line"], f["column"], f["end_line"], f["end_column"]) == (
        str(bad), 7, 10, 7, 13,
    )  # fmt: skip
    assert f["object"] == {
        "apiVersion": "v1",
        "kind": "Service",
        "namespace": "default",
        "name": "web",
    }
    assert f["related"][0]["line"] == 20 and "labels of Deployment" in f["related"][0]["message"]
    assert report["summary"]["error"] == 1 and report["summary"]["objects"] == 2
    assert "time" not in proc.stdout


def test_stdin_and_namespace() -> None:
    proc = svclint("--format", "json", "-n", "shop", "-", stdin=BROKEN)
    (f,) = json.loads(proc.stdout)["findings"]
    assert f["file"] == "<stdin>" and f["object"]["namespace"] == "shop"
    proc = svclint("--format", "json", "--stdin-filename", "rendered.yaml", "-", stdin=BROKEN)
    assert json.loads(proc.stdout)["findings"][0]["file"] == "rendered.yaml"


def test_missing_and_unreadable_inputs_do_not_hide_others(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    binary = tmp_path / "blob.yaml"
    binary.write_bytes(b"\x00\x01\x02")
    proc = svclint(str(tmp_path / "nope.yaml"), str(binary), str(bad))
    no_traceback(proc)
    assert proc.returncode == 2  # named paths that cannot be read: after the report of the rest
    assert f"{tmp_path / 'nope.yaml'}: no such file or directory" in proc.stderr
    assert f"{binary}: not a text file" in proc.stderr
    assert "service-selector-no-match" in proc.stdout
    only_missing = svclint(str(tmp_path / "nope.yaml"))
    assert only_missing.returncode == 2


def test_rules_and_rule_commands() -> None:
    proc = svclint("rules")
    assert proc.returncode == 0
    line = next(x for x in proc.stdout.splitlines() if x.startswith("service-selector-no-match "))
    assert line.split()[1:3] == ["error", "on"]
    doc = svclint("rule", "service-selector-no-match")
    assert doc.returncode == 0 and "## Why it matters" in doc.stdout
    unknown = svclint("rule", "service-selector-no-mach")
    assert unknown.returncode == 2 and "did you mean `service-selector-no-match`" in unknown.stderr


def test_config_file_found_upward_and_validated(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BROKEN)
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / ".svclint.yaml").write_text("ignore: [service-selector-no-match]\n")
    assert svclint(str(tmp_path / "bad.yaml"), cwd=sub).returncode == 0
    (tmp_path / ".svclint.yaml").write_text("namespace: shop\nfail-levle: error\n")
    proc = svclint(str(tmp_path / "bad.yaml"), cwd=sub)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith(".svclint.yaml:2:1: unknown key `fail-levle`")
    (tmp_path / ".svclint.yaml").write_text("level:\n  service-selector-no-match: loud\n")
    proc = svclint(str(tmp_path / "bad.yaml"), cwd=sub)
    assert proc.returncode == 2 and ":2:30:" in proc.stderr and "loud" in proc.stderr
    (tmp_path / ".svclint.yaml").write_text("select: [service-selector-nomatch]\n")
    proc = svclint(str(tmp_path / "bad.yaml"), cwd=sub)
    assert proc.returncode == 2 and "unknown rule `service-selector-nomatch`" in proc.stderr


def test_select_ignore_and_level_override(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    assert svclint("--ignore", "service-selector-no-match", str(bad)).returncode == 0
    assert svclint("--select", "yaml-syntax-error", str(bad)).returncode == 0
    cfg = tmp_path / "c.yaml"
    cfg.write_text("level: {service-selector-no-match: info}\nfail-level: warning\n")
    proc = svclint("--config", str(cfg), "--format", "json", str(bad))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["findings"][0]["level"] == "info"


def test_suppression_by_annotation_and_comment(tmp_path: Path) -> None:
    annotated = BROKEN.replace(
        "  name: web\nspec:\n  selector:",
        '  name: web\n  annotations:\n    svclint.io/ignore: "service-selector-no-match"\n'
        "spec:\n  selector:",
        1,
    )
    commented = BROKEN.replace(
        "    app: wbe\n", "    app: wbe  # svclint: ignore=service-selector-no-match\n"
    )
    above = BROKEN.replace("    app: wbe\n", "    # svclint: ignore=all\n    app: wbe\n")
    other_rule = BROKEN.replace(
        "    app: wbe\n", "    app: wbe  # svclint: ignore=yaml-syntax-error\n"
    )
    for name, text, code in [
        ("annotated", annotated, 0),
        ("commented", commented, 0),
        ("above", above, 0),
        ("other", other_rule, 1),
    ]:
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        proc = svclint("--format", "json", str(path))
        assert proc.returncode == code, name
        report = json.loads(proc.stdout)
        assert report["summary"]["suppressed"] == (1 - code), name


def test_color_always_and_no_color(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    assert "\x1b[31m" in svclint("--color", "always", str(bad)).stdout
    assert "\x1b[" not in svclint(str(bad)).stdout  # not a terminal, NO_COLOR set


def test_output_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    out = tmp_path / "report.json"
    proc = svclint("--format", "json", "--output", str(out), str(bad))
    assert proc.stdout == "" and json.loads(out.read_text())["summary"]["error"] == 1


def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    exe = shutil.which("svclint", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.skip("console script not installed next to this interpreter")
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    a = subprocess.run(
        [exe, str(bad)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert a.stdout == svclint(str(bad)).stdout


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_real_kustomize_output_maps_to_origin(tmp_path: Path) -> None:
    base = tmp_path / "base"
    overlay = tmp_path / "overlays" / "prod"
    base.mkdir()
    overlay.mkdir(parents=True)
    (base / "svc.yaml").write_text(BROKEN.split("---\n")[0])
    (base / "deploy.yaml").write_text(BROKEN.split("---\n")[1])
    (base / "kustomization.yaml").write_text("resources: [svc.yaml, deploy.yaml]\n")
    (overlay / "kustomization.yaml").write_text(
        "resources: [../../base]\nnamespace: prod\nbuildMetadata: [originAnnotations]\n"
    )
    built = subprocess.run(
        ["kubectl", "kustomize", str(overlay)], capture_output=True, text=True, check=True
    ).stdout
    proc = svclint(
        "--format", "json", "--kustomize-dir", "overlays/prod", "-", stdin=built, cwd=tmp_path
    )
    (f,) = json.loads(proc.stdout)["findings"]
    assert f["object"]["namespace"] == "prod"
    assert f["file"] == "base/svc.yaml" and f["line"] == 7
    assert f["rendered"]["file"] == "<stdin>"


def test_importing_svclint_as_a_library_leaves_the_garbage_collector_alone() -> None:
    # Only the svclint process (svclint.entry) turns the collector off; plugins and tests that
    # import the modules keep their own process's policy.
    code = (
        "import gc, svclint.cli, svclint.lint.engine, svclint.lint.registry; print(gc.isenabled())"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert proc.stdout.strip() == "True", proc.stderr
