"""A ServiceMonitor or PodMonitor that selects nothing, or names a port its targets do not have.

## What it checks

Every `ServiceMonitor` and `PodMonitor` of prometheus-operator (`monitoring.coreos.com/v1`), read
the way the operator turns it into a Prometheus scrape job:

- **Namespaces watched**: `namespaceSelector.any: true` watches every namespace of the input,
  a non-empty `namespaceSelector.matchNames` exactly those, anything else (no
  `namespaceSelector`, `any: false`, empty `matchNames`) only the monitor's **own** namespace. A
  Service with the right labels in another namespace does not count. When every `Prometheus`
  and `PrometheusAgent` in the input sets `ignoreNamespaceSelectors: true`, each monitor watches
  its own namespace only.
- **ServiceMonitor `selector`** (`matchLabels` and `matchExpressions` with `In`, `NotIn`,
  `Exists`, `DoesNotExist`; `{}` selects every Service) is matched against the Services'
  **`metadata.labels`**, not their pods' labels and not their `spec.selector`. It must select at
  least one Service. When it matches pod template labels instead, the hint says so and names the
  Service in front of those pods.
- **`endpoints[].port`** must be the **name** of a port of at least one selected Service. A
  Service port without a name (a Service with a single port may leave it unnamed) cannot be
  selected by `port`. When the value is a port number, the name of a `targetPort` or of a
  container port, the message says so.
- **`endpoints[].targetPort`** (read only when `port` is not set: `port` wins) must be a
  container port, by name or by number, that a pod of the selected Services declares: Prometheus
  only knows the ports the containers list. Not judged when the pods of a selected Service are
  not in the input. It is not deprecated (prometheus-operator withdrew that in v0.72).
- **PodMonitor `selector`** must match the labels of a pod template (Deployments, StatefulSets,
  Jobs, any pod source) in the watched namespaces, and **`podMetricsEndpoints[].port`** must name
  a container port of the selected pods (`portNumber`: a declared container port number). Labels
  the control plane sets on each pod (`pod-template-hash`, `controller-revision-hash`, per-pod
  names and ordinals) are not judged.

The Service `kubernetes` in `default`, which every cluster has, counts as selected when its
labels (`component: apiserver`, `provider: kubernetes`) match. A `port`, `targetPort` or
`portNumber` that is template text, or not a valid regular expression (the operator uses each
value as an anchored one), is not judged.

The level drops to `info` when svclint cannot tell:

- no Service (for a PodMonitor, no pod source) of a watched namespace was part of the input;
- operators create Services and pods that no manifest holds: when nothing in the input says
  the selector or the port is wrong (no near label or port name, no match on pod labels, on
  Service labels or in another namespace, no port mix-up) and a watched namespace holds a
  custom resource (a RayCluster, a CephCluster, a Prometheus...), the finding names it,
  preferring one whose API group a selector key is in (`ray.io/...`) or whose name a selector
  value is;
- (PodMonitor) a custom resource of the namespace carries the selected labels in its pod
  metadata (`podMetadata`, `template`...): its operator probably creates the pods.

## Why it matters

prometheus-operator turns each monitor into a scrape job whose relabelings keep only the
endpoints of the selected Services (pods) on the named port. When nothing is kept, the job has
zero targets, silently: the operator rejects only invalid monitors (TLS, secret or relabeling
settings), never one that selects nothing, so there is no error, no event and no status, and
the monitor is simply missing from Prometheus's "Service Discovery" and "Targets" pages.
Dashboards and alerts built on those metrics stay empty; only an alert on `absent(...)` would
notice.

## Example

```yaml
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: api
spec:
  selector:
    matchLabels:
      app: api
  endpoints:
    - port: metrics
---
apiVersion: v1
kind: Service
metadata:
  name: api
  labels:
    app: api
spec:
  selector:
    app: api
  ports:
    - name: http-metrics
      port: 9090
      targetPort: metrics
```

## Fix

Name the Service port (its `name`), not the container's port:

```yaml
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: api
spec:
  selector:
    matchLabels:
      app: api
  endpoints:
    - port: http-metrics
---
apiVersion: v1
kind: Service
metadata:
  name: api
  labels:
    app: api
spec:
  selector:
    app: api
  ports:
    - name: http-metrics
      port: 9090
      targetPort: metrics
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    LabelSelector,
    Level,
    Node,
    PodSource,
    Problem,
    Related,
    Requirement,
    Scalar,
    Service,
    did_you_mean,
    is_typo,
    label_slip,
    nearest_labels,
    pod_source_labels,
    problem,
    quote_list,
)
from svclint.k8s.builtin import is_builtin
from svclint.k8s.monitors import (
    MONITOR_KINDS,
    SERVICE_MONITOR,
    DeclaredPort,
    Endpoint,
    NameMixup,
    declared_ports,
    declaring_name,
    declaring_number,
    endpoints,
    ignoring_namespace_selectors,
    is_monitor,
    monitor_selector,
    name_mixup,
    operator_resources,
    pod_labels_match,
    pod_sources_in,
    pod_sources_matching,
    pods_behind,
    port_pattern,
    selected_pod_sources,
    selected_services,
    selector_node,
    service_matches,
    services_in,
    services_with_port,
    watched_namespaces,
)
from svclint.k8s.ports import service_port, unrendered
from svclint.k8s.service_refs import port_list, port_mixup

ID = "monitor-target-not-found"
LEVEL = "warning"
ENABLED = True
TARGET = "objects"
KINDS = MONITOR_KINDS

_POSITIVE = ("In", "Exists")  # requirements a label must be present for


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    if not is_monitor(obj):
        return
    selector = monitor_selector(obj)
    if selector is None or selector.invalid:
        return  # required by the CRD, or malformed: the API or the operator rejects it
    namespaces = watched_namespaces(obj, cluster)
    written = [r.key for r in selector.requirements]
    written += [v for r in selector.requirements for v in r.values] + (namespaces or [])
    if any(unrendered(text) for text in written):
        return  # template text, not rendered yet: nothing to judge
    if obj.kind == SERVICE_MONITOR:
        yield from _service_monitor(obj, selector, namespaces, cluster)
    else:
        yield from _pod_monitor(obj, selector, namespaces, cluster)


class _Scope:
    """The namespaces a monitor watches, and which of them the input holds nothing of."""

    def __init__(
        self, obj: K8sObject, namespaces: list[str] | None, present: set[str], what: str
    ) -> None:
        self.obj = obj
        self.namespaces = namespaces
        self.what = what  # "Services" or "pod sources"
        if namespaces is None:
            self.unseen = [] if present else ["*"]
        else:
            self.unseen = [ns for ns in namespaces if ns not in present]

    @property
    def blind(self) -> bool:
        """The input holds nothing of any watched namespace."""
        return self.unseen == ["*"] or (
            self.namespaces is not None and len(self.unseen) == len(self.namespaces)
        )

    @property
    def level(self) -> Level | None:
        return "info" if self.unseen else None

    def where(self, namespaces: list[str] | None = None) -> str:
        names = self.namespaces if namespaces is None else namespaces
        if names is None:
            return "any namespace of the input"
        if names == [self.obj.namespace] == self.namespaces:
            return f"its own namespace `{self.obj.namespace}`"
        return f"namespace{'s' if len(names) > 1 else ''} {quote_list(names)}"

    def blind_message(self, selector: LabelSelector, ignored: str) -> str:
        """What a monitor watching only namespaces the input holds nothing of is told."""
        kind, name = self.obj.kind, self.obj.name
        if self.unseen == ["*"]:
            where = f"watches any namespace, but the input holds no {self.what} at all"
        else:
            where = f"watches {self.where()}{ignored}, of which the input holds no {self.what}"
        return f"{kind} `{name}` {where}, so svclint cannot tell what its selector `{selector}` selects"

    def missing(self) -> str:
        """Why svclint cannot tell (empty when it can)."""
        if not self.unseen:
            return ""
        if self.unseen == ["*"]:
            return f"the input holds no {self.what} at all, so svclint cannot tell"
        return (
            f"no {self.what} of {self.where(self.unseen)} were part of the input, so svclint "
            "cannot tell"
        )


def _ignored_by(obj: K8sObject, cluster: Cluster) -> str:
    """Says so when the monitor's `namespaceSelector` is overridden by the Prometheus servers."""
    servers = ignoring_namespace_selectors(cluster)
    spec = obj.spec
    if servers and spec is not None and "namespaceSelector" in spec:
        return (
            f" (its `namespaceSelector` is ignored: {servers[0].kind} `{servers[0].name}` sets "
            "`ignoreNamespaceSelectors: true`)"
        )
    return ""


