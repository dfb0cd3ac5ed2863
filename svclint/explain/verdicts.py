"""The findings of a run, looked up by what they are about: the only source of `trace`'s and
`graph`'s verdicts. Nothing in `explain` decides that something is broken; it asks here whether
a rule said so (`lint.problem.problem`'s `about` and `key`).

Suppressed findings are not verdicts: the user accepted them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..lint.findings import Finding, Report, severity
from ..model.objects import K8sObject, Ref


class Verdicts:
    """The unsuppressed findings of a run, by rule and object."""

    def __init__(self, report: Report) -> None:
        self._by: dict[tuple[str, int], list[Finding]] = {}
        for f in report.findings:
            if f.obj is not None:
                self._by.setdefault((f.rule, id(f.obj)), []).append(f)

    def on(
        self,
        obj: K8sObject,
        rules: Iterable[str],
        about: K8sObject | Ref | None = None,
        key: str | None = None,
    ) -> list[Finding]:
        """The findings of `rules` on `obj`; with `about`, only those about that object (by
        identity: variants of one bundle linted together share names), and with `key`, only
        those about that part of `obj`."""
        out: list[Finding] = []
        for rule in rules:
            for f in self._by.get((rule, id(obj)), ()):
                if (about is None or any(_same(a, about) for a in f.about)) and (
                    key is None or f.key == key
                ):
                    out.append(f)
        return out

    def rules(
        self,
        obj: K8sObject,
        rules: Iterable[str],
        about: K8sObject | Ref | None = None,
        key: str | None = None,
    ) -> list[str]:
        """The ids of the rules with such findings, each once, in the order asked."""
        found = self.on(obj, rules, about, key)
        return list(dict.fromkeys(f.rule for f in found))


def _same(have: K8sObject | Ref, wanted: K8sObject | Ref) -> bool:
    if isinstance(have, K8sObject) and isinstance(wanted, K8sObject):
        return have is wanted
    key = have.key if isinstance(have, K8sObject) else have
    return key == (wanted.key if isinstance(wanted, K8sObject) else wanted)


def worst(findings: Iterable[Finding]) -> str | None:
    """The highest level among findings (None when there are none)."""
    levels = [f.level for f in findings]
    return max(levels, key=severity) if levels else None
