"""A `Trace` for a terminal: numbered sections, aligned columns, colour when asked."""

from __future__ import annotations

from .trace_model import (
    Contract,
    Dns,
    Endpoints,
    FindingInfo,
    ObjectRef,
    PodSourceInfo,
    PortInfo,
    Selection,
    Touches,
    Trace,
)

_CODES = {
    "error": "31",
    "warning": "33",
    "info": "36",
    "bad": "31",
    "good": "32",
    "rule": "35",
    "dim": "2",
    "bold": "1",
    "head": "1;4",
}
OK, NO = "✓", "✗"
Cell = tuple[str, str | None]  # (text, style)


class Style:
    """Colours a piece of text by its role, or leaves it plain."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, what: str | None, text: str) -> str:
        if not self.color or what is None or not text:
            return text
        return f"\x1b[{_CODES[what]}m{text}\x1b[0m"


def _table(rows: list[list[Cell]], s: Style, indent: int = 2, first: int = 0) -> list[str]:
    """Rows of cells, every column but the last padded to its widest cell (the first to at
    least `first`, to line up several tables)."""
    if not rows:
        return []
    ncols = max(len(r) for r in rows)
    widths = [0] * ncols
    widths[0] = first
    for r in rows:
        for i, (text, _) in enumerate(r[:-1]):
            widths[i] = max(widths[i], len(text))
    out = []
    for r in rows:
        parts = []
        for i, (text, style) in enumerate(r):
            pad = "" if i == len(r) - 1 else " " * (widths[i] - len(text))
            parts.append(s(style, text) + pad)
        out.append((" " * indent + "  ".join(parts)).rstrip())
    return out


def _where(ref: ObjectRef | PodSourceInfo) -> str:
    at = f"{ref.file}:{ref.line}"
    return at + (f" (from {ref.source})" if ref.source else "")


def _rules(rules: list[str]) -> str:
    return " ".join(f"[{r}]" for r in rules)


def render(trace: Trace, color: bool = False) -> str:
    s = Style(color)
    svc = trace.service
    lines = [s("bold", f"Service {svc.namespace}/{svc.name}") + "  " + s("dim", _where(svc))]
    for dup in trace.duplicates:
        lines.append(s("warning", f"  also defined at {_where(dup)} (duplicate-object)"))
    for owner in trace.ownership:
        lines.append("  " + s("dim", f"managed by: {owner.detail} ({owner.mark})"))
    sections = (
        ("1. Contract", _contract(trace.contract, s)),
        ("2. Selection", _selection(trace.selection, s)),
        ("3. Endpoints", _endpoints(trace.endpoints, s)),
        ("4. DNS", _dns(trace.dns, s)),
        ("5. What else touches it", _touches(trace.touches, s)),
        (f"6. Findings ({len(trace.findings)})", _findings(trace, s)),
    )
    for title, body in sections:
        lines.append("")
        lines.append(s("head", title))
        lines.extend(body or ["  " + s("dim", "nothing")])
    return "\n".join(lines) + "\n"


# -- sections -------------------------------------------------------------------------------


def _port_target(p: PortInfo) -> str:
    if p.target_port is None:
        return "(invalid)"
    text = str(p.target_port)
    if isinstance(p.target_port, str) and text.isdigit():
        text = f'"{text}"'  # a quoted number is a port name to Kubernetes
    return text + (" (= port)" if p.target_defaulted else "")


def _contract(c: Contract, s: Style) -> list[str]:
    rows: list[list[Cell]] = [[("type", None), (c.type, "bold")]]
    if c.type != "ExternalName":
        ip = "None (headless)" if c.headless else c.cluster_ip
        rows.append([("clusterIP", None), (ip, None)])
    for st in c.settings:
        rows.append([(st.key, None), (st.value, None), (st.note or "", "dim")])
    out = _table(rows, s)
    if c.ports:
        out.append("  ports")
        prow: list[list[Cell]] = [
            [("NAME", "dim"), ("PORT", "dim"), ("", None), ("TARGET", "dim"),
             ("PROTOCOL", "dim"), ("APP PROTOCOL", "dim"), ("NODE PORT", "dim")]
        ]  # fmt: skip
        for p in c.ports:
            prow.append(
                [
                    (p.name or "-", None),
                    ("?" if p.port is None else str(p.port), None),
                    ("→", "dim"),
                    (_port_target(p), None),
                    (p.protocol, None),
                    (p.app_protocol or "-", None),
                    ("-" if p.node_port is None else str(p.node_port), None),
                ]
            )
        out.extend(_table(prow, s, 4))
    elif c.type != "ExternalName":
        out.append("  ports      " + s("dim", "none"))
    if c.annotations:
        out.append("  provider annotations")
        arows: list[list[Cell]] = []
        for a in c.annotations:
            mark = (OK, "good") if a.applies else (NO, "bad")
            note = a.note or "applies"
            arows.append([mark, (a.provider, None), (f"{a.key}: {a.value}", None), (note, "dim")])
        out.extend(_table(arows, s, 4))
    return out


def _pod_row(p: PodSourceInfo) -> list[Cell]:
    replicas = "" if p.replicas is None else f"replicas {p.replicas}"
    extra = p.replicas_note or ""
    what = ", ".join(x for x in (replicas, extra) if x)
    return [(p.label, None), (what, None), (_where(p), "dim")]


def _selection(sel: Selection, s: Style) -> list[str]:
    out: list[str] = []
    if sel.mode == "selector" and sel.selector is not None:
        shown = ", ".join(f"{k}={v}" for k, v in sel.selector.items())
        out.append(f"  selector     {shown}")
        if sel.matches:
            out.append(
                f"  matches      {len(sel.matches)} pod source" + "s" * (len(sel.matches) > 1)
            )
            out.extend(_table([_pod_row(p) for p in sel.matches], s, 4))
        else:
            out.append(
                "  matches      " + s("bad", f"{NO} none") + "  " + s("rule", _rules(sel.rules))
            )
    elif sel.mode == "none":
        out.append("  selector     " + s("dim", "none"))
        rows: list[list[Cell]] = [
            [(o.label, None), (_where(o), "dim")] for o in sel.endpoint_objects
        ]
        if rows:
            out.append("  hand-written endpoints")
            out.extend(_table(rows, s, 4))
    for note in sel.notes:
        out.append("  " + s("dim", note))
    if sel.rules and sel.matches:
        out.append("  reported     " + s("rule", _rules(sel.rules)))
    if sel.near_misses:
        out.append("  near misses (one label off)")
        rows = [
            [(nm.pod.label, None), (nm.difference, "warning"), (_where(nm.pod), "dim")]
            for nm in sel.near_misses
        ]
        out.extend(_table(rows, s, 4))
        if sel.more_near_misses:
            out.append("    " + s("dim", f"... and {sel.more_near_misses} more"))
    return out


def _endpoints(ep: Endpoints, s: Style) -> list[str]:
    out: list[str] = []
    for pe in ep.ports:
        p = pe.port
        head = f"  port {p.label} → {_port_target(p)}/{p.protocol}"
        out.append(s("bold", head))
        rows: list[list[Cell]] = []
        for e in pe.endpoints:
            mark: Cell = (OK, "good") if e.ok else (NO, "bad")
            if e.ok and e.container is not None and e.declared:
                kind = "sidecar" if e.sidecar else "container"
                named = f" ({e.port_name})" if e.port_name else ""
                where = f"{kind} {e.container}: {e.container_port}{named}"
            else:
                where = e.detail
            if e.readiness is None:
                ready: Cell = ("readiness: none", "warning")
            else:
                off = " (another port)" if e.readiness_on_port is False else ""
                ready = (f"readiness: {e.readiness}{off}", None)
            row = [mark, (e.pod, None), (where, None if e.ok else "bad")]
            if e.ok:
                row.append(ready)
            row.append((_rules(e.rules), "rule"))
            rows.append(row)
        if not rows:
            rows.append([(NO, "bad"), (ep.empty, "dim")])
        out.extend(_table(rows, s, 4))
    for note in ep.notes:
        out.append("  " + s("dim", note))
    return out


def _dns(d: Dns, s: Style) -> list[str]:
    rows: list[list[Cell]] = []
    for n in d.names:
        rows.append([(n.name, "bold"), (n.type, None), (n.value, None)])
    for n in d.srv:
        rows.append([(n.name, None), (n.type, None), (n.value, None)])
    for n in d.per_pod:
        rows.append([(n.name, None), (n.type, None), (n.value, None)])
    out = _table(rows, s)
    if d.more_per_pod:
        out.append("  " + s("dim", f"... and {d.more_per_pod} more per-pod names"))
    if d.short_forms:
        short = ", ".join(n.name for n in d.short_forms)
        out.append(f"  short forms  {short}  " + s("dim", "(through the pods' DNS search path)"))
    for note in d.notes:
        out.append("  " + s("dim", note))
    return out


def _touches(t: Touches, s: Style) -> list[str]:
    out: list[str] = []
    labels = [r.ingress.label for r in t.ingresses] + [p.policy.label for p in t.network_policies]
    for group in (t.aliases, t.statefulsets, t.autoscalers, t.disruption_budgets):
        labels += [rel.object.label for rel in group]
    first = max((len(x) for x in labels), default=0)
    rows: list[list[Cell]] = []
    for r in t.ingresses:
        port = "-" if r.port is None else str(r.port)
        if r.service_port is not None:
            to: Cell = (f"port {port} = {r.service_port}", None)
        else:
            to = (f"port {port}: {r.note or 'no such port'}", "bad")
        rows.append([(r.ingress.label, None), (r.where, None), to, (_rules(r.rules), "rule")])
    out.extend(_table(rows, s, first=first))
    rows = []
    for pol in t.network_policies:
        verb = "isolates" if pol.isolates else "selects"
        rows.append(
            [
                (pol.policy.label, None),
                (f"{verb} {', '.join(pol.selects)}", None),
                (pol.effect, None),
            ]
        )
    out.extend(_table(rows, s, first=first))
    rows = []
    for group in (t.aliases, t.statefulsets, t.autoscalers, t.disruption_budgets):
        for rel in group:
            rows.append([(rel.object.label, None), (rel.detail, None), (_rules(rel.rules), "rule")])
    out.extend(_table(rows, s, first=first))
    if t.callers:
        out.append("  callers")
        crows: list[list[Cell]] = []
        for c in t.callers:
            state: Cell = (OK, "good") if c.ok else (NO, "bad")
            what = c.where + (f" `{c.value}`" if c.value and c.kind == "dns" else "")
            cport = c.value.rpartition(":")[2] if c.kind == "dns" and c.value else c.value
            lands = ""
            if c.service_port:
                lands = f"port {cport} = {c.service_port}" if cport else f"= {c.service_port}"
            elif cport and cport.isdigit():
                lands = f"port {cport}: not a port of it"
            elif c.kind == "route":
                lands = "no port"
            extra = f"via {c.via}" if c.via else ""
            crows.append([state, (f"{_caller_kind(c.kind)} {c.object.label}", None),
                          (what, None), (lands, None), (extra, "dim"),
                          (_rules(c.rules), "rule")])  # fmt: skip
        out.extend(_table(crows, s, 4))
    if t.reachability:
        out.append("  reachability under NetworkPolicy")
        rrows: list[list[Cell]] = []
        for reach in t.reachability:
            mark: Cell = (OK, "good") if reach.allowed else (NO, "bad")
            verdict = f"allowed by {reach.by}" if reach.by else "no ingress rule allows it: dropped"
            rrows.append([mark, (f"port {reach.port}", None),
                          (f"→ {reach.pod} {reach.pod_port}", None),
                          (verdict, None if reach.allowed else "bad"),
                          (_rules(reach.rules), "rule")])  # fmt: skip
        out.extend(_table(rrows, s, 4))
    for note in t.notes:
        out.append("  " + s("dim", note))
    return out


def _caller_kind(kind: str) -> str:
    return {
        "route": "route", "webhook": "webhook", "apiservice": "APIService",
        "conversion": "conversion webhook", "monitor": "monitor", "dns": "DNS name in",
    }.get(kind, kind)  # fmt: skip


def _finding_lines(f: FindingInfo, s: Style) -> list[str]:
    head = f"  {f.file}:{f.line}:{f.column}: {s(f.level, f.level)}[{s('rule', f.rule)}] {f.message}"
    out = [head]
    if f.hint:
        out.append("      " + s("good", "hint:") + " " + f.hint)
    return out


def _findings(trace: Trace, s: Style) -> list[str]:
    out: list[str] = []
    for f in trace.findings:
        out.extend(_finding_lines(f, s))
    if trace.suppressed:
        out.append("  " + s("dim", f"{trace.suppressed} suppressed"))
    if not out:
        out.append("  " + s("good", f"{OK} none for the Service and its pod sources"))
    return out
