"""A finding's identity, stable across edits that do not touch it.

The fingerprint hashes the rule id, the object (API group, kind, namespace, name), the field path
of the node the finding points at (`spec.ports[name=http].targetPort`: list items that have a
`name` are named by it, so reordering them changes nothing), the rule's own key for it (a port, a
selector key) and the value written there. Never a line number, a file name or the message: moving
the object to another file or line, reordering documents, adding comments or rewording a message
keep the fingerprint; renaming the object or changing the broken value make a new one.

A finding about no object (a YAML syntax error) hashes its rule, its file's name (not its folder)
and the text of its line.
Baselines (lint/baseline.py) and SARIF `partialFingerprints` use the same value.
"""

from __future__ import annotations

import hashlib
import os

from ..model.nodes import Map, Node, Scalar, Seq
from .findings import Finding

VERSION = "v1"  # part of every fingerprint: a new scheme must not match old baselines


def fingerprint(f: Finding) -> str:
    obj = f.obj
    if obj is None:
        # The file's name, not its folder: the same file linted from elsewhere is the same.
        parts = [f.rule, "file", os.path.basename(f.file.path), f.file.line(f.pos[0]).strip()]
    else:
        path, value = field_path(obj.root, f.pos)
        parts = [f.rule, obj.group, obj.kind, obj.namespace, obj.name, path, f.key or "", value]
    raw = "\x1f".join([VERSION, *parts])
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def field_path(root: Node, pos: tuple[int, int, int, int]) -> tuple[str, str]:
    """(the path from `root` to the node at `pos`, the scalar text there or ""). A key's own
    position gives the key's path; a position inside no child gives the innermost node around it."""
    path = ""
    node = root
    while True:
        if node.pos == pos:
            return path, node.text if isinstance(node, Scalar) else ""
        step = _child_at(node, pos)
        if step is None:
            return path, ""
        label, child, is_key = step
        path += label
        if is_key:
            return path + "(key)", child.text if isinstance(child, Scalar) else ""
        node = child


def _child_at(node: Node, pos: tuple[int, int, int, int]) -> tuple[str, Node, bool] | None:
    line, col = pos[0], pos[1]
    if isinstance(node, Map):
        for key, value in node.values.items():
            key_node = node.keys.get(key)
            if key_node is not None and key_node.pos == pos:
                return f".{key}", key_node, True
            if _contains(value, line, col):
                return f".{key}", value, False
    elif isinstance(node, Seq):
        for i, item in enumerate(node.items):
            if _contains(item, line, col):
                return f"[{_item_label(item, i)}]", item, False
    return None


def _item_label(item: Node, index: int) -> str:
    if isinstance(item, Map):
        name = item.get("name")
        if isinstance(name, Scalar) and name.text:
            return f"name={name.text}"
    return str(index)


def _contains(node: Node, line: int, col: int) -> bool:
    start = (node.line, node.col)
    end = (node.end_line, node.end_col)
    return start <= (line, col) and ((line, col) < end or start == end == (line, col))
