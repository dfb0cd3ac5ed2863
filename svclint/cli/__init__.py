"""The command line: one click group, its commands each in a module of their own.

    svclint [check] PATH...       lint files, directories, or `-` for stdin   (check.py)
    svclint rules                 the catalog                                  (catalog.py)
    svclint rule ID               one rule's documentation                     (catalog.py)
    svclint trace SERVICE [PATH]  explain one Service's wiring (docs/trace.md) (explain.py)
    svclint graph [PATH]          the objects and their relations              (explain.py)
    svclint lsp                   the language server, over stdio              (lsp.py)

The options that shape a lint run, and the run itself, are shared (`common.py`). A command's
module is imported only when that command runs: `svclint rules` loads no engine.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from .. import __version__
from ..lint.registry import PluginError
from .common import fail

# command name -> (module, attribute)
COMMANDS = {
    "check": ("check", "check"),
    "rules": ("catalog", "list_rules"),
    "rule": ("catalog", "show_rule"),
    "trace": ("explain", "trace"),
    "graph": ("explain", "graph"),
    "lsp": ("lsp", "lsp"),
}


class _DefaultToCheck(click.Group):
    """`svclint PATH` means `svclint check PATH`: the first word is a path unless it is a command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = (*COMMANDS, "--help", "-h", "--version")
        if args and args[0] not in known:
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, attr = COMMANDS[name]
            command = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
            self.add_command(command, name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        # A broken plugin, or a stale built-in rule index, may surface wherever a rule is first
        # used (loading, running, rendering its docs): one clear error, exit 2, no traceback.
        try:
            return super().invoke(ctx)
        except PluginError as exc:
            fail(str(exc))


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svclint")
def main() -> None:
    """Offline linter for Kubernetes Service wiring.

    `svclint PATH...` lints manifests (files, directories, or - for stdin), e.g.
    `helm template shop ./chart | svclint -`.
    """
