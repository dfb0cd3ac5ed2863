"""Gateway API routes: the Services they send to, the parents they attach to, and what permits
both (kubernetes-sigs/gateway-api, `apis/v1`; the v1beta1, v1alpha2 and v1alpha3 types are
aliases or copies of the same schema, so every served version is read alike).

- Routes (`apis/v1/{httproute,grpcroute,tlsroute,tcproute,udproute}_types.go`): HTTPRoute,
  GRPCRoute, TLSRoute, TCPRoute and UDPRoute of group `gateway.networking.k8s.io`.
- Backends (`BackendObjectReference`, `apis/v1/object_reference_types.go`): each
  `spec.rules[].backendRefs[]`, and the `requestMirror.backendRef` of a filter
  (`HTTPRequestMirrorFilter`, in `rules[].filters[]` and `rules[].backendRefs[].filters[]` of
  HTTPRoute and GRPCRoute). `group` defaults to `""` and `kind` to `Service` (CRD defaults);
  an unset `namespace` is the route's. A Service reference must have a `port` (the CEL rule
  "Must have port for Service reference", applied after defaulting), and that port is one of the
  Service's `spec.ports[].port`, never a targetPort. `weight` defaults to 1 (`BackendRef`,
  `apis/v1/shared_types.go`).
- Cross-namespace backends (`apis/v1/referencegrant_types.go`): allowed only by a
  ReferenceGrant in the Service's namespace with a `from` entry naming the route's group, exact
  kind and namespace and a `to` entry naming group `""`, kind `Service` and, when set, the name.
  No field of `from` or `to` has a default. ReferenceGrant is served as v1 and v1beta1.
- Parents (`ParentReference`, `apis/v1/shared_types.go`): `group` defaults to
  `gateway.networking.k8s.io`, `kind` to `Gateway`, `namespace` to the route's. `sectionName`
  names a listener and `port` selects the listeners on that port; with both, one listener must
  match both. A route attaches to the Gateway's own `spec.listeners` only, never to those of
  its ListenerSets (GEP-1713, "Gateway parents and sectionName"), and is accepted when at least
  one selected listener accepts it. A parent of group `""` (docs also write `core`) and kind
  `Service` is a GAMMA mesh parent: `sectionName` is a Service port name, `port` a Service port.
- Listener acceptance (`Listener`, `AllowedRoutes`, `RouteNamespaces`, `RouteGroupKind` in
  `apis/v1/gateway_types.go`): `allowedRoutes.namespaces.from` is `Same` by default, `All`, or
  `Selector` over the Namespace's labels (every Namespace carries
  `kubernetes.io/metadata.name`); `allowedRoutes.kinds` (group default
  `gateway.networking.k8s.io`) or, when empty, the kinds the protocol takes (core protocols are
  case-insensitive); and hostnames (`Hostnames` of HTTPRoute, GRPCRoute and TLSRoute; a
  listener's `hostname` matters for HTTP, HTTPS and TLS only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..model.nodes import Map, Node, Scalar, Seq
from ..model.objects import K8sObject, Ref
from .selectors import parse_selector
from .service_refs import PortRef, Reference, Resolution, resolve

if TYPE_CHECKING:
    from ..model.cluster import Cluster
    from ..model.services import ServicePort

GROUP = "gateway.networking.k8s.io"
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")
ROUTE_VERSIONS = frozenset({"v1", "v1beta1", "v1alpha2", "v1alpha3"})
GATEWAY_VERSIONS = frozenset({"v1", "v1beta1", "v1alpha2"})
GRANT_VERSIONS = frozenset({"v1", "v1beta1"})  # served; v1alpha2 is no longer
FILTER_KINDS = frozenset({"HTTPRoute", "GRPCRoute"})  # rules with filters (requestMirror)
HOSTNAME_KINDS = frozenset({"HTTPRoute", "GRPCRoute", "TLSRoute"})  # routes with `hostnames`
HOSTNAME_PROTOCOLS = frozenset({"HTTP", "HTTPS", "TLS"})  # listeners matching a hostname
# The route kinds a listener takes when `allowedRoutes.kinds` is empty, by core protocol.
PROTOCOL_KINDS: dict[str, frozenset[str]] = {
    "HTTP": frozenset({"HTTPRoute", "GRPCRoute"}),
    "HTTPS": frozenset({"HTTPRoute", "GRPCRoute"}),
    "TLS": frozenset({"TLSRoute"}),
    "TCP": frozenset({"TCPRoute"}),
    "UDP": frozenset({"UDPRoute"}),
}
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"  # on every Namespace, set by the API
MESH_GROUPS = frozenset({"", "core"})  # a Service parent's group, as conformance and docs write it


def _version(obj: K8sObject) -> str:
    return obj.api_version.rpartition("/")[2]


def is_route(obj: K8sObject) -> bool:
    """A Gateway API route of a served version."""
    return obj.kind in ROUTE_KINDS and obj.group == GROUP and _version(obj) in ROUTE_VERSIONS


# -- backends -----------------------------------------------------------------------------


class BackendRef(NamedTuple):
    """One backend a route names: a `backendRefs[]` entry or a `requestMirror.backendRef`."""

    route: K8sObject
    group: str  # defaulted: ""
    kind: str  # defaulted: Service
    namespace: str  # defaulted: the route's
    name: str
    name_node: Node
    port: int | None  # None: absent, or not a number (then `port_node` is set)
    port_node: Node | None  # None: no `port` (a Service reference then fails the CEL rule)
    node: Map  # the reference itself
    rule: int  # the rule's index in `spec.rules`
    entry: int | None  # the index in the rule's `backendRefs` (the mirror's carrier, if any)
    mirror: bool  # a requestMirror filter's backendRef: mirrored, not routed, traffic
    weight: int  # 1 by default; 0 carries no traffic (mirrors: 0)
    rule_weight: int  # the sum of the weights of the rule's backendRefs

    @property
    def is_service(self) -> bool:
        """A core Service reference (group `""`, kind `Service`, after defaulting)."""
        return self.group == "" and self.kind == "Service"

    @property
    def cross_namespace(self) -> bool:
        return self.namespace != self.route.namespace

    @property
    def where(self) -> str:
        """`backendRefs[0] of rule 1`, `requestMirror of rule 2`, `requestMirror of
        backendRefs[1] of rule 2` (rules counted from 1)."""
        rule = f"rule {self.rule + 1}"
        if not self.mirror:
            return f"backendRefs[{self.entry}] of {rule}"
        if self.entry is None:
            return f"requestMirror of {rule}"
        return f"requestMirror of backendRefs[{self.entry}] of {rule}"

    def reference(self) -> Reference:
        """The reference as the Service resolver reads it (relation `routes`)."""
        port = PortRef("number", self.port) if self.port is not None else None
        return Reference(
            self.route, self.namespace, self.name, port, self.name_node,
            self.port_node if port is not None else None, "routes", self.where,
        )  # fmt: skip


def backend_refs(route: K8sObject) -> list[BackendRef]:
    """Every backend of a route, in rule order: each rule's `backendRefs` (each followed by the
    mirrors of its own filters), then the mirrors of the rule's filters. Any group and kind."""
    if not is_route(route) or route.spec is None:
        return []
    rules = route.spec.seq("rules")
    out: list[BackendRef] = []
    filters = route.kind in FILTER_KINDS
    for r, rule in enumerate(rules.items if rules is not None else ()):
        if not isinstance(rule, Map):
            continue
        refs = rule.seq("backendRefs")
        items = [
            (i, m)
            for i, m in enumerate(refs.items if refs is not None else ())
            if isinstance(m, Map)
        ]
        total = sum(_weight(m) for _, m in items)
        for i, m in items:
            ref = _backend(route, m, r, i, False, _weight(m), total)
            if ref is not None:
                out.append(ref)
            if filters:
                out.extend(_mirrors(route, m.seq("filters"), r, i))
        if filters:
            out.extend(_mirrors(route, rule.seq("filters"), r, None))
    return out


