"""`.svclint.yaml`: found upward from the working directory (or `--config`), validated against
`schemas/config.schema.json`. Any problem is a `ConfigError` naming the key and its line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..load.documents import load_documents
from ..model.nodes import Map, Node, Seq, to_plain
from ..packagedata import read_text

CONFIG_NAMES = (".svclint.yaml", ".svclint.yml")


class ConfigError(Exception):
    """Bad configuration: exit 2 with this message."""


@dataclass(slots=True)
class FileConfig:
    """The parsed `.svclint.yaml` (empty when there is none)."""

    path: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def find_config(start: str) -> str | None:
    cur = os.path.abspath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(cur, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(cur)
        if parent == cur:
            return None
        cur = parent


def _schema() -> dict[str, Any]:
    import json

    text = read_text("svclint.schemas", "config.schema.json")
    data: dict[str, Any] = json.loads(text)
    return data


def _node_at(root: Node, path: list[str | int]) -> Node:
    node = root
    for part in path:
        if isinstance(node, Map) and isinstance(part, str) and part in node:
            node = node.values[part]
        elif isinstance(node, Seq) and isinstance(part, int) and part < len(node.items):
            node = node.items[part]
        else:
            break
    return node


def load_config(path: str) -> FileConfig:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    docs = load_documents(text.replace("\r\n", "\n"))
    for doc in docs:
        for p in doc.problems:
            raise ConfigError(f"{path}:{p.line}:{p.col}: {p.message}")
    roots = [d.root for d in docs if d.root is not None]
    if not roots:
        return FileConfig(path, {})
    if len(roots) > 1:
        raise ConfigError(f"{path}: expected one YAML document, found {len(roots)}")
    root = roots[0]
    try:
        data = to_plain(root)
    except OverflowError as exc:
        raise ConfigError(f"{path}: the config expands to too many nodes (an alias bomb?)") from exc
    if data is None:
        return FileConfig(path, {})
    import jsonschema  # lazy: only runs with a config file

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = list(err.absolute_path)
        node = _node_at(root, where)
        if err.validator == "additionalProperties" and isinstance(node, Map):
            unknown = sorted(set(node.values) - set(err.schema.get("properties", {})))
            key = unknown[0] if unknown else "?"
            kn = node.key_node(key)
            raise ConfigError(f"{path}:{kn.line}:{kn.col}: unknown key `{key}`")
        dotted = ".".join(str(p) for p in where) or "(top level)"
        raise ConfigError(f"{path}:{node.line}:{node.col}: `{dotted}`: {err.message}")
    assert isinstance(data, dict)
    return FileConfig(path, data)
