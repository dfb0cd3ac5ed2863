"""Kubernetes objects cut out of documents: identity, namespace, provenance.

`kind: List` (nested too) is expanded. A namespaced object without `metadata.namespace` lands in
the run's default namespace, as `kubectl apply -n` / `helm template -n` would place it.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from ..model.nodes import Map, Scalar
from ..model.objects import K8sObject, SourceFile
from .documents import DocProblem, Document
from .inputs import shown_path

# Kinds without a namespace (built-ins and the common cluster-scoped CRDs).
CLUSTER_SCOPED = frozenset(
    {
        "Namespace", "Node", "PersistentVolume", "StorageClass", "IngressClass", "ClusterRole",
        "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "RuntimeClass",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService",
        "CSIDriver", "CSINode", "VolumeAttachment", "PodSecurityPolicy", "ComponentStatus",
        "CertificateSigningRequest", "FlowSchema", "PriorityLevelConfiguration",
        "GatewayClass", "ClusterIssuer", "VolumeSnapshotClass", "IPAddress", "ServiceCIDR",
        "DeviceClass", "ClusterTrustBundle", "StorageVersionMigration",
    }
)  # fmt: skip
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"


@dataclass(slots=True)
class Provenance:
    """How to name the files objects came from (Helm `# Source:`, kustomize origin)."""

    chart_dir: str | None = None
    kustomize_dir: str | None = None

    def helm(self, source: str) -> str:
        if self.chart_dir is None:
            return source
        # `# Source: <chart>/templates/x.yaml` -> `<chart_dir>/templates/x.yaml`
        _, _, rest = source.partition("/")
        return posixpath.normpath(posixpath.join(self.chart_dir, rest))

    def origin(self, path: str) -> str:
        if self.kustomize_dir is None:
            return posixpath.normpath(path)
        joined = posixpath.normpath(posixpath.join(self.kustomize_dir, path))
        if posixpath.isabs(joined):  # shown relative to the working directory when inside it
            return shown_path(joined).replace(os.sep, "/")
        return joined


def _origin_path(annotations: dict[str, str]) -> str | None:
    """The origin's `path`, or for a generated object (`configMapGenerator`...) the
    kustomization it was configured in (`configuredIn`)."""
    raw = annotations.get(ORIGIN_ANNOTATION)
    if not raw:
        return None
    found: dict[str, str] = {}
    for line in raw.splitlines():
        key, _, value = line.partition(":")
        found.setdefault(key.strip(), value.strip().strip("'\""))
    return found.get("path") or found.get("configuredIn") or None


def objects_from_document(
    doc: Document,
    file: SourceFile,
    default_namespace: str,
    prov: Provenance,
) -> Iterator[K8sObject | DocProblem | None]:
    """The objects of one document; a DocProblem for a malformed one; None for a non-object."""
    root = doc.root
    if root is None or (isinstance(root, Scalar) and root.value is None and not root.text):
        return  # empty or comment-only (`helm template` output starts with `---`)
    if not isinstance(root, Map):
        yield DocProblem(
            "schema-invalid",
            f"document is a {'list' if hasattr(root, 'items') else 'scalar'}, not a Kubernetes object",
            root.line, root.col, root.line, root.col + 1,
        )  # fmt: skip
        return
    yield from _objects_from_map(root, doc, file, default_namespace, prov, 0)


def _objects_from_map(
    root: Map,
    doc: Document,
    file: SourceFile,
    default_namespace: str,
    prov: Provenance,
    depth: int,
) -> Iterator[K8sObject | DocProblem | None]:
    api_version = root.text("apiVersion")
    kind = root.text("kind")
    if api_version is None and kind is None:
        yield None  # a values file, a CI config: not ours
        return
    if api_version is None or kind is None:
        missing = "apiVersion" if api_version is None else "kind"
        at = root.key_node("kind" if api_version is None else "apiVersion")
        yield DocProblem(
            "schema-invalid",
            f"object has `{'kind' if missing == 'apiVersion' else 'apiVersion'}` but no `{missing}`",
            at.line, at.col, at.end_line, at.end_col,
        )  # fmt: skip
        return
    items = root.seq("items")
    if kind.endswith("List") and items is not None and depth < 8:
        for item in items:
            if isinstance(item, Map):
                yield from _objects_from_map(item, doc, file, default_namespace, prov, depth + 1)
            else:
                yield DocProblem(
                    "schema-invalid", f"`{kind}` item is not an object",
                    item.line, item.col, item.end_line, item.end_col,
                )  # fmt: skip
        return
    meta = root.map("metadata")
    name = ""
    namespace = ""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    if meta is not None:
        name = meta.text("name") or meta.text("generateName") or ""
        namespace = meta.text("namespace") or ""
        labels = meta.str_map("labels")
        annotations = meta.str_map("annotations")
    if kind in CLUSTER_SCOPED:
        namespace = ""
    elif not namespace:
        namespace = default_namespace
    source = None
    if doc.helm_source:
        source = prov.helm(doc.helm_source)
    else:
        origin = _origin_path(annotations)
        if origin:
            source = prov.origin(origin)
    yield K8sObject(
        api_version, kind, name, namespace, root, file, doc, source, meta, labels, annotations
    )
