"""Mermaid and DOT writers for `Relations`, with a size guard.

Namespaces are subgraphs (Graphviz clusters). Broken relations are dashed and red (grey when
the finding is only `info`: svclint cannot tell for sure), labelled with the rule ids; missing
objects are red dashed boxes. Mermaid output is a fenced-code-ready
`flowchart LR` (GitHub renders it in Markdown); DOT renders with `dot -Tsvg`.
"""

from __future__ import annotations

from collections.abc import Callable

from .relations import Edge, Node, Relations

DEFAULT_MAX_NODES = 150  # beyond this a picture stops being readable
MERMAID_MAX_EDGES = 500  # Mermaid's default `maxEdges`: it refuses to draw more
RED = "#d62728"
GRAY = "#7f7f7f"  # a broken relation reported at `info`: svclint cannot tell for sure


def _color(e: Edge) -> str:
    return GRAY if e.level == "info" else RED


_MERMAID_SHAPES: dict[str, tuple[str, str]] = {
    "Service": ('(["', '"])'),
    "Ingress": ('[/"', '"/]'),
    "NetworkPolicy": ('{{"', '"}}'),
    "DNS": ('>"', '"]'),
    "Pods": ('[["', '"]]'),
}
_DOT_SHAPES = {
    "Service": 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"',
    "Ingress": 'shape=parallelogram, style=filled, fillcolor="#fff4e5"',
    "NetworkPolicy": 'shape=hexagon, style=filled, fillcolor="#f3e8fd"',
    "DNS": "shape=cds",
    "Pods": "shape=folder",
}
_DOT_POD = 'shape=box, style=filled, fillcolor="#e6f4ea"'


class TooLarge(Exception):
    """The graph has more nodes than the limit and truncation was not asked for."""


def render(rel: Relations, fmt: str, max_nodes: int, truncate: bool) -> tuple[str, int]:
    """(text, number of nodes left out)."""
    nodes, edges, dropped = _fit(rel, max_nodes, truncate)
    if fmt == "mermaid" and len(edges) > MERMAID_MAX_EDGES:
        if not truncate:
            raise TooLarge(
                f"the graph has {len(edges)} relations, and Mermaid draws at most "
                f"{MERMAID_MAX_EDGES}: draw one namespace with -n, only broken relations with "
                "--broken-only, use --format dot, or draw the first ones with --truncate"
            )
        edges = edges[:MERMAID_MAX_EDGES]
        joined = {e.src for e in edges} | {e.dst for e in edges}
        kept = [n for n in nodes if n.id in joined]
        dropped += len(nodes) - len(kept)
        nodes = kept
    writer: Callable[[list[Node], list[Edge], int], str] = mermaid if fmt == "mermaid" else dot
    return writer(nodes, edges, dropped), dropped


def _fit(rel: Relations, limit: int, truncate: bool) -> tuple[list[Node], list[Edge], int]:
    total = len(rel.nodes)
    if total <= limit:
        return rel.nodes, rel.edges, 0
    if not truncate:
        sizes: dict[str, int] = {}
        for n in rel.nodes:
            sizes[n.namespace] = sizes.get(n.namespace, 0) + 1
        biggest = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        shown = ", ".join(f"`{ns or '(cluster)'}` ({k})" for ns, k in biggest)
        raise TooLarge(
            f"the graph has {total} nodes, above the limit of {limit}: draw one namespace with "
            f"-n (largest: {shown}), only broken relations with --broken-only, raise the limit "
            "with --max-nodes N, or draw the first nodes with --truncate"
        )
    # Whole namespaces while they fit; then the first nodes of the next one.
    kept: list[Node] = []
    by_ns: dict[str, list[Node]] = {}
    for n in rel.nodes:
        by_ns.setdefault(n.namespace, []).append(n)
    for group in by_ns.values():
        room = limit - len(kept)
        if room <= 0:
            break
        kept.extend(group[:room])
    ids = {n.id for n in kept}
    edges = [e for e in rel.edges if e.src in ids and e.dst in ids]
    return kept, edges, total - len(kept)


def _label(n: Node) -> list[str]:
    lines = [n.kind if n.kind not in ("DNS", "Pods") else "", n.name]
    if n.missing:
        lines.append("(not in the input)" if n.kind != "Pods" else "(no match)")
    elif n.detail:
        lines.append(n.detail)
    return [line for line in lines if line]


