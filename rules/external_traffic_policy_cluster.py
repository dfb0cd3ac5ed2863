"""LoadBalancer or NodePort Service with `externalTrafficPolicy: Cluster`: client IPs are lost.

## What it checks

Every Service of type `LoadBalancer` or `NodePort` whose `externalTrafficPolicy` is `Cluster`,
written out or defaulted (the API server sets `Cluster` when the field is absent or empty). The
finding points at the field, or at `type` when the field is absent.

This rule is off by default: `Cluster` is the right choice for most Services. Turn it on where
client addresses matter (audit logs, IP allow lists in the application, rate limiting per client).

## Why it matters

With `Cluster`, the node that receives external traffic may forward it to a pod on another node,
and to get the reply back it masquerades the connection: the pod sees a node address as the
client, not the real client IP. `Local` preserves the client IP by only delivering to pods on the
receiving node, at the cost of uneven spread (see `external-traffic-policy-local-imbalance`). Some
load balancers carry the client address another way (PROXY protocol, `X-Forwarded-For`).

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: ingress
spec:
  type: LoadBalancer
  selector:
    app: ingress
  ports:
    - port: 443
```

## Fix

```yaml
apiVersion: v1
kind: Service
metadata:
  name: ingress
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector:
    app: ingress
  ports:
    - port: 443
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, Problem, Service, problem

ID = "external-traffic-policy-cluster"
LEVEL = "info"
ENABLED = False
TARGET = "services"


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    if svc.type not in ("LoadBalancer", "NodePort") or svc.spec is None:
        return
    if "externalTrafficPolicy" in svc.spec and svc.spec.scalar("externalTrafficPolicy") is None:
        return  # a list or a map: the API rejects it (schema-invalid)
    value = svc.spec.text("externalTrafficPolicy")
    if value not in (None, "", "Cluster"):
        return  # Local, or a value the API rejects (service-spec-invalid)
    how = "" if value == "Cluster" else " (the default)"
    yield problem(
        svc.obj,
        svc.spec.at("externalTrafficPolicy" if "externalTrafficPolicy" in svc.spec else "type"),
        f"{svc.type} Service {svc.name} uses `externalTrafficPolicy: Cluster`{how}: external "
        "traffic may be forwarded between nodes and masqueraded, so pods see a node address "
        "instead of the client source IP",
        hint="set `externalTrafficPolicy: Local` if the pods need the client IP "
        "(traffic then only goes to nodes running a ready pod)",
    )
