"""A Service's named targetPort that no container of the selected pods declares.

## What it checks

For every Service port whose `targetPort` is a string (a port name), every pod source the Service
selects is searched the way the EndpointSlice controller searches each pod: the regular
containers, then the native sidecars (`initContainers` with `restartPolicy: Always`), for a
`ports[]` entry whose `name` equals the targetPort **and** whose `protocol` equals the Service
port's protocol (both default to TCP).

- No selected pod source declares the name: `error`. When the name exists only with another
  protocol (a `dns` port declared UDP behind a TCP Service port), the message says so.
- Some selected pod sources declare it and others do not: `warning`, naming the ones without it.
- A quoted number (`targetPort: "8080"`) is a string, so Kubernetes treats it as a port name; it is
  reported here (no container can have a port *named* `8080`) as well as by
  `service-spec-invalid`, which reports the API server's rejection.
- A name declared only by an ordinary init container is called out: init containers serve no
  traffic unless they are native sidecars.

Only Services that select at least one pod source in the input are judged (ExternalName and
selectorless Services select none); `service-selector-no-match` covers selectors that match
nothing. Headless Services are judged too: their EndpointSlices still carry the resolved ports,
which SRV records and endpoint-based discovery (Prometheus, meshes) read. Not judged, because the
API rejects the port anyway (`service-spec-invalid`) or the manifest is an unrendered template: a
port whose `port` is not a number, a protocol other than TCP, UDP and SCTP, a targetPort holding
template text (`${...}`, `{{ ... }}`, `<...>`).

## Why it matters

A named targetPort is resolved per pod. A pod without a matching port gets no endpoint for that
Service port (the controller logs "no suitable port" at a verbose level and moves on), so when no
pod has it the Service port has no endpoints at all: connections are refused or time out, and
nothing in `kubectl apply` warns about it. When only some workloads have it, only part of the
selected pods receive traffic for that port.

## Example

```yaml
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
      targetPort: htp
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 8080
```

## Fix

Use a name a container declares, with the same protocol. `--fix --unsafe-fixes` writes the one
name (or number) the hint proposes, when it proposes exactly one:

```yaml
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
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    Container,
    ContainerPort,
    PodSource,
    Problem,
    Related,
    Service,
    ServicePort,
    closest,
    fix_replace,
    pod_source_labels,
    problem,
)
from svclint.k8s.ports import find_port, init_ports, judgeable, ports_named, quoted_number

ID = "service-targetport-not-found"
LEVEL = "error"
ENABLED = True
TARGET = "services"
FIX = "unsafe"


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    # A pod source without containers is malformed or not rendered: nothing to judge it by.
    pods = [ps for ps in cluster.pods_for(svc) if ps.containers]
    if not pods:
        return
    for sp in svc.ports:
        # A port without a numeric `port`, an unknown protocol or a placeholder name is broken or
        # unrendered: the API rejects it (service-spec-invalid); resolving it says nothing more.
        if isinstance(sp.target, str) and judgeable(sp):
            found = _check_port(svc, sp, sp.target, pods)
            if found is not None:
                yield found


def _check_port(svc: Service, sp: ServicePort, name: str, pods: list[PodSource]) -> Problem | None:
    have = [ps for ps in pods if find_port(ps, name, sp.protocol) is not None]
    without = [ps for ps in pods if ps not in have]
    if not without:
        return None
    # Ports carrying the name under another protocol (the lookup skips them).
    other = [(ps, c, p) for ps in without for c, p in ports_named(ps, name)]
    other_protos = sorted({p.protocol for _, _, p in other})
    labels = pod_source_labels(pods)
    where = _names(without, labels)
    lead = (
        f'targetPort `"{name}"` of port {sp.label} is a quoted number, which Kubernetes reads as '
        "a port name"
        if quoted_number(name)
        else f"targetPort `{name}` of port {sp.label}"
    )
    if have:
        message = (
            f"{lead} is declared by {_names(have, labels)} but not by {where}, whose pods get no "
            "endpoint for this port"
        )
    else:
        sep = ", and" if quoted_number(name) else ":"
        message = (
            f"{lead}{sep} no container of {where} declares a {sp.protocol} port named `{name}`"
        )
    if other_protos:
        owners = list(dict.fromkeys(ps for ps, _, _ in other))
        message += (
            f"; {_names(owners, labels)} declare{'s' if len(owners) == 1 else ''} `{name}` only as "
            f"{'/'.join(other_protos)}"
        )
    init = [(ps, c, p) for ps in without for c, p in init_ports(ps, name, sp.protocol)]
    if init:
        c_name = init[0][1]
        message += (
            f"; init container `{c_name}` declares it, but an init container serves no traffic "
            "unless it is a native sidecar (`restartPolicy: Always`)"
        )
    hint, candidate = _hint(sp, name, without, other_protos) if not init else (None, None)
    related = _related(without, name)
    related += [Related(ps.obj, p, f"`{name}` in init container `{c}`") for ps, c, p in init]
    # The one candidate the hint names becomes the fix (unsafe: it changes where traffic goes);
    # not when some pods already declare the name (the others are what is wrong).
    fix = None
    if candidate is not None and not have:
        fix = fix_replace(
            svc.obj.file, sp.target_node, candidate, f"set targetPort to {candidate}", "unsafe"
        )
    return problem(
        svc.obj, sp.target_node, message, hint=hint, related=related,
        level="warning" if have else None, about=[ps.obj for ps in without], key=sp.key, fix=fix,
    )  # fmt: skip


def _names(pods: list[PodSource], labels: dict[int, str]) -> str:
    shown = [labels[id(ps)] for ps in pods[:4]]
    if len(pods) > 4:
        shown.append(f"{len(pods) - 4} more")
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _ports(pods: list[PodSource], protocol: str) -> list[tuple[Container, ContainerPort]]:
    return [(c, p) for ps in pods for c in ps.containers for p in c.ports if p.protocol == protocol]


def _hint(
    sp: ServicePort, name: str, pods: list[PodSource], other: list[str]
) -> tuple[str | None, str | int | None]:
    """(the hint, the one value it proposes for `targetPort`, if it proposes exactly one)."""
    ports = _ports(pods, sp.protocol)
    if quoted_number(name):
        number = int(name)
        if not 1 <= number <= 65535:
            return None, None
        named = [p.name for _, p in ports if p.number == number and p.name]
        hint = f"write `targetPort: {number}` without quotes"
        if named:
            return hint + f", or `targetPort: {named[0]}`", None
        return hint, number
    names = [p.name for _, p in ports if p.name]
    if name != name.lower() and name.lower() in names:
        return f"did you mean `{name.lower()}`? (port names are lowercase)", name.lower()
    near = closest(name, names)
    if near is not None:
        return f"did you mean `{near}`?", near
    by_number = [(c, p) for c, p in ports if sp.port is not None and p.number == sp.port]
    if by_number:
        c, p = by_number[0]
        if p.name:
            hint = f"did you mean `{p.name}`? (containerPort {p.number} of container `{c.name}`)"
            return hint, p.name
        hint = (
            f"container `{c.name}` declares containerPort {p.number}: use `targetPort: {p.number}`"
        )
        return hint, p.number
    if len(other) == 1:
        return (
            f"the Service port is {sp.protocol}: set `protocol: {other[0]}` on it if the "
            f"container's `{name}` is what it should reach"
        ), None
    if len(set(names)) == 1:
        return f"did you mean `{names[0]}`?", names[0]
    return None, None


def _related(pods: list[PodSource], name: str) -> list[Related]:
    out: list[Related] = []
    for ps in pods:
        for c in ps.containers:
            what = "sidecar" if c.sidecar else "container"
            wrong = [p for p in c.ports if p.name == name]
            if wrong:
                for p in wrong:
                    out.append(
                        Related(ps.obj, p.node, f"`{name}` is {p.protocol} in {what} `{c.name}`")
                    )
            elif c.ports:
                out.append(Related(ps.obj, c.ports_node, f"ports of {what} `{c.name}`"))
            else:
                out.append(Related(ps.obj, c.node, f"{what} `{c.name}` declares no ports"))
    return out
