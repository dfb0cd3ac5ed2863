"""`svclint graph` and the findings of the same run agree, both ways, on every fixture and on every
corpus project:

- every broken relation is backed by an unsuppressed finding of each rule it names, on the
  relation's source object, naming the object at the other end (`about`);
- every finding about a relation (a relation rule's finding with `about`, or one that is about a
  selector, a selectorless Service's endpoints, or an ExternalName target) has its relation drawn,
  broken, with that rule.

Tried before `trace` and `graph` read their verdicts from findings, this failed on 6 of 308 broken
relations of the fixtures (an IPv6 ExternalName drawn as `externalname-ip-address`...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from svclint.config.file import FileConfig
from svclint.config.settings import Flags, build_settings
from svclint.explain.relations import RELATION_RULES, Relations, build, object_id
from svclint.lint.engine import run
from svclint.lint.findings import Finding
from svclint.lint.registry import load_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(
    p for p in (ROOT / "tests" / "fixtures").rglob("*.yaml") if "yaml-test-suite" not in p.parts
)
CORPUS = ROOT.parent / "shared" / "corpus"
PROJECTS = (
    sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "yaml-test-suite")
    if CORPUS.is_dir()
    else []
)
# Findings without `about` that are still about a relation drawn to a node of its own (a
# selector's pods, a selectorless Service's endpoints, an outside DNS name), by rule and key
# (None: any key).
PSEUDO_TARGET = {
    "service-selector-no-match": None,
    "service-no-endpoints": None,
    "externalname-invalid": "externalName",
    "externalname-ip-address": "externalName",
    "monitor-target-not-found": "selector",
}


def _lint(paths: list[Path]) -> tuple[Relations, list[Finding]]:
    settings, _ = build_settings(Flags(), FileConfig(None, {"select": ["all"]}), load_rules())
    report, cluster = run([str(p) for p in paths], settings)
    assert not report.crashes, report.crashes[:3]
    return build(cluster, report), report.findings


def disagreements(rel: Relations, findings: list[Finding]) -> list[str]:
    out: list[str] = []
    by_rule_obj: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.obj is not None:
            by_rule_obj.setdefault((f.rule, object_id(f.obj)), []).append(f)
    # A pseudo node stands for what a finding names no object for: a selector's pods, the
    # Services a monitor selects, an outside DNS name.
    pseudo = {n.id for n in rel.nodes if n.kind in ("Pods", "Services", "DNS")}
    for e in rel.edges:
        for rule in e.rules:
            backing = by_rule_obj.get((rule, e.src), [])
            dst = e.dst.removeprefix("missing:")
            if e.dst not in pseudo:
                backing = [f for f in backing if any(object_id(r) == dst for r in f.about)]
            if not backing:
                out.append(f"broken edge {e.src} -> {e.dst} [{rule}] has no finding")
    drawn = {(e.src, e.dst.removeprefix("missing:"), r) for e in rel.edges for r in e.rules}
    from_obj = {(e.src, r) for e in rel.edges for r in e.rules}
    for f in findings:
        if f.obj is None or f.rule not in RELATION_RULES:
            continue
        src = object_id(f.obj)
        if f.about:
            for ref in f.about:
                if (src, object_id(ref), f.rule) not in drawn:
                    out.append(f"finding {f.rule} on {src} about {object_id(ref)}: no broken edge")
        elif (
            f.rule in PSEUDO_TARGET
            and PSEUDO_TARGET[f.rule] in (None, f.key)
            and (src, f.rule) not in from_obj
        ):
            out.append(f"finding {f.rule} on {src}: no broken edge")
    return out


@pytest.mark.parametrize(
    "path", FIXTURES, ids=[str(p.relative_to(ROOT / "tests")) for p in FIXTURES]
)
def test_fixture(path: Path) -> None:
    assert disagreements(*_lint([path])) == []


@pytest.mark.slow
@pytest.mark.parametrize("project", PROJECTS)
def test_corpus_project(project: str) -> None:
    rel, findings = _lint([CORPUS / project])
    assert disagreements(rel, findings) == []


def test_the_six_former_disagreements() -> None:
    """The relations `graph` drew broken, before, with no finding of the rule it named."""
    rules = ROOT / "tests" / "fixtures" / "rules"
    rel, findings = _lint([rules / "externalname-invalid" / "fires.yaml"])
    ipv6 = [e for e in rel.edges if e.src == "Service/default/ipv6"]
    assert [e.rules for e in ipv6] == [("externalname-invalid",)]
    for case in (
        "externalname-ip-address/clean.yaml",
        "externalname-target-missing/clean.yaml",
        "readiness-probe-missing/clean.yaml",
        "service-selector-unstable-label/clean.yaml",
        "statefulset-service-selector-mismatch/clean.yaml",
    ):
        rel, findings = _lint([rules / case])
        wrongly = [
            e for e in rel.edges if e.broken and not any(f.rule in e.rules for f in findings)
        ]
        assert wrongly == [], case
