"""The catalog of cloud provider Service annotations, loaded lazily from package data.

Each entry names the controller that reads the key, the documentation or source it was taken from,
the values the controller accepts (parsed the way that controller parses them: Go's
`strconv.ParseBool`, a case-insensitive comparison with `"true"`, an exact enum...), and whether a
value marks the load balancer internal. Families are key prefixes owned by one provider: a
*closed* family is catalogued completely from the provider's constants, so an unknown key in it is
a typo; under the other watched prefixes only near misses of a catalogued key are reported, since
many providers share `service.beta.kubernetes.io/` and no catalog can list them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ..messages import edit_distance
from ..packagedata import read_text
from .addresses import is_cidr, is_ip

if TYPE_CHECKING:
    from ..model.services import Service

# Go's strconv.ParseBool: the only spellings it accepts.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_INT = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Source:
    """A provider document an annotation entry is taken from."""

    id: str
    url: str
    title: str


@dataclass(frozen=True)
class ValueSpec:
    """What a controller accepts for one key; `problem` says why a value is not accepted."""

    type: str = "text"
    values: tuple[str, ...] = ()
    case_insensitive: bool = False
    map_values: tuple[str, ...] = ()

    def problem(self, value: str) -> str | None:
        """Why the controller rejects or misreads `value` (a phrase), or None when it is fine."""
        kind = self.type
        if kind == "enum":
            ok = (
                value.lower() in {v.lower() for v in self.values}
                if self.case_insensitive
                else value in self.values
            )
            return None if ok else f"not one of {_quoted(self.values)}"
        if kind == "bool":
            if value in GO_TRUE or value in GO_FALSE:
                return None
            return "not a boolean (the controller parses it with Go's strconv.ParseBool)"
        if kind in ("bool-eqfold", "bool-exact"):
            ok = (
                value.lower() in ("true", "false")
                if kind == "bool-eqfold"
                else value
                in (
                    "true",
                    "false",
                )
            )
            return None if ok else 'read as `false`: the controller only compares it with `"true"`'
        if kind == "aws-internal":
            if value in GO_TRUE or value in GO_FALSE or value == "0.0.0.0/0":
                return None
            return (
                "not a boolean: the AWS Load Balancer Controller rejects it and the in-tree AWS "
                "provider reads any value but `false` as internal"
            )
        if kind == "int":
            return None if _INT.fullmatch(value.strip()) else "not an integer"
        if kind == "port-list":
            # strconv.Atoi on each comma-separated item: no spaces around the commas.
            if all(_INT.fullmatch(p) for p in value.split(",")):
                return None
            return "not a comma-separated list of port numbers without spaces"
        if kind in ("ip", "ip-list"):
            parts = [value] if kind == "ip" else value.split(",")
            bad = [p.strip() for p in parts if not is_ip(p.strip())]
            return f"{_quoted(bad)} is not an IP address" if bad else None
        if kind == "cidr-list":
            bad = [p.strip() for p in value.split(",") if p.strip() and not is_cidr(p.strip())]
            return f"{_quoted(bad)} is not a CIDR" if bad else None
        if kind == "json":
            return self._json_problem(value)
        return None

    def _json_problem(self, value: str) -> str | None:
        try:
            data = json.loads(value)
        except ValueError:
            return "not valid JSON"
        if self.map_values and isinstance(data, dict):
            bad = [v for v in data.values() if v not in self.map_values]
            if bad:
                return f"maps a port to {_quoted(bad)}, not one of {_quoted(self.map_values)}"
        return None


@dataclass(frozen=True)
class InternalMarker:
    """Values of a key that make the load balancer internal, and when the controller reads it."""

    values: tuple[str, ...] = ()
    any: bool = False  # any non-empty value (a subnet id) marks it internal
    case_insensitive: bool = False
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # other keys that must match
    unless: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unless_present: tuple[str, ...] = ()  # keys that take precedence when set

    def matches(self, value: str, annotations: Mapping[str, str]) -> bool:
        for key, wanted in self.when.items():
            if annotations.get(key) not in wanted:
                return False
        for key, unwanted in self.unless.items():
            if annotations.get(key) in unwanted:
                return False
        if any(key in annotations for key in self.unless_present):
            return False
        if self.any:
            return value.strip() != ""
        if self.case_insensitive:
            return value.lower() in {v.lower() for v in self.values}
        return value in self.values


@dataclass(frozen=True)
class AnnotationSpec:
    """One annotation key a load-balancer controller reads, and its values."""

    key: str
    provider: str
    controllers: tuple[str, ...]
    sources: tuple[Source, ...]
    value: ValueSpec
    internal: InternalMarker | None = None
    restricts: str | None = None  # "source-ranges", "service-tags" or "do-rules"
    kind: str = "annotation"  # "label": a label key, ineffective as an annotation
    deprecated: str | None = None  # the key that replaces it
    written_by_controller: bool = False
    selects_controller: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Family:
    """A provider's annotation prefix; closed: every key under it is listed."""

    prefix: str
    provider: str
    closed: bool


