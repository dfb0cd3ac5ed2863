"""Rule discovery through the `svclint.rules` entry-point group.

An entry point names a module (one rule) or a package (every submodule is a rule, sorted). The
metadata is validated when loaded, so a broken plugin fails loudly with its name, before linting.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from .api import LEVELS, Level, Problem, Target

ENTRY_POINT_GROUP = "svclint.rules"
_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*(/[a-z][a-z0-9]*(-[a-z0-9]+)*)?")
_TARGETS = ("services", "pod_sources", "objects", "graph")


class PluginError(Exception):
    """A rule module that does not follow the contract."""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A loaded rule: its metadata and check function."""

    id: str
    level: Level
    enabled: bool
    target: Target
    summary: str
    doc: str  # the docstring below the summary (Markdown)
    check: Callable[..., Iterator[Problem]]
    module: str
    origin: str  # "builtin" or the entry point's name
    tags: tuple[str, ...] = ()  # optional `TAGS` ("security" marks a security rule)


def spec_from_module(mod: ModuleType, origin: str) -> RuleSpec:
    where = f"{mod.__name__} ({origin})"
    missing = [a for a in ("ID", "LEVEL", "TARGET", "check") if not hasattr(mod, a)]
    if missing or not mod.__doc__:
        raise PluginError(f"{where}: missing {', '.join(missing) or 'docstring'}")
    rule_id: Any = mod.ID
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise PluginError(f"{where}: ID {rule_id!r} is not kebab-case")
    if origin != "builtin" and "/" not in rule_id:
        raise PluginError(f"{where}: plugin rule ids are namespaced as `{origin}/<id>`")
    if mod.LEVEL not in LEVELS:
        raise PluginError(f"{where}: LEVEL must be one of {', '.join(LEVELS)}")
    if mod.TARGET not in _TARGETS:
        raise PluginError(f"{where}: TARGET must be one of {', '.join(_TARGETS)}")
    summary, _, doc = mod.__doc__.strip().partition("\n")
    return RuleSpec(
        id=rule_id,
        level=mod.LEVEL,
        enabled=bool(getattr(mod, "ENABLED", True)),
        target=mod.TARGET,
        summary=summary.strip(),
        doc=doc.strip(),
        check=mod.check,
        module=mod.__name__,
        origin=origin,
        tags=tuple(getattr(mod, "TAGS", ())),
    )


def _modules(target: str) -> Iterator[ModuleType]:
    mod = importlib.import_module(target)
    if not hasattr(mod, "__path__"):
        yield mod
        return
    # A listing of the package folders (pkgutil costs ~10 ms of imports at every start).
    names = {
        entry[:-3]
        for folder in mod.__path__
        for entry in (os.listdir(folder) if os.path.isdir(folder) else ())
        if entry.endswith(".py") and not entry.startswith("_")
    }
    for name in sorted(names):
        yield importlib.import_module(f"{target}.{name}")


def _plugins_installed() -> bool:
    """Whether any installed distribution declares a `svclint.rules` entry point besides ours.

    A directory scan of `*.dist-info/entry_points.txt` costs ~2 ms; importing importlib.metadata
    and asking it costs ~30 ms, a quarter of a pre-commit run on one file. So ask only when a
    scan finds one.
    """
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            try:
                with open(
                    os.path.join(entry or ".", name, "entry_points.txt"), encoding="utf-8"
                ) as fh:
                    text = fh.read()
            except OSError:
                continue
            if f"[{ENTRY_POINT_GROUP}]" in text and _declares_plugin(text):
                return True
    return False


def _declares_plugin(text: str) -> bool:
    section = text.split(f"[{ENTRY_POINT_GROUP}]", 1)[1].split("\n[", 1)[0]
    names = [line.split("=", 1)[0].strip() for line in section.splitlines() if "=" in line]
    return any(n != "builtin" for n in names)


@cache
def load_rules() -> dict[str, RuleSpec]:
    """Every installed rule by id, built-ins first; duplicates are an error."""
    targets: list[tuple[str, str]] = [("builtin", "svclint.rules")]
    if _plugins_installed():
        from importlib.metadata import entry_points  # slow to import: only when needed

        eps = entry_points(group=ENTRY_POINT_GROUP)
        targets += sorted((ep.name, ep.value) for ep in eps if ep.name != "builtin")
    rules: dict[str, RuleSpec] = {}
    for name, target in targets:
        try:
            mods = list(_modules(target))
        except Exception as exc:
            raise PluginError(f"cannot load rule plugin `{name}` ({target}): {exc}") from exc
        for mod in mods:
            spec = spec_from_module(mod, name)
            if spec.id in rules:
                raise PluginError(f"rule id `{spec.id}` is defined twice ({spec.module})")
            rules[spec.id] = spec
    return dict(sorted(rules.items()))
