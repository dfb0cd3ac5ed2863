"""StatefulSets: the governing Service (`spec.serviceName`) and the pods' ordinals.

The controller names pods `<set>-<ordinal>` for ordinals `spec.ordinals.start` (default 0) up to
start + replicas - 1, sets each pod's `subdomain` to `serviceName` and `hostname` to its name;
a headless governing Service that selects them then gives each a DNS record
`<set>-<n>.<service>.<ns>.svc.<domain>`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.objects import K8sObject

if TYPE_CHECKING:
    from ..model.cluster import Cluster
    from ..model.services import Service


def service_name(obj: K8sObject) -> str | None:
    """`spec.serviceName` when it is a string (absent, null and "" all mean none)."""
    spec = obj.spec
    return spec.get_str("serviceName") if spec is not None else None


def first_ordinal(obj: K8sObject) -> int:
    """`spec.ordinals.start`, 0 when absent."""
    spec = obj.spec
    ordinals = spec.map("ordinals") if spec is not None else None
    return (ordinals.get_int("start") or 0) if ordinals is not None else 0


def has_ordinal(obj: K8sObject, ordinal: int, replicas: int | None, unbounded: bool) -> bool:
    """Whether the set has a pod with this ordinal: within start .. start + replicas - 1, or any
    ordinal from start on when an autoscaler sets the count (`unbounded`) or it is unknown."""
    start = first_ordinal(obj)
    if ordinal < start:
        return False
    if unbounded or replicas is None:
        return True
    return ordinal < start + replicas


def governed_by(cluster: Cluster, svc: Service) -> list[K8sObject]:
    """The StatefulSets (`apps`) whose `serviceName` is this Service."""
    index: dict[tuple[str, str], list[K8sObject]] = cluster.memo(
        "k8s.statefulset.governing", lambda: _governing(cluster)
    )
    return index.get((svc.namespace, svc.name), [])


def _governing(cluster: Cluster) -> dict[tuple[str, str], list[K8sObject]]:
    out: dict[tuple[str, str], list[K8sObject]] = {}
    for obj in cluster.of_kind("StatefulSet"):
        name = service_name(obj)
        if obj.group == "apps" and name:
            out.setdefault((obj.namespace, name), []).append(obj)
    return out


def headless_selecting(cluster: Cluster, obj: K8sObject) -> list[Service]:
    """The headless Services of the set's namespace whose selector picks its pods: the ones
    that could govern it."""
    ps = cluster.pod_source_of(obj)
    if ps is None:
        return []
    return [s for s in cluster.services_selecting(ps) if s.headless]
