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
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from .kustomize import KUSTOMIZATION_FILES, Kustomization, kustomization_file, read_kustomization
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
            # A file named explicitly is linted whatever its extension.
            if path not in seen:
                seen.add(path)
                out.files.append(path)
        else:
            out.errors.append(f"{path}: no such file or directory")
            out.missing.append(path)
    return out


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
                out.charts.append(os.path.normpath(dirpath))
            else:
                out.notes.append(
                    f"{dirpath}: skipped a Helm chart (templates are not YAML); "
                    f"lint its output instead: helm template {dirpath} | svclint -"
                )
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
    if build:
        out.kustomizations.extend(kustomize_roots(found))
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
