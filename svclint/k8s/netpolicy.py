"""NetworkPolicy (networking.k8s.io/v1): read as the API server reads it, applied as the
network plugin applies it.

`policyTypes` omitted or empty: Ingress always, Egress when there is an `egress` section. An
omitted `podSelector` is the empty selector (every pod of the namespace); a policy without
`spec` selects every pod and allows nothing. In an ingress rule, `ports` omitted or empty means
every port, and a port entry defaults to TCP. A policy the API would reject raises
`InvalidPolicy`: it never exists, so it isolates nothing.

A pod is isolated for ingress when a policy of its namespace selects it with `Ingress` among its
effective `policyTypes`; it then accepts only what some ingress rule of such a policy allows
(policies are additive). NetworkPolicy ports are the pod's ports, never a Service `port`.
Pods with `hostNetwork: true` are not isolated by most network plugins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ..model.nodes import Map, Node, Scalar, Seq
from ..model.objects import K8sObject
from ..model.workloads import PodSource

if TYPE_CHECKING:
    from ..model.cluster import Cluster
from .selectors import LabelSelector, parse_selector


class InvalidPolicy(Exception):
    """The API server would reject the policy; the message says why."""


class PolicyPort(NamedTuple):
    """A port (or range, or name) a NetworkPolicy ingress rule admits."""

    protocol: str
    port: int | str | None  # None: every port of the protocol; str: a container port name
    end: int | None

    def allows(self, protocol: str, number: int | None, names: frozenset[str]) -> bool:
        """Whether it admits a pod port (its number, and the container port names it has)."""
        if protocol != self.protocol:
            return False
        if self.port is None:
            return True
        if isinstance(self.port, str):
            return self.port in names
        if number is None:
            return False
        if self.end is not None:
            return self.port <= number <= self.end
        return number == self.port

    def __str__(self) -> str:
        if self.port is None:
            return f"all {self.protocol} ports"
        if isinstance(self.port, str):
            return f"{self.protocol} `{self.port}`"
        if self.end is not None:
            return f"{self.protocol} {self.port}-{self.end}"
        return f"{self.protocol} {self.port}"


@dataclass(slots=True)
class IngressRule:
    """One ingress rule: the ports it admits."""

    ports: list[PolicyPort] | None  # None: every port
    node: Map | None  # the rule as written (None: a null rule, which allows everything)


@dataclass(slots=True, eq=False)
class Policy:
    """A NetworkPolicy: its pod selector, isolation and ingress rules; `rejected` says why the
    API server would reject it (it then never exists, selects and isolates nothing)."""

    obj: K8sObject
    selector: LabelSelector
    ingress: bool  # isolates the pods it selects for ingress
    egress: bool
    rules: list[IngressRule]
    specless: bool = False  # no `spec` at all: every pod of the namespace, nothing allowed
    rejected: str | None = None

    def allowing(self, protocol: str, number: int | None, names: frozenset[str]) -> int | None:
        """The index of the first ingress rule admitting the pod port, or None."""
        for i, rule in enumerate(self.rules):
            if rule.ports is None or any(p.allows(protocol, number, names) for p in rule.ports):
                return i
        return None


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, Scalar) and node.value is None)


def read_policy(obj: K8sObject) -> Policy:
    """The policy as the API server accepts it, or `rejected` with the reason."""
    try:
        return parse_policy(obj)
    except InvalidPolicy as exc:
        return Policy(obj, LabelSelector((), ()), False, False, [], rejected=str(exc))


def parse_policy(obj: K8sObject) -> Policy:
    spec = obj.root.get("spec")
    if is_null(spec):
        return Policy(obj, LabelSelector((), ()), True, False, [], specless=True)
    if not isinstance(spec, Map):
        raise InvalidPolicy("`spec` is not a mapping")
    ingress, egress = _types(spec)
    return Policy(obj, _selector(spec.get("podSelector")), ingress, egress, _rules(spec))


def _types(spec: Map) -> tuple[bool, bool]:
    node = spec.get("policyTypes")
    if is_null(node) or (isinstance(node, Seq) and len(node) == 0):
        return True, not is_null(spec.get("egress"))
    if not isinstance(node, Seq):
        raise InvalidPolicy("`policyTypes` is not a list")
    types = [item.value if isinstance(item, Scalar) else None for item in node]
    if any(t not in ("Ingress", "Egress") for t in types):
        raise InvalidPolicy("`policyTypes` holds a value other than Ingress or Egress")
    return "Ingress" in types, "Egress" in types


def _selector(node: Node | None) -> LabelSelector:
    if is_null(node):
        return LabelSelector((), ())  # omitted: the empty selector, every pod
    selector = parse_selector(node)
    if selector is None or selector.invalid:
        raise InvalidPolicy("malformed `podSelector`")
    return selector


def _rules(spec: Map) -> list[IngressRule]:
    node = spec.get("ingress")
    if is_null(node):
        return []  # isolated with no rules: the default-deny pattern
    if not isinstance(node, Seq):
        raise InvalidPolicy("`ingress` is not a list")
    rules: list[IngressRule] = []
    for item in node:
        if is_null(item):
            rules.append(IngressRule(None, None))  # decodes as `{}`: allows everything
        elif isinstance(item, Map):
            rules.append(IngressRule(_ports(item.get("ports")), item))
        else:
            raise InvalidPolicy("an `ingress` rule is not a mapping")
    return rules


def _ports(node: Node | None) -> list[PolicyPort] | None:
    if is_null(node) or (isinstance(node, Seq) and len(node) == 0):
        return None  # every port
    if not isinstance(node, Seq):
        raise InvalidPolicy("`ports` is not a list")
    out: list[PolicyPort] = []
    for item in node:
        if is_null(item):
            out.append(PolicyPort("TCP", None, None))  # defaulted: every TCP port
            continue
        if not isinstance(item, Map):
            raise InvalidPolicy("a `ports` entry is not a mapping")
        protocol = item.text("protocol") or "TCP"
        port_node = item.get("port")
        port: int | str | None = None
        if not is_null(port_node):
            value = port_node.value if isinstance(port_node, Scalar) else None
            if type(value) is int or (isinstance(value, str) and value and not value.isdigit()):
                port = value
            else:  # a float, a list, or a quoted number (not an IANA name)
                raise InvalidPolicy("a `port` that is neither a number nor a port name")
        end = None
        if not is_null(item.get("endPort")):
            end = item.get_int("endPort")
            if end is None or not isinstance(port, int) or end < port:
                raise InvalidPolicy("`endPort` without a numeric `port` at or below it")
        out.append(PolicyPort(protocol, port, end))
    return out


# -- the policies of a run ------------------------------------------------------------------


def host_network(ps: PodSource) -> bool:
    """`hostNetwork: true`: the pods use the node's network, which policies do not isolate."""
    return ps.spec is not None and ps.spec.get_bool("hostNetwork") is True


