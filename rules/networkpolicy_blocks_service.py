"""A Service port whose pods are isolated by NetworkPolicies that allow no traffic to it.

## What it checks

For every Service port and every pod source the Service selects (same namespace), svclint works
out the pod-side port the traffic arrives on: a numeric `targetPort` as is, a named one through
the pod's containers (the first container port with that name and the Service port's protocol,
regular containers before native sidecars, as the EndpointSlice controller resolves it).

The pods are *isolated for ingress* when a NetworkPolicy of the namespace selects them
(`spec.podSelector` is a label selector; `{}` selects every pod of the namespace) and has
`Ingress` in its effective `policyTypes` (when `policyTypes` is omitted, `Ingress` is always
included). The rule reports the Service port when the pods are isolated and no `ingress` rule of
any policy selecting them allows that port:

- a rule without `ports` (or with an empty list) allows every port;
- a `ports` entry matches on `protocol` (default TCP) and then: no `port` (every port), the same
  number, a number within `port`..`endPort`, or a port name equal to the name of the container
  port the traffic arrives on (a numeric `port` also matches a named targetPort through the
  container's `containerPort`).

NetworkPolicy ports are the pod's ports (the Service's resolved `targetPort`), never the Service
`port`. The rule judges whether the port is reachable at all, so any `from` counts as allowing.
Pods with `hostNetwork: true` are skipped (most network plugins do not apply policies to them),
and a policy the API server would reject (a malformed selector, port or `policyTypes`) is
ignored. Policies are additive: one policy allowing the port is enough.

One finding per Service port, at its `targetPort` (or `port`), naming the blocked pod sources and
the policies that isolate them (related locations say what each policy allows); when some selected
pods accept the port, the message says so.

## Why it matters

An isolated pod accepts only what some ingress rule allows (plus traffic from its own node, such
as kubelet probes). The pods stay Ready and in the Service's endpoints, so nothing looks wrong,
but every connection through the Service to that port is silently dropped and clients time out.
A default-deny policy added without a matching allow rule, or an allow rule written with the
Service `port` instead of the container port, does exactly this.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
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
          image: "nginx:1.27"
          ports:
            - containerPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
spec:
  podSelector:
    matchLabels: {app: web}
  ingress:
    - ports:
        - port: 80
```

## Fix

Allow the port the pods listen on (the `targetPort`), by number or by container port name:

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
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
          image: "nginx:1.27"
          ports:
            - containerPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
spec:
  podSelector:
    matchLabels: {app: web}
  ingress:
    - ports:
        - port: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from svclint.api import (
    Graph,
    K8sObject,
    Node,
    PodSource,
    Problem,
    Related,
    Service,
    ServicePort,
    problem,
)
from svclint.k8s.netpolicy import InvalidPolicy, PolicyPort, parse_policy
from svclint.k8s.selectors import LabelSelector

ID = "networkpolicy-blocks-service"
LEVEL = "warning"
ENABLED = True
TARGET = "services"
KINDS = ("NetworkPolicy",)


@dataclass(slots=True, eq=False)
class Policy:
    """A NetworkPolicy that isolates pods for ingress, with the ports each rule admits."""

    obj: K8sObject
    order: int
    selector: LabelSelector
    rules: list[list[PolicyPort] | None]  # one per ingress rule; None: the rule allows every port
    anchor: Node  # where related locations point: `ingress:`, else the policy
    specless: bool = False  # no `spec` at all: every pod of the namespace, nothing allowed

    def allows(self, protocol: str, number: int | None, names: frozenset[str]) -> bool:
        return any(
            ports is None or any(p.allows(protocol, number, names) for p in ports)
            for ports in self.rules
        )

    def summary(self) -> str:
        if self.specless:
            return "it has no `spec`, so it selects every pod and allows nothing"
        if not self.rules:
            return "it has no ingress rules, so it allows nothing"
        allowed = list(dict.fromkeys(str(p) for ports in self.rules for p in ports or ()))
        shown = ", ".join(allowed[:6]) + (
            f" and {len(allowed) - 6} more" if len(allowed) > 6 else ""
        )
        return f"its ingress rules allow only {shown}"


@dataclass(slots=True)
class NamespacePolicies:
    """Policies of one namespace, indexed by one equality requirement each, so finding the
    policies that select a pod costs its labels' posting lists, not every policy."""

    keyed: dict[tuple[str, str], list[Policy]] = field(default_factory=dict)
    scan: list[Policy] = field(default_factory=list)  # `{}` and selectors without an `In`