@dataclass(frozen=True)
class Controller:
    """A load-balancer controller and its default scheme."""

    name: str
    default_scheme: str
    scheme_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadBalancerClass:
    """A `loadBalancerClass` value and the controller it selects."""

    controller: str
    internal: bool | None  # None: the controller's default scheme decides


@dataclass
class Catalog:
    """The provider annotation catalog, indexed for lookups and near misses."""

    annotations: dict[str, AnnotationSpec]
    patterns: list[tuple[re.Pattern[str], AnnotationSpec]]
    families: list[Family]
    watched_prefixes: tuple[str, ...]
    controllers: dict[str, Controller]
    load_balancer_classes: dict[str, LoadBalancerClass]
    # Prefixes many providers share, each naming itself in the key's first word (`aws-`, `osc-`):
    # a near miss must not cross vendors (`osc-load-balancer-internal` is Outscale's, not a typo of
    # Oracle's `oci-load-balancer-internal`).
    shared_prefixes: tuple[str, ...] = ()
    _lower: dict[str, str] = field(default_factory=dict)

    def lookup(self, key: str) -> AnnotationSpec | None:
        spec = self.annotations.get(key)
        if spec is not None:
            return spec
        for regex, pattern in self.patterns:
            if regex.match(key):
                return pattern
        return None

    def watched(self, key: str) -> bool:
        return key.startswith(self.watched_prefixes)

    def family(self, key: str) -> Family | None:
        best: Family | None = None
        for fam in self.families:
            if key.startswith(fam.prefix) and (best is None or len(fam.prefix) > len(best.prefix)):
                best = fam
        return best

    def same_but_case(self, key: str) -> str | None:
        """The catalogued key this one equals but for letter case."""
        if not self._lower:
            self._lower = {k.lower(): k for k in self.annotations}
        found = self._lower.get(key.lower())
        return found if found != key else None

    def family_keys(self, fam: Family) -> list[str]:
        return [k for k in self.annotations if k.startswith(fam.prefix)]

    def near_miss(self, key: str) -> str | None:
        """The catalogued key within a typo or two of `key` (tight: real keys of other providers
        must not look like typos of ours)."""
        limit = 1 if len(key) < 24 else 2
        vendor = self._vendor(key)
        best: tuple[int, str] | None = None
        for known in self.annotations:
            if abs(len(known) - len(key)) > limit or self._vendor(known) != vendor:
                continue
            d = edit_distance(key, known, limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, known)
        return best[1] if best is not None else None

    def _vendor(self, key: str) -> str:
        """`prefix + first word` under a shared prefix, else the key's prefix."""
        for prefix in self.shared_prefixes:
            if key.startswith(prefix):
                return prefix + key[len(prefix) :].split("-", 1)[0]
        return key.partition("/")[0]


