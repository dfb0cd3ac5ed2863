"""RBAC: what a ServiceAccount may do, as the RBAC authorizer decides it from the input's roles.

- A RoleBinding grants its Role (same namespace) or ClusterRole within its own namespace; a
  ClusterRoleBinding grants its ClusterRole everywhere.
- A subject is a ServiceAccount (`name`, and `namespace`, which in a RoleBinding defaults to the
  binding's), or a Group: `system:serviceaccounts` (every ServiceAccount),
  `system:serviceaccounts:<namespace>` and `system:authenticated` hold it too.
- A rule allows a request when its `apiGroups`, `resources` and `verbs` each hold the request's
  value or `*`, and `resourceNames` is empty or names the object (generated pod names never
  appear there, so such rules are not counted).
- A ClusterRole with an `aggregationRule` holds the rules of every ClusterRole whose labels match
  one of its `clusterRoleSelectors`. The default ClusterRoles no manifest holds: `cluster-admin`
  allows everything; `admin` and `edit` allow writing pods.

Only what the input holds is known: a grant made elsewhere in the cluster is invisible here, so
"may" is a fact and "may not" is only "not from these manifests".
"""

from __future__ import annotations

from typing import NamedTuple

from ..model.cluster import Cluster
from ..model.nodes import Map, Scalar, Seq
from ..model.objects import K8sObject
from ..model.workloads import PodSource
from .selectors import parse_selector

RBAC_GROUP = "rbac.authorization.k8s.io"
# The pod verbs the default `admin` and `edit` ClusterRoles grant beyond reading.
_POD_WRITES = frozenset({"create", "update", "patch", "delete", "deletecollection"})
_LABEL_VERBS = frozenset({"patch", "update"})  # what changing a pod's labels takes


class Grant(NamedTuple):
    """Why a ServiceAccount may do something: the binding and the role it names."""

    binding: K8sObject
    role: str  # "Role name" or "ClusterRole name"


def service_account(template_spec: Map | None) -> str:
    """The ServiceAccount a pod runs as (`serviceAccountName`, its deprecated alias
    `serviceAccount`, else `default`)."""
    if template_spec is None:
        return "default"
    return (
        template_spec.get_str("serviceAccountName")
        or template_spec.get_str("serviceAccount")
        or "default"
    )


def may_label_pods(cluster: Cluster, ps: PodSource) -> tuple[str, Grant] | None:
    """(ServiceAccount, grant) when the pods of `ps` may patch or update pods of their namespace:
    software that labels its own pod at runtime (Patroni's `spilo-role`, longhorn-manager's
    `longhorn.io/admission-webhook`) needs exactly that."""
    account = service_account(ps.spec)
    grant = may(cluster, ps.namespace, account, _LABEL_VERBS, "", "pods")
    return None if grant is None else (account, grant)


def may(
    cluster: Cluster, namespace: str, account: str, verbs: frozenset[str], group: str, resource: str
) -> Grant | None:
    """A binding in the input that lets ServiceAccount `namespace/account` do one of `verbs` on
    `resource` of API group `group` in its own namespace, or None."""
    for binding in cluster.of_kind("RoleBinding", "ClusterRoleBinding"):
        if binding.group != RBAC_GROUP:
            continue
        if binding.kind == "RoleBinding" and binding.namespace != namespace:
            continue
        if not _binds(binding, namespace, account):
            continue
        ref = binding.root.map("roleRef")
        kind = ref.get_str("kind") if ref is not None else None
        name = ref.get_str("name") if ref is not None else None
        if name is None or kind not in ("Role", "ClusterRole"):
            continue
        roles = cluster.get(kind, binding.namespace if kind == "Role" else "", name)
        if roles:
            allowed = any(
                _allows(rule, verbs, group, resource) for r in roles for rule in _rules(cluster, r)
            )
        else:
            allowed = kind == "ClusterRole" and _default_allows(name, verbs, group, resource)
        if allowed:
            return Grant(binding, f"{kind} {name}")
    return None


def _default_allows(role: str, verbs: frozenset[str], group: str, resource: str) -> bool:
    """What a default ClusterRole the input does not hold allows (only what svclint asks)."""
    if role == "cluster-admin":
        return True
    writes_pods = group == "" and resource == "pods" and bool(verbs & _POD_WRITES)
    return role in ("admin", "edit") and writes_pods


def _binds(binding: K8sObject, namespace: str, account: str) -> bool:
    for s in _maps(binding.root.seq("subjects")):
        kind, name = s.get_str("kind"), s.get_str("name")
        if kind == "ServiceAccount":
            ns = s.get_str("namespace") or (
                binding.namespace if binding.kind == "RoleBinding" else ""
            )
            if name == account and ns == namespace:
                return True
        elif kind == "Group" and name in (
            "system:serviceaccounts",
            f"system:serviceaccounts:{namespace}",
            "system:authenticated",
        ):
            return True
    return False


def _rules(cluster: Cluster, role: K8sObject) -> list[Map]:
    own = list(_maps(role.root.seq("rules")))
    aggregation = role.root.map("aggregationRule") if role.kind == "ClusterRole" else None
    if aggregation is None:
        return own
    selectors = [parse_selector(s) for s in _maps(aggregation.seq("clusterRoleSelectors"))]
    for other in cluster.of_kind("ClusterRole"):
        if other is role or other.root.map("aggregationRule") is not None:
            continue
        if any(
            sel is not None and not sel.empty and sel.matches(other.labels) for sel in selectors
        ):
            own.extend(_maps(other.root.seq("rules")))
    return own


def _maps(node: Seq | None) -> list[Map]:
    return list(node.maps()) if node is not None else []


def _allows(rule: Map, verbs: frozenset[str], group: str, resource: str) -> bool:
    if _strings(rule, "resourceNames"):
        return False
    groups, resources, rverbs = (_strings(rule, k) for k in ("apiGroups", "resources", "verbs"))
    return (
        (group in groups or "*" in groups)
        and (resource in resources or "*" in resources)
        and ("*" in rverbs or bool(verbs & rverbs))
    )


def _strings(rule: Map, key: str) -> set[str]:
    items = rule.seq(key)
    if items is None:
        return set()
    return {i.text for i in items if isinstance(i, Scalar) and i.value is not None}
