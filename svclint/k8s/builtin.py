"""Objects every cluster has that no manifest holds.

The API server publishes Service `kubernetes` in namespace `default` in every cluster (its
"master" endpoints reconciler): port 443, named `https`, TCP, to the API servers' secure port,
with endpoints it writes itself. Manifests refer to it (`kubernetes.default.svc`, an ExternalName
alias, an Ingress or a route backend) but never contain it. A reference resolves to it when the
input holds no object of that name: what the input defines wins.
"""

from __future__ import annotations

from functools import cache

from ..model.objects import K8sObject, SourceFile

BUILTIN_FILE = "<built-in>"  # how a built-in object's file is named; findings never point there
BUILTIN_SERVICES = frozenset({("default", "kubernetes")})  # (namespace, name), as defined below
# Namespaces whose Services the cluster's installer or provider creates (DNS, metrics, GKE's
# managed Dataplane V2 observability...), which an application's manifests rarely hold.
PLATFORM_NAMESPACES = frozenset({"kube-system"})
PLATFORM_NAMESPACE_PREFIXES = ("gke-managed-",)

_KUBERNETES_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: kubernetes
  namespace: default
  labels: {component: apiserver, provider: kubernetes}
spec:
  type: ClusterIP
  ports:
    - name: https
      port: 443
      protocol: TCP
      targetPort: 6443
"""


@cache
def builtin_objects() -> dict[tuple[str, str, str], K8sObject]:
    """(kind, namespace, name) -> the object, parsed once per process."""
    from ..load.documents import load_documents
    from ..load.objects import Provenance, objects_from_document

    file = SourceFile(BUILTIN_FILE, _KUBERNETES_SERVICE, context_only=True)
    out: dict[tuple[str, str, str], K8sObject] = {}
    for doc in load_documents(file.text):
        for obj in objects_from_document(doc, file, "default", Provenance()):
            if isinstance(obj, K8sObject):
                out[(obj.kind, obj.namespace, obj.name)] = obj
    return out


def platform_namespace(namespace: str) -> bool:
    """Whether the namespace holds the cluster's own Services (see PLATFORM_NAMESPACES)."""
    return namespace in PLATFORM_NAMESPACES or namespace.startswith(PLATFORM_NAMESPACE_PREFIXES)


def is_builtin(obj: K8sObject) -> bool:
    return obj.file.path == BUILTIN_FILE
