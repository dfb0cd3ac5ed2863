"""Suppression, applied after every rule ran: findings are kept, marked, and left out of the
main list, so reporters (SARIF) can still say what was silenced and how.

- Object annotation `svclint.io/ignore: "rule-a,rule-b"` or `"all"`; on a pod template it
  silences findings on that workload.
- Comment `# svclint: ignore=rule-a,rule-b` at the end of the offending line, or alone on the
  line above it; for an object rendered from a source file (kustomize drops comments, Helm keeps
  them), also there, at the line locate.py places the offending key on (never a parent's or
  line 1 standing for it).
"""

from __future__ import annotations

import re

from ..model.cluster import Cluster
from .findings import Finding
from .locate import source_lines

ANNOTATION = "svclint.io/ignore"
_COMMENT = re.compile(r"(?:^|\s)#\s*svclint:\s*ignore=([A-Za-z0-9_,/ -]+)")


def _ids(raw: str) -> set[str]:
    return {part.strip() for part in raw.split(",") if part.strip()}


def _comment_ids(line: str) -> set[str] | None:
    if "svclint:" not in line:
        return None
    m = _COMMENT.search(line)
    return _ids(m.group(1)) if m else None


def _silenced(ids: set[str] | None, rule: str) -> bool:
    return ids is not None and (rule in ids or "all" in ids)


def _commented(line: str, above: str, rule: str) -> bool:
    """A comment at the end of the line, or alone on the line above, silences `rule`."""
    if _silenced(_comment_ids(line), rule):
        return True
    return above.lstrip().startswith("#") and _silenced(_comment_ids(above), rule)


def apply(findings: list[Finding], cluster: Cluster) -> tuple[list[Finding], list[Finding]]:
    """(kept, suppressed)."""
    template_ignores: dict[int, set[str]] = {}
    for ps in cluster.pod_sources:
        raw = ps.annotations.get(ANNOTATION)
        if raw and ps.template is not ps.obj.root:
            template_ignores[id(ps.obj)] = _ids(raw)
    kept: list[Finding] = []
    dropped: list[Finding] = []
    for f in findings:
        how = None
        if f.obj is not None:
            raw = f.obj.annotations.get(ANNOTATION)
            if (raw and _silenced(_ids(raw), f.rule)) or _silenced(
                template_ignores.get(id(f.obj)), f.rule
            ):
                how = "annotation"
        if how is None:
            line = f.pos[0]
            if _commented(f.file.line(line), f.file.line(line - 1), f.rule):
                how = "comment"
            elif f.obj is not None and f.obj.source is not None:
                # kustomize drops comments from its output: read them where the key is written.
                lines = source_lines(f)
                if lines is not None and _commented(*lines, f.rule):
                    how = "comment"
        if how is None:
            kept.append(f)
        else:
            f.suppressed = how
            dropped.append(f)
    return kept, dropped
