"""The values `ValidateService` accepts for the Service spec's enumerated fields, and how the API
server words a value it rejects (`field.NotSupported`: `Unsupported value: "x": supported values:
"a", "b"`). Each list is written as the server prints it, sorted; matching is case-sensitive.
"""

from __future__ import annotations

from ..model.nodes import Map, Scalar

TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
PROTOCOLS = ("SCTP", "TCP", "UDP")
TRAFFIC_POLICIES = ("Cluster", "Local")  # externalTrafficPolicy, internalTrafficPolicy
AFFINITIES = ("ClientIP", "None")
IP_FAMILIES = ("IPv4", "IPv6")
IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
MAX_AFFINITY_TIMEOUT = 86400  # seconds, sessionAffinityConfig.clientIP.timeoutSeconds
EXTERNALLY_ACCESSIBLE = ("LoadBalancer", "NodePort")  # allocate node ports


def traffic_distributions(version: tuple[int, int]) -> tuple[str, ...] | None:
    """The `trafficDistribution` values `validateServiceTrafficDistribution` accepts for a target
    Kubernetes version; None before 1.31, where the field is an alpha feature, off by default
    (the API server drops it). `PreferClose` since 1.31 (GA 1.33); `PreferSameZone` and
    `PreferSameNode` since 1.34 (KEP-3015, beta on by default, GA 1.35)."""
    if version < (1, 31):
        return None
    if version < (1, 34):
        return ("PreferClose",)
    return ("PreferClose", "PreferSameNode", "PreferSameZone")


def unsupported(value: str, allowed: tuple[str, ...]) -> str:
    """The API server's reason for an enum value it does not accept."""
    return f'Unsupported value: "{value}": supported values: ' + ", ".join(
        f'"{a}"' for a in allowed
    )


def headless_after_normalization(spec: Map) -> bool:
    """`isHeadlessService` after the API copies `clusterIP` into `clusterIPs`: clusterIPs is
    exactly `["None"]` (or, without clusterIPs, `clusterIP: None`)."""
    ips = spec.seq("clusterIPs")
    if ips is not None and len(ips) > 0:
        first = ips.items[0]
        return len(ips) == 1 and isinstance(first, Scalar) and first.value == "None"
    return spec.get_str("clusterIP") == "None"
