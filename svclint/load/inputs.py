"""Which files to read and how to read them: walking, skipping, decoding.

Directories are walked for `*.yaml`/`*.yml`, sorted. A Helm chart folder is skipped (its templates
are Go templates, not YAML) and so are the patch files a `kustomization.yaml` lists (partial
objects). A file that cannot be read costs only itself: it becomes a one-line error and the other
inputs are still linted.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..model.nodes import Map, Scalar
from .documents import load_documents

YAML_SUFFIXES = (".yaml", ".yml")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
STDIN = "-"


@dataclass(slots=True)
class Collected:
    """The files a run reads, and what was skipped or unusable."""

    files: list[str] = field(default_factory=list)  # paths to read, in order ("-" for stdin)
    notes: list[str] = field(default_factory=list)  # skipped folders, said once each
    errors: list[str] = field(default_factory=list)  # inputs that could not be used


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


def collect(paths: tuple[str, ...], exclude: tuple[str, ...] = ()) -> Collected:
    out = Collected()
    seen: set[str] = set()
    for path in paths:
        if path == STDIN:
            out.files.append(STDIN)
            continue
        if os.path.isdir(path):
            for f in _walk(path, exclude, out):
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
    return out


def _walk(top: str, exclude: tuple[str, ...], out: Collected) -> Iterator[str]:
    def unreadable(exc: OSError) -> None:  # os.walk would skip such a folder silently
        out.errors.append(f"{exc.filename}: cannot read folder: {exc.strerror or exc}")

    for dirpath, dirnames, filenames in os.walk(top, onerror=unreadable, followlinks=False):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and not _excluded(os.path.join(dirpath, d), exclude)
        )
        if "Chart.yaml" in filenames:
            out.notes.append(
                f"{dirpath}: skipped a Helm chart (templates are not YAML); "
                f"lint its output instead: helm template {dirpath} | svclint -"
            )
            dirnames[:] = []
            continue
        patches = _kustomize_patches(dirpath, filenames)
        for name in sorted(filenames):
            if not name.endswith(YAML_SUFFIXES) or name in KUSTOMIZATION_FILES:
                continue
            full = os.path.join(dirpath, name)
            if os.path.normpath(full) in patches or _excluded(full, exclude):
                continue
            if not _regular_or_dangling(full):
                # Opening a FIFO found in a folder blocks until someone writes to it: a hang.
                # (Named on the command line it is read: `svclint <(helm template .)` is a pipe.)
                out.errors.append(f"{full}: not a regular file, skipped")
                continue
            yield full


def _regular_or_dangling(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # a broken link or a link loop: read_text says which


def _kustomize_patches(dirpath: str, filenames: list[str]) -> set[str]:
    """Patch files listed by the folder's kustomization (normalised paths)."""
    kfile = next((f for f in KUSTOMIZATION_FILES if f in filenames), None)
    if kfile is None:
        return set()
    # Read with svclint's own bounded reader and loader: a kustomization is input like any other
    # (a 5,000-level one crashed libyaml's C composer, an alias bomb would expand).
    path = os.path.join(dirpath, kfile)
    try:
        docs = load_documents(read_text(path)) if _regular_or_dangling(path) else []
    except InputError:
        return set()  # an unreadable kustomization only means: no patches known
    data = docs[0].root if docs else None
    if not isinstance(data, Map):
        return set()
    found: set[str] = set()
    for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        entries = data.seq(key)
        if entries is None:
            continue
        for entry in entries:
            rel = entry.get_str("path") if isinstance(entry, Map) else None
            if isinstance(entry, Scalar) and isinstance(entry.value, str):
                rel = entry.value
            if rel and "\n" not in rel:
                found.add(os.path.normpath(os.path.join(dirpath, rel)))
    return found


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
    if "\x00" in text:
        raise InputError(f"{name}: not a text file (contains NUL characters)")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
