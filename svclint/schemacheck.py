"""Validate objects against svclint's bundled Kubernetes schemas (schemas/kubernetes/).

Validators are built lazily, once per kind, and jsonschema is imported only when an object of a
schema-checked kind is linted. Errors are turned into (node, message) pairs at the offending
field: an unknown field points at its key, a wrong type at its value, a missing field at the
mapping that lacks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from .api import closest
from .model import Map, Node, Seq, to_plain

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
_TYPE_WORDS = {"integer": "an integer", "string": "a string", "boolean": "a boolean",
               "object": "a mapping", "array": "a list", "number": "a number", "null": "null"}  # fmt: skip


@cache
def validator(api_version: str, kind: str) -> Any:
    """A compiled validator for the kind, or None when svclint has no schema for it."""
    name = SCHEMA_FILES.get((api_version, kind))
    if name is None:
        return None
    import jsonschema  # lazy: costs ~60 ms of start-up, needed only here

    text = resources.files("svclint.schemas").joinpath("kubernetes", name).read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def _node_at(root: Node, path: list[str | int]) -> tuple[Node, Map | None]:
    """The node at a JSON path (as deep as it exists) and its parent mapping."""
    node: Node = root
    parent: Map | None = None
    for part in path:
        if isinstance(node, Map) and isinstance(part, str) and part in node:
            parent = node
            node = node.values[part]
        elif isinstance(node, Seq) and isinstance(part, int) and part < len(node.items):
            parent = None
            node = node.items[part]
        else:
            break
    return node, parent


def _dotted(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the object"


def _type_of(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping"


def problems(root: Map, api_version: str, kind: str) -> Iterator[tuple[Node, str, str | None]]:
    """(node, message, hint) for each schema violation of the object."""
    v = validator(api_version, kind)
    if v is None:
        return
    try:
        instance = to_plain(root)
    except OverflowError:
        return  # an alias bomb: the loader already refused to lint it
    if v.is_valid(instance):
        return
    for err in sorted(v.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        yield from _explain(err, root)


def _explain(err: Any, root: Map) -> Iterator[tuple[Node, str, str | None]]:
    path = list(err.absolute_path)
    node, _parent = _node_at(root, path)
    where = _dotted(path)
    if err.validator == "additionalProperties" and isinstance(node, Map):
        known = list(err.schema.get("properties", {}))
        for key in sorted(set(node.values) - set(known)):
            near = closest(key, known)
            hint = f"did you mean `{near}`?" if near else None
            yield node.key_node(key), f"unknown field `{key}` in `{where}`", hint
        return
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        inside = f" in `{where}`" if path else ""
        yield node, f"missing required field `{missing}`{inside}", None
        return
    if err.validator == "type":
        wanted = err.validator_value
        wanted = [wanted] if isinstance(wanted, str) else wanted
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted if w != "null")
        yield node, f"`{where}` must be {words}, not {_type_of(err.instance)}", None
        return
    if err.validator == "oneOf" and path and path[-1] in ("port", "targetPort", "maxSurge",
                                                            "maxUnavailable", "endPort"):  # fmt: skip
        yield node, f"`{where}` must be a port number or name, not {_type_of(err.instance)}", None
        return
    yield node, f"`{where}`: {err.message}", None
