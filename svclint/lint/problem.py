"""What a rule reports (`Problem`, with `Related` places) and the levels findings carry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

from ..model.nodes import Node
from ..model.objects import K8sObject, SourceFile

if TYPE_CHECKING:
    from ..model.cluster import Graph

Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("info", "warning", "error")  # ascending severity
Target = Literal["services", "pod_sources", "objects", "graph"]


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


def document_problems(graph: Graph, rule_id: str) -> Iterator[Problem]:
    """The loader's findings for `rule_id` (syntax errors, duplicate keys, non-objects)."""
    for file, p in graph.doc_problems:
        if p.rule == rule_id:
            yield Problem(file, (p.line, p.col, p.end_line, p.end_col), p.message)
