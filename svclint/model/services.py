"""Services with the API server's defaults applied, so no rule judges an absent default.

Defaults (SetDefaults_Service): `type` ClusterIP; port `protocol` TCP; `targetPort` absent, `0`
or `""` means `port`; `externalTrafficPolicy` Cluster on externally accessible Services. An empty
selector (`{}`) is the same as none: the API cannot tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .nodes import Map, Node, Scalar
from .objects import K8sObject


@dataclass(slots=True, eq=False)
class ServicePort:
    """One Service port after API defaulting."""

    node: Map
    port: int | None
    name: str | None
    protocol: str
    target: int | str | None  # after defaulting: int = number, str = a port name
    target_defaulted: bool  # True when targetPort was absent/0/"" and copies `port`
    node_port: int | None

    @property
    def target_node(self) -> Node:
        """Where to point for the target port: `targetPort`, else `port`, else the item."""
        if not self.target_defaulted and "targetPort" in self.node:
            return self.node.at("targetPort")
        return self.node.at("port")

    @property
    def key(self) -> str:
        """What findings about the port name it by: its name, else its number (unique either
        way: a Service with more than one port must name them all)."""
        return self.name or ("?" if self.port is None else str(self.port))

    @property
    def label(self) -> str:
        """How messages name the port: `http (80)` or `80`."""
        num = "?" if self.port is None else str(self.port)
        return f"`{self.name}` ({num})" if self.name else f"`{num}`"


@dataclass(slots=True, eq=False)
class Service:
    """A Service object with its defaulted type, selector and ports."""

    obj: K8sObject
    spec: Map | None
    type: str
    selector: dict[str, str] | None  # None: absent or empty (no controller-managed endpoints)
    ports: list[ServicePort] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def namespace(self) -> str:
        return self.obj.namespace

    @property
    def headless(self) -> bool:
        """`clusterIP: None`, or `clusterIPs: [None, ...]` without `clusterIP` (the API copies
        it across). An ExternalName Service has no cluster IP of any kind."""
        if self.spec is None or self.type == "ExternalName":
            return False
        cluster_ip = self.spec.text("clusterIP")
        if cluster_ip:
            return cluster_ip == "None"
        ips = self.spec.seq("clusterIPs")
        first = ips.items[0] if ips is not None and ips.items else None
        return isinstance(first, Scalar) and first.value == "None"

    @property
    def external_name(self) -> str | None:
        """`externalName` as DNS sees it: one trailing dot stripped (None when not a string)."""
        value = self.spec.get_str("externalName") if self.spec is not None else None
        return value[:-1] if value is not None and value.endswith(".") else value

    @property
    def selector_node(self) -> Node:
        if self.spec is None:
            return self.obj.root
        return self.spec.key_node("selector") if "selector" in self.spec else self.spec

    def selector_value_node(self, key: str) -> Node:
        sel = self.spec.map("selector") if self.spec is not None else None
        return sel.at(key) if sel is not None and key in sel else self.selector_node

    @property
    def externally_accessible(self) -> bool:
        if self.type in ("LoadBalancer", "NodePort"):
            return True
        ext = self.spec.seq("externalIPs") if self.spec is not None else None
        return self.type == "ClusterIP" and ext is not None and len(ext) > 0


def service_view(obj: K8sObject) -> Service:
    spec = obj.spec
    type_ = (spec.text("type") if spec is not None else None) or "ClusterIP"
    selector = spec.str_map("selector") if spec is not None else {}
    svc = Service(obj, spec, type_, selector or None)
    ports = spec.seq("ports") if spec is not None else None
    if ports is not None:
        svc.ports = [_port(p) for p in ports.maps()]
    return svc


def _port(node: Map) -> ServicePort:
    port = node.get_int("port")
    name = node.text("name") or None
    protocol = node.text("protocol") or "TCP"
    target: int | str | None
    tnode = node.get("targetPort")
    defaulted = False
    if (isinstance(tnode, Scalar) and type(tnode.value) is int and tnode.value != 0) or (
        isinstance(tnode, Scalar) and isinstance(tnode.value, str) and tnode.value != ""
    ):
        target = tnode.value
    elif tnode is None or (
        isinstance(tnode, Scalar) and (tnode.value is None or tnode.value == "" or _is_zero(tnode))
    ):
        target, defaulted = port, True
    else:
        target = None  # a float, a list...: the API rejects it; nothing to resolve
    return ServicePort(node, port, name, protocol, target, defaulted, node.get_int("nodePort"))


def _is_zero(node: Scalar) -> bool:
    return type(node.value) is int and node.value == 0