def route_references(route: K8sObject) -> list[Reference]:
    """The Service backends of a route as Service references (relation `routes`)."""
    return [b.reference() for b in backend_refs(route) if b.is_service]


def _weight(ref: Map) -> int:
    weight = ref.get_int("weight")
    return 1 if weight is None else max(weight, 0)


def _mirrors(
    route: K8sObject, filters: Seq | None, rule: int, index: int | None
) -> list[BackendRef]:
    out: list[BackendRef] = []
    for f in filters.maps() if filters is not None else ():
        target = f.dig_map("requestMirror", "backendRef")
        if target is not None:
            ref = _backend(route, target, rule, index, True, 0, 0)
            if ref is not None:
                out.append(ref)
    return out


def _backend(
    route: K8sObject, m: Map, rule: int, index: int | None, mirror: bool, weight: int, total: int
) -> BackendRef | None:
    name = m.get_str("name")
    if not name:
        return None  # required: the API rejects the route
    group = _defaulted(m, "group", "")
    kind = _defaulted(m, "kind", "Service")
    namespace = m.get_str("namespace") or route.namespace
    port_node = m.get("port")
    if isinstance(port_node, Scalar) and port_node.value is None:
        port_node = None  # `port: null` is no port
    port = m.get_int("port")
    return BackendRef(
        route, group, kind, namespace, name, m.at("name"), port, port_node, m, rule, index,
        mirror, weight, total,
    )  # fmt: skip


