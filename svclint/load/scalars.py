"""Type plain YAML scalars the way Kubernetes' decoder does.

Kubernetes reads manifests with sigs.k8s.io/yaml on go-yaml v2, whose resolver is neither YAML 1.1
nor 1.2: `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0755` is octal, `1_000` and `0x1F` are
integers, `1e3` and `1.10` are floats, `1:20` stays a string. svclint must see the same types, or
it would judge a value the cluster never receives (`targetPort: 0x50` is the number 80).
"""

from __future__ import annotations

import math
import re

from ..model.nodes import Scalarish

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
_SPECIAL_FLOATS = {
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
    "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
    "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}  # fmt: skip
_NUMBER_START = frozenset("+-.0123456789")
# go-yaml v2 `yamlStyleFloat`: only these spellings of ParseFloat's input count as floats.
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_BINARY = re.compile(r"-?0b[01]+")
INT64_MIN, UINT64_MAX = -(2**63), 2**64 - 1


def _go_parse_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64) / ParseUint: base prefixes, leading-zero octal."""
    if not _GO_INT.fullmatch(s):
        return None
    sign = -1 if s[0] == "-" else 1
    body = s.lstrip("+-")
    if len(body) > 1 and body[0] == "0" and body[1] not in "xXoObB":
        value = int(body, 8)
    else:
        value = int(body, 0)
    value *= sign
    if INT64_MIN <= value <= UINT64_MAX:
        return value
    return None


def resolve_plain(text: str) -> Scalarish:
    """The value go-yaml v2 gives an unquoted scalar."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text[0] not in _NUMBER_START:
        return text
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    plain = text.replace("_", "")
    if plain:
        as_int = _go_parse_int(plain)
        if as_int is not None:
            return as_int
        if _YAML_FLOAT.fullmatch(plain):
            return float(plain)
        if _BINARY.fullmatch(plain):
            return int(plain.replace("0b", ""), 2)
    return text


def resolve_tagged(text: str, tag: str) -> Scalarish:
    """A scalar with an explicit tag: core tags convert, anything else stays text (never code)."""
    short = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag
    if short in ("str", "!!str", "binary", "!!binary"):
        return text
    if short in ("null", "!!null"):
        return None
    if short in ("bool", "!!bool", "int", "!!int", "float", "!!float"):
        value = resolve_plain(text) if text else None
        return value if value is not None else text
    return text
