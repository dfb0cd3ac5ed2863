"""Cluster DNS names of Services, as CoreDNS's kubernetes plugin serves them.

A Service `web` of namespace `shop` is `web.shop.svc.<cluster domain>` (an A/AAAA record of its
cluster IP, or of each ready pod when headless); a headless Service also gives each selected pod
a record `<hostname>.web.shop.svc.<domain>` (a StatefulSet's pods: `<set>-<n>`). Pods resolve the
short forms `web`, `web.shop` and `web.shop.svc` through the search path in their
`/etc/resolv.conf`; the target of a CNAME (an ExternalName Service's `externalName`) is looked up
as it is, without that search path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..model.objects import K8sObject
from ..model.services import Service
from ..model.workloads import PodSource
from .names import is_dns1123_subdomain

if TYPE_CHECKING:
    from ..model.cluster import Cluster

DEFAULT_DOMAIN = "cluster.local"


class ServiceName(NamedTuple):
    """A DNS name that names a Service of the cluster, and in which form."""

    service: str
    namespace: str
    host: str | None  # a per-pod name: `<host>.<service>.<namespace>.svc...`
    form: str  # see FORMS

    @property
    def qualified(self) -> bool:
        """Ends with `.svc.<cluster domain>`: resolves without a search path."""
        return self.form == "fqdn"


FORMS = {
    "fqdn": "`<svc>.<ns>.svc.<cluster domain>`",
    "svc": "`<svc>.<ns>.svc`",
    "namespace": "`<svc>.<ns>`",
    "short": "`<svc>`",
    "other-domain": "`<svc>.<ns>.svc.cluster.local` under another cluster domain",
}


def service_name(name: str, domain: str, namespace: str) -> ServiceName | None:
    """The Service a DNS name would name inside the cluster, whatever its form (`namespace` is
    the asking pod's or Service's own, for a bare `<svc>`); None when it cannot name one (not a
    DNS name, a deeper name, `<ns>.svc.<domain>`...). One trailing dot is ignored, and letter
    case (DNS is case-insensitive)."""
    name = name.removesuffix(".").lower()
    if not is_dns1123_subdomain(name):
        return None
    domain = domain.strip(".").lower()
    for suffix, form in ((f".svc.{domain}", "fqdn"), (".svc", "svc")):
        if name.endswith(suffix):
            return _head(name[: -len(suffix)], form)
    if domain != DEFAULT_DOMAIN and name.endswith(f".svc.{DEFAULT_DOMAIN}"):
        return _head(name[: -len(f".svc.{DEFAULT_DOMAIN}")], "other-domain")
    labels = name.split(".")
    if len(labels) == 2:
        return ServiceName(labels[0], labels[1], None, "namespace")
    if len(labels) == 1:
        return ServiceName(name, namespace, None, "short")
    return None


def _head(head: str, form: str) -> ServiceName | None:
    labels = head.split(".")
    if len(labels) == 2:
        return ServiceName(labels[0], labels[1], None, form)
    if len(labels) == 3:
        return ServiceName(labels[1], labels[2], labels[0], form)
    return None


def fqdn(service: str, namespace: str, domain: str, host: str | None = None) -> str:
    """`<host>.<service>.<namespace>.svc.<domain>`."""
    name = f"{service}.{namespace}.svc.{domain.strip('.')}"
    return f"{host}.{name}" if host else name


# -- ExternalName: what the CNAME points at --------------------------------------------------


class CnameTarget(NamedTuple):
    """What an ExternalName Service's `externalName` names."""

    kind: str  # "service" (a Service of the cluster), "outside", "ip" or "invalid"
    name: str  # `externalName`, one trailing dot stripped
    service: ServiceName | None  # for "service"


def cname_target(svc: Service, cluster: Cluster) -> CnameTarget | None:
    """The target of an ExternalName Service (None for another type, or no `externalName`).

    Fully qualified in-cluster names, and names that would be but lack the cluster domain, name
    a Service whether or not it is in the input; `<svc>.<ns>` and a bare `<svc>` only when such
    a Service is in the input (else they are most likely outside names, `example.com`).
    """
    from .addresses import parse_ip

    if svc.type != "ExternalName" or svc.spec is None:
        return None
    raw = svc.spec.get_str("externalName")
    if raw is None:
        return None
    name = raw.removesuffix(".")  # the API strips exactly one trailing dot
    if parse_ip(name) is not None:
        return CnameTarget("ip", name, None)
    if not is_dns1123_subdomain(name):
        return CnameTarget("invalid", name, None)
    target = service_name(name, cluster.options.cluster_domain, svc.namespace)
    if target is None:
        return CnameTarget("outside", name, None)
    if target.form in ("namespace", "short"):
        found = cluster.service(target.namespace, target.service)
        if found is None or found is svc:
            return CnameTarget("outside", name, None)
    return CnameTarget("service", name, target)