def _defaulted(m: Map, key: str, default: str) -> str:
    """A string field with a CRD default: absent or null is the default (structural schemas
    prune nulls, then default); anything but a string is kept as its text, matching nothing."""
    node = m.get(key)
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return default
    value = m.get_str(key)
    if value is not None:
        return value
    return node.text if isinstance(node, Scalar) else "?"


# What the data plane does with the traffic of a backend it cannot use (an unknown Service, or
# one no ReferenceGrant permits): HTTP 500 for HTTPRoute (`HTTPBackendRef`), gRPC UNAVAILABLE
# for GRPCRoute (GEP-1016), a rejected connection for TLSRoute and TCPRoute, a dropped packet
# for UDPRoute. Per route kind: (what is sent, what happens to one, what happens to many).
_UNSERVED = {
    "HTTPRoute": ("request", "gets HTTP 500", "get HTTP 500"),
    "GRPCRoute": ("request", "gets gRPC status UNAVAILABLE", "get gRPC status UNAVAILABLE"),
    "TLSRoute": ("connection", "is rejected", "are rejected"),
    "TCPRoute": ("connection", "is rejected", "are rejected"),
    "UDPRoute": ("packet", "is dropped", "are dropped"),
}


def unserved_traffic(kind: str, b: BackendRef, shared: bool) -> str:
    """What becomes of the traffic a route of this kind sends to a backend it cannot use:
    `every request rule 2 matches gets HTTP 500`, a weighted share of it, none (weight 0 or a
    mirror), or (`shared`: other references name the same backend) all sent to it."""
    if b.mirror:
        return "nothing is mirrored there"
    unit, one, many = _UNSERVED.get(kind, ("request", "fails", "fail"))
    rule = f"rule {b.rule + 1}"
    if shared:
        return f"the {unit}s routed to it {many}"
    if b.weight == 0:
        return "it carries no traffic (weight 0)"
    if b.weight >= b.rule_weight:
        return f"every {unit} {rule} matches {one}"
    return f"its share of {rule}'s {unit}s (weight {b.weight} of {b.rule_weight}) {one}"


# -- ReferenceGrant ----------------------------------------------------------------------


class GrantFrom(NamedTuple):
    """A `spec.from[]` entry of a ReferenceGrant (None: not a string)."""

    group: str | None
    kind: str | None
    namespace: str | None
    node: Map


