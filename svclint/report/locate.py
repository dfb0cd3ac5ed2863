"""Where to show a finding: the file a person edits, when svclint can tell.

Rendered input (Helm `# Source:`, kustomize `config.kubernetes.io/origin`) names the file an
object came from. When that file is readable, the finding moves there: to the line where the
offending key occurs, if it occurs exactly once in that file, else to line 1 (a template's lines
do not match the rendered ones). The rendered position is kept alongside. Output svclint built
itself (a kustomization, a chart) that names no readable file is shown at the root it built.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import NamedTuple

from ..lint.findings import Finding, Location

_KEY = re.compile(r"^\s*(?:-\s+)*([\"']?)([^\s\"'#:{}\[\],][^\"'#:{}\[\],]*?)\1\s*:(?:\s|$)")


class Placed(NamedTuple):
    """Where a finding is shown: its source file when known, and the rendered position."""

    primary: Location
    rendered: Location | None  # the position in the rendered input, when primary moved
    source: str | None  # the file the object came from, when known
    source_line_text: str | None  # the primary line's text, when primary is in a source file


def _inside_cwd(path: str) -> bool:
    """Rendered input names its source files; a hostile one could name /etc/shadow. Only files
    under the working directory (the repository being linted) are ever read for display."""
    root = os.path.realpath(os.getcwd())
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


@lru_cache(maxsize=256)
def _read_lines(path: str) -> tuple[str, ...] | None:
    try:
        if not _inside_cwd(path) or not os.path.isfile(path):
            return None
        if os.path.getsize(path) > 8 * 1024 * 1024:
            return None
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            return tuple(fh.read().replace("\r\n", "\n").split("\n"))
    except OSError:
        return None


def _key_of(line: str) -> str | None:
    m = _KEY.match(line)
    return m.group(2).strip() if m else None


def place(f: Finding) -> Placed:
    line, col, end_line, end_col = f.pos
    rendered = Location(f.file.path, line, col, end_line, end_col)
    source = f.obj.source if f.obj is not None else None
    lines = _read_lines(source) if source is not None else None
    if lines is None and f.file.built_from is not None:
        # Built output is no file anyone edits: the root that was built stands for it.
        return Placed(Location(f.file.built_from, 1, 1, 1, 1), rendered, source, None)
    if source is None:
        return Placed(rendered, None, None, None)
    if lines is None:
        return Placed(rendered, None, source, None)
    key = _key_of(f.file.line(line))
    target = (1, 1, 1, 1)
    if key:
        pattern = re.compile(r"(?:^|[\s{,\-])[\"']?" + re.escape(key) + r"[\"']?\s*:")
        hits = [(i, m) for i, text in enumerate(lines, 1) if (m := pattern.search(text))]
        if len(hits) == 1:
            i, m = hits[0]
            start = lines[i - 1].find(key, m.start())
            target = (i, start + 1, i, start + 1 + len(key))
    text = lines[target[0] - 1] if lines else ""
    return Placed(Location(source, *target), rendered, source, text)
