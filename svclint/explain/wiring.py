"""Pure readings of the objects around Services, shared by `trace` and `graph`.

Each helper mirrors the Kubernetes behaviour its section of the semantics notes describes:
FindPort for targetPorts, the prober's port lookup for probes, NetworkPolicy isolation, Ingress
backends (v1 and the legacy form), ExternalName targets. Indexes over the whole input are built
once per graph (`Graph.memo`), so looking at one Service costs that Service's neighbourhood.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..k8s.netpolicy import InvalidPolicy, PolicyPort, is_null, parse_policy
from ..k8s.selectors import LabelSelector, parse_selector
from ..model.cluster import Graph
from ..model.nodes import Map, Node, Scalar, Seq
from ..model.objects import K8sObject
from ..model.services import Service, ServicePort
from ..model.workloads import Container, ContainerPort, PodSource

INGRESS_GROUPS = ("networking.k8s.io", "extensions")
LEGACY_INGRESS = ("extensions/v1beta1", "networking.k8s.io/v1beta1")


# -- targetPort resolution (FindPort) -------------------------------------------------------


@dataclass(slots=True)
class Resolved:
    """One Service port on one pod source: the container port traffic arrives on, or why none."""

    ok: bool  # the pods get an endpoint for this Service port
    number: int | None  # the pod-side port number (None when unknown)
    container: Container | None
    port: ContainerPort | None
    declared: bool  # a container declares the port (numeric targets need not be declared)
    reason: str  # one line: how it resolved, or why not
    rule: str | None = None  # the rule reporting the problem, when there is one


def resolve(sp: ServicePort, ps: PodSource) -> Resolved:
    """FindPort: a number is used as is; a name is the first container port with that name and
    the Service port's protocol, regular containers before native sidecars."""
    target = sp.target
    if target is None:
        return Resolved(
            False, None, None, None, False,
            "targetPort is neither a number nor a name: the API server rejects the Service",
            "service-spec-invalid",
        )  # fmt: skip
    if isinstance(target, int):
        return _resolve_number(sp, ps, target)
    if target.isdigit():
        return Resolved(
            False, None, None, None, False,
            f'targetPort `"{target}"` is a quoted number, which Kubernetes reads as a port name '
            "that no container can have",
            "service-targetport-not-found",
        )  # fmt: skip
    found = ps.find_port(target, sp.protocol)
    if found is not None:
        c, p = found
        what = "sidecar" if c.sidecar else "container"
        num = "?" if p.number is None else str(p.number)
        note = f"{what} `{c.name}` port `{target}` = {num}/{p.protocol}"
        return Resolved(True, p.number, c, p, True, note)
    others = sorted({p.protocol for _, p in ps.ports_named(target)})
    if others:
        why = (
            f"`{target}` is declared only as {'/'.join(others)}, the Service port is {sp.protocol}"
        )
    elif _init_declares(ps, target, sp.protocol):
        why = (
            f"only an init container declares `{target}`; init containers serve no traffic unless "
            "they are native sidecars (`restartPolicy: Always`)"
        )
    else:
        why = f"no container declares a {sp.protocol} port named `{target}`"
    return Resolved(
        False, None, None, None, False, why + ": no endpoint for this port",
        "service-targetport-not-found",
    )  # fmt: skip


def judgeable(sp: ServicePort, ps: PodSource) -> bool:
    """Whether an unresolved port says something: a numeric `port`, a known protocol, a target
    that is not unrendered template text, and a pod source with containers."""
    target = sp.target
    return (
        sp.port is not None
        and sp.protocol in ("TCP", "UDP", "SCTP")
        and bool(ps.containers)
        and not (isinstance(target, str) and any(ch in target for ch in "${}<>%"))
    )


def _resolve_number(sp: ServicePort, ps: PodSource, target: int) -> Resolved:
    for c in ps.containers:
        for p in c.ports:
            if p.number == target and p.protocol == sp.protocol:
                what = "sidecar" if c.sidecar else "container"
                named = f" (`{p.name}`)" if p.name else ""
                return Resolved(
                    True, target, c, p, True,
                    f"{what} `{c.name}` declares {target}/{p.protocol}{named}",
                )  # fmt: skip
    regular = [c for c in ps.containers if not c.sidecar]
    other = sorted({p.protocol for c in ps.containers for p in c.ports if p.number == target})
    note = f" ({target} is declared as {'/'.join(other)} only)" if other else ""
    if len(regular) == 1 and not ps.containers[1:]:
        return Resolved(
            True, target, regular[0], None, False,
            f"used as is; not declared by container `{regular[0].name}` (the only one){note}",
            "service-targetport-undeclared",
        )  # fmt: skip
    return Resolved(
        True, target, None, None, False,
        f"used as is; no container declares {target}/{sp.protocol}: whatever listens on it "
        f"gets the traffic{note}",
        "service-targetport-undeclared",
    )  # fmt: skip