class GrantTo(NamedTuple):
    """A `spec.to[]` entry of a ReferenceGrant (`name` None: every object of the kind)."""

    group: str | None
    kind: str | None
    name: str | None
    node: Map


class Grant(NamedTuple):
    """A ReferenceGrant of group gateway.networking.k8s.io."""

    obj: K8sObject
    froms: tuple[GrantFrom, ...]
    tos: tuple[GrantTo, ...]
    served: bool  # v1 or v1beta1

    def allows_from(self, route: K8sObject) -> GrantFrom | None:
        """The `from` entry naming the route's group, exact kind and namespace."""
        return next(
            (
                f
                for f in self.froms
                if (f.group, f.kind, f.namespace) == (GROUP, route.kind, route.namespace)
            ),
            None,
        )

    def allows_to(self, name: str) -> GrantTo | None:
        """The `to` entry naming Service `name` (or every Service of the grant's namespace)."""
        return next(
            (
                t
                for t in self.tos
                if t.group == "" and t.kind == "Service" and t.name in (None, name)
            ),
            None,
        )


class Mismatch(NamedTuple):
    """A field of a ReferenceGrant entry that keeps it from allowing a reference."""

    field: str  # "from.group", "from.kind", "from.namespace", "to.group", "to.kind", "to.name"
    want: str  # what the reference needs
    have: str | None  # what the entry says (None: absent or not a string)
    node: Node  # where


def grants_in(cluster: Cluster, namespace: str) -> list[Grant]:
    """The ReferenceGrants of a namespace, served versions or not, in input order."""
    index: dict[str, list[Grant]] = cluster.memo("k8s.gateway.grants", lambda: _grants(cluster))
    return index.get(namespace, [])


def _grants(cluster: Cluster) -> dict[str, list[Grant]]:
    out: dict[str, list[Grant]] = {}
    for obj in cluster.of_kind("ReferenceGrant"):
        if obj.group != GROUP or obj.spec is None:
            continue
        froms = obj.spec.seq("from")
        tos = obj.spec.seq("to")
        grant = Grant(
            obj,
            tuple(
                GrantFrom(m.get_str("group"), m.get_str("kind"), m.get_str("namespace"), m)
                for m in (froms.maps() if froms is not None else ())
            ),
            tuple(
                GrantTo(m.get_str("group"), m.get_str("kind"), m.get_str("name"), m)
                for m in (tos.maps() if tos is not None else ())
            ),
            _version(obj) in GRANT_VERSIONS,
        )
        out.setdefault(obj.namespace, []).append(grant)
    return out


def permitted(cluster: Cluster, route: K8sObject, namespace: str, name: str) -> bool:
    """Whether a route may name Service `namespace/name`: its own namespace, or a served
    ReferenceGrant there allows it (`apis/v1/referencegrant_types.go`)."""
    if namespace == route.namespace:
        return True
    return any(
        g.served and g.allows_from(route) is not None and g.allows_to(name) is not None
        for g in grants_in(cluster, namespace)
    )


def grant_mismatches(grant: Grant, route: K8sObject, name: str) -> list[Mismatch]:
    """Why `grant` does not allow `route` to name Service `name` (of the grant's namespace):
    the fields of its nearest `from` entry and its nearest `to` entry that differ. Empty when
    it allows it (or would, but for an unserved apiVersion)."""
    out: list[Mismatch] = []
    if grant.allows_from(route) is None:
        want = {"group": GROUP, "kind": route.kind, "namespace": route.namespace}
        froms = [
            [
                Mismatch(f"from.{field}", want[field], have, f.node.at(field))
                for field, have in (
                    ("group", f.group),
                    ("kind", f.kind),
                    ("namespace", f.namespace),
                )
                if have != want[field]
            ]
            for f in grant.froms
        ]
        out.extend(_nearest(froms, grant, "from"))
    if grant.allows_to(name) is None:
        tos = [
            [
                Mismatch(f"to.{field}", wanted, have, t.node.at(field))
                for field, wanted, have, ok in (
                    ("group", "", t.group, t.group == ""),
                    ("kind", "Service", t.kind, t.kind == "Service"),
                    ("name", name, t.name, t.name in (None, name)),
                )
                if not ok
            ]
            for t in grant.tos
        ]
        out.extend(_nearest(tos, grant, "to"))
    return out


