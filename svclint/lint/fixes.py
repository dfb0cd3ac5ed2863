"""What a rule offers to repair: text edits at a finding's exact span.

A rule that declares `FIX = "safe"` (or `"unsafe"`: the edit changes where traffic goes) attaches
a `Fix` to the problems it can repair. An edit replaces a node's span in the file as written,
nothing around it: comments, quoting style, indentation, key order and line endings are left
alone. `lint/fixer.py` applies them, only to files read from disk, and checks each by linting
again.
"""

from __future__ import annotations

import json
import re
from typing import Literal, NamedTuple

from ..load.scalars import resolve_plain
from ..model.nodes import Node, Scalar
from ..model.objects import SourceFile

Safety = Literal["safe", "unsafe"]
SAFETIES: tuple[Safety, ...] = ("safe", "unsafe")


class Edit(NamedTuple):
    """Replace the text between two positions (1-based line and column, end exclusive)."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str


class Fix(NamedTuple):
    """The edits that repair one finding, what they do, and whether they are safe."""

    title: str  # `quote the value`, `set targetPort to http`
    edits: tuple[Edit, ...]
    safety: Safety


def fix_quote(file: SourceFile, node: Scalar, title: str = "quote the value") -> Fix | None:
    """Quote a plain scalar as written, so that the decoder reads it as a string (safe)."""
    if not node.plain or node.line != node.end_line:
        return None
    written = _span(file, node)
    if written != node.text:
        return None  # a multi-line or unusual plain scalar: leave it to a person
    return Fix(
        title, (Edit((node.line, node.col), (node.end_line, node.end_col), _dq(written)),), "safe"
    )


def fix_replace(
    file: SourceFile, node: Node, value: str | int, title: str, safety: Safety
) -> Fix | None:
    """Write `value` in place of a one-line scalar. A number is written plain (unquoted, so that
    it is read as a number). A string keeps the scalar's quoting where it can: a quoted value
    stays quoted alike, a plain one stays plain when the new text reads as the same string (else
    it is double-quoted). None for anything else (a block scalar, a tagged or multi-line value)."""
    if not isinstance(node, Scalar) or node.line != node.end_line or node.tag is not None:
        return None
    written = _span(file, node)
    if not written or (node.plain and written != node.text):
        return None  # the span is not the scalar as written: leave it to a person
    if isinstance(value, int):
        text = str(value)
    elif "\n" in value:
        return None
    elif written[0] == "'" and written[-1] == "'" and len(written) > 1:
        text = "'" + value.replace("'", "''") + "'"
    elif written[0] == '"' and written[-1] == '"' and len(written) > 1:
        text = _dq(value)
    elif node.plain:
        text = value if _plain_string(value) else _dq(value)
    else:
        return None  # a block scalar, a tagged value: not edited
    return Fix(title, (Edit((node.line, node.col), (node.end_line, node.end_col), text),), safety)


def _span(file: SourceFile, node: Scalar) -> str:
    line = file.line(node.line)
    return line[node.col - 1 : node.end_col - 1]


def _dq(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./-]*")


def _plain_string(value: str) -> bool:
    """Whether `value` written plain is read back as this very string (no YAML indicator, and
    Kubernetes' decoder does not type it as a number, boolean or null)."""
    return bool(_PLAIN_SAFE.fullmatch(value)) and resolve_plain(value) == value
