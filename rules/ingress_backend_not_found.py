"""An Ingress backend naming a Service, or a port of it, that is not there.

## What it checks

Every service backend of an Ingress: each `spec.rules[].http.paths[].backend` and the
`spec.defaultBackend`. Both forms are read:

- `networking.k8s.io/v1`: `service: {name, port: {number | name}}`;
- the legacy `extensions/v1beta1` and `networking.k8s.io/v1beta1` form: `serviceName` and
  `servicePort` (a number, or a string that names a port), with `spec.backend` as the default
  backend.

The Service must exist in the Ingress's own namespace, and the port must be one of its ports:
`port.number` (a numeric `servicePort`) is the Service `port`, not its `targetPort` or `nodePort`;
`port.name` (a string `servicePort`) is the Service port's `name`. Resource backends
(`resource:`) are skipped. Several backends of one Ingress naming the same missing Service (or
Service port) give one finding, at the first, with the others as related locations.

When no Service of the Ingress's namespace was part of the input at all, a missing Service is
reported as `info`: svclint cannot tell whether it exists. A backend pointing at an ExternalName
Service is not port-checked (controllers use the number as given for those).

## Why it matters

The Ingress API accepts a backend whatever it names; nothing checks that the Service or its port
exists. The controller then has no endpoints for that path: ingress-nginx answers 503, other
controllers 404 or 502, and only the controller's log says why.

## Example

```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 8080
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

Reference the Service `port` (or its name), not the container's port:

```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: http
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
from dataclasses import dataclass

from svclint.api import (
    Graph,
    K8sObject,
    Map,
    Node,
    Problem,
    Related,
    Scalar,
    Seq,
    Service,
    closest,
    did_you_mean,
    problem,
    quote_list,
)

ID = "ingress-backend-not-found"
LEVEL = "error"
ENABLED = True
TARGET = "objects"
KINDS = ("Ingress",)

INGRESS_GROUPS = ("networking.k8s.io", "extensions")
LEGACY_VERSIONS = ("extensions/v1beta1", "networking.k8s.io/v1beta1")


@dataclass(slots=True)
class Backend:
    """One Service backend an Ingress routes to."""

    where: str  # how messages name it: `default backend`, path `/api` of host `x`
    name: str
    name_node: Node
    port: int | str | None  # int: the Service `port`; str: a Service port name
    port_node: Node | None


def check(obj: K8sObject, graph: Graph) -> Iterator[Problem]:
    if obj.kind != "Ingress" or obj.group not in INGRESS_GROUPS:
        return
    spec = obj.spec
    if spec is None:
        return
    legacy = obj.api_version in LEGACY_VERSIONS
    # One finding per missing Service (or Service port) per Ingress, at its first backend; the
    # other backends naming it are related locations, not findings of their own.
    groups: dict[tuple[object, ...], list[Backend]] = {}
    for backend in _backends(spec, legacy):
        result = _check_backend(obj, backend, graph, [])
        if result is not None:
            groups.setdefault(result[0], []).append(backend)
    for first, *more in groups.values():
        result = _check_backend(obj, first, graph, more)
        if result is not None:
            yield result[1]


def _backends(spec: Map, legacy: bool) -> Iterator[Backend]:
    default = spec.map("backend" if legacy else "defaultBackend")
    if default is not None:
        found = _backend(default, "default backend", legacy)
        if found is not None:
            yield found
    rules = spec.seq("rules")
    if rules is None:
        return
    for rule in rules.maps():
        host = rule.get_str("host")
        paths = rule.dig("http", "paths")
        if isinstance(paths, Seq):
            for path in paths.maps():
                node = path.map("backend")
                if node is None:
                    continue
                where = f"path `{path.text('path') or '/'}`"
                if host:
                    where += f" of host `{host}`"
                found = _backend(node, where, legacy)
                if found is not None:
                    yield found


def _backend(node: Map, where: str, legacy: bool) -> Backend | None:
    if "resource" in node:
        return None  # a resource backend (or an invalid mix the API rejects)
    if legacy:
        name = node.get_str("serviceName")
        if name is None:
            return None
        port_node = node.get("servicePort")
        port: int | str | None = None
        value = port_node.value if isinstance(port_node, Scalar) else None
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            port = value
        return Backend(where, name, node.at("serviceName"), port, port_node)
    service = node.map("service")
    if service is None:
        return None
    name = service.get_str("name")
    if name is None:
        return None
    port_map = service.map("port")
    port = None
    pnode: Node | None = None
    if port_map is not None:
        number, pname = port_map.get_int("number"), port_map.get_str("name")
        if number is not None and pname is None:
            port, pnode = number, port_map.at("number")
        elif pname is not None and number is None:
            port, pnode = pname, port_map.at("name")
        # both or neither: the API rejects the Ingress, nothing to resolve
    return Backend(where, name, service.at("name"), port, pnode)


def _check_backend(
    obj: K8sObject, b: Backend, graph: Graph, more: list[Backend]
) -> tuple[tuple[object, ...], Problem] | None:
    """(what is missing, the finding), the finding naming `more` backends missing the same."""
    ns = obj.namespace
    svc = graph.service(ns, b.name)
    if svc is None:
        return ("service", b.name), _missing_service(obj, b, graph, more)
    if b.port is None or b.port_node is None:
        return None
    # Several variants of one bundle linted together can define the Service more than once
    # (duplicate-object reports that): the port is fine if any of them has it, and the one
    # next to the Ingress is the one to compare with.
    if len(graph.get("Service", ns, b.name)) > 1:
        twins = [s for s in graph.services if s.namespace == ns and s.name == b.name]
        twins.sort(key=lambda s: s.obj.file is not obj.file)
        if any(_has_port(s, b.port) for s in twins):
            return None
        svc = twins[0]
    found = _missing_port(obj, b, svc, b.port, b.port_node, more)
    return None if found is None else (("port", b.name, b.port), found)


def _has_port(svc: Service, port: int | str) -> bool:
    if svc.type == "ExternalName":
        return True  # controllers use the backend's number as given for these
    if isinstance(port, int):
        return any(p.port == port for p in svc.ports)
    return any(p.name == port for p in svc.ports)


def _lead(obj: K8sObject, b: Backend, more: list[Backend]) -> str:
    n = len(more)
    also = f" (and {n} more backend{'s' if n > 1 else ''})" if n else ""
    return f"{b.where} of Ingress `{obj.name}`{also} routes to"


def _others(obj: K8sObject, more: list[Backend], service: bool) -> list[Related]:
    return [
        Related(
            obj,
            b.name_node if service or b.port_node is None else b.port_node,
            f"also routed to by the {b.where}",
        )
        for b in more
    ]


def _missing_service(obj: K8sObject, b: Backend, graph: Graph, more: list[Backend]) -> Problem:
    ns = obj.namespace
    lead = f"{_lead(obj, b, more)} Service `{b.name}`"
    elsewhere = sorted(
        {s.namespace for s in graph.services if s.name == b.name and s.namespace != ns}
    )
    also = (
        f"; a Service `{b.name}` exists in namespace {quote_list(elsewhere)} (an Ingress only "
        "routes to Services of its own namespace)"
        if elsewhere
        else ""
    )
    if not graph.has_services(ns):
        return problem(
            obj, b.name_node,
            f"{lead}, but no Services of namespace `{ns}` were part of the input, so svclint "
            f"cannot tell whether it exists{also}",
            related=_others(obj, more, True),
            level="info",
        )  # fmt: skip
    # Only a near name is a likely typo; the namespace's one other Service is not.
    near = closest(b.name, [s.name for s in graph.services if s.namespace == ns])
    hint = f"did you mean `{near}`?" if near is not None else None
    return problem(
        obj,
        b.name_node,
        f"{lead}, which does not exist in namespace `{ns}`{also}",
        hint=hint,
        related=_others(obj, more, True),
    )


def _missing_port(
    obj: K8sObject, b: Backend, svc: Service, port: int | str, node: Node, more: list[Backend]
) -> Problem | None:
    if _has_port(svc, port):
        return None
    ports = svc.ports
    what = f"port `{port}`" if isinstance(port, int) else f"port name `{port}`"
    have = ", ".join(p.label for p in ports[:6]) + (
        f" and {len(ports) - 6} more" if len(ports) > 6 else ""
    )
    message = (
        f"{_lead(obj, b, more)} {what} of Service `{svc.name}`, which has "
        f"no such port (its ports: {have or 'none'})"
    )
    spec = svc.spec
    at = spec.key_node("ports") if spec is not None and "ports" in spec else svc.obj.name_node()
    related = [Related(svc.obj, at, f"ports of {svc.obj.ref}"), *_others(obj, more, False)]
    return problem(obj, node, message, hint=_port_hint(svc, port), related=related)


def _port_hint(svc: Service, port: int | str) -> str | None:
    ports = svc.ports
    if isinstance(port, int):
        for p in ports:
            if p.port is None:
                continue
            via = (
                "targetPort"
                if p.target == port and not p.target_defaulted
                else "nodePort"
                if p.node_port == port
                else None
            )
            if via is not None:
                return (
                    f"`{port}` is the {via} of Service port {p.label}; an Ingress backend names "
                    f"the Service `port`: use `{p.port}`"
                    + (f" or the name `{p.name}`" if p.name else "")
                )
        numbers = [p.port for p in ports if p.port is not None]
        if len(numbers) == 1:
            return f"did you mean `{numbers[0]}`?"
        return None
    if port.isdigit():
        number = int(port)
        if any(p.port == number for p in ports):
            return f'`"{port}"` is read as a port name: reference port {number} by number'
    for p in ports:
        if p.target == port and p.port is not None:
            name = f"`{p.name}`" if p.name else f"the number `{p.port}`"
            return (
                f"`{port}` is the targetPort of Service port {p.label}, a container port name; "
                f"an Ingress backend names the Service port: use {name}"
            )
    named = [p.name for p in ports if p.name]
    near = did_you_mean(port, named)
    if near is not None:
        return near
    if len(ports) == 1 and ports[0].port is not None and not ports[0].name:
        return f"the Service port has no name: reference it by number (`{ports[0].port}`)"
    return None
