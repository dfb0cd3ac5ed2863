"""Rule discovery: the built-in rules, and plugins through the `svclint.rules` entry-point group.

An entry point names a module (one rule) or a package (every submodule is a rule, sorted). The
metadata is validated when loaded, so a broken plugin fails loudly with its name, before linting.

The built-ins are described by a generated index (`rules/_index.py`, written by `python -m
svclint.docs` from the modules' metadata, checked in CI), and each module is imported only when
its `check` or `doc` is first used: the engine runs a rule only when the input holds what it
reads (its `TARGET` and `KINDS`), so a one-file pre-commit run imports a third fewer modules.
When a module is imported, its metadata must equal the index's, or the run stops with an error.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from types import ModuleType
from typing import Any

from .fixes import SAFETIES, Safety
from .problem import LEVELS, Level, Problem, Target

ENTRY_POINT_GROUP = "svclint.rules"
BUILTIN_PACKAGE = "svclint.rules"
_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*(/[a-z][a-z0-9]*(-[a-z0-9]+)*)?")
_TARGETS = ("services", "pod_sources", "objects", "cluster")
# Earlier names of a TARGET, still accepted from plugins: "graph" was the whole input.
_TARGET_ALIASES = {"graph": "cluster"}
# What `check` is called with for each TARGET, as its first parameter's annotation may name it.
_TARGET_TYPES = {
    "services": ("Service",),
    "pod_sources": ("PodSource",),
    "objects": ("K8sObject",),
    "cluster": ("Cluster", "Graph"),
}
# What the index records of each rule (RuleSpec's fields besides id, origin, check and doc).
INDEXED = ("module", "level", "enabled", "target", "kinds", "tags", "fix", "summary")

CheckFn = Callable[..., Iterator[Problem]]


class PluginError(Exception):
    """A rule module that does not follow the contract."""


class RuleSpec:
    """A rule's metadata, and its module's `check` and Markdown doc (imported on first use)."""

    __slots__ = (
        "_check",
        "_doc",
        "enabled",
        "fix",
        "id",
        "kinds",
        "level",
        "module",
        "origin",
        "summary",
        "tags",
        "target",
    )

    def __init__(
        self,
        id: str,
        level: Level,
        enabled: bool,
        target: Target,
        summary: str,
        module: str,
        origin: str,  # "builtin" or the entry point's name
        tags: tuple[str, ...] = (),  # optional `TAGS` ("security" marks a security rule)
        kinds: tuple[str, ...] = (),  # optional `KINDS`: it runs only when the input has one
        fix: Safety | None = None,  # optional `FIX`: "safe" or "unsafe" (changes traffic)
        *,
        check: CheckFn | None = None,  # None: imported from `module` on first use
        doc: str | None = None,  # the docstring below the summary (Markdown)
    ) -> None:
        self.id = id
        self.level = level
        self.enabled = enabled
        self.target = target
        self.summary = summary
        self.module = module
        self.origin = origin
        self.tags = tags
        self.kinds = kinds
        self.fix = fix
        self._check = check
        self._doc = doc

    def __repr__(self) -> str:
        return f"RuleSpec({self.id!r}, {self.module!r}, {self.origin!r})"

    @property
    def check(self) -> CheckFn:
        if self._check is None:
            self._load()
        assert self._check is not None
        return self._check

    @property
    def doc(self) -> str:
        if self._doc is None:
            self._load()
        assert self._doc is not None
        return self._doc

    def _load(self) -> None:
        try:
            mod = importlib.import_module(self.module)
        except Exception as exc:
            raise PluginError(f"cannot import rule `{self.id}` ({self.module}): {exc}") from exc
        actual = spec_from_module(mod, self.origin)
        stale = [f for f in ("id", *INDEXED) if getattr(actual, f) != getattr(self, f)]
        if stale:
            raise PluginError(
                f"rules/_index.py is stale: {', '.join(stale)} of `{self.id}` differ from"
                f" {self.module} (run `python -m svclint.docs`)"
            )
        self._check, self._doc = actual._check, actual._doc


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
    target = _TARGET_ALIASES.get(mod.TARGET, mod.TARGET)
    if target not in _TARGETS:
        raise PluginError(f"{where}: TARGET must be one of {', '.join(_TARGETS)}")
    wrong = _check_parameter_problem(mod.check, target)
    if wrong:
        raise PluginError(f"{where}: {wrong}")
    kinds: Any = getattr(mod, "KINDS", ())
    if not isinstance(kinds, tuple) or not all(isinstance(k, str) and k for k in kinds):
        raise PluginError(f"{where}: KINDS must be a tuple of kind names")
    fix: Any = getattr(mod, "FIX", None)
    if fix is not None and fix not in SAFETIES:
        raise PluginError(f"{where}: FIX must be one of {', '.join(SAFETIES)} (or absent)")
    summary, _, doc = mod.__doc__.strip().partition("\n")
    return RuleSpec(
        id=rule_id,
        level=mod.LEVEL,
        enabled=bool(getattr(mod, "ENABLED", True)),
        target=target,
        summary=summary.strip(),
        module=mod.__name__,
        origin=origin,
        tags=tuple(getattr(mod, "TAGS", ())),
        kinds=kinds,
        fix=fix,
        check=mod.check,
        doc=doc.strip(),
    )


def _check_parameter_problem(check: Any, target: str) -> str | None:
    """Why `check`'s first parameter is not what the engine passes for `target` (judged on its
    annotation, a string under `from __future__ import annotations`; none: not judged)."""
    annotations = getattr(check, "__annotations__", {})
    code = getattr(check, "__code__", None)
    if code is None or code.co_argcount < 2:
        return "`check` must take (item, cluster)"
    first = annotations.get(code.co_varnames[0])
    if first is None:
        return None
    name = first if isinstance(first, str) else getattr(first, "__name__", str(first))
    name = name.rpartition(".")[2]
    if name not in _TARGET_TYPES[target]:
        wanted = " or ".join(f"`{t}`" for t in _TARGET_TYPES[target])
        return f"TARGET {target!r} calls `check` with a {wanted}, but it is annotated `{name}`"
    return None


def _module_names(package: ModuleType) -> list[str]:
    # A listing of the package folders (pkgutil costs ~10 ms of imports at every start).
    names = {
        entry[:-3]
        for folder in package.__path__
        for entry in (os.listdir(folder) if os.path.isdir(folder) else ())
        if entry.endswith(".py") and not entry.startswith("_")
    }
    return sorted(names)


def _modules(target: str) -> Iterator[ModuleType]:
    mod = importlib.import_module(target)
    if not hasattr(mod, "__path__"):
        yield mod
        return
    for name in _module_names(mod):
        yield importlib.import_module(f"{target}.{name}")


def builtin_specs_from_modules() -> list[RuleSpec]:
    """The built-in rules read from their modules (every one imported): what the index holds."""
    return [spec_from_module(mod, "builtin") for mod in _modules(BUILTIN_PACKAGE)]


def _builtin_specs() -> Iterator[RuleSpec]:
    """The built-ins from the index; a module it does not list yet (a rule added since the index
    was generated) is imported now. The folder listing decides which rules exist."""
    try:
        package = importlib.import_module(BUILTIN_PACKAGE)
    except ModuleNotFoundError as exc:
        # `rules/` becomes `svclint.rules` only through the install's package mapping: the
        # checkout's own `svclint/` folder, first on sys.path (`python -m svclint` in it), lacks it.
        raise PluginError(
            f"the built-in rules are not importable ({exc}): the `svclint` package found first"
            f" is {os.path.dirname(__file__)}, a source folder; run svclint outside the checkout"
            " or install it with `pip install -e .`"
        ) from exc
    rules: dict[str, dict[str, Any]] = importlib.import_module(f"{BUILTIN_PACKAGE}._index").RULES
    indexed = {entry["module"]: (rule_id, entry) for rule_id, entry in rules.items()}
    for name in _module_names(package):
        module = f"{BUILTIN_PACKAGE}.{name}"
        if module in indexed:
            rule_id, entry = indexed[module]
            yield RuleSpec(id=rule_id, origin="builtin", **entry)
        else:
            yield spec_from_module(importlib.import_module(module), "builtin")


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
    specs = list(_builtin_specs())
    if _plugins_installed():
        from importlib.metadata import entry_points  # slow to import: only when needed

        eps = entry_points(group=ENTRY_POINT_GROUP)
        for name, target in sorted((ep.name, ep.value) for ep in eps if ep.name != "builtin"):
            try:
                mods = list(_modules(target))
            except Exception as exc:
                raise PluginError(f"cannot load rule plugin `{name}` ({target}): {exc}") from exc
            specs += [spec_from_module(mod, name) for mod in mods]
    rules: dict[str, RuleSpec] = {}
    for spec in specs:
        if spec.id in rules:
            raise PluginError(f"rule id `{spec.id}` is defined twice ({spec.module})")
        rules[spec.id] = spec
    return dict(sorted(rules.items()))
