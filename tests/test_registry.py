"""Rules are found through the `svclint.rules` entry-point group: built-ins and plugins alike."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from svclint.registry import PluginError, load_rules

PLUGIN = '''"""Services must not be named foo.

## What it checks
The name.
## Why it matters
Nobody likes foo.
## Example
```yaml
apiVersion: v1
kind: Service
metadata: {name: foo}
```
## Fix
```yaml
apiVersion: v1
kind: Service
metadata: {name: bar}
```
"""
from svclint.api import problem

ID = "acme/no-foo"
LEVEL = "warning"
TARGET = "services"


def check(svc, graph):
    if svc.name == "foo":
        yield problem(svc.obj, None, "a Service named `foo`")
'''


def _install(tmp_path: Path, module: str, body: str) -> None:
    (tmp_path / f"{module}.py").write_text(body)
    dist = tmp_path / f"{module}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[svclint.rules]\nacme = {module}\n")


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    load_rules.cache_clear()
    yield tmp_path
    load_rules.cache_clear()
    for name in [m for m in sys.modules if m.startswith("acme_")]:
        del sys.modules[name]


def test_builtin_rules_without_plugins() -> None:
    rules = load_rules()
    assert len(rules) == 34
    assert all(spec.origin == "builtin" for spec in rules.values())


def test_plugin_rule_is_discovered(fresh_registry: Path) -> None:
    _install(fresh_registry, "acme_rules", PLUGIN)
    rules = load_rules()
    assert rules["acme/no-foo"].origin == "acme" and rules["acme/no-foo"].level == "warning"
    assert "service-selector-no-match" in rules


def test_broken_plugin_fails_loudly_with_its_name(fresh_registry: Path) -> None:
    _install(fresh_registry, "acme_broken", PLUGIN.replace('ID = "acme/no-foo"', 'ID = "No Foo"'))
    with pytest.raises(PluginError, match=r"acme_broken.*not kebab-case"):
        load_rules()
