"""The command line: parse flags, call the engine, write the report, pick the exit code.

    svclint [check] PATH...       lint files, directories, or `-` for stdin
    svclint rules                 the catalog
    svclint rule ID               one rule's documentation
    svclint trace SERVICE [PATH]  explain one Service's wiring (docs/trace.md)
    svclint graph [PATH]          the objects and their relations, as Mermaid or DOT

Exit codes: 0 nothing at or above the fail level, 1 findings at or above it, 2 usage or config
error, no readable input, or (with --strict) a rule that crashed.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .config import ConfigError, FileConfig, find_config, load_config
from .findings import Report, severity
from .graph import Graph
from .objects import K8sObject
from .registry import PluginError, RuleSpec, load_rules
from .settings import Flags, build_settings

if TYPE_CHECKING:
    from .engine import Settings

FORMATS = ("text", "json", "sarif", "github")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


_LAZY_COMMANDS = ("trace", "graph")  # in svclint.explain: imported only when used


class _DefaultToCheck(click.Group):
    """`svclint PATH` means `svclint check PATH`: the first word is a path unless it is a command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = (*self.commands, *_LAZY_COMMANDS, "--help", "-h", "--version")
        if args and args[0] not in known:
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*self.commands, *_LAZY_COMMANDS])

    def invoke(self, ctx: click.Context) -> Any:
        # A broken plugin, or a stale built-in rule index, may surface wherever a rule is first
        # used (loading, running, rendering its docs): one clear error, exit 2, no traceback.
        try:
            return super().invoke(ctx)
        except PluginError as exc:
            fail(str(exc))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in _LAZY_COMMANDS and name not in self.commands:
            from .explain import commands

            self.add_command(getattr(commands, name))
        return super().get_command(ctx, name)


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svclint")
def main() -> None:
    """Offline linter for Kubernetes Service wiring.

    `svclint PATH...` lints manifests (files, directories, or - for stdin), e.g.
    `helm template shop ./chart | svclint -`.
    """


def fail(message: str) -> NoReturn:
    click.echo(f"svclint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@main.command()
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
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour text output (NO_COLOR is honoured).",
)
@click.option(
    "--fail-level",
    type=click.Choice(["error", "warning", "info", "none"]),
    default=None,
    help="Exit 1 when a finding is at or above this level (default warning).",
)
@click.option("--select", multiple=True, help="Run only these rules (comma-separated; `all`).")
@click.option("--ignore", multiple=True, help="Do not run these rules (comma-separated).")
@click.option(
    "-n",
    "--namespace",
    default=None,
    help="Namespace of objects without one, as `kubectl apply -n` (default `default`).",
)
@click.option("--kubernetes-version", default=None, help="Target Kubernetes version (1.NN).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Config file (default: .svclint.yaml found upward from here).",
)
@click.option("--exclude", multiple=True, help="Path glob to skip when walking directories.")
@click.option(
    "--context",
    multiple=True,
    help="Also load PATH for cross-object checks; it gets no findings of its own.",
)
@click.option(
    "--chart-dir",
    default=None,
    help="Folder of the chart whose `helm template` output is linted (maps # Source:).",
)
@click.option(
    "--kustomize-dir", default=None, help="Folder kustomize origin paths are relative to."
)
@click.option("--stdin-filename", default=None, help="Name to report for standard input.")
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    help="Largest file to read, in MiB (default 64).",
)
@click.option(
    "--git-context",
    is_flag=True,
    help="Load the manifests git tracks under the working directory as --context.",
)
@click.option("--strict", is_flag=True, help="Exit 2 when a rule crashed on some object.")
@click.option("--debug", is_flag=True, help="Print tracebacks of rule crashes.")
def check(paths: tuple[str, ...], fmts: tuple[str, ...], outputs: tuple[str, ...], color: str,
          **kw: Any) -> None:  # fmt: skip
    """Lint manifests: files, directories (walked for *.yaml/*.yml), or - for stdin."""
    targets = _targets(fmts, outputs)
    strict = kw.pop("strict")
    report, graph, settings, fail_level = run_from_flags(paths, kw)
    _write(report, targets, color, settings.rules, graph.objects)
    if report.input_errors and report.files == 0:
        sys.exit(EXIT_USAGE)  # nothing could be read: a clean report would be a lie
    if strict and report.crashes:
        sys.exit(EXIT_USAGE)
    sys.exit(_exit_code(report, fail_level))


