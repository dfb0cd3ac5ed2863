"""A document that does not parse as YAML.

## What it checks

Each document of a file (the text between `---` lines) is parsed on its own. A document that
does not parse is reported at the position where the parser gave up; the other documents of the
file are still linted. Documents whose aliases expand to an absurd size (an "alias bomb") or that
nest deeper than svclint reads are reported here too, and not linted.

## Why it matters

`kubectl apply` rejects the whole file, and `helm template` output with a broken document usually
means a template rendered something unintended.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80
```

## Fix

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import Cluster, Problem, document_problems

ID = "yaml-syntax-error"
LEVEL = "error"
ENABLED = True
TARGET = "cluster"


def check(cluster: Cluster, _: Cluster) -> Iterator[Problem]:
    yield from document_problems(cluster, ID)