# -- ServiceMonitor ------------------------------------------------------------------------


def _service_monitor(
    obj: K8sObject, selector: LabelSelector, namespaces: list[str] | None, cluster: Cluster
) -> Iterator[Problem]:
    scope = _Scope(obj, namespaces, {s.namespace for s in cluster.services}, "Services")
    selected = selected_services(cluster, obj)
    if not selected:
        yield _selects_no_service(obj, selector, scope, cluster)
        return
    for ep in endpoints(obj):
        if ep.filter == "port":
            found = _port(obj, ep, selected, scope, cluster, selector)
        elif ep.filter == "targetPort":
            found = _target_port(obj, ep, selected, scope, cluster)
        else:
            continue
        if found is not None:
            yield found


def _selects_no_service(
    obj: K8sObject, selector: LabelSelector, scope: _Scope, cluster: Cluster
) -> Problem:
    ignored = _ignored_by(obj, cluster)
    if scope.blind:
        return problem(
            obj, selector_node(obj),
            scope.blind_message(selector, ignored),
            level="info", key="selector",
        )  # fmt: skip
    message = f"selector `{selector}` of ServiceMonitor `{obj.name}` matches the labels of no "
    message += f"Service in {scope.where()}{ignored}"
    message += f"; {scope.missing()} whether it selects any" if scope.unseen else ", so "
    message += "" if scope.unseen else "Prometheus discovers no targets for it"
    node = selector_node(obj)
    hint: str | None = None
    related: list[Related] = []
    watched = services_in(cluster, scope.namespaces)
    elsewhere = _elsewhere(selector, scope.namespaces, cluster)
    mixup = _pod_label_mixup(selector, scope.namespaces, cluster)
    if mixup is not None:
        # The classic mix-up: the pods' labels, where the Service's own labels are matched.
        pods, front = mixup
        message += f"; it matches the pod labels of {_pod_names(pods)}"
        if front is not None:
            related.append(
                Related(front.obj, _labels_node(front.obj), f"labels of {front.obj.ref}")
            )
        related.extend(
            Related(ps.obj, ps.labels_node, f"pod labels of {ps.obj.ref}") for ps in pods[:2]
        )
        hint = "a ServiceMonitor selects Services by their own labels (`metadata.labels`), not by "
        hint += (
            f"their pods' labels: add {_labels_to_add(selector, front.obj.labels)} to the labels "
            f"of Service `{front.name}` (it selects those pods), or scrape the pods with a "
            "PodMonitor"
            if front is not None
            else "their pods' labels, and no Service selects those pods: add a Service with "
            f"{_labels_to_add(selector, {})}, or scrape the pods with a PodMonitor"
        )
    if elsewhere:
        # A Service with exactly these labels exists: the namespaces watched are the mistake.
        refs = list(dict.fromkeys(f"{s.namespace}/{s.name}" for s in elsewhere))
        names = quote_list(refs, 3)
        message += (
            f"; Service {names} matches outside the watched namespaces"
            if len(refs) == 1
            else f"; Services {names} match outside the watched namespaces"
        )
        hint = _namespace_hint(obj, sorted({s.namespace for s in elsewhere}), cluster)
    if mixup is None and not elsewhere:
        nearest = nearest_labels(selector, watched, lambda s: s.obj.labels)
        if nearest is not None:
            svc, failing = nearest
            message += f"; nearest is Service `{svc.name}`: {_describe(failing, svc.obj.labels)}"
            if not is_builtin(svc.obj):
                related.append(Related(svc.obj, _labels_node(svc.obj), f"labels of {svc.obj.ref}"))
            hint = _typo_hint(failing, svc.obj.labels, svc.obj.ref)
            if len(failing) == 1:
                node = failing[0].node
        if hint is None:  # nothing says the selector is wrong: an operator may make the Service
            unsure = _operator(obj, scope, selector, cluster, "Services")
            if unsure is not None:
                return unsure
    return problem(
        obj, node, message, hint=hint, related=related, level=scope.level, key="selector"
    )


