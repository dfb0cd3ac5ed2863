"""A Service of type NodePort, which opens its ports on every node of the cluster.

## What it checks

Every Service with `type: NodePort`. The finding points at the `type` value and names the node
ports (the explicit `nodePort` values; the others are allocated from the node port range).

`LoadBalancer` Services also allocate node ports (unless `allocateLoadBalancerNodePorts: false`),
but they are the way a load balancer reaches the cluster and are judged by
`loadbalancer-open-to-internet`; this rule is about the deliberate choice of `NodePort`.

## Why it matters

kube-proxy (or the CNI's replacement) listens on the node port on every node, on every node
address, for every Service of type NodePort: anyone who can reach any node can reach the Service,
bypassing the Ingress or load balancer in front of the cluster (and its TLS, authentication and
rate limits). Node ports are also a scarce, cluster-wide range (30000-32767 by default) with
non-standard numbers clients must know. Production traffic is better served by a `ClusterIP`
Service behind an Ingress or Gateway, or by a `LoadBalancer` Service.

If your nodes are not reachable from outside (a private network, a firewall that only admits the
load balancer), the exposure is limited to that network: suppress the finding for that Service.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - port: 80
      nodePort: 30080
```

## Fix

Keep the Service internal and expose it through an Ingress (or a Gateway):

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, Problem, Service, problem, quote_list

ID = "nodeport-exposed"
LEVEL = "warning"
ENABLED = True
TARGET = "services"
TAGS = ("security",)


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    if svc.type != "NodePort" or svc.spec is None:
        return
    explicit = sorted({p.node_port for p in svc.ports if p.node_port})
    ports = (
        f"node port{'s' if len(explicit) > 1 else ''} {quote_list(explicit)}"
        if explicit
        else "node ports allocated from the node port range"
    )
    yield problem(
        svc.obj,
        svc.spec.at("type"),
        f"Service {svc.name} is type `NodePort`: {ports} open on every node, reachable by anyone "
        "who can reach a node, bypassing any Ingress or load balancer",
        hint="prefer a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer Service",
    )
