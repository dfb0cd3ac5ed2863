"""A Service selector keyed on a label that a controller sets at runtime and changes.

## What it checks

Every Service (ExternalName excepted: its selector is ignored) whose `selector` uses one of the
labels Kubernetes controllers stamp on the pods they create:

| label | set by | value |
|---|---|---|
| `pod-template-hash` | Deployment controller | hash of the pod template, new on every template change |
| `controller-revision-hash` | StatefulSet and DaemonSet controllers | the current ControllerRevision, new on every template change |
| `controller-uid`, `batch.kubernetes.io/controller-uid` | Job API (generated selector) | the Job's UID, new whenever the Job is created |
| `job-name`, `batch.kubernetes.io/job-name` | Job API (generated selector) | the Job's name |

None of these appear in a pod template you write, so the selector matches nothing in the
manifests. The hint names a stable label of the pods the rest of the selector picks (or of the
workload the value points at).

`job-name` is deterministic: when its value is the name of a Job in the input (the documented
pattern for pod-to-pod DNS in an Indexed Job), the finding is `info`. It stays a `warning` when
the value names a CronJob (every run creates a Job with a new name), a Job with
`manualSelector: true` (the Job API adds no labels then) or no Job at all; it is `info` when no
pod source of the namespace was part of the input (svclint cannot tell what it names).
A label written literally into the template of a Pod or ReplicaSet that no controller manages
(no `ownerReferences`, not the kind whose controller owns the label) is stable: `info`.

## Why it matters

The Deployment controller adds `pod-template-hash` to each ReplicaSet; the next rollout creates a
ReplicaSet with another hash and scales the old one to zero, so a Service pinned to the old hash
loses every endpoint. `controller-revision-hash` does the same on each StatefulSet or DaemonSet
update. A Job's UID is unknown before it is created and differs for every re-created Job and every
CronJob run.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
    pod-template-hash: 7d9f8c6b5
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
```

## Fix

Select the pods by a label of your own, from the pod template:

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
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from svclint.api import Cluster, K8sObject, PodSource, Problem, Related, Scalar, Service, problem
from svclint.k8s.pod_labels import (
    CONTROLLER_REVISION_HASH,
    JOB_COMPLETION_INDEX_LABEL,
    JOB_NAME_KEYS,
    JOB_UID_KEYS,
    PER_POD_LABELS,
    POD_TEMPLATE_HASH,
)

ID = "service-selector-unstable-label"
LEVEL = "warning"
ENABLED = True
TARGET = "services"


_HASH_WHY = (
    "it is a hash of the pod template, so the next rollout creates a ReplicaSet with another "
    "hash and the Service loses every endpoint"
)
_REVISION_WHY = (
    "it names the current ControllerRevision, so the next rolling update replaces the pods with "
    "another value and the Service loses every endpoint"
)
_UID_WHY = (
    "it is the Job's UID, unknown until the Job is created and new for every re-created Job and "
    "every CronJob run"
)
_JOBS = frozenset({"Job", "CronJob"})
# key -> (who sets it, the kinds whose controller rewrites it, why the value does not last)
UNSTABLE: dict[str, tuple[str, frozenset[str], str]] = {
    POD_TEMPLATE_HASH: ("the Deployment controller", frozenset({"Deployment"}), _HASH_WHY),
    CONTROLLER_REVISION_HASH: (
        "the StatefulSet and DaemonSet controllers",
        frozenset({"StatefulSet", "DaemonSet"}),
        _REVISION_WHY,
    ),
    **{key: ("the Job API", _JOBS, _UID_WHY) for key in JOB_UID_KEYS},
    **{key: ("the Job API", _JOBS, "it is the Job's name") for key in JOB_NAME_KEYS},
}

# Label keys worth suggesting first, most conventional first.
PREFERRED = (
    "app.kubernetes.io/name",
    "app",
    "k8s-app",
    "name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "component",
)
# Keys that identify something other than the pods' application: never suggested.
NOT_SUGGESTED = frozenset(
    {
        *UNSTABLE,
        JOB_COMPLETION_INDEX_LABEL,
        *PER_POD_LABELS,
        "app.kubernetes.io/version",
        "version",
        "helm.sh/chart",
        "chart",
        "app.kubernetes.io/managed-by",
        "heritage",
        "release",
    }
)


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    if svc.type == "ExternalName" or svc.spec is None:
        return
    sel = svc.spec.map("selector")
    if sel is None:
        return
    selector = svc.selector or {}
    rest = {k: v for k, v in selector.items() if k not in UNSTABLE}
    for key, node in sel.items():
        if key not in UNSTABLE or not isinstance(node, Scalar):
            continue
        value = "" if node.value is None else node.text
        yield _finding(svc, cluster, key, value, node, rest)


def _finding(
    svc: Service, cluster: Cluster, key: str, value: str, node: Scalar, rest: dict[str, str]
) -> Problem:
    who, kinds, why = UNSTABLE[key]
    head = f"selector `{key}: {value}` of Service {svc.name}"
    literal = _literal_carriers(svc, cluster, key, kinds)
    if literal:
        ps = literal[0]
        return problem(
            svc.obj, node,
            f"{head} matches {ps.obj.ref}, whose manifest writes `{key}` itself and which no "
            f"controller manages, so nothing rewrites it; {who} owns this label on the pods it "
            "creates, so a label of your own is safer",
            related=[Related(ps.obj, ps.labels_node, f"labels of {ps.obj.ref}")],
            level="info",
        )  # fmt: skip
    if key in JOB_NAME_KEYS:
        return _job_name(svc, cluster, key, value, node, head, rest)
    target = _target(svc, cluster, key, value, rest)
    message = f"{head} uses a label set at runtime by {who}: {why}"
    return problem(svc.obj, node, message, hint=_hint(key, rest, target), related=_rel(target))


def _job_name(
    svc: Service,
    cluster: Cluster,
    key: str,
    value: str,
    node: Scalar,
    head: str,
    rest: dict[str, str],
) -> Problem:
    ns = svc.namespace
    job = next((o for o in cluster.get("Job", ns, value) if _literal_name(o) == value), None)
    if job is not None:
        ps = cluster.pod_source_of(job)
        spec = job.spec
        manual = spec is not None and spec.get_bool("manualSelector") is True
        if manual:
            return problem(
                svc.obj, node,
                f"{head}: Job {value} sets `manualSelector: true`, so the Job API does not add "
                f"`{key}` to its pods and the selector matches nothing",
                hint=_hint(key, rest, ps), related=_rel(ps),
            )  # fmt: skip
        return problem(
            svc.obj, node,
            f"{head} selects the pods of Job {value} through the label the Job API sets to the "
            "Job's name: it works while the Job keeps this exact name, and breaks when the Job "
            "is re-created under another name",
            hint=_hint(key, rest, ps), related=_rel(ps), level="info",
        )  # fmt: skip
    cron = _cronjob_for(cluster, ns, value)
    if cron is not None:
        ps = cluster.pod_source_of(cron)
        return problem(
            svc.obj, node,
            f"{head}: CronJob {cron.name} names each Job `{cron.name}-<minutes since epoch>`, a "
            "new name every run, so the selector never keeps its endpoints",
            hint=_hint(key, rest, ps), related=_rel(ps),
        )  # fmt: skip
    if not cluster.pod_sources_in(ns):
        return problem(
            svc.obj, node,
            f"{head} relies on the label the Job API sets to the Job's name; no pod sources of "
            f"namespace `{ns}` were part of the input, so svclint cannot tell whether a Job "
            f"`{value}` exists",
            level="info",
        )  # fmt: skip
    target = _target(svc, cluster, key, value, rest)
    return problem(
        svc.obj, node,
        f"{head} relies on the label the Job API sets to the Job's name, and no Job `{value}` "
        f"is in namespace `{ns}`: nothing in the manifests carries it",
        hint=_hint(key, rest, target), related=_rel(target),
    )  # fmt: skip


def _literal_name(obj: K8sObject) -> str | None:
    """`metadata.name` as written (a `generateName` gives every Job another name)."""
    return obj.meta.text("name") if obj.meta is not None else None


def _cronjob_for(cluster: Cluster, ns: str, value: str) -> K8sObject | None:
    for cron in cluster.of_kind("CronJob"):
        if cron.namespace != ns or not cron.name:
            continue
        if value == cron.name or re.fullmatch(re.escape(cron.name) + r"-\d+", value):
            return cron
    return None


def _literal_carriers(
    svc: Service, cluster: Cluster, key: str, kinds: frozenset[str]
) -> list[PodSource]:
    """Selected pod sources that write `key` into their own template, outside any controller."""
    if not svc.selector:
        return []
    return [
        ps
        for ps in cluster.select_with_ordinals(svc.namespace, svc.selector)
        if key in ps.labels
        and ps.kind not in kinds
        and not (ps.obj.meta is not None and ps.obj.meta.get("ownerReferences"))
    ]


def _target(
    svc: Service, cluster: Cluster, key: str, value: str, rest: dict[str, str]
) -> PodSource | None:
    """The pod source the selector most likely means: by the stable rest, else by the value."""
    ns = svc.namespace
    if rest:
        found = cluster.select_with_ordinals(ns, rest)
        if found:
            return found[0]
    if key == CONTROLLER_REVISION_HASH:
        # StatefulSet pods carry `<set>-<hash>`; DaemonSet pods the bare hash.
        owner = value.rpartition("-")[0]
        for kind in ("StatefulSet", "DaemonSet"):
            for obj in cluster.get(kind, ns, owner):
                return cluster.pod_source_of(obj)
    if key in JOB_UID_KEYS:
        # The UID is unknowable; the only Job of the namespace is the likely meaning.
        jobs = [o for o in cluster.of_kind("Job", "CronJob") if o.namespace == ns]
        if len(jobs) == 1:
            return cluster.pod_source_of(jobs[0])
    if rest:
        best: tuple[int, PodSource] | None = None
        for ps in cluster.pod_sources_in(ns):
            shared = sum(1 for k, v in rest.items() if ps.labels.get(k) == v)
            if shared and (best is None or shared > best[0]):
                best = (shared, ps)
        if best is not None:
            return best[1]
    return None


def _hint(key: str, rest: dict[str, str], ps: PodSource | None) -> str | None:
    if ps is None:
        return None
    if rest and all(ps.labels.get(k) == v for k, v in rest.items()):
        shown = ", ".join(f"{k}: {v}" for k, v in rest.items())
        return f"drop `{key}`: `{shown}` alone selects {ps.obj.ref}"
    stable = _stable_labels(ps)
    if not stable:
        return f"give the pod template of {ps.obj.ref} a label of its own and select that"
    shown = ", ".join(f"{k}: {v}" for k, v in stable.items())
    return f"select `{shown}` instead (a label of {ps.obj.ref}'s pod template)"


def _stable_labels(ps: PodSource) -> dict[str, str]:
    """The labels to suggest: the workload's own matchLabels if stable, else one good label."""
    spec = ps.obj.spec
    selector = spec.map("selector") if spec is not None else None
    # A Job's selector is generated (controller-uid): only replicated workloads' selectors count.
    if selector is not None and ps.kind not in ("Job", "CronJob"):
        labels = selector.str_map("matchLabels")
        labels = {k: v for k, v in labels.items() if k not in NOT_SUGGESTED}
        if labels and all(ps.labels.get(k) == v for k, v in labels.items()):
            return labels
    usable = {k: v for k, v in ps.labels.items() if k not in NOT_SUGGESTED}
    for key in PREFERRED:
        if key in usable:
            return {key: usable[key]}
    return dict(sorted(usable.items())[:1])


def _rel(ps: PodSource | None) -> list[Related]:
    return [] if ps is None else [Related(ps.obj, ps.labels_node, f"labels of {ps.obj.ref}")]
