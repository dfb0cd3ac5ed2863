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

from svclint.api import Cluster, Node, PodSource, Problem, Related, Service, ServicePort, problem
from svclint.k8s.netpolicy import Policy, host_network, isolating
from svclint.k8s.ports import find_port, pod_port_names

ID = "networkpolicy-blocks-service"
LEVEL = "warning"
ENABLED = True
TARGET = "services"
KINDS = ("NetworkPolicy",)


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    if not svc.ports:
        return
    pods = [ps for ps in cluster.pods_for(svc) if not host_network(ps)]
    isolated = {id(ps): isolating(cluster, ps) for ps in pods}
    if not any(isolated.values()):
        return
    for sp in svc.ports:
        blocked: list[tuple[PodSource, str, list[Policy], int | None]] = []
        open_pods: list[PodSource] = []
        for ps in pods:
            number = _pod_port(sp, ps)
            if number is False:
                continue  # an unresolvable targetPort is service-targetport-not-found's business
            names = pod_port_names(sp, ps, number)
            policies = isolated[id(ps)]
            if not policies or any(
                p.allowing(sp.protocol, number, names) is not None for p in policies
            ):
                open_pods.append(ps)
                continue
            blocked.append((ps, _describe(sp, number), policies, number))
        if blocked:
            yield _finding(svc, sp, blocked, open_pods)


def _pod_port(sp: ServicePort, ps: PodSource) -> int | bool | None:
    """The pod-side port number (None when a named port declares none); False when a named
    targetPort resolves to nothing."""
    if isinstance(sp.target, int):
        return sp.target
    if isinstance(sp.target, str):
        found = find_port(ps, sp.target, sp.protocol)
        if found is not None:
            return found[1].number
    return False


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
        Related(p.obj, _anchor(p), f"{p.obj.ref} selects these pods; {_summary(p)}")
        for p in policies
    ]
    numbers = {n for _, _, _, n in blocked}
    return problem(
        svc.obj, sp.target_node, message, hint=_hint(sp, policies, numbers), related=related,
        about=[ps.obj for ps, _, _, _ in blocked], key=sp.key,
    )  # fmt: skip


def _anchor(pol: Policy) -> Node:
    """Where related locations point: the policy's `ingress:`, else its name."""
    spec = pol.obj.spec
    if spec is not None and "ingress" in spec:
        return spec.key_node("ingress")
    return pol.obj.name_node()


def _summary(pol: Policy) -> str:
    if pol.specless:
        return "it has no `spec`, so it selects every pod and allows nothing"
    if not pol.rules:
        return "it has no ingress rules, so it allows nothing"
    allowed = list(dict.fromkeys(str(p) for rule in pol.rules for p in rule.ports or ()))
    shown = ", ".join(allowed[:6]) + (f" and {len(allowed) - 6} more" if len(allowed) > 6 else "")
    return f"its ingress rules allow only {shown}"


def _hint(sp: ServicePort, policies: list[Policy], numbers: set[int | None]) -> str | None:
    target = next(iter(numbers)) if len(numbers) == 1 else None
    want = f"`port: {target}`" if target is not None else "the pod's port"
    if isinstance(sp.target, str):
        want = f"`port: {sp.target}`" + (f" (or `port: {target}`)" if target is not None else "")
    if sp.protocol != "TCP":
        want += f" with `protocol: {sp.protocol}`"
    entries = [(pol, p) for pol in policies for rule in pol.rules for p in rule.ports or ()]
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