def _init_declares(ps: PodSource, name: str, protocol: str) -> bool:
    init = ps.spec.seq("initContainers") if ps.spec is not None else None
    for c in init.maps() if init is not None else ():
        if c.get_str("restartPolicy") == "Always":
            continue
        ports = c.seq("ports")
        for p in ports.maps() if ports is not None else ():
            if p.text("name") == name and (p.text("protocol") or "TCP") == protocol:
                return True
    return False


# -- probes ---------------------------------------------------------------------------------

HANDLERS = ("httpGet", "tcpSocket", "grpc", "exec")


@dataclass(slots=True)
class ProbeInfo:
    """A container probe, its handler and the port it checks."""

    handler: str | None  # httpGet, tcpSocket, grpc, exec; None: no (or several) handlers
    port: int | str | None  # as written
    number: int | None  # the port number (a name resolved in the probed container)
    path: str | None  # httpGet path
    text: str  # a one-line description


def probe_info(c: Container, kind: str = "readinessProbe") -> ProbeInfo | None:
    probe = c.probe(kind)
    if probe is None:
        return None
    handlers = [h for h in HANDLERS if h in probe]
    if len(handlers) != 1:
        what = "no handler" if not handlers else "several handlers"
        return ProbeInfo(None, None, None, None, f"{what}: the API server rejects it")
    handler = handlers[0]
    body = probe.map(handler)
    if handler == "exec":
        cmd = body.seq("command") if body is not None else None
        words = [i.text for i in cmd.items if isinstance(i, Scalar)] if cmd is not None else []
        shown = " ".join(words)
        if len(shown) > 48:
            shown = shown[:47] + "…"
        return ProbeInfo(handler, None, None, None, f"exec `{shown}`" if shown else "exec")
    port_node = body.get("port") if body is not None else None
    port: int | str | None = None
    if isinstance(port_node, Scalar) and isinstance(port_node.value, (int, str)):
        port = None if isinstance(port_node.value, bool) else port_node.value
    number: int | None = port if isinstance(port, int) else None
    shown_port = "?" if port is None else str(port)
    if isinstance(port, str):
        # The prober looks the name up in the probed container's own ports only.
        hit = next((p for p in c.ports if p.name == port), None)
        number = hit.number if hit is not None else None
        shown_port = f"`{port}` ({number})" if number is not None else f"`{port}` (not declared)"
    path = body.get_str("path") if body is not None and handler == "httpGet" else None
    if handler == "httpGet":
        scheme = (body.text("scheme") if body is not None else None) or "HTTP"
        text = f"httpGet {path or '/'} on {shown_port}" + (" (HTTPS)" if scheme == "HTTPS" else "")
    else:
        text = f"{handler} on {shown_port}"
    return ProbeInfo(handler, port, number, path, text)


# -- NetworkPolicies ------------------------------------------------------------------------


@dataclass(slots=True)
class PolicyRule:
    """One ingress rule of a NetworkPolicy, described."""

    ports: list[PolicyPort] | None  # None: every port
    sources: str  # who may connect, in words


@dataclass(slots=True)
class Policy:
    """A NetworkPolicy as trace explains it."""

    obj: K8sObject
    selector: LabelSelector
    ingress: bool  # isolates the pods it selects for ingress
    egress: bool
    rules: list[PolicyRule]
    rejected: str | None = None  # why the API server would reject it (it then does nothing)

    def allowing(self, protocol: str, number: int | None, names: frozenset[str]) -> int | None:
        """The index of the first ingress rule allowing the port, or None."""
        for i, rule in enumerate(self.rules):
            if rule.ports is None or any(p.allows(protocol, number, names) for p in rule.ports):
                return i
        return None

    def summary(self) -> str:
        if not self.ingress:
            return "egress only: does not restrict traffic to these pods"
        if not self.rules:
            return "isolates for ingress with no rules: allows nothing"
        allowed = []
        for rule in self.rules:
            ports = "all ports" if rule.ports is None else ", ".join(map(_port_text, rule.ports))
            allowed.append(f"{ports} from {rule.sources}")
        return "allows " + "; ".join(allowed)


