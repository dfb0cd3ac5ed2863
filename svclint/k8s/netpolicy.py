"""NetworkPolicy (networking.k8s.io/v1) read as the API server reads it.

`policyTypes` omitted or empty: Ingress always, Egress when there is an `egress` section. An
omitted `podSelector` is the empty selector (every pod of the namespace); a policy without
`spec` selects every pod and allows nothing. In an ingress rule, `ports` omitted or empty means
every port, and a port entry defaults to TCP. A policy the API would reject raises
`InvalidPolicy`: it never exists, so it isolates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..model.nodes import Map, Node, Scalar, Seq
from ..model.objects import K8sObject
from .selectors import LabelSelector, parse_selector


class InvalidPolicy(Exception):
    """The API server would reject the policy; the message says why."""


class PolicyPort(NamedTuple):
    """A port (or range, or name) a NetworkPolicy ingress rule admits."""

    protocol: str
    port: int | str | None  # None: every port of the protocol; str: a container port name
    end: int | None

    def allows(self, protocol: str, number: int | None, names: frozenset[str]) -> bool:
        """Whether it admits a pod port (its number, and the container port names it has)."""
        if protocol != self.protocol:
            return False
        if self.port is None:
            return True
        if isinstance(self.port, str):
            return self.port in names
        if number is None:
            return False
        if self.end is not None:
            return self.port <= number <= self.end
        return number == self.port

    def __str__(self) -> str:
        if self.port is None:
            return f"all {self.protocol} ports"
        if isinstance(self.port, str):
            return f"{self.protocol} `{self.port}`"
        if self.end is not None:
            return f"{self.protocol} {self.port}-{self.end}"
        return f"{self.protocol} {self.port}"


@dataclass(slots=True)
class IngressRule:
    """One ingress rule: the ports it admits."""

    ports: list[PolicyPort] | None  # None: every port
    node: Map | None  # the rule as written (None: a null rule, which allows everything)


@dataclass(slots=True)
class Policy:
    """A NetworkPolicy's pod selector, isolation and ingress rules."""

    selector: LabelSelector
    ingress: bool  # isolates the pods it selects for ingress
    egress: bool
    rules: list[IngressRule]
    specless: bool  # no `spec` at all


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, Scalar) and node.value is None)


def parse_policy(obj: K8sObject) -> Policy:
    spec = obj.root.get("spec")
    if is_null(spec):
        return Policy(LabelSelector((), ()), True, False, [], True)
    if not isinstance(spec, Map):
        raise InvalidPolicy("`spec` is not a mapping")
    ingress, egress = _types(spec)
    return Policy(_selector(spec.get("podSelector")), ingress, egress, _rules(spec), False)


def _types(spec: Map) -> tuple[bool, bool]:
    node = spec.get("policyTypes")
    if is_null(node) or (isinstance(node, Seq) and len(node) == 0):
        return True, not is_null(spec.get("egress"))
    if not isinstance(node, Seq):
        raise InvalidPolicy("`policyTypes` is not a list")
    types = [item.value if isinstance(item, Scalar) else None for item in node]
    if any(t not in ("Ingress", "Egress") for t in types):
        raise InvalidPolicy("`policyTypes` holds a value other than Ingress or Egress")
    return "Ingress" in types, "Egress" in types


def _selector(node: Node | None) -> LabelSelector:
    if is_null(node):
        return LabelSelector((), ())  # omitted: the empty selector, every pod
    selector = parse_selector(node)
    if selector is None or selector.invalid:
        raise InvalidPolicy("malformed `podSelector`")
    return selector


def _rules(spec: Map) -> list[IngressRule]:
    node = spec.get("ingress")
    if is_null(node):
        return []  # isolated with no rules: the default-deny pattern
    if not isinstance(node, Seq):
        raise InvalidPolicy("`ingress` is not a list")
    rules: list[IngressRule] = []
    for item in node:
        if is_null(item):
            rules.append(IngressRule(None, None))  # decodes as `{}`: allows everything
        elif isinstance(item, Map):
            rules.append(IngressRule(_ports(item.get("ports")), item))
        else:
            raise InvalidPolicy("an `ingress` rule is not a mapping")
    return rules


def _ports(node: Node | None) -> list[PolicyPort] | None:
    if is_null(node) or (isinstance(node, Seq) and len(node) == 0):
        return None  # every port
    if not isinstance(node, Seq):
        raise InvalidPolicy("`ports` is not a list")
    out: list[PolicyPort] = []
    for item in node:
        if is_null(item):
            out.append(PolicyPort("TCP", None, None))  # defaulted: every TCP port
            continue
        if not isinstance(item, Map):
            raise InvalidPolicy("a `ports` entry is not a mapping")
        protocol = item.text("protocol") or "TCP"
        port_node = item.get("port")
        port: int | str | None = None
        if not is_null(port_node):
            value = port_node.value if isinstance(port_node, Scalar) else None
            if type(value) is int or (isinstance(value, str) and value and not value.isdigit()):
                port = value
            else:  # a float, a list, or a quoted number (not an IANA name)
                raise InvalidPolicy("a `port` that is neither a number nor a port name")
        end = None
        if not is_null(item.get("endPort")):
            end = item.get_int("endPort")
            if end is None or not isinstance(port, int) or end < port:
                raise InvalidPolicy("`endPort` without a numeric `port` at or below it")
        out.append(PolicyPort(protocol, port, end))
    return out