@dataclass(slots=True)
class Index:
    """The run's policies by namespace, and the isolating ones per pod source."""

    namespaces: dict[str, NamespacePolicies]
    isolating: dict[int, list[Policy]] = field(default_factory=dict)  # per pod source id


def check(svc: Service, graph: Graph) -> Iterator[Problem]:
    if not svc.ports:
        return
    pods = [ps for ps in graph.pods_for(svc) if not _host_network(ps)]
    if not pods:
        return
    index = _index(graph)
    if svc.namespace not in index.namespaces:
        return
    isolated = {id(ps): _isolating(index, ps) for ps in pods}
    if not any(isolated.values()):
        return
    for sp in svc.ports:
        blocked: list[tuple[PodSource, str, list[Policy], int | None]] = []
        open_pods: list[PodSource] = []
        for ps in pods:
            target = _resolve(sp, ps)
            if target is None:
                continue  # an unresolvable targetPort is service-targetport-not-found's business
            number, names = target
            policies = isolated[id(ps)]
            if not policies or any(p.allows(sp.protocol, number, names) for p in policies):
                open_pods.append(ps)
                continue
            blocked.append((ps, _describe(sp, number), policies, number))
        if blocked:
            yield _finding(svc, sp, blocked, open_pods)


def _finding(
    svc: Service,
    sp: ServicePort,
    blocked: list[tuple[PodSource, str, list[Policy], int | None]],
    open_pods: list[PodSource],
) -> Problem:
    policies: list[Policy] = []
    for _, _, pols, _ in blocked:
        for pol in pols:
            if pol not in policies:
                policies.append(pol)
    targets = " / ".join(dict.fromkeys(desc for _, desc, _, _ in blocked))
    where = _names([ps for ps, _, _, _ in blocked])
    names = ", ".join(f"`{p.obj.name}`" for p in policies[:4])
    if len(policies) > 4:
        names += f" and {len(policies) - 4} more"
    which = "NetworkPolicies" if len(policies) > 1 else "NetworkPolicy"
    message = (
        f"port {sp.label} of Service `{svc.name}` sends to {targets} on {where}, which {which} "
        f"{names} isolate{'' if len(policies) > 1 else 's'} for ingress, and no ingress rule "
        "allows that port: the traffic is dropped"
    )
    if open_pods:
        message += f" (pods of {_names(open_pods)} accept it)"
    related = [
        Related(p.obj, p.anchor, f"{p.obj.ref} selects these pods; {p.summary()}") for p in policies
    ]
    numbers = {n for _, _, _, n in blocked}
    return problem(
        svc.obj, sp.target_node, message, hint=_hint(sp, policies, numbers), related=related
    )


def _hint(sp: ServicePort, policies: list[Policy], numbers: set[int | None]) -> str | None:
    target = next(iter(numbers)) if len(numbers) == 1 else None
    want = f"`port: {target}`" if target is not None else "the pod's port"
    if isinstance(sp.target, str):
        want = f"`port: {sp.target}`" + (f" (or `port: {target}`)" if target is not None else "")
    if sp.protocol != "TCP":
        want += f" with `protocol: {sp.protocol}`"
    entries = [(pol, p) for pol in policies for ports in pol.rules for p in ports or ()]
    for pol, entry in entries:
        # The classic mistake: allowing the Service's own port (number or name), not the pod's.
        service_side = (
            isinstance(entry.port, int) and entry.port == sp.port and sp.port != target
        ) or (isinstance(entry.port, str) and entry.port == sp.name and sp.name != sp.target)
        if entry.protocol == sp.protocol and service_side:
            return (
                f"NetworkPolicy `{pol.obj.name}` allows `{entry.port}`, the Service port; "
                f"NetworkPolicy ports are the pod's ports: allow {want}"
            )
    for pol, entry in entries:
        if entry.protocol != sp.protocol and entry.allows(entry.protocol, target, frozenset()):
            return (
                f"NetworkPolicy `{pol.obj.name}` allows {entry}, but this traffic is "
                f"{sp.protocol}: allow {want}"
            )
    with_rules = [p for p in policies if p.rules]
    if len(with_rules) == 1:
        return f"allow {want} in an ingress rule of NetworkPolicy `{with_rules[0].obj.name}`"
    if not with_rules:
        return f"add a NetworkPolicy selecting these pods with an ingress rule that allows {want}"
    return f"allow {want} in an ingress rule of one of these NetworkPolicies"


