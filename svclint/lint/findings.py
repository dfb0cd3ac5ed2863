"""Findings and the report reporters receive: plain values, sorted once, no output logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ..k8s.builtin import BUILTIN_FILE
from ..model.objects import K8sObject, Ref, SourceFile
from .fixes import Fix, Safety
from .problem import LEVELS, Level, Problem

_RANK: dict[str, int] = {name: i for i, name in enumerate(LEVELS)}


def severity(level: str) -> int:
    """0 for info, 1 warning, 2 error; `none` ranks above all (nothing fails)."""
    return _RANK.get(level, len(LEVELS))


class Location(NamedTuple):
    """A 1-based range in a file (end column exclusive)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(slots=True)
class Finding:
    """A rule's problem with its rule id, effective level and suppression state."""

    rule: str
    level: Level
    message: str
    hint: str | None
    file: SourceFile  # the input the position refers to (a rendered stream for Helm output)
    pos: tuple[int, int, int, int]
    obj: K8sObject | None
    related: list[tuple[str, Location]] = field(default_factory=list)  # (message, where)
    suppressed: str | None = None  # how it was suppressed ("annotation", "comment"), if it was
    about: tuple[K8sObject | Ref, ...] = ()  # the other end of the relation it breaks
    key: str | None = None  # the part of `obj` it is about (a port, a container)
    fix: Fix | None = None  # what --fix would do (only from rules that declare `FIX`)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file.path, self.pos[0], self.pos[1], self.rule, self.message)

    def fixable(self, unsafe: bool) -> bool:
        """Whether `--fix` (with `--unsafe-fixes`: `unsafe`) repairs it: it has a fix, and its
        text is a file a person edits (not standard input, a build, or rendered output)."""
        fix = self.fix
        if fix is None or (fix.safety == "unsafe" and not unsafe):
            return False
        if self.file.is_stdin or self.file.built_from is not None or self.file.context_only:
            return False
        obj = self.obj
        return obj is None or (obj.source is None and obj.doc.helm_source is None)

    @classmethod
    def from_problem(
        cls, rule: str, level: Level, p: Problem, fixes: Safety | None = None
    ) -> Finding:
        if p.level is not None and severity(p.level) < severity(level):
            level = p.level  # a rule may lower its level for one finding, never raise it
        # A built-in object (the `kubernetes` Service) is in no file the user has: no note there.
        related = [
            (r.message, Location(r.obj.file.path, *r.node.pos))
            for r in p.related
            if r.obj.file.path != BUILTIN_FILE
        ]
        fix = p.fix
        if fix is not None and fixes is None:
            fix = None  # a rule must declare that it fixes (`FIX`), and how safely
        elif fix is not None and fixes == "unsafe" and fix.safety == "safe":
            fix = fix._replace(safety="unsafe")
        return cls(
            rule, level, p.message, p.hint, p.file, p.pos, p.obj, related, None, p.about, p.key,
            fix,
        )  # fmt: skip


class RuleCrash(NamedTuple):
    """A rule that raised, and the object it raised on."""

    rule: str
    where: str  # the object (or file) it crashed on
    error: str


@dataclass(slots=True)
class Report:
    """The outcome of a run, which every output format renders."""

    findings: list[Finding] = field(default_factory=list)  # not suppressed, sorted
    suppressed: list[Finding] = field(default_factory=list)
    crashes: list[RuleCrash] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    objects: int = 0
    not_objects: int = 0
    builds: list[str] = field(default_factory=list)  # `kustomization overlays/prod`, ...
    baselined: list[Finding] = field(default_factory=list)  # accepted by --baseline
    baseline: str | None = None  # the --baseline file compared with, if any
    named_missing: list[str] = field(default_factory=list)  # paths named that could not be read

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)

    def fixable(self) -> tuple[int, int]:
        """(findings --fix repairs, more that --unsafe-fixes adds)."""
        safe = sum(1 for f in self.findings if f.fixable(False))
        return safe, sum(1 for f in self.findings if f.fixable(True)) - safe

    @property
    def duplicate_groups(self) -> int:
        """Objects defined more than once in one unit: `duplicate-object` reports each once."""
        return sum(1 for f in self.findings if f.rule == "duplicate-object")
