"""An ExternalName Service aliasing an in-cluster Service that is not there, or a name that cannot resolve.

## What it checks

An ExternalName Service whose `externalName` (one trailing dot stripped) is an in-cluster DNS
name, `<svc>.<ns>.svc.<cluster-domain>` (cluster domain from `cluster-domain`, default
`cluster.local`), or a per-pod name `<host>.<svc>.<ns>.svc.<cluster-domain>`:

- Service `<svc>` is not in namespace `<ns>` while the input holds other Services of `<ns>`. The
  message names a Service of that name in another namespace, if any; the hint, the closest name
  in `<ns>`. When the input holds no Service of `<ns>` at all, the finding is `info` and says so.
- The target is the Service itself, or a chain of ExternalName Services that loops back.
- A per-pod name whose Service is not headless (`clusterIP: None`): only headless Services get
  per-pod records. For a headless one, the record exists only for a pod the Service selects whose
  `subdomain` is the Service and whose hostname is the name's first label: a StatefulSet's pods
  when it is the StatefulSet's `serviceName` (`<set>-<ordinal>`, the ordinal within
  `spec.ordinals.start` and `replicas`, any ordinal under an autoscaler), an Indexed Job's pods
  (`<job>-<index>`, below `completions`), a pod template with `hostname` and `subdomain`. Not
  judged when the Service has no selector (its hand-written endpoints carry the hostnames) or
  selects no pod source in the input.

It also reports in-cluster names that are not fully qualified. DNS search domains apply to the
name a client looks up, never to the target of a CNAME, so the cluster DNS looks these names up as
they are, outside the cluster, and gets no answer:

- `<svc>.<ns>.svc` (and `<host>.<svc>.<ns>.svc`), always;
- `<svc>.<ns>`, and a bare `<svc>`, when that Service is in the input (in `<ns>`, or in the
  ExternalName Service's own namespace for a bare name);
- `<svc>.<ns>.svc.cluster.local` when `cluster-domain` is set to another domain.

The Service `kubernetes` in `default` exists in every cluster (the API server publishes it), so
an alias to `kubernetes.default.svc.<cluster-domain>` is never reported, whatever the input holds.

## Why it matters

Cluster DNS answers a query for the alias with a CNAME to the target, then looks the target up.
If the target Service does not exist, CoreDNS answers with no address (NODATA) and does not fall
back to anything else; a name that is not fully qualified goes to the upstream resolvers and
fails. Either way clients get "no such host" from a Service that looks healthy.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: shop
spec:
  type: ExternalName
  externalName: postgres.data.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata:
  name: postgresql
  namespace: data
spec:
  selector: {app: postgresql}
  ports:
    - port: 5432
```

## Fix

```yaml
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: shop
spec:
  type: ExternalName
  externalName: postgresql.data.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata:
  name: postgresql
  namespace: data
spec:
  selector: {app: postgresql}
  ports:
    - port: 5432
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Level,
    Problem,
    Ref,
    Related,
    Service,
    closest,
    did_you_mean,
    problem,
    quote_list,
)
from svclint.k8s.addresses import parse_ip
from svclint.k8s.dns import DEFAULT_DOMAIN, ServiceName, fqdn, pod_record, service_name
from svclint.k8s.names import is_dns1123_subdomain
from svclint.k8s.statefulset import service_name as governing_service

ID = "externalname-target-missing"
LEVEL = "warning"
ENABLED = True
TARGET = "services"


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    spec = svc.spec
    if svc.type != "ExternalName" or spec is None:
        return
    raw = spec.get_str("externalName")
    if raw is None:
        return
    name = raw.removesuffix(".")  # the API strips exactly one trailing dot
    if not is_dns1123_subdomain(name) or parse_ip(name) is not None:
        return  # externalname-invalid / externalname-ip-address
    domain = cluster.options.cluster_domain.strip(".").lower()
    target = service_name(name, domain, svc.namespace)
    if target is None:
        return  # an outside name, or a deeper one that no Service record has
    if target.form == "fqdn":
        yield from _in_cluster(svc, cluster, raw, target)
    else:
        yield from _not_fully_qualified(svc, cluster, raw, target, domain)


def _problem(
    svc: Service,
    target: ServiceName,
    message: str,
    hint: str | None = None,
    related: list[Related] | None = None,
    level: Level | None = None,
) -> Problem:
    """A finding at `externalName`, about the Service it names."""
    node = svc.spec.at("externalName") if svc.spec is not None else None
    about = [Ref("Service", target.namespace, target.service)]
    return problem(
        svc.obj, node, message, hint, related or (), level, about=about, key="externalName"
    )


def _in_cluster(svc: Service, cluster: Cluster, raw: str, target: ServiceName) -> Iterator[Problem]:
    ns, target_name = target.namespace, target.service
    found = cluster.service(ns, target_name)
    if found is None:
        if not cluster.has_services(ns):
            yield _problem(
                svc, target,
                f"`externalName` `{raw}` of Service `{svc.name}` points at Service "
                f"`{ns}/{target_name}`, but no Services of namespace `{ns}` were part of the "
                "input, so svclint cannot tell whether it exists",
                level="info",
            )  # fmt: skip
            return
        message = (
            f"`externalName` `{raw}` of Service `{svc.name}` points at Service "
            f"`{ns}/{target_name}`, which is not in the input"
        )
        elsewhere = sorted(
            {s.namespace for s in cluster.services if s.name == target_name and s.namespace != ns}
        )
        hint = None
        if elsewhere:
            where = ", ".join(f"`{n}`" for n in elsewhere)
            message += f"; a Service `{target_name}` exists in namespace {where}"
            if len(elsewhere) == 1:
                domain = cluster.options.cluster_domain.strip(".").lower()
                hint = f"did you mean `{fqdn(target_name, elsewhere[0], domain)}`?"
        if hint is None:
            names = [s.name for s in cluster.services if s.namespace == ns]
            near = did_you_mean(target_name, names)
            if near is not None:
                hint = near + f" (a Service in namespace `{ns}`)"
        yield _problem(svc, target, message, hint=hint)
        return
    related = [Related(found.obj, found.obj.name_node(), f"{found.obj.ref}")]
    if target.host is not None:
        if not found.headless:
            yield _problem(
                svc, target,
                f"`externalName` `{raw}` of Service `{svc.name}` is a per-pod name, but Service "
                f"`{ns}/{target_name}` is not headless: only headless Services "
                "(`clusterIP: None`) get per-pod DNS records",
                related=related,
            )  # fmt: skip
            return
        yield from _per_pod(svc, cluster, raw, target, found)
        return
    loop = _loop(svc, found, cluster)
    if loop is not None:
        chain = " -> ".join(f"`{s.namespace}/{s.name}`" for s in loop)
        yield _problem(
            svc, target,
            f"`externalName` `{raw}` of Service `{svc.name}` makes a CNAME loop ({chain}): the "
            "name never resolves",
            related=related,
        )  # fmt: skip


def _per_pod(
    svc: Service, cluster: Cluster, raw: str, target: ServiceName, found: Service
) -> Iterator[Problem]:
    """A per-pod name of a headless Service: some pod it selects must have that hostname."""
    host = target.host or ""
    record = pod_record(cluster, found, host)
    if record.exists is not False:
        return  # it does, or svclint cannot tell (hand-written endpoints, pods not in the input)
    where = f"`{found.namespace}/{found.name}`"
    message = (
        f"`externalName` `{raw}` of Service `{svc.name}` is a per-pod name, but no pod of "
        f"headless Service {where} is named `{host}`"
    )
    hint = None
    governed = _governed_elsewhere(cluster, found, host)
    if governed is not None:
        other = governing_service(governed) or ""
        message += (
            f": StatefulSet {governed.name}, whose pods it selects, names `{other}` as its "
            f"`serviceName`, so their names live under that Service"
        )
    elif record.hosts:
        message += f": its per-pod names are {quote_list(record.hosts, limit=4)}"
        near = closest(host, record.hosts)
        if near is not None:
            domain = cluster.options.cluster_domain.strip(".").lower()
            hint = f"did you mean `{fqdn(found.name, found.namespace, domain, near)}`?"
    else:
        message += (
            ": none of the pods it selects gets a name under it (a StatefulSet's `serviceName`, "
            "or a pod's `subdomain`, must be the Service)"
        )
    related = [Related(o, o.name_node(), f"{o.ref}") for o in record.owners[:3]]
    yield _problem(svc, target, message, hint=hint, related=related)


def _governed_elsewhere(cluster: Cluster, svc: Service, host: str) -> K8sObject | None:
    """A StatefulSet the Service selects whose pod `host` would be, governed by another Service."""
    prefix = host.rpartition("-")[0]
    for ps in cluster.pods_for(svc):
        if (
            ps.kind == "StatefulSet"
            and ps.obj.name == prefix
            and governing_service(ps.obj) != svc.name
        ):
            return ps.obj
    return None


def _loop(start: Service, target: Service, cluster: Cluster) -> list[Service] | None:
    """The chain of ExternalName aliases from `start` when it comes back to `start`."""
    chain = [start]
    seen = {id(start)}
    domain = cluster.options.cluster_domain
    cur: Service | None = target
    while cur is not None:
        chain.append(cur)
        if cur is start:
            return chain
        if id(cur) in seen or cur.type != "ExternalName" or cur.spec is None:
            return None  # a loop not through `start` is reported on its own members
        seen.add(id(cur))
        nxt = service_name(cur.spec.get_str("externalName") or "", domain, cur.namespace)
        if nxt is None or nxt.form != "fqdn" or nxt.host is not None:
            return None
        cur = cluster.service(nxt.namespace, nxt.service)
    return None


def _not_fully_qualified(
    svc: Service, cluster: Cluster, raw: str, target: ServiceName, domain: str
) -> Iterator[Problem]:
    existing = cluster.service(target.namespace, target.service)
    name = raw.removesuffix(".")
    if target.form == "other-domain":
        head = fqdn(target.service, target.namespace, domain, target.host)
        yield _problem(
            svc, target,
            f"`externalName` `{raw}` of Service `{svc.name}` uses cluster domain "
            f"`{DEFAULT_DOMAIN}`, but the cluster domain is `{domain}`: the name never "
            "resolves",
            hint=f"did you mean `{head}`?",
        )  # fmt: skip
        return
    if target.form != "svc" and existing is None:
        return  # most likely an outside name (`example.com`)
    if target.form == "short" and existing is svc:
        return
    suggestion = (
        f"{name}.{domain}"
        if target.form == "svc"
        else fqdn(target.service, target.namespace, domain)
    )
    message = (
        f"`externalName` `{raw}` of Service `{svc.name}` is an in-cluster name that is not "
        "fully qualified: DNS search domains do not apply to a CNAME target, so it never resolves"
    )
    related = []
    if existing is not None:
        related.append(Related(existing.obj, existing.obj.name_node(), existing.obj.ref))
    yield _problem(svc, target, message, hint=f"did you mean `{suggestion}`?", related=related)
