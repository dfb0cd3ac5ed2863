"""Fields a Service's type makes Kubernetes ignore: ExternalName extras, or a stray `externalName`.

## What it checks

On a Service of `type: ExternalName`:

- a non-empty `selector`: the EndpointSlice controller skips ExternalName Services, so nothing is
  selected;
- non-empty `externalIPs` (the API server warns that they are ignored);
- `sessionAffinity: ClientIP`: there is no proxy to keep affinity;
- non-empty `ports`, reported at `info`: DNS answers with a CNAME, nothing proxies, so there is no
  port remapping and clients must use the external host's real port. Some Ingress controllers
  read these ports for ExternalName backends (ingress-nginx sends to `targetPort`), and Istio
  needs them to route mesh traffic, so they are often deliberate.

On a Service of type ClusterIP, NodePort or LoadBalancer (including `type` omitted, which defaults
to ClusterIP): a non-empty `externalName`. The API server accepts it with the warning
`spec.externalName is ignored when spec.type is not "ExternalName"`; the Service gets a cluster IP
and no CNAME.

Services of an unknown `type` are left to `service-spec-invalid`.

## Why it matters

Each of these fields reads as if it did something, and does nothing. The most common case is an
`externalName` whose `type: ExternalName` line was forgotten: the Service becomes a ClusterIP
Service with no selector and no endpoints, and every connection to it fails.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: payments
spec:
  externalName: payments.example.com
```

## Fix

```yaml
apiVersion: v1
kind: Service
metadata:
  name: payments
spec:
  type: ExternalName
  externalName: payments.example.com
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, Map, Problem, Service, problem

ID = "externalname-ignored-fields"
LEVEL = "warning"
ENABLED = True
TARGET = "services"

_OTHER_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    spec = svc.spec
    if spec is None:
        return
    if svc.type == "ExternalName":
        yield from _external_name_extras(svc, spec)
    elif svc.type in _OTHER_TYPES:
        yield from _stray_external_name(svc, spec)


def _external_name_extras(svc: Service, spec: Map) -> Iterator[Problem]:
    target = spec.get_str("externalName")
    cname = f"a CNAME to `{target}`" if target else "a CNAME"
    if svc.selector:
        shown = ", ".join(f"{k}={v}" for k, v in svc.selector.items())
        yield problem(
            svc.obj, svc.selector_node,
            f"`selector` `{shown}` of ExternalName Service `{svc.name}` is ignored: ExternalName "
            f"Services get no endpoints, DNS answers with {cname}",
            hint="remove `selector`; to route to these pods, drop `type: ExternalName` and "
            "`externalName`",
        )  # fmt: skip
    ips = spec.seq("externalIPs")
    if ips is not None and len(ips) > 0:
        yield problem(
            svc.obj, spec.key_node("externalIPs"),
            f"`externalIPs` of ExternalName Service `{svc.name}` are ignored: nothing listens on "
            f"them, DNS answers with {cname}",
            hint="remove `externalIPs`",
        )  # fmt: skip
    if spec.text("sessionAffinity") == "ClientIP":
        yield problem(
            svc.obj, spec.at("sessionAffinity"),
            f"`sessionAffinity: ClientIP` of ExternalName Service `{svc.name}` is ignored: no "
            f"proxy handles its traffic, DNS answers with {cname}",
            hint="remove `sessionAffinity`",
        )  # fmt: skip
    ports = spec.seq("ports")
    if ports is not None and len(ports) > 0:
        message = (
            f"`ports` of ExternalName Service `{svc.name}` have no effect on cluster DNS or "
            f"kube-proxy: DNS answers with {cname} and clients connect to the port they choose"
        )
        remapped = [
            p for p in svc.ports if not p.target_defaulted and p.target not in (None, p.port)
        ]
        if remapped:
            shown = ", ".join(f"{p.label} -> `{p.target}`" for p in remapped)
            message += f"; in-cluster clients never get the `targetPort` remapping {shown}"
        message += (
            " (Ingress controllers and service meshes read these ports, so they may be deliberate)"
        )
        yield problem(svc.obj, spec.key_node("ports"), message, level="info")


def _stray_external_name(svc: Service, spec: Map) -> Iterator[Problem]:
    value = spec.get_str("externalName")
    if not value:
        return  # the API warns only about a non-empty value
    explicit = spec.text("type") is not None
    if explicit:
        why = f"`{svc.name}` is a {svc.type} Service, and only ExternalName Services serve a CNAME"
    else:
        why = "`type` is omitted, so it defaults to ClusterIP and no CNAME is served"
    if svc.selector or explicit:
        hint = "remove `externalName`, or set `type: ExternalName` if this Service is an alias"
    else:
        hint = f"add `type: ExternalName` to make `{svc.name}` an alias of `{value}`"
    yield problem(
        svc.obj, spec.at("externalName"),
        f"`externalName` `{value}` of Service `{svc.name}` is ignored: {why}",
        hint=hint,
    )  # fmt: skip
