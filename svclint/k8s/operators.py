"""Custom resources, whose operators create objects the input does not show.

Not a Kubernetes behaviour but a limit of what rendered manifests say: an operator reconciles
its custom resources into Services, pods and more (KubeRay's RayService `x` makes `x-head-svc`,
Rook's CephCluster makes `rook-ceph-mgr`, prometheus-operator's Prometheus makes
`prometheus-operated`), and none of those is in the input. Rules that find a reference to
nothing lower it to `info`, naming the resource, when one of these could explain it.

A resource is custom when its API group has a dot and is not Kubernetes' own (`*.k8s.io`, which
also holds SIG projects such as the Gateway API). The built-in groups without a dot (`apps`,
`batch`, `autoscaling`, `policy`, `extensions`) and the core group `""` hold no operator's
resources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..messages import closest
from ..model.objects import K8sObject

if TYPE_CHECKING:
    from ..model.cluster import Cluster


def is_custom(obj: K8sObject) -> bool:
    group = obj.group
    return "." in group and not group.endswith(".k8s.io")


def custom_resources(cluster: Cluster, namespace: str | None) -> list[K8sObject]:
    """The custom resources of a namespace (None: of every namespace, by name), in input order."""
    index = cluster.memo("k8s.operators.by-namespace", lambda: _by_namespace(cluster))
    if namespace is None:
        return [obj for ns in sorted(index) for obj in index[ns]]
    return index.get(namespace, [])


def _by_namespace(cluster: Cluster) -> dict[str, list[K8sObject]]:
    index: dict[str, list[K8sObject]] = {}
    for obj in cluster.objects:
        if obj.namespace and obj.name and is_custom(obj):
            index.setdefault(obj.namespace, []).append(obj)
    return index


def possible_creator(cluster: Cluster, namespace: str, name: str) -> K8sObject | None:
    """A custom resource of the namespace whose name, followed by `-`, starts the missing
    Service's name: operators name what they create after their resource. None when the input
    points at a mistake instead: a Service of the namespace with a near name (a typo), or one of
    that very name in another namespace. A real typo can still look like an operator's name, so
    callers report such a reference at `info`, never drop it."""
    maker = next(
        (obj for obj in custom_resources(cluster, namespace) if name.startswith(obj.name + "-")),
        None,
    )
    if maker is None:
        return None
    services = cluster.services
    if any(s.name == name for s in services) or closest(
        name, [s.name for s in services if s.namespace == namespace]
    ):
        return None
    return maker


def may_create(maker: K8sObject) -> str:
    """Why a reference to a Service that `possible_creator` found a maker for is not judged."""
    return (
        f"{maker.kind} `{maker.name}` of namespace `{maker.namespace}` may create it (operators "
        "name the Services they create after their resource), so svclint cannot tell whether it "
        "exists"
    )
