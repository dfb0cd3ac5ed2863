"""`svclint graph`: relations, broken ones and their rule ids, Mermaid/DOT output, size guard."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from svclint.cli.explain import graph as graph_command
from svclint.config.file import FileConfig
from svclint.config.settings import Flags, build_settings
from svclint.explain.relations import Relations, build
from svclint.explain.render_graph import TooLarge, dot, mermaid, render
from svclint.lint.engine import run
from svclint.lint.registry import load_rules

FIXTURES = Path(__file__).parent / "fixtures" / "trace"
SHOP = FIXTURES / "shop.yaml"
FINDPORT = FIXTURES / "findport.yaml"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def relations(path: Path = SHOP, **kw: Any) -> Relations:
    settings, _ = build_settings(Flags(), FileConfig(), load_rules())
    report, graph = run([str(path)], settings)
    return build(graph, report, **kw)


def edges(rel: Relations) -> dict[tuple[str, str], tuple[str | None, str | None, bool]]:
    """(src id, dst id) -> (label, first rule saying it is broken, broken)."""
    return {(e.src, e.dst): (e.label, e.rules[0] if e.rules else None, e.broken) for e in rel.edges}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(graph_command, list(args))


def test_relations_and_broken_rule_ids() -> None:
    got = edges(relations())
    expected = {
        # Ingress -> Service, labelled with the backend port
        ("Ingress/shop/shop", "Service/shop/web"): ("http", None, False),
        ("Ingress/shop/shop", "Service/shop/api"): ("8080", "ingress-backend-not-found", True),
        ("Ingress/shop/shop", "missing:Service/shop/legacy"): (
            "80", "ingress-backend-not-found", True),
        # Service -> pod sources; traffic that cannot arrive is broken
        ("Service/shop/web", "Deployment/shop/web"): (None, "networkpolicy-blocks-service", True),
        ("Service/shop/api", "Deployment/shop/api"): (None, "service-targetport-not-found", True),
        ("Service/shop/db", "StatefulSet/shop/db"): (None, "networkpolicy-blocks-service", True),
        # no match: a dashed edge to the nearest pod source, or to a missing node
        ("Service/shop/cart", "Deployment/shop/cart"): (
            "nearest", "service-selector-no-match", True),
        ("Service/other/lb", "missing:Pods/other/app=edge"): (
            None, "service-selector-no-match", True),
        ("Service/other/legacy-db", "missing:Pods/other/endpoints of legacy-db"): (
            None, "service-no-endpoints", True),
        # ExternalName -> target
        ("Service/other/api-alias", "Service/shop/api"): (None, None, False),
        ("Service/other/db-alias", "missing:Service/shop/dbx"): (
            None, "externalname-target-missing", True),
        # StatefulSet -> governing Service
        ("StatefulSet/shop/db", "Service/shop/db"): (None, None, False),
        ("StatefulSet/shop/cache", "missing:Service/shop/cache-headless"): (
            None, "statefulset-service-missing", True),
        # NetworkPolicy -> pods (`{}`: every pod of the namespace)
        ("NetworkPolicy/shop/default-deny", "pods:shop"): ("ingress", None, False),
        ("NetworkPolicy/shop/web-allow", "Deployment/shop/web"): ("ingress", None, False),
        ("NetworkPolicy/shop/web-allow", "Deployment/shop/web-canary"): ("ingress", None, False),
        ("NetworkPolicy/shop/api-allow", "Deployment/shop/api"): ("ingress", None, False),
    }  # fmt: skip
    assert got == expected


def test_statefulset_relations() -> None:
    got = edges(relations(FINDPORT))
    assert got[("StatefulSet/default/zk", "Service/default/zk")][1] == (
        "statefulset-service-not-headless"
    )
    assert got[("StatefulSet/default/etcd", "Service/default/etcd")][1] == (
        "statefulset-service-selector-mismatch"
    )
    # The finding names StatefulSet etcd as the nearest pod source; the graph draws the same
    assert got[("Service/default/etcd", "StatefulSet/default/etcd")] == (
        "nearest",
        "service-selector-no-match",
        True,
    )
    assert got[("StatefulSet/default/kafka", "Service/default/peers")][1] is None


def test_namespace_filter_keeps_what_it_points_at() -> None:
    rel = relations(namespace="other")
    ids = {n.id for n in rel.nodes}
    assert "Service/shop/api" in ids  # the ExternalName target, drawn for context
    assert "Deployment/shop/api" not in ids and "Ingress/shop/shop" not in ids
    assert {e.src.split("/")[1] for e in rel.edges} == {"other"}


def test_broken_only() -> None:
    rel = relations(broken_only=True)
    assert rel.edges and all(e.broken for e in rel.edges)
    ids = {n.id for n in rel.nodes}
    assert "NetworkPolicy/shop/default-deny" not in ids
    assert ids == {e.src for e in rel.edges} | {e.dst for e in rel.edges}


def test_mermaid() -> None:
    rel = relations()
    text = mermaid(rel.nodes, rel.edges)
    assert text.startswith("flowchart LR\n")
    assert 'subgraph ns0["namespace other"]' in text and 'subgraph ns1["namespace shop"]' in text
    lines = [line.strip() for line in text.splitlines()]
    links = [line for line in lines if re.match(r"n\d+ (-->|-\.->)", line)]
    dashed = [i for i, line in enumerate(links) if "-.->" in line]
    styles = {
        line.split()[2].split(";")[0]: line.split()[1]
        for line in lines
        if line.startswith("linkStyle")
    }
    # Broken links are red; those whose finding is only `info` (svclint cannot tell) grey.
    info = [i for i, e in enumerate(rel.edges) if e.broken and e.level == "info"]
    red = [i for i in dashed if i not in info]
    assert styles == {
        "stroke:#d62728,stroke-width:2px,color:#d62728": ",".join(map(str, red)),
        **(
            {"stroke:#7f7f7f,stroke-width:2px,color:#7f7f7f": ",".join(map(str, info))}
            if info
            else {}
        ),
    }
    assert '-.->|"80: ingress-backend-not-found"|' in text
    assert re.search(r'n\d+\(\["Service<br/>legacy<br/>\(not in the input\)"\]\)', text)
    assert text.count("class ") == 3


def test_mermaid_escapes_labels() -> None:
    rel = relations()
    rel.nodes[0].name = 'a "quoted" <name>'
    text = mermaid(rel.nodes, rel.edges)
    assert "a #quot;quoted#quot; #lt;name#gt;" in text


def test_dot() -> None:
    rel = relations()
    text = dot(rel.nodes, rel.edges)
    assert text.startswith("digraph svclint {") and text.rstrip().endswith("}")
    assert 'subgraph cluster_1 {\n    label="namespace shop"' in text
    assert re.search(r'-> n\d+ \[label="service-selector-no-match", style=dashed, color="#d62728"',
                     text)  # fmt: skip
    assert text.count("{") == text.count("}")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_dot_renders_with_graphviz() -> None:
    rel = relations()
    proc = subprocess.run(
        ["dot", "-Tsvg"], input=dot(rel.nodes, rel.edges), capture_output=True, text=True,
        check=False, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "<svg" in proc.stdout


def test_size_guard() -> None:
    rel = relations()
    with pytest.raises(TooLarge, match=r"24 nodes, above the limit of 5.*--max-nodes"):
        render(rel, "mermaid", 5, False)
    text, dropped = render(rel, "dot", 5, True)
    assert dropped == len(rel.nodes) - 5
    assert f"// truncated: {dropped} more nodes" in text
    assert text.count(' [label="') - text.count("->") == 5  # node statements


def test_command() -> None:
    result = invoke(str(SHOP))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("flowchart LR")
    result = invoke(str(SHOP), "--format", "dot", "-n", "shop")
    assert result.exit_code == 0
    assert "namespace other" not in result.stdout and "namespace shop" in result.stdout
    result = invoke(str(SHOP), "--max-nodes", "3")
    assert result.exit_code == 2 and "--max-nodes" in result.stderr
    result = invoke(str(SHOP), "--max-nodes", "3", "--truncate")
    assert result.exit_code == 0 and "graph truncated" in result.stderr
    result = invoke(str(SHOP), "--broken-only")
    assert result.exit_code == 0 and "-->" not in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_bundles() -> None:
    argo = str(CORPUS / "argo-cd" / "manifests" / "install.yaml")
    result = invoke(argo, "-n", "argocd", "--format", "dot")
    assert result.exit_code == 0, result.output
    assert '"statefulset-service-missing"' in result.stdout
    result = invoke(str(CORPUS / "opentelemetry-demo"))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("-->") > 20


def test_docs_example_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/trace.md shows real output: regenerate it with
    `svclint graph tests/fixtures/trace/shop.yaml` when this fails."""
    root = Path(__file__).resolve().parent.parent
    doc = (root / "docs" / "trace.md").read_text(encoding="utf-8")
    shown = doc.split("<!-- graph-example:start -->\n```mermaid\n")[1].split("```\n<!--")[0]
    monkeypatch.chdir(root)
    rel = relations(Path("tests/fixtures/trace/shop.yaml"))
    assert shown == mermaid(rel.nodes, rel.edges)


