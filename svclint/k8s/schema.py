"""Validate objects against svclint's bundled Kubernetes schemas (schemas/kubernetes/).

Schemas are loaded lazily, once per kind, and interpreted directly over svclint's nodes (the
generator emits a small keyword set, checked on load). Each error is a (node, message, hint) at
the offending field: an unknown field points at its key, a wrong type at its value, a missing
field at the mapping that lacks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from ..messages import closest
from ..model.nodes import Map, Node, Scalar, Seq
from ..packagedata import read_text

SCHEMA_FILES = {
    ("v1", "Service"): "service-v1.json",
    ("v1", "Pod"): "pod-v1.json",
    ("v1", "Endpoints"): "endpoints-v1.json",
    ("v1", "ReplicationController"): "replicationcontroller-v1.json",
    ("apps/v1", "Deployment"): "deployment-apps-v1.json",
    ("apps/v1", "StatefulSet"): "statefulset-apps-v1.json",
    ("apps/v1", "DaemonSet"): "daemonset-apps-v1.json",
    ("apps/v1", "ReplicaSet"): "replicaset-apps-v1.json",
    ("batch/v1", "Job"): "job-batch-v1.json",
    ("batch/v1", "CronJob"): "cronjob-batch-v1.json",
    ("discovery.k8s.io/v1", "EndpointSlice"): "endpointslice-discovery-k8s-io-v1.json",
    ("networking.k8s.io/v1", "Ingress"): "ingress-networking-k8s-io-v1.json",
    ("networking.k8s.io/v1", "NetworkPolicy"): "networkpolicy-networking-k8s-io-v1.json",
}


@cache
def schema_for(api_version: str, kind: str) -> dict[str, Any] | None:
    """The bundled schema for the kind, or None when svclint has none."""
    name = SCHEMA_FILES.get((api_version, kind))
    if name is None:
        return None
    text = read_text("svclint.schemas", "kubernetes", name)
    import json  # lazy: ~1 ms of start-up, needed only once a schema-checked kind appears

    schema: dict[str, Any] = json.loads(text)
    unsupported = _keywords(schema) - SUPPORTED
    if unsupported:  # the generator emitted something this validator would silently skip
        raise ValueError(f"{name}: unsupported schema keywords {sorted(unsupported)}")
    return schema


# The JSON Schema keywords the generated schemas use (tools/generate_schemas.py); validating
# them directly over svclint's nodes is ~10x faster than jsonschema over plain data, and every
# error already knows its node.
SUPPORTED = frozenset(
    {"type", "$ref", "additionalProperties", "properties", "items", "required", "enum", "oneOf",
     "$defs", "$schema", "x-svclint-source"}
)  # fmt: skip


def _keywords(schema: object, out: set[str] | None = None, in_props: bool = False) -> set[str]:
    out = set() if out is None else out
    if isinstance(schema, dict):
        for key, value in schema.items():
            if not in_props:
                out.add(key)
            _keywords(value, out, key in ("properties", "$defs") and not in_props)
    elif isinstance(schema, list):
        for value in schema:
            _keywords(value, out)
    return out


def _json_type(node: Node) -> str:
    if isinstance(node, Map):
        return "object"
    if isinstance(node, Seq):
        return "array"
    value = node.value  # type: ignore[attr-defined]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return "number" if isinstance(value, float) else "string"


def _type_ok(actual: str, allowed: str | list[str]) -> bool:
    allowed_list = [allowed] if isinstance(allowed, str) else allowed
    return actual in allowed_list or (actual == "integer" and "number" in allowed_list)


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the object"


_TYPE_WORDS = {"integer": "an integer", "string": "a string", "boolean": "a boolean",
               "object": "a mapping", "array": "a list", "number": "a number", "null": "null"}  # fmt: skip
_PORT_FIELDS = frozenset({"port", "targetPort", "endPort"})

Found = tuple[Node, str, str | None]


class _Check:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = schema.get("$defs", {})
        self.found: list[Found] = []

    def add(self, node: Node, message: str, hint: str | None = None) -> None:
        self.found.append((node, message, hint))

    def run(self, node: Node, schema: dict[str, Any], path: tuple[str | int, ...]) -> None:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].rsplit("/", 1)[-1]]
        if not schema:
            return  # `{}`: not checked
        actual = _json_type(node)
        if "oneOf" in schema:
            if not any(_type_ok(actual, alt.get("type", [])) for alt in schema["oneOf"]):
                port = bool(path) and path[-1] in _PORT_FIELDS
                what = "a port number or name" if port else "an integer or a string"
                self.add(node, f"`{_dotted(path)}` must be {what}, not {_TYPE_WORDS[actual]}")
            return
        allowed = schema.get("type")
        if allowed is not None and not _type_ok(actual, allowed):
            types = [allowed] if isinstance(allowed, str) else allowed
            words = " or ".join(_TYPE_WORDS[t] for t in types if t != "null")
            self.add(node, f"`{_dotted(path)}` must be {words}, not {_TYPE_WORDS[actual]}")
            return
        if "enum" in schema and isinstance(node, Scalar) and node.value not in schema["enum"]:
            options = ", ".join(f"`{v}`" for v in schema["enum"] if v is not None)
            self.add(node, f"`{_dotted(path)}` must be one of {options}")
        if isinstance(node, Map):
            self._mapping(node, schema, path)
        elif isinstance(node, Seq) and "items" in schema:
            for i, item in enumerate(node.items):
                self.run(item, schema["items"], (*path, i))

    def _mapping(self, node: Map, schema: dict[str, Any], path: tuple[str | int, ...]) -> None:
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key in schema.get("required", ()):
            if key not in node.values:
                inside = f" in `{_dotted(path)}`" if path else ""
                self.add(node, f"missing required field `{key}`{inside}")
        for key, value in node.values.items():
            sub = props.get(key)
            if sub is not None:
                self.run(value, sub, (*path, key))
            elif extra is False:
                near = closest(key, props)
                hint = f"did you mean `{near}`?" if near else None
                message = f"unknown field `{key}` in `{_dotted(path)}`"
                self.add(node.key_node(key), message, hint)
            elif isinstance(extra, dict):
                self.run(value, extra, (*path, key))


def problems(root: Map, api_version: str, kind: str) -> Iterator[Found]:
    """(node, message, hint) for each schema violation of the object, in document order."""
    schema = schema_for(api_version, kind)
    if schema is None:
        return
    check = _Check(schema)
    check.run(root, schema, ())
    yield from sorted(check.found, key=lambda f: (f[0].line, f[0].col))