def _nearest(candidates: list[list[Mismatch]], grant: Grant, field: str) -> list[Mismatch]:
    """The entry's mismatches with the fewest fields; a list with no entry at all."""
    if candidates:
        return min(candidates, key=len)
    spec = grant.obj.spec
    node = spec.at(field) if spec is not None else grant.obj.name_node()
    return [Mismatch(field, "an entry", None, node)]


def misplaced_grants(cluster: Cluster, route: K8sObject, namespace: str, name: str) -> list[Grant]:
    """ReferenceGrants outside `namespace` that would allow the reference if they were in it: a
    grant only ever permits references to its own namespace."""
    return [
        g
        for g in _all_grants(cluster)
        if g.obj.namespace != namespace
        and g.allows_from(route) is not None
        and any(t.group == "" and t.kind == "Service" and t.name == name for t in g.tos)
    ]


def _all_grants(cluster: Cluster) -> list[Grant]:
    index: dict[str, list[Grant]] = cluster.memo("k8s.gateway.grants", lambda: _grants(cluster))
    return [g for grants in index.values() for g in grants]


# -- parents ------------------------------------------------------------------------------


class ParentRef(NamedTuple):
    """One `spec.parentRefs[]` entry of a route, defaults applied."""

    route: K8sObject
    group: str  # defaulted: gateway.networking.k8s.io
    kind: str  # defaulted: Gateway
    namespace: str  # defaulted: the route's
    name: str
    name_node: Node
    section: str | None
    section_node: Node | None
    port: int | None
    port_node: Node | None
    node: Map
    entry: int  # the index in `parentRefs`

    @property
    def is_gateway(self) -> bool:
        return self.group == GROUP and self.kind == "Gateway"

    @property
    def is_service(self) -> bool:
        """A GAMMA (mesh) parent: a Service."""
        return self.group in MESH_GROUPS and self.kind == "Service"

    @property
    def target(self) -> Ref:
        return Ref(self.kind, self.namespace, self.name)

    @property
    def where(self) -> str:
        return f"parentRefs[{self.entry}]"

    @property
    def key(self) -> str:
        """What a finding about this parentRef names as its `key`: `parent:ns/name`, plus
        `/sectionName` and `:port` when set."""
        key = f"parent:{self.namespace}/{self.name}"
        if self.section is not None:
            key += f"/{self.section}"
        if self.port is not None:
            key += f":{self.port}"
        return key


def parent_refs(route: K8sObject) -> list[ParentRef]:
    """The parents a route names (any group and kind), in order."""
    if not is_route(route) or route.spec is None:
        return []
    refs = route.spec.seq("parentRefs")
    out: list[ParentRef] = []
    for i, m in enumerate(refs.items if refs is not None else ()):
        name = m.get_str("name") if isinstance(m, Map) else None
        if not isinstance(m, Map) or not name:
            continue
        section = m.get_str("sectionName") or None
        port = m.get_int("port")
        out.append(
            ParentRef(
                route, _defaulted(m, "group", GROUP), _defaulted(m, "kind", "Gateway"),
                m.get_str("namespace") or route.namespace, name, m.at("name"), section,
                m.at("sectionName") if section is not None else None, port,
                m.at("port") if port is not None else None, m, i,
            )
        )  # fmt: skip
    return out


class Listener(NamedTuple):
    """A listener of a Gateway's `spec.listeners`."""

    gateway: K8sObject
    name: str | None
    port: int | None
    protocol: str | None  # as written
    hostname: str | None  # None: any
    tls_mode: str | None  # `tls.mode`, Terminate by default when `tls` is set
    node: Map

    @property
    def core_protocol(self) -> str | None:
        """The core protocol (HTTP, HTTPS, TLS, TCP, UDP; case-insensitive), else None."""
        p = (self.protocol or "").upper()
        return p if p in PROTOCOL_KINDS else None


