"""The objects of an input and their relations, for `svclint graph` (pure: no output format).

Relations drawn:

- Ingress → Service (`routes`, labelled with the backend port);
- Service → pod source (`selects`); a selector that matches nothing points at the nearest pod
  source the finding names, or at a `Pods` node; a selectorless Service whose endpoints are not
  in the input points at a `Pods` node for them;
- NetworkPolicy → pod source (`policy`; a policy selecting every pod of its namespace points at
  one `all pods` node instead of at each pod source);
- ExternalName Service → its in-cluster target Service, or an outside DNS name (`cname`);
- StatefulSet → governing Service (`serviceName`);
- the callers of a Service: a Gateway API route → its backend Services (`routes`) and → its
  parent Gateways (`parent`); an admission webhook configuration, an APIService or a CRD → the
  Service the API server calls (`webhook`, `apiservice`, `conversion`); a pod source or a
  ConfigMap → the Services its DNS names name (`dns`); a ServiceMonitor → the Services it
  selects, a PodMonitor → the pod sources it selects (`monitors`).

What a relation joins is read from the manifests through `svclint.k8s`, the same functions the
rules use. Whether it is *broken* is never decided here: a relation is broken exactly when an
unsuppressed finding of the run says so (a finding on the source object, of a rule that judges
this relation, whose `about` names the object at the other end; see `verdicts`). So `--select`,
`--ignore` and suppressions shape the drawing as they shape the report. What is referenced but
not in the input (a Service an Ingress names) is a node marked `missing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..k8s import gateway, ingress, monitors, netpolicy, statefulset
from ..k8s.builtin import is_builtin
from ..k8s.callers import references_from
from ..k8s.dns import cname_target
from ..k8s.endpoints import manual_endpoints, needs_manual_endpoints
from ..lint.findings import Finding, Report
from ..model.cluster import Cluster
from ..model.objects import K8sObject, Ref
from ..model.services import Service
from ..model.workloads import PodSource
from .verdicts import Verdicts, worst

KIND_ORDER = {"Ingress": 0, "Service": 1, "NetworkPolicy": 2, "Pods": 9, "DNS": 10}

# The rules that judge each relation (findings on the relation's source object).
SELECTS = ("service-targetport-not-found", "networkpolicy-blocks-service")
NO_MATCH = ("service-selector-no-match",)
NO_ENDPOINTS = ("service-no-endpoints",)
CNAME = ("externalname-target-missing", "externalname-ip-address", "externalname-invalid")
ROUTES = ("ingress-backend-not-found",)
SERVICE_NAME = (
    "statefulset-service-missing",
    "statefulset-service-not-headless",
    "statefulset-service-selector-mismatch",
)
BACKENDS = ("route-backend-not-found", "route-backend-not-permitted")
PARENTS = ("route-parent-not-found",)
WEBHOOKS = ("webhook-service-not-found",)
DNS = ("dns-reference-not-found",)
MONITORS = ("monitor-target-not-found",)
CALLER_RULES = {
    "routes": BACKENDS, "webhook": WEBHOOKS, "apiservice": WEBHOOKS, "conversion": WEBHOOKS,
    "dns": DNS,
}  # fmt: skip
RELATION_RULES = frozenset(
    SELECTS + NO_MATCH + NO_ENDPOINTS + CNAME + ROUTES + SERVICE_NAME + BACKENDS + PARENTS
    + WEBHOOKS + DNS + MONITORS
)  # fmt: skip


@dataclass(slots=True)
class Node:
    """An object (or a selector's pods, or an outside DNS name) in the relations graph."""

    id: str
    kind: str  # an object kind; `Pods` (a selector's pods), `DNS` (an outside name)
    namespace: str
    name: str
    missing: bool = False  # referenced but not in the input
    detail: str | None = None  # a second line: `ExternalName`, `headless`, `replicas 3`
    file: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Edge:
    """A relation between two nodes, and the rules whose findings say it is broken."""

    src: str
    dst: str
    relation: str  # routes, selects, policy, cname, serviceName
    label: str | None = None
    rules: tuple[str, ...] = ()  # rules with a finding saying the relation is broken
    level: str | None = None  # the highest level among those findings
    found: list[Finding] = field(default_factory=list, repr=False)  # those findings

    @property
    def broken(self) -> bool:
        return bool(self.rules)


@dataclass(slots=True)
class Relations:
    """The nodes and edges of `svclint graph`, each node once."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    _ids: dict[str, Node] = field(default_factory=dict)

    def add(self, node: Node) -> Node:
        have = self._ids.get(node.id)
        if have is not None:
            return have
        self._ids[node.id] = node
        self.nodes.append(node)
        return node

    def namespaces(self) -> list[str]:
        return sorted({n.namespace for n in self.nodes})


def object_id(obj: K8sObject | Ref) -> str:
    key = obj.key if isinstance(obj, K8sObject) else obj
    return f"{key.kind}/{key.namespace}/{key.name}"


def build(
    cluster: Cluster, report: Report, namespace: str | None = None, broken_only: bool = False
) -> Relations:
    """The relations of the input; `namespace` keeps objects of that namespace (and what they
    point at); `broken_only` keeps broken relations and the nodes they join."""
    rel = Relations()
    _Builder(cluster, rel, Verdicts(report), namespace).run()
    # A workload no Service, policy or StatefulSet relation reaches is not part of the wiring.
    joined = {e.src for e in rel.edges} | {e.dst for e in rel.edges}
    rel.nodes = [n for n in rel.nodes if n.id in joined or n.kind in ("Service", "NetworkPolicy")]
    rel.nodes.sort(key=lambda n: (n.namespace, KIND_ORDER.get(n.kind, 5), n.kind, n.name))
    if broken_only:
        keep = {e.src for e in rel.edges if e.broken} | {e.dst for e in rel.edges if e.broken}
        rel.edges = [e for e in rel.edges if e.broken]
        rel.nodes = [n for n in rel.nodes if n.id in keep]
    rel._ids = {n.id: n for n in rel.nodes}
    return rel


class _Builder:
    def __init__(
        self, cluster: Cluster, rel: Relations, verdicts: Verdicts, ns: str | None
    ) -> None:
        self.cluster = cluster
        self.rel = rel
        self.verdicts = verdicts
        self.ns = ns
        self.seen_edges: dict[tuple[str, str, str, str | None], Edge] = {}

    def keep(self, obj: K8sObject) -> bool:
        return self.ns is None or obj.namespace == self.ns

    def node(self, obj: K8sObject, detail: str | None = None) -> str:
        nid = object_id(obj)
        ps = self.cluster.pod_source_of(obj)
        if detail is None and ps is not None:
            detail = _pod_detail(ps)
        where = (obj.file.path, obj.root.line)
        self.rel.add(Node(nid, obj.kind, obj.namespace, obj.name, False, detail, *where))
        return nid

    def service_node(self, svc: Service) -> str:
        return self.node(svc.obj, _service_detail(svc))

    def target(self, ref: Ref) -> str:
        """The node of a referenced Service: in the input, or missing."""
        found = self.cluster.service(ref.namespace, ref.name)
        if found is not None:
            return self.service_node(found)
        return self.pseudo("missing:" + object_id(ref), ref.kind, ref.namespace, ref.name)

    def pseudo(
        self, nid: str, kind: str, namespace: str, name: str, detail: str | None = None
    ) -> str:
        missing = nid.startswith("missing:")
        self.rel.add(Node(nid, kind, namespace, name, missing, detail))
        return nid

    def edge(
        self, src: str, dst: str, relation: str, label: str | None = None,
        findings: list[Finding] | None = None,
    ) -> None:  # fmt: skip
        # Variants of one bundle linted together share object ids: their relations are one
        # edge, broken by whatever breaks any of them.
        key = (src, dst, relation, label)
        found = findings or []
        have = self.seen_edges.get(key)
        if have is None:
            self.seen_edges[key] = have = Edge(src, dst, relation, label)
            self.rel.edges.append(have)
        have.found.extend(found)
        have.rules = tuple(dict.fromkeys([*have.rules, *(f.rule for f in found)]))
        have.level = worst(have.found)

    # -- passes ----------------------------------------------------------------------------

    def run(self) -> None:
        for svc in self.cluster.services:
            if self.keep(svc.obj):
                self.service(svc)
        for obj in self.cluster.of_kind("Ingress"):
            if self.keep(obj) and ingress.is_ingress(obj):
                self.ingress(obj)
        for obj in self.cluster.of_kind("StatefulSet"):
            if self.keep(obj) and obj.group == "apps":
                self.statefulset(obj)
        namespaces = {self.ns} if self.ns is not None else None
        for ns in sorted(namespaces or self._policy_namespaces()):
            for pol in netpolicy.policies_in(self.cluster, ns):
                if pol.rejected is None:
                    self.policy(pol)
        self.callers()

    def callers(self) -> None:
        """Everything that calls a Service by name, route parents, and monitors."""
        for obj in self.cluster.objects:
            refs = references_from(self.cluster, obj)
            if not refs or not self.keep(obj):
                continue
            src = self.node(obj)
            for ref in refs:
                rules = CALLER_RULES[ref.relation]
                found = self.verdicts.on(obj, rules, ref.target, ref.key)
                label = None if ref.port is None else str(ref.port.value)
                self.edge(src, self.target(ref.target), ref.relation, label, found)
        for route in self.cluster.of_kind(*gateway.ROUTE_KINDS):
            if self.keep(route) and gateway.is_route(route):
                self.parents(route)
        for monitor in self.cluster.of_kind(*monitors.MONITOR_KINDS):
            if self.keep(monitor) and monitors.is_monitor(monitor):
                self.monitor(monitor)

    def parents(self, route: K8sObject) -> None:
        src = self.node(route)
        for p in gateway.parent_refs(route):
            if p.is_gateway:
                gws = gateway.gateways(self.cluster, p.namespace, p.name)
                dst = (
                    self.node(gws[0])
                    if gws
                    else self.pseudo(
                        "missing:" + object_id(p.target), "Gateway", p.namespace, p.name
                    )
                )
            elif p.is_service:
                dst = self.target(Ref("Service", p.namespace, p.name))
            else:
                continue  # a ListenerSet or another parent kind: not judged, not drawn
            found = self.verdicts.on(route, PARENTS, p.target, p.key)
            self.edge(src, dst, "parent", p.section, found)

    def monitor(self, monitor: K8sObject) -> None:
        src = self.node(monitor)
        selected: list[K8sObject]
        if monitor.kind == "ServiceMonitor":
            selected = [s.obj for s in monitors.selected_services(self.cluster, monitor)]
        else:
            selected = [ps.obj for ps in monitors.selected_pod_sources(self.cluster, monitor)]
        for obj in selected:
            found = self.verdicts.on(monitor, MONITORS, obj)
            self.edge(src, self.node(obj), "monitors", None, found)
        if not selected:
            what = "Services" if monitor.kind == "ServiceMonitor" else "Pods"
            mid = self.pseudo(
                f"missing:{what}/{monitor.namespace}/selected by {monitor.name}", what,
                monitor.namespace, f"selected by {monitor.name}", "no match",
            )  # fmt: skip
            found = self.verdicts.on(monitor, MONITORS, key="selector")
            self.edge(src, mid, "monitors", None, found)

    def _policy_namespaces(self) -> set[str]:
        return {obj.namespace for obj in self.cluster.of_kind("NetworkPolicy")}

    def service(self, svc: Service) -> None:
        sid = self.service_node(svc)
        if svc.type == "ExternalName":
            self.alias(svc, sid)
            return
        if needs_manual_endpoints(svc):
            if not manual_endpoints(self.cluster, svc):
                mid = self.pseudo(
                    f"missing:Pods/{svc.namespace}/endpoints of {svc.name}", "Pods",
                    svc.namespace, f"endpoints of {svc.name}", "no selector",
                )  # fmt: skip
                self.edge(sid, mid, "selects", None, self.verdicts.on(svc.obj, NO_ENDPOINTS))
            return
        if not svc.selector:
            return  # a selector of the wrong type: nothing is selected, schema-invalid says why
        pods = self.cluster.pods_for(svc)
        for ps in pods:
            pid = self.node(ps.obj, _pod_detail(ps))
            self.edge(sid, pid, "selects", None, self.verdicts.on(svc.obj, SELECTS, ps.obj))
        if not pods:
            self.no_match(svc, sid)

    def no_match(self, svc: Service, sid: str) -> None:
        findings = self.verdicts.on(svc.obj, NO_MATCH)
        nearest = [
            ps for f in findings for ref in f.about if (ps := self._pod_source(ref)) is not None
        ]
        if nearest:
            for ps in nearest:
                pid = self.node(ps.obj, _pod_detail(ps))
                self.edge(sid, pid, "selects", "nearest", findings)
            return
        shown = ",".join(f"{k}={v}" for k, v in (svc.selector or {}).items())
        mid = self.pseudo(
            f"missing:Pods/{svc.namespace}/{shown}", "Pods", svc.namespace, shown,
            "no pod template matches",
        )  # fmt: skip
        self.edge(sid, mid, "selects", None, findings)

    def _pod_source(self, ref: K8sObject | Ref) -> PodSource | None:
        if isinstance(ref, K8sObject):
            return self.cluster.pod_source_of(ref)
        for obj in self.cluster.get(ref.kind, ref.namespace, ref.name):
            ps = self.cluster.pod_source_of(obj)
            if ps is not None:
                return ps
        return None

    def alias(self, svc: Service, sid: str) -> None:
        target = cname_target(svc, self.cluster)
        if target is None:
            return
        if target.service is not None:
            ref = Ref("Service", target.service.namespace, target.service.service)
            tid = self.target(ref)
            found = self.verdicts.on(svc.obj, CNAME, ref)
            self.edge(sid, tid, "cname", target.service.host, found)
            return
        if target.kind == "outside":
            did = self.pseudo(f"dns:{target.name}", "DNS", "", target.name, "outside name")
        else:
            detail = "an IP, not a DNS name" if target.kind == "ip" else "not a valid DNS name"
            did = self.pseudo(f"missing:DNS//{target.name}", "DNS", "", target.name, detail)
        self.edge(sid, did, "cname", None, self.verdicts.on(svc.obj, CNAME))

    def ingress(self, obj: K8sObject) -> None:
        iid = self.node(obj)
        for b in ingress.backends(obj):
            ref = Ref("Service", obj.namespace, b.service)
            port = None if b.port is None else str(b.port)
            missing = self.cluster.service(obj.namespace, b.service) is None
            key = b.service if missing else f"{b.service}:{b.port}"
            found = self.verdicts.on(obj, ROUTES, ref, key)
            self.edge(iid, self.target(ref), "routes", port, found)

    def statefulset(self, obj: K8sObject) -> None:
        name = statefulset.service_name(obj)
        if not name:
            return
        ref = Ref("Service", obj.namespace, name)
        found = self.verdicts.on(obj, SERVICE_NAME, ref)
        self.edge(self.node(obj), self.target(ref), "serviceName", None, found)

    def policy(self, pol: netpolicy.Policy) -> None:
        kinds = [k for k, on in (("ingress", pol.ingress), ("egress", pol.egress)) if on]
        label = "+".join(kinds) or None
        nid = self.node(pol.obj)
        if not pol.selector.requirements:
            ns = pol.obj.namespace
            aid = self.pseudo(f"pods:{ns}", "Pods", ns, f"all pods of {ns}")
            self.edge(nid, aid, "policy", label)
            return
        for ps in netpolicy.pods_selected_by(self.cluster, pol):
            self.edge(nid, self.node(ps.obj, _pod_detail(ps)), "policy", label)


def _service_detail(svc: Service) -> str | None:
    if is_builtin(svc.obj):
        return "built-in"
    if svc.type == "ExternalName":
        return "ExternalName"
    if svc.headless:
        return "headless"
    return None if svc.type == "ClusterIP" else svc.type


def _pod_detail(ps: PodSource) -> str | None:
    return None if ps.replicas is None else f"replicas {ps.replicas}"
