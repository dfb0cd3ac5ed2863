"""A Service's numeric targetPort that the selected containers do not declare.

## What it checks

For every Service port whose `targetPort` is a number (written, or defaulted from `port`), each
pod source the Service selects is checked for a container (regular or native sidecar) that
declares it as `containerPort` with the Service port's `protocol`. One finding per Service port
names the pod sources that do not:

- `warning` when those pod sources declare other container ports: the classic "the Service sends
  to 80, the app listens on 8080". The hint offers the declared port, or the declared port named
  like the Service port (`targetPort: http`). A number declared only with another protocol (a TCP
  Service port in front of a UDP `53`) is called out; when that container port simply has no
  `protocol` (so it is TCP) behind a UDP or SCTP Service port, the message says so and the hint
  is to declare it with the Service port's protocol.
- `info` when they declare no container ports at all: many images are deployed that way, and
  svclint has nothing to compare with.
- `info` too when the number appears in the container's `command`, `args` or `env` values, or in
  the data of a ConfigMap the pod mounts or loads with `envFrom` (`--port=18080`,
  `endpoint: 0.0.0.0:5317`): the app is evidently configured to listen there and only lacks the
  declaration. Not when the number is declared with another protocol: that stays a warning.

Numeric targetPorts do **not** need a declaration: the EndpointSlice controller uses the number
as it is, and container `ports` are informational. So this is a likely mismatch, never a
certainty. Not checked:

- headless Services (`clusterIP: None`): nothing proxies their traffic, clients dial the pod
  addresses directly, and the API documents targetPort as ignored there;
- Services that select no pod source in the input (ExternalName, selectorless, or unmatched);
- ports with a protocol other than TCP, UDP and SCTP (the API rejects them: `service-spec-invalid`);
- pod sources whose container ports cannot be read (a `containerPort` that is not a number).

## Why it matters

kube-proxy forwards Service traffic to `podIP:targetPort` whether or not anything listens there.
When the number is wrong, clients get "connection refused" or time out while the pods look
healthy and the Service shows endpoints, a mismatch that is easy to miss in review and tedious to
find at runtime.

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

Target the port the container listens on, by name or by number:

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

import re
from collections.abc import Iterator

from svclint.api import (
    Cluster,
    ContainerPort,
    Level,
    PodSource,
    Problem,
    Related,
    Scalar,
    Seq,
    Service,
    ServicePort,
    pod_source_labels,
    problem,
    quote_list,
)
from svclint.k8s.ports import PROTOCOLS, declaring

ID = "service-targetport-undeclared"
LEVEL = "warning"
ENABLED = True
TARGET = "services"


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    if svc.headless:
        return  # targetPort is ignored without a proxy: clients dial pod addresses directly
    pods = [ps for ps in cluster.pods_for(svc) if ps.containers and _readable(ps)]
    if not pods:
        return
    for sp in svc.ports:
        # An unknown protocol is rejected by the API (service-spec-invalid): nothing to compare.
        if type(sp.target) is int and sp.protocol in PROTOCOLS:
            found = _check_port(svc, sp, sp.target, pods, cluster)
            if found is not None:
                yield found


def _readable(ps: PodSource) -> bool:
    """Every declared port has a numeric containerPort (else svclint cannot tell what it is)."""
    return all(p.number is not None for c in ps.containers for p in c.ports)


def _declares_other(ps: PodSource, number: int) -> bool:
    """Declares `number` at all (called only when it lacks the Service port's protocol)."""
    return any(p.number == number for c in ps.containers for p in c.ports)


def _check_port(
    svc: Service, sp: ServicePort, number: int, pods: list[PodSource], cluster: Cluster
) -> Problem | None:
    have = [ps for ps in pods if declaring(ps, number, sp.protocol)]
    without = [ps for ps in pods if ps not in have]
    if not without:
        return None
    labels = pod_source_labels(pods)
    proto = "" if sp.protocol == "TCP" else f"/{sp.protocol}"
    lead = f"targetPort `{number}{proto}` of port {sp.label}"
    if sp.target_defaulted:
        lead += " (defaulted from `port`)"
    also = ""
    if have:
        also = f", though {_join([labels[id(ps)] for ps in have])} {_verb(have)} it"
    bare = [ps for ps in without if not any(c.ports for c in ps.containers)]
    # The number in a container's command, args or env, or in a ConfigMap the pod mounts: the app
    # is configured to listen there and merely does not declare it.
    # A number declared with another protocol is a protocol mismatch whatever the config says.
    evidence = {
        id(ps): None if _declares_other(ps, number) else _mention(ps, number, cluster)
        for ps in without
        if ps not in bare
    }
    mismatched = [ps for ps in without if ps not in bare and evidence[id(ps)] is None]

    def detail(ps: PodSource) -> str:
        if ps in bare:
            return f"{labels[id(ps)]} (declares no ports)"
        text = _declared(ps, number, sp.protocol)
        seen = evidence[id(ps)]
        if seen:
            text += f"; `{number}` appears in {seen}"
        return f"{labels[id(ps)]} ({text})"

    level: Level | None = None
    hint: str | None
    if mismatched:
        message = (
            f"{lead} is not a declared containerPort of {_join([detail(ps) for ps in without])}"
            f"{also}; numeric targetPorts need no declaration, but this often means the app "
            "listens on another port or protocol"
        )
        hint = _hint(sp, number, mismatched)
    elif len(bare) < len(without):
        level = "info"
        message = (
            f"{lead} is not a declared containerPort of {_join([detail(ps) for ps in without])}"
            f"{also}; the app is probably configured to listen there without declaring it"
        )
        hint = f"declare `containerPort: {number}` to document it"
    else:
        level = "info"
        message = (
            f"{lead}: {_join([labels[id(ps)] for ps in without])} {_verb(without)} no container "
            f"ports{also}, so svclint cannot check that anything listens on `{number}`"
        )
        hint = None
    return problem(
        svc.obj, sp.target_node, message, hint=hint, related=_related(without), level=level,
        about=[ps.obj for ps in without], key=sp.key,
    )  # fmt: skip


def _verb(pods: list[PodSource]) -> str:
    return "declares" if len(pods) == 1 else "declare"


def _mention(ps: PodSource, number: int, cluster: Cluster) -> str | None:
    """Where the pod's configuration mentions `number` as a whole number, if anywhere."""
    token = re.compile(rf"(?<!\d){number}(?!\d)")
    configmaps: list[str] = []
    for c in ps.containers:
        for key in ("command", "args"):
            seq = c.node.seq(key)
            if seq is not None and any(
                isinstance(i, Scalar) and token.search(i.text) for i in seq.items
            ):
                return f"the {key} of container `{c.name}`"
        env = c.node.seq("env")
        for e in env.maps() if env is not None else ():
            value = e.scalar("value")
            if value is not None and token.search(value.text):
                return f"env `{e.text('name')}` of container `{c.name}`"
        env_from = c.node.seq("envFrom")
        for e in env_from.maps() if env_from is not None else ():
            name = e.dig("configMapRef", "name")
            if isinstance(name, Scalar) and isinstance(name.value, str):
                configmaps.append(name.value)
    volumes = ps.spec.seq("volumes") if ps.spec is not None else None
    for v in volumes.maps() if volumes is not None else ():
        projected = v.dig("projected", "sources")
        sources = [v, *(projected.maps() if isinstance(projected, Seq) else ())]
        for src in sources:
            name = src.dig("configMap", "name")
            if isinstance(name, Scalar) and isinstance(name.value, str):
                configmaps.append(name.value)
    for cm_name in dict.fromkeys(configmaps):
        for cm in cluster.get("ConfigMap", ps.namespace, cm_name):
            data = cm.root.map("data")
            if data is not None and any(
                isinstance(v, Scalar) and token.search(v.text) for _, v in data.items()
            ):
                return f"ConfigMap {cm_name}"
    return None


def _name(ps: PodSource) -> str:
    return f"{ps.kind} {ps.obj.name}"


def _join(items: list[str]) -> str:
    if len(items) > 4:
        items = [*items[:4], f"{len(items) - 4} more"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _declared(ps: PodSource, number: int, protocol: str) -> str:
    ports = [p for c in ps.containers for p in c.ports]
    same = [p.number for p in ports if p.protocol == protocol]
    elsewhere = sorted({p.protocol for p in ports if p.number == number})
    if elsewhere == ["TCP"] and any(p.number == number and _defaulted(p) for p in ports):
        return f"declares `{number}` without `protocol`, which means TCP"
    if elsewhere:
        return f"declares `{number}` only as {'/'.join(elsewhere)}"
    if same:
        return f"declares {quote_list(dict.fromkeys(same), limit=4)}"
    return f"declares only {'/'.join(sorted({p.protocol for p in ports}))} ports"


def _defaulted(p: ContainerPort) -> bool:
    """A container port whose protocol is TCP by default, not written."""
    return "protocol" not in p.node


def _hint(sp: ServicePort, number: int, pods: list[PodSource]) -> str | None:
    ports = [
        (c, p) for ps in pods for c in ps.containers for p in c.ports if p.protocol == sp.protocol
    ]
    if sp.name:
        for c, p in ports:
            if p.name == sp.name:
                return (
                    f"did you mean `targetPort: {p.name}`? (containerPort {p.number} of "
                    f"container `{c.name}`)"
                )
    others = sorted(
        {p.protocol for ps in pods for c in ps.containers for p in c.ports if p.number == number}
    )
    defaulted = [
        (c, p)
        for ps in pods
        for c in ps.containers
        for p in c.ports
        if p.number == number and _defaulted(p)
    ]
    if others == ["TCP"] and defaulted:
        # A container port without `protocol` is TCP: most likely the declaration lacks it.
        c, p = defaulted[0]
        return (
            f"declare containerPort {number} with `protocol: {sp.protocol}` in container "
            f"`{c.name}` (without `protocol` a container port is TCP)"
        )
    if len(others) == 1:
        return (
            f"if the container serves `{number}` over {others[0]}, set `protocol: {others[0]}` "
            "on the Service port"
        )
    numbers = list(dict.fromkeys(p.number for _, p in ports))
    if len(numbers) == 1:
        return f"did you mean `targetPort: {numbers[0]}`?"
    if numbers:
        return f"declared containerPorts: {quote_list(numbers)}"
    return None


def _related(pods: list[PodSource]) -> list[Related]:
    out: list[Related] = []
    for ps in pods:
        declared = [c for c in ps.containers if c.ports]
        for c in declared:
            what = "sidecar" if c.sidecar else "container"
            out.append(Related(ps.obj, c.ports_node, f"ports of {what} `{c.name}`"))
        if not declared and ps.spec is not None:
            out.append(
                Related(
                    ps.obj,
                    ps.spec.key_node("containers"),
                    f"no container of {_name(ps)} declares ports",
                )
            )
    return out
