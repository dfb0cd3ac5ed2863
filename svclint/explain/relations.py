"""The objects of an input and their relations, for `svclint graph` (pure: no output format).

Relations drawn:

- Ingress → Service (`routes`, labelled with the backend port);
- Service → pod source (`selects`);
- NetworkPolicy → pod source (`policy`; a policy selecting every pod of its namespace points at
  one `all pods` node instead of at each pod source);
- ExternalName Service → its in-cluster target Service, or an outside DNS name (`cname`);
- StatefulSet → governing Service (`serviceName`).

A relation is *broken* when the manifests show it cannot work; it then carries the id of the rule
that reports it. What is missing altogether (a Service an Ingress names, a Service a StatefulSet
names, pods for a selector) is a node marked `missing`. Brokenness is read from the objects
themselves, not from the findings, so `--select`/`--ignore` and suppressions do not hide it;
`reported` says whether the run reported that rule for the object.

Cost: one pass over Services (each through the selector index), Ingress backends, policies
(through the label index) and StatefulSets. A Service selecting nothing looks for its nearest pod
source among those sharing a selector pair (index lookups), and scans its namespace for a typo
only when the namespace is small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..k8s.names import parse_ip
from ..lint.findings import Report
from ..messages import edit_distance
from ..model.cluster import PER_POD_LABELS, Graph
from ..model.nodes import Map, Scalar
from ..model.objects import K8sObject
from ..model.services import Service
from ..model.workloads import PodSource
from . import wiring

KIND_ORDER = {"Ingress": 0, "Service": 1, "NetworkPolicy": 2, "Pods": 9, "DNS": 10}
TYPO_SCAN_LIMIT = 400  # pod sources of a namespace scanned for a selector typo


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
    """A relation between two nodes, and whether it is broken."""

    src: str
    dst: str
    relation: str  # routes, selects, policy, cname, serviceName
    label: str | None = None
    broken: bool = False
    rule: str | None = None  # the rule reporting a broken relation
    reported: bool = False  # the run holds a finding of `rule` for the source object


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


def object_id(obj: K8sObject) -> str:
    return f"{obj.kind}/{obj.namespace}/{obj.name}"


def build(
    graph: Graph, report: Report, namespace: str | None = None, broken_only: bool = False
) -> Relations:
    """The relations of the input; `namespace` keeps objects of that namespace (and what they
    point at); `broken_only` keeps broken relations and the nodes they join."""
    rel = Relations()
    reported = {(f.rule, id(f.obj)) for f in report.findings if f.obj is not None}
    b = _Builder(graph, rel, reported, namespace)
    b.run()
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
        self, graph: Graph, rel: Relations, reported: set[tuple[str, int]], ns: str | None
    ) -> None:
        self.graph = graph
        self.rel = rel
        self.reported = reported
        self.ns = ns
        self.domain = graph.options.cluster_domain.strip(".")
        self.seen_edges: set[tuple[str, str, str, str | None]] = set()

    def keep(self, obj: K8sObject) -> bool:
        return self.ns is None or obj.namespace == self.ns

    def node(self, obj: K8sObject, detail: str | None = None) -> str:
        nid = object_id(obj)
        ps = self.graph.pod_source_of(obj)
        if detail is None and ps is not None:
            detail = _pod_detail(ps)
        where = (obj.file.path, obj.root.line)
        self.rel.add(Node(nid, obj.kind, obj.namespace, obj.name, False, detail, *where))
        return nid

    def missing(self, kind: str, namespace: str, name: str, detail: str | None = None) -> str:
        nid = f"missing:{kind}/{namespace}/{name}"
        self.rel.add(Node(nid, kind, namespace, name, True, detail))
        return nid

    def edge(
        self, src: str, dst: str, relation: str, label: str | None = None,
        rule: str | None = None, obj: K8sObject | None = None,
    ) -> None:  # fmt: skip
        key = (src, dst, relation, label)
        if key in self.seen_edges:
            return
        self.seen_edges.add(key)
        reported = rule is not None and obj is not None and (rule, id(obj)) in self.reported
        self.rel.edges.append(Edge(src, dst, relation, label, rule is not None, rule, reported))

    # -- passes ----------------------------------------------------------------------------

    def run(self) -> None:
        for svc in self.graph.services:
            if self.keep(svc.obj):
                self.service(svc)
        for obj in self.graph.of_kind("Ingress"):
            if self.keep(obj):
                self.ingress(obj)
        for obj in self.graph.of_kind("StatefulSet"):
            if self.keep(obj) and obj.group == "apps":
                self.statefulset(obj)
        namespaces = {self.ns} if self.ns is not None else None
        for ns in sorted(namespaces or self._policy_namespaces()):
            for pol in wiring.policies_in(self.graph, ns):
                if pol.rejected is None:
                    self.policy(pol)

    def _policy_namespaces(self) -> set[str]:
        return {obj.namespace for obj in self.graph.of_kind("NetworkPolicy")}

    def service(self, svc: Service) -> None:
        detail = _service_detail(svc)
        sid = self.node(svc.obj, detail)
        if svc.type == "ExternalName":
            self.alias(svc, sid)
            return
        if not svc.selector:
            if _endpoints_expected(svc) and not wiring.endpoint_objects(self.graph, svc):
                mid = self.missing("Pods", svc.namespace, f"endpoints of {svc.name}", "no selector")
                self.edge(sid, mid, "selects", None, "service-no-endpoints", svc.obj)
            return
        pods = self.graph.pods_for(svc)
        if not pods:
            self.no_match(svc, sid)
            return
        for ps in pods:
            pid = self.node(ps.obj, _pod_detail(ps))
            rule = self.selects_broken(svc, ps)
            self.edge(sid, pid, "selects", None, rule, svc.obj)

    def selects_broken(self, svc: Service, ps: PodSource) -> str | None:
        """Why traffic from the Service to these pods fails, for the first port it fails on."""
        isolating = [p for p in wiring.policies_selecting(self.graph, ps) if p.ingress]
        for sp in svc.ports:
            r = wiring.resolve(sp, ps)
            if not r.ok:
                if wiring.judgeable(sp, ps):
                    return r.rule
                continue  # unrendered or malformed: nothing to say about it
            if isolating and not wiring.host_network(ps):
                names = wiring.pod_port_names(sp, ps, r.number)
                if all(p.allowing(sp.protocol, r.number, names) is None for p in isolating):
                    return "networkpolicy-blocks-service"
        return None

    def no_match(self, svc: Service, sid: str) -> None:
        selector = svc.selector or {}
        shown = ",".join(f"{k}={v}" for k, v in selector.items())
        nearest = self.nearest(svc)
        if nearest is not None:
            pid = self.node(nearest.obj, _pod_detail(nearest))
            self.edge(sid, pid, "selects", "nearest", "service-selector-no-match", svc.obj)
            return
        mid = self.missing("Pods", svc.namespace, shown, "no pod template matches")
        self.edge(sid, mid, "selects", None, "service-selector-no-match", svc.obj)

    def nearest(self, svc: Service) -> PodSource | None:
        selector = {k: v for k, v in (svc.selector or {}).items() if k not in PER_POD_LABELS}
        if not selector:
            return None
        ns = svc.namespace
        candidates: dict[int, PodSource] = {}
        for item in selector.items():
            for ps in self.graph.select(ns, dict([item])):
                candidates[id(ps)] = ps
        pool = list(candidates.values())
        if not pool and len(self.graph.pod_sources_in(ns)) <= TYPO_SCAN_LIMIT:
            pool = [
                ps
                for ps in self.graph.pod_sources_in(ns)
                if any(
                    k in ps.labels and edit_distance(ps.labels[k], v) <= max(1, len(v) // 4)
                    for k, v in selector.items()
                )
            ]
        best: tuple[tuple[int, int, str], PodSource] | None = None
        for ps in pool:
            wrong = [(k, v) for k, v in selector.items() if ps.labels.get(k) != v]
            # Fewest differing pairs, then the closest values (`cart` for `kart`), then the name.
            distance = sum(
                edit_distance(ps.labels[k], v) if k in ps.labels else len(v) + len(k)
                for k, v in wrong
            )
            key = (len(wrong), distance, ps.obj.name)
            if best is None or key < best[0]:
                best = (key, ps)
        return best[1] if best is not None else None

    def alias(self, svc: Service, sid: str) -> None:
        name = svc.external_name
        if not name:
            return
        target = wiring.alias_target(svc, self.domain)
        if target is None:
            if parse_ip(name) is not None:
                did = self.missing("DNS", "", name, "an IP, not a DNS name")
                self.edge(sid, did, "cname", None, "externalname-ip-address", svc.obj)
            else:
                did = f"dns:{name}"
                self.rel.add(Node(did, "DNS", "", name, False, "outside name"))
                self.edge(sid, did, "cname")
            return
        found = self.graph.service(target.namespace, target.name)
        rule = "externalname-target-missing"
        if found is None:
            mid = self.missing("Service", target.namespace, target.name)
            self.edge(sid, mid, "cname", None, rule, svc.obj)
            return
        tid = self.node(found.obj, _service_detail(found))
        broken = not target.qualified or (target.host is not None and not found.headless)
        label = target.host
        self.edge(sid, tid, "cname", label, rule if broken else None, svc.obj)

    def ingress(self, obj: K8sObject) -> None:
        iid = self.node(obj)
        for b in wiring.ingress_backends(obj):
            port = None if b.port is None else str(b.port)
            svc = self.graph.service(obj.namespace, b.service)
            rule = "ingress-backend-not-found"
            if svc is None:
                mid = self.missing("Service", obj.namespace, b.service)
                self.edge(iid, mid, "routes", port, rule, obj)
                continue
            sid = self.node(svc.obj, _service_detail(svc))
            twins = [svc]
            if len(self.graph.get("Service", obj.namespace, b.service)) > 1:
                # several variants of one bundle: the port is there if any of them has it
                twins = [
                    s
                    for s in self.graph.services
                    if s.namespace == obj.namespace and s.name == b.service
                ]
            ok = b.port is None or any(
                s.type == "ExternalName" or wiring.service_port_for(s, b.port) is not None
                for s in twins
            )
            self.edge(iid, sid, "routes", port, None if ok else rule, obj)

    def statefulset(self, obj: K8sObject) -> None:
        name = wiring.service_name_of(obj)
        if not name:
            return
        pid = self.node(obj)
        svc = self.graph.service(obj.namespace, name)
        if svc is None:
            mid = self.missing("Service", obj.namespace, name)
            self.edge(pid, mid, "serviceName", None, "statefulset-service-missing", obj)
            return
        sid = self.node(svc.obj, _service_detail(svc))
        rule = None
        ps = self.graph.pod_source_of(obj)
        if not svc.headless:
            rule = "statefulset-service-not-headless"
        elif ps is not None and ps not in self.graph.pods_for(svc):
            rule = "statefulset-service-selector-mismatch"
        self.edge(pid, sid, "serviceName", None, rule, obj)

    def policy(self, pol: wiring.Policy) -> None:
        kinds = [k for k, on in (("ingress", pol.ingress), ("egress", pol.egress)) if on]
        label = "+".join(kinds) or None
        nid = self.node(pol.obj)
        if not pol.selector.requirements:
            ns = pol.obj.namespace
            aid = f"pods:{ns}"
            self.rel.add(Node(aid, "Pods", ns, f"all pods of {ns}"))
            self.edge(nid, aid, "policy", label)
            return
        for ps in wiring.pods_selected_by(self.graph, pol):
            self.edge(nid, self.node(ps.obj, _pod_detail(ps)), "policy", label)


def _endpoints_expected(svc: Service) -> bool:
    """A selectorless Service the API accepts (not a patch fragment without ports), whose
    selector is absent, null or `{}` rather than of a wrong type."""
    spec = svc.spec
    if spec is None:
        return False
    sel = spec.get("selector")
    if (
        sel is not None
        and not isinstance(sel, Map)
        and not (isinstance(sel, Scalar) and sel.value is None)
    ):
        return False
    return svc.headless or bool(svc.ports)


def _service_detail(svc: Service) -> str | None:
    if svc.type == "ExternalName":
        return "ExternalName"
    if svc.headless:
        return "headless"
    return None if svc.type == "ClusterIP" else svc.type


def _pod_detail(ps: PodSource) -> str | None:
    return None if ps.replicas is None else f"replicas {ps.replicas}"
