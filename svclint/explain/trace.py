"""`svclint trace`: everything svclint knows about one Service, as plain data (no printing).

The sections follow the order people debug a Service in: its contract, the pods it selects, the
endpoints each port gets on each workload, its DNS names, what else touches it, and the findings
svclint reports for it and its pod sources (the shape: `trace_model.py`, docs/trace.md).

Facts come from `svclint.k8s`, the functions the rules use; verdicts (the rule ids shown against
a port, a route, an alias) only from the run's findings (`verdicts.py`), never recomputed.

Cost: one Service's neighbourhood. The namespace's pod sources are scanned once (near misses),
the namespace's NetworkPolicies and PDBs once; Ingresses, aliases, HPAs and StatefulSets come from
indexes built once per run.
"""

from __future__ import annotations

from typing import Any

from ..k8s import monitors, netpolicy
from ..k8s.autoscaling import disruption_budgets, hpas_for
from ..k8s.callers import references_to
from ..k8s.dns import aliases_of, cname_target, pod_record
from ..k8s.endpoints import SERVICE_NAME_LABEL, manual_endpoints
from ..k8s.gateway import parent_refs
from ..k8s.ingress import Backend, backends_to
from ..k8s.ownership import owners
from ..k8s.pod_labels import JOB_COMPLETION_INDEX_LABEL, PER_POD_LABELS
from ..k8s.ports import Landing, land, pod_port_names, quoted_number, service_port
from ..k8s.probes import probe_port
from ..k8s.providers import provider_annotations
from ..k8s.selectors import LabelSelector, parse_selector
from ..k8s.service_refs import resolve
from ..k8s.statefulset import first_ordinal, governed_by, service_name
from ..lint.findings import Finding, Report
from ..lint.locate import place
from ..messages import closest, edit_distance, label_slip
from ..model.cluster import Cluster
from ..model.nodes import Node, Scalar, Seq
from ..model.objects import K8sObject
from ..model.services import Service, ServicePort
from ..model.workloads import BATCH_KINDS, Container, PodSource
from .trace_model import (
    Caller,
    Contract,
    Dns,
    DnsName,
    EndpointInfo,
    Endpoints,
    FindingInfo,
    IngressRoute,
    NearMiss,
    ObjectRef,
    PodSourceInfo,
    PolicyInfo,
    PortEndpoints,
    PortInfo,
    Reachability,
    Related,
    Selection,
    Setting,
    Touches,
    Trace,
)
from .verdicts import Verdicts

KIND_WORDS = ("svc", "service", "services")
MAX_NEAR_MISSES = 5
MAX_PER_POD = 5


class LookupError_(Exception):
    """The SERVICE argument names no Service of the input (the message says what might)."""


# -- finding the Service --------------------------------------------------------------------


def find_service(cluster: Cluster, text: str, namespace: str | None) -> Service:
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
        if first.lower() in KIND_WORDS and cluster.service(first, name) is None:
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
        svc = cluster.service(ns, name)
        if svc is not None:
            return svc
        raise LookupError_(_unknown(cluster, name, ns))
    found = [s for s in cluster.services if s.name == name]
    namespaces = sorted({s.namespace for s in found})
    if len(namespaces) == 1:
        svc = cluster.service(namespaces[0], name)
        assert svc is not None
        return svc
    if namespaces:
        shown = ", ".join(f"`{n}`" for n in namespaces)
        raise LookupError_(
            f"Service `{name}` exists in namespaces {shown}: give one, e.g. "
            f"`{namespaces[0]}/{name}` or `-n {namespaces[0]}`"
        )
    raise LookupError_(_unknown(cluster, name, None))


def _unknown(cluster: Cluster, name: str, ns: str | None) -> str:
    where = f" in namespace `{ns}`" if ns is not None else ""
    message = f"no Service `{name}`{where} in the input"
    if not cluster.services:
        return message + " (it holds no Services at all)"
    if ns is not None:
        elsewhere = sorted({s.namespace for s in cluster.services if s.name == name})
        if elsewhere:
            implicit = [
                s for s in cluster.services
                if s.name == name and s.obj.meta is not None and not s.obj.meta.text("namespace")
            ]  # fmt: skip
            if implicit:
                return message + (
                    f"; it names no namespace, so it was placed in "
                    f"`{implicit[0].namespace}`: `-n {ns}` places such objects in `{ns}`"
                )
            shown = ", ".join(f"`{n}`" for n in elsewhere)
            return message + f"; it exists in namespace {shown} (try `{elsewhere[0]}/{name}`)"
    pool = [s for s in cluster.services if ns is None or s.namespace == ns] or cluster.services
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


