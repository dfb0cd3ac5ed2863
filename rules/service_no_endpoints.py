"""A Service without a selector and without hand-written endpoints: nothing routes to it.

## What it checks

Every Service that is not ExternalName and has no `selector` (absent, `null` or `{}`: the API
cannot tell them apart, and neither endpoint controller writes anything for it) must have its
endpoints in the linted set: an EndpointSlice in the Service's namespace labelled
`kubernetes.io/service-name: <service>` (any name) of address type `IPv4` or `IPv6`, or a `v1`
Endpoints object with the Service's name. A slice of `addressType: FQDN` does not count:
kube-proxy only programs IPv4 and IPv6 slices, so the message names it instead. A Service that
is not headless and has no `ports` is left to `service-spec-invalid` (the API rejects it; such a
fragment is usually a kustomize patch).

The message says how to silence it when a controller writes the endpoints at runtime: annotate the
Service with `svclint.io/ignore: "service-no-endpoints"`. The finding drops to `info`, with the
reason, when the input itself shows such a controller:

- the Service has `metadata.ownerReferences` (a controller created it);
- it carries labels of a controller that mirrors Services (`mirror.linkerd.io/...`);
- a Role in its namespace or a ClusterRole in the input grants `create`, `update` or `patch` on
  `endpoints` or `endpointslices` (aggregated `aggregate-to-*` roles, meant for people, excepted);
- the input is an unbuilt kustomize base: a Deployment, StatefulSet, DaemonSet or ReplicaSet has
  neither `spec.selector` nor pod labels, which kustomize's `labels`/`commonLabels` add at build
  time together with Service selectors.

The hint suggests a selector when a pod source of the namespace carries the Service's name.

## Why it matters

The EndpointSlice controller skips a Service whose selector is nil ("services without a selector
receive no endpoint slices from this controller"), so unless something else writes an
EndpointSlice or Endpoints for it, the Service never has a backend: connections to its cluster IP
are refused and its DNS name resolves to an address nobody serves. A forgotten or misindented
`selector:` looks exactly like this.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
```

## Fix

Select the pods, or write the endpoints yourself:

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
apiVersion: v1
kind: Service
metadata:
  name: legacy-db
spec:
  ports:
    - name: pg
      port: 5432
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: legacy-db-1
  labels:
    kubernetes.io/service-name: legacy-db
addressType: IPv4
ports:
  - name: pg
    port: 5432
endpoints:
  - addresses: ["10.20.0.7"]
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from svclint.api import (
    SERVICE_NAME_LABEL,
    Cluster,
    K8sObject,
    Map,
    Node,
    PodSource,
    Problem,
    Scalar,
    Seq,
    Service,
    closest,
    problem,
)
from svclint.k8s.endpoints import fqdn_slice, manual_endpoints, needs_manual_endpoints, slices_of

ID = "service-no-endpoints"
LEVEL = "warning"
ENABLED = True
TARGET = "services"

SUPPRESS = 'annotate the Service `svclint.io/ignore: "service-no-endpoints"`'
# Label prefixes of controllers that create selectorless Services and write their endpoints.
MIRROR_LABEL_PREFIXES = {"mirror.linkerd.io/": "Linkerd's service mirror"}
WRITE_VERBS = frozenset({"create", "update", "patch", "*"})
# (apiGroup, resource) pairs whose write access means "this controller writes endpoints".
ENDPOINT_RESOURCES = (("", "endpoints"), ("discovery.k8s.io", "endpointslices"))
SELECTOR_REQUIRED = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    spec = svc.spec
    # Without ports (and not headless) the API rejects it (or it is a patch fragment):
    # service-spec-invalid's business.
    if spec is None or not needs_manual_endpoints(svc) or manual_endpoints(cluster, svc):
        return
    ns, name = svc.namespace, svc.name
    slices = cluster.endpoint_slices(name)
    sel = spec.get("selector")
    empty = isinstance(sel, Map)
    # Not `spec.at()`: an empty Map is falsy, and `at` would fall back to `spec`.
    node: Node = svc.obj.root.key_node("spec")
    if isinstance(sel, Map):
        node = sel  # `selector: {}`
    elif sel is not None:
        node = spec.key_node("selector")  # `selector:` with no value
    what = "an empty selector (`{}` is the same as none)" if empty else "no selector"
    fqdn = [o for o in slices_of(cluster, svc) if fqdn_slice(o)]
    message = (
        f"Service {name} has {what} and no {'IPv4 or IPv6 ' if fqdn else ''}EndpointSlice "
        f"labelled `{SERVICE_NAME_LABEL}: {name}` or Endpoints `{name}` in namespace `{ns}`"
    )
    elsewhere = sorted({o.namespace for o in slices if o.namespace != ns})
    note = ""
    if fqdn:
        names = ", ".join(o.name for o in fqdn[:3]) + (" ..." if len(fqdn) > 3 else "")
        note = (
            f"; EndpointSlice {names} has `addressType: FQDN`, which kube-proxy ignores: an FQDN "
            "slice carries no Service traffic"
        )
    if elsewhere:
        note += (
            f"; an EndpointSlice in namespace {', '.join(f'`{n}`' for n in elsewhere)} names it, "
            "but only slices in the Service's own namespace count"
        )
    reason = _managed_reason(svc, cluster)
    if reason is not None:
        message += f"{note}; {reason}"
        yield problem(svc.obj, node, message, hint=_hint(svc, cluster), level="info")
        return
    message += f": nothing routes to it{note}; if a controller writes its endpoints, {SUPPRESS}"
    yield problem(svc.obj, node, message, hint=_hint(svc, cluster))


def _managed_reason(svc: Service, cluster: Cluster) -> str | None:
    """Why the input suggests the missing endpoints are expected, as the message's last clause."""
    evidence = _controller_evidence(svc, cluster)
    if evidence is not None:
        return f"{evidence}: a controller probably writes the endpoints at runtime ({SUPPRESS})"
    base = _kustomize_base(svc, cluster)
    if base is not None:
        return (
            f"the input looks like an unbuilt kustomize base ({base.obj.ref} has neither "
            "`spec.selector` nor pod labels, which kustomize adds at build time together with "
            f"Service selectors): lint the built output (if a controller writes the endpoints, "
            f"{SUPPRESS})"
        )
    return None