def run_from_flags(
    paths: tuple[str, ...], kw: dict[str, Any]
) -> tuple[Report, Graph, Settings, str]:
    """Rules + config file + the run's flags -> a lint run, its notes and errors printed on
    stderr; exit 2 on a plugin, config or usage error. Shared by `check`, `trace` and `graph`."""
    rules = load_rules()
    try:
        cfg_path = kw.pop("config_path") or find_config(os.getcwd())
        cfg = load_config(cfg_path) if cfg_path else FileConfig()
        max_mib = kw.pop("max_file_size")
        flags = Flags(**kw, max_bytes=max_mib * 1024 * 1024 if max_mib else None)
        settings, fail_level = build_settings(flags, cfg, rules)
    except ConfigError as exc:
        fail(str(exc))
    if paths.count("-") > 1:
        fail("`-` (standard input) can be given only once")

    from .engine import run

    report, graph = run(paths, settings)
    for note in report.notes:
        click.echo(f"svclint: note: {note}", err=True)
    for err in report.input_errors:
        click.echo(f"svclint: error: {err}", err=True)
    for crash in report.crashes:
        click.echo(
            f"svclint: error: rule `{crash.rule}` crashed on {crash.where}: {crash.error}"
            " (other rules and objects were still checked; --debug shows the traceback)",
            err=True,
        )
    return report, graph, settings, fail_level


def _exit_code(report: Report, fail_level: str) -> int:
    if fail_level == "none":
        return EXIT_CLEAN
    threshold = severity(fail_level)
    return (
        EXIT_FINDINGS
        if any(severity(f.level) >= threshold for f in report.findings)
        else EXIT_CLEAN
    )


def use_color(choice: str, stream: Any) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


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
            objects: list[K8sObject]) -> str:  # fmt: skip
    if fmt == "json":
        from .report import json_report

        return json_report.render(report)
    if fmt == "sarif":
        from .report import sarif

        try:
            return sarif.render(report, rules, objects)
        except sarif.Unmappable as exc:
            fail(f"cannot write SARIF: {exc}")
    if fmt == "github":
        from .report import github

        return github.render(report, objects)
    from .report import text as text_report

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
           rules: list[RuleSpec], objects: list[K8sObject]) -> None:  # fmt: skip
    # Everything is rendered before anything is written: a refused SARIF leaves no partial files.
    texts = [
        (_render(report, fmt, use_color(color, sys.stdout) and out is None, rules, objects), out)
        for fmt, out in targets
    ]
    for text, output in texts:
        if output:
            try:
                with open(output, "w", encoding="utf-8", errors="backslashreplace") as fh:
                    fh.write(text)
            except OSError as exc:
                fail(f"cannot write {output}: {exc.strerror or exc}")
        else:
            _stdout_write(text)


@main.command("rules")
def list_rules() -> None:
    """List every rule: id, level, on/off by default, summary."""
    rules = load_rules()
    width = max(len(r) for r in rules)
    for rid, spec in rules.items():
        on = "on " if spec.enabled else "off"
        click.echo(f"{rid:<{width}}  {spec.level:<7}  {on}  {spec.summary}")


@main.command("rule")
@click.argument("rule_id")
def show_rule(rule_id: str) -> None:
    """Show one rule's documentation."""
    from .api import closest
    from .docs import rule_page

    rules = load_rules()
    spec = rules.get(rule_id)
    if spec is None:
        near = closest(rule_id, rules)
        fail(f"unknown rule `{rule_id}`" + (f"; did you mean `{near}`?" if near else ""))
    click.echo(rule_page(spec))
