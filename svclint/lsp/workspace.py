"""The editor's view of a folder: its manifests parsed once, edits re-parsed one file at a time.

What is linted is what `svclint DIR` lints: the files the walk finds (`.svclint.yaml` and
`--exclude` honoured), plus any YAML file opened from outside the folders, and the builds of its
kustomizations and Helm charts (lsp/builds.py, run by the server in a worker thread), whose files
are judged only through them. With `build: false` (or `--no-build`), what `svclint --no-build
DIR` lints: chart folders and patch files left out, bases raw. The text of an open buffer wins
over the file on disk (builds read the disk: they run again on save). A lint re-runs the rules
over every object (a Service in one file is judged against the Deployment in another), from the
parsed files kept in memory: only the files that changed since the last lint are parsed again.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from functools import lru_cache

from ..config.settings import Settings
from ..lint import suppress
from ..lint.engine import Loaded, load_source, run_rules
from ..lint.findings import Finding, Report
from ..load.inputs import InputError, as_read, collect, read_text
from ..load.kustomize import KUSTOMIZATION_FILES
from ..model.cluster import Cluster
from ..model.objects import SourceFile
from .builds import Builds

YAML_SUFFIXES = (".yaml", ".yml")


@lru_cache(maxsize=256)
def _disk_text(path: str, mtime_ns: int, size: int, max_bytes: int) -> str | None:
    """A file a build read, as on disk (positions of its diagnostics are converted against it
    on every publish: read once per version)."""
    try:
        return read_text(path, max_bytes)
    except InputError:
        return None


@dataclass(slots=True)
class Parsed:
    """One file as the last parse left it."""

    file: SourceFile
    loaded: Loaded


@dataclass(slots=True)
class Lint:
    """The outcome of one lint of the whole workspace."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)  # by path, sorted
    crashes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files that could not be read


class Workspace:
    """The manifests under `roots`, parsed, with the open buffers laid over the files on disk."""

    def __init__(self, settings: Settings, roots: tuple[str, ...]) -> None:
        self.settings = settings
        self.roots = tuple(os.path.abspath(r) for r in roots)
        self.notes: list[str] = []  # what the walk skipped, and why
        self._walked: set[str] = set()  # files the walk found
        self._buffers: dict[str, str] = {}  # open documents' text, by path
        self._parsed: dict[str, Parsed] = {}
        self._dirty: set[str] = set()  # to parse again before the next lint
        self._errors: dict[str, str] = {}  # path -> why it could not be read
        self.builds = Builds(settings)

    # -- what is in the workspace ----------------------------------------------------------

    def load(self) -> None:
        """Walk the folders (again): every file found is parsed at the next lint."""
        walked: set[str] = set()
        notes: list[str] = []
        if self.roots:
            # Patterns are written relative to the folder, as `svclint .` run there reads them.
            exclude = self.settings.exclude + tuple(
                f"{r}/{p}" for r in self.roots for p in self.settings.exclude
            )
            collected = collect(self.roots, exclude, build=self.settings.build)
            walked = {os.path.abspath(p) for p in collected.files}
            if self.settings.build:
                self.builds.load(collected)
            notes = collected.notes + collected.errors + self.builds.notes
        gone = self._walked - walked
        self._walked, self.notes = walked, notes
        for path in gone:
            if path not in self._buffers or not self.lintable(path):
                self._forget(path)
        self._dirty |= walked - set(self._parsed)

    def lintable(self, path: str) -> bool:
        """Whether `path` is linted: found by the walk, or a YAML file outside every folder
        (a file inside one that the walk left out is excluded, a chart template or a patch)."""
        if path in self._walked:
            return True
        return not self._inside(path) and path.endswith(YAML_SUFFIXES)

    def saved(self, path: str) -> None:
        """A file was written: the builds that read it run again at the next lint; a
        kustomization or Chart.yaml may add or drop roots and files: the folders are walked
        again."""
        if os.path.basename(path) in (*KUSTOMIZATION_FILES, "Chart.yaml"):
            self.load()
        self.builds.touched(path)

    def _inside(self, path: str) -> bool:
        return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)

    def change(self, path: str, text: str) -> None:
        """A buffer opened or edited: its text is what is linted from now on."""
        new = path not in self._buffers and path not in self._walked
        if new and self._inside(path) and not self.builds.reads(path):
            self.load()  # opened, and made since the walk: is it one the walk takes?
        self._buffers[path] = text
        if self.lintable(path):
            self._dirty.add(path)

    def close(self, path: str) -> None:
        """A buffer closed: the file on disk is linted again (or dropped, if it is not there)."""
        self._buffers.pop(path, None)
        self.disk_changed(path)

    def disk_changed(self, path: str) -> None:
        """A file changed, appeared or went away on disk (an open buffer still wins)."""
        self.builds.touched(path)
        if path in self._buffers:
            return
        if not os.path.exists(path):
            self._walked.discard(path)
            self._forget(path)
            return
        if path not in self._walked:
            self.load()
        if self.lintable(path):
            self._dirty.add(path)
        else:
            self._forget(path)

    def _forget(self, path: str) -> None:
        self._parsed.pop(path, None)
        self._errors.pop(path, None)
        self._dirty.discard(path)

    # -- parsing and linting -----------------------------------------------------------------

    def _parse(self, path: str) -> None:
        buffer = self._buffers.get(path)
        self._errors.pop(path, None)
        try:
            if buffer is None:
                text = read_text(path, self.settings.max_bytes)
            else:
                text = as_read(buffer, path)
        except InputError as exc:
            self._parsed.pop(path, None)
            self._errors[path] = str(exc)
            return
        loaded = Loaded()
        file = SourceFile(path, text)
        load_source(file, self.settings, loaded)
        loaded.files = 1
        self._parsed[path] = Parsed(file, loaded)

    def lint(self) -> Lint:
        """Parse what changed, then run every rule over every object."""
        # As in a CLI run (engine.run_units): the cyclic collector would rescan every node held
        # on each pass, and the lint makes almost no cycles; it runs again between edits.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._lint()
        finally:
            if enabled:
                gc.enable()

    def _lint(self) -> Lint:
        for path in sorted(self._dirty):
            if self.lintable(path):
                self._parse(path)
        self._dirty.clear()
        objects = [o for p in self._parsed.values() for o in p.loaded.objects]
        problems = [x for p in self._parsed.values() for x in p.loaded.problems]
        not_objects = sum(p.loaded.not_objects for p in self._parsed.values())
        cluster = Cluster.build(objects, self.settings.options, problems, not_objects)
        report = Report()
        kept, _ = suppress.apply(run_rules(cluster, self.settings, report), cluster)
        out = Lint(errors=sorted([*self._errors.values(), *self.builds.errors()]))
        out.crashes = [f"rule `{c.rule}` crashed on {c.where}: {c.error}" for c in report.crashes]
        for f in sorted([*kept, *self.builds.findings()], key=lambda f: f.sort_key):
            out.findings.setdefault(f.file.path, []).append(f)
        return out

    def text(self, path: str) -> str | None:
        """The text the last lint's positions in `path` refer to (None: not known): the parsed
        file; for a file a build read, its buffer or the file on disk."""
        parsed = self._parsed.get(path)
        if parsed is not None:
            return parsed.file.text
        try:
            if path in self._buffers:
                return as_read(self._buffers[path], path)
            st = os.stat(path)
        except (InputError, OSError):
            return None
        return _disk_text(path, st.st_mtime_ns, st.st_size, self.settings.max_bytes)

    @property
    def files(self) -> int:
        return len(self._parsed)
