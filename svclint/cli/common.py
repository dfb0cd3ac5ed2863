"""What every command shares: exit codes, the one-line error, colour, the options that shape
loading (declared once, with one help text each), and the lint run behind them."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ..config.file import ConfigError, FileConfig, find_config, load_config
from ..config.settings import Flags, build_settings
from ..lint.registry import load_rules

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..lint.engine import Unit
    from ..lint.findings import Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    click.echo(f"svclint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def use_color(choice: str, stream: Any) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _apply(func: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def input_options(func: F) -> F:
    """The options that shape loading and the lint run: the same for check, trace and graph."""
    return _apply(
        func,
        [
            click.option(
                "--select", multiple=True, help="Run only these rules (comma-separated; `all`)."
            ),
            click.option(
                "--ignore", multiple=True, help="Do not run these rules (comma-separated)."
            ),
            click.option(
                "--kubernetes-version", default=None, help="Target Kubernetes version (1.NN)."
            ),
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False),
                default=None,
                help="Config file (default: .svclint.yaml found upward from here).",
            ),
            click.option(
                "--exclude", multiple=True, help="Path glob to skip when walking directories."
            ),
            click.option(
                "--context",
                multiple=True,
                help="Also load PATH for cross-object checks; it gets no findings of its own.",
            ),
            click.option(
                "--chart-dir",
                default=None,
                help="Folder of the chart whose `helm template` output is linted (maps # Source:).",
            ),
            click.option(
                "--kustomize-dir",
                default=None,
                help="Folder kustomize origin paths are relative to.",
            ),
            click.option(
                "--no-build",
                is_flag=True,
                help="Lint kustomization and Helm chart folders as raw files (default: build "
                "each, and lint each build on its own).",
            ),
            click.option(
                "--kustomize-command",
                default=None,
                help="Command that builds a kustomization folder (default: `kubectl kustomize`, "
                "else `kustomize build`).",
            ),
            click.option(
                "--values",
                multiple=True,
                type=click.Path(dir_okay=False),
                help="Values file for the Helm charts rendered (repeatable, in order).",
            ),
            click.option(
                "--set",
                "set_values",
                multiple=True,
                help="Helm `--set` expression for the charts rendered (repeatable).",
            ),
            click.option(
                "--stdin-filename", default=None, help="Name to report for standard input."
            ),
            click.option(
                "--max-file-size",
                type=click.IntRange(min=1),
                default=None,
                help="Largest file to read, in MiB (default 64).",
            ),
        ],
    )


def color_option(func: F) -> F:
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour text output (NO_COLOR is honoured).",
    )(func)


def run_from_flags(
    paths: tuple[str, ...], kw: dict[str, Any]
) -> tuple[Report, list[Unit], Settings, str]:
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

    from ..lint.engine import run_units

    report, units = run_units(paths, settings)
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
    return report, units, settings, fail_level
