"""Labels the control plane writes on pods, whatever the pod template says.

- The Job API adds the Job's name under two keys to the pod template (`generateSelector`), unless
  `spec.manualSelector` is true; the template's own value wins. It adds the Job's UID too
  (`controller-uid`), which no manifest can know.
- Controllers label each pod they create with values the template cannot carry: the Deployment
  controller `pod-template-hash`, the StatefulSet and DaemonSet controllers
  `controller-revision-hash`, the StatefulSet controller each pod's name and ordinal.

Per-pod labels select one pod of a set, so a selector using them is matched by ordinal, never
by the template's labels: the StatefulSet controller labels each pod with its name and ordinal
(`statefulset.kubernetes.io/pod-name: web-2`, `apps.kubernetes.io/pod-index: 2`), and the Job
controller each pod of an Indexed Job with its completion index
(`batch.kubernetes.io/job-completion-index: 2`, below `completions`; GA in 1.32).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.nodes import Map
from ..model.objects import K8sObject

if TYPE_CHECKING:
    from ..model.cluster import Cluster

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
JOB_COMPLETION_INDEX_LABEL = "batch.kubernetes.io/job-completion-index"
STATEFULSET_POD_LABELS = (POD_NAME_LABEL, POD_INDEX_LABEL)
PER_POD_LABELS = (*STATEFULSET_POD_LABELS, JOB_COMPLETION_INDEX_LABEL)
PER_POD_KINDS = ("StatefulSet", "Job", "CronJob")  # the kinds whose pods carry them

JOB_NAME_KEYS = ("batch.kubernetes.io/job-name", "job-name")
JOB_UID_KEYS = ("batch.kubernetes.io/controller-uid", "controller-uid")
POD_TEMPLATE_HASH = "pod-template-hash"
CONTROLLER_REVISION_HASH = "controller-revision-hash"


def job_labels(obj: K8sObject) -> dict[str, str]:
    """The labels the API server adds to a Job's pod template: its name under both keys (the
    `controller-uid` labels it also adds are unknowable offline). None with a manual selector."""
    spec = obj.spec
    if not obj.name or (spec is not None and spec.get_bool("manualSelector") is True):
        return {}
    return dict.fromkeys(JOB_NAME_KEYS, obj.name)


def wanted_ordinal(name: str, per_pod: dict[str, str]) -> int | None:
    """The one ordinal that per-pod selector pairs name in the set `name`, or None when they name
    none (another set's pod, not a number) or two different pods."""
    wanted: set[int] = set()
    pod_name = per_pod.get(POD_NAME_LABEL)
    if pod_name is not None:
        prefix, _, ordinal = pod_name.rpartition("-")
        if prefix != name or not ordinal.isdigit():
            return None
        wanted.add(int(ordinal))
    index = per_pod.get(POD_INDEX_LABEL)
    if index is not None:
        if not index.isdigit():
            return None
        wanted.add(int(index))
    return wanted.pop() if len(wanted) == 1 else None


def job_spec(obj: K8sObject) -> Map | None:
    """The Job spec of a Job, or of each Job a CronJob creates (`spec.jobTemplate.spec`)."""
    if obj.group != "batch":
        return None
    if obj.kind == "Job":
        return obj.spec
    if obj.kind == "CronJob":
        return obj.root.dig_map("spec", "jobTemplate", "spec")
    return None


def wanted_completion_index(obj: K8sObject, per_pod: dict[str, str]) -> bool:
    """Whether an Indexed Job (or a CronJob's Indexed Jobs) has a pod with the completion index
    the selector names: `completionMode: Indexed`, and the index below `completions` (the API
    requires it in that mode; when it is not a number, any index counts)."""
    spec = job_spec(obj)
    value = per_pod.get(JOB_COMPLETION_INDEX_LABEL)
    if spec is None or value is None or len(per_pod) != 1 or not value.isdigit():
        return False
    if spec.get_str("completionMode") != "Indexed":
        return False
    completions = spec.get_int("completions")
    return completions is None or int(value) < completions


def template_label_keys(cluster: Cluster) -> frozenset[str]:
    """Every label key that some pod template (or Pod) of the input carries."""
    return cluster.memo(
        "k8s.pod_labels.template_keys",
        lambda: frozenset(k for ps in cluster.pod_sources for k in ps.labels),
    )
