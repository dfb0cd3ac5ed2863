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
  per-pod records.

It also reports in-cluster names that are not fully qualified. DNS search domains apply to the
name a client looks up, never to the target of a CNAME, so the cluster DNS looks these names up as
they are, outside the cluster, and gets no answer:

- `<svc>.<ns>.svc` (and `<host>.<svc>.<ns>.svc`), always;
- `<svc>.<ns>`, and a bare `<svc>`, when that Service is in the input (in `<ns>`, or in the
  ExternalName Service's own namespace for a bare name);
- `<svc>.<ns>.svc.cluster.local` when `cluster-domain` is set to another domain.

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

from svclint.api import Graph, Problem, Related, Service, did_you_mean, problem
from svclint.k8s.names import is_dns1123_subdomain, parse_ip

ID = "externalname-target-missing"
LEVEL = "warning"
ENABLED = True
TARGET = "services"

DEFAULT_DOMAIN = "cluster.local"


def check(svc: Service, graph: Graph) -> Iterator[Problem]:
    spec = svc.spec
    if svc.type != "ExternalName" or spec is None:
        return
    raw = spec.get_str("externalName")
    if raw is None:
        return
    name = raw.removesuffix(".")  # the API strips exactly one trailing dot
    if not is_dns1123_subdomain(name) or parse_ip(name) is not None:
        return  # externalname-invalid / externalname-ip-address
    domain = graph.options.cluster_domain.strip(".").lower()
    suffix = f".svc.{domain}"
    if name.endswith(suffix):
        head = name[: -len(suffix)].split(".")
        if len(head) in (2, 3):
            yield from _in_cluster(svc, graph, raw, head, domain)
        return  # `<ns>.svc.<domain>` and deeper names are not Service records
    yield from _not_fully_qualified(svc, graph, raw, name, domain)


def _in_cluster(
    svc: Service, graph: Graph, raw: str, head: list[str], domain: str
) -> Iterator[Problem]:
    node = svc.spec.at("externalName") if svc.spec is not None else None
    host = head[0] if len(head) == 3 else None
    target_name, ns = head[-2], head[-1]
    target = graph.service(ns, target_name)
    if target is None:
        if not graph.has_services(ns):
            yield problem(
                svc.obj, node,
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
            {s.namespace for s in graph.services if s.name == target_name and s.namespace != ns}
        )
        hint = None
        if elsewhere:
            where = ", ".join(f"`{n}`" for n in elsewhere)
            message += f"; a Service `{target_name}` exists in namespace {where}"
            if len(elsewhere) == 1:
                hint = f"did you mean `{target_name}.{elsewhere[0]}.svc.{domain}`?"
        if hint is None:
            names = [s.name for s in graph.services if s.namespace == ns]
            near = did_you_mean(target_name, names)
            if near is not None:
                hint = near + f" (a Service in namespace `{ns}`)"
        yield problem(svc.obj, node, message, hint=hint)
        return
    related = [Related(target.obj, target.obj.name_node(), f"{target.obj.ref}")]
    if host is not None:
        if not target.headless:
            yield problem(
                svc.obj, node,
                f"`externalName` `{raw}` of Service `{svc.name}` is a per-pod name, but Service "
                f"`{ns}/{target_name}` is not headless: only headless Services "
                "(`clusterIP: None`) get per-pod DNS records",
                related=related,
            )  # fmt: skip
        return
    loop = _loop(svc, target, graph, domain)
    if loop is not None:
        chain = " -> ".join(f"`{s.namespace}/{s.name}`" for s in loop)
        yield problem(
            svc.obj, node,
            f"`externalName` `{raw}` of Service `{svc.name}` makes a CNAME loop ({chain}): the "
            "name never resolves",
            related=related,
        )  # fmt: skip


def _loop(start: Service, target: Service, graph: Graph, domain: str) -> list[Service] | None:
    """The chain of ExternalName aliases from `start` when it comes back to `start`."""
    chain = [start]
    seen = {id(start)}
    cur: Service | None = target
    suffix = f".svc.{domain}"
    while cur is not None:
        chain.append(cur)
        if cur is start:
            return chain
        if id(cur) in seen or cur.type != "ExternalName" or cur.spec is None:
            return None  # a loop not through `start` is reported on its own members
        seen.add(id(cur))
        raw = cur.spec.get_str("externalName") or ""
        name = raw.removesuffix(".")
        if not name.endswith(suffix):
            return None
        head = name[: -len(suffix)].split(".")
        if len(head) != 2:
            return None
        cur = graph.service(head[1], head[0])
    return None


def _not_fully_qualified(
    svc: Service, graph: Graph, raw: str, name: str, domain: str
) -> Iterator[Problem]:
    node = svc.spec.at("externalName") if svc.spec is not None else None
    labels = name.split(".")
    fqdn: str | None = None
    existing: Service | None = None
    if labels[-1] == "svc" and len(labels) in (3, 4):
        fqdn = f"{name}.{domain}"
        existing = graph.service(labels[-2], labels[-3])
    elif domain != DEFAULT_DOMAIN and name.endswith(f".svc.{DEFAULT_DOMAIN}"):
        head = name[: -len(f".svc.{DEFAULT_DOMAIN}")]
        if len(head.split(".")) in (2, 3):
            yield problem(
                svc.obj, node,
                f"`externalName` `{raw}` of Service `{svc.name}` uses cluster domain "
                f"`{DEFAULT_DOMAIN}`, but the cluster domain is `{domain}`: the name never "
                "resolves",
                hint=f"did you mean `{head}.svc.{domain}`?",
            )  # fmt: skip
        return
    elif len(labels) == 2:
        existing = graph.service(labels[1], labels[0])
        if existing is None:
            return  # most likely an outside name (`example.com`)
        fqdn = f"{name}.svc.{domain}"
    elif len(labels) == 1:
        existing = graph.service(svc.namespace, name)
        if existing is None or existing is svc:
            return
        fqdn = f"{name}.{svc.namespace}.svc.{domain}"
    else:
        return
    message = (
        f"`externalName` `{raw}` of Service `{svc.name}` is an in-cluster name that is not "
        "fully qualified: DNS search domains do not apply to a CNAME target, so it never resolves"
    )
    related = []
    if existing is not None:
        related.append(Related(existing.obj, existing.obj.name_node(), existing.obj.ref))
    yield problem(svc.obj, node, message, hint=f"did you mean `{fqdn}`?", related=related)
