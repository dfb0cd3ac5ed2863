"""References to a Service by namespace, name and port: one resolver for every caller.

Ingress backends, Gateway API backendRefs, admission webhooks, APIServices, CRD conversion
webhooks, ServiceMonitors and DNS names in pods all name a Service, and most of them a port of it:

- by number (`port`): one of the Service's `spec.ports[].port`, never its `targetPort` or
  `nodePort` (Ingress `port.number`, backendRef `port`, webhook `port`, a URL's port);
- by name (`name`): a Service port's `name` (Ingress `port.name`, ServiceMonitor `port`, SRV names);
- at the pods (`pod`): a port the selected pods serve, a containerPort or a numeric targetPort
  (a headless Service's DNS name: nothing translates ports, clients dial the pods).

An ExternalName Service translates nothing either, so its ports are never judged. The Service
`kubernetes` in `default` always exists (k8s/builtin.py). When the target's namespace holds no
Service in the input, svclint cannot tell: `unknown`, which callers report at `info` at most.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..model.nodes import Node
from ..model.objects import K8sObject, Ref
from ..model.services import Service, ServicePort
from ..model.workloads import Container, ContainerPort
from .ports import service_port

if TYPE_CHECKING:
    from ..model.cluster import Cluster


class PortRef(NamedTuple):
    """The port a reference names, and how."""

    by: str  # "number" (a Service `port`), "name" (a Service port name), "pod" (a pod's port)
    value: int | str


class Reference(NamedTuple):
    """One place an object names a Service (an Ingress backend, a route backendRef, a webhook's
    clientConfig, a DNS name in an env value...). Callers' modules in `svclint.k8s` produce them;
    rules judge them through `resolve`, and trace and graph draw them."""

    source: K8sObject  # the object that names the Service
    namespace: str  # the Service's namespace, as the reference resolves it
    name: str
    port: PortRef | None  # None: no port named (or none to judge)
    node: Node  # where the Service is named
    port_node: Node | None  # where the port is written (None: defaulted or absent)
    relation: str  # "routes", "webhook", "apiservice", "conversion", "dns", "monitors"
    where: str  # how messages name the place: "backendRefs[0] of rule 1", "env DB of container app"

    @property
    def target(self) -> Ref:
        return Ref("Service", self.namespace, self.name)

    @property
    def key(self) -> str:
        """What a finding about this reference names as its `key` (and trace and graph look up):
        the Service and the port, stable under edits elsewhere in the object."""
        port = "" if self.port is None else f":{self.port.value}"
        return f"{self.namespace}/{self.name}{port}"


class Resolution(NamedTuple):
    """Where a reference lands."""

    status: str  # "found", "no-port", "missing" (not in its namespace) or "unknown"
    service: Service | None
    port: ServicePort | None = None  # the Service port it lands on (number and name refs)


def resolve(cluster: Cluster, namespace: str, name: str, port: PortRef | None = None) -> Resolution:
    """Resolve a reference to Service `namespace/name` (and, when given, one of its ports).
    When variants of one bundle define the Service more than once, the port is there if any of
    them has it."""
    twins = cluster.services_named(namespace, name)
    if not twins:
        return Resolution("missing" if cluster.has_services(namespace) else "unknown", None)
    svc = twins[0]
    if port is None or any(t.type == "ExternalName" for t in twins):
        return Resolution("found", svc)
    if port.by == "pod":
        number = port.value
        found = isinstance(number, int) and any(number in pod_ports(cluster, t) for t in twins)
        return Resolution("found" if found else "no-port", svc)
    for twin in twins:
        sp = service_port(twin, port.value)
        if sp is not None:
            return Resolution("found", twin, sp)
    return Resolution("no-port", svc)


def placed(cluster: Cluster, obj: K8sObject) -> bool:
    """Whether svclint placed a namespaced object in the default namespace because it names
    none (and no `--namespace` was given): where it will be installed is not known, so a
    reference across namespaces involving it cannot be judged (Helm output rendered without
    `-n`, files meant for `kubectl apply -n`)."""
    if cluster.options.namespace_given or not obj.namespace:
        return False
    return not (obj.meta is not None and obj.meta.text("namespace"))


def placed_namesakes(cluster: Cluster, name: str) -> list[Service]:
    """Services of that name that svclint placed in the default namespace (see `placed`)."""
    return [s for s in cluster.services if s.name == name and placed(cluster, s.obj)]


def pod_ports(cluster: Cluster, svc: Service) -> set[int]:
    """The port numbers the Service's pods serve: declared containerPorts, and its numeric
    targetPorts (the ports the Service itself sends to)."""
    out = {sp.target for sp in svc.ports if isinstance(sp.target, int)}
    for ps in cluster.pods_for(svc):
        out.update(p.number for c in ps.containers for p in c.ports if p.number is not None)
    return out


class Mixup(NamedTuple):
    """A number given where a Service `port` was meant, found elsewhere on the Service."""

    field: str  # "targetPort", "nodePort" or "containerPort"
    port: ServicePort  # the Service port it belongs to
    container: Container | None = None  # for a containerPort
    container_port: ContainerPort | None = None


def port_mixup(cluster: Cluster, svc: Service, number: int) -> Mixup | None:
    """The Service port whose targetPort, nodePort or (through the selected pods) containerPort
    is `number`: the classic mix-up of naming the pod's port where the Service port belongs."""
    for sp in svc.ports:
        if sp.port is None:
            continue
        if sp.target == number and not sp.target_defaulted:
            return Mixup("targetPort", sp)
        if sp.node_port == number:
            return Mixup("nodePort", sp)
    for ps in cluster.pods_for(svc):
        for c in ps.containers:
            for p in c.ports:
                if p.number != number:
                    continue
                for sp in svc.ports:  # the Service port that sends to this container port
                    if sp.port is not None and sp.target in (p.number, p.name):
                        return Mixup("containerPort", sp, c, p)
    return None


def port_list(svc: Service, limit: int = 6) -> str:
    """`http` (80), `443`: the Service's ports as messages list them."""
    ports = svc.ports
    shown = ", ".join(p.label for p in ports[:limit])
    return (shown + (f" and {len(ports) - limit} more" if len(ports) > limit else "")) or "none"
