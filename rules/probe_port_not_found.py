"""A probe names a port its own container does not declare.

## What it checks

The `httpGet.port` and `tcpSocket.port` of every `readinessProbe`, `startupProbe` and
`livenessProbe` of every container and native sidecar (init container with
`restartPolicy: Always`) of every pod source:

- a port name the same container does not declare in its `ports[].name` (any protocol: the kubelet
  ignores it). A name declared only by another container of the pod is still missing: the kubelet
  looks in the probed container alone, and the message says which container has it. Readiness and
  startup probes are errors; a liveness probe is a warning.
- a string that is not a valid port name (at most 15 characters, lowercase letters, digits and
  single inner hyphens, at least one letter), such as a quoted number `"8080"`: the API server
  rejects the pod (an error for every probe kind).

Numeric ports are not checked: a probe may target a port the container does not declare.
`grpc.port` is always a number.

## Why it matters

The API server does not check that a probe's port name exists. At runtime the kubelet fails to
resolve it (`port X not found`), records a warning event and discards the result, so the probe
keeps its initial state forever:

- readiness: never Ready, so the pod never becomes an endpoint of its Services;
- startup: never started, so the pod never becomes Ready (and is not restarted either);
- liveness: always "alive", so the probe silently never restarts a hung container.

## Example

```yaml
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
              port: htpp
```

## Fix

Name a port the container declares (or use its number). `--fix --unsafe-fixes` writes the one
name the hint proposes, when it proposes exactly one:

```yaml
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
    Level,
    Node,
    PodSource,
    Problem,
    Related,
    closest,
    did_you_mean,
    fix_replace,
    problem,
    quote_list,
)
from svclint.k8s.names import iana_svc_name_problem
from svclint.k8s.probes import NAMED_PORT_HANDLERS, named_port

ID = "probe-port-not-found"
LEVEL = "error"
ENABLED = True
TARGET = "pod_sources"
FIX = "unsafe"

PROBES = ("readinessProbe", "startupProbe", "livenessProbe")
CONSEQUENCE = {
    "readinessProbe": "the probe can never succeed, so the pod never becomes Ready",
    "startupProbe": "the container is never marked started, so the pod never becomes Ready",
    "livenessProbe": "the probe errors instead of checking anything and never restarts the "
    "container",
}


def check(ps: PodSource, cluster: Cluster) -> Iterator[Problem]:
    for c in ps.containers:
        for kind in PROBES:
            probe = c.probe(kind)
            if probe is None:
                continue
            for handler in NAMED_PORT_HANDLERS:
                action = probe.map(handler)
                port = action.get_str("port") if action is not None else None
                if action is None or port is None:
                    continue  # absent, numeric or malformed: nothing to resolve by name
                yield from _check_port(ps, c, kind, handler, port, action.at("port"))


def _check_port(
    ps: PodSource, c: Container, kind: str, handler: str, port: str, node: Node
) -> Iterator[Problem]:
    shown = f'"{port}"' if port.isdigit() else port  # a quoted number: show the quotes
    where = f"{kind}.{handler}.port `{shown}` of container `{c.name}` in {ps.kind} `{ps.obj.name}`"
    reason = iana_svc_name_problem(port)
    if reason is not None:
        hint = f"write the number unquoted: `port: {port}`" if port.isdigit() else None
        yield problem(
            ps.obj, node,
            f"{where} is not a valid port name ({reason}): the API server rejects it",
            hint=hint, key=f"{c.name}/{kind}",
        )  # fmt: skip
        return
    if named_port(c, port) is not None:
        return
    own = [p.name for p in c.ports if p.name]
    level: Level | None = "warning" if kind == "livenessProbe" else None
    others = [(o, p) for o in ps.containers if o is not c for p in o.ports if p.name == port]
    if others:
        other, other_port = others[0]
        message = (
            f"{where} is declared only by container `{other.name}`, but the kubelet resolves "
            f"a probe's port in the probed container alone: {CONSEQUENCE[kind]}"
        )
        related = [Related(ps.obj, other_port.node, f"port `{port}` of container `{other.name}`")]
        near = closest(port, own)  # a typo of an own port, else point at the other container
        hint = f"did you mean `{near}`?" if near is not None else None
        candidate = near
        if hint is None and other_port.number is not None:
            hint = f"use the number `{other_port.number}` if the probe should reach that container"
    else:
        declared = f"it declares {quote_list(own)}" if own else "it declares no port names"
        message = f"{where} is not a port of that container ({declared}): {CONSEQUENCE[kind]}"
        related = [Related(ps.obj, c.ports_node, f"ports of container `{c.name}`")]
        hint = did_you_mean(port, own)
        candidate = closest(port, own) or (own[0] if len(set(own)) == 1 else None)
    # The one name the hint proposes (unsafe: the probe then checks another port).
    fix = (
        fix_replace(ps.obj.file, node, candidate, f"set the probe's port to {candidate}", "unsafe")
        if candidate is not None
        else None
    )
    yield problem(
        ps.obj, node, message, hint=hint, related=related, level=level, key=f"{c.name}/{kind}",
        fix=fix,
    )  # fmt: skip
