"""Baselines: accept today's findings, fail only on new ones.

`--write-baseline FILE` records the findings of a run by fingerprint (lint/fingerprint.py);
`--baseline FILE` moves every finding whose fingerprint the file holds out of the report into
`baselined` (kept, as suppressed findings are, for the JSON report and the summary). A
fingerprint recorded twice absorbs two findings, no more: a third copy of a bug is new.

The file is JSON, one finding per line, sorted by file, rule and fingerprint, so that a diff of it
reads as the findings accepted or fixed. `rule`, `object` and `file` are there for the reader;
only `fingerprint` is matched.
"""

from __future__ import annotations

import json
from collections import Counter

from .findings import Finding
from .fingerprint import fingerprint

FORMAT = "svclint-baseline"
FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or is not one."""


def render(findings: list[Finding]) -> str:
    """The baseline file's text for these findings."""
    rows = []
    for f in findings:
        obj = f.obj
        rows.append(
            {
                "file": (obj.source if obj is not None and obj.source else None) or f.file.path,
                "rule": f.rule,
                "object": obj.ref if obj is not None else None,
                "fingerprint": fingerprint(f),
            }
        )
    rows.sort(key=lambda r: (r["file"] or "", r["rule"] or "", r["fingerprint"] or ""))
    head = f'{{\n  "format": "{FORMAT}",\n  "version": {FORMAT_VERSION},\n  "findings": ['
    if not rows:
        return head + "]\n}\n"
    lines = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in rows)
    return f"{head}\n{lines}\n  ]\n}}\n"


def load(path: str) -> Counter[str]:
    """The fingerprints a baseline file accepts, with how many of each."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise BaselineError(f"{path}: not a baseline (invalid JSON: {exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f'{path}: not a baseline (no "format": "{FORMAT}")')
    if data.get("version") != FORMAT_VERSION:
        raise BaselineError(
            f"{path}: baseline version {data.get('version')!r}; this svclint reads version "
            f"{FORMAT_VERSION} (write it again with --write-baseline)"
        )
    entries = data.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f'{path}: not a baseline ("findings" must list fingerprints)')
    return Counter(e["fingerprint"] for e in entries)


def split(findings: list[Finding], accepted: Counter[str]) -> tuple[list[Finding], list[Finding]]:
    """(new findings, baselined findings)."""
    left = Counter(accepted)
    new: list[Finding] = []
    old: list[Finding] = []
    for f in findings:
        fp = fingerprint(f)
        if left[fp] > 0:
            left[fp] -= 1
            old.append(f)
        else:
            new.append(f)
    return new, old
