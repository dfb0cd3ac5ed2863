"""Which files to read and how to read them: walking, skipping, decoding.

Directories are walked for `*.yaml`/`*.yml`, sorted. When building (the default), a folder with a
`Chart.yaml` is a Helm chart to render and the kustomizations no other one builds on are roots
to build (load/build.py); the files a kustomization consumes (resources, patches, generator
inputs) are then linted through its build, not raw. With `--no-build`, a chart folder is skipped
(its templates are Go templates, not YAML) and so are the patch files a kustomization lists
(partial objects). A file that cannot be read costs only itself: it becomes a one-line error and
the other inputs are still linted.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from .kustomize import (
    KUSTOMIZATION_FILES,
    Kustomization,
    kustomization_file,
    reach,
    read_kustomization,
)
from .kustomize import roots as kustomize_roots

YAML_SUFFIXES = (".yaml", ".yml")
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
STDIN = "-"


@dataclass(slots=True)
class Collected:
    """The files a run reads, and what was skipped or unusable."""

    files: list[str] = field(default_factory=list)  # paths to read, in order ("-" for stdin)
    kustomizations: list[Kustomization] = field(default_factory=list)  # roots to build
    charts: list[str] = field(default_factory=list)  # Helm chart folders to render
    notes: list[str] = field(default_factory=list)  # skipped folders, said once each
    errors: list[str] = field(default_factory=list)  # inputs that could not be used
    missing: list[str] = field(default_factory=list)  # of those, paths named that do not exist
    found: list[Kustomization] = field(default_factory=list)  # every kustomization walked
    # A root built because files it reads were named (not walked): the real paths of those
    # files, the only ones whose findings are shown. Roots in `whole` show all of theirs.
    shown: dict[str, set[str]] = field(default_factory=dict)
    whole: set[str] = field(default_factory=set)
    # Of the shown files, those that stand for the whole build when no built object comes from
    # them (a patch, a generator's input: they change objects written elsewhere).
    unless_source: dict[str, set[str]] = field(default_factory=dict)
    through: set[str] = field(default_factory=set)  # real paths of the named files built

    def add_chart(self, chart: str) -> None:
        if chart not in self.charts:
            self.charts.append(chart)

    def add_kustomization(self, root: Kustomization) -> None:
        if all(k.folder != root.folder for k in self.kustomizations):
            self.kustomizations.append(root)

    def show(self, root: str, path: str, whole: bool, unless_source: bool = False) -> None:
        """`root` is built for the named `path`: for its findings, or for all (`whole`)."""
        real = os.path.realpath(path)
        self.through.add(real)
        if whole:
            self.whole.add(root)
            return
        self.shown.setdefault(root, set()).add(real)
        if unless_source:
            self.unless_source.setdefault(root, set()).add(real)

    def shown_only(self, root: str) -> set[str] | None:
        """The files whose findings `root`'s build shows; None: all of them."""
        return None if root in self.whole else self.shown.get(root)


class InputError(Exception):
    """A file that cannot be linted; the message names it."""


def _excluded(path: str, patterns: tuple[str, ...]) -> bool:
    norm = path.replace(os.sep, "/")
    norm = norm.removeprefix("./")
    base = os.path.basename(norm)
    return any(
        fnmatch.fnmatch(norm, p)
        or fnmatch.fnmatch(base, p)
        or fnmatch.fnmatch(norm, p.rstrip("/") + "/*")
        for p in patterns
    )


def collect(
    paths: tuple[str, ...], exclude: tuple[str, ...] = (), build: bool = False
) -> Collected:
    out = Collected()
    seen: set[str] = set()
    for path in paths:
        if path == STDIN:
            out.files.append(STDIN)
            continue
        if os.path.isdir(path):
            for f in _walk(path, exclude, out, build):
                if f not in seen:
                    seen.add(f)
                    out.files.append(f)
        elif os.path.lexists(path):
            chart = chart_of(path)
            if chart is not None:
                _through_chart(out, chart, path, build)
            elif path not in seen:
                # A file named explicitly is linted whatever its extension.
                seen.add(path)
                out.files.append(path)
        else:
            out.errors.append(f"{path}: no such file or directory")
            out.missing.append(path)
    return out


