"""Kubernetes' name and value syntax (k8s.io/apimachinery/pkg/util/validation), exactly.

Each `is_*` returns True when the API server accepts the value; each `*_problem` returns the
server's reason text when it does not (None when valid), for messages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ipaddress

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_IANA_CHARS = re.compile(r"[-a-z0-9]+")


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


def parse_ip(s: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP as the API's legacy parser reads it (leading zeros in IPv4 octets are decimal)."""
    import ipaddress  # ~1 ms: paid only by inputs with an address to parse, not at every start

    value = s.strip()
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        pass
    parts = value.split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 for p in parts):
        try:
            return ipaddress.ip_address(".".join(str(int(p)) for p in parts))
        except ValueError:
            return None
    return None
