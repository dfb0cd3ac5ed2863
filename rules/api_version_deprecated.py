"""An apiVersion that is still served but deprecated in the target Kubernetes version.

## What it checks

Every object's `apiVersion` and `kind` against the deprecations of the Kubernetes API, for the
target version (`--kubernetes-version`, default 1.37): deprecated at or before the target and not
yet removed (removed versions are `api-version-removed`'s business). For example `v1` Endpoints,
deprecated since 1.33 in favour of `discovery.k8s.io/v1` EndpointSlice, or `batch/v1beta1`
CronJob when targeting 1.21 to 1.24.

## Why it matters

Each apply prints a deprecation warning, and the version goes away in a later release: the
manifest breaks on the next cluster upgrade unless it moves now.

## Example

```yaml
apiVersion: v1
kind: Endpoints
metadata:
  name: legacy-db
subsets:
  - addresses: [{ip: 192.0.2.10}]
    ports: [{port: 5432}]
```

## Fix

```yaml
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: legacy-db
  labels:
    kubernetes.io/service-name: legacy-db
addressType: IPv4
endpoints:
  - addresses: ["192.0.2.10"]
ports:
  - port: 5432
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, K8sObject, Problem, problem
from svclint.k8s.apiversions import fmt, lifecycle

ID = "api-version-deprecated"
LEVEL = "warning"
ENABLED = True
TARGET = "objects"


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    lc = lifecycle(obj.api_version, obj.kind)
    target = cluster.options.kubernetes_version
    if lc is None or lc.deprecated is None or target < lc.deprecated:
        return
    if lc.removed is not None and target >= lc.removed:
        return  # no longer served at all: api-version-removed reports it
    message = f"{obj.kind} `{obj.api_version}` is deprecated since Kubernetes {fmt(lc.deprecated)}"
    if lc.removed is not None:
        message += f" and is removed in {fmt(lc.removed)}"
    hint = f"use {lc.replacement}" if lc.replacement else f"{obj.kind} has no replacement API"
    yield problem(obj, obj.root.at("apiVersion"), message, hint=hint)
