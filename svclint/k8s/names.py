"""Kubernetes' name and value syntax (k8s.io/apimachinery/pkg/util/validation), exactly.

Each `is_*` returns True when the API server accepts the value; each `*_problem` returns the
server's reason text when it does not (None when valid), for messages.
"""

from __future__ import annotations

import re

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_IANA_CHARS = re.compile(r"[-a-z0-9]+")

# The API server's reason texts (k8s.io/apimachinery/pkg/util/validation).
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character"
)
DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character"
)
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character"
)
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character"
)
PORT_RANGE_MSG = "must be between 1 and 65535, inclusive"


def is_dns1123_label(s: str) -> bool:
    return len(s) <= 63 and _DNS1123_LABEL.fullmatch(s) is not None


def is_dns1123_subdomain(s: str) -> bool:
    return len(s) <= 253 and _DNS1123_SUBDOMAIN.fullmatch(s) is not None


def is_dns1035_label(s: str) -> bool:
    return len(s) <= 63 and _DNS1035_LABEL.fullmatch(s) is not None


def iana_svc_name_problem(s: str) -> str | None:
    """Why `s` is not a valid port name (IsValidPortName), or None."""
    if len(s) > 15:
        return "must be no more than 15 characters"
    if not _IANA_CHARS.fullmatch(s):
        return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
    if not re.search(r"[a-z]", s):
        return "must contain at least one letter (a-z)"
    if "--" in s:
        return "must not contain consecutive hyphens"
    if s.startswith("-") or s.endswith("-"):
        return "must not begin or end with a hyphen"
    return None


def is_iana_svc_name(s: str) -> bool:
    return iana_svc_name_problem(s) is None


def is_label_key(key: str) -> bool:
    """IsQualifiedName: optional DNS-1123 subdomain prefix and `/`, then a 63-char name."""
    parts = key.split("/")
    if len(parts) == 2:
        prefix, name = parts
        if not prefix or not is_dns1123_subdomain(prefix):
            return False
    elif len(parts) == 1:
        name = parts[0]
    else:
        return False
    return 0 < len(name) <= 63 and _LABEL_NAME.fullmatch(name) is not None


def is_label_value(value: str) -> bool:
    return len(value) <= 63 and _LABEL_VALUE.fullmatch(value) is not None


def is_port_number(n: object) -> bool:
    return type(n) is int and 1 <= n <= 65535


def dns1123_label_problem(s: str) -> str | None:
    reasons = []
    if len(s) > 63:
        reasons.append("must be no more than 63 characters")
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", s):
        reasons.append("must not contain dots" if is_dns1123_subdomain(s) else DNS1123_LABEL_MSG)
    return "; ".join(reasons) or None


def qualified_name_problem(s: str) -> str | None:
    """Why `s` is not a qualified name (label-key syntax), in the API's words, or None."""
    if is_label_key(s):
        return None
    parts = s.split("/")
    if len(parts) > 2:
        return (
            "a qualified name must consist of a name part with an optional DNS subdomain prefix "
            "and '/' (e.g. 'example.com/MyName'): it has more than one '/'"
        )
    reasons = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            reasons.append("prefix part must be non-empty")
        elif len(prefix) > 253:
            reasons.append("prefix part must be no more than 253 characters")
        elif not is_dns1123_subdomain(prefix):
            reasons.append(f"prefix part {SUBDOMAIN_MSG}")
    if not name:
        reasons.append("name part must be non-empty")
    else:
        if len(name) > 63:
            reasons.append("name part must be no more than 63 characters")
        if not re.fullmatch(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", name):
            reasons.append(NAME_PART_MSG)
    return "; ".join(reasons) or NAME_PART_MSG


def label_value_problem(s: str) -> str | None:
    if is_label_value(s):
        return None
    reasons = []
    if len(s) > 63:
        reasons.append("must be no more than 63 characters")
    if not re.fullmatch(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", s):
        reasons.append(LABEL_VALUE_MSG)
    return "; ".join(reasons)


def as_label(s: str, leading_digit: bool) -> str | None:
    """A valid name close to `s` (lowercased, other characters as `-`), if there is one."""
    out = re.sub(r"[^a-z0-9-]+", "-", s.lower()).strip("-")
    if not out or out == s or len(out) > 63:
        return None
    if not leading_digit and not out[0].isalpha():
        return None
    return out
