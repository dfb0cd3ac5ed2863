"""A nodePort outside the node port range, or one node port claimed by two Services.

## What it checks

The node ports the API server would allocate for the linted Services, as its allocator does on
create: every explicit `nodePort` of a `NodePort` or `LoadBalancer` Service (ports with the same
`port` number share one node port, so `53/UDP` and `53/TCP` may both ask for `30053`), and the
`healthCheckNodePort` of a `LoadBalancer` Service with `externalTrafficPolicy: Local`, which comes
from the same pool.

- A value outside the node port range (`node-port-range` in the config, default 30000-32767, the
  API server's `--service-node-port-range` default).
- A value claimed by two different Services of the linted set, whatever their namespaces and
  protocols: the allocator is one cluster-wide pool of numbers, so a UDP node port cannot reuse a
  number a TCP node port of another Service holds. The finding is on the later claim (in file and
  line order), with the first one as related location. Several definitions of the same Service
  (same namespace and name, e.g. one bundle linted twice) are one Service here:
  `duplicate-object` reports the duplicate.
- Within one Service, a node port claimed by two ports with different `port` numbers and different
  protocols, or by a port and the health check: the allocator rejects the second even though
  validation would accept it. (Two ports with the same protocol and node port are
  `service-spec-invalid`'s business.)

A `nodePort` on a ClusterIP Service is `service-spec-invalid`'s business; on an ExternalName
Service nothing allocates it.

## Why it matters

Node ports are allocated cluster-wide when the Service is created. A value outside the range
fails with "provided port is not in the valid range", and a value another Service holds with
"provided port is already allocated": the second `kubectl apply` (or Helm release) fails, often
only in the cluster where both charts meet.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - port: 80
      nodePort: 8080
```

## Fix

Pick a port inside the range, or leave `nodePort` out to have a free one allocated:

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - port: 80
      nodePort: 30080
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from svclint.api import Cluster, Node, Problem, Related, Scalar, Service, ServicePort, problem

ID = "service-nodeport-conflict"
LEVEL = "error"
ENABLED = True
TARGET = "cluster"
KINDS = ("Service",)

ALLOCATING_TYPES = ("NodePort", "LoadBalancer")


class Claim(NamedTuple):
    """One `Allocate(number)` the API server's allocator would make for a Service."""

    svc: Service
    number: int
    node: Node
    what: str  # how the message names the field: "`nodePort` of port `http` (80/TCP)"
    protocol: str | None  # None: the health check node port

    @property
    def owner(self) -> str:
        return f"Service `{_ref(self.svc)}`"


def check(cluster: Cluster, _: Cluster) -> Iterator[Problem]:
    lo, hi = cluster.options.node_port_range
    # Context files first: they stand for what the cluster already holds.
    services = sorted(
        cluster.services,
        key=lambda s: (not s.obj.file.context_only, s.obj.file.path, s.obj.root.line),
    )
    first_claims: dict[int, tuple[object, Claim]] = {}  # number -> (identity, first claim)
    reported: set[tuple[int, object]] = set()
    for svc in services:
        identity: object = (svc.namespace, svc.name) if svc.name else id(svc.obj)
        own: dict[int, Claim] = {}
        for claim in _claims(svc):
            if not lo <= claim.number <= hi:
                yield _out_of_range(claim, lo, hi)
                continue
            earlier = own.get(claim.number)
            if earlier is not None:
                if earlier.protocol is None or claim.protocol != earlier.protocol:
                    yield _within(claim, earlier)
                continue  # the same (nodePort, protocol) twice is service-spec-invalid's
            own[claim.number] = claim
            holder = first_claims.get(claim.number)
            if holder is None:
                first_claims[claim.number] = (identity, claim)
            elif holder[0] != identity and (claim.number, identity) not in reported:
                reported.add((claim.number, identity))
                yield _across(claim, holder[1])


