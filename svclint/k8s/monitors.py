"""prometheus-operator's ServiceMonitor and PodMonitor: what they watch, select and scrape.

Follows prometheus-operator (`pkg/apis/monitoring/v1/servicemonitor_types.go`,
`podmonitor_types.go`, `types.go`; `pkg/prometheus/promcfg.go`: `generateServiceMonitorConfig`,
`generatePodMonitorConfig`, `getNamespacesFromNamespaceSelector`) and the Prometheus Kubernetes
service discovery its scrape configs use (`discovery/kubernetes/endpointslice.go`, `pod.go`):

- Namespaces: `namespaceSelector.any: true` watches every namespace (it wins over `matchNames`),
  a non-empty `matchNames` exactly those, anything else the monitor's own namespace. A Prometheus
  with `ignoreNamespaceSelectors: true` reads every monitor as watching its own namespace only.
- Selection: a ServiceMonitor's `selector` (a full `metav1.LabelSelector`) is matched against
  Service **`metadata.labels`** (`__meta_kubernetes_service_label_*` keep/drop relabelings), not
  the pods' labels nor the Service's `spec.selector`; a PodMonitor's against pod labels (offline:
  pod template labels). `{}` selects every Service (pod) in the watched namespaces.
- Ports: a ServiceMonitor endpoint's `port` keeps targets whose EndpointSlice port name matches,
  the name of a Service port (a Service with one unnamed port has an unnamed slice port, which no
  `port` matches); it wins over `targetPort`, which keeps targets whose container port name (a
  string) or number (an integer) matches: Prometheus sets those labels only for ports the pod's
  containers declare, and adds a target for every declared port of an endpoint's pod. A
  PodMonitor endpoint's `port` keeps container ports of that name, `portNumber` declared container
  ports of that number (`port` wins). Each value is an anchored regular expression.

Nothing here reports: with no match, Prometheus simply has no targets for the endpoint.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from ..model.nodes import Map, Node, Scalar
from ..model.objects import K8sObject
from ..model.services import Service, ServicePort
from ..model.workloads import PodSource
from .builtin import BUILTIN_SERVICES
from .operators import custom_resources
from .pod_labels import (
    CONTROLLER_REVISION_HASH,
    JOB_UID_KEYS,
    PER_POD_LABELS,
    POD_TEMPLATE_HASH,
)
from .selectors import LabelSelector, parse_selector

if TYPE_CHECKING:
    from ..model.cluster import Cluster

GROUP = "monitoring.coreos.com"
SERVICE_MONITOR = "ServiceMonitor"
POD_MONITOR = "PodMonitor"
MONITOR_KINDS = (SERVICE_MONITOR, POD_MONITOR)
PROMETHEUS_KINDS = ("Prometheus", "PrometheusAgent")  # the servers that load monitors

# Pod labels the control plane sets and no template carries (k8s/pod_labels.py): a selector's
# requirement on one of them is not judged against pod template labels.
UNKNOWABLE_POD_LABELS = frozenset(
    {*PER_POD_LABELS, POD_TEMPLATE_HASH, CONTROLLER_REVISION_HASH, *JOB_UID_KEYS}
)


def is_monitor(obj: K8sObject) -> bool:
    """A ServiceMonitor or PodMonitor of prometheus-operator (`monitoring.coreos.com`)."""
    return obj.kind in MONITOR_KINDS and obj.group == GROUP


def monitor_selector(obj: K8sObject) -> LabelSelector | None:
    """The monitor's `spec.selector` (required by the CRD); None when absent or not a mapping."""
    spec = obj.spec
    return parse_selector(spec.get("selector")) if spec is not None else None


def selector_node(obj: K8sObject) -> Node:
    """Where the selector is written (its key), else the spec, else the object's name."""
    spec = obj.spec
    if spec is None:
        return obj.name_node()
    return spec.key_node("selector") if "selector" in spec else spec


# -- namespaces ----------------------------------------------------------------------------