def _controller_evidence(svc: Service, cluster: Cluster) -> str | None:
    meta = svc.obj.meta
    refs = meta.seq("ownerReferences") if meta is not None else None
    if refs is not None and len(refs) > 0:
        owners = [f"{o.text('kind') or '?'} {o.text('name') or '?'}" for o in refs.maps()]
        shown = f" ({', '.join(owners)})" if owners else ""
        return f"its `ownerReferences`{shown} say a controller created it"
    for key in svc.obj.labels:
        for prefix, who in MIRROR_LABEL_PREFIXES.items():
            if key.startswith(prefix):
                return f"its label `{key}` marks it as created by {who}"
    return _endpoint_writer(svc, cluster)


def _endpoint_writer(svc: Service, cluster: Cluster) -> str | None:
    """Evidence that a controller of this namespace may write the Service's endpoints.

    A ClusterRole alone proves nothing (it grants nothing until bound, and any bundle may carry
    one); it counts when a RoleBinding in the Service's namespace binds it, or a
    ClusterRoleBinding grants it to a ServiceAccount of the Service's namespace. A Role in the
    Service's namespace counts by itself.
    """
    ns = svc.namespace
    writers = {
        (role.kind, role.namespace, role.name): role
        for role in cluster.of_kind("Role", "ClusterRole")
        if role.group == "rbac.authorization.k8s.io" and _role_writes(role, svc.name)
    }
    for (kind, role_ns, _), own in writers.items():
        if kind == "Role" and role_ns == ns:
            return f"{own.ref} in the input lets its subjects write endpoints in `{ns}`"
    for binding in cluster.of_kind("RoleBinding", "ClusterRoleBinding"):
        if binding.group != "rbac.authorization.k8s.io":
            continue
        ref = binding.root.map("roleRef")
        if ref is None:
            continue
        ref_kind, ref_name = ref.text("kind") or "", ref.text("name") or ""
        role_ns = binding.namespace if ref_kind == "Role" else ""
        role = writers.get((ref_kind, role_ns, ref_name))
        if role is None or (ref_kind == "Role" and role_ns != ns):
            continue
        if binding.kind == "RoleBinding" and binding.namespace == ns:
            return f"{binding.ref} grants {role.ref}, which writes endpoints, in `{ns}`"
        if binding.kind == "ClusterRoleBinding":
            for sa in _service_accounts(binding):
                if sa[0] == ns:
                    return (
                        f"{binding.ref} lets ServiceAccount {sa[0]}/{sa[1]} of this namespace "
                        f"write endpoints ({role.ref})"
                    )
    return None