def test_mermaid_edge_limit() -> None:
    rel = relations()
    rel.edges = rel.edges * 40  # past Mermaid's 500 edges, with few nodes
    with pytest.raises(TooLarge, match=r"Mermaid draws at most 500"):
        render(rel, "mermaid", 1000, False)
    text, _ = render(rel, "mermaid", 1000, True)
    assert sum(1 for line in text.splitlines() if re.match(r"\s+n\d+ -", line)) == 500
    render(rel, "dot", 1000, False)  # DOT has no such limit


def test_caller_relations() -> None:
    rel = relations(FIXTURES / "callers.yaml")
    got = sorted(
        (e.src, e.dst, e.relation, e.label, e.rules)
        for e in rel.edges
        if e.relation in ("routes", "parent", "webhook", "dns", "monitors")
    )
    assert got == [
        ("ConfigMap/shop/proxy", "Service/shop/api", "dns", "80", ()),
        ("Deployment/shop/client", "Service/shop/api", "dns", "80", ()),
        ("Deployment/shop/client", "Service/shop/api", "dns", "9090",
         ("dns-reference-not-found",)),
        ("HTTPRoute/shop/api", "Gateway/shop/edge", "parent", "web", ()),
        ("HTTPRoute/shop/api", "Service/shop/api", "routes", "80", ()),
        ("HTTPRoute/shop/api", "Service/shop/api", "routes", "8080", ("route-backend-not-found",)),
        ("ServiceMonitor/shop/api", "Service/shop/api", "monitors", None, ()),
        ("ValidatingWebhookConfiguration//api-policy", "Service/shop/api", "webhook", "443",
         ("webhook-service-not-found",)),
    ]  # fmt: skip
    text = mermaid(rel.nodes, rel.edges)
    assert '-.->|"8080: route-backend-not-found"|' in text
