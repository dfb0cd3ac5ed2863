"""A Service whose selector matches no pod template in its namespace.

## What it checks

Every Service with a non-empty `selector` (ExternalName excepted: its selector is ignored) is
matched against the pod template labels of every pod source in the Service's own namespace: Pods,
Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs, CronJobs, any
kind with `spec.template.metadata` and `spec.template.spec.containers`, and kinds declared with
`workload-kinds` in the config. A selector matches a template when every `key: value` pair is
among the template's labels. A Job's template also has the labels the API server adds to it:
`job-name` and `batch.kubernetes.io/job-name`, the Job's name (unless `manualSelector: true`;
a CronJob's Jobs get generated names, so its own name labels no pod).

Labels the control plane sets on each pod are matched by ordinal, not by template labels: the
StatefulSet keys `statefulset.kubernetes.io/pod-name: <sts>-<n>` and
`apps.kubernetes.io/pod-index: <n>` by `start <= n < start + replicas` (`spec.ordinals.start`
defaults to 0, `replicas` to 1; any `n >= start` when a HorizontalPodAutoscaler in the input
scales the StatefulSet), and an Indexed Job's `batch.kubernetes.io/job-completion-index: <n>` by
`n < completions` (the Job, or a CronJob's Jobs, with `completionMode: Indexed`). The message says
which pods exist when the value names none.

The message names the nearest pod source and the labels that differ, and says so when a pod
source in another namespace would match. The hint says "did you mean" only when the one differing
key or value is a slip of the keyboard (at most one edit per four letters of the shorter word:
`fronted` for `frontend`, not `web-apex` for `web-svc`), the test `monitor-target-not-found` and
`svclint trace` use too. The level drops to `info` when svclint cannot know:

- the namespace has no pod sources in the input at all (you linted the Services alone);
- a custom resource in the namespace (a Prometheus, a Kafka cluster...) carries pod metadata
  (`podMetadata`, `podTemplate`, `template`, `pod` or `inheritedMetadata`, or a whole pod
  template with `spec.containers` under any key ending in `Template`, as a LeaderWorkerSet's
  `leaderTemplate`) with all the selector's labels: an operator probably creates the pods, and the
  finding names that resource;
- a selector value is the name of a custom resource in the namespace, under a key that shares a
  word with the resource's kind or API group (`rook_object_store: my-store` and a
  `CephObjectStore` named `my-store`; `strimzi.io/cluster: my-cluster` and a
  `kafka.strimzi.io` `Kafka` named `my-cluster`), or under any key when another key of the
  selector starts with the resource's kind (`app.kubernetes.io/name: my-cluster` beside
  `redisfailovers-role: master`, and a `RedisFailover` named `my-cluster`): operators label the
  pods they create that way. Generic keys alone (`app`, `app.kubernetes.io/name`...) never count,
  so a ServiceMonitor named like the app does not hide a broken selector.

The level is `warning` when the labels missing are keys no pod template of the input carries,
a pod source matches the rest of the selector (the missing keys are not a typo of its labels), and
its pods' ServiceAccount may `patch` or `update` pods in the namespace (a Role or ClusterRole of the
input, aggregated ClusterRoles included, or the default `edit`, `admin` or `cluster-admin`, bound
to it): software such as Patroni (`spilo-role`) and longhorn-manager labels its own pod at runtime.
Without that permission a label missing from every template stays an error.

The level is `warning` for the root Service of an SMI `TrafficSplit` (`spec.service`): a mesh
implementing SMI (Linkerd, Open Service Mesh) sends meshed clients to the split's backends and
never to the root's own endpoints, so a root that selects nothing is broken only for clients
outside the mesh. The hint proposes the selector of a backend that has pods.

## Why it matters

The EndpointSlice controller lists pods only in the Service's namespace and only by its selector.
A selector that matches nothing gives the Service no endpoints: clients get "connection refused"
or time out, and `kubectl describe svc` shows `Endpoints: <none>`.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web-frontend
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

Make the selector a subset of the pod template's labels. `--fix --unsafe-fixes` writes the
nearest pod template's key or value when the hint proposes it (one label a slip away, and no
pods of another namespace matching):

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

from svclint.api import (
    Cluster,
    Fix,
    K8sObject,
    PodSource,
    Problem,
    Related,
    Service,
    equality_selector,
    fix_replace,
    label_slip,
    nearest_labels,
    problem,
    quote_list,
)
from svclint.k8s.operators import custom_resources
from svclint.k8s.pod_labels import (
    JOB_COMPLETION_INDEX_LABEL,
    PER_POD_LABELS,
    job_spec,
    template_label_keys,
)
from svclint.k8s.rbac import may_label_pods
from svclint.k8s.smi import TrafficSplit, splits_rooted_at
from svclint.k8s.statefulset import first_ordinal

ID = "service-selector-no-match"
LEVEL = "error"
ENABLED = True
TARGET = "services"
FIX = "unsafe"


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    selector = svc.selector
    if not selector or svc.type == "ExternalName" or cluster.pods_for(svc):
        return
    shown = ", ".join(f"{k}={v}" for k, v in selector.items())
    candidates = cluster.pod_sources_in(svc.namespace)
    if not candidates:
        yield problem(
            svc.obj, svc.selector_node,
            f"selector `{shown}` of Service {svc.name}: no pod sources of namespace "
            f"`{svc.namespace}` were part of the input, so svclint cannot tell what it selects",
            level="info",
        )  # fmt: skip
        return
    owner = _operator_owner(svc, cluster)
    if owner is not None:
        yield problem(
            svc.obj, svc.selector_node,
            f"selector `{shown}` matches no pod template in namespace `{svc.namespace}`; "
            f"{owner} carries these labels in its pod metadata, so its operator probably "
            "creates the pods",
            level="info",
        )  # fmt: skip
        return
    named = _named_custom_resource(svc, cluster)
    if named is not None:
        key, obj = named
        yield problem(
            svc.obj, svc.selector_value_node(key),
            f"selector `{shown}` matches no pod template in namespace `{svc.namespace}`; "
            f"`{key}: {selector[key]}` names {obj.kind} {obj.name} ({obj.group}), so its "
            "operator probably creates the pods",
            level="info",
            related=[Related(obj, obj.name_node(), f"{obj.ref}, named by the selector")],
        )  # fmt: skip
        return
    splits = splits_rooted_at(cluster, svc)
    if splits:
        yield _split_root(svc, shown, splits[0], cluster)
        return
    runtime = _runtime_labels(svc, shown, selector, candidates, cluster)
    if runtime is not None:
        yield runtime
        return
    nearest, missing = _nearest(svc, selector, candidates)
    elsewhere = [
        ns
        for ns in sorted(cluster.namespaces_with_pods())
        if ns != svc.namespace and cluster.select_with_ordinals(ns, selector)
    ]
    message = f"selector `{shown}` matches no pod template in namespace `{svc.namespace}`"
    node = svc.selector_node
    hint = None
    fix: Fix | None = None
    related: list[Related] = []
    if nearest is not None:
        message += f"; nearest is {nearest.kind} {nearest.obj.name}: {_describe(missing, nearest, selector, cluster)}"
        related.append(Related(nearest.obj, nearest.labels_node, f"labels of {nearest.obj.ref}"))
        if len(missing) == 1:
            key = missing[0]
            node = svc.selector_value_node(key)
            hint, fix = _hint(svc, key, selector[key], nearest)
    if elsewhere:
        message += f"; a pod source in namespace {', '.join(f'`{n}`' for n in elsewhere)} matches"
        message += " (a Service selects pods only in its own namespace)"
        fix = None  # the namespace may be what is wrong
    about = [nearest.obj] if nearest is not None else []
    yield problem(svc.obj, node, message, hint=hint, related=related, about=about, fix=fix)


def _split_root(svc: Service, shown: str, split: TrafficSplit, cluster: Cluster) -> Problem:
    """A warning, not an error: meshed clients never use the root Service's own endpoints."""
    backends = [b for name in split.backends if (b := cluster.service(svc.namespace, name))]
    serving = next((b for b in backends if b.selector and cluster.pods_for(b)), None)
    hint = None
    if serving is not None:
        pairs = ", ".join(f"`{k}: {v}`" for k, v in (serving.selector or {}).items())
        hint = (
            f"to serve clients outside the mesh too, select the pods of backend "
            f"`{serving.name}` ({pairs})"
        )
    return problem(
        svc.obj, svc.selector_node,
        f"selector `{shown}` matches no pod template in namespace `{svc.namespace}`; it is the "
        f"root Service of TrafficSplit {split.obj.name}, so an SMI mesh sends meshed clients to "
        f"its backends ({quote_list(split.backends)}), but clients outside the mesh reach no pods",
        level="warning",
        hint=hint,
        related=[Related(split.obj, split.root_node, f"{split.obj.ref} splits its traffic")],
    )  # fmt: skip