@dataclass(slots=True)
class _PolicyIndex:
    by_ns: dict[str, list[Policy]] = field(default_factory=dict)
    # Per namespace, each policy filed under the pairs of one `In` requirement (a pod it
    # selects carries one of them), the others in `scan`: finding the policies selecting a pod
    # costs its labels' lists, not every policy of the namespace.
    keyed: dict[str, dict[tuple[str, str], list[Policy]]] = field(default_factory=dict)
    scan: dict[str, list[Policy]] = field(default_factory=dict)


def policies_in(graph: Graph, namespace: str) -> list[Policy]:
    """The NetworkPolicies of a namespace (egress-only and rejected ones included, marked)."""
    index = graph.memo("explain.policies", lambda: _build_policies(graph))
    return index.by_ns.get(namespace, [])


def _build_policies(graph: Graph) -> _PolicyIndex:
    groups = {"networking.k8s.io"}
    if graph.options.kubernetes_version < (1, 16):
        groups.add("extensions")
    out = _PolicyIndex()
    for obj in graph.of_kind("NetworkPolicy"):
        if obj.group in groups:
            pol = _policy(obj)
            out.by_ns.setdefault(obj.namespace, []).append(pol)
            if pol.rejected is not None:
                continue  # never exists: selects nothing
            reqs = [r for r in pol.selector.requirements if r.operator == "In"]
            if not reqs:
                out.scan.setdefault(obj.namespace, []).append(pol)
                continue
            keyed = out.keyed.setdefault(obj.namespace, {})
            best = min(reqs, key=lambda r: len(r.values))
            for v in best.values:
                keyed.setdefault((best.key, v), []).append(pol)
    return out


def policies_selecting(graph: Graph, ps: PodSource) -> list[Policy]:
    """The (accepted) NetworkPolicies of the pod source's namespace that select its pods."""
    index = graph.memo("explain.policies", lambda: _build_policies(graph))
    ns = ps.namespace
    candidates = list(index.scan.get(ns, ()))
    keyed = index.keyed.get(ns, {})
    for item in ps.labels.items():
        candidates.extend(keyed.get(item, ()))
    seen: set[int] = set()
    out: list[Policy] = []
    for pol in candidates:
        if id(pol) not in seen:
            seen.add(id(pol))
            if pol.selector.matches(ps.labels):
                out.append(pol)
    order = {id(p): i for i, p in enumerate(index.by_ns.get(ns, ()))}
    out.sort(key=lambda p: order[id(p)])
    return out


def pods_selected_by(graph: Graph, pol: Policy) -> list[PodSource]:
    """The pod sources of the policy's namespace whose pods it selects (index first)."""
    ns = pol.obj.namespace
    if pol.rejected is not None:
        return []
    reqs = [r for r in pol.selector.requirements if r.operator == "In"]
    if not reqs:
        return [ps for ps in graph.pod_sources_in(ns) if pol.selector.matches(ps.labels)]
    best = min(reqs, key=lambda r: len(r.values))
    found: dict[int, PodSource] = {}
    for v in sorted(best.values):
        for ps in graph.select(ns, {best.key: v}):
            if pol.selector.matches(ps.labels):
                found[id(ps)] = ps
    return list(found.values())


def _policy(obj: K8sObject) -> Policy:
    try:
        parsed = parse_policy(obj)
    except InvalidPolicy as exc:
        return Policy(obj, LabelSelector((), ()), False, False, [], str(exc))
    rules = [
        PolicyRule(r.ports, "any source" if r.node is None else _sources(r.node.get("from")))
        for r in parsed.rules
    ]
    return Policy(obj, parsed.selector, parsed.ingress, parsed.egress, rules)


def _port_text(port: PolicyPort) -> str:
    if port.port is None:
        return f"all {port.protocol}"
    rng = f"{port.port}-{port.end}" if port.end is not None else str(port.port)
    return f"{rng}/{port.protocol}"


