"""`--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`).

GitLab reads a JSON array of issues with six fields, and processes no others
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):

    [{"description": "...", "check_name": "service-selector-no-match",
      "fingerprint": "38322d97d52c31769427137b05d2a077", "severity": "major",
      "location": {"path": "k8s/web.yaml", "lines": {"begin": 7}}}]

- `description`: the message, then ` (hint: ...)` when the finding has a hint.
- `check_name`: the rule id.
- `fingerprint`: the finding's identity across edits (`lint/fingerprint.py`), the JSON report's
  `fingerprint` and SARIF's `svclintFingerprint/v1`. GitLab wants each fingerprint once per
  report, and two findings can share one (the same object defined in two files): the first keeps
  it, the Nth repeat (N >= 2) gets the first 32 hex digits of SHA-256 of `<fingerprint>:<N>`
  (the next N when that is taken), in report order, so the same input gives the same values.
- `severity`: error -> `major`, warning -> `minor`, info -> `info` (`critical` and `blocker`
  are left for tools that judge risk; a broken Service is the build's failure, not a breach).
- `location.path`: where the JSON report's `file` points (a rendered object's source file),
  relative to the project root: `$CI_PROJECT_DIR` when set, else the nearest folder above the
  working directory that holds `.git`, else the working directory. A path outside the root, and
  `<stdin>`, stay as svclint prints them. `location.lines.begin`: the 1-based line.

Only the findings that count are issues: not the suppressed or baselined ones. Unreadable inputs
and rule crashes are no Code Quality issue; they are reported on standard error as always.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..lint.findings import Finding, Report
from ..lint.fingerprint import fingerprint
from ..lint.locate import place
from .anchors import UNNAMED_STDIN, repo_path

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
PROJECT_DIR_VARIABLE = "CI_PROJECT_DIR"


def project_root() -> str:
    """`$CI_PROJECT_DIR`, else the nearest folder from here up that holds `.git`, else here."""
    configured = os.environ.get(PROJECT_DIR_VARIABLE)
    if configured:
        return os.path.abspath(configured)
    here = os.path.abspath(os.getcwd())
    folder = here
    while True:
        if os.path.exists(os.path.join(folder, ".git")):  # a folder, or a worktree's file
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return here
        folder = parent


def project_path(path: str, root: str) -> str:
    """`path` relative to `root`, POSIX; unchanged when it lies outside `root`."""
    return repo_path(path, root) or path


def unique_fingerprints(plain: Iterable[str]) -> list[str]:
    """The fingerprints, each once: repeats get a derived value (see the module docstring)."""
    values = list(plain)
    taken = set(values)
    seen: set[str] = set()
    repeats: Counter[str] = Counter()
    out = []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
            continue
        candidate = value
        while candidate in taken:
            repeats[value] += 1
            n = repeats[value] + 1
            candidate = hashlib.sha256(f"{value}:{n}".encode()).hexdigest()[:32]
        taken.add(candidate)
        out.append(candidate)
    return out


def description(f: Finding) -> str:
    return f"{f.message} (hint: {f.hint})" if f.hint else f.message


def issue(f: Finding, fingerprint_value: str, root: str) -> dict[str, Any]:
    loc = place(f).primary
    if f.file.is_stdin and loc.file == UNNAMED_STDIN:
        path = loc.file
    else:
        path = project_path(loc.file, root)
    return {
        "description": description(f),
        "check_name": f.rule,
        "fingerprint": fingerprint_value,
        "severity": SEVERITY[f.level],
        "location": {"path": path, "lines": {"begin": max(loc.line, 1)}},
    }


def render(report: Report) -> str:
    root = project_root()
    findings = report.findings
    values = unique_fingerprints(fingerprint(f) for f in findings)
    issues = [issue(f, value, root) for f, value in zip(findings, values, strict=True)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