def _runtime_labels(
    svc: Service,
    shown: str,
    selector: dict[str, str],
    candidates: list[PodSource],
    cluster: Cluster,
) -> Problem | None:
    """A warning when the missing labels are keys no pod template carries, on pods that match
    the rest of the selector and may patch pods: they may label themselves at runtime."""
    known = template_label_keys(cluster)
    unknown = [k for k in selector if k not in known]
    if not unknown or any(k in PER_POD_LABELS for k in selector):
        return None
    named = {p.target for p in svc.ports if isinstance(p.target, str)}
    # Pods declaring the Service's named target ports first: those are the ones it is for.
    ranked = sorted(
        candidates, key=lambda ps: not named <= {p.name for c in ps.containers for p in c.ports}
    )
    for ps in ranked:
        if any(ps.labels.get(k) != v for k, v in selector.items() if k not in unknown):
            continue
        if any(label_slip(k, selector[k], ps.labels) for k in unknown):
            continue  # a typo of a label it has, not a label set at runtime
        allowed = may_label_pods(cluster, ps)
        if allowed is None:
            continue
        account, grant = allowed
        keys = quote_list(unknown)
        pairs = ", ".join(f"`{k}: {selector[k]}`" for k in unknown)
        return problem(
            svc.obj, svc.selector_node,
            f"selector `{shown}` matches no pod template in namespace `{svc.namespace}`; no pod "
            f"template in the input carries {keys}, but the pods of {ps.kind} {ps.obj.name}"
            f"{' match the rest and' if len(unknown) < len(selector) else ''} run as "
            f"ServiceAccount `{account}`, which may patch pods "
            f"({grant.role}, through {grant.binding.kind} {grant.binding.name}): if they label "
            "themselves at runtime (as Patroni and longhorn-manager do), the Service selects them",
            level="warning",
            hint=(
                f"check the labels the running pods of {ps.obj.ref} carry (`kubectl get pods -n "
                f"{ps.namespace} --show-labels`); if nothing sets {pairs}, fix the selector or "
                "the pod template"
            ),
            related=[
                Related(ps.obj, ps.labels_node, f"pod labels of {ps.obj.ref}"),
                Related(grant.binding, grant.binding.name_node(), f"{grant.binding.ref} grants it"),
            ],
        )  # fmt: skip
    return None


