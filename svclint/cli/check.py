"""`svclint check PATH...` (and `svclint PATH...`): lint, write the report, pick the exit code.

Exit codes: 0 nothing at or above the fail level (or --write-baseline), 1 findings at or above
it, 2 usage or config error, no readable input, a path named that is missing or unreadable (after
the report of everything else), or (with --strict) a rule that crashed.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

import click

from ..lint.findings import Finding, Report, severity
from ..lint.registry import RuleSpec
from ..model.objects import K8sObject
from .common import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_USAGE,
    color_option,
    fail,
    input_options,
    run_from_flags,
    use_color,
)

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..lint.engine import Unit


FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


@click.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmts",
    type=click.Choice(FORMATS),
    multiple=True,
    help="Report format (default text; github when GITHUB_ACTIONS=true). Repeatable.",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    type=click.Path(dir_okay=False, writable=True),
    multiple=True,
    help="Write the report to FILE: the Nth --output takes the Nth --format.",
)
@color_option
@click.option(
    "--fail-level",
    type=click.Choice(["error", "warning", "info", "none"]),
    default=None,
    help="Exit 1 when a finding is at or above this level (default warning).",
)
@click.option(
    "-n",
    "--namespace",
    default=None,
    help="Namespace of objects without one, as `kubectl apply -n` (default `default`).",
)
@click.option(
    "--git-context",
    is_flag=True,
    help="Load the manifests git tracks under the working directory as --context.",
)
@input_options
@click.option(
    "--baseline",
    "baseline_in",
    type=click.Path(dir_okay=False),
    default=None,
    help="Report only findings not recorded in this baseline file (--write-baseline writes one).",
)
@click.option(
    "--write-baseline",
    "baseline_out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Record the findings of this run in FILE, to accept them (exit 0 unless input failed).",
)
@click.option(
    "--fix", is_flag=True, help="Apply the safe fixes to the files, then report what is left."
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff, also the fixes that change where traffic goes.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print the fixes as a unified diff instead of writing them (exit 1 when there is one).",
)
@click.option("--strict", is_flag=True, help="Exit 2 when a rule crashed on some object.")
@click.option("--debug", is_flag=True, help="Print tracebacks of rule crashes.")
def check(paths: tuple[str, ...], fmts: tuple[str, ...], outputs: tuple[str, ...], color: str,
          **kw: Any) -> None:  # fmt: skip
    """Lint manifests: files, directories (walked for *.yaml/*.yml), or - for stdin."""
    targets = _targets(fmts, outputs)
    strict = kw.pop("strict")
    baseline_in, baseline_out = kw.pop("baseline_in"), kw.pop("baseline_out")
    accepted = _read_baseline(baseline_in) if baseline_in else None
    fix, unsafe, show_diff = kw.pop("fix"), kw.pop("unsafe_fixes"), kw.pop("show_diff")
    report, units, settings, fail_level = run_from_flags(paths, kw)
    if fix or show_diff:
        report, units = _fix(paths, report, units, settings, unsafe, show_diff)
    if accepted is not None:
        from ..lint import baseline  # hashlib: only for a baseline

        report.findings, report.baselined = baseline.split(report.findings, accepted)
        report.baseline = baseline_in
    if baseline_out:
        _write_baseline(baseline_out, [*report.findings, *report.baselined])
    objects = [o for u in units for o in u.cluster.objects]
    _write(report, targets, color, settings.rules, objects, fail_level)
    if report.input_errors and report.files == 0 and not report.builds:
        sys.exit(EXIT_USAGE)  # nothing could be read: a clean report would be a lie
    if report.named_missing:
        sys.exit(EXIT_USAGE)  # a path the command names is not there: a typo must not pass
    if strict and report.crashes:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_CLEAN if baseline_out else _exit_code(report, fail_level))


def _fix(
    paths: tuple[str, ...],
    report: Report,
    units: list[Unit],
    settings: Settings,
    unsafe: bool,
    show_diff: bool,
) -> tuple[Report, list[Unit]]:
    """Apply (or with --diff, print and exit) the fixes; the report and units of what is left."""
    from ..lint import fixer
    from ..lint.engine import run_units

    runs: dict[int, list[Unit]] = {id(report): units}

    def relint(edited: dict[str, str]) -> Report:
        settings.edited = edited
        new_report, new_units = run_units(paths, settings)
        runs[id(new_report)] = new_units
        return new_report

    outcome = fixer.fix_all(report, unsafe, relint)
    for f, why in outcome.refused:
        click.echo(
            f"svclint: note: not fixed: {f.rule} at {f.file.path}:{f.pos[0]}:{f.pos[1]} "
            f"({f.fix.title if f.fix else 'fix'}): {why}",
            err=True,
        )
    if show_diff:
        _stdout_write(fixer.diff(outcome))
        if report.named_missing:
            sys.exit(EXIT_USAGE)
        sys.exit(EXIT_FINDINGS if outcome.files else EXIT_CLEAN)
    for error in fixer.write(outcome):
        click.echo(f"svclint: error: {error}", err=True)
    if outcome.files:
        n, files = outcome.fixed, len(outcome.files)
        click.echo(
            f"svclint: fixed {n} finding{'' if n == 1 else 's'} in {files} "
            f"file{'' if files == 1 else 's'}",
            err=True,
        )
    final = outcome.report or report
    final.named_missing = report.named_missing
    return final, runs.get(id(final), units)


def _read_baseline(path: str) -> Counter[str]:
    from ..lint import baseline

    try:
        return baseline.load(path)
    except baseline.BaselineError as exc:
        fail(str(exc))


def _write_baseline(path: str, findings: list[Finding]) -> None:
    from ..lint import baseline

    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(baseline.render(findings))
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    n = len(findings)
    click.echo(f"svclint: wrote {n} finding{'' if n == 1 else 's'} to baseline {path}", err=True)


def _exit_code(report: Report, fail_level: str) -> int:
    if fail_level == "none":
        return EXIT_CLEAN
    threshold = severity(fail_level)
    return (
        EXIT_FINDINGS
        if any(severity(f.level) >= threshold for f in report.findings)
        else EXIT_CLEAN
    )


def _targets(fmts: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(format, file or None for standard output): the Nth --format goes to the Nth --output."""
    if not fmts:
        fmts = ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text",)
    if len(outputs) > len(fmts):
        fail("more --output than --format: each --output takes the --format in its position")
    if len(set(outputs)) < len(outputs):
        fail("the same --output file is given twice")
    targets = [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(fmts)]
    if sum(out is None for _, out in targets) > 1:
        fail("only one --format can go to standard output: give the others an --output FILE")
    return targets


def _render(report: Report, fmt: str, color: bool, rules: list[RuleSpec],
            objects: list[K8sObject], fail_level: str = "warning") -> str:  # fmt: skip
    if fmt == "json":
        from ..report import json_report

        return json_report.render(report)
    if fmt == "sarif":
        from ..report import sarif
        from ..report.anchors import Unmappable

        try:
            return sarif.render(report, rules, objects)
        except Unmappable as exc:
            fail(f"cannot write SARIF: {exc}")
    if fmt == "github":
        from ..report import github

        return github.render(report, objects)
    if fmt == "gitlab":
        from ..report import gitlab

        return gitlab.render(report)
    if fmt == "junit":
        from ..report import junit

        return junit.render(report, objects, fail_level)
    from ..report import text as text_report

    return text_report.render(report, color=color)


def _stdout_write(text: str) -> None:
    """Write to stdout; a file name that is not valid UTF-8 is escaped, never a crash."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.flush()
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.buffer.write(text.encode(encoding, "backslashreplace"))
        sys.stdout.flush()


def _write(report: Report, targets: list[tuple[str, str | None]], color: str,
           rules: list[RuleSpec], objects: list[K8sObject], fail_level: str) -> None:  # fmt: skip
    # Everything is rendered before anything is written: a refused SARIF leaves no partial files.
    texts = [
        (_render(report, fmt, use_color(color, sys.stdout) and out is None, rules, objects,
                 fail_level), out)
        for fmt, out in targets
    ]  # fmt: skip
    for text, output in texts:
        if output:
            try:
                with open(output, "w", encoding="utf-8", errors="backslashreplace") as fh:
                    fh.write(text)
            except OSError as exc:
                fail(f"cannot write {output}: {exc.strerror or exc}")
        else:
            _stdout_write(text)
