"""IP addresses and CIDRs as the API server parses them (k8s.io/utils/net, netutils).

Legacy fields (`clusterIP`, `externalIPs`, `loadBalancerSourceRanges`) are parsed leniently:
leading zeros in IPv4 octets are read as decimal. `ipaddress` is imported when an address is
first parsed, not at every start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ipaddress

    IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

OPEN_RANGES = frozenset({"0.0.0.0/0", "::/0"})
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def parse_ip(s: str) -> IPAddress | None:
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


def special_ip_problem(ip: IPAddress, text: str) -> str | None:
    """ValidateNonSpecialIP's reason (IPv4-mapped IPv6 judged as the IPv4 it maps, like Go)."""
    from ipaddress import IPv6Address  # already loaded by parse_ip, which made `ip`

    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return f"may not be unspecified ({text})"
    if ip.is_loopback:
        return "may not be in the loopback range (127.0.0.0/8, ::1/128)"
    if ip.is_link_local:
        return "may not be in the link-local range (169.254.0.0/16, fe80::/10)"
    packed = ip.packed
    if (ip.version == 4 and packed[:3] == b"\xe0\x00\x00") or (
        ip.version == 6 and packed[0] == 0xFF and packed[1] & 0x0F == 0x02
    ):
        return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"
    return None


def is_ipv6(ip: IPAddress) -> bool:
    """Go's IsIPv6: an IPv4-mapped IPv6 address counts as IPv4."""
    from ipaddress import IPv6Address  # already loaded by parse_ip, which made `ip`

    return isinstance(ip, IPv6Address) and ip.ipv4_mapped is None


def is_valid_cidr(value: str) -> bool:
    """IsValidCIDR as the API reads legacy fields: leading zeros and host bits are accepted."""
    addr, slash, prefix = value.partition("/")
    if not slash or not prefix.isascii() or not prefix.isdigit():
        return False
    ip = parse_ip(addr)
    if ip is None or addr != addr.strip() or "%" in addr:
        return False
    return int(prefix) <= (128 if is_ipv6(ip) or ":" in addr else 32)


def is_cidr(text: str) -> bool:
    """As Kubernetes' ParseCIDRSloppy reads it: leading zeros in IPv4 octets are tolerated."""
    import ipaddress

    if "/" not in text:
        return False
    addr, _, bits = text.partition("/")
    if "." in addr and ":" not in addr:
        octets = addr.split(".")
        if all(o.isdigit() for o in octets):
            addr = ".".join(str(int(o)) for o in octets)
    try:
        ipaddress.ip_network(f"{addr}/{bits}", strict=False)
    except ValueError:
        return False
    return True


def is_open_range(text: str) -> bool:
    """A source range that admits every client (`0.0.0.0/0`, `::/0`, or a sloppy spelling)."""
    text = text.strip()
    if text in OPEN_RANGES:
        return True
    if not is_cidr(text):
        return False
    addr, _, bits = text.partition("/")
    return bits.strip() in ("0", "00") and addr.replace("0", "").strip(".:") == ""


def is_ip(text: str) -> bool:
    """Strictly an IP address (Go's netip.ParseAddr): no leading zeros, no zone."""
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