def aliases_of(cluster: Cluster, svc: Service) -> list[tuple[Service, ServiceName]]:
    """The ExternalName Services whose target is this Service, with the name they use."""
    index: dict[tuple[str, str], list[tuple[Service, ServiceName]]] = cluster.memo(
        "k8s.dns.aliases", lambda: _aliases(cluster)
    )
    return index.get((svc.namespace, svc.name), [])


def _aliases(cluster: Cluster) -> dict[tuple[str, str], list[tuple[Service, ServiceName]]]:
    out: dict[tuple[str, str], list[tuple[Service, ServiceName]]] = {}
    for s in cluster.services:
        target = cname_target(s, cluster)
        if target is not None and target.service is not None:
            key = (target.service.namespace, target.service.service)
            out.setdefault(key, []).append((s, target.service))
    return out


# -- per-pod names of a headless Service ------------------------------------------------------


class PodRecord(NamedTuple):
    """Whether `<host>.<service>.<ns>.svc...` has a record, and the pod names that do."""

    exists: bool | None  # None: svclint cannot tell (endpoints written by hand, no pods known)
    hosts: tuple[str, ...]  # the per-pod names the Service does have (up to a few), for hints
    owners: tuple[K8sObject, ...]  # the pod sources those pods belong to


def per_pod_hosts(cluster: Cluster, svc: Service, ps: PodSource) -> list[str] | None:
    """The hostnames pods of `ps` get a record for under headless `svc`: a StatefulSet governed
    by it (`<set>-<ordinal>`), an Indexed Job whose pods' `subdomain` is it (`<job>-<index>`),
    any other pod template with `hostname` and `subdomain: <svc>`. None when they are too many
    or unbounded (an autoscaler)."""
    from .pod_labels import job_spec
    from .statefulset import first_ordinal, service_name

    spec = ps.spec
    if ps.kind == "StatefulSet" and ps.obj.group == "apps":
        if service_name(ps.obj) != svc.name or ps.replicas is None:
            return []
        if cluster.hpa_targets(ps.obj) or ps.replicas > 1000:
            return None
        start = first_ordinal(ps.obj)
        return [f"{ps.obj.name}-{n}" for n in range(start, start + ps.replicas)]
    subdomain = spec.get_str("subdomain") if spec is not None else None
    if subdomain != svc.name:
        return []
    job = job_spec(ps.obj)
    if job is not None and job.get_str("completionMode") == "Indexed" and ps.kind == "Job":
        completions = job.get_int("completions")
        if completions is None or completions > 1000:
            return None
        return [f"{ps.obj.name}-{i}" for i in range(completions)]
    hostname = spec.get_str("hostname") if spec is not None else None
    return [hostname] if hostname else []


def pod_record(cluster: Cluster, svc: Service, host: str) -> PodRecord:
    """Whether headless Service `svc` gives a pod the per-pod name `host`: only a pod it selects
    whose `subdomain` is the Service (a StatefulSet's pods: governed by it) and whose hostname is
    `host` (a StatefulSet's: an ordinal that exists)."""
    if not svc.headless:
        return PodRecord(False, (), ())
    if not svc.selector:
        return PodRecord(None, (), ())  # hand-written endpoints carry their own hostnames
    pods = cluster.pods_for(svc)
    if not pods:
        return PodRecord(None, (), ())
    hosts: list[str] = []
    owners: list[K8sObject] = []
    for ps in pods:
        names = per_pod_hosts(cluster, svc, ps)
        if names is None:
            return PodRecord(None, (), ())  # unbounded: any ordinal may exist
        if host.lower() in (n.lower() for n in names):
            return PodRecord(True, (host,), (ps.obj,))
        if names:
            hosts.extend(names)
            owners.append(ps.obj)
    return PodRecord(False, tuple(hosts), tuple(owners))
