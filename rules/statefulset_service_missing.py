"""A StatefulSet without a governing Service: no `serviceName`, or one that names no Service.

## What it checks

Every StatefulSet (`apps` group):

- `spec.serviceName` is absent, null or `""`. The hint names a headless Service of the namespace
  that selects the StatefulSet's pods, when there is one.
- `spec.serviceName` names no Service in the StatefulSet's own namespace. The message says when a
  Service of that name exists in another namespace. The hint suggests only a Service of the
  namespace that selects the StatefulSet's pods (the closest name, else the one headless one): a
  similar name that selects other pods is no fix. Otherwise it says to create the Service.

The Service lookup obeys scope honesty: when the input holds no Service at all in the
StatefulSet's namespace (you linted the workloads alone), the finding is `info` and says so
(naming a Service of that name in another namespace, if there is one).

A `serviceName` that is not a string (a number, a list) is left to `schema-invalid`.

## Why it matters

The StatefulSet controller sets each pod's `subdomain` to `serviceName`. The per-pod DNS names
clustered software relies on (`web-0.web.shop.svc.cluster.local`, peers finding each other) exist
only when a Service of exactly that name exists in the same namespace. The API server checks none
of this: the StatefulSet is accepted, the pods run, and peer lookups fail with NXDOMAIN.

## Example

```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: postgres
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector: {app: db}
  ports:
    - port: 5432
```

## Fix

Point `serviceName` at the headless Service that selects the pods:

```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector: {app: db}
  ports:
    - port: 5432
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Node,
    Problem,
    Ref,
    Related,
    Scalar,
    closest,
    problem,
)
from svclint.k8s.statefulset import headless_selecting, service_name

ID = "statefulset-service-missing"
LEVEL = "warning"
ENABLED = True
TARGET = "objects"
KINDS = ("StatefulSet",)


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    if obj.kind != "StatefulSet" or obj.group != "apps":
        return
    spec = obj.spec
    if spec is None:
        return
    node = spec.get("serviceName")
    if node is not None and not (isinstance(node, Scalar) and node.value in (None, "")):
        name = service_name(obj)
        if name is not None and isinstance(node, Scalar):
            yield from _missing(obj, cluster, name, node)
        return  # a number or a list: schema-invalid's business
    # Absent, null and "" all decode to the empty string: no subdomain for the pods.
    if node is None:
        at: Node = obj.root.key_node("spec")
    else:
        at = node if isinstance(node, Scalar) and node.value == "" else spec.key_node("serviceName")
    headless = headless_selecting(cluster, obj)
    related: list[Related] = []
    if len(headless) == 1:
        hint = f"set `serviceName: {headless[0].name}` (a headless Service selecting these pods)"
        related.append(Related(headless[0].obj, headless[0].obj.name_node(), headless[0].obj.ref))
    else:
        hint = (
            "create a headless Service (`clusterIP: None`) that selects the pods and set "
            "`serviceName` to its name"
        )
    yield problem(
        obj, at,
        f"StatefulSet `{obj.name}` has no `serviceName`: its pods get no stable per-pod DNS "
        f"names such as `{obj.name}-0.<service>.{obj.namespace}.svc`",
        hint=hint, related=related, key="serviceName",
    )  # fmt: skip


def _missing(obj: K8sObject, cluster: Cluster, name: str, node: Scalar) -> Iterator[Problem]:
    ns = obj.namespace
    if cluster.service(ns, name) is not None:
        return
    elsewhere = sorted(
        s.namespace for s in cluster.services if s.name == name and s.namespace != ns
    )
    there = ""
    if elsewhere:
        where = ", ".join(f"`{n}`" for n in elsewhere)
        there = f"; a Service `{name}` exists in namespace {where} (it must be in `{ns}`)"
    if not cluster.has_services(ns):
        yield problem(
            obj, node,
            f"`serviceName` `{name}` of StatefulSet `{obj.name}`: no Services of namespace "
            f"`{ns}` were part of the input, so svclint cannot tell whether it exists{there}",
            level="info", about=[Ref("Service", ns, name)], key="serviceName",
        )  # fmt: skip
        return
    message = (
        f"`serviceName` `{name}` of StatefulSet `{obj.name}` names no Service in namespace "
        f"`{ns}`: its pods get no per-pod DNS names such as `{obj.name}-0.{name}.{ns}.svc`{there}"
    )
    # Suggest only Services that select these pods: a near name for other pods is no fix.
    ps = cluster.pod_source_of(obj)
    selecting = cluster.services_selecting(ps) if ps is not None else []
    headless = [s for s in selecting if s.headless]
    near = closest(name, [s.name for s in selecting])
    pick = cluster.service(ns, near) if near is not None else None
    if pick is None and len(headless) == 1:
        pick = headless[0]
    related: list[Related] = []
    if pick is not None:
        kind = "a headless Service" if pick.headless else "a Service"
        hint = f"did you mean `{pick.name}`? ({kind} selecting these pods)"
        related.append(Related(pick.obj, pick.obj.name_node(), pick.obj.ref))
    else:
        hint = (
            f"create a headless Service `{name}` (`clusterIP: None`) in namespace `{ns}` that "
            "selects the pods"
        )
    yield problem(
        obj, node, message, hint=hint, related=related, about=[Ref("Service", ns, name)],
        key="serviceName",
    )  # fmt: skip
