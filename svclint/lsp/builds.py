"""The builds in the editor's folders: kustomizations and Helm charts, linted through kustomize
and Helm as `svclint DIR` lints them, each finding shown in the file it came from.

A kustomize base alone is unbuilt (its selectors and labels come from the overlays), and a chart
template is not YAML: linted raw, both give false findings. kustomize and Helm read the files on
disk, so a build runs again when a file it reads is saved or changes on disk, not on every
keystroke; until then the file keeps the last build's diagnostics. The server builds in a
worker thread, so the other files' diagnostics never wait for kustomize.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from ..config.settings import Settings
from ..lint.engine import buildable_kustomizations, lint_build, once, renderable_charts
from ..lint.findings import Finding, Location, Report
from ..lint.locate import place
from ..load.inputs import Collected
from ..load.kustomize import Reach, reach
from ..model.objects import K8sObject, SourceFile
from ..report.anchors import ObjectIndex, related_finding


@dataclass(slots=True)
class Root:
    """One folder to build: a kustomization root or a Helm chart."""

    kind: str  # "kustomize" or "helm"
    folder: str
    built_from: str  # its kustomization file or Chart.yaml
    reach: Reach | None = None  # what a kustomization's build reads

    def reads(self, path: str) -> bool:
        if self.reach is not None:
            return self.reach.reads(path)
        return path == self.folder or path.startswith(self.folder + os.sep)


@dataclass(slots=True)
class Built:
    """The last build of a root: its findings (positions in the build's output), its objects
    (to place related locations), and why it did not build."""

    findings: list[Finding] = field(default_factory=list)
    objects: list[K8sObject] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Builds:
    """Every root found in the folders, with its last build."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.notes: list[str] = []  # roots that cannot be built here, and why
        self._roots: dict[str, Root] = {}
        self._built: dict[str, Built] = {}
        self._stale: set[str] = set()
        self._placed: list[Finding] = []

    def load(self, collected: Collected) -> None:
        """The roots a walk found; new ones are built by the next `build`."""
        report = Report()
        reaches = {r.root.folder: r for r in reach(collected.found)}
        roots = {
            k.folder: Root("kustomize", k.folder, k.file, reaches.get(k.folder))
            for k in buildable_kustomizations(collected, self.settings, report)
        }
        for chart in renderable_charts(collected, report):
            roots[chart] = Root("helm", chart, os.path.join(chart, "Chart.yaml"))
        self.notes = report.notes
        self._roots = roots
        # New roots are built; gone ones are dropped by the next build.
        self._stale |= set(roots) ^ set(self._built)

    def touched(self, path: str) -> None:
        """A file changed on disk: the builds that read it run again."""
        norm = os.path.normpath(path)
        self._stale |= {folder for folder, root in self._roots.items() if root.reads(norm)}

    def reads(self, path: str) -> bool:
        """Whether a build reads `path` (its findings come from there, not from a raw lint)."""
        norm = os.path.normpath(path)
        return any(root.reads(norm) for root in self._roots.values())

    def stale(self) -> bool:
        return bool(self._stale)

    def take_stale(self) -> list[str]:
        """The roots to build now (no longer stale: a change from here on makes them so again).
        A root that went away counts too: its findings must be placed again, without it."""
        todo = sorted(self._stale)
        self._stale.clear()
        return todo

    def build(self, todo: list[str]) -> None:
        """Build and lint the roots `todo` names, then place every build's findings. Runs in a
        worker thread (a large repository's builds take seconds): it swaps in whole new values,
        which the server's thread reads between builds."""
        built = dict(self._built)
        for folder in todo:
            root = self._roots.get(folder)
            if root is None:
                built.pop(folder, None)
                continue
            report, unit = lint_build(root.kind, root.folder, root.built_from, self.settings)
            objects = list(unit.cluster.objects) if unit is not None else []
            built[folder] = Built(report.findings, objects, report.input_errors)
        index = ObjectIndex(o for b in built.values() for o in b.objects)
        # Copies: `once` adds related places to the finding it keeps, and builds are kept.
        every = sorted(
            (replace(f, related=list(f.related)) for b in built.values() for f in b.findings),
            key=lambda f: f.sort_key,
        )
        # One shared by several builds once, naming the others, as a CLI run shows it.
        placed = [_placed(f, index) for f in once(every)]
        self._built, self._placed = built, placed

    def findings(self) -> list[Finding]:
        """The last builds' findings, where the editor shows them."""
        return self._placed

    def errors(self) -> list[str]:
        return [e for b in self._built.values() for e in b.errors]


def _placed(f: Finding, index: ObjectIndex) -> Finding:
    """The finding where the editor shows it: in the file its object came from (a build's
    output is no file), its related places likewise; places in no file are left out."""
    related = []
    for note, loc in f.related:
        inside = related_finding(f, note, loc, index)
        if inside is not None:
            related.append((note, _absolute(place(inside).primary)))
        elif os.path.isfile(loc.file):
            related.append((note, _absolute(loc)))
    at = _absolute(place(f).primary)
    return Finding(
        f.rule, f.level, f.message, f.hint, SourceFile(at.file, ""),
        (at.line, at.column, at.end_line, at.end_column), f.obj, related, f.suppressed, f.about,
        f.key,
    )  # fmt: skip


def _absolute(loc: Location) -> Location:
    return loc._replace(file=os.path.abspath(loc.file))