def build(cluster: Cluster, report: Report, svc: Service) -> Trace:
    pods = cluster.pods_for(svc)
    objects = [svc.obj, *(ps.obj for ps in pods)]
    ids = {id(o) for o in objects}
    verdicts = Verdicts(report)
    dupes = [o for o in cluster.get("Service", svc.namespace, svc.name) if o is not svc.obj]
    return Trace(
        service=_ref(svc.obj),
        duplicates=[_ref(o) for o in dupes],
        cluster_domain=cluster.options.cluster_domain.strip("."),
        contract=_contract(svc),
        selection=_selection(cluster, svc, pods, verdicts),
        endpoints=_endpoints(cluster, svc, pods, verdicts),
        dns=_dns(cluster, svc, pods),
        touches=_touches(cluster, svc, pods, verdicts),
        findings=[_finding(f) for f in report.findings if _about(f, ids)],
        suppressed=sum(1 for f in report.suppressed if _about(f, ids)),
        ownership=owners(svc.obj),
    )


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
    annotations = provider_annotations(svc)
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


def _pod_info(cluster: Cluster, ps: PodSource) -> PodSourceInfo:
    replicas = ps.replicas
    note: str | None = None
    hpas = hpas_for(cluster, ps.obj)
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


def _selection(
    cluster: Cluster, svc: Service, pods: list[PodSource], verdicts: Verdicts
) -> Selection:
    rules = sorted(
        verdicts.rules(
            svc.obj,
            (
                "service-selector-no-match",
                "service-selector-unstable-label",
                "service-no-endpoints",
            ),
        )
    )
    if svc.type == "ExternalName":
        alias = ["ExternalName: no pods, no endpoints; DNS answers a CNAME"]
        if svc.selector:
            alias.append("its selector is ignored")
        return Selection("external-name", svc.selector, [], [], 0, [], alias, rules)
    if not svc.selector:
        objs = manual_endpoints(cluster, svc)
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
    matches = [_pod_info(cluster, ps) for ps in pods]
    near, more = _near_misses(cluster, svc, pods)
    notes: list[str] = []
    per_pod = [k for k in svc.selector if k in PER_POD_LABELS]
    if per_pod == [JOB_COMPLETION_INDEX_LABEL]:
        notes.append(
            f"`{per_pod[0]}` picks one pod of an Indexed Job by its completion index (the Job "
            "controller sets it on each pod)"
        )
    elif per_pod:
        notes.append(
            f"`{per_pod[0]}` picks one pod of a StatefulSet by name or ordinal (the controller "
            "sets it on each pod)"
        )
    if not pods:
        if not cluster.pod_sources_in(svc.namespace):
            notes.append(f"no pod sources of namespace `{svc.namespace}` are in the input")
        else:
            notes.append(f"no pod template in namespace `{svc.namespace}` carries every label")
        elsewhere = [
            ns
            for ns in sorted(cluster.namespaces_with_pods())
            if ns != svc.namespace and cluster.select_with_ordinals(ns, svc.selector)
        ]
        if elsewhere:
            notes.append(
                f"pods in namespace {', '.join(f'`{n}`' for n in elsewhere)} match, but a "
                "Service selects only in its own namespace"
            )
    return Selection("selector", dict(svc.selector), matches, near, more, [], notes, rules)


def _near_misses(
    cluster: Cluster, svc: Service, pods: list[PodSource]
) -> tuple[list[NearMiss], int]:
    """Pod sources of the namespace failing exactly one selector pair.

    With matches, only the telling ones are kept (the label is missing, or a typo away); sibling
    workloads with another value for the same key are not near misses worth reading.
    """
    selector = {k: v for k, v in (svc.selector or {}).items() if k not in PER_POD_LABELS}
    if not selector:
        return [], 0
    chosen = {id(ps) for ps in pods}
    found: list[tuple[tuple[int, int, str], NearMiss]] = []
    for ps in cluster.pod_sources_in(svc.namespace):
        if id(ps) in chosen:
            continue
        failing = [(k, v) for k, v in selector.items() if ps.labels.get(k) != v]
        if len(failing) != 1:
            continue
        key, wanted = failing[0]
        actual = ps.labels.get(key)
        slip = label_slip(key, wanted, ps.labels)
        similar = slip[0] if slip is not None and actual is None else None  # a misspelt key
        typo = slip is not None
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
        distance = 0 if actual is None else edit_distance(wanted, actual)
        found.append(
            ((rank, distance, ps.obj.name), NearMiss(
                _pod_info(cluster, ps), key, wanted, actual, similar, diff))
        )  # fmt: skip
    found.sort(key=lambda item: item[0])
    if any(rank[0] == 0 for rank, _ in found):
        # Typos explain a selector best; other values of the key are just other workloads.
        found = [item for item in found if item[0][0] < 2]
    shown = [nm for _, nm in found[:MAX_NEAR_MISSES]]
    return shown, max(0, len(found) - MAX_NEAR_MISSES)


