"""Everything in the input that calls a Service by name, indexed once per run: Gateway API route
backendRefs, admission webhooks, APIServices, CRD conversion webhooks and DNS names in pods and
ConfigMaps (Ingress backends: k8s/ingress.py; ServiceMonitors select by label: k8s/monitors.py).
`svclint trace` lists them and `svclint graph` draws them; the rules judging each kind read the
same references from the module that defines them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.objects import K8sObject
from .dns_refs import references_by_source
from .gateway import ROUTE_KINDS, route_references
from .service_refs import Reference
from .webhooks import KINDS as WEBHOOK_KINDS
from .webhooks import service_calls

if TYPE_CHECKING:
    from ..model.cluster import Cluster


def references_from(cluster: Cluster, obj: K8sObject) -> list[Reference]:
    """The Services `obj` calls by name."""
    return _index(cluster)[0].get(id(obj), [])


def references_to(cluster: Cluster, namespace: str, name: str) -> list[Reference]:
    """The references naming Service `namespace/name`, in input order."""
    return _index(cluster)[1].get((namespace, name), [])


def _index(
    cluster: Cluster,
) -> tuple[dict[int, list[Reference]], dict[tuple[str, str], list[Reference]]]:
    return cluster.memo("k8s.callers", lambda: _build(cluster))


def _build(
    cluster: Cluster,
) -> tuple[dict[int, list[Reference]], dict[tuple[str, str], list[Reference]]]:
    by_source: dict[int, list[Reference]] = {}
    for obj in cluster.of_kind(*ROUTE_KINDS):
        refs = route_references(obj)
        if refs:
            by_source[id(obj)] = refs
    for obj in cluster.of_kind(*WEBHOOK_KINDS):
        calls = [c.reference for c in service_calls(obj)]
        if calls:
            by_source[id(obj)] = calls
    for source, dns in references_by_source(cluster).items():
        by_source.setdefault(source, []).extend(d.reference for d in dns)
    by_target: dict[tuple[str, str], list[Reference]] = {}
    for refs in by_source.values():
        for r in refs:
            by_target.setdefault((r.namespace, r.name), []).append(r)
    return by_source, by_target
