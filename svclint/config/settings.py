"""Command-line flags + config file -> engine Settings. The only place the two meet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..lint.problem import Level
from ..lint.registry import RuleSpec
from ..load.inputs import DEFAULT_MAX_BYTES
from ..load.objects import Provenance
from ..model.cluster import Options
from .file import ConfigError, FileConfig


@dataclass(slots=True)
class Settings:
    """Everything a run needs besides its inputs, resolved from flags and config."""

    rules: list[RuleSpec]  # the rules that run
    levels: dict[str, Level] = field(default_factory=dict)  # configured level per rule id
    options: Options = field(default_factory=Options)
    exclude: tuple[str, ...] = ()
    context: tuple[str, ...] = ()  # paths loaded for cross-object checks only
    git_context: bool = False  # the git work tree's tracked manifests are context too
    provenance: Provenance = field(default_factory=Provenance)
    stdin_filename: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    debug: bool = False  # re-raise rule crashes with their traceback
    build: bool = True  # walked kustomizations and Helm charts are built, each a lint unit
    kustomize_command: str | None = None  # `kubectl kustomize`, `kustomize build`: found if None
    helm_values: tuple[str, ...] = ()  # values files for every chart rendered
    helm_set: tuple[str, ...] = ()  # `--set` expressions for every chart rendered
    # Files read from here instead of disk (real path -> text): how --fix lints its edits
    # before it writes them.
    edited: dict[str, str] = field(default_factory=dict)


LATEST_KUBERNETES = (1, 37)
_VERSION = re.compile(r"v?1\.([0-9]{1,2})(\.[0-9]+)?")


@dataclass(slots=True)
class Flags:
    """The command-line values that shape a run (None: not given)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    namespace: str | None = None
    kubernetes_version: str | None = None
    exclude: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    git_context: bool = False
    chart_dir: str | None = None
    kustomize_dir: str | None = None
    stdin_filename: str | None = None
    max_bytes: int | None = None
    fail_level: str | None = None
    debug: bool = False
    no_build: bool = False
    kustomize_command: str | None = None
    values: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()


def _split(values: tuple[str, ...] | list[str]) -> list[str]:
    return [p.strip() for v in values for p in str(v).split(",") if p.strip()]


def parse_version(raw: str, where: str) -> tuple[int, int]:
    m = _VERSION.fullmatch(raw.strip())
    if not m:
        raise ConfigError(f"{where}: Kubernetes version `{raw}` is not of the form 1.NN")
    return (1, int(m.group(1)))


def _check_ids(ids: list[str], known: dict[str, RuleSpec], where: str) -> None:
    for rid in ids:
        if rid != "all" and rid not in known:
            from ..messages import closest

            near = closest(rid, known)
            hint = f" (did you mean `{near}`?)" if near else ""
            raise ConfigError(f"{where}: unknown rule `{rid}`{hint}")


def build_settings(
    flags: Flags, cfg: FileConfig, rules: dict[str, RuleSpec]
) -> tuple[Settings, str]:
    """(settings, fail level)."""
    data: dict[str, Any] = cfg.data
    where = cfg.path or "config"
    cfg_select = _split(data.get("select", []))
    cfg_ignore = _split(data.get("ignore", []))
    _check_ids(cfg_select + cfg_ignore + list(data.get("level", {})), rules, where)
    cli_select, cli_ignore = _split(flags.select), _split(flags.ignore)
    _check_ids(cli_select + cli_ignore, rules, "command line")

    select = cli_select or cfg_select
    levels: dict[str, Level] = {}
    off: set[str] = set(cfg_ignore) | set(cli_ignore)
    for rid, level in data.get("level", {}).items():
        if level == "off":
            off.add(rid)
        else:
            levels[rid] = level
    if select:
        chosen = set(rules) if "all" in select else set(select)
    else:
        chosen = {rid for rid, spec in rules.items() if spec.enabled}
        chosen |= {rid for rid in levels if not rules[rid].enabled}  # a level turns a rule on
    chosen -= off

    version_raw = flags.kubernetes_version or data.get("kubernetes-version")
    version = parse_version(version_raw, where) if version_raw else LATEST_KUBERNETES
    node_ports = (30000, 32767)
    if "node-port-range" in data:
        lo, hi = (int(x) for x in data["node-port-range"].split("-"))
        if not 1 <= lo <= hi <= 65535:
            raise ConfigError(f"{where}: node-port-range `{lo}-{hi}` is not a valid port range")
        node_ports = (lo, hi)
    workload_kinds: dict[str, tuple[str, ...]] = {}
    for entry in data.get("workload-kinds", []):
        if isinstance(entry, str):
            workload_kinds[entry] = ("spec", "template")
        else:
            workload_kinds[entry["kind"]] = tuple(entry.get("template", "spec.template").split("."))
    options = Options(
        default_namespace=flags.namespace or data.get("namespace") or "default",
        namespace_given=bool(flags.namespace or data.get("namespace")),
        cluster_domain=data.get("cluster-domain", "cluster.local"),
        kubernetes_version=version,
        node_port_range=node_ports,
        workload_kinds=workload_kinds,
    )
    settings = Settings(
        rules=[spec for rid, spec in rules.items() if rid in chosen],
        levels=levels,
        options=options,
        exclude=tuple(data.get("exclude", [])) + flags.exclude,
        context=flags.context,
        git_context=flags.git_context,
        provenance=Provenance(flags.chart_dir, flags.kustomize_dir),
        stdin_filename=flags.stdin_filename,
        debug=flags.debug,
        build=not flags.no_build and data.get("build", True),
        kustomize_command=flags.kustomize_command or data.get("kustomize-command"),
        helm_values=tuple(data.get("helm-values", [])) + flags.values,
        helm_set=tuple(data.get("helm-set", [])) + flags.set_values,
    )
    if flags.max_bytes is not None:
        settings.max_bytes = flags.max_bytes
    fail_level = flags.fail_level or data.get("fail-level") or "warning"
    return settings, fail_level