def _sources(node: Node | None) -> str:
    if is_null(node) or not isinstance(node, Seq) or len(node) == 0:
        return "any source"
    parts: list[str] = []
    for peer in node.maps():
        pods = parse_selector(peer.get("podSelector"))
        nss = parse_selector(peer.get("namespaceSelector"))
        block = peer.map("ipBlock")
        if block is not None:
            parts.append(f"ipBlock {block.text('cidr') or '?'}")
        elif pods is not None and nss is not None:
            parts.append(f"pods {_sel(pods, 'any')} in namespaces {_sel(nss, 'any')}")
        elif nss is not None:
            parts.append(f"namespaces {_sel(nss, 'any')}")
        elif pods is not None:
            parts.append(f"pods {_sel(pods, 'any of its namespace')}")
    shown = ", ".join(parts[:3]) + (f" and {len(parts) - 3} more" if len(parts) > 3 else "")
    return shown or "no source"


def _sel(sel: LabelSelector, empty: str) -> str:
    return f"({sel})" if sel.requirements else empty


def pod_port_names(sp: ServicePort, ps: PodSource, number: int | None) -> frozenset[str]:
    """Names a named NetworkPolicy port can match for this Service port on these pods."""
    if isinstance(sp.target, str):
        return frozenset({sp.target})
    return frozenset(
        p.name
        for c in ps.containers
        for p in c.ports
        if p.number == number and p.protocol == sp.protocol and p.name
    )


def host_network(ps: PodSource) -> bool:
    return ps.spec is not None and ps.spec.get_bool("hostNetwork") is True


# -- Ingress backends -----------------------------------------------------------------------


@dataclass(slots=True)
class Backend:
    """One Service backend an Ingress routes to."""

    ingress: K8sObject
    where: str  # `default backend`, `path /api of host shop.example.com`
    service: str
    port: int | str | None  # int: the Service `port`; str: a Service port name
    node: Node


def ingress_backends(obj: K8sObject) -> list[Backend]:
    spec = obj.spec
    if obj.kind != "Ingress" or obj.group not in INGRESS_GROUPS or spec is None:
        return []
    legacy = obj.api_version in LEGACY_INGRESS
    out: list[Backend] = []
    default = spec.map("backend" if legacy else "defaultBackend")
    if default is not None:
        _add_backend(out, obj, default, "default backend", legacy)
    rules = spec.seq("rules")
    for rule in rules.maps() if rules is not None else ():
        host = rule.get_str("host")
        paths = rule.dig("http", "paths")
        for path in paths.maps() if isinstance(paths, Seq) else ():
            node = path.map("backend")
            if node is not None:
                what = f"path {path.text('path') or '/'}" + (f" of host {host}" if host else "")
                _add_backend(out, obj, node, what, legacy)
    return out


def _add_backend(out: list[Backend], obj: K8sObject, node: Map, what: str, legacy: bool) -> None:
    if "resource" in node:
        return
    if legacy:
        name = node.get_str("serviceName")
        if name is None:
            return
        pnode = node.get("servicePort")
        value = pnode.value if isinstance(pnode, Scalar) else None
        legacy_port = (
            value if isinstance(value, (int, str)) and not isinstance(value, bool) else None
        )
        out.append(Backend(obj, what, name, legacy_port, node.at("serviceName")))
        return
    svc = node.map("service")
    name = svc.get_str("name") if svc is not None else None
    if svc is None or name is None:
        return
    pmap = svc.map("port")
    number = pmap.get_int("number") if pmap is not None else None
    pname = pmap.get_str("name") if pmap is not None else None
    port: int | str | None = None
    if (number is None) != (pname is None):
        port = number if number is not None else pname
    out.append(Backend(obj, what, name, port, svc.at("name")))


def backends_to(graph: Graph, namespace: str, name: str) -> list[Backend]:
    """Ingress backends of `namespace` naming Service `name`."""
    index: dict[tuple[str, str], list[Backend]] = graph.memo(
        "explain.backends", lambda: _build_backends(graph)
    )
    return index.get((namespace, name), [])


def _build_backends(graph: Graph) -> dict[tuple[str, str], list[Backend]]:
    out: dict[tuple[str, str], list[Backend]] = {}
    for obj in graph.of_kind("Ingress"):
        for b in ingress_backends(obj):
            out.setdefault((obj.namespace, b.service), []).append(b)
    return out


def service_port_for(svc: Service, port: int | str | None) -> ServicePort | None:
    """The Service port an Ingress backend port names (number = `port`, string = `name`)."""
    for sp in svc.ports:
        if (isinstance(port, int) and sp.port == port) or (
            isinstance(port, str) and sp.name == port
        ):
            return sp
    return None


# -- ExternalName ---------------------------------------------------------------------------


