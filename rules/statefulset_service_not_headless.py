"""A StatefulSet whose governing Service is not headless (`clusterIP: None`).

## What it checks

Every StatefulSet (`apps` group) whose `spec.serviceName` names a Service of its namespace that is
not headless: `clusterIP` is absent, empty or an address, or the Service is of type `NodePort`,
`LoadBalancer` or `ExternalName`. `clusterIPs: [None]` without `clusterIP` counts as headless
(the API server copies the first entry into `clusterIP`).

The finding is on the StatefulSet's `serviceName`, with the Service as a related location. The
hint suggests `clusterIP: None` on a ClusterIP Service, or a headless Service of the namespace that
selects the pods when there is one (a NodePort or LoadBalancer Service cannot be headless).

A missing Service is `statefulset-service-missing`'s business.

## Why it matters

The DNS specification defines the per-pod records `<pod>.<service>.<ns>.svc.<zone>` that
StatefulSet pods are known by only for headless Services. A Service with a cluster IP load-balances
through a virtual IP instead, so `web-0.web` is not a stable address of pod `web-0`: some DNS
servers answer it and others do not, and clients asking for the Service name reach a random
member. Clustered software that bootstraps from peer names fails to form the cluster.

## Example

```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
```

## Fix

```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector: {app: web}
  ports:
    - port: 80
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, K8sObject, Node, Problem, Related, problem
from svclint.k8s.statefulset import headless_selecting, service_name

ID = "statefulset-service-not-headless"
LEVEL = "warning"
ENABLED = True
TARGET = "objects"
KINDS = ("StatefulSet",)


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    if obj.kind != "StatefulSet" or obj.group != "apps" or obj.spec is None:
        return
    name = service_name(obj)
    if not name:
        return
    svc = cluster.service(obj.namespace, name)
    if svc is None or svc.headless:
        return
    spec = svc.spec
    where: Node = svc.obj.root
    if svc.type != "ClusterIP":
        what = f"is of type `{svc.type}`"
        where = spec.at("type") if spec is not None else where
    elif spec is not None and spec.text("clusterIP"):
        what = f"has `clusterIP: {spec.text('clusterIP')}`"
        where = spec.at("clusterIP")
    else:
        what = "gets a cluster IP (no `clusterIP: None`)"
        where = svc.obj.name_node()
    message = (
        f"governing Service `{name}` of StatefulSet `{obj.name}` is not headless: it {what}, "
        f"and per-pod DNS names such as `{obj.name}-0.{name}.{obj.namespace}.svc` are defined "
        "only for headless Services"
    )
    related = [Related(svc.obj, where, f"{svc.obj.ref}")]
    others = [s for s in headless_selecting(cluster, obj) if s is not svc]
    if len(others) == 1:
        hint = (
            f"did you mean `serviceName: {others[0].name}`? "
            "(a headless Service selecting these pods)"
        )
        related.append(Related(others[0].obj, others[0].obj.name_node(), others[0].obj.ref))
    elif svc.type == "ClusterIP":
        hint = f"set `clusterIP: None` on Service `{name}` (recreate it: `clusterIP` is immutable)"
    else:
        hint = (
            "add a headless Service (`clusterIP: None`) selecting the same pods and point "
            "`serviceName` at it"
        )
    yield problem(
        obj, obj.spec.at("serviceName"), message, hint=hint, related=related, about=[svc.obj],
        key="serviceName",
    )  # fmt: skip