def is_gateway(obj: K8sObject) -> bool:
    return obj.kind == "Gateway" and obj.group == GROUP and _version(obj) in GATEWAY_VERSIONS


def gateways(cluster: Cluster, namespace: str, name: str) -> list[K8sObject]:
    """The Gateways (gateway.networking.k8s.io) of that name: more than one when variants of
    a bundle are linted together."""
    return [g for g in cluster.get("Gateway", namespace, name) if is_gateway(g)]


def gateway_names(cluster: Cluster, namespace: str) -> list[str]:
    """The names of the Gateways (gateway.networking.k8s.io) of a namespace."""
    index: dict[str, list[str]] = cluster.memo("k8s.gateway.gateways", lambda: _gateways(cluster))
    return index.get(namespace, [])


def _gateways(cluster: Cluster) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for obj in cluster.of_kind("Gateway"):
        if is_gateway(obj):
            out.setdefault(obj.namespace, []).append(obj.name)
    return out


def listeners(gateway: K8sObject) -> list[Listener]:
    """The Gateway's own listeners (not its ListenerSets'), in order."""
    spec = gateway.spec
    seq = spec.seq("listeners") if spec is not None else None
    out: list[Listener] = []
    for m in seq.maps() if seq is not None else ():
        tls = m.map("tls")
        mode = (tls.get_str("mode") or "Terminate") if tls is not None else None
        out.append(
            Listener(
                gateway, m.get_str("name"), m.get_int("port"), m.get_str("protocol"),
                m.get_str("hostname") or None, mode, m,
            )
        )  # fmt: skip
    return out


def hostnames_intersect(a: str | None, b: str | None) -> bool:
    """Whether two hostnames (a route's and a listener's) can both match one request's host:
    None or `*` is any host; `*.example.com` matches one or more labels before `.example.com`
    (`a.b.example.com`, not `example.com`), in either direction; two wildcards intersect when
    one's suffix ends the other's (`apis/v1/httproute_types.go`, `Hostnames`)."""
    if not a or not b or a == "*" or b == "*":
        return True
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    wild_a, wild_b = a.startswith("*."), b.startswith("*.")
    if wild_a and wild_b:
        return a[1:].endswith(b[1:]) or b[1:].endswith(a[1:])
    if wild_a:
        return b.endswith(a[1:])
    if wild_b:
        return a.endswith(b[1:])
    return False


def route_hostnames(route: K8sObject) -> list[str]:
    """The route's `spec.hostnames` (empty: any host; TCPRoute and UDPRoute have none)."""
    spec = route.spec
    if route.kind not in HOSTNAME_KINDS or spec is None:
        return []
    seq = spec.seq("hostnames")
    out: list[str] = []
    for item in seq.items if seq is not None else ():
        if isinstance(item, Scalar) and isinstance(item.value, str) and item.value:
            out.append(item.value)
    return out


class ListenerKinds(NamedTuple):
    """The route kinds a listener takes."""

    kinds: frozenset[tuple[str, str]] | None  # (group, kind); None: any (unknown protocol)
    defaulted: bool  # from the protocol, `allowedRoutes.kinds` being empty
    maybe: frozenset[tuple[str, str]]  # kinds some implementations also take


