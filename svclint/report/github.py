"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=k8s/web.yaml,line=7,col=10,endLine=7,endColumn=13,title=svclint service-selector-no-match::selector ...

`error` and `warning` findings become `::error` and `::warning`, `info` becomes `::notice`. Paths
are relative to the current directory (the repository root in a workflow) and rendered objects
point at their source file, as in the SARIF report. A finding on standard input without a name
gets an annotation without a file (GitHub shows it on the run) with the position in its text.
`col`/`endColumn` are sent only for a one-line span, as the Actions toolkit requires.

GitHub shows at most 10 annotations of each level per step; all of them stay in the log, and a
first `::notice` says so when there are more. Suppressed findings are not annotated.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..lint.findings import Finding, Report
from ..lint.locate import place
from ..model.objects import K8sObject
from .anchors import UNNAMED_STDIN, ObjectIndex, Unmappable, anchor, related_anchor

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
SHOWN_PER_LEVEL = 10


def escape_data(text: str) -> str:
    """The message of a workflow command: `%`, CR and LF are encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (`file=`, `title=`): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, props: list[tuple[str, object]], message: str) -> str:
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{name}{' ' + joined if joined else ''}::{escape_data(message)}"


def _where(f: Finding) -> list[tuple[str, object]]:
    """`file`, `line`, `col`, `endLine`, `endColumn`; nothing for unnamed standard input."""
    try:
        a = anchor(f)
        path, line, col, end_line, end_col = a.path, a.line, a.column, a.end_line, a.end_column
    except Unmappable:
        loc = place(f).primary
        if f.file.is_stdin and loc.file == UNNAMED_STDIN:
            return []
        # outside the current directory: the path as given (GitHub may not attach it to a file)
        path, line, col, end_line, end_col = (
            loc.file, loc.line, loc.column, loc.end_line, loc.end_column
        )  # fmt: skip
    if line != end_line:  # the toolkit: no col/endColumn when the span has several lines
        return [("file", path), ("line", line), ("endLine", end_line)]
    return [("file", path), ("line", line), ("col", col), ("endLine", line), ("endColumn", end_col)]


def annotation(f: Finding, objects: ObjectIndex | None = None) -> str:
    placed = place(f)
    props = _where(f)
    lines = [f.message]
    if not props:  # no file to attach to: the position goes into the message
        loc = placed.primary
        lines[0] = f"{loc.file}:{loc.line}:{loc.column}: {f.message}"
    props.append(("title", f"svclint {f.rule}"))
    if f.hint:
        lines.append(f"hint: {f.hint}")
    if placed.rendered is not None:
        r = placed.rendered
        lines.append(f"rendered at {r.file}:{r.line}:{r.column}")
    for text, rel in f.related:
        ra = related_anchor(f, text, rel, objects or ObjectIndex(()))
        where = f"{ra.path}:{ra.line}:{ra.column}" if ra else f"{rel.file}:{rel.line}:{rel.column}"
        lines.append(f"note: {where}: {text}")
    return command(COMMAND[f.level], props, "\n".join(lines))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 or word == "info" else "s")


def render(report: Report, objects: Iterable[K8sObject] = ()) -> str:
    index = ObjectIndex(objects)
    out: list[str] = []
    counts = {level: report.count(level) for level in COMMAND}
    if any(n > SHOWN_PER_LEVEL for n in counts.values()):
        out.append(
            command(
                "notice",
                [("title", "svclint")],
                f"{len(report.findings)} findings: GitHub shows at most {SHOWN_PER_LEVEL} "
                "annotations of each level per step; every finding is in this step's log.",
            )
        )
    out.extend(annotation(f, index) for f in report.findings)
    summary = (
        f"svclint: {_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')},"
        f" {_plural(counts['info'], 'info')} in {_plural(report.files, 'file')}"
        f" ({_plural(report.objects, 'object')}"
        + (f"; {len(report.suppressed)} suppressed" if report.suppressed else "")
        + (f"; {len(report.baselined)} baselined" if report.baselined else "")
        + ")"
    )
    out.append(summary)
    return "\n".join(out) + "\n"
