"""An apiVersion the target Kubernetes version no longer serves.

## What it checks

Every object's `apiVersion` and `kind` against the removals of the Kubernetes deprecation guide,
for the target version (`--kubernetes-version`, config `kubernetes-version`, default 1.37): for
example `extensions/v1beta1` Deployment (removed in 1.16), `networking.k8s.io/v1beta1` Ingress
(1.22), `batch/v1beta1` CronJob and `discovery.k8s.io/v1beta1` EndpointSlice (1.25). The hint
names the replacement.

## Why it matters

The API server answers `no matches for kind "Ingress" in version "networking.k8s.io/v1beta1"` and
the object is never created. Charts pinned to old API versions fail on cluster upgrades.

## Example

```yaml
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: web
spec:
  backend:
    serviceName: web
    servicePort: 80
```

## Fix

```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  defaultBackend:
    service:
      name: web
      port:
        number: 80
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, K8sObject, Problem, problem
from svclint.k8s.apiversions import fmt, lifecycle

ID = "api-version-removed"
LEVEL = "error"
ENABLED = True
TARGET = "objects"


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    lc = lifecycle(obj.api_version, obj.kind)
    target = cluster.options.kubernetes_version
    if lc is None or lc.removed is None or target < lc.removed:
        return
    message = (
        f"{obj.kind} `{obj.api_version}` is not served since Kubernetes {fmt(lc.removed)} "
        f"(target {fmt(target)})"
    )
    if lc.replacement:
        hint = f"use `apiVersion: {lc.replacement}`"
    else:
        hint = f"{obj.kind} has no replacement API; remove the object"
    yield problem(obj, obj.root.at("apiVersion"), message, hint=hint)
