"""metav1.LabelSelector: parsing and matching, as `LabelSelectorAsSelector` and
`Requirement.Matches` define them.

- `matchLabels` entries are equality requirements; `matchExpressions` use In, NotIn, Exists,
  DoesNotExist; all requirements are ANDed.
- `In`: the label exists and its value is in the set. `NotIn`: absent, or not in the set.
- An empty selector (`{}`) selects everything; an absent (nil) selector selects nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from ..model.nodes import Map, Node, Scalar, Seq

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


class Requirement(NamedTuple):
    """One requirement of a label selector (`matchLabels` entries become `In`)."""

    key: str
    operator: str  # one of OPERATORS
    values: frozenset[str]
    node: Node  # where it is written (for messages)

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "In":
            return present and labels[self.key] in self.values
        if self.operator == "NotIn":
            return not present or labels[self.key] not in self.values
        if self.operator == "Exists":
            return present
        return not present  # DoesNotExist

    def __str__(self) -> str:
        if self.operator == "In" and len(self.values) == 1:
            return f"{self.key}={next(iter(self.values))}"
        if self.operator in ("Exists", "DoesNotExist"):
            return self.key if self.operator == "Exists" else f"!{self.key}"
        op = "in" if self.operator == "In" else "notin"
        return f"{self.key} {op} ({','.join(sorted(self.values))})"


class LabelSelector(NamedTuple):
    """A parsed label selector: its requirements and the malformed parts."""

    requirements: tuple[Requirement, ...]
    invalid: tuple[tuple[Node, str], ...]  # (where, why) for malformed requirements

    @property
    def empty(self) -> bool:
        """Selects every pod (`{}`), as the API reads an empty selector."""
        return not self.requirements and not self.invalid

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(r.matches(labels) for r in self.requirements)

    def failing(self, labels: Mapping[str, str]) -> list[Requirement]:
        return [r for r in self.requirements if not r.matches(labels)]

    def __str__(self) -> str:
        return ", ".join(str(r) for r in self.requirements) or "{}"


def equality_selector(pairs: Mapping[str, str], node: Node) -> LabelSelector:
    """A Service's `spec.selector` (plain `key: value` pairs, all required) as a LabelSelector."""
    reqs = tuple(Requirement(k, "In", frozenset({v}), node) for k, v in pairs.items())
    return LabelSelector(reqs, ())


def _text(node: Node | None) -> str | None:
    if isinstance(node, Scalar) and node.value is not None:
        return node.text
    return None


def parse_selector(node: Node | None) -> LabelSelector | None:
    """None for an absent or non-mapping selector (which selects nothing)."""
    if not isinstance(node, Map):
        return None
    reqs: list[Requirement] = []
    invalid: list[tuple[Node, str]] = []
    labels = node.map("matchLabels")
    if labels is not None:
        for key, value in labels.items():
            if not isinstance(value, Scalar):
                invalid.append((value, f"matchLabels `{key}` is not a string"))
                continue
            text = _text(value) or ""  # null decodes as "" into a map of strings
            reqs.append(Requirement(key, "In", frozenset({text}), value))
    exprs = node.seq("matchExpressions")
    if exprs is not None:
        for item in exprs:
            req = _expression(item, invalid)
            if req is not None:
                reqs.append(req)
    return LabelSelector(tuple(reqs), tuple(invalid))


def _expression(item: Node, invalid: list[tuple[Node, str]]) -> Requirement | None:
    if not isinstance(item, Map):
        invalid.append((item, "a matchExpressions entry is not a mapping"))
        return None
    key = item.text("key")
    op = item.text("operator")
    if key is None:
        invalid.append((item, "matchExpressions entry without `key`"))
        return None
    if op is None:
        invalid.append((item, "a matchExpressions entry without `operator`"))
        return None
    if op not in OPERATORS:
        invalid.append((item.at("operator"), f"`{op}` is not a valid selector operator"))
        return None
    values_node = item.seq("values")
    values = frozenset(
        t for v in (values_node or Seq([], 0, 0, 0, 0)) if (t := _text(v)) is not None
    )
    if op in ("In", "NotIn") and not values:
        invalid.append((item.at("values"), f"`values` must be set when `operator` is {op}"))
        return None
    if op in ("Exists", "DoesNotExist") and values:
        invalid.append((item.at("values"), f"`values` may not be set when `operator` is {op}"))
        return None
    return Requirement(key, op, values, item)
