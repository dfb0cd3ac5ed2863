"""SMI TrafficSplit (`split.smi-spec.io`, v1alpha1 to v1alpha4): a root Service split by weight.

A mesh implementing the Service Mesh Interface (Linkerd, Open Service Mesh) sends a meshed
client's traffic for the root Service (`spec.service`) to the Services of `spec.backends`, by
weight. The spec says that clients whose traffic does not go through such a proxy keep using
"the standard Kubernetes service configuration": for them the root Service is an ordinary one.
So a root Service that selects no pods still works for meshed clients (the mesh never sends
their requests to its endpoints), and gives no endpoints to everyone else.

`spec.service` names a Service of the TrafficSplit's namespace; v1alpha1 documented it as the
FQDN clients use, so `name.namespace[.svc[.cluster.local]]` for the same namespace counts too.
"""

from __future__ import annotations

from typing import NamedTuple

from ..model.cluster import Cluster
from ..model.nodes import Map, Node
from ..model.objects import K8sObject
from ..model.services import Service

SMI_SPLIT_GROUP = "split.smi-spec.io"


class TrafficSplit(NamedTuple):
    """A TrafficSplit naming a given Service as its root."""

    obj: K8sObject
    root_node: Node  # where `spec.service` is written
    backends: list[str]  # the backend Services' names, as written


def _names_service(value: str, svc: Service) -> bool:
    parts = value.rstrip(".").split(".")
    if parts[0] != svc.name:
        return False
    rest = parts[1:]
    return not rest or (
        rest[0] == svc.namespace and rest[1:] in ([], ["svc"], ["svc", "cluster", "local"])
    )


def splits_rooted_at(cluster: Cluster, svc: Service) -> list[TrafficSplit]:
    """The TrafficSplits of the Service's namespace whose root Service it is."""
    found = []
    for obj in cluster.of_kind("TrafficSplit"):
        spec = obj.spec
        if obj.group != SMI_SPLIT_GROUP or obj.namespace != svc.namespace or spec is None:
            continue
        root = spec.get_str("service")
        if root is None or not _names_service(root, svc):
            continue
        backends = [
            name
            for item in (spec.seq("backends") or [])
            if isinstance(item, Map) and (name := item.get_str("service")) is not None
        ]
        found.append(TrafficSplit(obj, spec.at("service"), backends))
    return found
