"""A StatefulSet whose headless governing Service selects other pods than the StatefulSet's.

## What it checks

Every StatefulSet (`apps` group) whose `spec.serviceName` names a headless Service
(`clusterIP: None`) of its namespace that has a `selector`, when that selector does not match the
StatefulSet's pod template labels. The per-pod keys the StatefulSet controller sets
(`statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`) are matched by ordinal, as
`service-selector-no-match` does.

The message names the selector and the labels that differ; the hint is the template's value for a
single differing key. A governing Service without a selector (endpoints managed by hand or by an
operator) is not checked, nor is a governing Service that is not headless
(`statefulset-service-not-headless`).

## Why it matters

The per-pod DNS records `web-0.web.shop.svc.cluster.local` come from the governing Service's
EndpointSlices, which list the pods its selector picks, each with its hostname. When the selector
picks other pods (or none), the StatefulSet's pods have no records: peer discovery fails although
the Service and the StatefulSet both exist and the pods run.

## Example

```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: kafka
spec:
  serviceName: kafka-headless
  selector:
    matchLabels: {app: kafka}
  template:
    metadata:
      labels: {app: kafka}
    spec:
      containers:
        - name: kafka
          image: apache/kafka:3.9.0
---
apiVersion: v1
kind: Service
metadata:
  name: kafka-headless
spec:
  clusterIP: None
  selector: {app: kafka-broker}
  ports:
    - port: 9092
```

## Fix

```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: kafka
spec:
  serviceName: kafka-headless
  selector:
    matchLabels: {app: kafka}
  template:
    metadata:
      labels: {app: kafka}
    spec:
      containers:
        - name: kafka
          image: apache/kafka:3.9.0
---
apiVersion: v1
kind: Service
metadata:
  name: kafka-headless
spec:
  clusterIP: None
  selector: {app: kafka}
  ports:
    - port: 9092
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Node,
    Problem,
    Related,
    closest,
    problem,
)
from svclint.k8s.pod_labels import PER_POD_LABELS
from svclint.k8s.statefulset import service_name

ID = "statefulset-service-selector-mismatch"
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
    ps = cluster.pod_source_of(obj)
    if svc is None or ps is None or not svc.selector or not svc.headless:
        return
    if any(p is ps for p in cluster.pods_for(svc)):
        return
    selector = svc.selector
    shown = ", ".join(f"{k}={v}" for k, v in selector.items())
    differing = [
        k for k, v in selector.items() if k not in PER_POD_LABELS and ps.labels.get(k) != v
    ]
    parts = [
        f"`{k}` is `{ps.labels[k]}`" if k in ps.labels else f"no `{k}` label" for k in differing
    ]
    per_pod = [k for k in selector if k in PER_POD_LABELS]
    if per_pod and not differing:
        parts.append(f"`{per_pod[0]}: {selector[per_pod[0]]}` names no pod of it")
    message = (
        f"headless governing Service `{name}` of StatefulSet `{obj.name}` selects `{shown}`, "
        f"which does not match the StatefulSet's pods: {', '.join(parts) or 'no match'}"
    )
    hint = _hint(differing, selector, ps.labels)
    where: Node = (
        svc.selector_value_node(differing[0]) if len(differing) == 1 else svc.selector_node
    )
    related = [
        Related(svc.obj, where, f"selector of {svc.obj.ref}"),
        Related(obj, ps.labels_node, f"pod template labels of {obj.ref}"),
    ]
    yield problem(
        obj, obj.spec.at("serviceName"), message, hint=hint, related=related, about=[svc.obj],
        key="serviceName",
    )  # fmt: skip


def _hint(differing: list[str], selector: dict[str, str], labels: dict[str, str]) -> str | None:
    if len(differing) == 1:
        key = differing[0]
        if key in labels:
            return f"did you mean `{key}: {labels[key]}`? (the pod template's value)"
        near = closest(key, labels)
        if near is not None and labels[near] == selector[key]:
            return f"did you mean `{near}: {selector[key]}`? (the pod template's label)"
        return (
            f"add `{key}: {selector[key]}` to the pod template labels, "
            f"or drop `{key}` from the selector"
        )
    if differing and labels:
        shown = ", ".join(f"{k}: {v}" for k, v in labels.items())
        return f"select by the pod template's labels: `{shown}`"
    return None
