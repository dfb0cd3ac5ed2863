"""The same object (group, kind, namespace, name) defined more than once in the linted files.

## What it checks

Objects are the same when they have the same API group, `kind`, namespace (after defaulting: an
object without `metadata.namespace` is in the run's namespace, `--namespace`, default `default`;
cluster-scoped kinds have none) and `metadata.name`. Items of a `kind: List` count like any other
object. The version does not matter: `apps/v1` and `apps/v1beta2` Deployments are one resource,
and so are the kinds that moved between groups while the API server served both, because they
shared one storage: `extensions` Deployment, DaemonSet and ReplicaSet (`apps`), `extensions`
Ingress and NetworkPolicy (`networking.k8s.io`), `extensions` PodSecurityPolicy (`policy`), and
`events.k8s.io` Event (core). Objects named only by `generateName` are never duplicates: each
create gets a fresh name.

Each duplicated object is reported once, at the `metadata.name` of its second definition, with
every other definition as a related location; the message lists the places and says whether the
definitions are identical (`metadata.namespace` aside). Files loaded with `--context` are not part
of the linted set and are not compared, and neither are objects of two lint units: two
kustomize overlays built from one base are two variants, not one bundle.

## Why it matters

Applied together, the later definition silently overwrites the earlier one (`kubectl apply`), or
the whole operation fails (`kustomize build`: "may not add resource with an already registered
id"; `helm install`: "... already exists"). Two different definitions usually mean two variants
of a bundle (an HA and a non-HA install, two overlays) were combined by mistake, or a copy-pasted
object kept its old name.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: api}
  ports:
    - port: 8080
```

## Fix

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
    - port: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Map,
    Node,
    Problem,
    Related,
    Scalar,
    Seq,
    problem,
    quote_list,
)

ID = "duplicate-object"
LEVEL = "error"
ENABLED = True
TARGET = "cluster"

# (old group, kind) -> the group that stores the same resource. While a cluster served both
# groups, an object written through one was read back through the other (one etcd key).
_SAME_RESOURCE = {
    ("extensions", "Deployment"): "apps",
    ("extensions", "DaemonSet"): "apps",
    ("extensions", "ReplicaSet"): "apps",
    ("extensions", "Ingress"): "networking.k8s.io",
    ("extensions", "NetworkPolicy"): "networking.k8s.io",
    ("extensions", "PodSecurityPolicy"): "policy",
    ("events.k8s.io", "Event"): "",
}

Key = tuple[str, str, str, str]


def check(cluster: Cluster, _: Cluster) -> Iterator[Problem]:
    seen: dict[Key, list[K8sObject]] = {}
    for obj in cluster.objects:
        if obj.file.context_only or obj.meta is None:
            continue
        name = obj.meta.get_str("name")
        if not name:
            continue  # generateName only (every create makes a new object), or not a string
        group = obj.group
        key = (_SAME_RESOURCE.get((group, obj.kind), group), obj.kind, obj.namespace, name)
        seen.setdefault(key, []).append(obj)
    for defs in seen.values():
        if len(defs) > 1:
            yield _report(defs)


def _report(defs: list[K8sObject]) -> Problem:
    first, obj = defs[0], defs[1]
    what = f"`{obj.ref}`"
    versions = list(dict.fromkeys(d.api_version for d in defs))
    if len(versions) > 1:
        what += f" ({quote_list(versions)} name the same resource)"
    total = len(defs)
    times = "twice" if total == 2 else f"{total} times"
    places = [_where(d) for d in defs[:6]] + ([f"{total - 6} more places"] if total > 6 else [])
    shown = ", ".join(places[:-1]) + " and " + places[-1]
    message = f"{what} is defined {times}: at {shown}"
    different = sum(1 for d in defs[1:] if not _same_object(first.root, d.root))
    if not different:
        message += "; the copies are identical"
        hint = "delete the copies (were several bundles or overlays linted together?)"
    else:
        message += (
            "; the definitions differ, and on apply the last one silently overwrites the others"
        )
        hint = "rename all but one, or lint only one variant of the bundle"
    related = [
        Related(d, d.name_node(), f"definition {n} of `{d.ref}`")
        for n, d in enumerate(defs, 1)
        if d is not obj
    ]
    return problem(obj, obj.name_node(), message, hint=hint, related=related)


def _where(obj: K8sObject) -> str:
    at = f"{obj.file.path}:{obj.name_node().line}"
    if obj.source and obj.source != obj.file.path:
        at += f" (from `{obj.source}`)"
    return at


def _same_object(a: Map, b: Map) -> bool:
    """Same data, `metadata.namespace` aside: it is already known to resolve alike."""
    if a.values.keys() != b.values.keys():
        return False
    for key, value in a.values.items():
        other = b.values[key]
        if key == "metadata" and isinstance(value, Map) and isinstance(other, Map):
            keys = (value.values.keys() | other.values.keys()) - {"namespace"}
            if not all(_same(value.get(k), other.get(k)) for k in keys):
                return False
        elif not _same(value, other):
            return False
    return True


def _same(a: Node | None, b: Node | None, depth: int = 0) -> bool:
    """Whether two node trees hold the same data (positions and comments aside)."""
    if a is b:
        return True  # one aliased node: no need to walk it
    if depth > 64:
        return False  # absurdly deep: call them different rather than recurse on
    if isinstance(a, Scalar) and isinstance(b, Scalar):
        return a.value == b.value and type(a.value) is type(b.value)
    if isinstance(a, Map) and isinstance(b, Map):
        return a.values.keys() == b.values.keys() and all(
            _same(v, b.values[k], depth + 1) for k, v in a.values.items()
        )
    if isinstance(a, Seq) and isinstance(b, Seq):
        return len(a) == len(b) and all(
            _same(x, y, depth + 1) for x, y in zip(a.items, b.items, strict=True)
        )
    return a is None and b is None
