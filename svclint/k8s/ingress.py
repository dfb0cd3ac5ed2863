"""Ingress backends: which Service, and which of its ports, each path of an Ingress routes to.

Both forms are read: `networking.k8s.io/v1` (`service: {name, port: {number | name}}`,
`spec.defaultBackend`) and the legacy `extensions/v1beta1` and `networking.k8s.io/v1beta1`
(`serviceName`, `servicePort`: a number, or a string naming a port; `spec.backend`). A backend
names a Service of the Ingress's own namespace; a numeric port is the Service `port`, a string
port the Service port's `name`. Resource backends (`resource:`) route to no Service, and neither
do AWS Load Balancer Controller actions: a backend whose port name is `use-annotation` and whose
service name has an `alb.ingress.kubernetes.io/actions.<name>` annotation on the Ingress is a
redirect, fixed response or forward the controller performs itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..model.nodes import Map, Node, Scalar, Seq
from ..model.objects import K8sObject

if TYPE_CHECKING:
    from ..model.cluster import Cluster

GROUPS = ("networking.k8s.io", "extensions")
ALB_ACTION_PORT = "use-annotation"
ALB_ACTION_PREFIX = "alb.ingress.kubernetes.io/actions."
LEGACY_VERSIONS = ("extensions/v1beta1", "networking.k8s.io/v1beta1")


class Backend(NamedTuple):
    """One Service backend of an Ingress."""

    ingress: K8sObject
    host: str | None  # the rule's host, if any
    path: str | None  # the path (`/` when unset); None for the default backend
    service: str
    name_node: Node
    port: int | str | None  # int: the Service `port`; str: a Service port name; None: unusable
    port_node: Node | None

    def where(self, quote: str = "`") -> str:
        """`default backend`, or `path /api of host shop.example.com` (names quoted)."""
        if self.path is None:
            return "default backend"
        where = f"path {quote}{self.path}{quote}"
        return where + (f" of host {quote}{self.host}{quote}" if self.host else "")


def is_ingress(obj: K8sObject) -> bool:
    return obj.kind == "Ingress" and obj.group in GROUPS


def backends(obj: K8sObject) -> list[Backend]:
    """The Service backends of an Ingress: the default backend first, then each path's."""
    spec = obj.spec
    if not is_ingress(obj) or spec is None:
        return []
    legacy = obj.api_version in LEGACY_VERSIONS
    out: list[Backend] = []
    default = spec.map("backend" if legacy else "defaultBackend")
    if default is not None:
        _add(out, obj, default, None, None, legacy)
    rules = spec.seq("rules")
    for rule in rules.maps() if rules is not None else ():
        host = rule.get_str("host")
        paths = rule.dig("http", "paths")
        for path in paths.maps() if isinstance(paths, Seq) else ():
            node = path.map("backend")
            if node is not None:
                _add(out, obj, node, host, path.text("path") or "/", legacy)
    return out


def _add(
    out: list[Backend], obj: K8sObject, node: Map, host: str | None, path: str | None, legacy: bool
) -> None:
    if "resource" in node:
        return  # a resource backend (or an invalid mix the API rejects)
    if legacy:
        name = node.get_str("serviceName")
        if name is None:
            return
        written = node.get("servicePort")
        value = written.value if isinstance(written, Scalar) else None
        if value == ALB_ACTION_PORT and ALB_ACTION_PREFIX + name in obj.annotations:
            return  # an AWS Load Balancer Controller action, not a Service
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            out.append(Backend(obj, host, path, name, node.at("serviceName"), value, written))
        else:
            out.append(Backend(obj, host, path, name, node.at("serviceName"), None, None))
        return
    svc = node.map("service")
    name = svc.get_str("name") if svc is not None else None
    if svc is None or name is None:
        return
    pmap = svc.map("port")
    number = pmap.get_int("number") if pmap is not None else None
    pname = pmap.get_str("name") if pmap is not None else None
    port: int | str | None = None
    pnode: Node | None = None
    if pmap is not None and number is not None and pname is None:
        port, pnode = number, pmap.at("number")
    elif pmap is not None and pname is not None and number is None:
        port, pnode = pname, pmap.at("name")
    # both or neither: the API rejects the Ingress, nothing to resolve
    if port == ALB_ACTION_PORT and ALB_ACTION_PREFIX + name in obj.annotations:
        return  # an AWS Load Balancer Controller action, not a Service
    out.append(Backend(obj, host, path, name, svc.at("name"), port, pnode))


def backends_to(cluster: Cluster, namespace: str, name: str) -> list[Backend]:
    """The Ingress backends of `namespace` naming Service `name`."""
    index: dict[tuple[str, str], list[Backend]] = cluster.memo(
        "k8s.ingress.backends", lambda: _index(cluster)
    )
    return index.get((namespace, name), [])


def _index(cluster: Cluster) -> dict[tuple[str, str], list[Backend]]:
    out: dict[tuple[str, str], list[Backend]] = {}
    for obj in cluster.of_kind("Ingress"):
        for b in backends(obj):
            out.setdefault((obj.namespace, b.service), []).append(b)
    return out