def _operator(
    obj: K8sObject, scope: _Scope, selector: LabelSelector, cluster: Cluster, what: str
) -> Problem | None:
    """The info finding for a selector that matches nothing of the input, in namespaces where
    a custom resource's operator may create the Services (pods) it is meant for."""
    found = operator_resources(cluster, scope.namespaces, selector)
    if not found:
        return None
    thing = "Service" if what == "Services" else "pod template"
    return problem(
        obj, selector_node(obj),
        f"selector `{selector}` of {obj.kind} `{obj.name}` matches the labels of no {thing} "
        f"of the input in {scope.where()}{_holding(scope, found)} whose {_operators(found)} "
        f"may create {what} the input does not show, so svclint cannot tell",
        related=[Related(found[0], found[0].name_node(), f"{found[0].ref} ({found[0].group})")],
        level="info", key="selector",
    )  # fmt: skip


def _pod_label_mixup(
    selector: LabelSelector, namespaces: list[str] | None, cluster: Cluster
) -> tuple[list[PodSource], Service | None] | None:
    """(the pod sources whose labels the selector matches, the Service in front of them that
    lacks a label they have), when the selector asks for a label (In, Exists) that pods carry
    and their Service does not; None otherwise (a selector of only NotIn and DoesNotExist
    matches unlabelled pods by accident)."""
    if not any(r.operator in _POSITIVE for r in selector.requirements):
        return None
    pods = pod_sources_matching(cluster, selector, namespaces)
    if not pods:
        return None
    front = [s for ps in pods for s in cluster.services_selecting(ps)]
    for svc in front:
        if any(r.operator in _POSITIVE for r in selector.failing(svc.obj.labels)):
            return pods, svc
    return (pods, None) if not front else None