def _claims(svc: Service) -> Iterator[Claim]:
    """The allocator's explicit requests for `svc`, in order (initNodePorts, then health check)."""
    spec = svc.spec
    if spec is None or svc.type not in ALLOCATING_TYPES:
        return
    allocate_all = svc.type == "NodePort" or spec.get_bool("allocateLoadBalancerNodePorts") in (
        None,
        True,
    )
    ports = [(sp, _node_port(sp.node.get("nodePort"))) for sp in svc.ports]
    by_port: dict[int, int] = {}  # port -> node port it got (-1: auto-allocated)
    for sp, number in ports:
        if number == 0 and not allocate_all:
            continue  # no allocation requested nor needed
        port = sp.port or 0
        got = by_port.get(port, 0)
        if got == 0:
            # The first explicit nodePort among the ports with this `port` number is shared.
            first = next(((p, n) for p, n in ports if (p.port or 0) == port and n != 0), None)
            if first is None:
                by_port[port] = -1
                continue
            by_port[port] = first[1]
            yield _port_claim(svc, first[0], first[1])
        elif number not in (0, got):
            yield _port_claim(svc, sp, number)
    if svc.type == "LoadBalancer" and spec.get_str("externalTrafficPolicy") == "Local":
        number = _node_port(spec.get("healthCheckNodePort"))
        if number != 0:
            yield Claim(svc, number, spec.at("healthCheckNodePort"), "`healthCheckNodePort`", None)


def _node_port(node: Node | None) -> int:
    """The requested node port; 0 (allocate one) when unset or of a type the API rejects."""
    if isinstance(node, Scalar) and type(node.value) is int:
        return node.value
    return 0


def _port_claim(svc: Service, sp: ServicePort, number: int) -> Claim:
    shown = f"{'?' if sp.port is None else sp.port}/{sp.protocol}"
    label = f"`{sp.name}` ({shown})" if sp.name else f"`{shown}`"
    return Claim(svc, number, sp.node.at("nodePort"), f"`nodePort` of port {label}", sp.protocol)


def _ref(svc: Service) -> str:
    return f"{svc.namespace}/{svc.name}" if svc.namespace else svc.name


def _where(claim: Claim) -> str:
    return f"{claim.svc.obj.file.path}:{claim.node.line}"


def _out_of_range(claim: Claim, lo: int, hi: int) -> Problem:
    reason = f"provided port is not in the valid range. The range of valid ports is {lo}-{hi}"
    if not 1 <= claim.number <= 65535:
        reason = f"it is not a port number at all; {reason}"
    return problem(
        claim.svc.obj, claim.node,
        f"{claim.what} of {claim.svc.type} {claim.owner} is `{claim.number}`, outside the node "
        f"port range {lo}-{hi}: {reason}",
        hint=f"pick a port in {lo}-{hi}, or omit it to have a free one allocated; if the "
        "cluster's --service-node-port-range differs, set `node-port-range` in .svclint.yaml",
    )  # fmt: skip


def _within(claim: Claim, earlier: Claim) -> Problem:
    rule = (
        "the health check needs a node port of its own"
        if claim.protocol is None
        else "only ports with the same `port` number may share one"
    )
    return problem(
        claim.svc.obj, claim.node,
        f"{claim.what} of {claim.owner} asks for node port `{claim.number}`, already claimed by "
        f"{earlier.what} of the same Service: the allocator hands out node ports by number, "
        f"whatever the protocol, and rejects the second (provided port is already allocated); "
        f"{rule}",
        hint="give it its own nodePort, or omit it to have a free one allocated",
        related=[Related(claim.svc.obj, earlier.node, f"`{claim.number}` first claimed here")],
    )  # fmt: skip


def _across(claim: Claim, first: Claim) -> Problem:
    protocols = ""
    if None not in (claim.protocol, first.protocol) and claim.protocol != first.protocol:
        protocols = (
            f" (the protocols differ, {first.protocol} and {claim.protocol}, but node ports are "
            "allocated by number alone)"
        )
    return problem(
        claim.svc.obj, claim.node,
        f"{claim.what} of {claim.owner} is `{claim.number}`, already claimed by {first.what} of "
        f"{first.owner} ({_where(first)}): node ports are cluster-wide, so creating the second "
        f"fails with \"provided port is already allocated\"{protocols}",
        hint="pick another nodePort, or omit it to have a free one allocated",
        related=[Related(first.svc.obj, first.node, f"`{claim.number}` of {first.owner}")],
    )  # fmt: skip
