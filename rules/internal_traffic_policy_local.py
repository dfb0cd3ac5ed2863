"""`internalTrafficPolicy: Local` with backends that are not DaemonSets: traffic gets dropped.

## What it checks

Every Service (not ExternalName, not headless: neither is proxied) with
`internalTrafficPolicy: Local` whose selected pod sources include one that is not a DaemonSet (a
Deployment, a StatefulSet, a bare Pod...). The finding points at the field and names those pod
sources. A Service that selects no pod source in the input is left alone: there are no backends
to judge.

## Why it matters

With `Local`, kube-proxy routes traffic from a pod only to ready endpoints on the same node; when
the client's node has none, the traffic is dropped, not sent elsewhere. That is the point for a
node-local agent run as a DaemonSet (a log shipper, a DNS cache, a metrics agent), but with a
Deployment of a few replicas, clients on every node without a replica fail to connect, and which
clients fail changes with each rollout or reschedule.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  internalTrafficPolicy: Local
  selector:
    app: api
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example/api:1.0
```

## Fix

Route to all ready endpoints (or prefer nearby ones with `trafficDistribution`, which falls back
to other nodes instead of dropping traffic):

```yaml
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example/api:1.0
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, PodSource, Problem, Related, Service, problem

ID = "internal-traffic-policy-local"
LEVEL = "warning"
ENABLED = True
TARGET = "services"


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    if svc.spec is None or svc.type == "ExternalName" or svc.headless:
        return
    if svc.spec.text("internalTrafficPolicy") != "Local":
        return
    others: dict[tuple[str, str], PodSource] = {}
    order = sorted(
        cluster.pods_for(svc), key=lambda p: (p.kind, p.obj.name, p.obj.file.path, p.obj.root.line)
    )  # the report must not depend on the input order
    for ps in order:
        if ps.kind != "DaemonSet":  # one entry per object identity (a bundle linted twice)
            others.setdefault((ps.kind, ps.obj.name), ps)
    if not others:
        return  # no backends in the input, or only DaemonSets: a local endpoint on every node
    names = ", ".join(f"{kind} {name}" for kind, name in others)
    which = "backend" if len(others) == 1 else "backends"
    yield problem(
        svc.obj,
        svc.spec.at("internalTrafficPolicy"),
        f"`internalTrafficPolicy: Local` on Service {svc.name}, whose {which} {names} "
        f"{'is' if len(others) == 1 else 'are'} not a DaemonSet: in-cluster clients on nodes "
        "without a ready local pod have their traffic dropped",
        hint="remove `internalTrafficPolicy` (Cluster), or use `trafficDistribution` to prefer "
        "nearby endpoints without dropping traffic",
        related=[
            Related(ps.obj, ps.obj.name_node(), f"{ps.obj.ref} selected") for ps in others.values()
        ],
    )