@dataclass(slots=True)
class AliasTarget:
    """The Service an ExternalName's cluster-local name points at."""

    namespace: str
    name: str
    host: str | None  # a per-pod name: `<host>.<svc>.<ns>.svc.<domain>`
    qualified: bool  # ends with `.svc.<cluster-domain>`; else the CNAME target never resolves


def alias_target(svc: Service, domain: str) -> AliasTarget | None:
    """The in-cluster Service an ExternalName Service names, if it names one."""
    if svc.type != "ExternalName":
        return None
    name = (svc.external_name or "").lower()
    if not name:
        return None
    domain = domain.strip(".").lower()
    suffix = f".svc.{domain}"
    if name.endswith(suffix):
        head = name[: -len(suffix)].split(".")
        qualified = True
    elif name.endswith(".svc"):
        head = name[: -len(".svc")].split(".")
        qualified = False
    else:
        return None
    if len(head) == 2:
        return AliasTarget(head[1], head[0], None, qualified)
    if len(head) == 3:
        return AliasTarget(head[2], head[1], head[0], qualified)
    return None


def aliases_of(graph: Graph, svc: Service) -> list[tuple[Service, AliasTarget]]:
    index: dict[tuple[str, str], list[tuple[Service, AliasTarget]]] = graph.memo(
        "explain.aliases", lambda: _build_aliases(graph)
    )
    return index.get((svc.namespace, svc.name), [])


def _build_aliases(graph: Graph) -> dict[tuple[str, str], list[tuple[Service, AliasTarget]]]:
    out: dict[tuple[str, str], list[tuple[Service, AliasTarget]]] = {}
    domain = graph.options.cluster_domain
    for s in graph.services:
        t = alias_target(s, domain)
        if t is not None:
            out.setdefault((t.namespace, t.name), []).append((s, t))
    return out


# -- StatefulSets, HPAs, PDBs, EndpointSlices -----------------------------------------------


def governed_by(graph: Graph, svc: Service) -> list[K8sObject]:
    """StatefulSets whose `serviceName` is this Service."""
    index: dict[tuple[str, str], list[K8sObject]] = graph.memo(
        "explain.governing", lambda: _build_governing(graph)
    )
    return index.get((svc.namespace, svc.name), [])


def service_name_of(obj: K8sObject) -> str | None:
    spec = obj.spec
    return spec.get_str("serviceName") if spec is not None else None


def _build_governing(graph: Graph) -> dict[tuple[str, str], list[K8sObject]]:
    out: dict[tuple[str, str], list[K8sObject]] = {}
    for obj in graph.of_kind("StatefulSet"):
        name = service_name_of(obj)
        if obj.group == "apps" and name:
            out.setdefault((obj.namespace, name), []).append(obj)
    return out


def ordinals(obj: K8sObject, replicas: int | None) -> tuple[int, int | None]:
    """(first ordinal, count): `spec.ordinals.start` and replicas (None: unknown)."""
    spec = obj.spec
    start = 0
    ords = spec.map("ordinals") if spec is not None else None
    if ords is not None:
        start = ords.get_int("start") or 0
    return start, replicas


def hpas_for(graph: Graph, obj: K8sObject) -> list[K8sObject]:
    index: dict[tuple[str, str, str], list[K8sObject]] = graph.memo(
        "explain.hpas", lambda: _build_hpas(graph)
    )
    return index.get((obj.kind, obj.namespace, obj.name), [])


def _build_hpas(graph: Graph) -> dict[tuple[str, str, str], list[K8sObject]]:
    out: dict[tuple[str, str, str], list[K8sObject]] = {}
    for hpa in graph.of_kind("HorizontalPodAutoscaler"):
        ref = hpa.root.dig_map("spec", "scaleTargetRef")
        if ref is not None:
            key = (ref.text("kind") or "", hpa.namespace, ref.text("name") or "")
            out.setdefault(key, []).append(hpa)
    return out


def pdbs_in(graph: Graph, namespace: str) -> list[tuple[K8sObject, LabelSelector | None]]:
    index: dict[str, list[tuple[K8sObject, LabelSelector | None]]] = graph.memo(
        "explain.pdbs", lambda: _build_pdbs(graph)
    )
    return index.get(namespace, [])


