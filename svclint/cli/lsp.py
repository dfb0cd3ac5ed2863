"""`svclint lsp`: the language server, over stdio (svclint/lsp/, docs/editors.md)."""

from __future__ import annotations

import click

from ..config.settings import Flags
from .common import fail


@click.command("lsp")
@click.option("--select", multiple=True, help="Run only these rules (comma-separated; `all`).")
@click.option("--ignore", multiple=True, help="Do not run these rules (comma-separated).")
@click.option("--kubernetes-version", default=None, help="Target Kubernetes version (1.NN).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Config file (default: .svclint.yaml found upward from the workspace folder).",
)
@click.option("--exclude", multiple=True, help="Path glob to skip when walking the workspace.")
@click.option(
    "--no-build",
    is_flag=True,
    help="Lint kustomization and chart folders as raw files (config `build: false`).",
)
@click.option("--stdio", is_flag=True, help="Speak over standard input and output (the default).")
def lsp(
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    kubernetes_version: str | None,
    config_path: str | None,
    exclude: tuple[str, ...],
    no_build: bool,
    stdio: bool,
) -> None:
    """Serve svclint's findings to an editor over the Language Server Protocol."""
    try:
        from ..lsp.server import serve
    except ImportError as exc:
        if not (exc.name or "").startswith(("pygls", "lsprotocol", "cattrs", "attrs")):
            raise
        fail(f"the language server needs pygls ({exc.name} is missing): pip install 'svclint[lsp]'")
    flags = Flags(
        select=select,
        ignore=ignore,
        kubernetes_version=kubernetes_version,
        exclude=exclude,
        no_build=no_build,  # builds read the disk: they run again on save (lsp/builds.py)
    )
    serve(flags, config_path)