def listener_kinds(listener: Listener) -> ListenerKinds:
    """`allowedRoutes.kinds` (group default gateway.networking.k8s.io), or when empty the kinds
    of the listener's core protocol: HTTP and HTTPS take HTTPRoute and GRPCRoute, TLS TLSRoute
    (some implementations also attach TCPRoute to a Terminate listener), TCP TCPRoute, UDP
    UDPRoute. An implementation-specific protocol takes what its implementation says: any."""
    seq = listener.node.dig("allowedRoutes", "kinds")
    written = [m for m in seq.maps()] if isinstance(seq, Seq) else []
    if written:
        kinds = frozenset(
            (_defaulted(m, "group", GROUP), k) for m in written if (k := m.get_str("kind"))
        )
        return ListenerKinds(kinds, False, frozenset())
    protocol = listener.core_protocol
    if protocol is None:
        return ListenerKinds(None, True, frozenset())
    maybe = (
        frozenset({(GROUP, "TCPRoute")})
        if protocol == "TLS" and listener.tls_mode == "Terminate"
        else frozenset()
    )
    return ListenerKinds(frozenset((GROUP, k) for k in PROTOCOL_KINDS[protocol]), True, maybe)


class NamespacePolicy(NamedTuple):
    """`allowedRoutes.namespaces` of a listener."""

    source: str  # `from`: Same (default), All, Selector, or what is written
    defaulted: bool  # `from` not written
    selector: Node | None  # the `selector` node, for Selector


def namespace_policy(listener: Listener) -> NamespacePolicy:
    namespaces = listener.node.dig_map("allowedRoutes", "namespaces")
    source = namespaces.get_str("from") if namespaces is not None else None
    selector = namespaces.get("selector") if namespaces is not None else None
    return NamespacePolicy(source or "Same", source is None, selector)


def namespace_labels(cluster: Cluster, namespace: str) -> dict[str, str] | None:
    """The labels of a Namespace in the input (with `kubernetes.io/metadata.name`, which the
    API sets on every Namespace); None when the input holds no such Namespace."""
    for obj in cluster.get("Namespace", "", namespace):
        if obj.group == "":
            return {**obj.labels, NAMESPACE_NAME_LABEL: namespace}
    return None


def namespace_admitted(cluster: Cluster, listener: Listener, namespace: str) -> str:
    """Whether the listener admits routes of `namespace`: "yes", "no", "labels-unknown" (a
    selector on labels other than `kubernetes.io/metadata.name`, and no Namespace object in the
    input says them) or "invalid" (a `from` the CRD rejects, or `Selector` without a valid
    selector: implementations refuse the listener, not this route)."""
    policy = namespace_policy(listener)
    if policy.source == "Same":
        return "yes" if namespace == listener.gateway.namespace else "no"
    if policy.source == "All":
        return "yes"
    if policy.source != "Selector":
        return "invalid"
    selector = parse_selector(policy.selector)
    if selector is None or selector.invalid:
        return "invalid"
    labels = namespace_labels(cluster, namespace)
    known = labels if labels is not None else {NAMESPACE_NAME_LABEL: namespace}
    unknown = False
    for req in selector.requirements:
        if labels is None and req.key != NAMESPACE_NAME_LABEL:
            unknown = True
        elif not req.matches(known):
            return "no"
    return "labels-unknown" if unknown else "yes"


class ListenerVerdict(NamedTuple):
    """Whether a listener accepts a route: the checks that refuse it ("namespaces", "kinds",
    "hostnames") and those svclint cannot decide ("namespace-labels": the route namespace's
    labels are unknown; "namespaces": a malformed policy; "kinds": an implementation-specific
    protocol, or a kind only some implementations attach)."""

    listener: Listener
    refused: tuple[str, ...]
    undecided: tuple[str, ...]

    @property
    def accepts(self) -> bool:
        return not self.refused and not self.undecided


def acceptance(cluster: Cluster, listener: Listener, route: K8sObject) -> ListenerVerdict:
    """Whether `listener` accepts `route`: namespaces, kinds and hostnames, each judged."""
    refused: list[str] = []
    undecided: list[str] = []
    ns = namespace_admitted(cluster, listener, route.namespace)
    if ns == "no":
        refused.append("namespaces")
    elif ns == "labels-unknown":
        undecided.append("namespace-labels")
    elif ns == "invalid":
        undecided.append("namespaces")
    kinds = listener_kinds(listener)
    own = (GROUP, route.kind)
    if kinds.kinds is None or (own not in kinds.kinds and own in kinds.maybe):
        undecided.append("kinds")
    elif own not in kinds.kinds:
        refused.append("kinds")
    if listener.core_protocol in HOSTNAME_PROTOCOLS and route.kind in HOSTNAME_KINDS:
        hosts = route_hostnames(route)
        if hosts and not any(hostnames_intersect(h, listener.hostname) for h in hosts):
            refused.append("hostnames")
    return ListenerVerdict(listener, tuple(refused), tuple(undecided))


