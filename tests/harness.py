"""Two-way matched inline expectations for rule fixtures.

A fixture is a manifest whose expected findings are written next to the lines they point at:

    targetPort: htp   # expect: service-targetport-not-found @17 "`htp`"

    # expect: service-selector-no-match info "no pod sources"
    selector:

`# expect: RULE [LEVEL] [@COLUMN] ["message substring"]`. A trailing comment applies to its own
line; a comment alone on a line applies to the next line that is not a comment. Several may stack.
A header line `# svclint-test: key=value ...` sets config keys (namespace, kubernetes-version,
cluster-domain, node-port-range) for that fixture. Every finding must match an expectation and
every expectation a finding.

Beside each fixture, `<case>.out` pins the whole text report of it (message, hint, notes and
positions, as a user reads them), the way ruff and pylint pin theirs: `SVCLINT_UPDATE=1 pytest
tests/test_rules.py` rewrites them; review the diff before committing it.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from svclint.config.file import FileConfig
from svclint.config.settings import Flags, build_settings
from svclint.lint.engine import run
from svclint.lint.findings import Finding, Report
from svclint.lint.registry import load_rules

EXPECT = re.compile(
    r"#\s*expect:\s*(?P<rule>[a-z0-9/-]+)(?:\s+(?P<level>error|warning|info))?"
    r"(?:\s+@(?P<col>\d+))?(?:\s+\"(?P<msg>[^\"]*)\")?"
)
HEADER = re.compile(r"#\s*svclint-test:\s*(.*)$")


@dataclass
class Expect:
    """One `# expect:` comment of a fixture."""

    line: int
    rule: str
    level: str | None
    col: int | None
    msg: str | None

    def matches(self, f: Finding) -> bool:
        return (
            f.pos[0] == self.line
            and f.rule == self.rule
            and (self.level is None or f.level == self.level)
            and (self.col is None or f.pos[1] == self.col)
            and (self.msg is None or self.msg in f.message)
        )

    def __str__(self) -> str:
        extra = f" {self.level}" if self.level else ""
        extra += f" @{self.col}" if self.col else ""
        extra += f' "{self.msg}"' if self.msg else ""
        return f"{self.line}: {self.rule}{extra}"


def parse_expectations(text: str) -> tuple[list[Expect], dict[str, object]]:
    lines = text.split("\n")
    expects: list[Expect] = []
    pending: list[re.Match[str]] = []
    config: dict[str, object] = {}
    for i, line in enumerate(lines, 1):
        header = HEADER.search(line)
        if header:
            for item in shlex.split(header.group(1)):
                key, _, value = item.partition("=")
                config[key] = value
            continue
        found = list(EXPECT.finditer(line))
        standalone = line.lstrip().startswith("#")
        if standalone:
            pending.extend(found)
            continue
        for m in [*pending, *found]:
            col = int(m.group("col")) if m.group("col") else None
            expects.append(Expect(i, m.group("rule"), m.group("level"), col, m.group("msg")))
        pending = []
    return expects, config


ROOT = Path(__file__).resolve().parent.parent


def lint_report(path: Path, rule_id: str) -> Report:
    """The run of one fixture with only `rule_id` selected (paths shown relative to the
    repository, so expected output does not depend on where the checkout is)."""
    text = path.read_text(encoding="utf-8")
    _, config = parse_expectations(text)
    data = dict(config)
    data["select"] = [rule_id]
    flags = Flags()
    settings, _ = build_settings(flags, FileConfig(str(path), data), load_rules())
    with contextlib.chdir(ROOT):
        report, _ = run([os.path.relpath(path, ROOT)], settings)
        assert not report.crashes, report.crashes
        return report


def lint_fixture(path: Path, rule_id: str) -> list[Finding]:
    return lint_report(path, rule_id).findings


def expected_output_problem(path: Path, rule_id: str) -> str | None:
    """None when `<case>.out` holds the fixture's text report; else what differs. With
    SVCLINT_UPDATE=1, (re)writes it instead."""
    from svclint.report.text import render

    report = lint_report(path, rule_id)
    with contextlib.chdir(ROOT):  # source files of rendered input are shown relative to it
        actual = render(report, color=False)
    out = path.with_suffix(".out")
    if os.environ.get("SVCLINT_UPDATE") == "1":
        if not out.exists() or out.read_text(encoding="utf-8") != actual:
            out.write_text(actual, encoding="utf-8")
        return None
    if not out.exists():
        return f"{out.name} is missing: run `SVCLINT_UPDATE=1 pytest tests/test_rules.py`"
    expected = out.read_text(encoding="utf-8")
    if expected == actual:
        return None
    diff = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), str(out.name), "actual", lineterm=""
    )
    return "\n".join(diff) + "\n(SVCLINT_UPDATE=1 rewrites it; review the diff)"


def mismatches(path: Path, rule_id: str) -> list[str]:
    expects, _ = parse_expectations(path.read_text(encoding="utf-8"))
    findings = lint_fixture(path, rule_id)
    unmatched = list(findings)
    problems = []
    for e in expects:
        hit = next((f for f in unmatched if e.matches(f)), None)
        if hit is None:
            problems.append(f"missing   {path.name}:{e}")
        else:
            unmatched.remove(hit)
    for f in unmatched:
        problems.append(
            f"unexpected {path.name}:{f.pos[0]}:{f.pos[1]}: {f.level}[{f.rule}] {f.message}"
        )
    return problems