def _describe(sp: ServicePort, number: int | None) -> str:
    num = f"{sp.protocol} {number}" if number is not None else sp.protocol
    if isinstance(sp.target, str):
        return f"`{sp.target}` ({num})"
    return num


def _names(pods: list[PodSource]) -> str:
    # Several variants linted together can repeat a name: count them rather than repeat them.
    counts: dict[str, int] = {}
    for ps in pods:
        label = f"{ps.kind} `{ps.obj.name}`"
        counts[label] = counts.get(label, 0) + 1
    shown = [f"{k} ({n} objects)" if n > 1 else k for k, n in list(counts.items())[:4]]
    if len(counts) > 4:
        shown.append(f"{len(counts) - 4} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _host_network(ps: PodSource) -> bool:
    return ps.spec is not None and ps.spec.get_bool("hostNetwork") is True


def _resolve(sp: ServicePort, ps: PodSource) -> tuple[int | None, frozenset[str]] | None:
    """The pod-side port: its number (None when a named port declares none) and the names of
    the container ports carrying it (what a named NetworkPolicy port is matched against)."""
    target = sp.target
    if isinstance(target, int):
        names = frozenset(
            p.name
            for c in ps.containers
            for p in c.ports
            if p.number == target and p.protocol == sp.protocol and p.name
        )
        return target, names
    if isinstance(target, str):
        found = ps.find_port(target, sp.protocol)
        if found is not None:
            return found[1].number, frozenset({target})
    return None


# -- the policy index ---------------------------------------------------------------------


def _index(graph: Graph) -> Index:
    return graph.memo(ID, lambda: _build(graph))


def _build(graph: Graph) -> Index:
    groups = {"networking.k8s.io"}
    if graph.options.kubernetes_version < (1, 16):
        groups.add("extensions")  # served for NetworkPolicy until 1.16
    by_ns: dict[str, list[Policy]] = {}
    for order, obj in enumerate(graph.of_kind("NetworkPolicy")):
        if obj.group in groups:
            policy = _policy(obj, order)
            if policy is not None:
                by_ns.setdefault(obj.namespace, []).append(policy)
    return Index({ns: _index_namespace(policies) for ns, policies in by_ns.items()})


def _index_namespace(policies: list[Policy]) -> NamespacePolicies:
    freq: dict[tuple[str, str], int] = {}
    for pol in policies:
        for req in pol.selector.requirements:
            if req.operator == "In":
                for v in req.values:
                    freq[(req.key, v)] = freq.get((req.key, v), 0) + 1
    out = NamespacePolicies()
    for pol in policies:
        # A pod the policy selects carries (key, v) for some v of every `In` requirement, so
        # filing the policy under each value of one `In` requirement finds it; pick the rarest.
        reqs = [r for r in pol.selector.requirements if r.operator == "In"]
        if not reqs:
            out.scan.append(pol)
            continue
        best = min(reqs, key=lambda r: sum(freq[(r.key, v)] for v in r.values))
        for v in best.values:
            out.keyed.setdefault((best.key, v), []).append(pol)
    return out


def _isolating(index: Index, ps: PodSource) -> list[Policy]:
    """Policies of the pod source's namespace that select it with Ingress in policyTypes."""
    cached = index.isolating.get(id(ps))
    if cached is not None:
        return cached
    found: list[Policy] = []
    ns = index.namespaces.get(ps.namespace)
    if ns is not None:
        seen: set[int] = set()
        candidates = list(ns.scan)
        for item in ps.labels.items():
            candidates.extend(ns.keyed.get(item, ()))
        for pol in candidates:
            if id(pol) not in seen:
                seen.add(id(pol))
                if pol.selector.matches(ps.labels):
                    found.append(pol)
        found.sort(key=lambda p: p.order)
    index.isolating[id(ps)] = found
    return found


def _policy(obj: K8sObject, order: int) -> Policy | None:
    """The policy if it isolates pods for ingress (None for egress-only or rejected ones)."""
    try:
        parsed = parse_policy(obj)
    except InvalidPolicy:
        return None  # the API rejects it: it never exists, so it isolates nothing
    if not parsed.ingress:
        return None
    spec = obj.spec
    anchor = spec.key_node("ingress") if spec is not None and "ingress" in spec else obj.name_node()
    rules = [rule.ports for rule in parsed.rules]
    return Policy(obj, order, parsed.selector, rules, anchor, specless=parsed.specless)
