"""`--fix`, `--unsafe-fixes` and `--diff`: apply the rules' fixes (lint/fixes.py), checked.

Only where the finding's text is a file on disk that a person edits: not standard input, not a
build's output, not an object rendered from a Helm `# Source:` or a kustomize origin (the rendered
text is not the source). Edits go into the file's own bytes at the finding's span: a UTF-8 BOM,
CRLF line ends and everything outside the span stay as they were. Files in other encodings are
not edited.

Every file's edits are linted before anything is written (the run reads the edited text in place
of the file): each fix must remove its finding (no finding of that rule is left at that field of
that object) and add none, in any file of the run (a fixed selector can make a Deployment in
another file serve without a readinessProbe). When the edits together fail that, each is tried
with the ones kept so far, and the ones that fail are left out and reported. Applying the fixes
again changes nothing: their findings are gone.
"""

from __future__ import annotations

import codecs
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..load.inputs import decode
from .findings import Finding, Report
from .fingerprint import field_path, fingerprint
from .fixes import Edit

Relint = Callable[[dict[str, str]], Report]  # edited texts (real path -> text) -> a new run
_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True)
class FileEdit:
    """One file's fixes: its bytes as read, and as the kept fixes leave them."""

    path: str  # as the report names it
    real: str
    raw: bytes
    bom: bytes
    fixes: list[Finding] = field(default_factory=list)  # kept, over every round
    after: bytes = b""  # the bytes with the kept fixes made

    @property
    def text(self) -> str:
        """The edited file as svclint reads it (CRLF folded), for the checking run."""
        return decode(self.after, self.path)


@dataclass(slots=True)
class Outcome:
    """What applying the fixes did."""

    files: list[FileEdit] = field(default_factory=list)  # files with at least one kept fix
    refused: list[tuple[Finding, str]] = field(default_factory=list)  # (finding, why)
    report: Report | None = None  # the run over the edited files
    tried: set[str] = field(default_factory=set)  # fingerprints of refused fixes: not retried

    @property
    def fixed(self) -> int:
        return sum(len(f.fixes) for f in self.files)


def fix_all(report: Report, unsafe: bool, relint: Relint, rounds: int = 10) -> Outcome:
    """Apply the fixes round after round (a fixed selector lets the targetPort be judged), each
    round checked, until a round fixes nothing: applying them again then changes nothing."""
    out = Outcome(report=report)
    files: dict[str, FileEdit] = {}  # by path: the bytes read, and as the kept fixes leave them
    for _ in range(rounds):
        if not _round(out.report or report, unsafe, relint, files, out):
            break
    out.files = [fe for fe in files.values() if fe.fixes]
    return out


def _round(
    report: Report, unsafe: bool, relint: Relint, files: dict[str, FileEdit], out: Outcome
) -> bool:
    """One round: choose, apply in memory, check; whether it kept any fix."""
    chosen: dict[str, list[Finding]] = {}
    for f in report.findings:
        if not f.fixable(unsafe) or fingerprint(f) in out.tried:
            continue
        fe = files.get(f.file.path)
        if fe is None:
            fe = _read(f.file.path, out, f)
            if fe is None:
                continue
            files[f.file.path] = fe
        if decode(fe.after, fe.path) != f.file.text:
            out.refused.append((f, "the file changed on disk since it was read"))
            out.tried.add(fingerprint(f))
            continue
        chosen.setdefault(f.file.path, []).append(f)
    if not chosen:
        return False
    trial = {path: _without_conflicts(fixes) for path, fixes in chosen.items()}
    edited = {fe.real: fe.text for fe in files.values() if fe.fixes}

    def texts(changes: dict[str, list[Finding]]) -> dict[str, str]:
        return {
            **edited,
            **{files[p].real: decode(_apply(files[p].after, fx), p) for p, fx in changes.items()},
        }

    after = relint(texts(trial))
    if _problem(_all(trial), report, after) is not None:
        # Together they fail: keep, one by one, those that pass with the ones kept so far.
        # A fix is judged by the whole run: it may add a finding in another file.
        kept: dict[str, list[Finding]] = {}
        for path, fixes in trial.items():
            for f in fixes:
                attempt = {**kept, path: [*kept.get(path, []), f]}
                why = _problem(_all(attempt), report, relint(texts(attempt)))
                if why is None:
                    kept = attempt
                else:
                    out.refused.append((f, why))
                    out.tried.add(fingerprint(f))
        trial = kept
        after = relint(texts(trial)) if trial else report
    for path, fixes in trial.items():
        fe = files[path]
        fe.after = _apply(fe.after, fixes)
        fe.fixes += fixes
    out.report = after
    return bool(trial)


