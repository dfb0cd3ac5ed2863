"""Which apiVersion/kind pairs Kubernetes stopped serving, or deprecated, and when.

Removals and replacements follow the Kubernetes "Deprecated API Migration Guide"
(kubernetes.io/docs/reference/using-api/deprecation-guide/); the release a version was deprecated
in follows the `+k8s:prerelease-lifecycle-gen:deprecated` markers of the API types, which are what
make the API server send its deprecation warning.
"""

from __future__ import annotations

from typing import NamedTuple

Version = tuple[int, int]


class Lifecycle(NamedTuple):
    """When an apiVersion of a kind is deprecated and removed, and what replaces it."""

    deprecated: Version | None  # first release that warns
    removed: Version | None  # first release that no longer serves it (None: still served)
    replacement: str | None  # the apiVersion to use instead (None: the kind is gone)


def _entries() -> dict[tuple[str, str], Lifecycle]:
    table: dict[tuple[str, str], Lifecycle] = {}

    def add(api: str, kinds: str, deprecated: Version | None, removed: Version | None,
            replacement: str | None) -> None:  # fmt: skip
        for kind in kinds.split():
            table[(api, kind)] = Lifecycle(deprecated, removed, replacement)

    # Removed in 1.16.
    add("extensions/v1beta1", "Deployment DaemonSet ReplicaSet", (1, 9), (1, 16), "apps/v1")
    add("apps/v1beta1", "Deployment StatefulSet ReplicaSet", (1, 9), (1, 16), "apps/v1")
    add("apps/v1beta2", "Deployment StatefulSet DaemonSet ReplicaSet", (1, 9), (1, 16), "apps/v1")
    add("extensions/v1beta1", "NetworkPolicy", (1, 9), (1, 16), "networking.k8s.io/v1")
    add("extensions/v1beta1", "PodSecurityPolicy", (1, 11), (1, 16), "policy/v1beta1")
    # Removed in 1.22.
    add("extensions/v1beta1", "Ingress", (1, 14), (1, 22), "networking.k8s.io/v1")
    add(
        "networking.k8s.io/v1beta1",
        "Ingress IngressClass",
        (1, 19),
        (1, 22),
        "networking.k8s.io/v1",
    )
    add("admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
        (1, 16), (1, 22), "admissionregistration.k8s.io/v1")  # fmt: skip
    add("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", (1, 16), (1, 22),
        "apiextensions.k8s.io/v1")  # fmt: skip
    add(
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        (1, 19),
        (1, 22),
        "apiregistration.k8s.io/v1",
    )
    add(
        "authentication.k8s.io/v1beta1", "TokenReview", (1, 19), (1, 22), "authentication.k8s.io/v1"
    )
    add("authorization.k8s.io/v1beta1",
        "LocalSubjectAccessReview SelfSubjectAccessReview SubjectAccessReview",
        (1, 19), (1, 22), "authorization.k8s.io/v1")  # fmt: skip
    add("certificates.k8s.io/v1beta1", "CertificateSigningRequest", (1, 19), (1, 22),
        "certificates.k8s.io/v1")  # fmt: skip
    add("coordination.k8s.io/v1beta1", "Lease", (1, 19), (1, 22), "coordination.k8s.io/v1")
    add("rbac.authorization.k8s.io/v1beta1", "ClusterRole ClusterRoleBinding Role RoleBinding",
        (1, 17), (1, 22), "rbac.authorization.k8s.io/v1")  # fmt: skip
    add("scheduling.k8s.io/v1beta1", "PriorityClass", (1, 17), (1, 22), "scheduling.k8s.io/v1")
    add("storage.k8s.io/v1beta1", "CSIDriver CSINode StorageClass VolumeAttachment", (1, 19),
        (1, 22), "storage.k8s.io/v1")  # fmt: skip
    # Removed in 1.25.
    add("batch/v1beta1", "CronJob", (1, 21), (1, 25), "batch/v1")
    add("discovery.k8s.io/v1beta1", "EndpointSlice", (1, 21), (1, 25), "discovery.k8s.io/v1")
    add("events.k8s.io/v1beta1", "Event", (1, 22), (1, 25), "events.k8s.io/v1")
    add("autoscaling/v2beta1", "HorizontalPodAutoscaler", (1, 22), (1, 25), "autoscaling/v2")
    add("policy/v1beta1", "PodDisruptionBudget", (1, 21), (1, 25), "policy/v1")
    add("policy/v1beta1", "PodSecurityPolicy", (1, 21), (1, 25), None)
    add("node.k8s.io/v1beta1", "RuntimeClass", (1, 22), (1, 25), "node.k8s.io/v1")
    # Removed in 1.26, 1.27, 1.29, 1.32.
    add("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema PriorityLevelConfiguration", (1, 23),
        (1, 26), "flowcontrol.apiserver.k8s.io/v1")  # fmt: skip
    add("autoscaling/v2beta2", "HorizontalPodAutoscaler", (1, 23), (1, 26), "autoscaling/v2")
    add("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 24), (1, 27), "storage.k8s.io/v1")
    add("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema PriorityLevelConfiguration", (1, 26),
        (1, 29), "flowcontrol.apiserver.k8s.io/v1")  # fmt: skip
    add("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema PriorityLevelConfiguration", (1, 29),
        (1, 32), "flowcontrol.apiserver.k8s.io/v1")  # fmt: skip
    # Deprecated, still served.
    add("v1", "Endpoints", (1, 33), None, "discovery.k8s.io/v1 EndpointSlice")
    add("v1", "ComponentStatus", (1, 19), None, None)
    return table


LIFECYCLES = _entries()


def lifecycle(api_version: str, kind: str) -> Lifecycle | None:
    return LIFECYCLES.get((api_version, kind))


def is_removed(api_version: str, kind: str, target: Version) -> bool:
    lc = LIFECYCLES.get((api_version, kind))
    return lc is not None and lc.removed is not None and target >= lc.removed


def fmt(version: Version) -> str:
    return f"{version[0]}.{version[1]}"
