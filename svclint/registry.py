"""Rule discovery through the `svclint.rules` entry-point group, built-ins included.

An entry point names a module (one rule) or a package (every submodule is a rule, sorted). The
metadata is validated when loaded, so a broken plugin fails loudly with its name, before linting.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
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
    for info in sorted(pkgutil.iter_modules(mod.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{target}.{info.name}")


@cache
def load_rules() -> dict[str, RuleSpec]:
    """Every installed rule by id, built-ins first; duplicates are an error."""
    eps = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name != "builtin", e.name))
    if not any(ep.name == "builtin" for ep in eps):
        # Running from a source tree that was never installed: the built-ins still exist.
        eps.insert(0, None)  # type: ignore[arg-type]
    rules: dict[str, RuleSpec] = {}
    for ep in eps:
        name = "builtin" if ep is None else ep.name
        target = "svclint.rules" if ep is None else ep.value
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
