"""`--format text`: `path:line:col: level[rule-id] message`, the source line with a caret span,
a `hint:` line, grouped per file, and a one-line summary. Colour is decided by the caller.
"""

from __future__ import annotations

from ..lint.findings import Finding, Report
from ..lint.locate import Placed, place

_COLORS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1", "hint": "32"}
_MAX_EXCERPT = 160


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, what: str, text: str) -> str:
        if not self.color:
            return text
        return f"\x1b[{_COLORS[what]}m{text}\x1b[0m"


def _excerpt(line_text: str, col: int, end_col: int, same_line: bool, s: _Style) -> list[str]:
    if not line_text.strip():
        return []
    shown = line_text.rstrip()
    start = max(col - 1, 0)
    if len(shown) > _MAX_EXCERPT:  # a 20 MB line must not be printed whole
        lo = max(0, start - 40)
        shown = ("…" if lo else "") + shown[lo : lo + _MAX_EXCERPT] + "…"
        start = start - lo + (1 if lo else 0)
    width = max(1, (end_col - col) if same_line and end_col > col else len(shown) - start)
    width = min(width, max(1, len(shown) - start))
    return [f"    {shown}", "    " + " " * start + s("error", "^" * width)]


def _finding_lines(f: Finding, placed: Placed, s: _Style) -> list[str]:
    loc = placed.primary
    head = f"{loc.file}:{loc.line}:{loc.column}: {s(f.level, f.level)}[{f.rule}] {f.message}"
    out = [head]
    if placed.rendered is not None:
        text = placed.source_line_text or ""
        out += _excerpt(text, loc.column, loc.end_column, loc.line == loc.end_line, s)
        r = placed.rendered
        out.append(s("dim", f"    rendered at {r.file}:{r.line}:{r.column}"))
    else:
        line, col, end_line, end_col = f.pos
        out += _excerpt(f.file.line(line), col, end_col, line == end_line, s)
        if placed.source is not None:
            out.append(s("dim", f"    from {placed.source}"))
    if f.hint:
        out.append(f"    {s('hint', 'hint:')} {f.hint}")
    for msg, rel in f.related:
        out.append(s("dim", f"    note: {rel.file}:{rel.line}:{rel.column}: {msg}"))
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 or word == "info" else "s")


def render(report: Report, color: bool = False) -> str:
    s = _Style(color)
    lines: list[str] = []
    current = None
    for f in report.findings:
        placed = place(f)
        if current is not None and placed.primary.file != current:
            lines.append("")
        current = placed.primary.file
        lines.extend(_finding_lines(f, placed, s))
    if lines:
        lines.append("")
    counts = [
        _plural(report.count("error"), "error"),
        _plural(report.count("warning"), "warning"),
        _plural(report.count("info"), "info"),
    ]
    extra = []
    if report.duplicate_groups:
        extra.append(_plural(report.duplicate_groups, "duplicate group"))
    if report.suppressed:
        extra.append(f"{len(report.suppressed)} suppressed")
    if report.baselined:
        extra.append(f"{len(report.baselined)} baselined")
    if report.not_objects:
        extra.append(f"{_plural(report.not_objects, 'document')} skipped as not Kubernetes objects")
    safe, unsafe = report.fixable()
    if safe:
        extra.append(f"{safe} fixable with --fix")
    if unsafe:
        extra.append(
            f"{unsafe} more with --unsafe-fixes"
            if safe
            else f"{unsafe} fixable with --fix --unsafe-fixes"
        )
    summary = (
        f"{', '.join(counts)} in {_plural(report.files, 'file')}"
        f"{' and ' + _plural(len(report.builds), 'build') if report.builds else ''} "
        f"({_plural(report.objects, 'object')}{''.join('; ' + e for e in extra)})"
    )
    lines.append(s("bold", summary))
    return "\n".join(lines) + "\n"
