"""What `svclint trace` says about one Service, as plain data: the documented JSON shape.

Every value is plain (str, int, bool, lists and dataclasses of those), so `as_dict` is the JSON
document (`svclint trace --format json`, keys documented in docs/trace.md). Additive only: a key
once documented is never renamed or dropped. `trace.py` builds it, `trace_text.py` renders it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..k8s.ownership import Owner
from ..k8s.providers import ProviderAnnotation

SCHEMA_VERSION = 1


@dataclass(slots=True)
class ObjectRef:
    """Where an object is: kind, namespace, name and position."""

    kind: str
    namespace: str
    name: str
    file: str
    line: int
    source: str | None = None  # the template or origin file it was rendered from

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(slots=True)
class PortInfo:
    """One Service port after API defaulting."""

    name: str | None
    port: int | None
    target_port: int | str | None  # after defaulting; a str is a container port name
    target_defaulted: bool  # targetPort was absent (or 0, "") and copies `port`
    protocol: str
    app_protocol: str | None
    node_port: int | None

    @property
    def label(self) -> str:
        num = "?" if self.port is None else str(self.port)
        return f"{self.name} ({num})" if self.name else num


@dataclass(slots=True)
class Setting:
    """A Service field worth showing, with what it means."""

    key: str
    value: str
    note: str | None = None


@dataclass(slots=True)
class Contract:
    """What the Service promises: type, address, ports, settings and annotations."""

    type: str
    cluster_ip: str  # `None` (headless), an address, or `allocated`
    headless: bool
    ports: list[PortInfo]
    settings: list[Setting]  # traffic policies, affinity, LoadBalancer fields, externalName...
    annotations: list[ProviderAnnotation]  # cloud/LB provider annotations and whether they apply


@dataclass(slots=True)
class PodSourceInfo:
    """A workload whose pods the Service selects (or nearly selects)."""

    kind: str
    namespace: str
    name: str
    replicas: int | None  # declared (default 1); None for kinds without the field
    replicas_note: str | None  # HPA, DaemonSet, batch...
    file: str
    line: int
    source: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(slots=True)
class NearMiss:
    """A workload the selector misses by one key, and by how much."""

    pod: PodSourceInfo
    key: str  # the selector key it fails
    wanted: str
    actual: str | None  # its value for the key (None: no such label)
    similar_key: str | None  # a near key carrying the wanted value (a likely typo)
    difference: str


@dataclass(slots=True)
class Selection:
    """How the Service finds its pods, and which it finds."""

    mode: str  # `selector`, `none` (endpoints written by hand) or `external-name`
    selector: dict[str, str] | None
    matches: list[PodSourceInfo]
    near_misses: list[NearMiss]
    more_near_misses: int
    endpoint_objects: list[ObjectRef]  # hand-written EndpointSlices / Endpoints (mode `none`)
    notes: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # rules reporting the selection


@dataclass(slots=True)
class EndpointInfo:
    """One Service port on one selected pod source."""

    pod: str  # `Deployment web`
    ok: bool  # the pods get an endpoint for this port
    container: str | None
    sidecar: bool
    container_port: int | None
    port_name: str | None
    declared: bool  # a container declares the port
    detail: str
    readiness: str | None  # the readiness probe, described; None when there is none
    readiness_on_port: bool | None  # the probe checks the port traffic arrives on
    rules: list[str] = field(default_factory=list)  # rules svclint reports about this


@dataclass(slots=True)
class PortEndpoints:
    """The endpoints of one Service port."""

    port: PortInfo
    endpoints: list[EndpointInfo]


@dataclass(slots=True)
class Endpoints:
    """The EndpointSlice entries the controller would write, per Service port."""

    ports: list[PortEndpoints]
    notes: list[str] = field(default_factory=list)
    empty: str = "no pods selected"  # what a port without endpoint entries means


@dataclass(slots=True)
class DnsName:
    """One DNS record cluster DNS serves for the Service."""

    name: str
    type: str  # A/AAAA, CNAME, SRV
    value: str  # what it answers, in words
    note: str | None = None


@dataclass(slots=True)
class Dns:
    """The names the Service gets in cluster DNS."""

    names: list[DnsName]  # the Service's own records
    short_forms: list[DnsName]  # what pods can look up thanks to their search path
    srv: list[DnsName]
    per_pod: list[DnsName]
    more_per_pod: int
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class IngressRoute:
    """An Ingress backend that routes to the Service."""

    ingress: ObjectRef
    where: str  # `path /api of host shop.example.com`, `default backend`
    port: int | str | None  # as the backend names it
    service_port: str | None  # the Service port it resolves to (None: none)
    note: str | None
    rules: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PolicyInfo:
    """A NetworkPolicy that selects some of the Service's pods."""

    policy: ObjectRef
    selects: list[str]  # the pod sources of this Service it selects
    isolates: bool  # for ingress
    effect: str
    rejected: str | None  # why the API server rejects it (it then does nothing)


@dataclass(slots=True)
class Reachability:
    """Whether traffic to one Service port reaches one isolated workload."""

    port: str  # Service port label
    pod: str
    pod_port: str  # what the traffic arrives on: `8080/TCP`, `http (8080/TCP)`
    allowed: bool
    by: str | None  # the policy and rule allowing it
    rules: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Related:
    """Another object that refers to the Service."""

    object: ObjectRef
    detail: str
    rules: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Caller:
    """Something else that calls the Service: a Gateway API route, an admission webhook, an
    APIService, a CRD's conversion webhook, a ServiceMonitor, a DNS name in a pod or ConfigMap."""

    kind: str  # "route", "webhook", "apiservice", "conversion", "monitor", "dns"
    object: ObjectRef
    where: str  # the field: `backendRefs[0] of rule 1`, `env DB_HOST of container app`
    value: str | None  # the reference as written (a DNS name, a port), when there is one
    service_port: str | None  # the Service port it lands on, when it names one that exists
    via: str | None  # a route's parents (Gateway and listener); a monitor's endpoint port
    ok: bool  # no rule reports it
    rules: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Touches:
    """Everything else in the input that refers to the Service."""

    ingresses: list[IngressRoute]
    network_policies: list[PolicyInfo]
    reachability: list[Reachability]  # only when some selected pods are isolated
    aliases: list[Related]  # ExternalName Services pointing at it
    statefulsets: list[Related]  # StatefulSets naming it as their governing Service
    autoscalers: list[Related]
    disruption_budgets: list[Related]
    notes: list[str] = field(default_factory=list)
    callers: list[Caller] = field(default_factory=list)  # routes, webhooks, monitors, DNS names


@dataclass(slots=True)
class FindingInfo:
    """A finding of the run on one of the traced objects."""

    rule: str
    level: str
    message: str
    hint: str | None
    file: str
    line: int
    column: int
    object: str | None


@dataclass(slots=True)
class Trace:
    """One Service's wiring end to end (`svclint trace`)."""

    service: ObjectRef
    duplicates: list[ObjectRef]  # other definitions of the same Service (duplicate-object)
    cluster_domain: str
    contract: Contract
    selection: Selection
    endpoints: Endpoints
    dns: Dns
    touches: Touches
    findings: list[FindingInfo]
    suppressed: int  # findings for these objects that were suppressed
    ownership: list[Owner] = field(default_factory=list)  # who manages it: where to fix it


def as_dict(trace: Trace) -> dict[str, Any]:
    """The JSON document (`version` first; keys documented in docs/trace.md)."""
    return {"version": SCHEMA_VERSION, **dataclasses.asdict(trace)}