def _port(
    obj: K8sObject,
    ep: Endpoint,
    selected: list[Service],
    scope: _Scope,
    cluster: Cluster,
    selector: LabelSelector,
) -> Problem | None:
    scalar = ep.port
    if scalar is None or unrendered(scalar.text):
        return None
    value = scalar.text
    pattern = port_pattern(value)
    if pattern is None or services_with_port(selected, pattern):
        return None
    head = (
        f"`{ep.where}.port: {_written(scalar)}` of ServiceMonitor `{obj.name}` is the name of "
        f"no port of {_services_ports(selected)}"
    )
    detail = ""  # what the value is instead: the evidence of a mix-up
    hint: str | None = None
    if value.isdigit():
        found = _number_mixup(int(value), selected, cluster)
        if found is not None:
            detail = f"; {found[0]}, and `port` takes a Service port's name"
            hint = found[1]
        if type(scalar.value) is int:
            detail += " (the CRD types `port` as a string: the API rejects a number)"
    else:
        mix = name_mixup(cluster, selected, value)
        if mix is not None:
            detail, hint = _name_mixup_words(value, mix)
    if hint is None:
        unnamed = [s for s in selected if len(s.ports) == 1 and not s.ports[0].name]
        if unnamed:
            detail, hint = _unnamed_words(value, unnamed[0], cluster)
    names = {p.name for s in selected for p in s.ports if p.name}
    related = [
        Related(s.obj, _ports_node(s), f"ports of {s.obj.ref}")
        for s in selected[:3]
        if not is_builtin(s.obj)
    ]
    if hint is None and not any(is_typo(value, n) for n in names):
        # Nothing says the value is wrong: an operator may create another Service it selects.
        found_cr = operator_resources(cluster, scope.namespaces, selector)
        if found_cr:
            cr = found_cr[0]
            message = (
                f"{head}; {_holding(scope, found_cr, lead=True)} whose {_operators(found_cr)} "
                "may create another Service these labels select, so svclint cannot tell"
            )
            related.append(Related(cr, cr.name_node(), f"{cr.ref} ({cr.group})"))
            return problem(
                obj, scalar, message, related=related, level="info",
                about=[s.obj for s in selected], key=f"{ep.where}.port",
            )  # fmt: skip
    if hint is None:
        hint = did_you_mean(value, names)
    return problem(
        obj, scalar, head + _consequence(scope) + detail, hint=hint, related=related, level=scope.level,
        about=[s.obj for s in selected], key=f"{ep.where}.port",
    )  # fmt: skip


def _name_mixup_words(value: str, mix: NameMixup) -> tuple[str, str]:
    """(what `value` is, the hint) for a pod-side port name given to `port`."""
    sp = mix.port
    if mix.field == "targetPort" and sp is not None:
        detail = (
            f"; `{value}` is the targetPort of Service port {sp.label} of `{mix.service.name}`, "
            "the name of a container port of its pods"
        )
    else:
        detail = (
            f"; `{value}` is the name of a container port (container `{mix.container}`) of the "
            f"pods behind `{mix.service.name}`"
        )
    if sp is not None and sp.name:
        hint = (
            f"set `port: {sp.name}` (the Service port's name), or `targetPort: {value}` instead "
            "of `port`"
        )
    elif sp is not None:
        hint = (
            f"Service port {sp.label} has no name: name it and set `port` to that name, or set "
            f"`targetPort: {value}` instead of `port`"
        )
    else:
        hint = (
            f"no Service port sends to it: set `targetPort: {value}` instead of `port` "
            "(Prometheus scrapes every port the pods declare)"
        )
    return detail, hint