# -- 3. endpoints ---------------------------------------------------------------------------


def _endpoints(
    cluster: Cluster, svc: Service, pods: list[PodSource], verdicts: Verdicts
) -> Endpoints:
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
        if netpolicy.host_network(ps):
            notes.append(f"{ps.kind} {ps.obj.name} uses hostNetwork: its endpoints are node IPs")
    out: list[PortEndpoints] = []
    for sp in svc.ports:
        entries = [_endpoint(svc, sp, ps, verdicts) for ps in pods]
        out.append(PortEndpoints(_port_info(sp), entries))
    if not svc.selector:
        empty = "no selector: endpoints are written by hand"
        objs = manual_endpoints(cluster, svc)
        empty += f" ({len(objs)} in the input)" if objs else ", and none are in the input"
        return Endpoints(out, notes, empty)
    return Endpoints(out, notes)


PORT_RULES = ("service-targetport-not-found", "service-targetport-undeclared")


def _endpoint(svc: Service, sp: ServicePort, ps: PodSource, verdicts: Verdicts) -> EndpointInfo:
    r = land(sp, ps)
    rules = verdicts.rules(svc.obj, PORT_RULES, ps.obj, sp.key)
    readiness: str | None = None
    on_port: bool | None = None
    containers = [r.container] if r.container is not None else []
    if r.container is None and r.ok:
        containers = [c for c in ps.containers if not c.sidecar]
    if len(containers) == 1:
        c = containers[0]
        probe = _probe_text(c)
        if probe is not None:
            readiness = probe
            number = _probe_number(c)
            if number is not None and r.number is not None:
                on_port = number == r.number
        else:
            rules += verdicts.rules(ps.obj, ("readiness-probe-missing",), key=c.name)
    elif containers:
        parts = []
        for c in containers:
            probe = _probe_text(c)
            parts.append(f"{c.name}: {probe if probe is not None else 'none'}")
        readiness = "; ".join(parts)
    return EndpointInfo(
        pod=f"{ps.kind} {ps.obj.name}",
        ok=r.ok,
        container=r.container.name if r.container is not None else None,
        sidecar=r.container.sidecar if r.container is not None else False,
        container_port=r.number,
        port_name=r.port.name if r.port is not None else None,
        declared=r.port is not None,
        detail=_landing_text(sp, ps, r),
        readiness=readiness,
        readiness_on_port=on_port,
        rules=rules,
    )


def _landing_text(sp: ServicePort, ps: PodSource, r: Landing) -> str:
    """One line: how the Service port resolves on these pods, or why it does not."""
    target = sp.target
    if target is None:
        return "targetPort is neither a number nor a name: the API server rejects the Service"
    if quoted_number(target):
        return (
            f'targetPort `"{target}"` is a quoted number, which Kubernetes reads as a port name '
            "that no container can have"
        )
    what = "sidecar" if r.container is not None and r.container.sidecar else "container"
    if isinstance(target, str):
        if r.ok and r.container is not None and r.port is not None:
            num = "?" if r.number is None else str(r.number)
            return f"{what} `{r.container.name}` port `{target}` = {num}/{r.port.protocol}"
        if r.other_protocols:
            why = (
                f"`{target}` is declared only as {'/'.join(r.other_protocols)}, the Service port "
                f"is {sp.protocol}"
            )
        elif r.init_container is not None:
            why = (
                f"only an init container declares `{target}`; init containers serve no traffic "
                "unless they are native sidecars (`restartPolicy: Always`)"
            )
        else:
            why = f"no container declares a {sp.protocol} port named `{target}`"
        return why + ": no endpoint for this port"
    if r.port is not None and r.container is not None:
        named = f" (`{r.port.name}`)" if r.port.name else ""
        return f"{what} `{r.container.name}` declares {target}/{r.port.protocol}{named}"
    note = (
        f" ({target} is declared as {'/'.join(r.other_protocols)} only)"
        if r.other_protocols
        else ""
    )
    if r.container is not None:
        return f"used as is; not declared by container `{r.container.name}` (the only one){note}"
    return (
        f"used as is; no container declares {target}/{sp.protocol}: whatever listens on it "
        f"gets the traffic{note}"
    )


