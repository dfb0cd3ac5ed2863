"""A workload selector that is missing, empty, malformed, or does not match the template labels.

## What it checks

What the API server checks between a workload's `spec.selector` and its pod template labels
(`spec.template.metadata.labels`), with its own semantics: `matchLabels` pairs and
`matchExpressions` (`In`, `NotIn`, `Exists`, `DoesNotExist`) are ANDed; `NotIn` and
`DoesNotExist` match a pod without the label.

- **Deployment, StatefulSet, DaemonSet, ReplicaSet** (`apps`, and the removed `extensions`):
  - the selector does not match the template labels ("`selector` does not match template
    `labels`"). With one failing requirement the finding points at it;
  - the selector is absent (`spec.selector: Required value`), except in `extensions/v1beta1` and
    `apps/v1beta1`, which copied it from the template labels;
  - the selector is empty (`{}`, or only empty `matchLabels` / `matchExpressions`): "empty
    selector is invalid for deployment" (the API uses that text for ReplicaSets too),
    "... for statefulset", "... for daemonset". Labels written directly under `selector:` (a
    ReplicationController habit) are named, with `matchLabels` as the hint.
  When no container of the template has an `image` either (the API requires one), the object is
  a patch or a fragment that a tool completes (a kustomize strategic-merge patch): the missing
  selector is then reported as `info`.
- **Malformed expressions**, at the field, for every kind with a LabelSelector: an operator that is
  not one of the four, `values` missing for `In` / `NotIn`, `values` set for `Exists` /
  `DoesNotExist`. A malformed selector is not also matched against the labels (the API cannot
  build it).
- **ReplicationController**: its selector is a plain label map. When set and not empty, every pair
  must be among the template labels. An absent or empty selector is fine: the API copies the
  template labels into it. A `matchLabels` / `matchExpressions` key under it is reported (a plain
  map cannot hold them).
- **Job**: with `manualSelector: true` the selector is required and must match the template
  labels, as above; an empty selector is accepted. Without it, the API server generates the
  selector (`batch.kubernetes.io/controller-uid: <uid>`) and labels the pods with
  `job-name` / `controller-uid`; a selector you write must select those generated labels, so any
  requirement on another label that the label must carry is rejected ("`selector` not
  auto-generated"). Requirements on the controller-uid keys are not judged (the UID is unknown
  before creation).
- **CronJob**: `jobTemplate.spec.selector` set ("`selector` will be auto-generated") or
  `jobTemplate.spec.manualSelector: true` (not supported).

Custom workload kinds (Argo Rollouts...) are not checked: their controllers define their own
rules.

## Why it matters

The API server rejects each of these, so `kubectl apply` fails (and a Helm release or an Argo CD
sync with it). A selector that could select pods the template does not make would let the
controller create pods forever, or adopt pods of another workload.

## Example

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web-frontend
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
```

## Fix

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Map,
    Node,
    Problem,
    Related,
    Scalar,
    Seq,
    closest,
    did_you_mean,
    problem,
    quote_list,
)
from svclint.k8s.pod_labels import JOB_NAME_KEYS, JOB_UID_KEYS
from svclint.k8s.selectors import OPERATORS, LabelSelector, Requirement, parse_selector

ID = "workload-selector-mismatch"
LEVEL = "error"
ENABLED = True
TARGET = "objects"

APPS_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})
# apiVersions whose defaulting copied the template labels into an absent selector.
DEFAULTED_SELECTOR_VERSIONS = frozenset({"extensions/v1beta1", "apps/v1beta1"})


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    spec = obj.spec
    if spec is None:
        return
    if obj.kind in APPS_KINDS and obj.group in ("apps", "extensions"):
        yield from _apps(obj, spec)
    elif obj.kind == "ReplicationController" and obj.group == "":
        yield from _replication_controller(obj, spec)
    elif obj.kind == "Job" and obj.group == "batch":
        yield from _job(obj, spec)
    elif obj.kind == "CronJob" and obj.group == "batch":
        yield from _cronjob(obj, spec)


# -- apps ----------------------------------------------------------------------------------


def _apps(obj: K8sObject, spec: Map) -> Iterator[Problem]:
    template = spec.map("template")
    if template is None or not _labels_well_typed(template):
        return  # no template or mistyped labels: schema-invalid's business
    node = spec.get("selector")
    if _absent(node):
        if obj.api_version in DEFAULTED_SELECTOR_VERSIONS:
            return
        labels = _template_labels(template)
        hint = (
            f"add `selector: {{matchLabels: {{{_flow(labels)}}}}}` (the template labels)"
            if labels
            else "add `spec.selector.matchLabels` and the same labels to the template"
        )
        # A DaemonSet's nil selector selects nothing, so it fails the template match instead.
        why = "" if obj.kind == "DaemonSet" else " (`spec.selector: Required value`)"
        message = (
            f"{obj.kind} `{obj.name}` has no `spec.selector`: the API server requires one{why}"
        )
        fragment = _looks_like_a_patch(template)
        if fragment:
            message += (
                "; no container has an `image` either, so this looks like a patch or fragment"
                " that a tool completes: lint what it builds (`kubectl kustomize`...)"
            )
        yield problem(
            obj, spec.key_node("selector") if node is not None else obj.root.key_node("spec"),
            message, hint=hint, level="info" if fragment else None,
        )  # fmt: skip
        return
    if not isinstance(node, Map) or not _well_typed(node):
        return  # a list or a scalar: schema-invalid's business
    sel = parse_selector(node)
    if sel is None:
        return
    if sel.empty:
        yield _empty(obj, spec, node, template)
        return
    yield from _malformed(obj, sel)
    if not sel.invalid:
        yield from _mismatch(obj, spec, sel, template)


def _empty(obj: K8sObject, spec: Map, node: Map, template: Map) -> Problem:
    api_kind = "deployment" if obj.kind in ("Deployment", "ReplicaSet") else obj.kind.lower()
    message = (
        f"`spec.selector` of {obj.kind} `{obj.name}` is empty: the API server rejects it "
        f'("empty selector is invalid for {api_kind}")'
    )
    stray = {k: v for k, v in node.items() if k not in ("matchLabels", "matchExpressions")}
    labels = _template_labels(template)
    if stray:
        # `selector: {app: web}`: a ReplicationController habit; the fields are unknown here.
        keys = ", ".join(f"`{k}`" for k in stray)
        message += f"; {keys} is not a LabelSelector field (labels go under `matchLabels`)"
        pairs = {k: v.text for k, v in stray.items() if isinstance(v, Scalar) and v.text}
        hint = f"did you mean `selector: {{matchLabels: {{{_flow(pairs)}}}}}`?"
        return problem(obj, node.key_node(next(iter(stray))), message, hint=hint)
    fix = f"select the pods by their template labels: `matchLabels: {{{_flow(labels)}}}`"
    return problem(obj, spec.key_node("selector"), message, hint=fix if labels else None)


# -- shared ----------------------------------------------------------------------------------


def _malformed(obj: K8sObject, sel: LabelSelector) -> Iterator[Problem]:
    for where, why in sel.invalid:
        hint = None
        if why == "`None` is not a valid selector operator":  # absent or null: decodes to ""
            why = "a matchExpressions entry without `operator`"
            hint = f"use one of {quote_list(OPERATORS)}"
        if "operator" in why and isinstance(where, Scalar) and where.value is not None:
            hint = did_you_mean(where.text, OPERATORS) or f"use one of {quote_list(OPERATORS)}"
        yield problem(obj, where, f"selector of {obj.kind} `{obj.name}`: {why}", hint=hint)


def _mismatch(obj: K8sObject, spec: Map, sel: LabelSelector, template: Map) -> Iterator[Problem]:
    labels = _template_labels(template)
    failing = sel.failing(labels)
    if not failing:
        return
    shown = f"`{_flow(labels)}`" if labels else "none"
    what = ", ".join(_describe(r) for r in failing)
    message = (
        f"`spec.selector` of {obj.kind} `{obj.name}` does not match its template labels "
        f"({shown}): {what} {'fails' if len(failing) == 1 else 'fail'}; the API server rejects "
        'it ("`selector` does not match template `labels`")'
    )
    where: Node = failing[0].node if len(failing) == 1 else spec.key_node("selector")
    related = [Related(obj, _labels_node(template), f"template labels of {obj.ref}")]
    yield problem(obj, where, message, hint=_hint(failing, labels), related=related)


def _describe(req: Requirement) -> str:
    """A requirement as the manifest says it (`app: web`, `tier NotIn [a, b]`, `app Exists`)."""
    if req.operator == "In" and len(req.values) == 1:
        return f"`{req.key}: {next(iter(req.values))}`"
    if req.operator in ("In", "NotIn"):
        return f"`{req.key} {req.operator} [{', '.join(sorted(req.values))}]`"
    return f"`{req.key} {req.operator}`"


def _hint(failing: list[Requirement], labels: dict[str, str]) -> str | None:
    if len(failing) != 1:
        return "make every selector requirement hold for `spec.template.metadata.labels`"
    req = failing[0]
    key = req.key
    if req.operator == "In" and len(req.values) == 1:
        want = next(iter(req.values))
        if key in labels:
            return (
                f"the selector wants `{key}: {want}`, the template has "
                f"`{key}: {labels[key]}`: use one value in both"
            )
        near = closest(key, labels)
        if near is not None and labels[near] == want:
            return f"did you mean `{near}: {want}`? (the template's label)"
        return f"add `{key}: {want}` to `spec.template.metadata.labels`"
    if req.operator == "In":
        return f"give the template a `{key}` label with one of the values the selector lists"
    if req.operator == "Exists":
        return f"add a label `{key}` to `spec.template.metadata.labels`"
    if req.operator == "DoesNotExist":
        return f"remove the label `{key}` from the template, or the requirement from the selector"
    return f"the template's `{key}: {labels.get(key, '')}` is one of the values `NotIn` excludes"


def _absent(node: Node | None) -> bool:
    return node is None or (isinstance(node, Scalar) and node.value is None)


def _well_typed(node: Map) -> bool:
    """Whether the selector decodes at all: wrong types are schema-invalid's business.

    `matchLabels` a map of non-null scalars; `matchExpressions` a list of mappings whose `key`
    and `operator` are scalars and whose `values` is a list of scalars.
    """
    labels = node.get("matchLabels")
    if not _absent(labels):
        if not isinstance(labels, Map):
            return False
        if any(not isinstance(v, Scalar) or v.value is None for _, v in labels.items()):
            return False
    exprs = node.get("matchExpressions")
    if _absent(exprs):
        return True
    if not isinstance(exprs, Seq):
        return False
    for item in exprs:
        if not isinstance(item, Map):
            return False
        if any(k in item and not isinstance(item.get(k), Scalar) for k in ("key", "operator")):
            return False
        values = item.get("values")
        if not _absent(values) and not (
            isinstance(values, Seq) and all(isinstance(v, Scalar) for v in values)
        ):
            return False
    return True


def _labels_well_typed(template: Map) -> bool:
    """Template `metadata` and `metadata.labels` are mappings (or absent)."""
    meta = template.get("metadata")
    if _absent(meta):
        return True
    if not isinstance(meta, Map):
        return False
    labels = meta.get("labels")
    return _absent(labels) or isinstance(labels, Map)


def _looks_like_a_patch(template: Map) -> bool:
    """No container with an `image` (the API requires one): a strategic-merge patch or a
    fragment, not a manifest to apply as it is."""
    spec = template.map("spec")
    containers = spec.seq("containers") if spec is not None else None
    if containers is None:
        return True
    return not any(isinstance(c, Map) and c.get_str("image") for c in containers)


def _template_labels(template: Map) -> dict[str, str]:
    meta = template.map("metadata")
    return meta.str_map("labels") if meta is not None else {}


def _labels_node(template: Map) -> Node:
    meta = template.map("metadata")
    if meta is None:
        return template
    return meta.key_node("labels") if "labels" in meta else meta


def _flow(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in labels.items())


# -- ReplicationController -------------------------------------------------------------------


def _replication_controller(obj: K8sObject, spec: Map) -> Iterator[Problem]:
    node = spec.get("selector")
    template = spec.map("template")
    if not isinstance(node, Map) or template is None or not _labels_well_typed(template):
        return  # absent or null: defaulted from the template labels
    for key in ("matchLabels", "matchExpressions"):
        if isinstance(node.get(key), Map | Seq):
            yield problem(
                obj, node.key_node(key),
                f"`spec.selector` of ReplicationController `{obj.name}` is a plain label map, "
                f"not a LabelSelector: `{key}` cannot be used here",
                hint="write the labels directly under `selector:` (`selector: {app: web}`)",
            )  # fmt: skip
            return
    selector = {k: v.text for k, v in node.items() if isinstance(v, Scalar) and v.value is not None}
    if not selector:
        return  # empty: defaulted from the template labels
    labels = _template_labels(template)
    failing = [k for k, v in selector.items() if labels.get(k) != v]
    if not failing:
        return
    parts = [f"`{k}` is `{labels[k]}`" if k in labels else f"no `{k}` label" for k in failing]
    shown = f"`{_flow(labels)}`" if labels else "none"
    message = (
        f"`spec.selector` of ReplicationController `{obj.name}` does not match its template "
        f"labels ({shown}): {', '.join(parts)}; the API server rejects it "
        '("`selector` does not match template `labels`")'
    )
    where = node.at(failing[0]) if len(failing) == 1 else spec.key_node("selector")
    hint = "drop `spec.selector`: it defaults to the template labels"
    if len(failing) == 1 and failing[0] not in labels:
        key = failing[0]
        hint = f"add `{key}: {selector[key]}` to the template labels, or {hint}"
    related = [Related(obj, _labels_node(template), f"template labels of {obj.ref}")]
    yield problem(obj, where, message, hint=hint, related=related)


# -- Job and CronJob -------------------------------------------------------------------------


def _job(obj: K8sObject, spec: Map) -> Iterator[Problem]:
    template = spec.map("template")
    node = spec.get("selector")
    manual = spec.get_bool("manualSelector") is True
    if not _absent(spec.get("manualSelector")) and spec.get_bool("manualSelector") is None:
        return  # `"true"`: not a boolean, the decoder rejects the Job
    if template is not None and not _labels_well_typed(template):
        return
    if _absent(node):
        if manual:
            yield problem(
                obj, spec.at("manualSelector"),
                f"Job `{obj.name}` sets `manualSelector: true` without `spec.selector`: the API "
                "server requires one (`spec.selector: Required value`)",
                hint="add `spec.selector`, or drop `manualSelector` to have it generated",
            )  # fmt: skip
        return
    if not isinstance(node, Map) or not _well_typed(node):
        return
    sel = parse_selector(node)
    if sel is None:
        return
    yield from _malformed(obj, sel)
    if sel.invalid or sel.empty:
        return  # an empty manual selector matches every template: the API accepts it
    if manual:
        if template is not None:
            yield from _mismatch(obj, spec, sel, template)
        return
    # Generated mode: the API adds the generated labels to the template and requires the
    # selector to select them (ValidateGeneratedSelector). The UID is unknown offline.
    generated = dict.fromkeys(JOB_NAME_KEYS, obj.name)
    judged = [r for r in sel.requirements if r.key not in JOB_UID_KEYS]
    failing = [r for r in judged if not r.matches(generated)]
    if not failing:
        return
    what = ", ".join(_describe(r) for r in failing)
    verb = "does" if len(failing) == 1 else "do"
    yield problem(
        obj, failing[0].node if len(failing) == 1 else spec.key_node("selector"),
        f"`spec.selector` of Job `{obj.name}` is set without `manualSelector: true`, and {what} "
        f"{verb} not select the labels the API server generates (`controller-uid`, `job-name`): it "
        "rejects the Job (\"`selector` not auto-generated\")",
        hint="remove `spec.selector` (it is generated), or set `manualSelector: true`",
    )  # fmt: skip


def _cronjob(obj: K8sObject, spec: Map) -> Iterator[Problem]:
    job_spec = spec.dig_map("jobTemplate", "spec")
    if job_spec is None:
        return
    if not _absent(job_spec.get("selector")):
        yield problem(
            obj, job_spec.key_node("selector"),
            f"`jobTemplate.spec.selector` of CronJob `{obj.name}` is set: the API server "
            "generates each Job's selector and rejects it (\"`selector` will be auto-generated\")",
            hint="remove `jobTemplate.spec.selector`",
        )  # fmt: skip
    if job_spec.get_bool("manualSelector") is True:
        yield problem(
            obj, job_spec.at("manualSelector"),
            f"`jobTemplate.spec.manualSelector: true` of CronJob `{obj.name}` is not supported: "
            "the API server rejects it",
            hint="remove `manualSelector`",
        )  # fmt: skip
