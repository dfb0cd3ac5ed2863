"""Where a Service port's traffic lands on a pod: FindPort, and the ports that can be judged.

The EndpointSlice controller resolves each Service port per pod (`FindPort` in
k8s.io/endpointslice and pkg/api/v1/pod): a numeric `targetPort` is used as it is, declared or
not; a named one is the first container port with that `name` and the Service port's `protocol`,
regular containers first, then native sidecars (init containers with `restartPolicy: Always`).
A pod without such a port gets no endpoint for that Service port. Ordinary init containers are
never searched: they have exited before the pod serves.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..model.nodes import Map
from ..model.services import Service, ServicePort
from ..model.workloads import Container, ContainerPort, PodSource

PROTOCOLS = ("TCP", "UDP", "SCTP")  # what the API accepts for a Service or container port
# Unrendered template text (`${PORT}`, `{{ .Values.port }}`, `<port>`): not a name anyone declares.
_PLACEHOLDER = re.compile(r"[${}<>%]")


def unrendered(text: str) -> bool:
    """Template text left in a value (`${PORT}`, `{{ .Values.port }}`, `<port>`, `%s`)."""
    return _PLACEHOLDER.search(text) is not None


def judgeable(sp: ServicePort) -> bool:
    """Whether resolving the port says anything: it has a numeric `port`, a protocol the API
    accepts and a target that is not template text. Anything else the API rejects
    (service-spec-invalid) or is not rendered yet."""
    target = sp.target
    return (
        sp.port is not None
        and sp.protocol in PROTOCOLS
        and not (isinstance(target, str) and unrendered(target))
    )


def quoted_number(target: int | str | None) -> bool:
    """`targetPort: "8080"`: a string of digits, which Kubernetes reads as a port *name*."""
    return isinstance(target, str) and target.isdigit()


def find_port(ps: PodSource, name: str, protocol: str) -> tuple[Container, ContainerPort] | None:
    """FindPort for a named port: the first container port (regular containers, then native
    sidecars) with this name and protocol."""
    for c in ps.containers:
        for p in c.ports:
            if p.name == name and p.protocol == protocol:
                return c, p
    return None


def ports_named(ps: PodSource, name: str) -> list[tuple[Container, ContainerPort]]:
    """Every container port with this name, whatever its protocol."""
    return [(c, p) for c in ps.containers for p in c.ports if p.name == name]


def declaring(ps: PodSource, number: int, protocol: str) -> list[tuple[Container, ContainerPort]]:
    """The container ports declaring this number with this protocol."""
    return [
        (c, p)
        for c in ps.containers
        for p in c.ports
        if p.number == number and p.protocol == protocol
    ]


def init_ports(ps: PodSource, name: str, protocol: str) -> list[tuple[str, Map]]:
    """(container name, port) of ordinary init containers declaring this name and protocol:
    FindPort skips them, and they serve no traffic."""
    out: list[tuple[str, Map]] = []
    init = ps.spec.seq("initContainers") if ps.spec is not None else None
    for c in init.maps() if init is not None else ():
        if c.get_str("restartPolicy") == "Always":
            continue  # a native sidecar: among ps.containers already
        ports = c.seq("ports")
        for p in ports.maps() if ports is not None else ():
            if p.text("name") == name and (p.text("protocol") or "TCP") == protocol:
                out.append((c.text("name") or "", p))
    return out


class Landing(NamedTuple):
    """Where one Service port's traffic arrives on the pods of one pod source."""

    ok: bool  # the pods get an endpoint for this Service port
    number: int | None  # the pod-side port number (None when unknown)
    container: Container | None  # the container serving it, when svclint can tell
    port: ContainerPort | None  # the declaring container port, when there is one
    other_protocols: tuple[str, ...]  # a named target declared only with these protocols
    init_container: str | None  # a named target declared only by this ordinary init container


def land(sp: ServicePort, ps: PodSource) -> Landing:
    """FindPort for one Service port on one pod source."""
    target = sp.target
    if target is None or (isinstance(target, str) and quoted_number(target)):
        return Landing(False, None, None, None, (), None)  # rejected, or a name nobody has
    if isinstance(target, int):
        hits = declaring(ps, target, sp.protocol)
        if hits:
            c, p = hits[0]
            return Landing(True, target, c, p, (), None)
        regular = [c for c in ps.containers if not c.sidecar]
        only = regular[0] if len(regular) == 1 and len(ps.containers) == 1 else None
        others = tuple(
            sorted({p.protocol for c in ps.containers for p in c.ports if p.number == target})
        )
        return Landing(True, target, only, None, others, None)
    found = find_port(ps, target, sp.protocol)
    if found is not None:
        c, p = found
        return Landing(True, p.number, c, p, (), None)
    others = tuple(sorted({p.protocol for _, p in ports_named(ps, target)}))
    init = init_ports(ps, target, sp.protocol) if not others else []
    return Landing(False, None, None, None, others, init[0][0] if init else None)


def pod_port_names(sp: ServicePort, ps: PodSource, number: int | None) -> frozenset[str]:
    """The container port names the traffic of `sp` arrives on (what a NetworkPolicy port given
    by name is matched against): the named target, or the names declaring the number."""
    if isinstance(sp.target, str):
        return frozenset({sp.target})
    return frozenset(
        p.name
        for c in ps.containers
        for p in c.ports
        if p.number == number and p.protocol == sp.protocol and p.name
    )


def service_port(svc: Service, ref: int | str) -> ServicePort | None:
    """The Service port a reference names: a number is the Service `port` (never its
    targetPort or nodePort), a string the port's `name`."""
    for sp in svc.ports:
        if (isinstance(ref, int) and sp.port == ref) or (isinstance(ref, str) and sp.name == ref):
            return sp
    return None