def _unnamed_words(value: str, svc: Service, cluster: Cluster) -> tuple[str, str]:
    """(the explanation, the hint) for a Service whose single port has no name."""
    sp = svc.ports[0]
    detail = (
        f"; Service `{svc.name}` has a single port, {sp.label}, without a name, and `port` "
        "matches port names only"
    )
    pods = pods_behind(cluster, [svc])
    declared = (
        pods is not None
        and sp.target is not None
        and any(
            p.number == sp.target or p.name == sp.target for ps in pods for p in declared_ports(ps)
        )
    )
    hint = (
        f"name that port (`name: {value}`), or select the pods' port with "
        f"`targetPort: {sp.target}` instead of `port`"
        if declared and not value.isdigit()
        else "name that port and set `port` to the name"
    )
    return detail, hint


def _number_mixup(number: int, selected: list[Service], cluster: Cluster) -> tuple[str, str] | None:
    """(what the number is, the hint) for a Service port number given where its name belongs,
    or a targetPort, nodePort or containerPort number of one."""
    for svc in selected:
        sp = service_port(svc, number)
        if sp is not None:
            return f"`{number}` is the number of Service port {sp.label} of `{svc.name}`", _name_it(
                sp.name, sp.target
            )
    for svc in selected:
        mix = port_mixup(cluster, svc, number)
        if mix is not None:
            what = (
                f"the container port that Service port {mix.port.label} of `{svc.name}` sends to"
                if mix.field == "containerPort"
                else f"the {mix.field} of Service port {mix.port.label} of `{svc.name}`"
            )
            return f"`{number}` is {what}", _name_it(mix.port.name, mix.port.target)
    return None


def _target_port(
    obj: K8sObject, ep: Endpoint, selected: list[Service], scope: _Scope, cluster: Cluster
) -> Problem | None:
    scalar = ep.target_port
    if scalar is None or not isinstance(scalar.value, int | str) or isinstance(scalar.value, bool):
        return None
    value = scalar.value
    text = scalar.text
    if unrendered(text):
        return None
    pods = pods_behind(cluster, selected)
    pattern = port_pattern(text)
    if not pods or pattern is None:
        return None  # the pods of a selected Service are not in the input, or not a regex
    by_number = isinstance(value, int)
    find = declaring_number if by_number else declaring_name
    if any(find(ps, pattern) for ps in pods):
        return None
    declared = [p for ps in pods for p in declared_ports(ps)]
    what = f"a port numbered {text}" if by_number else f"a port named `{text}`"
    message = (
        f"`{ep.where}.targetPort: {_written(scalar)}` of ServiceMonitor `{obj.name}`: no "
        f"container of the pods behind {_service_names(selected)} declares {what} (their "
        f"ports: {_declared_list(declared)})"
    )
    message += _consequence(scope)
    hint: str | None = None
    if not by_number and text.isdigit() and any(p.number == int(text) for p in declared):
        message += f'; `"{text}"` is quoted, so it is read as a port name'
        hint = f"write `targetPort: {text}` unquoted"
    elif by_number:
        for svc in selected:
            sp = service_port(svc, int(text))
            if sp is not None:
                message += (
                    f"; `{text}` is Service port {sp.label} of `{svc.name}`, and `targetPort` "
                    "is the pods' port"
                )
                hint = (
                    f"set `port: {sp.name}` (the Service port's name) instead of `targetPort`"
                    if sp.name
                    else f"set `targetPort: {sp.target}` (the container port it sends to)"
                )
                break
    else:
        for svc in selected:
            sp = service_port(svc, text)
            if sp is not None:
                message += (
                    f"; `{text}` is the name of Service port {sp.label} of `{svc.name}`, and "
                    "`targetPort` is the pods' port"
                )
                hint = f"set `port: {text}` instead of `targetPort`"
                break
        if hint is None:
            hint = did_you_mean(text, {p.name for p in declared if p.name})
    return problem(
        obj, scalar, message, hint=hint, related=_container_ports(pods), level=scope.level,
        about=[s.obj for s in selected], key=f"{ep.where}.targetPort",
    )  # fmt: skip


# -- PodMonitor ----------------------------------------------------------------------------


