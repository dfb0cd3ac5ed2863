"""Where a finding is shown in a repository: a relative path and a region. Shared by the SARIF
and GitHub annotation formats, which both need a file inside the repository (the current
directory): Helm and kustomize output is mapped to its source file (`locate.place`), standard
input to `--stdin-filename`; anything else is `Unmappable`.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from ..lint.findings import Finding, Location
from ..lint.locate import place
from ..model.objects import K8sObject

UNNAMED_STDIN = "<stdin>"  # how the engine names standard input without --stdin-filename


class Unmappable(Exception):
    """A finding SARIF cannot anchor to a repository file; the message says what to pass."""


def repo_path(path: str, root: str | None = None) -> str | None:
    """`path` relative to `root` (default: the current directory), POSIX; None when it lies
    outside it.

    Symlinks are resolved first (GitHub cannot show a result on a symlinked path) unless that
    leads out of the root while the link itself is inside it.
    """
    root = root or os.getcwd()
    for base, target in (
        (os.path.realpath(root), os.path.realpath(path)),
        (os.path.abspath(root), os.path.abspath(path)),
    ):
        try:
            rel = os.path.relpath(target, base)
        except ValueError:  # another drive (Windows)
            continue
        if rel != os.curdir and rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            return rel.replace(os.sep, "/")
    return None


def uri_of(rel: str) -> str:
    """A relative POSIX path as a URI reference: percent-encoded, `/` kept."""
    # A file name that is not UTF-8 arrives surrogate-escaped; percent-encode its raw bytes.
    return quote(rel.encode("utf-8", "surrogateescape"), safe="/")


@dataclass(slots=True)
class Anchor:
    """Where a finding is shown: a repository-relative path and a region."""

    path: str  # relative to the current directory, POSIX, not encoded
    line: int
    column: int
    end_line: int
    end_column: int
    rendered: Location | None  # the position in the rendered input, when the anchor moved


def anchor(f: Finding) -> Anchor:
    """The repository file and region a finding is shown at; raises Unmappable."""
    placed = place(f)
    loc = placed.primary
    if f.file.is_stdin and loc.file == UNNAMED_STDIN:
        what = f.obj.ref if f.obj is not None else "a document"
        if placed.source is not None:
            raise Unmappable(
                f"{what} on standard input was rendered from `{placed.source}`, which is not a "
                "file here: pass --chart-dir DIR (the chart's folder, for `helm template` "
                "output) or --kustomize-dir DIR (for kustomize output), or --stdin-filename PATH"
            )
        raise Unmappable(
            f"{what} on standard input has no file to point at: pass --stdin-filename PATH "
            "(the repository file the input comes from), or --chart-dir DIR for `helm template` "
            "output (its `# Source:` comments name the templates)"
        )
    rel = repo_path(loc.file)
    if rel is None:
        raise Unmappable(
            f"`{loc.file}` is outside the current directory: SARIF paths are relative to the "
            "repository root, so run svclint from there (with --chart-dir/--kustomize-dir "
            "inside it)"
        )
    start = (max(loc.line, 1), max(loc.column, 1))
    end = max((loc.end_line, loc.end_column), start)  # never before the start
    return Anchor(rel, *start, *end, placed.rendered)


class ObjectIndex:
    """Finds the object a related location lies in, to map it like a finding (Helm, kustomize)."""

    def __init__(self, objects: Iterable[K8sObject]) -> None:
        self._by_file: dict[str, list[K8sObject]] = {}
        for obj in objects:
            self._by_file.setdefault(obj.file.path, []).append(obj)
        self._starts: dict[str, list[int]] = {}
        for path, objs in self._by_file.items():
            objs.sort(key=lambda o: o.root.line)
            self._starts[path] = [o.root.line for o in objs]

    def at(self, path: str, line: int) -> K8sObject | None:
        objs = self._by_file.get(path)
        if not objs:
            return None
        for i in range(bisect.bisect_right(self._starts[path], line) - 1, -1, -1):
            obj = objs[i]  # the innermost (a List's item) starts last
            if obj.root.line <= line <= obj.root.end_line:
                return obj
        return None


def related_finding(
    f: Finding, message: str, loc: Location, objects: ObjectIndex
) -> Finding | None:
    """A related place that lies in an object of the run, as a finding on that object, to be
    placed like one (a build's output is mapped to the object's source file); None when no
    object holds it."""
    obj = objects.at(loc.file, loc.line)
    if obj is None:
        return None
    pos = (loc.line, loc.column, loc.end_line, loc.end_column)
    return Finding(f.rule, f.level, message, None, obj.file, pos, obj)


def related_anchor(f: Finding, message: str, loc: Location, objects: ObjectIndex) -> Anchor | None:
    inside = related_finding(f, message, loc, objects)
    if inside is not None:
        try:
            return anchor(inside)
        except Unmappable:
            return None
    if loc.file == UNNAMED_STDIN:
        return None
    rel = repo_path(loc.file)
    if rel is None:
        return None
    start = (max(loc.line, 1), max(loc.column, 1))
    end = max((loc.end_line, loc.end_column), start)
    return Anchor(rel, *start, *end, None)
