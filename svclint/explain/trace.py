"""`svclint trace`: everything svclint knows about one Service, as plain data (no printing).

The sections follow the order people debug a Service in: its contract, the pods it selects, the
endpoints each port gets on each workload, its DNS names, what else touches it, and the findings
svclint reports for it and its pod sources. Every value is plain (str, int, bool, lists and
dataclasses of those), so `as_dict` is the documented JSON shape (docs/trace.md).

Cost: one Service's neighbourhood. The namespace's pod sources are scanned once (near misses),
the namespace's NetworkPolicies and PDBs once; Ingresses, aliases, HPAs and StatefulSets come from
indexes built once per graph.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..lint.findings import Finding, Report
from ..messages import closest, edit_distance
from ..model.cluster import PER_POD_LABELS, SERVICE_NAME_LABEL, Graph
from ..model.nodes import Scalar, Seq
from ..model.objects import K8sObject
from ..model.services import Service, ServicePort
from ..model.workloads import BATCH_KINDS, PodSource
from ..report.locate import place
from . import wiring

SCHEMA_VERSION = 1
KIND_WORDS = ("svc", "service", "services")
MAX_NEAR_MISSES = 5
MAX_PER_POD = 5


class LookupError_(Exception):
    """The SERVICE argument names no Service of the input (the message says what might)."""


# -- the data -------------------------------------------------------------------------------


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
class AnnotationInfo:
    """A provider annotation on the Service and whether its controller reads it."""

    key: str
    value: str
    provider: str
    applies: bool
    note: str | None


@dataclass(slots=True)
class Contract:
    """What the Service promises: type, address, ports, settings and annotations."""

    type: str
    cluster_ip: str  # `None` (headless), an address, or `allocated`
    headless: bool
    ports: list[PortInfo]
    settings: list[Setting]  # traffic policies, affinity, LoadBalancer fields, externalName...
    annotations: list[AnnotationInfo]  # cloud/LB provider annotations and whether they apply


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


def as_dict(trace: Trace) -> dict[str, Any]:
    """The JSON document (`version` first; keys documented in docs/trace.md)."""
    return {"version": SCHEMA_VERSION, **dataclasses.asdict(trace)}


# -- finding the Service --------------------------------------------------------------------


def find_service(graph: Graph, text: str, namespace: str | None) -> Service:
    """`name`, `ns/name`, `svc/name` (`service/`, `services/`) or `svc/ns/name`; `namespace` is
    `-n` when given. Raises LookupError_ with a did-you-mean when nothing matches."""
    parts = text.split("/")
    if not all(parts) or len(parts) > 3:
        raise LookupError_(f"`{text}` is not a Service name (give `name`, `ns/name` or `svc/name`)")
    if len(parts) == 3:
        if parts[0].lower() not in KIND_WORDS:
            raise LookupError_(f"`{text}`: only Services can be traced (`svc/ns/name`)")
        ns: str | None = parts[1]
        name = parts[2]
    elif len(parts) == 2:
        first, name = parts
        if first.lower() in KIND_WORDS and graph.service(first, name) is None:
            ns = namespace
        else:
            ns = first
            if namespace is not None and namespace != ns:
                raise LookupError_(
                    f"`{text}` names namespace `{ns}` but -n gives `{namespace}`: give one"
                )
    else:
        ns, name = namespace, parts[0]
    if ns is not None:
        svc = graph.service(ns, name)
        if svc is not None:
            return svc
        raise LookupError_(_unknown(graph, name, ns))
    found = [s for s in graph.services if s.name == name]
    namespaces = sorted({s.namespace for s in found})
    if len(namespaces) == 1:
        svc = graph.service(namespaces[0], name)
        assert svc is not None
        return svc
    if namespaces:
        shown = ", ".join(f"`{n}`" for n in namespaces)
        raise LookupError_(
            f"Service `{name}` exists in namespaces {shown}: give one, e.g. "
            f"`{namespaces[0]}/{name}` or `-n {namespaces[0]}`"
        )
    raise LookupError_(_unknown(graph, name, None))


def _unknown(graph: Graph, name: str, ns: str | None) -> str:
    where = f" in namespace `{ns}`" if ns is not None else ""
    message = f"no Service `{name}`{where} in the input"
    if not graph.services:
        return message + " (it holds no Services at all)"
    if ns is not None:
        elsewhere = sorted({s.namespace for s in graph.services if s.name == name})
        if elsewhere:
            implicit = [
                s for s in graph.services
                if s.name == name and s.obj.meta is not None and not s.obj.meta.text("namespace")
            ]  # fmt: skip
            if implicit:
                return message + (
                    f"; it names no namespace, so it was placed in "
                    f"`{implicit[0].namespace}`: `-n {ns}` places such objects in `{ns}`"
                )
            shown = ", ".join(f"`{n}`" for n in elsewhere)
            return message + f"; it exists in namespace {shown} (try `{elsewhere[0]}/{name}`)"
    pool = [s for s in graph.services if ns is None or s.namespace == ns] or graph.services
    names = sorted({s.name for s in pool})
    near = closest(name, names)
    guesses = [near] if near is not None else []
    guesses += [n for n in names if n not in guesses and (n.startswith(name) or name in n)]
    if guesses:
        quoted: list[str] = []
        for guess in guesses[:4]:
            hits = sorted({s.namespace for s in pool if s.name == guess})
            one = ns is None and len(hits) == 1
            quoted.append(f"`{hits[0]}/{guess}`" if one else f"`{guess}`")
        return message + f"; did you mean {' or '.join(quoted)}?"
    listed = ", ".join(f"`{n}`" for n in names[:8]) + (" ..." if len(names) > 8 else "")
    return message + f" (Services{where}: {listed})"


# -- building the trace ---------------------------------------------------------------------


def build(graph: Graph, report: Report, svc: Service) -> Trace:
    pods = graph.pods_for(svc)
    objects = [svc.obj, *(ps.obj for ps in pods)]
    ids = {id(o) for o in objects}
    reported = _reported(report, ids)
    dupes = [o for o in graph.get("Service", svc.namespace, svc.name) if o is not svc.obj]
    return Trace(
        service=_ref(svc.obj),
        duplicates=[_ref(o) for o in dupes],
        cluster_domain=graph.options.cluster_domain.strip("."),
        contract=_contract(svc),
        selection=_selection(graph, svc, pods, reported),
        endpoints=_endpoints(graph, svc, pods, reported),
        dns=_dns(graph, svc, pods),
        touches=_touches(graph, report, svc, pods, reported),
        findings=[_finding(f) for f in report.findings if _about(f, ids)],
        suppressed=sum(1 for f in report.suppressed if _about(f, ids)),
    )


Reported = set[tuple[str, int]]  # (rule id, id(object)) pairs with a finding


def _reported(report: Report, ids: set[int]) -> Reported:
    return {(f.rule, id(f.obj)) for f in report.findings if f.obj is not None and id(f.obj) in ids}


def _about(f: Finding, ids: set[int]) -> bool:
    return f.obj is not None and id(f.obj) in ids


def _ref(obj: K8sObject) -> ObjectRef:
    return ObjectRef(obj.kind, obj.namespace, obj.name, obj.file.path, obj.root.line, obj.source)


def _finding(f: Finding) -> FindingInfo:
    loc = place(f).primary
    obj = f.obj.ref if f.obj is not None else None
    return FindingInfo(f.rule, f.level, f.message, f.hint, loc.file, loc.line, loc.column, obj)


def _port_info(sp: ServicePort) -> PortInfo:
    return PortInfo(
        sp.name, sp.port, sp.target, sp.target_defaulted, sp.protocol,
        sp.node.text("appProtocol"), sp.node_port,
    )  # fmt: skip


# -- 1. contract ----------------------------------------------------------------------------


def _contract(svc: Service) -> Contract:
    spec = svc.spec
    settings: list[Setting] = []

    def add(key: str, value: object, note: str | None = None) -> None:
        settings.append(Setting(key, str(value), note))

    ip = spec.text("clusterIP") if spec is not None else None
    if svc.type == "ExternalName":
        cluster_ip = "none (ExternalName)"
    elif svc.headless:
        cluster_ip = "None"
    else:
        cluster_ip = ip or "allocated"
    if spec is None:
        return Contract(svc.type, cluster_ip, svc.headless, [], [Setting("spec", "missing")], [])
    if svc.type == "ExternalName":
        add("externalName", svc.external_name or "(missing)", "DNS answers a CNAME to it")
    elif spec.text("externalName"):
        add("externalName", spec.text("externalName"), f"ignored: type is {svc.type}")
    ips = spec.seq("clusterIPs")
    if ips is not None and len(ips) > 1:
        add("clusterIPs", _texts(ips))
    fams = spec.seq("ipFamilies")
    if fams is not None:
        add("ipFamilies", _texts(fams))
    if spec.text("ipFamilyPolicy"):
        add("ipFamilyPolicy", spec.text("ipFamilyPolicy"))
    if svc.type != "ExternalName":
        _traffic(svc, add)
    affinity = spec.text("sessionAffinity") or "None"
    if affinity != "None":
        timeout = spec.dig("sessionAffinityConfig", "clientIP", "timeoutSeconds")
        secs = getattr(timeout, "value", None)
        note = "ignored for a headless Service" if svc.headless else None
        add("sessionAffinity", f"{affinity} ({secs if secs is not None else 10800}s)", note)
    elif svc.type != "ExternalName":
        add("sessionAffinity", "None")
    if spec.get_bool("publishNotReadyAddresses"):
        add("publishNotReadyAddresses", "true", "pods are published before they are Ready")
    ext = spec.seq("externalIPs")
    if ext is not None and len(ext):
        add("externalIPs", _texts(ext))
    _load_balancer(svc, add)
    annotations = [
        AnnotationInfo(a.key, a.value, a.provider, a.applies, a.note)
        for a in wiring.provider_annotations(svc)
    ]
    ports = [_port_info(sp) for sp in svc.ports]
    return Contract(svc.type, cluster_ip, svc.headless, ports, settings, annotations)


def _texts(seq: Seq) -> str:
    return ", ".join(i.text for i in seq.items if isinstance(i, Scalar))


def _traffic(svc: Service, add: Any) -> None:
    spec = svc.spec
    assert spec is not None
    etp = spec.text("externalTrafficPolicy")
    if svc.externally_accessible:
        note = None
        if (etp or "Cluster") == "Local":
            note = "client source IP kept; nodes without a ready local endpoint drop traffic" + (
                " (no health check for NodePort)" if svc.type == "NodePort" else ""
            )
        add("externalTrafficPolicy", etp or "Cluster", note if etp else "default")
    elif etp:
        add("externalTrafficPolicy", etp, "rejected: only for externally accessible Services")
    itp = spec.text("internalTrafficPolicy")
    note = "only node-local endpoints serve in-cluster clients" if itp == "Local" else None
    add("internalTrafficPolicy", itp or "Cluster", note if itp else "default")
    if spec.text("trafficDistribution"):
        add("trafficDistribution", spec.text("trafficDistribution"), "a hint, not a guarantee")


def _load_balancer(svc: Service, add: Any) -> None:
    spec = svc.spec
    assert spec is not None
    lb = svc.type == "LoadBalancer"
    for key in ("loadBalancerClass", "loadBalancerIP", "healthCheckNodePort"):
        if spec.text(key):
            note = None if lb else "only for type LoadBalancer"
            if key == "loadBalancerIP" and lb:
                note = "deprecated since 1.24: use the provider's annotation"
            add(key, spec.text(key), note)
    ranges = spec.seq("loadBalancerSourceRanges")
    if ranges is not None and len(ranges):
        add(
            "loadBalancerSourceRanges",
            _texts(ranges),
            None if lb else "only for type LoadBalancer",
        )
    alloc = spec.get_bool("allocateLoadBalancerNodePorts")
    if lb:
        add("allocateLoadBalancerNodePorts", "true" if alloc is None else str(alloc).lower(),
            "default" if alloc is None else None)  # fmt: skip
        if (spec.text("externalTrafficPolicy") or "Cluster") == "Local" and not spec.text(
            "healthCheckNodePort"
        ):
            add("healthCheckNodePort", "allocated", "kube-proxy answers the LB health check on it")


# -- 2. selection ---------------------------------------------------------------------------


def _pod_info(graph: Graph, ps: PodSource) -> PodSourceInfo:
    replicas = ps.replicas
    note: str | None = None
    hpas = wiring.hpas_for(graph, ps.obj)
    if hpas:
        spec = hpas[0].spec
        lo = spec.get_int("minReplicas") if spec is not None else None
        hi = spec.get_int("maxReplicas") if spec is not None else None
        note = f"scaled by HorizontalPodAutoscaler {hpas[0].name} ({lo or 1}-{hi or '?'})"
    elif ps.kind == "DaemonSet":
        note = "one pod per eligible node"
    elif ps.kind in BATCH_KINDS:
        note = "batch pods: endpoints only while they run"
    elif ps.kind == "Pod":
        note = "a bare Pod"
    elif replicas == 0:
        note = "0 replicas: no endpoints until scaled up"
    obj = ps.obj
    return PodSourceInfo(
        ps.kind, obj.namespace, obj.name, replicas, note, obj.file.path, obj.root.line, obj.source
    )


def _selection(graph: Graph, svc: Service, pods: list[PodSource], reported: Reported) -> Selection:
    rules = sorted(
        r for r in ("service-selector-no-match", "service-selector-unstable-label",
                    "service-no-endpoints") if (r, id(svc.obj)) in reported
    )  # fmt: skip
    if svc.type == "ExternalName":
        alias = ["ExternalName: no pods, no endpoints; DNS answers a CNAME"]
        if svc.selector:
            alias.append("its selector is ignored")
        return Selection("external-name", svc.selector, [], [], 0, [], alias, rules)
    if not svc.selector:
        objs = wiring.endpoint_objects(graph, svc)
        label = f"{SERVICE_NAME_LABEL}: {svc.name}"
        manual = [
            (
                "no selector: Kubernetes writes no endpoints; EndpointSlices labelled "
                f"`{label}` (or an Endpoints `{svc.name}`) supply them"
            )
        ]
        if not objs:
            manual.append("none of those are in the input")
        return Selection("none", None, [], [], 0, [_ref(o) for o in objs], manual, rules)
    matches = [_pod_info(graph, ps) for ps in pods]
    near, more = _near_misses(graph, svc, pods)
    notes: list[str] = []
    per_pod = [k for k in svc.selector if k in PER_POD_LABELS]
    if per_pod:
        notes.append(
            f"`{per_pod[0]}` picks one pod of a StatefulSet by name or ordinal (the controller "
            "sets it on each pod)"
        )
    if not pods:
        if not graph.pod_sources_in(svc.namespace):
            notes.append(f"no pod sources of namespace `{svc.namespace}` are in the input")
        else:
            notes.append(f"no pod template in namespace `{svc.namespace}` carries every label")
        elsewhere = [
            ns
            for ns in sorted(graph.namespaces_with_pods())
            if ns != svc.namespace and graph.select_with_ordinals(ns, svc.selector)
        ]
        if elsewhere:
            notes.append(
                f"pods in namespace {', '.join(f'`{n}`' for n in elsewhere)} match, but a "
                "Service selects only in its own namespace"
            )
    return Selection("selector", dict(svc.selector), matches, near, more, [], notes, rules)


def _near_misses(graph: Graph, svc: Service, pods: list[PodSource]) -> tuple[list[NearMiss], int]:
    """Pod sources of the namespace failing exactly one selector pair.

    With matches, only the telling ones are kept (the label is missing, or a typo away); sibling
    workloads with another value for the same key are not near misses worth reading.
    """
    selector = {k: v for k, v in (svc.selector or {}).items() if k not in PER_POD_LABELS}
    if not selector:
        return [], 0
    chosen = {id(ps) for ps in pods}
    found: list[tuple[tuple[int, int, str], NearMiss]] = []
    for ps in graph.pod_sources_in(svc.namespace):
        if id(ps) in chosen:
            continue
        failing = [(k, v) for k, v in selector.items() if ps.labels.get(k) != v]
        if len(failing) != 1:
            continue
        key, wanted = failing[0]
        actual = ps.labels.get(key)
        similar = None
        if actual is None:  # the wanted value under a misspelt key?
            similar = next(
                (k for k, v in ps.labels.items() if v == wanted and k != key and _typo(key, k)),
                None,
            )
        typo = similar is not None or (actual is not None and _typo(wanted, actual))
        if len(selector) == 1 and actual is None and similar is None:
            continue  # shares nothing with the selector
        if pods and not typo and actual is not None:
            continue
        if similar is not None:
            diff = f"has `{similar}: {wanted}`, not `{key}: {wanted}`"
        elif actual is None:
            diff = f"no `{key}` label"
        else:
            diff = f"`{key}` is `{actual}`, not `{wanted}`"
        rank = 0 if typo else 1 if actual is None else 2
        distance = 0 if actual is None else _distance(wanted, actual)
        found.append(
            ((rank, distance, ps.obj.name), NearMiss(
                _pod_info(graph, ps), key, wanted, actual, similar, diff))
        )  # fmt: skip
    found.sort(key=lambda item: item[0])
    if any(rank[0] == 0 for rank, _ in found):
        # Typos explain a selector best; other values of the key are just other workloads.
        found = [item for item in found if item[0][0] < 2]
    shown = [nm for _, nm in found[:MAX_NEAR_MISSES]]
    return shown, max(0, len(found) - MAX_NEAR_MISSES)


def _distance(a: str, b: str) -> int:
    return edit_distance(a, b)


def _typo(a: str, b: str) -> bool:
    """A slip of the keyboard, not another word: `wbe` for `web`, `fronted` for `frontend`."""
    limit = max(1, min(len(a), len(b)) // 4)
    return abs(len(a) - len(b)) <= limit and edit_distance(a, b) <= limit


# -- 3. endpoints ---------------------------------------------------------------------------


def _endpoints(graph: Graph, svc: Service, pods: list[PodSource], reported: Reported) -> Endpoints:
    notes: list[str] = []
    if svc.type == "ExternalName":
        return Endpoints([], ["ExternalName: no endpoints; clients connect to the CNAME target"])
    if not svc.ports:
        notes.append(
            "no ports: a headless Service gives DNS A records only"
            if svc.headless
            else "no ports: the API server rejects a non-headless Service without ports"
        )
    spec = svc.spec
    pnr = spec is not None and spec.get_bool("publishNotReadyAddresses") is True
    if pnr:
        notes.append("publishNotReadyAddresses: every running pod is published, Ready or not")
    if svc.selector and not pods:
        notes.append("no pods selected: every port has no endpoints")
    for ps in pods:
        if wiring.host_network(ps):
            notes.append(f"{ps.kind} {ps.obj.name} uses hostNetwork: its endpoints are node IPs")
    out: list[PortEndpoints] = []
    for sp in svc.ports:
        entries = [_endpoint(svc, sp, ps, reported) for ps in pods]
        out.append(PortEndpoints(_port_info(sp), entries))
    if not svc.selector:
        empty = "no selector: endpoints are written by hand"
        objs = wiring.endpoint_objects(graph, svc)
        empty += f" ({len(objs)} in the input)" if objs else ", and none are in the input"
        return Endpoints(out, notes, empty)
    return Endpoints(out, notes)


def _endpoint(svc: Service, sp: ServicePort, ps: PodSource, reported: Reported) -> EndpointInfo:
    r = wiring.resolve(sp, ps)
    rules = [r.rule] if r.rule and _reported_for(r.rule, reported, svc, ps) else []
    readiness: str | None = None
    on_port: bool | None = None
    containers = [r.container] if r.container is not None else []
    if r.container is None and r.ok:
        containers = [c for c in ps.containers if not c.sidecar]
    if len(containers) == 1:
        probe = wiring.probe_info(containers[0])
        if probe is not None:
            readiness = probe.text
            if probe.number is not None and r.number is not None:
                on_port = probe.number == r.number
        elif ("readiness-probe-missing", id(ps.obj)) in reported:
            rules.append("readiness-probe-missing")
    elif containers:
        parts = []
        for c in containers:
            probe = wiring.probe_info(c)
            parts.append(f"{c.name}: {probe.text if probe is not None else 'none'}")
        readiness = "; ".join(parts)
    return EndpointInfo(
        pod=f"{ps.kind} {ps.obj.name}",
        ok=r.ok,
        container=r.container.name if r.container is not None else None,
        sidecar=r.container.sidecar if r.container is not None else False,
        container_port=r.number,
        port_name=r.port.name if r.port is not None else None,
        declared=r.declared,
        detail=r.reason,
        readiness=readiness,
        readiness_on_port=on_port,
        rules=rules,
    )


def _reported_for(rule: str, reported: Reported, svc: Service, ps: PodSource) -> bool:
    return (rule, id(svc.obj)) in reported or (rule, id(ps.obj)) in reported


# -- 4. DNS ---------------------------------------------------------------------------------


def _dns(graph: Graph, svc: Service, pods: list[PodSource]) -> Dns:
    domain = graph.options.cluster_domain.strip(".")
    ns, name = svc.namespace, svc.name
    fqdn = f"{name}.{ns}.svc.{domain}"
    notes: list[str] = []
    names: list[DnsName] = []
    spec = svc.spec
    pnr = spec is not None and spec.get_bool("publishNotReadyAddresses") is True
    ready = "every endpoint" if pnr else "each Ready endpoint"
    if svc.type == "ExternalName":
        names.append(DnsName(fqdn, "CNAME", svc.external_name or "(missing)"))
        notes.extend(_alias_notes(graph, svc, domain))
    elif svc.headless:
        names.append(DnsName(fqdn, "A/AAAA", f"pod IPs of {ready} (no cluster IP)"))
        if svc.selector and not pods:
            notes.append("no pods selected: the name answers NXDOMAIN")
    else:
        names.append(DnsName(fqdn, "A/AAAA", "the cluster IP"))
    short = [
        DnsName(name, "", "from pods in the same namespace"),
        DnsName(f"{name}.{ns}", "", "from any namespace"),
        DnsName(f"{name}.{ns}.svc", "", "from any namespace"),
    ]
    srv: list[DnsName] = []
    if svc.type == "ExternalName":
        if any(sp.name for sp in svc.ports):
            notes.append("no SRV records: ExternalName ports have no effect")
    else:
        for sp in svc.ports:
            if not sp.name:
                continue
            proto = sp.protocol.lower()
            if svc.headless:
                value = f"{ready}'s name, port = its resolved targetPort"
            else:
                value = f"{fqdn}, port {sp.port if sp.port is not None else '?'}"
            srv.append(DnsName(f"_{sp.name}._{proto}.{fqdn}", "SRV", value))
        unnamed = [sp for sp in svc.ports if not sp.name]
        if unnamed and svc.ports:
            notes.append(
                f"{len(unnamed)} unnamed port{'s' if len(unnamed) > 1 else ''}: no SRV record"
            )
    per_pod, more = _per_pod(graph, svc, pods, fqdn, notes)
    return Dns(names, short, srv, per_pod, more, notes)


def _alias_notes(graph: Graph, svc: Service, domain: str) -> list[str]:
    target = wiring.alias_target(svc, domain)
    if target is None:
        return []
    found = graph.service(target.namespace, target.name)
    ref = f"Service {target.namespace}/{target.name}"
    if not target.qualified:
        return [
            (
                f"the target names {ref} without the cluster domain: DNS search paths do not "
                f"apply to a CNAME target, so it never resolves (use `.svc.{domain}`)"
            )
        ]
    if found is None:
        return [f"the target is {ref}, which is not in the input"]
    if target.host is not None and not found.headless:
        return [f"the target is a per-pod name of {ref}, which is not headless: no such record"]
    return [f"the target is {ref} (`svclint trace {target.namespace}/{target.name}`)"]


def _per_pod(
    graph: Graph, svc: Service, pods: list[PodSource], fqdn: str, notes: list[str]
) -> tuple[list[DnsName], int]:
    out: list[DnsName] = []
    more = 0
    selected = {id(ps.obj) for ps in pods}
    governing = wiring.governed_by(graph, svc)
    for sts in governing:
        if id(sts) not in selected:
            notes.append(
                f"StatefulSet {sts.name} names this Service in `serviceName`, but the selector "
                "does not select its pods: they get no per-pod names"
            )
        elif not svc.headless:
            notes.append(
                f"StatefulSet {sts.name} names this Service in `serviceName`, but it is not "
                "headless: no per-pod names are guaranteed"
            )
    for ps in pods:
        if ps.kind == "StatefulSet":
            if ps.obj not in governing:
                other = wiring.service_name_of(ps.obj)
                if svc.headless:
                    notes.append(
                        f"StatefulSet {ps.obj.name} is selected, but its `serviceName` is "
                        + (f"`{other}`" if other else "empty")
                        + ": its per-pod names live under that Service, not this one"
                    )
                continue
            if not svc.headless:
                continue
            start, count = wiring.ordinals(ps.obj, ps.replicas)
            hpas = wiring.hpas_for(graph, ps.obj)
            hpa_max = None
            if hpas and hpas[0].spec is not None:
                hpa_max = hpas[0].spec.get_int("maxReplicas")
            total = hpa_max if hpa_max is not None else count
            if total is None:
                continue
            shown = min(total, MAX_PER_POD)
            for n in range(start, start + shown):
                out.append(DnsName(f"{ps.obj.name}-{n}.{fqdn}", "A/AAAA", f"pod {ps.obj.name}-{n}"))
            more += total - shown
            if hpa_max is not None:
                notes.append(f"StatefulSet {ps.obj.name} is scaled by an HPA: up to {hpa_max} pods")
        elif svc.headless and ps.spec is not None:
            host = ps.spec.get_str("hostname")
            sub = ps.spec.get_str("subdomain")
            if host and sub == svc.name:
                out.append(DnsName(f"{host}.{fqdn}", "A/AAAA", f"pods of {ps.kind} {ps.obj.name}"))
    return out, more


# -- 5. what else touches it ----------------------------------------------------------------


def _touches(
    graph: Graph, report: Report, svc: Service, pods: list[PodSource], reported: Reported
) -> Touches:
    ingress_rules = {
        (f.rule, id(f.obj)) for f in report.findings if f.rule == "ingress-backend-not-found"
    }
    ingresses = [
        _route(svc, b, ingress_rules) for b in wiring.backends_to(graph, svc.namespace, svc.name)
    ]
    policies, reach = _policies(graph, svc, pods, reported)
    alias_rules = {id(f.obj) for f in report.findings if f.rule == "externalname-target-missing"}
    aliases = []
    for alias, target in wiring.aliases_of(graph, svc):
        detail = f"externalName {alias.external_name}"
        flagged: list[str] = []
        if not target.qualified:
            detail += ": not fully qualified, so the CNAME target never resolves"
        elif target.host is not None:
            detail += f" (the per-pod name of `{target.host}`)"
        if id(alias.obj) in alias_rules:
            flagged.append("externalname-target-missing")
        aliases.append(Related(_ref(alias.obj), detail, flagged))
    statefulsets = []
    selected = {id(ps.obj) for ps in pods}
    sts_rules = {
        (f.rule, id(f.obj)) for f in report.findings if f.rule.startswith("statefulset-service-")
    }
    for sts in wiring.governed_by(graph, svc):
        ok = id(sts) in selected and svc.headless
        detail = "governing Service (`serviceName`)" + ("" if ok else ": ")
        if id(sts) not in selected:
            detail += "its pods are not selected"
        elif not svc.headless:
            detail += "the Service is not headless"
        flagged = sorted(r for r, o in sts_rules if o == id(sts))
        statefulsets.append(Related(_ref(sts), detail, flagged))
    autoscalers: list[Related] = []
    budgets: list[Related] = []
    for ps in pods:
        for hpa in wiring.hpas_for(graph, ps.obj):
            spec = hpa.spec
            lo = spec.get_int("minReplicas") if spec is not None else None
            hi = spec.get_int("maxReplicas") if spec is not None else None
            autoscalers.append(
                Related(
                    _ref(hpa), f"scales {ps.kind} {ps.obj.name}: {lo or 1}-{hi or '?'} replicas"
                )
            )
    for pdb, sel in wiring.pdbs_in(graph, svc.namespace):
        if sel is None:
            continue
        hit = [ps for ps in pods if sel.matches(ps.labels)]
        if not hit:
            continue
        spec = pdb.spec
        parts = [
            f"{k} {spec.text(k)}"
            for k in ("minAvailable", "maxUnavailable")
            if spec is not None and spec.text(k)
        ]
        names = ", ".join(f"{ps.kind} {ps.obj.name}" for ps in hit)
        budgets.append(
            Related(_ref(pdb), f"covers {names}" + (f": {', '.join(parts)}" if parts else ""))
        )
    return Touches(ingresses, policies, reach, aliases, statefulsets, autoscalers, budgets)


def _route(svc: Service, b: wiring.Backend, flagged: set[tuple[str, int]]) -> IngressRoute:
    sp = wiring.service_port_for(svc, b.port)
    note: str | None = None
    rules: list[str] = []
    if b.port is None:
        note = "no usable port (the API server requires exactly one of `number` and `name`)"
    elif sp is None and svc.type != "ExternalName":
        what = f"port {b.port}" if isinstance(b.port, int) else f"port name `{b.port}`"
        note = f"the Service has no {what}"
        if ("ingress-backend-not-found", id(b.ingress)) in flagged:
            rules.append("ingress-backend-not-found")
    label = None
    if sp is not None:
        label = _port_info(sp).label
    return IngressRoute(_ref(b.ingress), b.where, b.port, label, note, rules)


def _policies(
    graph: Graph, svc: Service, pods: list[PodSource], reported: Reported
) -> tuple[list[PolicyInfo], list[Reachability]]:
    all_policies = wiring.policies_in(graph, svc.namespace)
    if not all_policies or not pods:
        return [], []
    infos: list[PolicyInfo] = []
    selecting: dict[int, list[wiring.Policy]] = {id(ps): [] for ps in pods}
    for pol in all_policies:
        if pol.rejected is not None:
            continue  # the API server rejects it: it never exists
        hit = [ps for ps in pods if pol.selector.matches(ps.labels)]
        if not hit:
            continue
        for ps in hit:
            selecting[id(ps)].append(pol)
        infos.append(
            PolicyInfo(
                _ref(pol.obj), [f"{ps.kind} {ps.obj.name}" for ps in hit], pol.ingress,
                pol.summary(), pol.rejected,
            )
        )  # fmt: skip
    reach: list[Reachability] = []
    if not any(p.ingress for pols in selecting.values() for p in pols):
        return infos, reach
    for sp in svc.ports:
        label = _port_info(sp).label
        for ps in pods:
            isolating = [p for p in selecting[id(ps)] if p.ingress]
            if not isolating or wiring.host_network(ps):
                continue
            r = wiring.resolve(sp, ps)
            if not r.ok:
                continue
            names = wiring.pod_port_names(sp, ps, r.number)
            num = "?" if r.number is None else str(r.number)
            pod_port = f"{num}/{sp.protocol}"
            if isinstance(sp.target, str):
                pod_port = f"{sp.target} ({pod_port})"
            by = None
            for pol in isolating:
                i = pol.allowing(sp.protocol, r.number, names)
                if i is not None:
                    by = f"NetworkPolicy {pol.obj.name}, ingress rule {i + 1}"
                    break
            rules = []
            if by is None and ("networkpolicy-blocks-service", id(svc.obj)) in reported:
                rules.append("networkpolicy-blocks-service")
            reach.append(
                Reachability(label, f"{ps.kind} {ps.obj.name}", pod_port, by is not None, by, rules)
            )
    return infos, reach