def _role_writes(role: K8sObject, name: str) -> bool:
    if any(k.startswith("rbac.authorization.k8s.io/aggregate-to-") for k in role.labels):
        return False  # folded into admin/edit/view: permissions for people, not a controller
    rules = role.root.seq("rules")
    return rules is not None and any(_writes_endpoints(r, name) for r in rules.maps())


def _service_accounts(binding: K8sObject) -> Iterator[tuple[str, str]]:
    subjects = binding.root.seq("subjects")
    if subjects is None:
        return
    for subject in subjects.maps():
        if subject.text("kind") == "ServiceAccount":
            yield (subject.text("namespace") or binding.namespace, subject.text("name") or "")


def _writes_endpoints(rule: Map, name: str) -> bool:
    groups = _strings(rule.get("apiGroups"))
    resources = _strings(rule.get("resources"))
    verbs = _strings(rule.get("verbs"))
    names = _strings(rule.get("resourceNames"))
    if not WRITE_VERBS & verbs or (names and name not in names):
        return False
    # An explicit resource only: `*` on `*` (Argo CD, cluster-admin copies) says nothing.
    return any(
        resource in resources and (group in groups or "*" in groups)
        for group, resource in ENDPOINT_RESOURCES
    )


def _strings(node: Node | None) -> set[str]:
    if not isinstance(node, Seq):
        return set()
    return {i.value for i in node.items if isinstance(i, Scalar) and isinstance(i.value, str)}


def _kustomize_base(svc: Service, cluster: Cluster) -> PodSource | None:
    """A workload with neither selector nor pod labels; the Service's namespace named first."""
    found = [
        ps
        for ps in cluster.pod_sources
        if ps.kind in SELECTOR_REQUIRED
        and not ps.labels
        and ps.obj.spec is not None
        and "selector" not in ps.obj.spec
    ]
    here = posixpath.dirname(svc.obj.file.path)
    found.sort(
        key=lambda ps: (posixpath.dirname(ps.obj.file.path) != here, ps.namespace != svc.namespace)
    )
    return found[0] if found else None


def _hint(svc: Service, cluster: Cluster) -> str | None:
    """A selector for the pods that look like this Service's, or a near-miss slice label."""
    ps = _namesake(svc, cluster)
    if ps is not None:
        selector = _selector_of(ps, svc.name)
        if selector:
            shown = ", ".join(f"{k}: {v}" for k, v in selector.items())
            return f"to route to the pods of {ps.obj.ref}, add `selector: {{{shown}}}`"
    names = {
        o.labels[SERVICE_NAME_LABEL]
        for o in cluster.of_kind("EndpointSlice")
        if o.namespace == svc.namespace
        and o.group == "discovery.k8s.io"
        and o.labels.get(SERVICE_NAME_LABEL)
        and cluster.service(o.namespace, o.labels[SERVICE_NAME_LABEL]) is None
    }
    near = closest(svc.name, names)
    if near is not None:
        return (
            f"an EndpointSlice in namespace `{svc.namespace}` is labelled "
            f"`{SERVICE_NAME_LABEL}: {near}`: did you mean `{svc.name}`?"
        )
    return None


def _namesake(svc: Service, cluster: Cluster) -> PodSource | None:
    """A pod source of the namespace named like the Service, or labelled with its name."""
    candidates = cluster.pod_sources_in(svc.namespace)
    for ps in candidates:
        if ps.obj.name == svc.name and ps.labels:
            return ps
    for ps in candidates:
        if svc.name in ps.labels.values():
            return ps
    return None


def _selector_of(ps: PodSource, name: str) -> dict[str, str]:
    """The workload's own selector when it matches its pods, else a label valued `name`."""
    spec = ps.obj.spec
    match: dict[str, str] = {}
    if spec is not None and ps.kind == "ReplicationController":
        match = spec.str_map("selector")
    elif spec is not None and ps.kind in SELECTOR_REQUIRED:
        sel = spec.map("selector")
        match = sel.str_map("matchLabels") if sel is not None else {}
    if match and all(ps.labels.get(k) == v for k, v in match.items()):
        return match
    named = sorted(k for k, v in ps.labels.items() if v == name)
    return {named[0]: name} if named else {}
