"""Real manifests from well-known projects (../shared/corpus, see its SOURCES.md).

Every project is linted as a user would lint it: no crash, no rule crash. The healthy bundles
(release manifests people deploy as they are) must get no error-level finding: a linter that cries
wolf on argo-cd's install.yaml gets switched off. Skipped cleanly when the corpus is absent.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from svclint.config.file import FileConfig
from svclint.config.settings import Flags, build_settings
from svclint.lint.engine import run
from svclint.lint.findings import Report
from svclint.lint.registry import load_rules

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present"),
]

HEALTHY = {
    "ingress-nginx": ["ingress-nginx/deploy/static/provider/cloud/deploy.yaml"],
    "opentelemetry-demo": ["opentelemetry-demo/kubernetes/opentelemetry-demo.yaml"],
    "microservices-demo": ["microservices-demo/release/kubernetes-manifests.yaml"],
    "argo-cd": ["argo-cd/manifests/install.yaml"],
    "argo-cd-ha": ["argo-cd/manifests/ha/install.yaml"],
    "kube-prometheus": ["kube-prometheus/manifests"],
    "metallb": ["metallb/config/manifests/metallb-native.yaml"],
    "calico": ["calico/manifests/calico.yaml"],
    "sock-shop": ["sock-shop/deploy/kubernetes/complete-demo.yaml"],
    "bank-of-anthos": ["bank-of-anthos/kubernetes-manifests"],
    "cert-manager": ["kubeflow-manifests/common/cert-manager/base/upstream/cert-manager.yaml"],
}


def lint(paths: list[str], select_all: bool = False) -> Report:
    data = {"select": ["all"]} if select_all else {}
    settings, _ = build_settings(Flags(), FileConfig(None, data), load_rules())
    report, _ = run([str(CORPUS / p) for p in paths], settings)
    return report


def counts(report: Report) -> Counter[str]:
    return Counter(f"{f.level}:{f.rule}" for f in report.findings)


@pytest.mark.parametrize("bundle", sorted(HEALTHY))
def test_healthy_bundle_has_no_errors(bundle: str) -> None:
    report = lint(HEALTHY[bundle])
    assert report.objects > 0 and not report.input_errors
    assert not report.crashes, report.crashes
    errors = [
        f"{f.file.path}:{f.pos[0]}: {f.rule}: {f.message}"
        for f in report.findings
        if f.level == "error"
    ]
    assert errors == []


PROJECTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("project", PROJECTS)
def test_every_project_lints_without_crashing(project: str) -> None:
    if project == "yaml-test-suite":
        pytest.skip("covered by the loader's own tests")
    report = lint([project], select_all=True)
    assert not report.crashes, report.crashes[:5]
