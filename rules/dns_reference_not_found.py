"""A container's env, command or args, or a ConfigMap, names an in-cluster DNS name that no Service answers, or a port it does not serve.

## What it checks

In-cluster DNS names in a container's (or init container's) `env[].value` (after `$(VAR)`
expansion from the container's earlier env, as the kubelet does it), `command` and `args`, and in
a ConfigMap's `data` (line by line; comment lines are skipped), wherever they stand as a host: the
host of a URL (`postgres://u:p@db.data.svc:5432/app`, `dns:///api.shop:9090`), a `host:port`
token, a `--flag=value` or `key=value` value, a comma-separated host list, a line of an embedded
config file (`server cart.shop.svc.cluster.local:8080;`).

- **Fully qualified** names (`svc.ns.svc`, `svc.ns.svc.<cluster domain>`, trailing dot allowed;
  cluster domain `cluster.local` unless `cluster-domain` says otherwise): Service `svc` must exist
  in `ns`. A per-pod name `<pod>.<svc>.<ns>.svc...` needs a headless `svc` with a pod of that
  name (a StatefulSet it governs: an ordinal that exists; an Indexed Job: an index below
  `completions`). An SRV name `_<port>._<proto>.<svc>.<ns>.svc...` needs a port of that name and
  protocol.
- **Short names** (`svc`, `svc.ns`) only where an address is expected (a URL's host, a
  `host:port` token, the whole value of an env var or ConfigMap key named like an address:
  `..._HOST`, `..._URL`, `endpoint`...), and only when a Service of that name is in the input:
  `svc` from a pod in namespace N resolves only to Service `svc` of N, so when the only `svc`
  lives in another namespace that is the classic wrong-namespace mistake (the hint: `svc.ns`).
- **Ports**: the port written, or the scheme's default (`http` 80, `https` 443; no other), must be
  a `port` of a ClusterIP Service (say so when it is its targetPort: the mix-up). A headless
  Service translates no port: clients dial the pods, so it must be a port they serve (a
  containerPort or a numeric targetPort). ExternalName targets: the port is not judged.

Never judged: values holding unrendered templates (`{{`, `${`, a `$(VAR)` left unresolved),
`localhost`, the pod's own hostname and `hostAliases`, IP literals, the built-in Service
`kubernetes` in `default`, names under another cluster domain, Secrets, and short names that
name no Service of the input (external hosts, other repositories). When the named namespace has
no Service in the input at all, the finding is `info`: svclint cannot tell. A Service an
operator may create is `info` too: one whose name a custom resource of its namespace begins
(`<resource>-...`, as operators name what they create), unless a Service of a near name, or of
the same name elsewhere, points at a mistake.

## Why it matters

A name that does not resolve fails at runtime with "no such host" (or a connection to nothing):
the pod starts, passes its probes, and every call to that dependency fails. The usual Service
debugging checklist's "DNS name does not resolve: wrong namespace or name" row. A short name is
resolved in the pod's own namespace, so `db` works in the namespace the database lives in and
nowhere else; and a port that the Service does not serve is refused or times out.

## Example

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
        - name: cart
          image: cart:1.4
          env:
            - name: DATABASE_URL
              value: postgres://cart@postgres.shop.svc:5432/cart
---
apiVersion: v1
kind: Service
metadata:
  name: postgres
  namespace: data
spec:
  selector: {app: postgres}
  ports:
    - port: 5432
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
    - port: 80
```

## Fix

Name the namespace the Service lives in:

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
        - name: cart
          image: cart:1.4
          env:
            - name: DATABASE_URL
              value: postgres://cart@postgres.data.svc:5432/cart
---
apiVersion: v1
kind: Service
metadata:
  name: postgres
  namespace: data
spec:
  selector: {app: postgres}
  ports:
    - port: 5432
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
    - port: 80
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Level,
    Problem,
    Related,
    Service,
    closest,
    problem,
    quote_list,
)
from svclint.k8s.builtin import platform_namespace
from svclint.k8s.dns import fqdn, pod_record
from svclint.k8s.dns_refs import DnsRef, references_by_source
from svclint.k8s.operators import may_create, possible_creator
from svclint.k8s.ports import service_port
from svclint.k8s.service_refs import (
    PortRef,
    placed,
    placed_namesakes,
    pod_ports,
    port_list,
    port_mixup,
    resolve,
)

ID = "dns-reference-not-found"
LEVEL = "warning"
ENABLED = True
TARGET = "objects"


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    for ref in references_by_source(cluster).get(id(obj), ()):
        found = _judge(obj, ref, cluster)
        if found is not None:
            yield found


def _judge(obj: K8sObject, dref: DnsRef, cluster: Cluster) -> Problem | None:
    ref = dref.reference
    twins = cluster.services_named(ref.namespace, ref.name)
    if not twins:
        return _missing(obj, dref, cluster)
    if any(t.type == "ExternalName" for t in twins):
        return None  # DNS answers with a CNAME; ports pass through untranslated
    if dref.srv is not None:
        return _srv(obj, dref, twins)
    if dref.pod_host is not None:
        return _per_pod(obj, dref, twins[0], cluster)
    if ref.port is None:
        return None
    return _port(obj, dref, twins, cluster)


def _lead(obj: K8sObject, dref: DnsRef) -> str:
    return f"{dref.reference.where} of {obj.kind} `{obj.name}` names `{dref.written}`"


def _missing(obj: K8sObject, dref: DnsRef, cluster: Cluster) -> Problem:
    ref = dref.reference
    ns, name = ref.namespace, ref.name
    lead = _lead(obj, dref)
    elsewhere = sorted({s.namespace for s in cluster.services if s.name == name} - {ns})
    domain = cluster.options.cluster_domain.strip(".")
    # Helm output without `-n`: a side whose namespace svclint chose cannot be compared.
    # A short name resolves in the pod's namespace: when svclint chose that namespace, or the
    # namespace of the Service it may mean, where each is installed decides.
    self_placed = dref.form == "short" and placed(cluster, obj)
    if self_placed or placed_namesakes(cluster, name):
        where = elsewhere[0] if self_placed and len(elsewhere) == 1 else ns
        who = f"{obj.kind} `{obj.name}`" if self_placed else f"Service `{name}`"
        return _info(
            obj, dref,
            f"{lead}, Service `{ns}/{name}`, which is not in the input; but {who} names no "
            "namespace, so where each is installed decides, and svclint cannot tell",
            f"lint with `-n {where}` (the namespace it is installed in)",
        )  # fmt: skip
    if dref.form != "short" and not cluster.has_services(ns):
        return _info(
            obj, dref,
            f"{lead}, Service `{ns}/{name}`, but no Services of namespace `{ns}` were part of the "
            "input, so svclint cannot tell whether it exists",
        )  # fmt: skip
    if platform_namespace(ns):
        return _info(
            obj, dref,
            f"{lead}, Service `{ns}/{name}`, which is not in the input; `{ns}` holds the "
            "cluster's own Services, which manifests rarely carry, so svclint cannot tell",
        )  # fmt: skip
    maker = possible_creator(cluster, ns, name)
    if maker is not None:
        return problem(
            obj, ref.node, f"{lead}, Service `{ns}/{name}`, which is not in the input; "
            + may_create(maker),
            related=[Related(maker, maker.name_node(), f"{maker.ref}, a possible creator")],
            level="info", about=[ref.target], key=ref.key,
        )  # fmt: skip
    level: Level | None = None if dref.dialed else "info"
    if dref.form == "short":
        message = (
            f"{lead}, which from namespace `{ns}` is Service `{ns}/{name}`, and there is none; "
            f"a short name resolves only in the pod's own namespace, and Service `{name}` is in "
            f"namespace {quote_list(elsewhere)}"
        )
        hint = f"did you mean `{name}.{elsewhere[0]}`?" if len(elsewhere) == 1 else None
        if not cluster.has_services(ns):
            level = "info"
            message += f" (no Services of namespace `{ns}` were part of the input, though)"
    else:
        message = f"{lead}, but namespace `{ns}` has no Service `{name}`"
        if not dref.dialed:
            message += " (it is named here, not necessarily connected to)"
        hint = None
        near = closest(name, [s.name for s in cluster.services if s.namespace == ns])
        if near is not None:
            hint = f"did you mean `{fqdn(near, ns, domain)}`?"
        if elsewhere:
            message += f"; a Service `{name}` exists in namespace {quote_list(elsewhere)}"
            if hint is None and len(elsewhere) == 1:
                hint = f"did you mean `{fqdn(name, elsewhere[0], domain)}`?"
    return problem(obj, ref.node, message, hint=hint, level=level, about=[ref.target], key=ref.key)


def _info(obj: K8sObject, dref: DnsRef, message: str, hint: str | None = None) -> Problem:
    ref = dref.reference
    return problem(obj, ref.node, message, hint=hint, level="info", about=[ref.target], key=ref.key)


def _srv(obj: K8sObject, dref: DnsRef, twins: list[Service]) -> Problem | None:
    assert dref.srv is not None
    port_name, proto = dref.srv
    for twin in twins:
        found = service_port(twin, port_name)
        if found is not None and found.protocol.lower() == proto:
            return None
    svc = twins[0]
    sp = service_port(svc, port_name)
    what = (
        f"its port `{port_name}` is {sp.protocol}, not {proto.upper()}"
        if sp is not None
        else f"it has no port named `{port_name}` (its ports: {port_list(svc)})"
    )
    named = [p.name for p in svc.ports if p.name]
    near = closest(port_name, named)
    return _found_problem(
        obj, dref, svc,
        f"{_lead(obj, dref)}, an SRV name of Service `{svc.namespace}/{svc.name}`, but {what}: "
        "there is no such SRV record",
        f"did you mean `_{near}._{proto}`?" if near is not None else None,
    )  # fmt: skip


def _per_pod(obj: K8sObject, dref: DnsRef, svc: Service, cluster: Cluster) -> Problem | None:
    host = dref.pod_host or ""
    where = f"Service `{svc.namespace}/{svc.name}`"
    if not svc.headless:
        return _found_problem(
            obj, dref, svc,
            f"{_lead(obj, dref)}, a per-pod name, but {where} is not headless: only headless "
            "Services (`clusterIP: None`) get per-pod DNS records",
            None,
        )  # fmt: skip
    record = pod_record(cluster, svc, host)
    if record.exists is not False:
        return None
    message = f"{_lead(obj, dref)}, a per-pod name, but no pod of headless {where} is `{host}`"
    hint = None
    if record.hosts:
        message += f": its per-pod names are {quote_list(record.hosts, limit=4)}"
        near = closest(host, record.hosts)
        if near is not None:
            hint = f"did you mean `{near}`?"
    related = [
        Related(o, o.name_node(), f"{o.ref}, whose pods have per-pod names")
        for o in record.owners[:3]
    ]
    ref = dref.reference
    return problem(obj, ref.node, message, hint=hint, related=related, about=[svc.obj], key=ref.key)


def _port(obj: K8sObject, dref: DnsRef, twins: list[Service], cluster: Cluster) -> Problem | None:
    ref = dref.reference
    assert ref.port is not None and isinstance(ref.port.value, int)
    number = ref.port.value
    svc = twins[0]
    by = "pod" if svc.headless else "number"
    if resolve(cluster, ref.namespace, ref.name, PortRef(by, number)).status == "found":
        return None
    written = f"port {number}" + (" (the URL scheme's default)" if dref.default_port else "")
    if svc.headless:
        if not cluster.pods_for(svc):
            return None  # no pods in the input to tell what they serve
        served = sorted(pod_ports(cluster, svc))
        return _found_problem(
            obj, dref, svc,
            f"{_lead(obj, dref)}, {written} of headless Service `{svc.namespace}/{svc.name}`: a "
            "headless Service translates no port, clients dial the pods, and its pods serve "
            f"{quote_list(served)}",
            f"use port {served[0]}" if len(served) == 1 else None,
        )  # fmt: skip
    message = (
        f"{_lead(obj, dref)}, {written} of Service `{svc.namespace}/{svc.name}`, which has no "
        f"such port (its ports: {port_list(svc)})"
    )
    hint = None
    mixup = port_mixup(cluster, svc, number)
    if mixup is not None:
        message += f"; `{number}` is the {mixup.field} of Service port {mixup.port.label}"
        hint = f"use port {mixup.port.port}: clients dial the Service port"
    elif len(svc.ports) == 1 and svc.ports[0].port is not None:
        hint = f"use port {svc.ports[0].port}"
    return _found_problem(obj, dref, svc, message, hint)


def _found_problem(
    obj: K8sObject, dref: DnsRef, svc: Service, message: str, hint: str | None
) -> Problem:
    """A problem with a Service that exists: its ports as the related location."""
    spec = svc.spec
    at = spec.key_node("ports") if spec is not None and "ports" in spec else svc.obj.name_node()
    related = [Related(svc.obj, at, f"ports of {svc.obj.ref}")]
    ref = dref.reference
    return problem(obj, ref.node, message, hint=hint, related=related, about=[svc.obj], key=ref.key)
