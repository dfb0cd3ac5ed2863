"""Where a Service's endpoints come from.

With a selector, the EndpointSlice controller writes them from the selected pods. Without one
(absent, `null` or `{}`: the API cannot tell them apart), neither endpoint controller writes
anything: EndpointSlices labelled `kubernetes.io/service-name: <service>` in the Service's own
namespace, or a v1 Endpoints object of the Service's name (mirrored into a slice), supply them.
kube-proxy programs only slices of `addressType` IPv4 and IPv6: an `FQDN` slice (a host name per
endpoint, for consumers such as gateways) carries no Service traffic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.nodes import Map, Scalar
from ..model.objects import K8sObject
from ..model.services import Service

if TYPE_CHECKING:
    from ..model.cluster import Cluster

SERVICE_NAME_LABEL = "kubernetes.io/service-name"  # ties an EndpointSlice to its Service


def selectorless(svc: Service) -> bool:
    """No selector as the API sees it: absent, null or `{}` (a wrongly typed one is not ours)."""
    spec = svc.spec
    if spec is None:
        return False
    sel = spec.get("selector")
    if sel is None:
        return True
    if isinstance(sel, Map):
        return len(sel) == 0
    return isinstance(sel, Scalar) and sel.value is None


def needs_manual_endpoints(svc: Service) -> bool:
    """A proxied or headless Service the API accepts without a selector: its endpoints must be
    written by something else (not ExternalName; ports, unless headless)."""
    if svc.type == "ExternalName" or not selectorless(svc):
        return False
    ports = svc.spec.seq("ports") if svc.spec is not None else None
    return svc.headless or (ports is not None and len(ports) > 0)


def manual_endpoints(cluster: Cluster, svc: Service) -> list[K8sObject]:
    """The hand-written EndpointSlices (by label) and v1 Endpoints (by name) that give the
    Service endpoints kube-proxy routes to (FQDN slices do not)."""
    found = [o for o in slices_of(cluster, svc) if not fqdn_slice(o)]
    found += [o for o in cluster.get("Endpoints", svc.namespace, svc.name) if o.group == ""]
    return found


def slices_of(cluster: Cluster, svc: Service) -> list[K8sObject]:
    """The EndpointSlices of the Service's namespace labelled with its name, any address type."""
    return [o for o in cluster.endpoint_slices(svc.name) if o.namespace == svc.namespace]


def fqdn_slice(obj: K8sObject) -> bool:
    """An EndpointSlice of `addressType: FQDN`, which kube-proxy ignores."""
    return obj.root.text("addressType") == "FQDN"
