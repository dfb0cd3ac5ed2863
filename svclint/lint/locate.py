"""Where to show a finding: the file a person edits, when svclint can tell.

Rendered input (Helm `# Source:`, kustomize `config.kubernetes.io/origin`) names the file an
object came from. When that file is readable, the finding moves there: to the line of the
offending key, found by its path of parent keys (a template's lines do not match the rendered
ones), or of its nearest parent key that can be told, else to line 1. The rendered position is
kept alongside. Output svclint built itself (a kustomization, a chart) that names no readable
file is shown at the root it built.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import NamedTuple

from .findings import Finding, Location

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


# (key, line, column of the key): one step of the path from a document's top to a line.
Step = tuple[str, int, int]


class _Keys(NamedTuple):
    """A YAML text's lines with, for every line, the key line it is under (by indentation: the
    nearest key above that starts further left; blank lines, comments and template actions
    such as `{{- include ... | nindent 8 }}` are no keys; `---` starts a new document)."""

    lines: tuple[str, ...]
    keys: dict[str, list[int]]  # key -> its 1-based lines
    key_at: dict[int, tuple[str, int]]  # key line -> (its key, the key's 0-based column)
    parents: dict[int, int]  # line -> the key line it is under (0: the document's top)
    ignores: bool  # whether a `svclint:` comment is anywhere in it

    def steps(self, n: int) -> list[Step]:
        """The keys from the document's top down to line `n` (its own key, if it has one)."""
        out = []
        if n not in self.key_at:
            n = self.parents.get(n, 0)
        while n:
            key, col = self.key_at[n]
            out.append((key, n, col))
            n = self.parents.get(n, 0)
        out.reverse()
        return out

    def text_from_key(self, n: int) -> str:
        """Key line `n` from its key on: `- name: web` -> `name: web`."""
        return self.lines[n - 1][self.key_at[n][1] :].strip()

    def path(self, n: int) -> list[str]:
        return [key for key, _, _ in self.steps(n)]


def _keys(lines: tuple[str, ...]) -> _Keys:
    keys: dict[str, list[int]] = {}
    key_at: dict[int, tuple[str, int]] = {}
    parents: dict[int, int] = {}
    open_keys: list[tuple[int, int]] = []  # (column, line) of the keys a new line may be under
    for i, text in enumerate(lines, 1):
        if text.startswith("---"):
            open_keys.clear()  # a new document
            continue
        found = _key_at(text)
        if found is None:
            # A scalar item, a flow or block scalar's line: under the nearest key further
            # left; it closes nothing (nor do comments and template actions, at any column).
            indent = len(text) - len(text.lstrip())
            if indent < len(text) and not text.lstrip().startswith(("#", "{{")):
                parents[i] = next((n for col, n in reversed(open_keys) if col < indent), 0)
            continue
        while open_keys and open_keys[-1][0] >= found[1]:
            open_keys.pop()  # a sibling or a shallower key closes it
        parents[i] = open_keys[-1][1] if open_keys else 0
        keys.setdefault(found[0], []).append(i)
        key_at[i] = found
        open_keys.append((found[1], i))
    return _Keys(lines, keys, key_at, parents, any("svclint:" in text for text in lines))


@lru_cache(maxsize=8)
def _rendered(text: str) -> _Keys:
    # Keyed by the text itself: a string caches its hash, so a hit costs an identity check.
    return _keys(tuple(text.split("\n")))


def _read(path: str) -> _Keys | None:
    # Cached by the file's identity and version, not its name: a relative name means another
    # file after a chdir, and the language server runs while files change.
    try:
        if not _inside_cwd(path) or not os.path.isfile(path):
            return None
        st = os.stat(path)
    except OSError:
        return None
    if st.st_size > 8 * 1024 * 1024:
        return None
    return _read_at(os.path.realpath(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=256)
def _read_at(real: str, mtime_ns: int, size: int) -> _Keys | None:
    try:
        with open(real, encoding="utf-8-sig", errors="replace") as fh:
            return _keys(tuple(fh.read().replace("\r\n", "\n").split("\n")))
    except OSError:
        return None


def place(f: Finding) -> Placed:
    line, col, end_line, end_col = f.pos
    rendered = Location(f.file.path, line, col, end_line, end_col)
    source = f.obj.source if f.obj is not None else None
    read = _read(source) if source is not None else None
    if read is None and f.file.built_from is not None:
        # Built output is no file anyone edits: the root that was built stands for it.
        return Placed(Location(f.file.built_from, 1, 1, 1, 1), rendered, source, None)
    if source is None:
        return Placed(rendered, None, None, None)
    if read is None:
        return Placed(rendered, None, source, None)
    found = _in_source(_rendered(f.file.text), line, read)
    target = found[0] if found is not None else (1, 1, 1, 1)
    text = read.lines[target[0] - 1] if read.lines else ""
    return Placed(Location(source, *target), rendered, source, text)


def _key_at(text: str) -> tuple[str, int] | None:
    """The mapping key a line starts (after any `- ` item marks), with its 0-based column."""
    m = _KEY.match(text)
    return (m.group(2).strip(), m.start(2)) if m else None


def _in_source(
    rendered: _Keys, line: int, source: _Keys
) -> tuple[tuple[int, int, int, int], bool] | None:
    """The span, in a template or kustomize base, of the key a rendered line holds: the one line
    whose key has the same path from the document's top; and whether it is that key itself.
    Templates move and repeat lines, so when the path is not there once (a key from a helper,
    two branches of an `if`), the nearest parent key that is, the way a reader would narrow it
    down; None when no parent is."""
    path = rendered.steps(line)
    full = len(path)
    while path:
        key, at, _ = path[-1]
        keys = [s[0] for s in path]
        same = [i for i in source.keys.get(key, ()) if source.path(i) == keys]
        if len(same) > 1:  # the same path written twice: the one with the same text, if one is
            text = rendered.text_from_key(at)
            same = [i for i in same if source.text_from_key(i) == text]
        if len(same) == 1:
            i = same[0]
            c = source.key_at[i][1]
            return (i, c + 1, i, c + 1 + len(key)), len(path) == full
        path = path[:-1]
    return None


def source_lines(f: Finding) -> tuple[str, str] | None:
    """For a finding on a rendered object: the source file's line holding the offending key,
    and the line above it (for `# svclint: ignore=` comments that kustomize drops from its
    output); None when the key's own line cannot be told."""
    source = f.obj.source if f.obj is not None else None
    read = _read(source) if source is not None else None
    if read is None or not read.ignores:
        return None
    found = _in_source(_rendered(f.file.text), f.pos[0], read)
    if found is None or not found[1]:
        return None
    n = found[0][0]
    return read.lines[n - 1], read.lines[n - 2] if n > 1 else ""
