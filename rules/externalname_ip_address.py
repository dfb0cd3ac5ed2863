"""An ExternalName Service whose `externalName` is an IPv4 address, which never resolves.

## What it checks

For every Service of `type: ExternalName`, the `externalName` (one trailing dot stripped, as the
API server does) is an IPv4 address such as `10.1.2.3`. Octets with leading zeros (`010.1.2.3`)
count too. An IPv6 address is rejected by the API outright and is reported by
`externalname-invalid` instead.

## Why it matters

An IPv4 literal passes the API's DNS-name check (digits and dots are allowed), so the Service is
created, but an ExternalName Service is only a DNS CNAME record: the cluster DNS treats
`10.1.2.3` as a host name made of digits, not as an address. CoreDNS answers nothing for it, and
clients fail with "no such host" although `kubectl get svc` looks fine. The Kubernetes docs say
so in the ExternalName note. (Some Ingress controllers, ingress-nginx among them, use the value
as an upstream address directly, so such a Service may work as an Ingress backend; it still
never works for in-cluster clients.)

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: legacy-db
spec:
  type: ExternalName
  externalName: 10.20.30.40
```

## Fix

To give an IP address a Service name, use a Service without a selector and an EndpointSlice that
lists the address:

```yaml
apiVersion: v1
kind: Service
metadata:
  name: legacy-db
spec:
  ports:
    - name: postgres
      port: 5432
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: legacy-db-1
  labels:
    kubernetes.io/service-name: legacy-db
addressType: IPv4
ports:
  - name: postgres
    port: 5432
endpoints:
  - addresses: ["10.20.30.40"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, Problem, Service, problem
from svclint.k8s.addresses import parse_ip
from svclint.k8s.names import is_dns1123_subdomain

ID = "externalname-ip-address"
LEVEL = "error"
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
    # Only values the API accepts: anything else is externalname-invalid's finding.
    if not is_dns1123_subdomain(name):
        return
    ip = parse_ip(name)
    if ip is None or ip.version != 4:
        return
    yield problem(
        svc.obj, spec.at("externalName"),
        f"`externalName` `{raw}` of Service `{svc.name}` is an IPv4 address: Kubernetes accepts "
        "it, but cluster DNS treats it as a host name made of digits and it never resolves",
        hint=(
            f"drop `type: ExternalName` and `externalName`, and list `{ip}` in an EndpointSlice "
            f"labelled `kubernetes.io/service-name: {svc.name}` (a Service without a selector)"
        ),
        key="externalName",
    )  # fmt: skip