def _pod_monitor(
    obj: K8sObject, selector: LabelSelector, namespaces: list[str] | None, cluster: Cluster
) -> Iterator[Problem]:
    scope = _Scope(obj, namespaces, set(cluster.namespaces_with_pods()), "pod sources")
    pods = selected_pod_sources(cluster, obj)
    if not pods:
        yield _selects_no_pods(obj, selector, scope, cluster)
        return
    for ep in endpoints(obj):
        found = _pod_port(obj, ep, pods, scope, cluster)
        if found is not None:
            yield found


def _selects_no_pods(
    obj: K8sObject, selector: LabelSelector, scope: _Scope, cluster: Cluster
) -> Problem:
    ignored = _ignored_by(obj, cluster)
    if scope.blind:
        return problem(
            obj, selector_node(obj),
            scope.blind_message(selector, ignored),
            level="info", key="selector",
        )  # fmt: skip
    lead = f"selector `{selector}` of PodMonitor `{obj.name}` matches the labels of no pod template"
    owner = _operator_owner(selector, scope.namespaces, cluster)
    if owner is not None:
        owner_obj, labels = owner
        return problem(
            obj, selector_node(obj),
            f"{lead} in {scope.where()}{ignored}; {owner_obj.kind} `{owner_obj.name}` carries "
            "these labels in its pod metadata, so its operator probably creates the pods",
            related=[Related(owner_obj, labels, f"pod metadata labels of {owner_obj.ref}")],
            level="info", key="selector",
        )  # fmt: skip
    message = f"{lead} in {scope.where()}{ignored}"
    message += f"; {scope.missing()} whether it selects any" if scope.unseen else ", so "
    message += "" if scope.unseen else "Prometheus discovers no targets for it"
    node = selector_node(obj)
    hint: str | None = None
    related: list[Related] = []
    positive = any(r.operator in _POSITIVE for r in selector.requirements)
    services = [s for s in services_in(cluster, scope.namespaces) if service_matches(selector, s)]
    others = (
        [
            ps
            for ps in cluster.pod_sources
            if ps.namespace not in scope.namespaces and pod_labels_match(selector, ps)
        ]
        if positive and scope.namespaces is not None
        else []
    )
    if positive and services:
        svc = services[0]
        message += f"; it matches the labels of Service `{svc.name}`"
        if not is_builtin(svc.obj):
            related.append(Related(svc.obj, _labels_node(svc.obj), f"labels of {svc.obj.ref}"))
        pods = ", ".join(f"`{k}: {v}`" for k, v in (svc.selector or {}).items())
        hint = (
            "a PodMonitor selects pods by their own labels: select the labels of the pods "
            f"behind Service `{svc.name}`"
            + (f" ({pods}, its `spec.selector`)" if pods else "")
            + ", or scrape the Service with a ServiceMonitor"
        )
    elif others:
        ps = others[0]
        message += (
            f"; {ps.kind} `{ps.namespace}/{ps.obj.name}` matches outside the watched namespaces"
        )
        hint = _namespace_hint(obj, [ps.namespace], cluster)
    else:
        nearest = nearest_labels(
            selector, pod_sources_in(cluster, scope.namespaces), lambda p: p.labels
        )
        if nearest is not None:
            ps, failing = nearest
            message += f"; nearest is {ps.kind} `{ps.obj.name}`: {_describe(failing, ps.labels)}"
            related.append(Related(ps.obj, ps.labels_node, f"pod labels of {ps.obj.ref}"))
            hint = _typo_hint(failing, ps.labels, ps.obj.ref)
            if len(failing) == 1:
                node = failing[0].node
        if hint is None:  # nothing says the selector is wrong: an operator may make the pods
            unsure = _operator(obj, scope, selector, cluster, "pods")
            if unsure is not None:
                return unsure
    return problem(
        obj, node, message, hint=hint, related=related, level=scope.level, key="selector"
    )


def _operator_owner(
    selector: LabelSelector, namespaces: list[str] | None, cluster: Cluster
) -> tuple[K8sObject, Node] | None:
    """A custom resource whose pod metadata carries labels the selector matches (ground rule
    "operator-owned pods"): its operator creates pods no manifest holds."""
    if not any(r.operator in _POSITIVE for r in selector.requirements):
        return None
    names = namespaces if namespaces is not None else sorted(cluster.namespaces_with_pods())
    for ns in names:
        for owner, labels in cluster.owner_candidates(ns):
            if selector.matches(_text_map(labels.values)):
                return owner, labels
    return None


