"""A Gateway API route backend naming a Service, or a port of it, that is not there.

## What it checks

Every Service backend of an HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute
(`gateway.networking.k8s.io`, every served version: v1, v1beta1, v1alpha2, v1alpha3): each
`spec.rules[].backendRefs[]`, and the `requestMirror.backendRef` of a filter in
`rules[].filters[]` or `rules[].backendRefs[].filters[]`. A backendRef is a Service reference
when its `group` is `""` and its `kind` is `Service`, which are also the defaults; other kinds
(`ServiceImport`, a custom backend) are not judged.

- The Service must exist in the ref's `namespace` (by default the route's). The Service
  `kubernetes` in `default` exists in every cluster though no manifest holds it.
- The ref must have a `port`: the CRD's validation rejects the route without one ("Must have
  port for Service reference"), whatever the Service.
- The `port` must be one of the Service's `spec.ports[].port`, not a `targetPort`, `nodePort`
  or container port; the message says when it is one of those. An ExternalName Service's ports
  are not judged.

Several backends of one route naming the same missing Service (or Service port) give one
finding, at the first, with the others as related locations. A missing Service is reported as
`info` (svclint cannot tell whether it exists) when no Service of the target namespace was
part of the input, and when a custom resource of that namespace is named like its beginning
(`<name>-...`): operators name the Services they create after their resource (KubeRay's
RayService `llm` creates `llm-head-svc`). Whether a cross-namespace reference is allowed is
`route-backend-not-permitted`'s business.

## Why it matters

The route is accepted, but its `ResolvedRefs` condition turns False (`BackendNotFound`;
implementations report a Service without that port the same way), and the data plane has no
endpoints for that backend: an HTTPRoute answers HTTP 500 for the share of the rule's requests
the backend's weight gives it (all of them when it is the only backend), a GRPCRoute answers
`UNAVAILABLE`, TLSRoute and TCPRoute reject that share of connections, and UDPRoute drops that
share of packets. A broken `requestMirror` backend silently mirrors nothing. A backend without a
`port` never gets that far: the API server rejects the whole route.

## Example

```yaml
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
spec:
  parentRefs:
    - name: edge
  rules:
    - backendRefs:
        - name: web
          port: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
```

## Fix

Name the Service `port`, not the port the pods listen on. `--fix --unsafe-fixes` writes the
Service port when the written one is its targetPort or its pods' container port:

```yaml
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
spec:
  parentRefs:
    - name: edge
  rules:
    - backendRefs:
        - name: web
          port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Problem,
    Ref,
    Related,
    Service,
    closest,
    fix_replace,
    problem,
    quote_list,
)
from svclint.k8s.gateway import ROUTE_KINDS, BackendRef, backend_refs, is_route, unserved_traffic
from svclint.k8s.operators import may_create, possible_creator
from svclint.k8s.ports import service_port
from svclint.k8s.service_refs import port_list, port_mixup, resolve

ID = "route-backend-not-found"
LEVEL = "error"
ENABLED = True
TARGET = "objects"
KINDS = ROUTE_KINDS
FIX = "unsafe"

# A name within 30% of its length in edits is a likely typo; names of one family share
# prefixes (`orders-db`, `orders-audit`) that the looser default would offer.
NEAR = 0.3


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    if not is_route(obj):
        return
    # One finding per broken reference (the Service, and the port when one is named), at its
    # first backend; the other backends naming it are related locations (mirrors apart: what
    # breaks differs).
    groups: dict[tuple[str, str, bool], list[BackendRef]] = {}
    for b in backend_refs(obj):
        if not b.is_service:
            continue
        status = _status(b, cluster)
        if status is not None:
            groups.setdefault((status, b.reference().key, b.mirror), []).append(b)
    for (status, _, _), refs in groups.items():
        yield _problem(obj, status, refs, cluster)


def _status(b: BackendRef, cluster: Cluster) -> str | None:
    """What is wrong with the reference: "no-port-field" (no `port`), "missing", "unknown"
    (no Service of the namespace in the input) or "no-port"; None when it resolves."""
    if b.port_node is None:
        return "no-port-field"
    if b.port is None:
        # Not a number: the schema rejects it (schema-invalid's business); the Service is judged.
        result = resolve(cluster, b.namespace, b.name)
        return None if result.status == "found" else result.status
    result = resolve(cluster, b.namespace, b.name, b.reference().port)
    if (
        result.status == "no-port"
        and len(cluster.get("Service", b.namespace, b.name)) > 1
        and any(_has_port(s, b.port) for s in _twins(b, cluster))
    ):
        return None  # variants of one bundle linted together: one of them has the port
    return None if result.status == "found" else result.status


def _twins(b: BackendRef, cluster: Cluster) -> list[Service]:
    return [s for s in cluster.services if s.namespace == b.namespace and s.name == b.name]


def _has_port(svc: Service, port: int) -> bool:
    return svc.type == "ExternalName" or service_port(svc, port) is not None


def _problem(obj: K8sObject, status: str, refs: list[BackendRef], cluster: Cluster) -> Problem:
    first, more = refs[0], refs[1:]
    ref = first.reference()
    svc = cluster.service(first.namespace, first.name)
    about: list[K8sObject | Ref] = [svc.obj] if svc is not None else [ref.target]
    lead = _lead(obj, first, more)
    target = _service(first)
    if status == "no-port-field":
        also = ""
        if (
            svc is None
            and cluster.has_services(first.namespace)
            and possible_creator(cluster, first.namespace, first.name) is None
        ):
            also = f" (and Service `{first.name}` does not exist in namespace `{first.namespace}`)"
        return problem(
            obj, first.name_node,
            f"{_lead(obj, first, more, 'names')} {target} without a `port`{also}: the API "
            'server rejects the route ("Must have port for Service reference")',
            hint=_set_port_hint(svc), related=[*_ports(svc), *_others(obj, more, False)],
            about=about, key=ref.key,
        )  # fmt: skip
    if status == "unknown":
        return problem(
            obj, first.name_node,
            f"{lead} {target}, but no Services of namespace `{first.namespace}` were part of the "
            "input, so svclint cannot tell whether it exists",
            related=_others(obj, more, False), level="info", about=about, key=ref.key,
        )  # fmt: skip
    maker = possible_creator(cluster, first.namespace, first.name) if svc is None else None
    if maker is not None:
        return problem(
            obj, first.name_node,
            f"{lead} Service `{first.name}`, which is not in the input; {may_create(maker)}",
            related=[Related(maker, maker.name_node(), f"{maker.ref}, a possible creator"),
                     *_others(obj, more, False)],
            level="info", about=about, key=ref.key,
        )  # fmt: skip
    if status == "missing" or svc is None:
        return problem(
            obj, first.name_node,
            f"{lead} Service `{first.name}`, which does not exist in namespace "
            f"`{first.namespace}`: "
            f"{_consequence(obj, first, more)}",
            hint=_missing_hint(first, cluster), related=_others(obj, more, False),
            about=about, key=ref.key,
        )  # fmt: skip
    port = first.port if first.port is not None else 0
    if len(cluster.get("Service", first.namespace, first.name)) > 1:
        twins = _twins(first, cluster)  # compare with the variant beside the route
        twins.sort(key=lambda s: s.obj.file is not obj.file)
        svc = twins[0]
    message = (
        f"{lead} port `{port}` of {target}, which has no such port (its ports: {port_list(svc)})"
    )
    hint = None
    mixup = port_mixup(cluster, svc, port)
    if mixup is not None:
        where = (
            f"port `{port}` of container `{mixup.container.name}`, which Service port "
            f"{mixup.port.label} sends to"
            if mixup.container is not None
            else f"the {mixup.field} of Service port {mixup.port.label}"
        )
        message += f"; `{port}` is {where}"
        hint = f"a backendRef names the Service `port`: use `{mixup.port.port}`"
    else:
        numbers = [p.port for p in svc.ports if p.port is not None]
        if len(numbers) == 1:
            hint = f"did you mean `{numbers[0]}`?"
    message += f": {_consequence(obj, first, more)}"
    node = first.port_node if first.port_node is not None else first.name_node
    # The classic mix-up: the Service port whose target was written (unsafe). Only this
    # backendRef: the others naming the same port are findings of their own on a rerun.
    fix = None
    if mixup is not None and mixup.port.port is not None and first.port_node is not None:
        new = mixup.port.port
        fix = fix_replace(obj.file, first.port_node, new, f"set the port to {new}", "unsafe")
    return problem(
        obj, node, message, hint=hint, related=[*_ports(svc), *_others(obj, more, True)],
        about=[svc.obj], key=ref.key, fix=fix,
    )  # fmt: skip


def _lead(obj: K8sObject, b: BackendRef, more: list[BackendRef], verb: str = "") -> str:
    n = len(more)
    also = f" (and {n} more backend{'s' if n > 1 else ''})" if n else ""
    verb = verb or ("mirrors to" if b.mirror else "routes to")
    return f"{b.where} of {obj.kind} `{obj.name}`{also} {verb}"


def _service(b: BackendRef) -> str:
    if b.cross_namespace:
        return f"Service `{b.name}` of namespace `{b.namespace}`"
    return f"Service `{b.name}`"


def _consequence(obj: K8sObject, b: BackendRef, more: list[BackendRef]) -> str:
    if b.mirror:
        return "implementations report BackendNotFound and mirror nothing there"
    if b.weight == 0 and not more:
        return (
            "it has weight 0, so it carries no traffic, but implementations still report "
            "BackendNotFound"
        )
    return "implementations report BackendNotFound, and " + unserved_traffic(
        obj.kind, b, bool(more)
    )


def _others(obj: K8sObject, more: list[BackendRef], port: bool) -> list[Related]:
    return [
        Related(
            obj,
            b.port_node if port and b.port_node is not None else b.name_node,
            f"also named by {b.where}",
        )
        for b in more
    ]


def _ports(svc: Service | None) -> list[Related]:
    if svc is None:
        return []
    spec = svc.spec
    at = spec.key_node("ports") if spec is not None and "ports" in spec else svc.obj.name_node()
    return [Related(svc.obj, at, f"ports of {svc.obj.ref}")]


def _set_port_hint(svc: Service | None) -> str:
    if svc is None:
        return "set `port` to the Service's `port` (not the port its pods listen on)"
    numbers = [p for p in svc.ports if p.port is not None]
    if len(numbers) == 1:
        return f"set `port: {numbers[0].port}`"
    return f"set `port` to one of the Service's ports: {port_list(svc)}"


def _missing_hint(b: BackendRef, cluster: Cluster) -> str | None:
    names = [s.name for s in cluster.services if s.namespace == b.namespace]
    near = closest(b.name, names, max_ratio=NEAR)
    if near is not None:
        return f"did you mean `{near}`?"
    elsewhere = sorted({s.namespace for s in cluster.services if s.name == b.name} - {b.namespace})
    if elsewhere:
        return (
            f"a Service `{b.name}` exists in namespace {quote_list(elsewhere)}: set the "
            "backendRef's `namespace` (a ReferenceGrant there must allow it)"
        )
    return None
