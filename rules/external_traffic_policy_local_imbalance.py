"""`externalTrafficPolicy: Local` with non-DaemonSet backends: uneven spread, dropped traffic.

## What it checks

Every Service that is externally accessible (`LoadBalancer`, `NodePort`, or `ClusterIP` with
`externalIPs`) with `externalTrafficPolicy: Local`, whose selected pod sources are not all
DaemonSets. The finding points at the field and names the other backends.

The wording is stronger when the backends make the imbalance likely:

- they run a single replica in total (declared `replicas`, default 1; a bare Pod counts as one;
  replicas scaled by a HorizontalPodAutoscaler in the input are not counted): then the message
  says what that costs, since there is no spread to speak of: traffic is dropped on every node
  but the pod's, and on all of them while the pod moves;
- or a backend has nothing that spreads its pods over nodes: no `topologySpreadConstraints` and
  no pod anti-affinity (required or preferred) with `topologyKey: kubernetes.io/hostname`.

A Service that selects no pod source in the input is left alone: there are no backends to judge;
so is one whose backends are scaled to zero (no policy serves it, and `Local` is not why).

## Why it matters

`Local` makes each node deliver external traffic only to pods on that node, without the second
hop and the masquerading of `Cluster`: the client source IP is preserved. The price:

- a load balancer balances per node, not per pod: two replicas on one node each get half of what
  a lone replica on another node gets, and nodes without a ready pod fail the load balancer's
  health check (on `healthCheckNodePort`) and receive nothing;
- a `NodePort` has no such health check: connections that reach a node without a ready local pod
  are dropped; so is traffic for `externalIPs` arriving at such a node.

A DaemonSet has a pod on every node it runs on, which is where `Local` works well. For a
Deployment, keep `Local` only if the pods need the client IP, and spread the replicas over nodes.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector:
    app: web
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
```

## Fix

Use `Cluster` when the pods do not need the client address (or run the backend as a DaemonSet):

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  externalTrafficPolicy: Cluster
  selector:
    app: web
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
```
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from svclint.api import BATCH_KINDS, Cluster, Node, PodSource, Problem, Related, Service, problem

ID = "external-traffic-policy-local-imbalance"
LEVEL = "warning"
ENABLED = True
TARGET = "services"

HOSTNAME = "kubernetes.io/hostname"
TRADE_OFF = "Local preserves the client source IP at the cost of uneven spread"
SINGLE_TRADE_OFF = (
    "Local preserves the client source IP; with a single pod the cost is dropped traffic"
)
MOVES = "while the pod moves (a rollout, a node drain, an eviction)"


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    if svc.spec is None or not svc.externally_accessible or svc.headless:
        return
    if svc.spec.text("externalTrafficPolicy") != "Local":
        return
    others = _distinct(ps for ps in cluster.pods_for(svc) if ps.kind != "DaemonSet")
    if not others:
        return  # no backends in the input, or only DaemonSets: a local pod on every node
    counts = [_replicas(ps, cluster) for ps in others]
    total = None if None in counts else sum(c or 0 for c in counts)
    unspread = [ps for ps in others if not _spreads_over_nodes(ps)]
    names = ", ".join(_describe(ps, n) for ps, n in zip(others, counts, strict=True))
    subject = (
        f"`externalTrafficPolicy: Local` on {_kind(svc)} Service {svc.name}, whose "
        f"{'backend' if len(others) == 1 else 'backends'} {names} "
        f"{'is' if len(others) == 1 else 'are'} not a DaemonSet"
    )
    if total == 0:
        return  # scaled to zero (or by an autoscaler outside the input): no policy serves it
    trade_off = TRADE_OFF
    if total == 1:
        # With one pod there is no spread to speak of: the cost is traffic dropped.
        risk = _single(svc)
        trade_off = SINGLE_TRADE_OFF
    elif unspread:
        what = ", ".join(f"{ps.kind} {ps.obj.name}" for ps in unspread)
        risk = (
            f"nothing spreads {what} over nodes (no `topologySpreadConstraints` or pod "
            f"anti-affinity on `{HOSTNAME}`), so replicas sharing a node share one node's "
            f"portion of the traffic, and {_loss(svc)}"
        )
    else:
        risk = f"traffic is balanced per node, not per pod, and {_loss(svc)}"
    strong = total == 1 or bool(unspread)
    hint = (
        f"run 2 or more replicas spread with `topologySpreadConstraints` on `{HOSTNAME}` (or a "
        "DaemonSet), or use `externalTrafficPolicy: Cluster` if the pods do not need the client IP"
        if strong
        else "use `externalTrafficPolicy: Cluster` unless the pods need the client source IP"
    )
    yield problem(
        svc.obj,
        svc.spec.at("externalTrafficPolicy"),
        f"{subject}: {risk} ({trade_off})",
        hint=hint,
        related=[Related(ps.obj, _where(ps), f"{ps.obj.ref} selected") for ps in others],
    )


def _distinct(sources: Iterable[PodSource]) -> list[PodSource]:
    """One pod source per object identity: a bundle linted twice is one workload, not two."""
    seen: dict[tuple[str, str, str], PodSource] = {}
    # Sorted by identity, then by position, so the report does not depend on the input order.
    for ps in sorted(sources, key=lambda p: (p.kind, p.obj.name, p.obj.file.path, p.obj.root.line)):
        seen.setdefault((ps.kind, ps.namespace, ps.obj.name), ps)
    return list(seen.values())


def _kind(svc: Service) -> str:
    return "ClusterIP (with `externalIPs`)" if svc.type == "ClusterIP" else svc.type


def _single(svc: Service) -> str:
    """What a single backend pod means for the Service type."""
    if svc.type == "LoadBalancer":
        return (
            "with 1 replica, only the node running the pod passes the load balancer health check, "
            f"so it takes all external traffic, and no node does {MOVES}"
        )
    if svc.type == "NodePort":
        return (
            "with 1 replica, NodePort connections to every node but the pod's are dropped, and to "
            f"all of them {MOVES}"
        )
    return (
        "with 1 replica, traffic for the external IPs that reaches any node but the pod's is "
        f"dropped, and all of it {MOVES}"
    )


def _loss(svc: Service) -> str:
    """What happens to traffic reaching a node without a ready local pod."""
    if svc.type == "LoadBalancer":
        return "nodes without a ready local pod fail the load balancer health check"
    if svc.type == "NodePort":
        return (
            "connections to a node without a ready local pod are dropped (a NodePort has no "
            "health check to steer clients away)"
        )
    return "traffic for the external IPs that reaches a node without a ready local pod is dropped"


def _replicas(ps: PodSource, cluster: Cluster) -> int | None:
    """Pods the source runs, when the manifests say (None: autoscaled or unknown)."""
    if cluster.hpa_targets(ps.obj) or ps.kind in BATCH_KINDS:
        return None
    if ps.kind == "Pod":
        return 1
    if ps.replicas is not None:
        return ps.replicas
    spec = ps.obj.spec
    return spec.get_int("replicas") if spec is not None else None


def _describe(ps: PodSource, replicas: int | None) -> str:
    if replicas is None or ps.kind == "Pod":
        return f"{ps.kind} {ps.obj.name}"
    return f"{ps.kind} {ps.obj.name} ({replicas} {'replica' if replicas == 1 else 'replicas'})"


def _where(ps: PodSource) -> Node:
    spec = ps.obj.spec
    if spec is not None and "replicas" in spec:
        return spec.at("replicas")
    return ps.obj.name_node()


def _spreads_over_nodes(ps: PodSource) -> bool:
    """A topology spread constraint or pod anti-affinity term on the hostname topology."""
    spec = ps.spec
    if spec is None:
        return False
    constraints = spec.seq("topologySpreadConstraints")
    if constraints is not None and any(
        c.get_str("topologyKey") == HOSTNAME for c in constraints.maps()
    ):
        return True
    anti = spec.dig_map("affinity", "podAntiAffinity")
    if anti is None:
        return False
    required = anti.seq("requiredDuringSchedulingIgnoredDuringExecution")
    if required is not None and any(t.get_str("topologyKey") == HOSTNAME for t in required.maps()):
        return True
    preferred = anti.seq("preferredDuringSchedulingIgnoredDuringExecution")
    return preferred is not None and any(
        (term := p.map("podAffinityTerm")) is not None and term.get_str("topologyKey") == HOSTNAME
        for p in preferred.maps()
    )
