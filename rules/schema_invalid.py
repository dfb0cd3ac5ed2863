"""An object that does not match the Kubernetes schema in the fields svclint reads.

## What it checks

Objects of the kinds svclint reads (Service, Pod, the workload kinds, Endpoints, EndpointSlice,
Ingress, NetworkPolicy, at their current apiVersions) against JSON Schemas generated from the
upstream Kubernetes schemas (`schemas/kubernetes/`). One finding per problem, at the field, with
its path: an unknown field (`targetport`, `readinesProbe`), a wrong type, a missing required field
(except a workload's `spec.selector`: `workload-selector-mismatch` reports that, with the fix).
The schemas are strict for the Service spec and ports, containers, container ports, probes,
metadata, selectors, workload specs, Ingress, NetworkPolicy and endpoints, and leave the rest of
the pod spec unchecked (that is kubeconform's job). Custom resources and removed apiVersions
(`api-version-removed`) are not schema-checked.

Also reported: a document that is not a mapping (a list or a scalar at the top), and an object
with `apiVersion` or `kind` but not both.

## Why it matters

A misspelt field is silently dropped by lenient clients or rejected by strict ones
(`unknown field "targetport"`); either way the Service routes to a port nobody chose. A wrong type
(`port: "80"`) fails the apply.

## Example

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
      targetport: 8080
```

## Fix

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
      targetPort: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, Problem, document_problems, problem
from svclint.k8s.schema import SCHEMA_FILES, problems

ID = "schema-invalid"
LEVEL = "error"
ENABLED = True
TARGET = "cluster"


def check(cluster: Cluster, _: Cluster) -> Iterator[Problem]:
    yield from document_problems(cluster, ID)
    for obj in cluster.objects:
        if (obj.api_version, obj.kind) not in SCHEMA_FILES:
            continue
        for node, message, hint in problems(obj.root, obj.api_version, obj.kind):
            yield problem(obj, node, f"{obj.kind} {obj.name}: {message}", hint=hint)
