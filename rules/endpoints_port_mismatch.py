"""Hand-written endpoints whose ports kube-proxy cannot pair with the Service's ports.

## What it checks

For a Service without a selector (not ExternalName, not headless, with ports), the hand-written
EndpointSlices labelled `kubernetes.io/service-name: <service>` in its namespace (not
`addressType: FQDN`, which kube-proxy ignores) and the `v1` Endpoints object of the same name (the
control plane mirrors it into an EndpointSlice, ports unchanged). kube-proxy keys every endpoint
port by (port `name`, `protocol`) and every Service port by its (`name`, `protocol`); an absent
name is `""` and an absent protocol `TCP` on both sides. So:

- an endpoint port whose (name, protocol) is not a Service port's feeds nothing: `error` when some
  Service port is left without endpoints (the message names it, and the hint the fix), `info`
  when every Service port is served anyway;
- a Service port that no endpoint port pairs with has no endpoints: `error`, at the first
  EndpointSlice or Endpoints of the Service;
- an endpoint port that pairs but has no `port` number is ignored by kube-proxy: `error`.

Also every hand-written EndpointSlice whose `kubernetes.io/service-name` names no Service of its
namespace: `error` when the input holds Services of that namespace, else `info` (svclint cannot
see the Service). Slices written by the control plane (`endpointslice.kubernetes.io/managed-by`
of the EndpointSlice or mirroring controller), slices without the label and Endpoints without a
Service (leader-election locks) are left alone. Headless Services are skipped: kube-proxy does not
serve them, and DNS publishes the endpoint ports as they are.

## Why it matters

kube-proxy programs a Service port only with the endpoint ports of the same name and protocol.
A slice port `http` for an unnamed Service port, a `UDP` port for a `TCP` one, or a typo in the
name, leaves that Service port with no endpoints: connections are refused although the endpoint
addresses are right. A slice labelled for a Service that does not exist routes nothing at all.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: legacy-db
spec:
  ports:
    - port: 5432
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: legacy-db-1
  labels:
    kubernetes.io/service-name: legacy-db
addressType: IPv4
ports:
  - name: postgres
    port: 5432
endpoints:
  - addresses: ["10.20.0.7"]
```

## Fix

Give the endpoint port the Service port's name and protocol (here: both unnamed):

```yaml
apiVersion: v1
kind: Service
metadata:
  name: legacy-db
spec:
  ports:
    - port: 5432
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: legacy-db-1
  labels:
    kubernetes.io/service-name: legacy-db
addressType: IPv4
ports:
  - port: 5432
endpoints:
  - addresses: ["10.20.0.7"]
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from svclint.api import (
    SERVICE_NAME_LABEL,
    Cluster,
    K8sObject,
    Map,
    Node,
    Problem,
    Related,
    Scalar,
    Service,
    ServicePort,
    closest,
    did_you_mean,
    problem,
    quote_list,
)
from svclint.k8s.endpoints import selectorless

ID = "endpoints-port-mismatch"
LEVEL = "error"
ENABLED = True
TARGET = "cluster"
KINDS = ("EndpointSlice", "Endpoints")

MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
CONTROL_PLANE = frozenset(
    {"endpointslice-controller.k8s.io", "endpointslicemirroring-controller.k8s.io"}
)
SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror"

Key = tuple[str, str]  # (port name, protocol) as kube-proxy's ServicePortName has them


@dataclass(slots=True, eq=False)
class EndpointPort:
    """One port of a hand-written Endpoints subset or EndpointSlice."""

    node: Map
    name: str
    protocol: str
    number: int | None

    @property
    def key(self) -> Key:
        return (self.name, self.protocol)

    @property
    def label(self) -> str:
        """`port `http` (8080, TCP)`, `port `8080` (unnamed, TCP)`, `an unnamed port (TCP)`."""
        if self.name:
            num = "" if self.number is None else f"{self.number}, "
            return f"port `{self.name}` ({num}{self.protocol})"
        if self.number is None:
            return f"an unnamed port ({self.protocol})"
        return f"port `{self.number}` (unnamed, {self.protocol})"

    @property
    def at(self) -> Node:
        name = self.node.get("name")
        return name if isinstance(name, Scalar) and self.name else self.node


@dataclass(slots=True, eq=False)
class Source:
    """One hand-written EndpointSlice or Endpoints object of a Service."""

    obj: K8sObject
    ports: list[EndpointPort] = field(default_factory=list)
    anchor: Node | None = None  # where to report Service ports it lacks


def check(cluster: Cluster, _: Cluster) -> Iterator[Problem]:
    by_service: dict[int, tuple[Service, list[Source]]] = {}
    for obj in cluster.of_kind("EndpointSlice"):
        if obj.group != "discovery.k8s.io" or obj.labels.get(MANAGED_BY_LABEL) in CONTROL_PLANE:
            continue
        target = obj.labels.get(SERVICE_NAME_LABEL)
        if not target:
            continue  # not tied to a Service (an MCS import, a custom consumer)
        svc = cluster.service(obj.namespace, target)
        if svc is None:
            yield _no_service(obj, target, cluster)
            continue
        if obj.root.text("addressType") == "FQDN":
            continue
        by_service.setdefault(id(svc), (svc, []))[1].append(_slice_source(obj))
    for obj in cluster.of_kind("Endpoints"):
        svc = cluster.service(obj.namespace, obj.name)
        if obj.group != "" or svc is None or obj.labels.get(SKIP_MIRROR_LABEL) == "true":
            continue  # no Service: a leader-election lock; skip-mirror: kube-proxy never sees it
        by_service.setdefault(id(svc), (svc, []))[1].append(_endpoints_source(obj))
    for svc, sources in by_service.values():
        if _pairable(svc):
            yield from _pair(svc, sources)


def _pairable(svc: Service) -> bool:
    """A selectorless, proxied Service with ports: the one case where kube-proxy pairs ports."""
    return svc.type != "ExternalName" and not svc.headless and bool(svc.ports) and selectorless(svc)


def _port(node: Map) -> EndpointPort:
    name = node.get("name")
    text = name.text if isinstance(name, Scalar) and name.value is not None else ""
    number = node.get_int("port")
    return EndpointPort(node, text, node.text("protocol") or "TCP", number or None)


def _slice_source(obj: K8sObject) -> Source:
    src = Source(obj)
    ports = obj.root.seq("ports")
    if ports is not None:
        src.ports = [_port(p) for p in ports.maps()]
        src.anchor = obj.root.key_node("ports")
    else:
        src.anchor = obj.name_node()
    return src


def _endpoints_source(obj: K8sObject) -> Source:
    src = Source(obj, anchor=obj.name_node())
    subsets = obj.root.seq("subsets")
    if subsets is None:
        return src
    anchored = False
    for subset in subsets.maps():
        ports = subset.seq("ports")
        if ports is None:
            continue
        if not anchored:  # Service ports it lacks are reported at the first subset's `ports`
            src.anchor, anchored = subset.key_node("ports"), True
        src.ports.extend(_port(p) for p in ports.maps())
    return src


def _pair(svc: Service, sources: list[Source]) -> Iterator[Problem]:
    wanted: dict[Key, ServicePort] = {}
    for sp in svc.ports:
        wanted.setdefault(_svc_key(sp), sp)
    covered: set[Key] = set()
    unpaired: list[tuple[Source, EndpointPort]] = []
    numberless: list[tuple[Source, EndpointPort]] = []
    for src in sources:
        for ep in src.ports:
            if ep.key not in wanted:
                unpaired.append((src, ep))
            elif ep.number is None:
                numberless.append((src, ep))
            else:
                covered.add(ep.key)
    uncovered = {k: sp for k, sp in wanted.items() if k not in covered}
    explained: set[Key] = set()
    for src, ep in numberless:
        if ep.key in covered:
            continue  # another slice serves this port: this entry is merely useless
        target = wanted[ep.key]
        explained.add(ep.key)
        yield problem(
            src.obj, ep.node,
            f"{ep.label} of {_name(src)} has no `port` number: kube-proxy ignores it, so "
            f"port {_svc_port(target)} of Service {svc.name} gets no endpoints",
            hint="set `port:` to the number the endpoints listen on",
            related=[Related(svc.obj, target.node, f"port of Service {svc.name}")],
        )  # fmt: skip
    for src, ep in unpaired:
        meant, detail, hint = _counterpart(ep, uncovered, wanted)
        related = []
        if meant is not None:
            explained.add(_svc_key(meant))
            related.append(Related(svc.obj, meant.node, f"port of Service {svc.name}"))
        served = not uncovered
        message = (
            f"{ep.label} of {_name(src)} pairs with no port of Service {svc.name} "
            f"(kube-proxy pairs endpoint and Service ports by name and protocol): {detail}"
        )
        if served:
            message += "; every Service port is served by other endpoint ports, so it is ignored"
        yield problem(
            src.obj, ep.at, message, hint=hint, related=related,
            level="info" if served else None,
        )  # fmt: skip
    missing = [sp for k, sp in uncovered.items() if k not in explained]
    if missing:
        first = sources[0]
        names = ", ".join(_name(s) for s in sources)
        for sp in missing:
            name = _svc_name(sp)
            fix = f"a port named `{name}`" if name else "an unnamed port"
            yield problem(
                first.obj, first.anchor,
                f"port {_svc_port(sp)} of Service {svc.name} pairs with no port of its "
                f"hand-written endpoints ({names}): kube-proxy has no endpoints for it",
                hint=f"add {fix} with protocol {sp.protocol}",
                related=[Related(svc.obj, sp.node, f"port of Service {svc.name}")],
            )  # fmt: skip


def _counterpart(
    ep: EndpointPort, uncovered: dict[Key, ServicePort], wanted: dict[Key, ServicePort]
) -> tuple[ServicePort | None, str, str | None]:
    """The Service port this endpoint port was probably meant for, why it misses, and a fix."""
    for (name, proto), sp in uncovered.items():
        if name == ep.name and proto != ep.protocol:
            return (
                sp,
                f"Service port {_svc_port(sp)} is {proto}, not {ep.protocol}",
                (f"set `protocol: {proto}`"),
            )
    same_proto = {name: sp for (name, proto), sp in uncovered.items() if proto == ep.protocol}
    available = ", ".join(_svc_port(sp) for sp in wanted.values())
    if not same_proto:
        return None, f"the Service's ports are {available}", None
    if ep.name == "":
        if len(same_proto) == 1:
            name, sp = next(iter(same_proto.items()))
            return (
                sp,
                f"it has no name and Service port {_svc_port(sp)} is named `{name}`",
                (f"set `name: {name}`"),
            )
        return None, f"it has no name; the Service's ports are {available}", None
    if "" in same_proto:
        sp = same_proto[""]
        return (
            sp,
            f"Service port {_svc_port(sp)} has no name, so only an unnamed port pairs with it",
            (f"remove `name: {ep.name}` (or name the Service port `{ep.name}`)"),
        )
    near = closest(ep.name, same_proto)
    if near is None and len(same_proto) == 1:
        near = next(iter(same_proto))
    if near is not None:
        sp = same_proto[near]
        return sp, f"Service port {_svc_port(sp)} is named `{near}`", did_you_mean(ep.name, [near])
    return None, f"the Service's ports are {available}", None


def _svc_name(sp: ServicePort) -> str:
    """The port name as the API reads it (`ServicePort.name` turns `name: ~` into "~")."""
    node = sp.node.get("name")
    return node.text if isinstance(node, Scalar) and node.value is not None else ""


def _svc_key(sp: ServicePort) -> Key:
    return (_svc_name(sp), sp.protocol)


def _svc_port(sp: ServicePort) -> str:
    """`http` (80, TCP) or `80` (unnamed, TCP)."""
    num = "?" if sp.port is None else str(sp.port)
    name = _svc_name(sp)
    return f"`{name}` ({num}, {sp.protocol})" if name else f"`{num}` (unnamed, {sp.protocol})"


def _name(src: Source) -> str:
    return f"{src.obj.kind} {src.obj.name}"


def _no_service(obj: K8sObject, target: str, cluster: Cluster) -> Problem:
    labels = obj.meta.map("labels") if obj.meta is not None else None
    node = labels.at(SERVICE_NAME_LABEL) if labels is not None else None
    head = f"EndpointSlice {obj.name} is labelled `{SERVICE_NAME_LABEL}: {target}`"
    if not cluster.has_services(obj.namespace):
        return problem(
            obj, node,
            f"{head}; no Services of namespace `{obj.namespace}` were part of the input, so "
            f"svclint cannot tell whether Service `{target}` exists",
            level="info",
        )  # fmt: skip
    names = [s.name for s in cluster.services if s.namespace == obj.namespace]
    elsewhere = sorted(s.namespace for s in cluster.services if s.name == target)
    message = (
        f"{head}, but namespace `{obj.namespace}` has no Service `{target}`: nothing uses its "
        "endpoints"
    )
    if elsewhere:
        message += (
            f"; Service `{target}` exists in namespace {quote_list(elsewhere)}, and a slice "
            "serves only a Service of its own namespace"
        )
    return problem(obj, node, message, hint=did_you_mean(target, names))
