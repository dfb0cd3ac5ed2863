"""A container that serves a Service's traffic has no readinessProbe.

## What it checks

For every pod source selected by at least one Service with a non-empty selector (Job and CronJob
pods excepted: they run to completion and are not meant to serve), each port of each selecting
Service is resolved to the container that serves it, the way the EndpointSlice controller and
kube-proxy do:

- a named `targetPort`: the first container, in order, declaring a port of that name and the
  Service port's protocol; native sidecars (init containers with `restartPolicy: Always`) after
  the regular containers;
- a numeric `targetPort` (or the defaulted `port`): the container(s) declaring it as
  `containerPort` (same protocol preferred);
- a numeric port no container declares: svclint cannot tell which container listens, so every
  regular container counts as serving it, and the finding is made only when none of them has a
  `readinessProbe`.

A serving container without a `readinessProbe` is reported; a `startupProbe` alone does not
count. Not checked: Service ports whose named `targetPort` no container declares (no traffic
reaches the pod on them: `service-targetport-not-found` reports that), and Services with
`publishNotReadyAddresses: true`, whose endpoints ignore readiness.

## Why it matters

Without a readiness probe, a container is Ready as soon as its process starts. The pod joins the
Service's endpoints before the application listens or has warmed up, and stays there while it is
overloaded or its dependencies are down: every rollout and restart sends requests to a pod that
refuses or fails them. A startup probe only delays the first Ready; it is never checked again.

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

## Fix

Give the serving container a readiness probe that checks what clients need:

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
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    Container,
    PodSource,
    Problem,
    Related,
    Service,
    ServicePort,
    problem,
)
from svclint.k8s.ports import find_port
from svclint.k8s.probes import has_probe

ID = "readiness-probe-missing"
LEVEL = "warning"
ENABLED = True
TARGET = "pod_sources"

BATCH_KINDS = frozenset({"Job", "CronJob"})  # run to completion; not meant to serve
MAX_LISTED = 3


def check(ps: PodSource, cluster: Cluster) -> Iterator[Problem]:
    if ps.kind in BATCH_KINDS or not ps.containers:
        return
    # id(container) -> (container, [(Service, port)]) in container order, for stable output.
    serving: dict[int, tuple[Container, list[tuple[Service, ServicePort]]]] = {}
    for svc in cluster.services_selecting(ps):
        if svc.spec is not None and svc.spec.get_bool("publishNotReadyAddresses") is True:
            continue  # endpoints are published Ready whatever the probes say
        for port in svc.ports:
            for c in _serving_containers(ps, port):
                serving.setdefault(id(c), (c, []))[1].append((svc, port))
    for c in ps.containers:
        entry = serving.get(id(c))
        if entry is None or _has_readiness(c):
            continue
        yield _finding(ps, c, entry[1])


def _serving_containers(ps: PodSource, port: ServicePort) -> list[Container]:
    """The containers that receive this Service port's traffic in a pod of `ps`."""
    target = port.target
    if isinstance(target, str):
        # FindPort: the first container (regular ones, then sidecars) with name and protocol.
        found = find_port(ps, target, port.protocol)
        return (
            [found[0]] if found is not None else []
        )  # the pod gets no endpoint for this port: nothing of it serves the port
    if not isinstance(target, int):
        return []  # malformed targetPort: service-spec-invalid's business
    declaring = [c for c in ps.containers if _declares(c, target, port.protocol)]
    if not declaring:
        declaring = [c for c in ps.containers if _declares(c, target, None)]
    if declaring:
        return declaring
    # Undeclared number: any regular container may listen on it. When one of them has a
    # readiness probe it most likely is the server, and the pod's readiness is gated anyway.
    regular = [c for c in ps.containers if not c.sidecar]
    if any(_has_readiness(c) for c in regular):
        return []
    return regular


def _declares(c: Container, number: int, protocol: str | None) -> bool:
    return any(p.number == number and protocol in (None, p.protocol) for p in c.ports)


def _has_readiness(c: Container) -> bool:
    return has_probe(c, "readinessProbe")


def _finding(ps: PodSource, c: Container, uses: list[tuple[Service, ServicePort]]) -> Problem:
    # Variants of one app linted together hold same-named Services: name each port once.
    described = list(dict.fromkeys(f"Service `{svc.name}` port {port.label}" for svc, port in uses))
    if len(described) > MAX_LISTED:
        described = [*described[:MAX_LISTED], f"and {len(described) - MAX_LISTED} more"]
    what = "native sidecar" if c.sidecar else "container"
    message = (
        f"{what} `{c.name}` of {ps.kind} `{ps.obj.name}` serves {', '.join(described)} "
        "but has no readinessProbe"
    )
    if c.node.map("startupProbe") is not None:
        message += " (its startupProbe gates only startup, never later traffic)"
    declared = [p for p in c.ports if any(_matches(p.name, p.number, port) for _, port in uses)]
    if not declared and sum(not o.sidecar for o in ps.containers) > 1:
        message += " (the Service's port is declared by no container, so each may serve it)"
    related = [
        Related(svc.obj, port.target_node, f"port {port.label} of {svc.obj.ref}")
        for svc, port in uses[:MAX_LISTED]
    ]
    hint = "add a readinessProbe that fails while the container cannot serve requests"
    services = list(dict.fromkeys(svc.obj for svc, _ in uses))
    return problem(
        ps.obj, c.node.at("name"), message, hint=hint, related=related, about=services, key=c.name
    )


def _matches(name: str | None, number: int | None, port: ServicePort) -> bool:
    return port.target == (name if isinstance(port.target, str) else number)