def _quoted(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


@cache
def catalog() -> Catalog:
    """The catalog, read from the package data on first use."""
    text = read_text("svclint", "data", "provider_annotations.json")
    return parse(json.loads(text))


def parse(data: Any) -> Catalog:
    """A catalog from the decoded JSON (`check_data` lists what is wrong with it)."""
    sources = {
        sid: Source(sid, str(s.get("url", "")), str(s.get("title", "")))
        for sid, s in data.get("sources", {}).items()
    }

    def spec(key: str, entry: Any) -> AnnotationSpec:
        value = entry.get("value") or {}
        internal = entry.get("internal")
        marker = None
        if isinstance(internal, dict):
            marker = InternalMarker(
                values=tuple(internal.get("values", ())),
                any=bool(internal.get("any", False)),
                case_insensitive=bool(internal.get("case_insensitive", False)),
                when={k: tuple(v) for k, v in internal.get("when", {}).items()},
                unless={k: tuple(v) for k, v in internal.get("unless", {}).items()},
                unless_present=tuple(internal.get("unless_present", ())),
            )
        return AnnotationSpec(
            key=key,
            provider=str(entry.get("provider", "")),
            controllers=tuple(entry.get("controllers", ())),
            sources=tuple(sources[s] for s in entry.get("sources", ()) if s in sources),
            value=ValueSpec(
                type=str(value.get("type", "text")),
                values=tuple(value.get("values", ())),
                case_insensitive=bool(value.get("case_insensitive", False)),
                map_values=tuple(value.get("map_values", ())),
            ),
            internal=marker,
            restricts=entry.get("restricts"),
            kind=str(entry.get("kind", "annotation")),
            deprecated=entry.get("deprecated"),
            written_by_controller=bool(entry.get("written_by_controller", False)),
            selects_controller=dict(entry.get("selects_controller", {})),
            note=entry.get("note"),
        )

    return Catalog(
        annotations={k: spec(k, v) for k, v in data.get("annotations", {}).items()},
        patterns=[
            (re.compile(p["regex"]), spec(str(p.get("example", p["regex"])), p))
            for p in data.get("patterns", ())
        ],
        families=[
            Family(str(f["prefix"]), str(f["provider"]), bool(f.get("closed", False)))
            for f in data.get("families", ())
        ],
        watched_prefixes=tuple(data.get("watched_prefixes", ())),
        shared_prefixes=tuple(data.get("shared_prefixes", ())),
        controllers={
            cid: Controller(
                str(c.get("name", cid)),
                str(c.get("default_scheme", "")),
                tuple(c.get("scheme_keys", ())),
            )
            for cid, c in data.get("controllers", {}).items()
        },
        load_balancer_classes={
            name: LoadBalancerClass(str(c.get("controller", "")), c.get("internal"))
            for name, c in data.get("load_balancer_classes", {}).items()
        },
    )


VALUE_TYPES = frozenset(
    {"text", "enum", "bool", "bool-eqfold", "bool-exact", "aws-internal", "int", "port-list", "ip",
     "ip-list", "cidr-list", "json"}
)  # fmt: skip


def check_data(data: Any) -> list[str]:
    """Integrity problems of the catalog JSON: unknown sources, value types, empty enums..."""
    errors: list[str] = []
    sources = set(data.get("sources", {}))
    entries = [(k, v) for k, v in data.get("annotations", {}).items()]
    entries += [(p.get("regex", "?"), p) for p in data.get("patterns", ())]
    for key, entry in entries:
        if not entry.get("sources"):
            errors.append(f"{key}: no source")
        errors += [
            f"{key}: unknown source {s}" for s in entry.get("sources", ()) if s not in sources
        ]
        value = entry.get("value", {})
        if value.get("type", "text") not in VALUE_TYPES:
            errors.append(f"{key}: unknown value type {value.get('type')}")
        if value.get("type") == "enum" and not value.get("values"):
            errors.append(f"{key}: enum without values")
    for pattern in data.get("patterns", ()):
        try:
            regex = re.compile(pattern["regex"])
        except re.error as exc:
            errors.append(f"{pattern.get('regex')}: {exc}")
            continue
        if not regex.match(pattern.get("example", "")):
            errors.append(f"{pattern['regex']}: its example does not match")
    for fam in data.get("families", ()):
        errors += [
            f"{fam['prefix']}: unknown source {s}"
            for s in fam.get("sources", ())
            if s not in sources
        ]
    return errors


# -- who reads which Service annotation (for explanations) ------------------------------------

# (prefix, provider, applies to LoadBalancer Services only)
PROVIDER_PREFIXES: tuple[tuple[str, str, bool], ...] = (
    ("service.beta.kubernetes.io/aws-load-balancer-", "AWS", True),
    ("service.beta.kubernetes.io/azure-", "Azure", True),
    ("networking.gke.io/load-balancer-", "GKE", True),
    ("networking.gke.io/internal-load-balancer-", "GKE", True),
    ("cloud.google.com/load-balancer-type", "GKE", True),
    ("cloud.google.com/l4-rbs", "GKE", True),
    ("cloud.google.com/neg", "GKE (NEG)", False),
    ("cloud.google.com/backend-config", "GKE (Ingress)", False),
    ("cloud.google.com/app-protocols", "GKE (Ingress)", False),
    ("service.beta.kubernetes.io/do-loadbalancer-", "DigitalOcean", True),
    ("service.beta.kubernetes.io/oci-load-balancer-", "OCI", True),
    ("oci.oraclecloud.com/", "OCI", True),
    ("service.beta.kubernetes.io/linode-loadbalancer-", "Linode", True),
    ("service.beta.kubernetes.io/alibaba-cloud-loadbalancer-", "Alibaba Cloud", True),
    ("service.kubernetes.io/qcloud-loadbalancer-", "Tencent Cloud", True),
    ("loadbalancer.openstack.org/", "OpenStack", True),
    ("service.beta.kubernetes.io/openstack-", "OpenStack", True),
    ("load-balancer.hetzner.cloud/", "Hetzner", True),
    ("metallb.universe.tf/", "MetalLB", True),
    ("metallb.io/", "MetalLB", True),
    ("kube-vip.io/", "kube-vip", True),
    ("io.cilium/lb-ipam-", "Cilium LB IPAM", True),
    ("lbipam.cilium.io/", "Cilium LB IPAM", True),
    ("service.beta.kubernetes.io/load-balancer-source-ranges", "Kubernetes", True),
    ("external-dns.alpha.kubernetes.io/", "ExternalDNS", False),
    ("service.kubernetes.io/topology-mode", "Kubernetes", False),
    ("service.kubernetes.io/topology-aware-hints", "Kubernetes", False),
    ("service.kubernetes.io/service-proxy-name", "Kubernetes", False),
)


@dataclass(slots=True)
class ProviderAnnotation:
    """A provider annotation on a Service and whether its controller reads it."""

    key: str
    value: str
    provider: str
    applies: bool
    note: str | None


def provider_annotations(svc: Service) -> list[ProviderAnnotation]:
    """The Service's annotations some controller reads, whether it applies, and a note."""
    out: list[ProviderAnnotation] = []
    lb = svc.type == "LoadBalancer"
    lb_class = svc.spec.get_str("loadBalancerClass") if svc.spec is not None else None
    for key, value in sorted(svc.obj.annotations.items()):
        hit = next((p for p in PROVIDER_PREFIXES if key.startswith(p[0])), None)
        if hit is None:
            continue
        _, provider, lb_only = hit
        applies, note = True, None
        if lb_only and not lb:
            applies, note = False, f"ignored: the Service is {svc.type}, not LoadBalancer"
        elif lb_only and lb_class:
            note = f"read only if the controller of loadBalancerClass `{lb_class}` reads it"
        short = value if len(value) <= 60 else value[:59] + "…"
        out.append(ProviderAnnotation(key, short, provider, applies, note))
    lb_providers = {a.provider for a in out if a.applies and _lb_only(a.key)}
    if len(lb_providers) > 1 and not lb_class:
        for a in out:
            if a.applies and a.note is None and _lb_only(a.key):
                a.note = f"read only if {a.provider} provisions this cluster's load balancers"
    return out


def _lb_only(key: str) -> bool:
    return any(key.startswith(p) and lb_only for p, _, lb_only in PROVIDER_PREFIXES)
