"""What a rule module imports: the rule contract, `Problem`, and shared helpers.

A rule module (in `rules/`, imported as `svclint.rules.<module>`) holds, top to bottom:

- a docstring in Markdown: the one-line summary, then `## What it checks`, `## Why it matters`,
  `## Example` (a YAML block that must fire) and `## Fix` (one that must not);
- `ID` (the public rule id), `LEVEL` ("error" | "warning" | "info"), `ENABLED` (on by default?),
  `TARGET` (what `check` is called with: "services", "pod_sources", "objects" or "graph");
- optionally `KINDS`, a tuple of the object kinds the rule needs: it runs only when the input
  holds one of them, and an "objects" rule is called with those objects only; and `TAGS`
  (`("security",)` marks a security rule in SARIF);
- `check(item, graph)`, a generator of `Problem`s.

Rules never format output, read config, decide suppression or pick the final level: the engine
does. A problem may carry a lower level than the rule's own (a partial match is a warning in an
error rule, a reference outside the linted scope is info); the engine never raises it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal, NamedTuple

from .graph import SERVICE_NAME_LABEL, Graph, Options
from .labelselector import OPERATORS, LabelSelector, Requirement, parse_selector
from .model import Map, Node, Scalar, Seq
from .objects import K8sObject, SourceFile
from .services import Service, ServicePort
from .workloads import BATCH_KINDS, PROBES, Container, ContainerPort, PodSource

Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("info", "warning", "error")  # ascending severity
Target = Literal["services", "pod_sources", "objects", "graph"]

__all__ = [
    "BATCH_KINDS",
    "LEVELS",
    "OPERATORS",
    "PROBES",
    "SERVICE_NAME_LABEL",
    "Container",
    "ContainerPort",
    "Graph",
    "K8sObject",
    "LabelSelector",
    "Level",
    "Map",
    "Node",
    "Options",
    "PodSource",
    "Problem",
    "Related",
    "Requirement",
    "Scalar",
    "Seq",
    "Service",
    "ServicePort",
    "SourceFile",
    "Target",
    "closest",
    "did_you_mean",
    "document_problems",
    "edit_distance",
    "parse_selector",
    "pod_source_labels",
    "problem",
    "quote_list",
    "walk_maps",
]


class Related(NamedTuple):
    """Another place a finding involves (the Deployment's `ports:` for a dangling targetPort)."""

    obj: K8sObject
    node: Node
    message: str


class Problem(NamedTuple):
    """What a rule reports: a position, a message and optional hint, related places and level cap."""

    file: SourceFile
    pos: tuple[int, int, int, int]  # line, column, end line, end column (1-based, end exclusive)
    message: str
    obj: K8sObject | None = None
    hint: str | None = None
    related: tuple[Related, ...] = ()
    level: Level | None = None  # None: the rule's configured level; else at most this


def problem(
    obj: K8sObject,
    node: Node | None,
    message: str,
    hint: str | None = None,
    related: Iterable[Related] = (),
    level: Level | None = None,
) -> Problem:
    """A problem on `obj`, pointing at `node` (the object's name when None)."""
    at = node if node is not None else obj.name_node()
    return Problem(obj.file, at.pos, message, obj, hint, tuple(related), level)


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                d = min(d, prev2[j - 2] + 1)  # a transposition is one typo, not two
            cur.append(d)
        prev2, prev = prev, cur
    return prev[-1]


def closest(word: str, candidates: Iterable[str], max_ratio: float = 0.5) -> str | None:
    """The candidate nearest to `word` by edit distance, if near enough to be a likely typo."""
    best: tuple[int, str] | None = None
    for cand in sorted(set(candidates)):
        d = edit_distance(word, cand)
        if best is None or d < best[0]:
            best = (d, cand)
    if best is None:
        return None
    limit = max(1, int(max(len(word), len(best[1])) * max_ratio))
    return best[1] if best[0] <= limit else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """`did you mean `x`?` for the closest candidate, or the only one when there is one."""
    cands = sorted(set(candidates))
    near = closest(word, cands)
    if near is None and len(cands) == 1:
        near = cands[0]
    return f"did you mean `{near}`?" if near is not None else None


def quote_list(values: Iterable[object], limit: int = 6) -> str:
    items = [f"`{v}`" for v in values]
    if len(items) > limit:
        items = [*items[:limit], f"and {len(items) - limit} more"]
    return ", ".join(items) if items else "none"


def walk_maps(node: Node) -> Iterator[Map]:
    """Every mapping under `node`, each once (aliases shared by a document are not re-walked)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, Map):
            yield cur
            stack.extend(cur.values.values())
        elif isinstance(cur, Seq):
            stack.extend(cur.items)


def pod_source_labels(pods: list[PodSource]) -> dict[int, str]:
    """How messages name each pod source (by `id`): `Kind name`, plus where it is when names
    collide (several bundles linted together, each with its own `Deployment web`)."""
    base = {id(ps): f"{ps.kind} {ps.obj.name}" for ps in pods}
    out: dict[int, str] = {}
    for ps in pods:
        twins = [q for q in pods if q is not ps and base[id(q)] == base[id(ps)]]
        label = base[id(ps)]
        if any(q.obj.file.path == ps.obj.file.path for q in twins):
            label += f" ({ps.obj.file.path}:{ps.obj.root.line})"
        elif twins:
            label += f" ({ps.obj.file.path})"
        out[id(ps)] = label
    return out


def document_problems(graph: Graph, rule_id: str) -> Iterator[Problem]:
    """The loader's findings for `rule_id` (syntax errors, duplicate keys, non-objects)."""
    for file, p in graph.doc_problems:
        if p.rule == rule_id:
            yield Problem(file, (p.line, p.col, p.end_line, p.end_col), p.message)