def _build_pdbs(graph: Graph) -> dict[str, list[tuple[K8sObject, LabelSelector | None]]]:
    out: dict[str, list[tuple[K8sObject, LabelSelector | None]]] = {}
    for pdb in graph.of_kind("PodDisruptionBudget"):
        sel = parse_selector(pdb.root.dig("spec", "selector"))
        out.setdefault(pdb.namespace, []).append((pdb, sel))
    return out


def endpoint_objects(graph: Graph, svc: Service) -> list[K8sObject]:
    """Hand-written EndpointSlices (by label) and Endpoints (by name) for this Service."""
    found = [o for o in graph.endpoint_slices(svc.name) if o.namespace == svc.namespace]
    found += graph.get("Endpoints", svc.namespace, svc.name)
    return found


# -- provider annotations -------------------------------------------------------------------

# (prefix, provider, applies to LoadBalancer Services only)
PROVIDER_PREFIXES: tuple[tuple[str, str, bool], ...] = (
    ("service.beta.kubernetes.io/aws-load-balancer-", "AWS", True),
    ("service.beta.kubernetes.io/azure-", "Azure", True),
    ("networking.gke.io/load-balancer-", "GKE", True),
    ("networking.gke.io/internal-load-balancer-", "GKE", True),
    ("cloud.google.com/load-balancer-type", "GKE", True),
    ("cloud.google.com/l4-rbs", "GKE", True),
    ("cloud.google.com/neg", "GKE (NEG)", False),
    ("cloud.google.com/backend-config", "GKE (Ingress)", False),
    ("cloud.google.com/app-protocols", "GKE (Ingress)", False),
    ("service.beta.kubernetes.io/do-loadbalancer-", "DigitalOcean", True),
    ("service.beta.kubernetes.io/oci-load-balancer-", "OCI", True),
    ("oci.oraclecloud.com/", "OCI", True),
    ("service.beta.kubernetes.io/linode-loadbalancer-", "Linode", True),
    ("service.beta.kubernetes.io/alibaba-cloud-loadbalancer-", "Alibaba Cloud", True),
    ("service.kubernetes.io/qcloud-loadbalancer-", "Tencent Cloud", True),
    ("loadbalancer.openstack.org/", "OpenStack", True),
    ("service.beta.kubernetes.io/openstack-", "OpenStack", True),
    ("load-balancer.hetzner.cloud/", "Hetzner", True),
    ("metallb.universe.tf/", "MetalLB", True),
    ("metallb.io/", "MetalLB", True),
    ("kube-vip.io/", "kube-vip", True),
    ("io.cilium/lb-ipam-", "Cilium LB IPAM", True),
    ("lbipam.cilium.io/", "Cilium LB IPAM", True),
    ("service.beta.kubernetes.io/load-balancer-source-ranges", "Kubernetes", True),
    ("external-dns.alpha.kubernetes.io/", "ExternalDNS", False),
    ("service.kubernetes.io/topology-mode", "Kubernetes", False),
    ("service.kubernetes.io/topology-aware-hints", "Kubernetes", False),
    ("service.kubernetes.io/service-proxy-name", "Kubernetes", False),
)


@dataclass(slots=True)
class Annotation:
    """A provider annotation on a Service and whether its controller reads it."""

    key: str
    value: str
    provider: str
    applies: bool
    note: str | None


def provider_annotations(svc: Service) -> list[Annotation]:
    out: list[Annotation] = []
    lb = svc.type == "LoadBalancer"
    lb_class = svc.spec.get_str("loadBalancerClass") if svc.spec is not None else None
    for key, value in sorted(svc.obj.annotations.items()):
        hit = next((p for p in PROVIDER_PREFIXES if key.startswith(p[0])), None)
        if hit is None:
            continue
        _, provider, lb_only = hit
        applies, note = True, None
        if lb_only and not lb:
            applies, note = False, f"ignored: the Service is {svc.type}, not LoadBalancer"
        elif lb_only and lb_class:
            note = f"read only if the controller of loadBalancerClass `{lb_class}` reads it"
        short = value if len(value) <= 60 else value[:59] + "…"
        out.append(Annotation(key, short, provider, applies, note))
    lb_providers = {a.provider for a in out if a.applies and _lb_only(a.key)}
    if len(lb_providers) > 1 and not lb_class:
        for a in out:
            if a.applies and a.note is None and _lb_only(a.key):
                a.note = f"read only if {a.provider} provisions this cluster's load balancers"
    return out


def _lb_only(key: str) -> bool:
    return any(key.startswith(p) and lb_only for p, _, lb_only in PROVIDER_PREFIXES)
