"""HorizontalPodAutoscalers (`spec.scaleTargetRef`) and PodDisruptionBudgets (`spec.selector`):
what scales a workload, and what limits its voluntary evictions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.objects import K8sObject
from .selectors import LabelSelector, parse_selector

if TYPE_CHECKING:
    from ..model.cluster import Cluster


def hpas_for(cluster: Cluster, obj: K8sObject) -> list[K8sObject]:
    """The HorizontalPodAutoscalers of the object's namespace whose `scaleTargetRef` names it."""
    index: dict[tuple[str, str, str], list[K8sObject]] = cluster.memo(
        "k8s.autoscaling.hpas", lambda: _hpas(cluster)
    )
    return index.get((obj.kind, obj.namespace, obj.name), [])


def _hpas(cluster: Cluster) -> dict[tuple[str, str, str], list[K8sObject]]:
    out: dict[tuple[str, str, str], list[K8sObject]] = {}
    for hpa in cluster.of_kind("HorizontalPodAutoscaler"):
        ref = hpa.root.dig_map("spec", "scaleTargetRef")
        if ref is not None:
            key = (ref.text("kind") or "", hpa.namespace, ref.text("name") or "")
            out.setdefault(key, []).append(hpa)
    return out


def disruption_budgets(cluster: Cluster, namespace: str) -> list[tuple[K8sObject, LabelSelector]]:
    """The PodDisruptionBudgets of a namespace with a readable selector."""
    index: dict[str, list[tuple[K8sObject, LabelSelector]]] = cluster.memo(
        "k8s.autoscaling.pdbs", lambda: _pdbs(cluster)
    )
    return index.get(namespace, [])


def _pdbs(cluster: Cluster) -> dict[str, list[tuple[K8sObject, LabelSelector]]]:
    out: dict[str, list[tuple[K8sObject, LabelSelector]]] = {}
    for pdb in cluster.of_kind("PodDisruptionBudget"):
        sel = parse_selector(pdb.root.dig("spec", "selector"))
        if sel is not None:
            out.setdefault(pdb.namespace, []).append((pdb, sel))
    return out
