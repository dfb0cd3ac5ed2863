"""A Gateway API route backend in another namespace that no ReferenceGrant allows.

## What it checks

Every Service backend (`spec.rules[].backendRefs[]` and `requestMirror.backendRef`; group `""`
and kind `Service`, the defaults) of an HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute
whose `namespace` is not the route's. A ReferenceGrant (`gateway.networking.k8s.io`, v1 or
v1beta1) **in the Service's namespace** must allow it, with

- a `from` entry whose `group` is `gateway.networking.k8s.io`, whose `kind` is the route's exact
  kind (`HTTPRoute` does not cover `GRPCRoute`) and whose `namespace` is the route's, and
- a `to` entry whose `group` is `""`, whose `kind` is `Service`, and whose `name` is absent (every
  Service of the namespace) or the Service's.

None of these fields has a default. The message names the grants of that namespace and the
field that keeps each from matching, and a grant placed in another namespace (a grant only
permits references into its own). Several backends of one route naming the same Service give
one finding. When the input holds neither a Service nor a ReferenceGrant of the target
namespace, the finding is `info`: svclint cannot tell whether a grant exists there.

## Why it matters

Without the grant the route is accepted but its `ResolvedRefs` condition turns False
(`RefNotPermitted`), and the data plane treats the backend as invalid: an HTTPRoute answers
HTTP 500 for the backend's share of the rule's requests (a GRPCRoute `UNAVAILABLE`), TLSRoute
and TCPRoute reject that share of connections and UDPRoute drops that share of packets; a
mirror backend mirrors nothing. Nothing in the route itself shows it: the permission lives with
the owner of the other namespace.

## Example

```yaml
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: frontend
spec:
  parentRefs:
    - name: edge
  rules:
    - backendRefs:
        - name: catalog
          namespace: backend
          port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: catalog
  namespace: backend
spec:
  selector:
    app: catalog
  ports:
    - port: 80
```

## Fix

Allow HTTPRoutes of `frontend` to name the Service, in the Service's namespace:

```yaml
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: frontend
spec:
  parentRefs:
    - name: edge
  rules:
    - backendRefs:
        - name: catalog
          namespace: backend
          port: 80
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: frontend-routes
  namespace: backend
spec:
  from:
    - group: gateway.networking.k8s.io
      kind: HTTPRoute
      namespace: frontend
  to:
    - group: ""
      kind: Service
      name: catalog
---
apiVersion: v1
kind: Service
metadata:
  name: catalog
  namespace: backend
spec:
  selector:
    app: catalog
  ports:
    - port: 80
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, K8sObject, Problem, Ref, Related, closest, problem
from svclint.k8s.gateway import (
    GROUP,
    ROUTE_KINDS,
    BackendRef,
    Grant,
    Mismatch,
    backend_refs,
    grant_mismatches,
    grants_in,
    is_route,
    misplaced_grants,
    permitted,
    unserved_traffic,
)

ID = "route-backend-not-permitted"
LEVEL = "error"
ENABLED = True
TARGET = "objects"
KINDS = ROUTE_KINDS

NEAR = 0.3  # a `to.name` within 30% of its length in edits of the Service's is a typo


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    if not is_route(obj):
        return
    groups: dict[str, list[BackendRef]] = {}
    for b in backend_refs(obj):
        if b.is_service and not permitted(cluster, obj, b.namespace, b.name):
            groups.setdefault(b.reference().key, []).append(b)
    for refs in groups.values():
        yield _problem(obj, refs, cluster)


def _problem(obj: K8sObject, refs: list[BackendRef], cluster: Cluster) -> Problem:
    first, more = refs[0], refs[1:]
    ns, name = first.namespace, first.name
    svc = cluster.service(ns, name)
    about: list[K8sObject | Ref] = [svc.obj] if svc is not None else [first.reference().target]
    n = len(more)
    also = f" (and {n} more backend{'s' if n > 1 else ''})" if n else ""
    verb = "mirrors to" if first.mirror else "routes to"
    lead = (
        f"{first.where} of {obj.kind} `{obj.name}`{also} {verb} Service `{name}` of namespace "
        f"`{ns}`"
    )
    others = [Related(obj, b.name_node, f"also named by {b.where}") for b in more]
    grants = grants_in(cluster, ns)
    misplaced = misplaced_grants(cluster, obj, ns, name)
    key = first.reference().key
    if not grants and not cluster.has_services(ns):
        where = (
            f"; ReferenceGrant {_names(misplaced)} would allow it but is in namespace "
            f"`{misplaced[0].obj.namespace}`, and a grant only permits references into its own "
            "namespace"
            if misplaced
            else ""
        )
        return problem(
            obj, first.name_node,
            f"{lead}, from namespace `{obj.namespace}`; no Services or ReferenceGrants of "
            f"namespace `{ns}` were part of the input, so svclint cannot tell whether a "
            f"ReferenceGrant there allows it{where}",
            related=[*_grant_notes(misplaced), *others], level="info", about=about, key=key,
        )  # fmt: skip
    message = (
        f"{lead}, from namespace `{obj.namespace}`, but no ReferenceGrant in `{ns}` allows "
        f"{obj.kind}s of `{obj.namespace}` to name it: implementations report RefNotPermitted, "
        f"and {unserved_traffic(obj.kind, first, bool(more))}"
    )
    related: list[Related] = []
    unserved = [g for g in grants if not g.served and not grant_mismatches(g, obj, name)]
    for g in unserved:
        message += (
            f"; ReferenceGrant `{g.obj.name}` would allow it, but its apiVersion "
            f"`{g.obj.api_version}` is no longer served"
        )
        related.append(
            Related(g.obj, g.obj.root.at("apiVersion"), f"{g.obj.ref}: not a served version")
        )
    nearest = [] if unserved else _nearest(obj, name, grants)
    if len(nearest) == 1:
        g, misses = nearest[0]
        message += f"; ReferenceGrant `{g.obj.name}` comes closest, but " + " and ".join(
            _miss(m, "has") for m in misses
        )
    elif nearest:
        message += f"; ReferenceGrants {_names([g for g, _ in nearest])} come closest"
    for g, misses in nearest:
        related.extend(Related(g.obj, m.node, f"{g.obj.ref}: {_miss(m, 'has')}") for m in misses)
    if misplaced:
        message += (
            f"; ReferenceGrant {_names(misplaced)} would allow it but is in namespace "
            f"`{misplaced[0].obj.namespace}`, and a grant only permits references into its own "
            "namespace"
        )
        related.extend(_grant_notes(misplaced))
    return problem(
        obj, first.name_node, message, hint=_hint(obj, first, nearest, misplaced, unserved),
        related=[*related, *others], about=about, key=key,
    )  # fmt: skip


def _nearest(obj: K8sObject, name: str, grants: list[Grant]) -> list[tuple[Grant, list[Mismatch]]]:
    """The served grants of the namespace that come closest (one or two fields off), at most
    three: the likely attempts at this permission. A grant for another Service is one only when
    the name it gives is near this one (a typo), not when it is simply for another Service."""
    scored = []
    for g in grants:
        misses = grant_mismatches(g, obj, name) if g.served else []
        other = [m for m in misses if m.field == "to.name" and m.have is not None]
        if misses and all(closest(name, [m.have or ""], max_ratio=NEAR) for m in other):
            scored.append((g, misses))
    if not scored:
        return []
    best = min(len(m) for _, m in scored)
    return [(g, m) for g, m in scored if len(m) == best][:3] if best <= 2 else []


def _names(grants: list[Grant]) -> str:
    return ", ".join(f"`{g.obj.name}`" for g in grants)


def _grant_notes(grants: list[Grant]) -> list[Related]:
    return [
        Related(
            g.obj, g.obj.name_node(), f"{g.obj.ref}: permits references into `{g.obj.namespace}`"
        )
        for g in grants
    ]


def _miss(m: Mismatch, verb: str) -> str:
    if m.want == "an entry":
        return f"has no `{m.field}` entry"
    want = '`""` (the core group)' if m.want == "" else f"`{m.want}`"
    if m.have is None:
        return f"{verb} no `{m.field}` (it has no default: {want} is needed)"
    return f"{verb} `{m.field}` `{m.have}`, not {want}"


# Fields whose near miss is a typo (fix the value) rather than a grant for something else (add
# an entry beside it).
_TYPO_FIELDS = frozenset({"from.group", "to.group"})


def _hint(
    obj: K8sObject,
    b: BackendRef,
    nearest: list[tuple[Grant, list[Mismatch]]],
    misplaced: list[Grant],
    unserved: list[Grant],
) -> str:
    if misplaced:
        return f"move ReferenceGrant `{misplaced[0].obj.name}` to namespace `{b.namespace}`"
    if unserved:
        return f"change ReferenceGrant `{unserved[0].obj.name}` to `apiVersion: {GROUP}/v1`"
    if len(nearest) == 1 and len(nearest[0][1]) == 1 and nearest[0][1][0].want != "an entry":
        g, (m,) = nearest[0]
        if m.field in _TYPO_FIELDS:
            value = '""' if m.want == "" else m.want
            side, field = m.field.split(".")
            return f"in the `{side}` entry of ReferenceGrant `{g.obj.name}`, set `{field}: {value}`"
        side = m.field.split(".")[0]
        entry = (
            f"{{group: {GROUP}, kind: {obj.kind}, namespace: {obj.namespace}}}"
            if side == "from"
            else f'{{group: "", kind: Service, name: {b.name}}}'
        )
        return f"add `{entry}` to the `{side}` list of ReferenceGrant `{g.obj.name}`"
    return (
        f"add a ReferenceGrant in namespace `{b.namespace}` with `from: [{{group: {GROUP}, "
        f'kind: {obj.kind}, namespace: {obj.namespace}}}]` and `to: [{{group: "", kind: '
        f"Service, name: {b.name}}}]`"
    )
