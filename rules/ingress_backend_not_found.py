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
`port.name` (a string `servicePort`) is the Service port's `name`. Several backends of one Ingress naming the same missing Service (or
Service port) give one finding, at the first, with the others as related locations.

Not Service backends, so not judged: resource backends, and AWS Load Balancer Controller actions
(a backend whose port name is `use-annotation` and whose service name has an
`alb.ingress.kubernetes.io/actions.<name>` annotation on the Ingress: a redirect, fixed response
or weighted forward the controller performs). The Service `kubernetes` in `default` exists in
every cluster though no manifest holds it (port
443, named `https`): a backend naming it is judged against that port.

When no Service of the Ingress's namespace was part of the input at all, a missing Service is
reported as `info`: svclint cannot tell whether it exists. A Service an operator may create is
`info` too: one whose name a custom resource of its namespace begins (`<resource>-...`, as
operators name what they create), unless a Service of a near name, or of the same name
elsewhere, points at a mistake. A backend pointing at an ExternalName Service is not port-
checked (controllers use the number as given for those).

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

Reference the Service `port` (or its name), not the container's port. `--fix --unsafe-fixes`
writes the Service port for a number that is one of its targetPorts, and the near Service name
the hint proposes:

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

from svclint.api import (
    Cluster,
    K8sObject,
    Node,
    Problem,
    Ref,
    Related,
    Service,
    closest,
    did_you_mean,
    fix_replace,
    problem,
    quote_list,
)
from svclint.k8s.ingress import Backend, backends, is_ingress
from svclint.k8s.operators import may_create, possible_creator
from svclint.k8s.ports import service_port

ID = "ingress-backend-not-found"
LEVEL = "error"
ENABLED = True
TARGET = "objects"
KINDS = ("Ingress",)
FIX = "unsafe"


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    if not is_ingress(obj):
        return
    # One finding per missing Service (or Service port) per Ingress, at its first backend; the
    # other backends naming it are related locations, not findings of their own.
    groups: dict[tuple[object, ...], list[Backend]] = {}
    for backend in backends(obj):
        result = _check_backend(obj, backend, cluster, [])
        if result is not None:
            groups.setdefault(result[0], []).append(backend)
    for first, *more in groups.values():
        result = _check_backend(obj, first, cluster, more)
        if result is not None:
            yield result[1]


def _check_backend(
    obj: K8sObject, b: Backend, cluster: Cluster, more: list[Backend]
) -> tuple[tuple[object, ...], Problem] | None:
    """(what is missing, the finding), the finding naming `more` backends missing the same."""
    ns = obj.namespace
    svc = cluster.service(ns, b.service)
    if svc is None:
        return ("service", b.service), _missing_service(obj, b, cluster, more)
    if b.port is None or b.port_node is None:
        return None
    # Several variants of one bundle linted together can define the Service more than once
    # (duplicate-object reports that): the port is fine if any of them has it, and the one
    # next to the Ingress is the one to compare with.
    if len(cluster.get("Service", ns, b.service)) > 1:
        twins = [s for s in cluster.services if s.namespace == ns and s.name == b.service]
        twins.sort(key=lambda s: s.obj.file is not obj.file)
        if any(_has_port(s, b.port) for s in twins):
            return None
        svc = twins[0]
    found = _missing_port(obj, b, svc, b.port, b.port_node, more)
    return None if found is None else (("port", b.service, b.port), found)


def _has_port(svc: Service, port: int | str) -> bool:
    if svc.type == "ExternalName":
        return True  # controllers use the backend's number as given for these
    return service_port(svc, port) is not None


def _lead(obj: K8sObject, b: Backend, more: list[Backend]) -> str:
    n = len(more)
    also = f" (and {n} more backend{'s' if n > 1 else ''})" if n else ""
    return f"{b.where()} of Ingress `{obj.name}`{also} routes to"


def _others(obj: K8sObject, more: list[Backend], service: bool) -> list[Related]:
    return [
        Related(
            obj,
            b.name_node if service or b.port_node is None else b.port_node,
            f"also routed to by the {b.where()}",
        )
        for b in more
    ]


def _missing_service(obj: K8sObject, b: Backend, cluster: Cluster, more: list[Backend]) -> Problem:
    ns = obj.namespace
    lead = f"{_lead(obj, b, more)} Service `{b.service}`"
    elsewhere = sorted(
        {s.namespace for s in cluster.services if s.name == b.service and s.namespace != ns}
    )
    also = (
        f"; a Service `{b.service}` exists in namespace {quote_list(elsewhere)} (an Ingress only "
        "routes to Services of its own namespace)"
        if elsewhere
        else ""
    )
    if not cluster.has_services(ns):
        return problem(
            obj, b.name_node,
            f"{lead}, but no Services of namespace `{ns}` were part of the input, so svclint "
            f"cannot tell whether it exists{also}",
            related=_others(obj, more, True),
            level="info", about=[Ref("Service", ns, b.service)], key=b.service,
        )  # fmt: skip
    # Only a near name is a likely typo; the namespace's one other Service is not.
    near = closest(b.service, [s.name for s in cluster.services if s.namespace == ns])
    maker = possible_creator(cluster, ns, b.service)
    if maker is not None:
        return problem(
            obj, b.name_node, f"{lead}, which is not in the input; {may_create(maker)}",
            related=[Related(maker, maker.name_node(), f"{maker.ref}, a possible creator"),
                     *_others(obj, more, True)],
            level="info", about=[Ref("Service", ns, b.service)], key=b.service,
        )  # fmt: skip
    hint = f"did you mean `{near}`?" if near is not None else None
    # The near name becomes the fix (unsafe: traffic then goes to that Service), for this
    # backend only: the others naming the same Service are findings of their own on a rerun.
    fix = (
        fix_replace(obj.file, b.name_node, near, f"set the backend Service to {near}", "unsafe")
        if near is not None and not elsewhere
        else None
    )
    return problem(
        obj,
        b.name_node,
        f"{lead}, which does not exist in namespace `{ns}`{also}",
        hint=hint,
        related=_others(obj, more, True),
        about=[Ref("Service", ns, b.service)],
        key=b.service,
        fix=fix,
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
    # A number that is a targetPort of the Service: the Service port it belongs to (unsafe).
    mixed = [p for p in svc.ports if isinstance(port, int) and p.port is not None
             and p.target == port and not p.target_defaulted]  # fmt: skip
    fix = (
        fix_replace(obj.file, node, mixed[0].port, f"set the port to {mixed[0].port}", "unsafe")
        if len(mixed) == 1 and mixed[0].port is not None
        else None
    )
    return problem(
        obj, node, message, hint=_port_hint(svc, port), related=related, about=[svc.obj],
        key=f"{b.service}:{port}", fix=fix,
    )  # fmt: skip


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