def _probe_text(c: Container, kind: str = "readinessProbe") -> str | None:
    """A container's probe in words: `httpGet /healthz on `http` (8080)`; None without one."""
    probe = probe_port(c, kind)
    if probe is None:
        return None
    if probe.handler is None:
        handlers = [
            h for h in ("httpGet", "tcpSocket", "grpc", "exec") if h in (c.probe(kind) or ())
        ]
        what = "no handler" if not handlers else "several handlers"
        return f"{what}: the API server rejects it"
    body = c.probe(kind)
    action = body.map(probe.handler) if body is not None else None
    if probe.handler == "exec":
        cmd = action.seq("command") if action is not None else None
        words = [i.text for i in cmd.items if isinstance(i, Scalar)] if cmd is not None else []
        shown = " ".join(words)
        if len(shown) > 48:
            shown = shown[:47] + "…"
        return f"exec `{shown}`" if shown else "exec"
    port = "?" if probe.port is None else str(probe.port)
    if isinstance(probe.port, str):
        number = probe.number
        port = (
            f"`{probe.port}` ({number})" if number is not None else f"`{probe.port}` (not declared)"
        )
    if probe.handler == "httpGet":
        path = action.get_str("path") if action is not None else None
        scheme = (action.text("scheme") if action is not None else None) or "HTTP"
        return f"httpGet {path or '/'} on {port}" + (" (HTTPS)" if scheme == "HTTPS" else "")
    return f"{probe.handler} on {port}"


def _probe_number(c: Container) -> int | None:
    probe = probe_port(c, "readinessProbe")
    return probe.number if probe is not None else None


# -- 4. DNS ---------------------------------------------------------------------------------


def _dns(cluster: Cluster, svc: Service, pods: list[PodSource]) -> Dns:
    domain = cluster.options.cluster_domain.strip(".")
    ns, name = svc.namespace, svc.name
    fqdn = f"{name}.{ns}.svc.{domain}"
    notes: list[str] = []
    names: list[DnsName] = []
    spec = svc.spec
    pnr = spec is not None and spec.get_bool("publishNotReadyAddresses") is True
    ready = "every endpoint" if pnr else "each Ready endpoint"
    if svc.type == "ExternalName":
        names.append(DnsName(fqdn, "CNAME", svc.external_name or "(missing)"))
        notes.extend(_alias_notes(cluster, svc, domain))
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
    per_pod, more = _per_pod(cluster, svc, pods, fqdn, notes)
    return Dns(names, short, srv, per_pod, more, notes)


def _alias_notes(cluster: Cluster, svc: Service, domain: str) -> list[str]:
    target = cname_target(svc, cluster)
    if target is None or target.service is None:
        return []
    name = target.service
    found = cluster.service(name.namespace, name.service)
    ref = f"Service {name.namespace}/{name.service}"
    if not name.qualified:
        return [
            (
                f"the target names {ref} without the cluster domain: DNS search paths do not "
                f"apply to a CNAME target, so it never resolves (use `.svc.{domain}`)"
            )
        ]
    if found is None:
        return [f"the target is {ref}, which is not in the input"]
    if name.host is not None and not found.headless:
        return [f"the target is a per-pod name of {ref}, which is not headless: no such record"]
    if name.host is not None and pod_record(cluster, found, name.host).exists is False:
        return [f"the target is a per-pod name of {ref}, but no pod of it is named `{name.host}`"]
    return [f"the target is {ref} (`svclint trace {name.namespace}/{name.service}`)"]


def _per_pod(
    cluster: Cluster, svc: Service, pods: list[PodSource], fqdn: str, notes: list[str]
) -> tuple[list[DnsName], int]:
    out: list[DnsName] = []
    more = 0
    selected = {id(ps.obj) for ps in pods}
    governing = governed_by(cluster, svc)
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
                other = service_name(ps.obj)
                if svc.headless:
                    notes.append(
                        f"StatefulSet {ps.obj.name} is selected, but its `serviceName` is "
                        + (f"`{other}`" if other else "empty")
                        + ": its per-pod names live under that Service, not this one"
                    )
                continue
            if not svc.headless:
                continue
            start, count = first_ordinal(ps.obj), ps.replicas
            hpas = hpas_for(cluster, ps.obj)
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