def _nearest(
    svc: Service, selector: dict[str, str], candidates: list[PodSource]
) -> tuple[PodSource | None, list[str]]:
    """The pod source satisfying the most selector pairs, and the keys it misses."""
    found = nearest_labels(
        equality_selector(selector, svc.selector_node), candidates, lambda ps: ps.labels
    )
    return (None, []) if found is None else (found[0], [r.key for r in found[1]])


def _describe(missing: list[str], ps: PodSource, selector: dict[str, str], cluster: Cluster) -> str:
    parts = []
    for key in missing:
        if key in PER_POD_LABELS and key not in ps.labels:
            parts.append(_per_pod(key, selector[key], ps, cluster))
        elif key in ps.labels:
            parts.append(f"`{key}` is `{ps.labels[key]}`")
        else:
            parts.append(f"no `{key}` label")
    return ", ".join(parts)


def _per_pod(key: str, value: str, ps: PodSource, cluster: Cluster) -> str:
    """Why a label the control plane sets on each pod does not have this value on these pods."""
    if key == JOB_COMPLETION_INDEX_LABEL:
        spec = job_spec(ps.obj)
        if spec is None or spec.get_str("completionMode") != "Indexed":
            return f"it is not an Indexed Job (`completionMode: Indexed`), so no pod has `{key}`"
        completions = spec.get_int("completions")
        return f"`{key}: {value}` is not below its `completions` ({completions})"
    if ps.kind == "StatefulSet":
        start, replicas = first_ordinal(ps.obj), ps.replicas
        if replicas is not None and not cluster.hpa_targets(ps.obj):
            last = start + replicas - 1
            pods = f"`{ps.obj.name}-{start}`" + (
                f" to `{ps.obj.name}-{last}`" if last > start else ""
            )
            return f"`{key}: {value}` names no pod of it (its pods are {pods})"
        return f"`{key}: {value}` names no pod of it (its ordinals start at {start})"
    return f"its pods carry no `{key}` label (only the {_setter(key)} sets it)"


