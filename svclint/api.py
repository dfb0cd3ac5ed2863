"""The rule API: what a rule module imports (with `svclint.k8s`, the Kubernetes behaviours).

A rule module (in `rules/`, imported as `svclint.rules.<module>`) holds, top to bottom:

- a docstring in Markdown: the one-line summary, then `## What it checks`, `## Why it matters`,
  `## Example` (a YAML block that must fire) and `## Fix` (one that must not);
- `ID` (the public rule id), `LEVEL` ("error" | "warning" | "info"), `ENABLED` (on by default?),
  `TARGET` (what `check` is called with: "services" (each `Service`), "pod_sources" (each
  `PodSource`), "objects" (each `K8sObject`) or "cluster" (the `Cluster`, once));
- optionally `KINDS`, a tuple of the object kinds the rule needs: it runs only when the input
  holds one of them, and an "objects" rule is called with those objects only; `TAGS`
  (`("security",)` marks a security rule in SARIF); and `FIX` ("safe", or "unsafe" when the
  repair changes where traffic goes) for a rule whose problems may carry a `fix=` (`fix_quote`,
  `fix_replace`: text edits at the node's span, applied by `--fix`);
- `check(item, cluster)`, a generator of `Problem`s (`problem(...)` builds one).

A rule imports this module and `svclint.k8s.*` only (`rules/ruff.toml` enforces it): the facts
of Kubernetes (FindPort, NetworkPolicy admission, Ingress backends, DNS names...) come from
`svclint.k8s`, and the rule adds its message, level and hint. When a problem breaks a relation
between two objects (a Service port and the pods it cannot reach, an Ingress backend and the
Service it names), `problem(..., about=[...], key=...)` says which: `svclint trace` and
`svclint graph` show the relation as broken exactly then.

Rules never format output, read config, decide suppression or pick the final level: the engine
does. A problem may carry a lower level than the rule's own (a partial match is a warning in an
error rule, a reference outside the linted scope is info); the engine never raises it.
docs/writing-rules.md walks through adding one.
"""

from __future__ import annotations

from .k8s.endpoints import SERVICE_NAME_LABEL
from .k8s.selectors import (
    OPERATORS,
    LabelSelector,
    Requirement,
    equality_selector,
    parse_selector,
)
from .lint.fixes import Edit, Fix, fix_quote, fix_replace
from .lint.problem import LEVELS, Level, Problem, Related, Target, document_problems, problem
from .messages import (
    closest,
    did_you_mean,
    edit_distance,
    is_typo,
    label_slip,
    nearest_labels,
    pod_source_labels,
    quote_list,
)
from .model.cluster import Cluster, Options
from .model.nodes import Map, Node, Scalar, Seq, walk_maps
from .model.objects import K8sObject, Ref, SourceFile
from .model.services import Service, ServicePort
from .model.workloads import BATCH_KINDS, PROBES, Container, ContainerPort, PodSource

Graph = Cluster  # the name of `Cluster` before 0.2; plugins written against it keep working

__all__ = [
    "BATCH_KINDS",
    "LEVELS",
    "OPERATORS",
    "PROBES",
    "SERVICE_NAME_LABEL",
    "Cluster",
    "Container",
    "ContainerPort",
    "Edit",
    "Fix",
    "Graph",
    "K8sObject",
    "LabelSelector",
    "Level",
    "Map",
    "Node",
    "Options",
    "PodSource",
    "Problem",
    "Ref",
    "Related",
    "Requirement",
    "Scalar",
    "Seq",
    "Service",
    "ServicePort",
    "SourceFile",
    "Target",
    "closest",
    "did_you_mean",
    "document_problems",
    "edit_distance",
    "equality_selector",
    "fix_quote",
    "fix_replace",
    "is_typo",
    "label_slip",
    "nearest_labels",
    "parse_selector",
    "pod_source_labels",
    "problem",
    "quote_list",
    "walk_maps",
]