SERVICE_NAME_RULES = (
    "statefulset-service-missing",
    "statefulset-service-not-headless",
    "statefulset-service-selector-mismatch",
)


def _touches(cluster: Cluster, svc: Service, pods: list[PodSource], verdicts: Verdicts) -> Touches:
    ingresses = [
        _route(cluster, svc, b, verdicts) for b in backends_to(cluster, svc.namespace, svc.name)
    ]
    policies, reach = _policies(cluster, svc, pods, verdicts)
    aliases = []
    for alias, target in aliases_of(cluster, svc):
        detail = f"externalName {alias.external_name}"
        if not target.qualified:
            detail += ": not fully qualified, so the CNAME target never resolves"
        elif target.host is not None:
            detail += f" (the per-pod name of `{target.host}`)"
        flagged = verdicts.rules(alias.obj, ("externalname-target-missing",), svc.obj)
        aliases.append(Related(_ref(alias.obj), detail, flagged))
    statefulsets = []
    selected = {id(ps.obj) for ps in pods}
    for sts in governed_by(cluster, svc):
        ok = id(sts) in selected and svc.headless
        detail = "governing Service (`serviceName`)" + ("" if ok else ": ")
        if id(sts) not in selected:
            detail += "its pods are not selected"
        elif not svc.headless:
            detail += "the Service is not headless"
        flagged = sorted(verdicts.rules(sts, SERVICE_NAME_RULES, svc.obj))
        statefulsets.append(Related(_ref(sts), detail, flagged))
    autoscalers: list[Related] = []
    budgets: list[Related] = []
    for ps in pods:
        for hpa in hpas_for(cluster, ps.obj):
            spec = hpa.spec
            lo = spec.get_int("minReplicas") if spec is not None else None
            hi = spec.get_int("maxReplicas") if spec is not None else None
            autoscalers.append(
                Related(
                    _ref(hpa), f"scales {ps.kind} {ps.obj.name}: {lo or 1}-{hi or '?'} replicas"
                )
            )
    for pdb, sel in disruption_budgets(cluster, svc.namespace):
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
    return Touches(
        ingresses, policies, reach, aliases, statefulsets, autoscalers, budgets,
        callers=_callers(cluster, svc, verdicts),
    )  # fmt: skip


# The rules judging each kind of reference, and what trace calls the kind.
CALLER_RULES = {
    "routes": ("route", ("route-backend-not-found", "route-backend-not-permitted")),
    "webhook": ("webhook", ("webhook-service-not-found",)),
    "apiservice": ("apiservice", ("webhook-service-not-found",)),
    "conversion": ("conversion", ("webhook-service-not-found",)),
    "dns": ("dns", ("dns-reference-not-found",)),
}


def _callers(cluster: Cluster, svc: Service, verdicts: Verdicts) -> list[Caller]:
    """Routes, webhooks, APIServices, conversion webhooks and DNS names calling the Service,
    then the ServiceMonitors selecting it."""
    out: list[Caller] = []
    for ref in references_to(cluster, svc.namespace, svc.name):
        kind, rules = CALLER_RULES[ref.relation]
        found = verdicts.rules(ref.source, rules, svc.obj, ref.key)
        landed = resolve(cluster, svc.namespace, svc.name, ref.port) if ref.port else None
        port = _port_info(landed.port).label if landed and landed.port is not None else None
        number = None if ref.port is None else str(ref.port.value)
        value = number
        if ref.relation == "dns":  # the name as written, with the port it dials
            value = (_written(ref.node, ref.source) or ref.name) + (f":{number}" if number else "")
        via = _parents(ref.source) if ref.relation == "routes" else None
        out.append(Caller(kind, _ref(ref.source), ref.where, value, port, via, not found, found))
    out.extend(_monitors(cluster, svc, verdicts))
    return out


def _written(node: Node, obj: K8sObject) -> str | None:
    """The text at a single-line node: how a DNS name is written."""
    if node.line != node.end_line:
        return None
    return obj.file.line(node.line)[node.col - 1 : node.end_col - 1] or None


def _parents(route: K8sObject) -> str | None:
    """`Gateway shop/edge (https)`: the parents a route attaches to, as written."""
    parts = []
    for p in parent_refs(route):
        section = f" ({p.section})" if p.section else (f" (port {p.port})" if p.port else "")
        parts.append(f"{p.kind} {p.namespace}/{p.name}{section}")
    return ", ".join(parts) or None


