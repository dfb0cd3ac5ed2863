"""Rules are found through the `svclint.rules` entry-point group: built-ins and plugins alike."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from svclint.lint.registry import (
    _TARGET_TYPES,
    INDEXED,
    PluginError,
    RuleSpec,
    builtin_specs_from_modules,
    load_rules,
)

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
from svclint.api import Cluster, PodSource, problem

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
    assert len(rules) == 40
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


def test_plugin_kinds_must_be_a_tuple_of_kind_names(fresh_registry: Path) -> None:
    _install(fresh_registry, "acme_kinds", PLUGIN + '\nKINDS = "Service"\n')
    with pytest.raises(PluginError, match=r"acme_kinds.*KINDS must be a tuple"):
        load_rules()


def test_check_must_take_what_its_target_passes(fresh_registry: Path) -> None:
    _install(
        fresh_registry,
        "acme_sig",
        PLUGIN.replace("def check(svc, graph):", "def check(svc: PodSource, cluster: Cluster):"),
    )
    with pytest.raises(PluginError, match=r"TARGET 'services' calls `check` with a `Service`"):
        load_rules()


def test_every_builtin_check_matches_its_target() -> None:
    for spec in builtin_specs_from_modules():  # validated on import: this imports them all
        module = importlib.import_module(spec.module)
        first = next(iter(module.check.__annotations__.values()))
        assert first in _TARGET_TYPES[spec.target], (spec.id, first)


def test_rules_may_import_only_the_rule_api() -> None:
    """`rules/ruff.toml` bans every internal module of svclint in rule modules (ruff's TID251),
    so the list must name each of them: everything but `svclint.api` and `svclint.k8s`."""
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "rules" / "ruff.toml").read_text(encoding="utf-8"))
    banned = set(config["lint"]["flake8-tidy-imports"]["banned-api"])
    internal = {
        f"svclint.{p.stem}"
        for p in (root / "svclint").iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").is_file())
        and p.stem not in ("__init__", "__main__", "api", "k8s")
    }
    assert banned == internal
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", "rules"],
        capture_output=True, text=True, check=False, cwd=root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout


# -- the built-in rule index: metadata without imports --------------------------------------


def test_index_matches_every_rule_module() -> None:
    by_index = load_rules()
    by_module = {spec.id: spec for spec in builtin_specs_from_modules()}
    assert set(by_index) == set(by_module)
    for rule_id, spec in by_module.items():
        for field in ("id", "origin", *INDEXED):
            assert getattr(by_index[rule_id], field) == getattr(spec, field), (rule_id, field)
        assert by_index[rule_id].check is spec.check and by_index[rule_id].doc == spec.doc


def test_stale_index_entry_is_an_error_when_the_rule_is_imported() -> None:
    real = load_rules()["service-selector-no-match"]
    fields = {f: getattr(real, f) for f in ("id", "origin", *INDEXED)}
    stale = RuleSpec(**{**fields, "level": "info"})
    with pytest.raises(PluginError, match=r"_index.py is stale: level of `service-selector-no-m"):
        stale.check  # noqa: B018 - the property imports and compares


def test_a_rule_missing_from_the_index_is_imported_eagerly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = importlib.import_module("svclint.rules._index")
    rules = dict(index.RULES)
    total = len(rules)
    del rules["probe-port-not-found"]
    monkeypatch.setattr(index, "RULES", rules)
    load_rules.cache_clear()
    try:
        spec = load_rules()["probe-port-not-found"]
        assert spec._check is not None and spec.level == "error"  # read from the module itself
        assert len(load_rules()) == total
    finally:
        load_rules.cache_clear()


LAZY_PROBE = """
import sys
from svclint.entry import main
sys.argv = ["svclint", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(",".join(sorted(m.rpartition(".")[2] for m in sys.modules if m.startswith("svclint.rules."))))
"""

DEPLOYMENT_AND_SERVICE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
"""

NETWORK_POLICY = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec: {podSelector: {}}
"""


def _imported_rules(tmp_path: Path, text: str) -> set[str]:
    path = tmp_path / "in.yaml"
    path.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE, "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return set(proc.stdout.strip().splitlines()[-1].split(","))


def test_a_run_imports_only_the_rules_its_input_needs(tmp_path: Path) -> None:
    plain = _imported_rules(tmp_path, DEPLOYMENT_AND_SERVICE)
    assert "service_selector_no_match" in plain and "probe_port_not_found" in plain
    # No NetworkPolicy, Ingress, StatefulSet or EndpointSlice: their rules stay unimported.
    assert not plain & {
        "networkpolicy_blocks_service",
        "ingress_backend_not_found",
        "statefulset_service_missing",
        "endpoints_port_mismatch",
    }
    # Off by default: never imported.
    assert "service_port_unnamed" not in plain
    with_policy = _imported_rules(tmp_path, DEPLOYMENT_AND_SERVICE + NETWORK_POLICY)
    assert with_policy - plain == {"networkpolicy_blocks_service"}


STALE_DRIVER = """
import sys
import svclint.rules._index as index
index.RULES["service-selector-no-match"]["level"] = "info"
from svclint.cli import main
sys.argv[0] = "svclint"
main()
"""


def test_stale_index_stops_the_run_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(DEPLOYMENT_AND_SERVICE)
    proc = subprocess.run(
        [sys.executable, "-c", STALE_DRIVER, str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "svclint: error: rules/_index.py is stale: level of `service-selector-no-match`" in (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr
