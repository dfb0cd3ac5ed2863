"""What a rule reports (`Problem`, with `Related` places) and the levels findings carry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

from ..model.nodes import Node
from ..model.objects import K8sObject, Ref, SourceFile
from .fixes import Fix

if TYPE_CHECKING:
    from ..model.cluster import Cluster

Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("info", "warning", "error")  # ascending severity
Target = Literal["services", "pod_sources", "objects", "cluster"]


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
    about: tuple[K8sObject | Ref, ...] = ()  # the other end: objects, or Refs to missing ones
    key: str | None = None  # what in `obj` it is about (a port, a container, a selector key)
    fix: Fix | None = None  # the edits that repair it, when the rule declares `FIX`


def problem(
    obj: K8sObject,
    node: Node | None,
    message: str,
    hint: str | None = None,
    related: Iterable[Related] = (),
    level: Level | None = None,
    about: Iterable[K8sObject | Ref] = (),
    key: str | None = None,
    fix: Fix | None = None,
) -> Problem:
    """A problem on `obj`, pointing at `node` (the object's name when None).

    `about` names the objects at the other end of the relation the problem breaks: the pod
    sources a Service port cannot reach, the Service an Ingress backend names (a `Ref` when it
    is missing). `trace` and `graph` draw a relation as broken exactly when a finding says so
    this way. `key` names the part of `obj` the problem is about (a Service port's name or
    number, a container's name), so that explanations can attach it to that part. `fix` repairs
    it (lint/fixes.py: `fix_quote`, `fix_replace`), for rules that declare `FIX`.
    """
    at = node if node is not None else obj.name_node()
    return Problem(
        obj.file, at.pos, message, obj, hint, tuple(related), level, tuple(about), key, fix
    )


def document_problems(cluster: Cluster, rule_id: str) -> Iterator[Problem]:
    """The loader's findings for `rule_id` (syntax errors, duplicate keys, non-objects)."""
    for file, p in cluster.doc_problems:
        if p.rule == rule_id:
            yield Problem(file, (p.line, p.col, p.end_line, p.end_col), p.message)