def _edge_text(e: Edge) -> str | None:
    if e.broken:
        rules = ", ".join(e.rules)
        return f"{e.label}: {rules}" if e.label and e.label != "nearest" else rules
    if e.relation == "serviceName":
        return "serviceName"
    return e.label


# -- Mermaid --------------------------------------------------------------------------------


def _m_escape(text: str) -> str:
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def mermaid(nodes: list[Node], edges: list[Edge], dropped: int = 0) -> str:
    ids = {n.id: f"n{i}" for i, n in enumerate(nodes)}
    out = ["flowchart LR"]
    if dropped:
        out.append(f"  %% truncated: {dropped} more nodes not drawn")
    groups: dict[str, list[Node]] = {}
    for n in nodes:
        groups.setdefault(n.namespace, []).append(n)
    for gi, (ns, group) in enumerate(groups.items()):
        indent = "  "
        if ns:
            out.append(f'  subgraph ns{gi}["namespace {_m_escape(ns)}"]')
            indent = "    "
        for n in group:
            left, right = _MERMAID_SHAPES.get(n.kind, ('["', '"]'))
            text = "<br/>".join(_m_escape(x) for x in _label(n))
            out.append(f"{indent}{ids[n.id]}{left}{text}{right}")
        if ns:
            out.append("  end")
    broken: dict[str, list[int]] = {}
    for i, e in enumerate(edges):
        etext = _edge_text(e)
        arrow = "-.->" if e.broken else "-->"
        label = f'|"{_m_escape(etext)}"|' if etext else ""
        out.append(f"  {ids[e.src]} {arrow}{label} {ids[e.dst]}")
        if e.broken:
            broken.setdefault(_color(e), []).append(i)
    out.append(f"  classDef missing stroke:{RED},stroke-width:2px,stroke-dasharray:5 3,color:{RED}")
    out.append("  classDef service fill:#e8f0fe,stroke:#1a73e8")
    out.append("  classDef workload fill:#e6f4ea,stroke:#188038")
    missing = [ids[n.id] for n in nodes if n.missing]
    services = [ids[n.id] for n in nodes if n.kind == "Service" and not n.missing]
    pods = [ids[n.id] for n in nodes if n.kind not in _MERMAID_SHAPES and not n.missing]
    for cls, members in (("service", services), ("workload", pods), ("missing", missing)):
        if members:
            out.append(f"  class {','.join(members)} {cls}")
    for color, links in broken.items():
        out.append(
            f"  linkStyle {','.join(map(str, links))} stroke:{color},stroke-width:2px,color:{color}"
        )
    return "\n".join(out) + "\n"


# -- DOT ------------------------------------------------------------------------------------


def _d_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(nodes: list[Node], edges: list[Edge], dropped: int = 0) -> str:
    ids = {n.id: f"n{i}" for i, n in enumerate(nodes)}
    out = [
        "digraph svclint {",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica", fontsize=11];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    if dropped:
        out.append(f"  // truncated: {dropped} more nodes not drawn")
    groups: dict[str, list[Node]] = {}
    for n in nodes:
        groups.setdefault(n.namespace, []).append(n)
    for gi, (ns, group) in enumerate(groups.items()):
        indent = "  "
        if ns:
            out.append(f"  subgraph cluster_{gi} {{")
            out.append(f'    label="namespace {_d_escape(ns)}"; style=rounded; color=gray60;')
            indent = "    "
        for n in group:
            label = "\\n".join(_d_escape(x) for x in _label(n))
            attrs = _DOT_SHAPES.get(n.kind, _DOT_POD)
            if n.missing:
                attrs = f'shape=box, style="dashed", color="{RED}", fontcolor="{RED}"'
            out.append(f'{indent}{ids[n.id]} [label="{label}", {attrs}];')
        if ns:
            out.append("  }")
    for e in edges:
        eattrs: list[str] = []
        etext = _edge_text(e)
        if etext:
            eattrs.append(f'label="{_d_escape(etext)}"')
        if e.broken:
            color = _color(e)
            eattrs.append(f'style=dashed, color="{color}", fontcolor="{color}", penwidth=1.6')
        elif e.relation == "policy":
            eattrs.append("color=gray50, arrowhead=odot")
        suffix = f" [{', '.join(eattrs)}]" if eattrs else ""
        out.append(f"  {ids[e.src]} -> {ids[e.dst]}{suffix};")
    out.append("}")
    return "\n".join(out) + "\n"
