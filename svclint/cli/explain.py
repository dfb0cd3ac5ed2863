"""`svclint trace SERVICE [PATH...]` and `svclint graph [PATH...]` as click commands.

Both load input exactly as `svclint check` does (the same flags, config file and rules), then
explain instead of listing findings. Registered, lazily, on the main group in `svclint.cli`.

Exit codes: 0 the explanation was written; 2 usage or config error, no readable input, an unknown
Service (with a did-you-mean), or a graph above the size limit without `--truncate`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..config.settings import Settings
from ..lint.engine import Unit
from ..lint.findings import Report
from ..model.services import Service
from .common import EXIT_USAGE, color_option, fail, input_options, run_from_flags, use_color

EXIT_OK = 0


def _load(paths: tuple[str, ...], kw: dict[str, Any]) -> tuple[Report, list[Unit], Settings]:
    """Run the engine as `check` does; exit 2 on a config error or when nothing was read."""
    report, units, settings, _ = run_from_flags(paths, kw)
    if report.input_errors and report.files == 0 and not report.builds:
        sys.exit(EXIT_USAGE)
    return report, units, settings


def _unit_name(unit: Unit) -> str:
    if unit.kind == "files":
        return "the files named and walked"
    return f"{'kustomization' if unit.kind == 'kustomize' else 'Helm chart'} {unit.root}"


@click.command("trace", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("service")
@click.argument("paths", nargs=-1)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text for a terminal, json for tools (shape in docs/trace.md).",
)  # fmt: skip
@color_option
@click.option(
    "-n",
    "--namespace",
    default=None,
    help="Namespace of the Service, and of objects without one (as `kubectl apply -n`).",
)
@input_options
def trace(service: str, paths: tuple[str, ...], fmt: str, color: str, **kw: Any) -> None:
    """Explain how one Service is wired: contract, selected pods, endpoints, DNS, what else
    touches it, and the findings for it.

    SERVICE is `name`, `ns/name` or `svc/name` (with -n). PATH defaults to the current folder;
    `-` reads standard input.
    """
    from ..explain.trace import LookupError_, build, find_service
    from ..explain.trace_model import as_dict

    namespace = kw["namespace"]
    report, units, _ = _load(paths or (".",), kw)
    # Each lint unit is its own cluster: trace the Service in the first unit that has it.
    found: list[tuple[Unit, Service]] = []
    error: LookupError_ | None = None
    for unit in units:
        try:
            found.append((unit, find_service(unit.cluster, service, namespace)))
        except LookupError_ as exc:
            error = error or exc
    if not found:
        fail(str(error or f"no Service `{service}` in the input"))
    unit, svc = found[0]
    if len(found) > 1:
        others = ", ".join(_unit_name(u) for u, _ in found[1:])
        click.echo(
            f"svclint: note: Service {svc.namespace}/{svc.name} is also in {others}; this traces "
            f"it in {_unit_name(unit)} (name one folder to trace another)",
            err=True,
        )
    result = build(unit.cluster, report, svc)
    if fmt == "json":
        sys.stdout.write(json.dumps(as_dict(result), indent=2, ensure_ascii=False) + "\n")
        return
    from ..explain.trace_text import render

    sys.stdout.write(render(result, color=use_color(color, sys.stdout)))


@click.command("graph", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1)
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid",
    show_default=True, help="mermaid (renders in GitHub Markdown) or dot (Graphviz).",
)  # fmt: skip
@click.option(
    "-n",
    "--namespace",
    default=None,
    help="Draw only this namespace; also the namespace of objects without one.",
)
@click.option(
    "-A",
    "--all-namespaces",
    is_flag=True,
    help="With -n: place objects without a namespace in it, but draw every namespace.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=None,
    help="Largest graph drawn (default 150 nodes); above it svclint refuses, or truncates.",
)
@click.option("--truncate", is_flag=True, help="Above --max-nodes, draw the first nodes only.")
@click.option(
    "--broken-only",
    is_flag=True,
    help="Draw only broken relations and the objects they join.",
)
@input_options
def graph(
    paths: tuple[str, ...],
    fmt: str,
    all_namespaces: bool,
    max_nodes: int | None,
    truncate: bool,
    broken_only: bool,
    **kw: Any,
) -> None:
    """Draw Services and their relations: Ingress → Service → pod sources, NetworkPolicy → pods,
    ExternalName → target, StatefulSet → governing Service. Broken relations are dashed, red,
    and labelled with the rule id that reports them.

    PATH defaults to the current folder; `-` reads standard input. Render DOT with
    `dot -Tsvg graph.dot -o graph.svg`.
    """
    from ..explain.relations import build as build_relations
    from ..explain.render_graph import DEFAULT_MAX_NODES, TooLarge, render

    namespace = kw["namespace"]
    report, units, _ = _load(paths or (".",), kw)
    if len(units) > 1:
        fail(
            f"the input is {len(units)} lint units ({', '.join(_unit_name(u) for u in units)}), "
            "each its own cluster: draw one by naming its folder, or lint the raw files as one "
            "with --no-build"
        )
    cluster = units[0].cluster
    only = None if namespace is None or all_namespaces else namespace
    rel = build_relations(cluster, report, namespace=only, broken_only=broken_only)
    limit = max_nodes or DEFAULT_MAX_NODES
    try:
        text, dropped = render(rel, fmt, limit, truncate)
    except TooLarge as exc:
        fail(str(exc))
    if dropped:
        click.echo(
            f"svclint: note: graph truncated: {dropped} of {len(rel.nodes)} nodes left out "
            "(--max-nodes raises the limit, -n draws one namespace)",
            err=True,
        )
    sys.stdout.write(text)