def ignoring_namespace_selectors(cluster: Cluster) -> list[K8sObject]:
    """The Prometheus and PrometheusAgent objects of the input when every one of them sets
    `ignoreNamespaceSelectors: true` (then every monitor watches its own namespace only; see
    `getNamespacesFromNamespaceSelector`); empty when there are none or one honours them."""
    servers = [o for o in cluster.of_kind(*PROMETHEUS_KINDS) if o.group == GROUP]
    if not servers:
        return []
    if all(s.spec is not None and s.spec.get_bool("ignoreNamespaceSelectors") for s in servers):
        return servers
    return []


def watched_namespaces(obj: K8sObject, cluster: Cluster) -> list[str] | None:
    """The namespaces a monitor selects Services (pods) in; None for every namespace
    (`namespaceSelector.any: true`). `matchNames` entries that are not strings are skipped."""
    own = [obj.namespace]
    spec = obj.spec
    ns_selector = spec.map("namespaceSelector") if spec is not None else None
    if ns_selector is None or ignoring_namespace_selectors(cluster):
        return own
    if ns_selector.get_bool("any") is True:
        return None
    names = ns_selector.seq("matchNames")
    listed: list[str] = []
    for item in names or ():
        if isinstance(item, Scalar) and isinstance(item.value, str) and item.value not in listed:
            listed.append(item.value)
    return listed or own


# -- selection -----------------------------------------------------------------------------


def _services_by_namespace(cluster: Cluster) -> dict[str, list[Service]]:
    index: dict[str, list[Service]] = {}
    for svc in cluster.services:
        index.setdefault(svc.namespace, []).append(svc)
    for namespace, name in sorted(BUILTIN_SERVICES):
        if not any(s.name == name for s in index.get(namespace, ())):
            builtin = cluster.service(namespace, name)
            if builtin is not None:
                index.setdefault(namespace, []).append(builtin)
    return index


def services_in(cluster: Cluster, namespaces: list[str] | None) -> list[Service]:
    """The Services of these namespaces (None: all), with the Service `kubernetes` in `default`
    that every cluster has (k8s/builtin.py) unless the input defines it."""
    index = cluster.memo("k8s.monitors.services", lambda: _services_by_namespace(cluster))
    if namespaces is None:
        return [s for ns in sorted(index) for s in index[ns]]
    return [s for ns in namespaces for s in index.get(ns, ())]


def service_matches(selector: LabelSelector, svc: Service) -> bool:
    """Whether a ServiceMonitor selector selects the Service: by its `metadata.labels`."""
    return selector.matches(svc.obj.labels)


def selected_services(cluster: Cluster, monitor: K8sObject) -> list[Service]:
    """The Services a ServiceMonitor selects in the namespaces it watches (none when its
    selector is absent or malformed: the operator cannot use it)."""
    selector = monitor_selector(monitor)
    if selector is None or selector.invalid:
        return []
    namespaces = watched_namespaces(monitor, cluster)
    return [s for s in services_in(cluster, namespaces) if service_matches(selector, s)]


def pod_labels_match(selector: LabelSelector, ps: PodSource) -> bool:
    """Whether the selector may select the pods of `ps`, judged on its template labels; a
    requirement on a label the control plane sets on each pod (a hash, an ordinal, a Job UID)
    is taken as met, since no template can tell."""
    return all(
        r.matches(ps.labels) for r in selector.requirements if r.key not in UNKNOWABLE_POD_LABELS
    )


def pod_sources_in(cluster: Cluster, namespaces: list[str] | None) -> list[PodSource]:
    """The pod sources of these namespaces (None: all)."""
    if namespaces is None:
        return list(cluster.pod_sources)
    return [ps for ns in namespaces for ps in cluster.pod_sources_in(ns)]


def pod_sources_matching(
    cluster: Cluster, selector: LabelSelector, namespaces: list[str] | None
) -> list[PodSource]:
    """The pod sources of these namespaces (None: all) whose pods the selector selects."""
    return [ps for ps in pod_sources_in(cluster, namespaces) if pod_labels_match(selector, ps)]


