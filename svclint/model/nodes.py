"""The YAML node tree every rule reads: values with their exact positions.

Nodes are built once by the loader from the C composer's output. Lines and columns are 1-based
as an editor shows them; end positions are exclusive (SARIF's convention). Accessors never raise
on a wrong type: `Map.map("spec")` is None when `spec` is missing *or* is not a mapping, so a
rule reading a malformed object simply sees nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator

Scalarish = str | int | float | bool | None


class Node:
    """A YAML node with its 1-based start and end position."""

    __slots__ = ("col", "end_col", "end_line", "line")

    def __init__(self, line: int, col: int, end_line: int, end_col: int) -> None:
        self.line = line
        self.col = col
        self.end_line = end_line
        self.end_col = end_col

    @property
    def pos(self) -> tuple[int, int, int, int]:
        return (self.line, self.col, self.end_line, self.end_col)


class Scalar(Node):
    """A scalar: `value` is what Kubernetes' decoder sees, `text` what the file says."""

    __slots__ = ("plain", "tag", "text", "value")

    def __init__(
        self,
        value: Scalarish,
        text: str,
        plain: bool,
        tag: str | None,
        line: int,
        col: int,
        end_line: int,
        end_col: int,
    ) -> None:
        super().__init__(line, col, end_line, end_col)
        self.value = value
        self.text = text
        self.plain = plain  # unquoted, not a block scalar: the resolver typed it
        self.tag = tag  # explicit tag as written (`!!str`), else None

    def __repr__(self) -> str:
        return f"Scalar({self.value!r}@{self.line}:{self.col})"


class Seq(Node):
    """A YAML sequence."""

    __slots__ = ("items",)

    def __init__(self, items: list[Node], line: int, col: int, end_line: int, end_col: int) -> None:
        super().__init__(line, col, end_line, end_col)
        self.items = items

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def maps(self) -> Iterator[Map]:
        """The items that are mappings (wrongly typed items are skipped)."""
        for item in self.items:
            if isinstance(item, Map):
                yield item


class Map(Node):
    """A mapping with string keys; `keys` keeps each key's node for positions."""

    __slots__ = ("keys", "values")

    def __init__(
        self,
        values: dict[str, Node],
        keys: dict[str, Scalar],
        line: int,
        col: int,
        end_line: int,
        end_col: int,
    ) -> None:
        super().__init__(line, col, end_line, end_col)
        self.values = values
        self.keys = keys

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def __len__(self) -> int:
        return len(self.values)

    def items(self) -> Iterator[tuple[str, Node]]:
        return iter(self.values.items())

    def get(self, key: str) -> Node | None:
        return self.values.get(key)

    def key_node(self, key: str) -> Node:
        """Where the key is written (falls back to the mapping itself)."""
        return self.keys.get(key) or self

    def at(self, key: str) -> Node:
        """The best node to point at for `key`: its value, else its key, else the mapping."""
        value = self.values.get(key)
        return self if value is None else value  # an empty mapping is still a node

    def map(self, key: str) -> Map | None:
        v = self.values.get(key)
        return v if isinstance(v, Map) else None

    def seq(self, key: str) -> Seq | None:
        v = self.values.get(key)
        return v if isinstance(v, Seq) else None

    def scalar(self, key: str) -> Scalar | None:
        v = self.values.get(key)
        return v if isinstance(v, Scalar) else None

    def get_str(self, key: str) -> str | None:
        """The value when it is a string as Kubernetes reads it (not a number or boolean)."""
        v = self.values.get(key)
        if isinstance(v, Scalar) and isinstance(v.value, str):
            return v.value
        return None

    def text(self, key: str) -> str | None:
        """The scalar's text whatever its type (`80`, `"80"` and `true` alike)."""
        v = self.values.get(key)
        if isinstance(v, Scalar) and v.value is not None:
            return v.text
        return None

    def get_int(self, key: str) -> int | None:
        v = self.values.get(key)
        if isinstance(v, Scalar) and type(v.value) is int:
            return v.value
        return None

    def get_bool(self, key: str) -> bool | None:
        v = self.values.get(key)
        if isinstance(v, Scalar) and isinstance(v.value, bool):
            return v.value
        return None

    def str_map(self, key: str) -> dict[str, str]:
        """A map of strings (labels, selectors): scalar values as text, others dropped."""
        m = self.map(key)
        if m is None:
            return {}
        out: dict[str, str] = {}
        for k, v in m.values.items():
            if isinstance(v, Scalar):
                out[k] = "" if v.value is None else v.text
        return out

    def dig(self, *keys: str) -> Node | None:
        node: Node | None = self
        for k in keys:
            if not isinstance(node, Map):
                return None
            node = node.values.get(k)
        return node

    def dig_map(self, *keys: str) -> Map | None:
        node = self.dig(*keys)
        return node if isinstance(node, Map) else None

    def __repr__(self) -> str:
        return f"Map({list(self.values)}@{self.line}:{self.col})"


def to_plain(node: Node | None, budget: list[int] | None = None) -> object:
    """Plain Python data for a node (for schema validation and JSON output).

    `budget` caps the number of nodes produced, so an alias bomb cannot blow up memory.
    """
    if budget is None:
        budget = [200_000]
    budget[0] -= 1
    if budget[0] < 0:
        raise OverflowError("document expands to too many nodes")
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Map):
        return {k: to_plain(v, budget) for k, v in node.values.items()}
    if isinstance(node, Seq):
        return [to_plain(v, budget) for v in node.items]
    return None


def walk_maps(node: Node) -> Iterator[Map]:
    """Every mapping under `node`, each once (aliases shared by a document are not re-walked)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, Map):
            yield cur
            stack.extend(cur.values.values())
        elif isinstance(cur, Seq):
            stack.extend(cur.items)