def _pod_port(
    obj: K8sObject, ep: Endpoint, pods: list[PodSource], scope: _Scope, cluster: Cluster
) -> Problem | None:
    if ep.filter == "port" and ep.port is not None:
        scalar, field, by_number = ep.port, "port", False
    elif ep.filter == "portNumber" and ep.port_number is not None:
        scalar, field, by_number = ep.port_number, "portNumber", True
    else:
        return None
    if by_number and type(scalar.value) is not int:
        return None  # the CRD rejects a portNumber that is not an integer
    text = scalar.text
    pattern = port_pattern(text)
    if unrendered(text) or pattern is None:
        return None
    find = declaring_number if by_number else declaring_name
    if any(find(ps, pattern) for ps in pods):
        return None
    declared = [p for ps in pods for p in declared_ports(ps)]
    what = f"a port numbered {text}" if by_number else f"a port named `{text}`"
    message = (
        f"`{ep.where}.{field}: {_written(scalar)}` of PodMonitor `{obj.name}`: no container of "
        f"the pods it selects ({_pod_names(pods)}) declares {what} (their ports: "
        f"{_declared_list(declared)})"
    )
    message += _consequence(scope)
    hint: str | None = None
    services = [s for ps in pods for s in cluster.services_selecting(ps)]
    if not by_number and text.isdigit() and any(p.number == int(text) for p in declared):
        message += f"; `{text}` is a port number, and `port` takes a container port's name"
        hint = f"set `portNumber: {text}` instead of `port`"
    elif not by_number:
        for svc in services:
            sp = service_port(svc, text)
            if sp is not None:
                message += (
                    f"; `{text}` is the name of Service port {sp.label} of `{svc.name}`, and a "
                    "PodMonitor scrapes the pods' ports"
                )
                pod_side = _pod_side_name(sp.target, declared)
                hint = (
                    f"set `port: {pod_side}` (the container port it sends to)"
                    if pod_side is not None
                    else "name the container port and set `port` to that name, or scrape the "
                    "Service with a ServiceMonitor"
                )
                break
        if hint is None:
            hint = did_you_mean(text, {p.name for p in declared if p.name})
    else:
        for svc in services:
            sp = service_port(svc, int(text))
            if sp is not None and isinstance(sp.target, int):
                message += f"; `{text}` is Service port {sp.label} of `{svc.name}`"
                hint = f"set `portNumber: {sp.target}` (the container port it sends to)"
                break
    return problem(
        obj, scalar, message, hint=hint, related=_container_ports(pods), level=scope.level,
        about=[ps.obj for ps in pods], key=f"{ep.where}.{field}",
    )  # fmt: skip


# -- wording -------------------------------------------------------------------------------


def _holding(scope: _Scope, found: list[K8sObject], lead: bool = False) -> str:
    """`, which holds Kafka `main` (kafka.strimzi.io)`: the custom resources of the namespaces
    watched, the one the selector points at first."""
    cr = found[0]
    more = len(found) - 1
    what = f"{cr.kind} `{cr.name}` ({cr.group})" + (
        f" and {more} more custom resource{'s' if more > 1 else ''}"
        if more
        else ", a custom resource"
    )
    if not lead and scope.namespaces == [cr.namespace]:
        return f", which holds {what}"
    return f"{'' if lead else ';'} namespace `{cr.namespace}` holds {what}".lstrip()


def _operators(found: list[K8sObject]) -> str:
    return "operators" if len(found) > 1 else "operator"


def _consequence(scope: _Scope) -> str:
    if scope.unseen:
        return f"; {scope.missing()} whether another {scope.what[:-1]} has it"
    return ", so Prometheus discovers no targets for this endpoint"


def _written(scalar: Scalar) -> str:
    """The value as written, quotes kept on a quoted number (which is read as a name)."""
    quoted = isinstance(scalar.value, str) and scalar.text.isdigit()
    return f'"{scalar.text}"' if quoted else scalar.text


def _namespace_hint(obj: K8sObject, namespaces: list[str], cluster: Cluster) -> str:
    """How to make the monitor watch the namespaces where its selector does match."""
    servers = ignoring_namespace_selectors(cluster)
    listed = quote_list(namespaces)
    if servers:
        return (
            f"{servers[0].kind} `{servers[0].name}` reads monitors in their own namespace only: "
            f"create the {obj.kind} in {listed}, or unset `ignoreNamespaceSelectors`"
        )
    if _has_ns_selector(obj):
        return f"list {listed} in `namespaceSelector.matchNames`"
    return (
        f"a {obj.kind} without `namespaceSelector` watches its own namespace only: list "
        f"{listed} in `namespaceSelector.matchNames`"
    )


def _has_ns_selector(obj: K8sObject) -> bool:
    spec = obj.spec
    return spec is not None and "namespaceSelector" in spec