def selected_pod_sources(cluster: Cluster, monitor: K8sObject) -> list[PodSource]:
    """The pod sources a PodMonitor selects in the namespaces it watches (none when its selector
    is absent or malformed)."""
    selector = monitor_selector(monitor)
    if selector is None or selector.invalid:
        return []
    return pod_sources_matching(cluster, selector, watched_namespaces(monitor, cluster))


def pods_behind(cluster: Cluster, services: list[Service]) -> list[PodSource] | None:
    """The pod sources behind these Services, or None when the pods of one of them are not
    known from the input (no selector, ExternalName, or a selector matching no pod template)."""
    out: list[PodSource] = []
    for svc in services:
        pods = cluster.pods_for(svc)
        if not pods:
            return None
        out.extend(ps for ps in pods if all(ps is not q for q in out))
    return out


# -- operators -----------------------------------------------------------------------------

# prometheus-operator kinds that only configure scraping: they create no Service and no pod.
SCRAPE_CONFIG_KINDS = frozenset(
    {
        "ServiceMonitor",
        "PodMonitor",
        "Probe",
        "PrometheusRule",
        "ScrapeConfig",
        "AlertmanagerConfig",
    }
)


def operator_resources(
    cluster: Cluster, namespaces: list[str] | None, selector: LabelSelector
) -> list[K8sObject]:
    """Custom resources of these namespaces (None: all) that an operator acts on, and so may
    create Services and pods that no manifest of the input holds (a RayCluster's pods, a
    CephCluster's Services, a Prometheus's `prometheus-operated`). Pod sources (an Argo
    Rollout) and prometheus-operator's scrape configuration kinds do not count. Those the
    selector points at come first: a key in the resource's API group (`ray.io/...` and
    `ray.io`, `strimzi.io/...` and `kafka.strimzi.io`) or a value naming it."""
    found = [
        o
        for ns in ([None] if namespaces is None else namespaces)
        for o in custom_resources(cluster, ns)
        if cluster.pod_source_of(o) is None
        and not (o.group == GROUP and o.kind in SCRAPE_CONFIG_KINDS)
    ]
    domains = {r.key.partition("/")[0] for r in selector.requirements if "/" in r.key}
    values = {v for r in selector.requirements for v in r.values}

    def linked(obj: K8sObject) -> bool:
        group = obj.group
        return obj.name in values or any(
            group == d or group.endswith("." + d) or d.endswith("." + group) for d in domains
        )

    return sorted(found, key=lambda o: not linked(o))


# -- endpoints and ports -------------------------------------------------------------------


class Endpoint(NamedTuple):
    """One scrape endpoint: `spec.endpoints[i]` (ServiceMonitor) or
    `spec.podMetricsEndpoints[i]` (PodMonitor), and its port fields as written."""

    field: str  # "endpoints" or "podMetricsEndpoints"
    position: int  # its index in the list
    node: Map
    port: Scalar | None  # a Service port name (ServiceMonitor), a container port name (PodMonitor)
    target_port: Scalar | None  # ServiceMonitor: a container port name or number
    port_number: Scalar | None  # PodMonitor: a container port number

    @property
    def where(self) -> str:
        return f"{self.field}[{self.position}]"

    @property
    def filter(self) -> str | None:
        """The field that decides which ports are scraped (`port` wins over `portNumber` and
        `targetPort`); None when the endpoint scrapes every port."""
        if self.port is not None:
            return "port"
        if self.port_number is not None:
            return "portNumber"
        if self.target_port is not None:
            return "targetPort"
        return None


def _set(node: Map, key: str) -> Scalar | None:
    """The scalar at `key`, unless it is empty (`""`, `0`, null: the operator's "unset")."""
    value = node.scalar(key)
    if value is None or value.value is None or value.value in ("", 0):
        return None
    return value