def chart_of(path: str) -> str | None:
    """The Helm chart a file belongs to: the nearest folder above it with a `Chart.yaml`, or the
    chart whose `charts/` holds that one (a subchart renders only with its parent)."""
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.isfile(os.path.join(folder, "Chart.yaml")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    while os.path.basename(os.path.dirname(folder)) == "charts":
        above = os.path.dirname(os.path.dirname(folder))
        if not os.path.isfile(os.path.join(above, "Chart.yaml")):
            break
        folder = above
    return shown_path(folder)


def shown_path(path: str) -> str:
    """A path as the walk would name it: relative when under the working directory."""
    rel = os.path.relpath(path)
    return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


_VALUES = re.compile(r"values.*\.ya?ml|Chart\.yaml")


def _through_chart(out: Collected, chart: str, path: str, build: bool) -> None:
    """A named file of a Helm chart: its templates are not YAML, and Chart.yaml and values files
    are not objects, so the chart is rendered instead. A template shows its own findings; a
    chart's (or subchart's) Chart.yaml or values file changes the render: all of them. Other
    files of the chart folder (`ci/` values, `crds/`, docs) are not rendered: a note says so."""
    if not build:
        note = _chart_note(chart)
        if note not in out.notes:
            out.notes.append(note)
        return
    inside = os.path.relpath(os.path.abspath(path), os.path.abspath(chart)).split(os.sep)
    template = "templates" in inside[:-1]
    # The chart's own, or a subchart's (`charts/NAME/values.yaml`).
    settings = _VALUES.fullmatch(inside[-1]) is not None and (
        len(inside) == 1 or (len(inside) == 3 and inside[0] == "charts")
    )
    if not template and not settings:
        out.notes.append(
            f"{path}: in Helm chart {chart}, neither a template nor its values: not linted"
        )
        return
    out.add_chart(chart)
    out.show(chart, path, whole=settings)


def _chart_note(folder: str) -> str:
    return (
        f"{folder}: skipped a Helm chart (templates are not YAML); "
        f"lint its output instead: helm template {folder} | svclint -"
    )


def through_kustomizations(out: Collected, top: str, exclude: tuple[str, ...] = ()) -> None:
    """Named files that a kustomization under `top` builds are linted through the builds of the
    roots that read them (the pre-commit hook names a base's files, which are unbuilt: no
    selector labels until an overlay adds them). A named kustomization file changes everything
    its roots build: all their findings are shown; so does a file it consumes that no built
    object comes from (a patch); for the other files, only their own."""
    if all(f == STDIN for f in out.files):
        return
    reaches = reach(collect((top,), exclude, build=True).found)
    if not reaches:
        return
    kept = []
    for f in out.files:
        rel = os.path.normpath(shown_path(os.path.abspath(f))) if f != STDIN else ""
        readers = [r for r in reaches if r.reads(rel)] if rel else []
        if not readers:
            kept.append(f)
            continue
        for r in readers:
            out.add_kustomization(r.root)
            kustomization = os.path.basename(f) in KUSTOMIZATION_FILES
            out.show(r.root.folder, f, whole=kustomization, unless_source=rel in r.files)
    out.files = kept


def _walk(top: str, exclude: tuple[str, ...], out: Collected, build: bool) -> Iterator[str]:
    def unreadable(exc: OSError) -> None:  # os.walk would skip such a folder silently
        out.errors.append(f"{exc.filename}: cannot read folder: {exc.strerror or exc}")

    candidates: list[str] = []
    found: list[Kustomization] = []
    for dirpath, dirnames, filenames in os.walk(top, onerror=unreadable, followlinks=False):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and not _excluded(os.path.join(dirpath, d), exclude)
        )
        if "Chart.yaml" in filenames:
            if build:
                chart = os.path.normpath(dirpath)
                out.add_chart(chart)
                out.whole.add(chart)
            elif (note := _chart_note(dirpath)) not in out.notes:
                out.notes.append(note)
            dirnames[:] = []
            continue
        kfile = kustomization_file(dirpath, filenames)
        if kfile is not None:
            found.append(_read_kustomization(os.path.normpath(dirpath), kfile))
        for name in sorted(filenames):
            if not name.endswith(YAML_SUFFIXES) or name in KUSTOMIZATION_FILES:
                continue
            full = os.path.join(dirpath, name)
            if _excluded(full, exclude):
                continue
            if not _regular_or_dangling(full):
                # Opening a FIFO found in a folder blocks until someone writes to it: a hang.
                # (Named on the command line it is read: `svclint <(helm template .)` is a pipe.)
                out.errors.append(f"{full}: not a regular file, skipped")
                continue
            candidates.append(full)
    out.found += found
    if build:
        for root in kustomize_roots(found):
            out.add_kustomization(root)
            out.whole.add(root.folder)
        consumed = {f for k in found for f in k.files}
        owned = {k.folder for k in found}
    else:
        # Unbuilt, a kustomization's patches are partial objects: not linted.
        consumed = {f for k in found for f in k.patches}
        owned = set()
    for f in candidates:
        norm = os.path.normpath(f)
        if norm not in consumed and (os.path.dirname(norm) or ".") not in owned:
            yield f


def _read_kustomization(dirpath: str, kfile: str) -> Kustomization:
    # Read with svclint's own bounded reader and loader: a kustomization is input like any other
    # (a 5,000-level one crashed libyaml's C composer, an alias bomb would expand).
    path = os.path.join(dirpath, kfile)
    try:
        text = read_text(path) if _regular_or_dangling(path) else None
    except InputError:
        text = None  # an unreadable kustomization only means: no references known
    return read_kustomization(dirpath, kfile, text)


def _regular_or_dangling(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # a broken link or a link loop: read_text says which


def read_text(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The file's text: UTF-8 (BOM or not) or UTF-16/32 with a BOM; CRLF folded to LF."""
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            try:
                is_dir = stat.S_ISDIR(os.stat(path).st_mode)
            except OSError as exc:
                if os.path.islink(path):  # dangling, or a loop ("too many levels of ...")
                    raise InputError(f"{path}: broken symbolic link ({exc.strerror})") from exc
                raise
            if is_dir:
                raise InputError(f"{path}: is a directory")
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    name = "<stdin>" if path == STDIN else path
    if len(data) > max_bytes:
        raise InputError(
            f"{name}: larger than {max_bytes // (1024 * 1024)} MiB, skipped (raise --max-file-size)"
        )
    return decode(data, name)


def decode(data: bytes, name: str) -> str:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: not valid {codec} text (byte {exc.start})") from exc
            break
    else:
        if b"\x00" in data:
            raise InputError(f"{name}: not a text file (contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: not UTF-8 text (invalid byte at offset {exc.start})"
            ) from exc
    return as_read(text, name)


def as_read(text: str, name: str) -> str:
    """Text from elsewhere (an editor's buffer) as svclint reads a file: no BOM, CRLF folded."""
    if "\x00" in text:
        raise InputError(f"{name}: not a text file (contains NUL characters)")
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
