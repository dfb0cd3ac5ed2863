"""A mapping that has the same key twice.

## What it checks

Every mapping of every document, at any depth: a key written twice (`app:` twice under
`selector:`, two `ports:` in one container). The finding points at the second occurrence and
names the line of the first.

## Why it matters

Depending on the client and its validation mode, the apply fails ("duplicate field") or the last
value silently wins. Either way the manifest does not say what it means: a reviewer reads the
first value, the cluster may get the second.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
    app: frontend
  ports:
    - port: 80
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
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, Problem, document_problems

ID = "yaml-duplicate-key"
LEVEL = "error"
ENABLED = True
TARGET = "cluster"


def check(cluster: Cluster, _: Cluster) -> Iterator[Problem]:
    yield from document_problems(cluster, ID)
