"""A Gateway API route parentRef whose Gateway, listener or Service is not there or refuses it.

## What it checks

Every `spec.parentRefs[]` of an HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute
(`gateway.networking.k8s.io`, every served version). A parentRef's `group` defaults to
`gateway.networking.k8s.io`, its `kind` to `Gateway` and its `namespace` to the route's.

For a Gateway parent:

- the Gateway must exist in that namespace;
- a `sectionName` must name one of its listeners, a `port` must be the port of one of them,
  and when both are set one listener must match both;
- at least one selected listener (all of the Gateway's own `spec.listeners` when neither is
  set) must accept the route:
  - `allowedRoutes.namespaces.from`: `Same` (the default) admits routes of the Gateway's
    namespace only, `All` any, `Selector` the namespaces whose labels match. The labels are
    known when the input holds the Namespace object; the label `kubernetes.io/metadata.name`,
    which every Namespace carries, is always known;
  - `allowedRoutes.kinds`, or when it is empty the kinds the listener's protocol takes: HTTP and
    HTTPS take HTTPRoute and GRPCRoute, TLS TLSRoute, TCP TCPRoute, UDP UDPRoute;
  - hostnames (HTTPRoute, GRPCRoute and TLSRoute on HTTP, HTTPS and TLS listeners): one of the
    route's `hostnames` must intersect the listener's `hostname`. An unset hostname is `*`; a
    wildcard `*.example.com` matches one or more labels (`a.b.example.com`, not `example.com`).

The message says which of these refuses the route, listener by listener.

For a Service parent (group `""` or `core`, kind `Service`: a GAMMA mesh route), the Service must
exist, a `sectionName` must be the name of one of its ports and a `port` one of its
`spec.ports[].port`. Other parent kinds (ListenerSet, implementation-specific ones) are not
judged, and neither are listeners whose protocol is implementation-specific (they take whatever
kinds their implementation says) nor a TCPRoute on a TLS listener that terminates TLS (some
implementations attach it).

When the input holds no Gateway of the parent's namespace (no Service, for a Service parent),
a missing parent is reported as `info`: svclint cannot tell whether it exists. So is a
`Selector` over labels of a Namespace the input does not hold, when no other listener accepts
the route.

## Why it matters

A route serves traffic only through the parents it attaches to. A parentRef to a Gateway that
does not exist is never programmed; a `sectionName` or `port` that matches no listener gives
`Accepted: False` with reason `NoMatchingParent`; listeners that refuse the route's namespace or
kind give `NotAllowedByListeners`, and hostnames that intersect no listener's
`NoMatchingListenerHostname`. Either way the Gateway does not route the requests the route
describes: they fall through to another route or get a 404, and nothing in the route's own spec
says why.

## Example

```yaml
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: infra
spec:
  gatewayClassName: example
  listeners:
    - name: http
      protocol: HTTP
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: shop
spec:
  parentRefs:
    - name: edge
      namespace: infra
  rules:
    - backendRefs:
        - name: web
          port: 80
```

## Fix

Let the listener admit routes from other namespaces (or from the ones you select):

```yaml
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: infra
spec:
  gatewayClassName: example
  listeners:
    - name: http
      protocol: HTTP
      port: 80
      allowedRoutes:
        namespaces:
          from: Selector
          selector:
            matchLabels:
              kubernetes.io/metadata.name: shop
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: shop
spec:
  parentRefs:
    - name: edge
      namespace: infra
  rules:
    - backendRefs:
        - name: web
          port: 80
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Node,
    Problem,
    Ref,
    Related,
    Service,
    closest,
    did_you_mean,
    parse_selector,
    problem,
    quote_list,
)
from svclint.k8s.gateway import (
    GROUP,
    NAMESPACE_NAME_LABEL,
    ROUTE_KINDS,
    Attachment,
    Listener,
    ListenerVerdict,
    ParentRef,
    attachment,
    gateway_names,
    is_gateway,
    is_route,
    listener_kinds,
    mesh_parent,
    namespace_labels,
    namespace_policy,
    parent_refs,
    route_hostnames,
)
from svclint.k8s.ports import service_port
from svclint.k8s.service_refs import port_list, port_mixup

ID = "route-parent-not-found"
LEVEL = "error"
ENABLED = True
TARGET = "objects"
KINDS = ROUTE_KINDS

# A name within 30% of its length in edits is a likely typo; names of one family share
# prefixes (`orders-db`, `orders-audit`) that the looser default would offer.
NEAR = 0.3

SHOWN = 4  # listeners a message explains before "and N more"


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    if not is_route(obj):
        return
    for parent in parent_refs(obj):
        if parent.is_gateway:
            found = _gateway_parent(obj, parent, cluster)
        elif parent.is_service:
            found = _service_parent(obj, parent, cluster)
        else:
            continue  # ListenerSet and implementation-specific parents: not judged
        if found is not None:
            yield found


# -- Gateway parents ----------------------------------------------------------------------


def _lead(obj: K8sObject, parent: ParentRef) -> str:
    return f"{parent.where} of {obj.kind} `{obj.name}`"


def _named(parent: ParentRef, kind: str) -> str:
    if parent.namespace != parent.route.namespace:
        return f"{kind} `{parent.name}` of namespace `{parent.namespace}`"
    return f"{kind} `{parent.name}`"


def _gateway_parent(obj: K8sObject, parent: ParentRef, cluster: Cluster) -> Problem | None:
    result = attachment(cluster, parent)
    lead = _lead(obj, parent)
    gw = _named(parent, "Gateway")
    ns = parent.namespace
    other = [g for g in cluster.get("Gateway", ns, parent.name) if not is_gateway(g)]
    # An Istio (networking.istio.io) Gateway of that name is not one a route attaches to.
    also = (
        f" (the Gateway `{parent.name}` there is a `{other[0].api_version}` one, which routes "
        "do not attach to)"
        if other
        else ""
    )
    if result.status == "unknown":
        return problem(
            obj, parent.name_node,
            f"{lead} names {gw}, but no Gateways (`{GROUP}`) of namespace `{ns}` were part of "
            f"the input, so svclint cannot tell whether it exists{also}",
            level="info", about=[Ref("Gateway", ns, parent.name)], key=parent.key,
        )  # fmt: skip
    if result.status == "missing" or result.gateway is None:
        return problem(
            obj, parent.name_node,
            f"{lead} names Gateway `{parent.name}`, which does not exist in namespace `{ns}`"
            f"{also}: no Gateway serves the route through this parentRef",
            hint=_missing_gateway_hint(parent, cluster),
            about=[Ref("Gateway", ns, parent.name)], key=parent.key,
        )  # fmt: skip
    if result.status in ("attached", "no-listeners"):
        return None
    if result.status in ("no-section", "no-port", "no-section-port"):
        return _no_listener(obj, parent, result, lead, gw)
    return _refused(obj, parent, result, cluster, lead, gw)


def _missing_gateway_hint(parent: ParentRef, cluster: Cluster) -> str | None:
    if cluster.service(parent.namespace, parent.name) is not None:
        return (
            f"a Service `{parent.name}` exists in namespace `{parent.namespace}`: a parentRef "
            'names a Gateway unless it says otherwise; for a mesh route set `group: ""` and '
            "`kind: Service`"
        )
    near = closest(parent.name, gateway_names(cluster, parent.namespace), max_ratio=NEAR)
    if near is not None:
        return f"did you mean `{near}`?"
    elsewhere = sorted(
        {g.namespace for g in cluster.of_kind("Gateway") if g.name == parent.name}
        - {parent.namespace}
    )
    elsewhere = [n for n in elsewhere if parent.name in gateway_names(cluster, n)]
    if elsewhere:
        return (
            f"a Gateway `{parent.name}` exists in namespace {quote_list(elsewhere)}: set the "
            "parentRef's `namespace`"
        )
    return None


def _listener_label(li: Listener) -> str:
    name = f"`{li.name}`" if li.name else "(unnamed)"
    port = "?" if li.port is None else str(li.port)
    return f"{name} ({li.protocol or '?'} {port})"


def _listener_list(listeners: tuple[Listener, ...]) -> str:
    shown = ", ".join(_listener_label(li) for li in listeners[:6])
    return shown + (f" and {len(listeners) - 6} more" if len(listeners) > 6 else "")


def _listeners_note(result: Attachment) -> list[Related]:
    gw = result.gateway
    if gw is None:
        return []
    spec = gw.spec
    at = spec.key_node("listeners") if spec is not None else gw.name_node()
    return [Related(gw, at, f"listeners of {gw.ref}")]


def _no_listener(
    obj: K8sObject, parent: ParentRef, result: Attachment, lead: str, gw: str
) -> Problem:
    listeners = result.listeners
    have = _listener_list(listeners)
    tail = "the route is not accepted through it (NoMatchingParent)"
    section, port = parent.section, parent.port
    node: Node
    if result.status == "no-section" and section is not None and parent.section_node is not None:
        node = parent.section_node
        what = f"listener `{section}`" + (f" on port `{port}`" if port is not None else "")
        message = (
            f"{lead} names {what} of {gw}, which has no listener named `{section}` (its "
            f"listeners: {have}): {tail}"
        )
        hint = did_you_mean(section, [li.name for li in listeners if li.name])
    elif result.status == "no-port" and port is not None and parent.port_node is not None:
        node = parent.port_node
        what = f"port `{port}`" + (f" of listener `{section}`" if section is not None else "")
        message = (
            f"{lead} names {what} of {gw}, which has no listener on port {port} (its "
            f"listeners: {have}): {tail}"
        )
        ports = sorted({li.port for li in listeners if li.port is not None})
        hint = f"did you mean `{ports[0]}`?" if len(ports) == 1 else None
    else:
        node = parent.section_node or parent.port_node or parent.name_node
        named = [li for li in listeners if li.name == section]
        on = ", ".join(str(li.port) for li in named if li.port is not None) or "?"
        message = (
            f"{lead} names listener `{section}` on port `{port}` of {gw}, but listener "
            f"`{section}` listens on port {on} (its listeners: {have}): {tail}"
        )
        hint = f"set `port: {on}`, or leave `port` out" if on != "?" else None
    return problem(
        obj, node, message, hint=hint, related=_listeners_note(result),
        about=[result.gateway] if result.gateway is not None else [], key=parent.key,
    )  # fmt: skip


def _refused(
    obj: K8sObject,
    parent: ParentRef,
    result: Attachment,
    cluster: Cluster,
    lead: str,
    gw: str,
) -> Problem | None:
    verdicts = result.verdicts
    if any(v.undecided not in ((), ("namespace-labels",)) and not v.refused for v in verdicts):
        return None  # a listener whose implementation decides may take it
    if parent.section is not None:
        where = f"listener `{parent.section}` of {gw}"
    elif parent.port is not None:
        where = f"the listeners on port {parent.port} of {gw}"
    else:
        where = gw
    node = parent.section_node or parent.port_node or parent.name_node
    related = [
        Related(v.listener.gateway, v.listener.node.at("name"), _refusal_note(v))
        for v in verdicts[:SHOWN]
    ]
    about = [result.gateway] if result.gateway is not None else []
    explained = _explain(obj, verdicts, cluster)
    if result.status == "undecided":
        return problem(
            obj, node,
            f"{lead} names {where}, which accepts the route only if namespace "
            f"`{obj.namespace}` has the labels a listener selects, and no Namespace "
            f"`{obj.namespace}` was part of the input, so svclint cannot tell whether it is "
            f"accepted: {explained}",
            related=related, level="info", about=about, key=parent.key,
        )  # fmt: skip
    only_hosts = all(v.refused == ("hostnames",) for v in verdicts)
    reason = "NoMatchingListenerHostname" if only_hosts else "NotAllowedByListeners"
    if parent.section is not None:
        refuses = "which does not accept the route"
    elif len(verdicts) == 1:
        refuses = "but its listener does not accept the route"
    else:
        refuses = "but none of its listeners accepts the route"
    message = f"{lead} names {where}, {refuses}: {explained}; the route is not accepted ({reason})"
    return problem(
        obj, node, message, hint=_refusal_hint(obj, verdicts), related=related, about=about,
        key=parent.key,
    )  # fmt: skip


def _explain(route: K8sObject, verdicts: tuple[ListenerVerdict, ...], cluster: Cluster) -> str:
    """Why each listener refuses (or may refuse) the route; hostnames alone, once for all."""
    if len(verdicts) > 1 and all(v.refused == ("hostnames",) for v in verdicts):
        served = quote_list(v.listener.hostname for v in verdicts)
        return (
            f"no hostname of the route ({quote_list(route_hostnames(route))}) matches a "
            f"hostname its listeners serve ({served})"
        )
    reasons = [_why(route, v, cluster) for v in verdicts[:SHOWN]]
    if len(verdicts) > SHOWN:
        reasons.append(f"and {len(verdicts) - SHOWN} more listeners refuse it")
    return "; ".join(reasons)


def _why(route: K8sObject, v: ListenerVerdict, cluster: Cluster) -> str:
    li = v.listener
    parts: list[str] = []
    for check_ in v.refused or v.undecided:
        if check_ == "namespaces":
            parts.append(_namespaces_refusal(route, li, cluster))
        elif check_ == "namespace-labels":
            selector = _selector(namespace_policy(li).selector)
            parts.append(f"admits only namespaces whose labels match `{selector}`")
        elif check_ == "kinds":
            parts.append(_kinds_refusal(route, li))
        elif check_ == "hostnames":
            hosts = quote_list(route_hostnames(route))
            parts.append(
                f"serves hostname `{li.hostname}`, which no hostname of the route ({hosts}) matches"
            )
    name = f"listener `{li.name}`" if li.name else "an unnamed listener"
    return f"{name} " + " and ".join(parts)


def _selector(node: Node | None) -> str:
    selector = parse_selector(node)
    return str(selector) if selector is not None else "{}"


def _namespaces_refusal(route: K8sObject, li: Listener, cluster: Cluster) -> str:
    policy = namespace_policy(li)
    if policy.source == "Same":
        default = ", the default" if policy.defaulted else ""
        return (
            f"admits only routes of its Gateway's namespace `{li.gateway.namespace}` "
            f"(`allowedRoutes.namespaces.from: Same`{default})"
        )
    selector = parse_selector(policy.selector)
    text = str(selector) if selector is not None else "{}"
    refusal = f"admits only namespaces whose labels match `{text}`, and `{route.namespace}` "
    labels = namespace_labels(cluster, route.namespace)
    failing = selector.failing(labels) if selector is not None and labels is not None else []
    keys = sorted({r.key for r in failing} - {NAMESPACE_NAME_LABEL})
    if labels is None or not keys:
        return refusal + "does not match"
    have = [f"`{k}={labels[k]}`" if k in labels else f"no `{k}` label" for k in keys]
    return refusal + f"does not (its Namespace object has {', '.join(have)})"


def _kinds_refusal(route: K8sObject, li: Listener) -> str:
    kinds = listener_kinds(li)
    names = sorted(k if g == route.group else f"{k} ({g})" for g, k in kinds.kinds or ())
    takes = f"takes only {quote_list(names)}" if names else "takes no route kind"
    if kinds.defaulted:
        return f"{takes} (from its protocol {li.protocol}), not {route.kind}"
    return f"{takes} (`allowedRoutes.kinds`), not {route.kind}"


def _refusal_note(v: ListenerVerdict) -> str:
    li = v.listener
    name = f"`{li.name}`" if li.name else "(unnamed)"
    checks = v.refused or v.undecided
    words = {
        "namespaces": "refuses the route's namespace",
        "namespace-labels": "selects namespaces by labels svclint does not know",
        "kinds": "refuses the route's kind",
        "hostnames": "shares no hostname with the route",
    }
    return f"listener {name} of {li.gateway.ref}: " + " and ".join(words[c] for c in checks)


def _refusal_hint(route: K8sObject, verdicts: tuple[ListenerVerdict, ...]) -> str | None:
    first = verdicts[0]
    if first.refused == ("namespaces",):
        policy = namespace_policy(first.listener)
        if policy.source == "Same":
            return (
                "let the listener admit the route's namespace (`allowedRoutes.namespaces.from: "
                f"All`, or `Selector` with `kubernetes.io/metadata.name: {route.namespace}`)"
            )
        selector = parse_selector(policy.selector)
        keys = {r.key for r in selector.requirements} if selector is not None else set()
        if keys == {NAMESPACE_NAME_LABEL}:
            return f"add `{route.namespace}` to the listener's namespace selector"
        return "label the route's namespace to match the listener's namespace selector"
    if first.refused == ("kinds",):
        if listener_kinds(first.listener).defaulted:
            return f"attach the {route.kind} to a listener whose protocol takes it"
        return f"add `{route.kind}` to the listener's `allowedRoutes.kinds`"
    if all(v.refused == ("hostnames",) for v in verdicts):
        for v in verdicts:
            wildcard = v.listener.hostname or ""
            if wildcard.startswith("*.") and wildcard[2:] in route_hostnames(route):
                return (
                    f"`{wildcard}` matches names under `{wildcard[2:]}`, not `{wildcard[2:]}` "
                    "itself"
                )
        return "give the route a hostname one of the listeners serves"
    return None


# -- Service (GAMMA) parents --------------------------------------------------------------


def _service_parent(obj: K8sObject, parent: ParentRef, cluster: Cluster) -> Problem | None:
    found = mesh_parent(cluster, parent)
    result = found.resolution
    if result.status == "found":
        return None
    lead = _lead(obj, parent)
    target = _named(parent, "Service")
    ns = parent.namespace
    if result.status == "unknown":
        return problem(
            obj, parent.name_node,
            f"{lead} names {target}, but no Services of namespace `{ns}` were part of the "
            "input, so svclint cannot tell whether it exists",
            level="info", about=[Ref("Service", ns, parent.name)], key=parent.key,
        )  # fmt: skip
    svc = result.service
    if result.status == "missing" or svc is None:
        near = closest(
            parent.name, [s.name for s in cluster.services if s.namespace == ns], max_ratio=NEAR
        )
        return problem(
            obj, parent.name_node,
            f"{lead} names Service `{parent.name}`, which does not exist in namespace `{ns}`: the "
            "route applies to no Service through this parentRef",
            hint=f"did you mean `{near}`?" if near is not None else None,
            about=[Ref("Service", ns, parent.name)], key=parent.key,
        )  # fmt: skip
    return _mesh_port(obj, parent, svc, cluster, lead, target)


def _mesh_port(
    obj: K8sObject, parent: ParentRef, svc: Service, cluster: Cluster, lead: str, target: str
) -> Problem:
    have = port_list(svc)
    tail = "the mesh does not attach the route to it"
    section, port = parent.section, parent.port
    hint: str | None = None
    named = service_port(svc, section) if section is not None else None
    if section is not None and named is None:
        node = parent.section_node or parent.name_node
        message = (
            f"{lead} names port `{section}` of {target}, which has no port of that name (its "
            f"ports: {have}): {tail}"
        )
        hint = did_you_mean(section, [p.name for p in svc.ports if p.name])
    elif named is not None and port is not None:
        node = parent.port_node or parent.name_node
        message = (
            f"{lead} names port `{section}` on port `{port}` of {target}, but port `{section}` "
            f"is {named.port} (its ports: {have}): {tail}"
        )
        hint = f"set `port: {named.port}`, or leave `port` out"
    else:
        number = port if port is not None else 0
        node = parent.port_node or parent.name_node
        message = (
            f"{lead} names port `{number}` of {target}, which has no such port (its ports: {have})"
        )
        mixup = port_mixup(cluster, svc, number)
        if mixup is not None:
            message += f"; `{number}` is the {mixup.field} of Service port {mixup.port.label}"
            hint = f"a parentRef names the Service `port`: use `{mixup.port.port}`"
        message += f": {tail}"
    spec = svc.spec
    at = spec.key_node("ports") if spec is not None and "ports" in spec else svc.obj.name_node()
    return problem(
        obj, node, message, hint=hint, related=[Related(svc.obj, at, f"ports of {svc.obj.ref}")],
        about=[svc.obj], key=parent.key,
    )  # fmt: skip
