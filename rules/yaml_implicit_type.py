"""An unquoted value that Kubernetes reads as a boolean, number or null where it needs a string.

## What it checks

Unquoted scalars in fields the Kubernetes API types as strings: label and annotation values (on
every object and on pod templates), selector values (`selector`, `matchLabels`,
`matchExpressions[].values`, `nodeSelector`), env `value`, names (`metadata.name`, container,
port, env and volume names), and ConfigMap `data` / Secret `stringData` values. They are judged as
Kubernetes' own decoder reads them (sigs.k8s.io/yaml on go-yaml v2), whose resolver is neither
YAML 1.1 nor 1.2: `y`, `n`, `yes`, `no`, `on`, `off` (in any of their cases) and `true`/`false` are
booleans; `~` and `null` are null; `1.10`, `1e3`, `0755`, `0x1F`, `1_000` are numbers; `1:20`
stays a string.

## Why it matters

The apply fails with `cannot unmarshal bool into Go struct field ... of type string` (or `number`).
Worse, tools that coerce the value silently change it: `version: 1.10` becomes `1.1`, and
`enabled: on` becomes `true`.

## Example

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    canary: yes
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          env:
            - name: APP_VERSION
              value: 1.10
```

## Fix

Quote the values (`--fix` does it: the value in double quotes, nothing else on the line changes):

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    canary: "yes"
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          env:
            - name: APP_VERSION
              value: "1.10"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, K8sObject, Map, Node, Problem, Scalar, Seq, fix_quote, problem

ID = "yaml-implicit-type"
LEVEL = "error"
ENABLED = True
TARGET = "objects"
FIX = "safe"

_STRING_MAPS = frozenset({"labels", "annotations", "matchLabels", "nodeSelector"})
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
_MAX_DEPTH = 12  # pod specs sit at most ~6 levels down (CronJob); CR specs are not walked


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    found: list[tuple[Scalar, str]] = []
    if obj.meta is not None:
        _metadata(obj.meta, "metadata", found)
    spec = obj.spec
    if obj.kind in ("ConfigMap", "Secret"):
        for key in ("data", "stringData") if obj.kind == "Secret" else ("data",):
            _string_map(obj.root.map(key), key, found)
    elif spec is not None and obj.group in _BUILTIN_GROUPS:
        if obj.kind in ("Service", "ReplicationController"):
            _string_map(spec.map("selector"), "spec.selector", found)
        _walk_builtin(spec, "spec", found, 0)
    for node, where in found:
        yield problem(
            obj, node, _message(node, where), hint=f'quote it: `"{node.text}"`',
            fix=fix_quote(obj.file, node),
        )  # fmt: skip


_BUILTIN_GROUPS = frozenset({"", "apps", "batch", "networking.k8s.io", "policy", "autoscaling"})


def _message(node: Scalar, where: str) -> str:
    value = node.value
    if value is None:
        kind = "null"
    elif isinstance(value, bool):
        kind = f"the boolean `{'true' if value else 'false'}`"
    else:
        kind = f"the number `{value}`"
    return (
        f"`{node.text}` in `{where}` is read as {kind} by Kubernetes' YAML decoder, "
        "but the field is a string: the apply fails"
    )


def _typed(node: Node | None) -> Scalar | None:
    """A plain scalar that does not resolve to a string (an empty value is not judged here)."""
    if isinstance(node, Scalar) and node.plain and not isinstance(node.value, str) and node.text:
        return node
    return None


def _string_map(m: Map | None, where: str, found: list[tuple[Scalar, str]]) -> None:
    if m is None:
        return
    for key, value in m.items():
        bad = _typed(value)
        if bad is not None:
            found.append((bad, f"{where}.{key}"))


def _metadata(meta: Map, where: str, found: list[tuple[Scalar, str]]) -> None:
    for key in ("name", "namespace", "generateName"):
        bad = _typed(meta.get(key))
        if bad is not None:
            found.append((bad, f"{where}.{key}"))
    for key in ("labels", "annotations"):
        _string_map(meta.map(key), f"{where}.{key}", found)


def _walk_builtin(node: Node, where: str, found: list[tuple[Scalar, str]], depth: int) -> None:
    """String-typed fields of built-in specs: templates, selectors, containers."""
    if depth > _MAX_DEPTH or not isinstance(node, Map):
        return
    for key, value in node.items():
        path = f"{where}.{key}"
        if key == "metadata" and isinstance(value, Map):
            _metadata(value, path, found)
        elif key in _STRING_MAPS:
            _string_map(value if isinstance(value, Map) else None, path, found)
        elif key == "matchExpressions" and isinstance(value, Seq):
            for i, expr in enumerate(value.maps()):
                for v in expr.seq("values") or ():
                    bad = _typed(v)
                    if bad is not None:
                        found.append((bad, f"{path}[{i}].values"))
        elif key in _CONTAINER_LISTS and isinstance(value, Seq):
            for i, c in enumerate(value.maps()):
                _container(c, f"{path}[{i}]", found)
        elif key == "volumes" and isinstance(value, Seq):
            _names(value, path, found)
        elif isinstance(value, Map):
            _walk_builtin(value, path, found, depth + 1)


def _names(seq: Seq, where: str, found: list[tuple[Scalar, str]]) -> None:
    for i, item in enumerate(seq.maps()):
        bad = _typed(item.get("name"))
        if bad is not None:
            found.append((bad, f"{where}[{i}].name"))


def _container(c: Map, where: str, found: list[tuple[Scalar, str]]) -> None:
    bad = _typed(c.get("name"))
    if bad is not None:
        found.append((bad, f"{where}.name"))
    for key in ("ports", "volumeMounts"):
        seq = c.seq(key)
        if seq is not None:
            _names(seq, f"{where}.{key}", found)
    env = c.seq("env")
    if env is not None:
        _names(env, f"{where}.env", found)
        for i, item in enumerate(env.maps()):
            bad = _typed(item.get("value"))
            if bad is not None:
                found.append((bad, f"{where}.env[{i}].value"))