def endpoints(obj: K8sObject) -> list[Endpoint]:
    """The scrape endpoints of a ServiceMonitor or PodMonitor (entries that are not mappings
    are skipped; `targetPort` of a PodMonitor is deprecated there and not read)."""
    spec = obj.spec
    field = "endpoints" if obj.kind == SERVICE_MONITOR else "podMetricsEndpoints"
    seq = spec.seq(field) if spec is not None else None
    out: list[Endpoint] = []
    for i, item in enumerate(seq.items if seq is not None else ()):
        if not isinstance(item, Map):
            continue
        if obj.kind == SERVICE_MONITOR:
            out.append(Endpoint(field, i, item, _set(item, "port"), _set(item, "targetPort"), None))
        else:
            out.append(Endpoint(field, i, item, _set(item, "port"), None, _set(item, "portNumber")))
    return out


def port_pattern(value: str) -> re.Pattern[str] | None:
    """The anchored regular expression a port value is used as (None when it is not one)."""
    try:
        return re.compile(value)
    except re.error:
        return None


def name_matches(pattern: re.Pattern[str], name: str | None) -> bool:
    """Whether a port name is kept by the pattern (an absent name is the empty string)."""
    return pattern.fullmatch(name or "") is not None


def services_with_port(services: list[Service], pattern: re.Pattern[str]) -> list[Service]:
    """The Services with a port whose name the endpoint's `port` keeps."""
    return [s for s in services if any(name_matches(pattern, p.name) for p in s.ports)]


class DeclaredPort(NamedTuple):
    """A port a container of a pod template declares (Prometheus' `pod_container_port_*`)."""

    container: str
    name: str | None
    number: int | None
    node: Map


def declared_ports(ps: PodSource) -> list[DeclaredPort]:
    """Every declared port of the pod template's containers and init containers: Prometheus'
    pod discovery lists init containers too, and counting more ports never makes a finding."""
    out: list[DeclaredPort] = []
    spec = ps.spec
    for key in ("containers", "initContainers"):
        seq = spec.seq(key) if spec is not None else None
        for c in seq.maps() if seq is not None else ():
            ports = c.seq("ports")
            for p in ports.maps() if ports is not None else ():
                number = p.get_int("containerPort")
                out.append(DeclaredPort(c.text("name") or "", p.text("name") or None, number, p))
    return out


def declaring_name(ps: PodSource, pattern: re.Pattern[str]) -> list[DeclaredPort]:
    """The declared container ports whose name the pattern keeps."""
    return [p for p in declared_ports(ps) if p.name and name_matches(pattern, p.name)]


def declaring_number(ps: PodSource, pattern: re.Pattern[str]) -> list[DeclaredPort]:
    """The declared container ports whose number (as text) the pattern keeps."""
    return [
        p
        for p in declared_ports(ps)
        if p.number is not None and name_matches(pattern, str(p.number))
    ]


class NameMixup(NamedTuple):
    """A port name given where a Service port's name belongs, found elsewhere on the Service:
    a named `targetPort` of one of its ports, or a container port name of its pods."""

    field: str  # "targetPort" or "containerPort"
    service: Service
    port: ServicePort | None  # the Service port whose traffic goes there (None: none does)
    container: str | None = None  # the container declaring it (containerPort)


def name_mixup(cluster: Cluster, services: list[Service], value: str) -> NameMixup | None:
    """The first Service whose port targets `value` by name, or whose pods declare a container
    port named `value`: the pod-side name where the Service port's name was meant."""
    for svc in services:
        for sp in svc.ports:
            if sp.target == value and not sp.target_defaulted:
                return NameMixup("targetPort", svc, sp)
    for svc in services:
        for ps in cluster.pods_for(svc):
            for p in declared_ports(ps):
                if p.name != value:
                    continue
                via = next(
                    (
                        sp
                        for sp in svc.ports
                        if sp.target is not None and sp.target in (p.name, p.number)
                    ),
                    None,
                )
                return NameMixup("containerPort", svc, via, p.container)
    return None
