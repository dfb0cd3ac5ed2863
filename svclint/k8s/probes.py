"""Container probes as the kubelet runs them.

A probe has exactly one handler (`httpGet`, `tcpSocket`, `grpc`, `exec`; the API rejects none or
several). The port of `httpGet` and `tcpSocket` is a number or a port *name*, which the prober
looks up in the probed container's own `ports` only (any protocol); `grpc.port` is always a
number. `readinessProbe: null` is the same as no probe.
"""

from __future__ import annotations

from typing import NamedTuple

from ..model.nodes import Map, Node, Scalar
from ..model.workloads import Container, ContainerPort

HANDLERS = ("httpGet", "tcpSocket", "grpc", "exec")
NAMED_PORT_HANDLERS = ("httpGet", "tcpSocket")  # grpc.port is an int32: never a name


def has_probe(c: Container, kind: str) -> bool:
    """Whether the container has this probe (`null` counts as none; another non-mapping value is
    the schema's concern, and counts as one)."""
    value = c.node.get(kind)
    return value is not None and not (isinstance(value, Scalar) and value.value is None)


class ProbePort(NamedTuple):
    """A probe's handler and the port it checks."""

    handler: str | None  # None: no handler, or several (the API rejects the probe)
    port: int | str | None  # as written; None for exec, or a malformed port
    number: int | None  # the port number: a name resolved in the probed container
    node: Node | None  # where `port` is written


def probe_port(c: Container, kind: str) -> ProbePort | None:
    """The handler and port of one of the container's probes; None when it has no such probe."""
    probe = c.probe(kind)
    if probe is None:
        return None
    handlers = [h for h in HANDLERS if h in probe]
    if len(handlers) != 1:
        return ProbePort(None, None, None, None)
    handler = handlers[0]
    body = probe.map(handler)
    node = body.get("port") if body is not None and handler != "exec" else None
    port: int | str | None = None
    if isinstance(node, Scalar) and isinstance(node.value, (int, str)):
        port = None if isinstance(node.value, bool) else node.value
    number = port if isinstance(port, int) else None
    if isinstance(port, str):
        hit = named_port(c, port)
        number = hit.number if hit is not None else None
    return ProbePort(handler, port, number, node)


def named_port(c: Container, name: str) -> ContainerPort | None:
    """The prober's lookup of a port name: the probed container's own port of that name (any
    protocol; other containers of the pod are never searched)."""
    return next((p for p in c.ports if p.name == name), None)


def body(c: Container, kind: str) -> Map | None:
    """The handler mapping of a probe (`httpGet: {...}`), when it has exactly one handler."""
    probe = c.probe(kind)
    if probe is None:
        return None
    handlers = [h for h in HANDLERS if h in probe]
    return probe.map(handlers[0]) if len(handlers) == 1 else None