def api_groups(version: tuple[int, int]) -> frozenset[str]:
    """The API groups NetworkPolicy is served from (`extensions` until 1.16)."""
    return frozenset(
        {"networking.k8s.io", "extensions"} if version < (1, 16) else {"networking.k8s.io"}
    )


@dataclass(slots=True)
class _Namespace:
    """One namespace's policies, in input order, each accepted one filed under the pairs of one
    `In` requirement (a pod it selects carries one of them), the others in `scan`: finding the
    policies that select a pod costs its labels' lists, not every policy."""

    all: list[Policy] = field(default_factory=list)
    keyed: dict[tuple[str, str], list[Policy]] = field(default_factory=dict)
    scan: list[Policy] = field(default_factory=list)


@dataclass(slots=True)
class _Index:
    namespaces: dict[str, _Namespace]
    order: dict[int, int]  # id(policy) -> its position among the run's policies
    selecting: dict[int, list[Policy]] = field(default_factory=dict)  # per pod source id


def _index(cluster: Cluster) -> _Index:
    return cluster.memo("k8s.netpolicy", lambda: _build(cluster))


def _build(cluster: Cluster) -> _Index:
    groups = api_groups(cluster.options.kubernetes_version)
    namespaces: dict[str, _Namespace] = {}
    order: dict[int, int] = {}
    for obj in cluster.of_kind("NetworkPolicy"):
        if obj.group in groups:
            pol = read_policy(obj)
            order[id(pol)] = len(order)
            namespaces.setdefault(obj.namespace, _Namespace()).all.append(pol)
    for ns in namespaces.values():
        accepted = [p for p in ns.all if p.rejected is None]
        freq: dict[tuple[str, str], int] = {}
        for pol in accepted:
            for req in pol.selector.requirements:
                if req.operator == "In":
                    for v in req.values:
                        freq[(req.key, v)] = freq.get((req.key, v), 0) + 1
        for pol in accepted:
            reqs = [r for r in pol.selector.requirements if r.operator == "In"]
            if not reqs:
                ns.scan.append(pol)
                continue
            # File under every value of the rarest `In` requirement.
            best = min(reqs, key=lambda r: sum(freq[(r.key, v)] for v in r.values))
            for v in best.values:
                ns.keyed.setdefault((best.key, v), []).append(pol)
    return _Index(namespaces, order)


def policies_in(cluster: Cluster, namespace: str) -> list[Policy]:
    """Every NetworkPolicy of a namespace, in input order (rejected and egress-only included)."""
    ns = _index(cluster).namespaces.get(namespace)
    return ns.all if ns is not None else []


def selecting(cluster: Cluster, ps: PodSource) -> list[Policy]:
    """The accepted policies of the pod source's namespace that select its pods, in input order."""
    index = _index(cluster)
    cached = index.selecting.get(id(ps))
    if cached is not None:
        return cached
    found: list[Policy] = []
    ns = index.namespaces.get(ps.namespace)
    if ns is not None:
        seen: set[int] = set()
        candidates = list(ns.scan)
        for item in ps.labels.items():
            candidates.extend(ns.keyed.get(item, ()))
        for pol in candidates:
            if id(pol) not in seen:
                seen.add(id(pol))
                if pol.selector.matches(ps.labels):
                    found.append(pol)
        found.sort(key=lambda p: index.order[id(p)])
    index.selecting[id(ps)] = found
    return found


def isolating(cluster: Cluster, ps: PodSource) -> list[Policy]:
    """The policies isolating the pod source's pods for ingress (none with hostNetwork)."""
    if host_network(ps):
        return []
    return [p for p in selecting(cluster, ps) if p.ingress]


def pods_selected_by(cluster: Cluster, pol: Policy) -> list[PodSource]:
    """The pod sources of the policy's namespace whose pods it selects."""
    if pol.rejected is not None:
        return []
    ns = pol.obj.namespace
    reqs = [r for r in pol.selector.requirements if r.operator == "In"]
    if not reqs:
        return [ps for ps in cluster.pod_sources_in(ns) if pol.selector.matches(ps.labels)]
    best = min(reqs, key=lambda r: len(r.values))
    found: dict[int, PodSource] = {}
    for v in sorted(best.values):
        for ps in cluster.select(ns, {best.key: v}):
            if pol.selector.matches(ps.labels):
                found[id(ps)] = ps
    return list(found.values())