def _setter(key: str) -> str:
    return (
        "Job controller, on Indexed Jobs"
        if key == JOB_COMPLETION_INDEX_LABEL
        else ("StatefulSet controller")
    )


def _hint(svc: Service, key: str, wanted: str, ps: PodSource) -> tuple[str | None, Fix | None]:
    """`did you mean` the nearest pod source's label, when one key or value is a slip away, and
    the fix that writes it (unsafe: the Service then sends traffic to those pods)."""
    slip = label_slip(key, wanted, ps.labels)
    if slip is None:
        return None, None  # a different word altogether, not a typo
    near, value = slip
    hint = f"did you mean `{near}: {value}`? ({ps.obj.ref} has it)"
    written = svc.spec.map("selector") if svc.spec is not None else None
    if near == key:
        node = svc.selector_value_node(key)
        return hint, fix_replace(svc.obj.file, node, value, f"set {key} to {value}", "unsafe")
    key_node = written.keys.get(key) if written is not None else None
    if key_node is None or near in (written.values if written else {}):
        return hint, None
    return hint, fix_replace(svc.obj.file, key_node, near, f"rename the key to {near}", "unsafe")


# Words that say nothing about which resource a label refers to.
_GENERIC_WORDS = frozenset(
    {"app", "apps", "name", "instance", "component", "part", "of", "kubernetes", "k8s", "io",
     "com", "org", "net", "dev", "x", "v1", "version", "managed", "by", "type", "role", "tier"}
)  # fmt: skip
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def _words(text: str) -> set[str]:
    """`rook_object_store` -> {rook, object, store}; `CephObjectStore` -> {ceph, object, store}."""
    return {w.lower() for w in _WORD.findall(text)} - _GENERIC_WORDS


def _named_custom_resource(svc: Service, cluster: Cluster) -> tuple[str, K8sObject] | None:
    """A selector (key, custom resource) where the value is the resource's name and the key
    shares a word with its kind or group, or another key of the selector starts with its kind
    (`redisfailovers-role` beside `app.kubernetes.io/name: my-cluster`, for a RedisFailover
    `my-cluster`): the pods' operator labels them with their owner."""
    selector = svc.selector or {}
    all_words = {w for key in selector for w in _words(key)}
    for key, value in selector.items():
        key_words = _words(key)
        for obj in custom_resources(cluster, svc.namespace):
            if obj.name != value:
                continue
            kind = obj.kind.lower()
            if key_words & (_words(obj.kind) | _words(obj.group)) or any(
                w.startswith(kind) for w in all_words
            ):
                return key, obj
    return None


def _operator_owner(svc: Service, cluster: Cluster) -> str | None:
    selector = svc.selector or {}
    for obj, labels in cluster.owner_candidates(svc.namespace):
        values = labels.values
        if all(k in values and labels.text(k) == v for k, v in selector.items()):
            return f"{obj.kind} {obj.name}"
    return None