def _read(path: str, out: Outcome, f: Finding) -> FileEdit | None:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        out.refused.append((f, f"cannot read it again: {exc.strerror or exc}"))
        return None
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    try:
        raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        out.refused.append((f, "the file is not UTF-8: svclint edits UTF-8 files only"))
        return None
    return FileEdit(path, os.path.realpath(path), raw, bom, after=raw)


def _offsets(body: str) -> list[int]:
    """Where each line starts in the text as written (line ends as svclint reads them)."""
    return [0, *(m.end() for m in _BREAK.finditer(body))]


def _without_conflicts(fixes: list[Finding]) -> list[Finding]:
    """The fixes whose edits overlap no earlier one's (the same span fixed twice: once)."""
    taken: list[tuple[tuple[int, int], tuple[int, int]]] = []
    kept = []
    for f in sorted(fixes, key=lambda f: f.pos):
        assert f.fix is not None
        spans = [(e.start, e.end) for e in f.fix.edits]
        if any(a < d and c < b for a, b in spans for c, d in taken):
            continue  # another fix edits the same place: the next round judges it again
        taken += spans
        kept.append(f)
    return kept


def _apply(raw: bytes, fixes: list[Finding]) -> bytes:
    """The fixes' edits made in the file's bytes (a UTF-8 BOM and line ends kept)."""
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    body = raw[len(bom) :].decode("utf-8")
    starts = _offsets(body)
    edits: list[Edit] = [e for f in fixes if f.fix is not None for e in f.fix.edits]
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        a = starts[e.start[0] - 1] + e.start[1] - 1
        b = starts[e.end[0] - 1] + e.end[1] - 1
        body = body[:a] + e.text + body[b:]
    return bom + body.encode("utf-8")


def _site(f: Finding) -> tuple[object, ...]:
    obj = f.obj
    if obj is None:
        return (f.rule, f.file.path, f.pos)
    path, _ = field_path(obj.root, f.pos)
    return (f.rule, obj.group, obj.kind, obj.namespace, obj.name, path, f.key)


def _all(changes: dict[str, list[Finding]]) -> list[Finding]:
    return [f for fixes in changes.values() for f in fixes]


def _problem(fixes: list[Finding], before: Report, after: Report) -> str | None:
    """Why these fixes are not kept (None: they are): a finding of theirs is still there in its
    file, or the run has a finding it did not have, in any file."""
    files = {f.file.path for f in fixes}
    left = {(g.file.path, _site(g)) for g in after.findings if g.file.path in files}
    if any((f.file.path, _site(f)) in left for f in fixes):
        return "it does not remove its finding"
    had = Counter(fingerprint(f) for f in before.findings) - Counter(fingerprint(f) for f in fixes)
    added = [f for f in after.findings if not _take(had, fingerprint(f))]
    if not added:
        return None
    where = "" if added[0].file.path in files else f" in {added[0].file.path}"
    return f"it adds a finding{where}: {added[0].rule} ({added[0].message})"


def _take(counter: Counter[str], key: str) -> bool:
    if counter[key] > 0:
        counter[key] -= 1
        return True
    return False


def write(outcome: Outcome) -> list[str]:
    """Write the edited files; the errors of those that could not be written."""
    errors = []
    for fe in outcome.files:
        try:
            with open(fe.path, "wb") as fh:
                fh.write(fe.after)
        except OSError as exc:
            errors.append(f"{fe.path}: cannot write the fixes: {exc.strerror or exc}")
    return errors


def diff(outcome: Outcome) -> str:
    """A unified diff of every edited file, for `patch -p0` and `git apply -p0`."""
    import difflib

    chunks = []
    for fe in outcome.files:
        old = fe.raw[len(fe.bom) :].decode("utf-8").splitlines(keepends=True)
        new = fe.after[len(fe.bom) :].decode("utf-8").splitlines(keepends=True)
        lines = list(difflib.unified_diff(old, new, fe.path, fe.path, n=3))
        for line in lines:
            chunks.append(line)
            if not line.endswith(("\n", "\r")):
                chunks.append("\n\\ No newline at end of file\n")
    return "".join(chunks)