class Attachment(NamedTuple):
    """Where a Gateway parentRef attaches.

    `status`: "attached" (a selected listener accepts the route); "missing" (no such Gateway in
    a namespace that has Gateways) or "unknown" (the namespace has none in the input);
    "no-listeners" (the Gateway lists none: not judged); "no-section", "no-port" or
    "no-section-port" (`sectionName`, `port`, or the two together, select no listener:
    NoMatchingParent); "refused" (every selected listener refuses it); "undecided" (none accepts
    for sure, and some cannot be judged)."""

    status: str
    gateway: K8sObject | None
    listeners: tuple[Listener, ...]  # all the Gateway's listeners
    verdicts: tuple[ListenerVerdict, ...]  # those of the selected listeners


_PREFERENCE = (
    "attached",
    "no-listeners",
    "undecided",
    "refused",
    "no-section-port",
    "no-port",
    "no-section",
)


def attachment(cluster: Cluster, parent: ParentRef) -> Attachment:
    """Whether a route attaches through a Gateway parentRef. Several Gateways of that name
    (variants linted together): the best outcome, the one beside the route on a tie."""
    found = gateways(cluster, parent.namespace, parent.name)
    if not found:
        status = "missing" if gateway_names(cluster, parent.namespace) else "unknown"
        return Attachment(status, None, (), ())
    found.sort(key=lambda g: g.file is not parent.route.file)
    results = [_attach(cluster, parent, g) for g in found]
    return min(results, key=lambda a: _PREFERENCE.index(a.status))


def _attach(cluster: Cluster, parent: ParentRef, gateway: K8sObject) -> Attachment:
    all_listeners = tuple(listeners(gateway))
    if not all_listeners:
        return Attachment("no-listeners", gateway, (), ())
    selected = [
        li
        for li in all_listeners
        if (parent.section is None or li.name == parent.section)
        and (parent.port is None or li.port == parent.port)
    ]
    if not selected:
        by_name = parent.section is None or any(li.name == parent.section for li in all_listeners)
        by_port = parent.port is None or any(li.port == parent.port for li in all_listeners)
        status = (
            "no-section-port" if by_name and by_port else "no-section" if not by_name else "no-port"
        )
        return Attachment(status, gateway, all_listeners, ())
    verdicts = tuple(acceptance(cluster, li, parent.route) for li in selected)
    if any(v.accepts for v in verdicts):
        status = "attached"
    elif any(v.undecided and not v.refused for v in verdicts):
        status = "undecided"
    else:
        status = "refused"
    return Attachment(status, gateway, all_listeners, verdicts)


class MeshParent(NamedTuple):
    """Where a Service (GAMMA) parentRef lands: `resolution` of the Service, and the Service
    port `sectionName` and `port` select (`status` "no-port" when they select none)."""

    resolution: Resolution
    port: ServicePort | None


def mesh_parent(cluster: Cluster, parent: ParentRef) -> MeshParent:
    """A Service parent: the Service must exist; `sectionName` is a port name and `port` a
    Service port, both of the same port when both are set."""
    if parent.section is not None:
        result = resolve(cluster, parent.namespace, parent.name, PortRef("name", parent.section))
        if result.port is not None and parent.port is not None and result.port.port != parent.port:
            return MeshParent(Resolution("no-port", result.service), None)
        return MeshParent(result, result.port)
    port = PortRef("number", parent.port) if parent.port is not None else None
    result = resolve(cluster, parent.namespace, parent.name, port)
    return MeshParent(result, result.port)