def _monitors(cluster: Cluster, svc: Service, verdicts: Verdicts) -> list[Caller]:
    """The ServiceMonitors selecting the Service, and the ports they scrape."""
    out: list[Caller] = []
    for monitor in cluster.of_kind(monitors.SERVICE_MONITOR):
        if not monitors.is_monitor(monitor) or not any(
            s is svc for s in monitors.selected_services(cluster, monitor)
        ):
            continue
        found = verdicts.rules(monitor, ("monitor-target-not-found",), svc.obj)
        ports = [
            f"{e.filter} `{scalar.text}`"
            for e in monitors.endpoints(monitor)
            if e.filter is not None and (scalar := e.port or e.target_port) is not None
        ]
        via = ", ".join(ports) or "every port"
        out.append(Caller("monitor", _ref(monitor), "selector", None, None, via, not found, found))
    return out


def _route(cluster: Cluster, svc: Service, b: Backend, verdicts: Verdicts) -> IngressRoute:
    sp = service_port(svc, b.port) if b.port is not None else None
    note: str | None = None
    rules: list[str] = []
    if b.port is None:
        note = "no usable port (the API server requires exactly one of `number` and `name`)"
    elif sp is None and svc.type != "ExternalName":
        what = f"port {b.port}" if isinstance(b.port, int) else f"port name `{b.port}`"
        note = f"the Service has no {what}"
        key = f"{b.service}:{b.port}"
        rules = verdicts.rules(b.ingress, ("ingress-backend-not-found",), svc.obj, key)
    label = None
    if sp is not None:
        label = _port_info(sp).label
    return IngressRoute(_ref(b.ingress), b.where(quote=""), b.port, label, note, rules)


def _policies(
    cluster: Cluster, svc: Service, pods: list[PodSource], verdicts: Verdicts
) -> tuple[list[PolicyInfo], list[Reachability]]:
    all_policies = netpolicy.policies_in(cluster, svc.namespace)
    if not all_policies or not pods:
        return [], []
    infos: list[PolicyInfo] = []
    for pol in all_policies:
        if pol.rejected is not None:
            continue  # the API server rejects it: it never exists
        hit = [ps for ps in pods if pol.selector.matches(ps.labels)]
        if hit:
            infos.append(
                PolicyInfo(
                    _ref(pol.obj), [f"{ps.kind} {ps.obj.name}" for ps in hit], pol.ingress,
                    _policy_summary(pol), pol.rejected,
                )
            )  # fmt: skip
    reach: list[Reachability] = []
    isolating = {id(ps): netpolicy.isolating(cluster, ps) for ps in pods}
    if not any(isolating.values()):
        return infos, reach
    for sp in svc.ports:
        label = _port_info(sp).label
        for ps in pods:
            policies = isolating[id(ps)]
            if not policies:
                continue
            r = land(sp, ps)
            if not r.ok:
                continue
            names = pod_port_names(sp, ps, r.number)
            num = "?" if r.number is None else str(r.number)
            pod_port = f"{num}/{sp.protocol}"
            if isinstance(sp.target, str):
                pod_port = f"{sp.target} ({pod_port})"
            by = None
            for pol in policies:
                i = pol.allowing(sp.protocol, r.number, names)
                if i is not None:
                    by = f"NetworkPolicy {pol.obj.name}, ingress rule {i + 1}"
                    break
            rules = verdicts.rules(svc.obj, ("networkpolicy-blocks-service",), ps.obj, sp.key)
            reach.append(
                Reachability(label, f"{ps.kind} {ps.obj.name}", pod_port, by is not None, by, rules)
            )
    return infos, reach


def _policy_summary(pol: netpolicy.Policy) -> str:
    if not pol.ingress:
        return "egress only: does not restrict traffic to these pods"
    if not pol.rules:
        return "isolates for ingress with no rules: allows nothing"
    allowed = []
    for rule in pol.rules:
        ports = "all ports" if rule.ports is None else ", ".join(map(_port_text, rule.ports))
        sources = "any source" if rule.node is None else _sources(rule.node.get("from"))
        allowed.append(f"{ports} from {sources}")
    return "allows " + "; ".join(allowed)


def _port_text(port: netpolicy.PolicyPort) -> str:
    if port.port is None:
        return f"all {port.protocol}"
    rng = f"{port.port}-{port.end}" if port.end is not None else str(port.port)
    return f"{rng}/{port.protocol}"


def _sources(node: Node | None) -> str:
    if netpolicy.is_null(node) or not isinstance(node, Seq) or len(node) == 0:
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