def _labels_node(obj: K8sObject) -> Node:
    meta = obj.meta
    if meta is None:
        return obj.root
    return meta.key_node("labels") if "labels" in meta else meta


def _ports_node(svc: Service) -> Node:
    spec = svc.spec
    if spec is not None and "ports" in spec:
        return spec.key_node("ports")
    return svc.obj.name_node()


def _container_ports(pods: list[PodSource]) -> list[Related]:
    return [
        Related(ps.obj, c.ports_node, f"ports of container `{c.name}` of {ps.obj.ref}")
        for ps in pods[:3]
        for c in ps.containers[:1]
    ]


def _text_map(values: dict[str, Node]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, node in values.items():
        if isinstance(node, Scalar):
            out[key] = "" if node.value is None else node.text
    return out


def _services_ports(services: list[Service]) -> str:
    """`the Service it selects, `api` (its ports: ...)` or `the 3 Services it selects (...)`."""
    if len(services) == 1:
        svc = services[0]
        return f"the Service it selects, `{svc.name}` (its ports: {port_list(svc)})"
    shown = "; ".join(f"`{s.name}`: {port_list(s, 4)}" for s in services[:3])
    more = f"; and {len(services) - 3} more" if len(services) > 3 else ""
    return f"the {len(services)} Services it selects ({shown}{more})"


def _service_names(services: list[Service]) -> str:
    if len(services) == 1:
        return f"the Service it selects, `{services[0].name}`,"
    return f"the {len(services)} Services it selects ({quote_list(s.name for s in services)})"


def _pod_names(pods: list[PodSource]) -> str:
    labels = pod_source_labels(pods[:3])
    names = [labels[id(ps)] for ps in pods[:3]]
    more = f" and {len(pods) - 3} more" if len(pods) > 3 else ""
    return ", ".join(names) + more


def _declared_list(declared: list[DeclaredPort]) -> str:
    shown = []
    for p in declared:
        label = f"`{p.name}` ({p.number})" if p.name else f"`{p.number}`"
        if label not in shown:
            shown.append(label)
    return (
        ", ".join(shown[:8]) + (f" and {len(shown) - 8} more" if len(shown) > 8 else "") or "none"
    )


def _name_it(name: str | None, target: int | str | None) -> str:
    if name:
        return f"set `port: {name}` (the Service port's name)"
    other = f"`targetPort: {target}`" if target is not None else "`targetPort`"
    return f"that Service port has no name: name it and set `port` to the name, or use {other}"


def _pod_side_name(target: int | str | None, declared: list[DeclaredPort]) -> str | None:
    if isinstance(target, str):
        return target
    for p in declared:
        if p.number == target and p.name:
            return p.name
    return None


def _labels_to_add(selector: LabelSelector, labels: dict[str, str]) -> str:
    missing = selector.failing(labels)
    if missing and all(r.operator == "In" and len(r.values) == 1 for r in missing):
        return ", ".join(f"`{r.key}: {next(iter(r.values))}`" for r in missing)
    return "labels the selector matches"


def _describe(failing: list[Requirement], labels: dict[str, str]) -> str:
    parts = []
    for r in failing:
        if r.operator in ("In", "NotIn") and r.key in labels:
            parts.append(f"`{r.key}` is `{labels[r.key]}`")
        elif r.operator == "DoesNotExist":
            parts.append(f"it has `{r.key}`")
        else:
            parts.append(f"no `{r.key}` label")
    return ", ".join(parts)


def _typo_hint(failing: list[Requirement], labels: dict[str, str], owner: str) -> str | None:
    """Did you mean the nearest object's label, when one `key: value` is a slip away from it."""
    req = failing[0] if len(failing) == 1 else None
    if req is None or req.operator != "In" or len(req.values) != 1:
        return None
    slip = label_slip(req.key, next(iter(req.values)), labels)
    return None if slip is None else f"did you mean `{slip[0]}: {slip[1]}`? ({owner} has it)"


def _elsewhere(
    selector: LabelSelector, namespaces: list[str] | None, cluster: Cluster
) -> list[Service]:
    """Services outside the watched namespaces that the selector matches (only for selectors
    asking for a label: `NotIn`/`DoesNotExist` alone match unrelated Services)."""
    if namespaces is None or not any(r.operator in _POSITIVE for r in selector.requirements):
        return []
    return [
        s
        for s in cluster.services
        if s.namespace not in namespaces and service_matches(selector, s)
    ]
