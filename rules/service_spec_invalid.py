"""A Service the API server rejects: a bad name, port, type, IP, policy or type-specific field.

## What it checks

Everything `ValidateService` (and the allocator's IP-family pre-checks) rejects on create, one
finding per violation, each at its own field and with the API server's own reason:

- **Name**: a DNS-1035 label (lowercase letters, digits and `-`, starting with a letter, at most
  63 characters) for a target Kubernetes version before 1.36; from 1.36 on
  (RelaxedServiceNameValidation) a DNS-1123 label, so a leading digit is fine.
- **Type**: one of `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`, case-sensitive.
- **Ports**: required unless the Service is headless or ExternalName; a `name` on every port when
  there is more than one, each a DNS-1123 label and unique; `port` 1-65535; `protocol` `TCP`,
  `UDP` or `SCTP` (case-sensitive); unique (`port`, `protocol`); a numeric `targetPort` 1-65535 and
  a string one a valid port name (IANA service name: at most 15 characters, lowercase letters,
  digits and `-`, at least one letter, no leading, trailing or double `-`), which rules out a quoted
  number such as `"8080"`; `appProtocol` in label-key syntax; no `nodePort` on a ClusterIP Service;
  unique (`nodePort`, `protocol`).
- **Selector**: keys and values valid label keys and values.
- **Cluster IPs** (not ExternalName): `clusterIPs[0]` equals `clusterIP`; no `clusterIPs` without
  `clusterIP`; `None` only as the single value; at most two entries, one per family, each a valid
  IP of the family at the same index of `ipFamilies`; `ipFamilies` values `IPv4`/`IPv6`, not
  repeated; `ipFamilyPolicy` `SingleStack`, `PreferDualStack` or `RequireDualStack`; two IPs or two
  families with `SingleStack` (explicit, or the default for anything but a selectorless headless
  Service); `clusterIP: None` with NodePort or LoadBalancer.
- **externalIPs**: valid IPs, not unspecified, loopback or link-local (unicast or multicast).
- **Traffic policies**: `externalTrafficPolicy` only on an externally accessible Service (NodePort,
  LoadBalancer, or ClusterIP with `externalIPs`) and then `Cluster` or `Local`;
  `internalTrafficPolicy` `Cluster` or `Local`; `healthCheckNodePort` only with `type: LoadBalancer`
  and `externalTrafficPolicy: Local`; `trafficDistribution` `PreferClose`, `PreferSameZone` or
  `PreferSameNode` (`PreferClose` only before 1.34; not judged before 1.31, when the field was
  alpha and dropped).
- **LoadBalancer-only fields**: `loadBalancerSourceRanges` (or, when that is empty, the legacy
  `service.beta.kubernetes.io/load-balancer-source-ranges` annotation), `loadBalancerClass`
  (label-key syntax) and `allocateLoadBalancerNodePorts` on another type; every source range a
  valid CIDR.
- **Session affinity**: `ClientIP` or `None`; with `ClientIP`,
  `sessionAffinityConfig.clientIP.timeoutSeconds` in (0, 86400].
- **Annotations**: `service.kubernetes.io/topology-mode` and the deprecated
  `service.kubernetes.io/topology-aware-hints` must agree when both are set.

Fields the API server defaults (`type`, `protocol`, `targetPort`, `sessionAffinity`, the traffic
policies, the IP families) are judged after defaulting: leaving them out is never a finding. When
`type` is unknown, the checks that depend on the type are skipped: the type is the mistake. Values
of the wrong YAML type (a list where a string belongs) are `schema-invalid`'s business, the
ExternalName fields `externalname-invalid`'s, and a `nodePort` outside the node port range or
taken by another Service `service-nodeport-conflict`'s (the allocator rejects those).

## Why it matters

The API server rejects the whole Service with `422 Invalid`: `kubectl apply` fails, a Helm
release or an Argo CD sync stops half-way, and whatever depends on the Service (DNS, Ingress
backends, the pods' clients) is left without it.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: "8080"
    - port: 443
      protocol: tcp
```

## Fix

Write numbers unquoted, name every port of a multi-port Service, and spell protocols in capitals:

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
    - name: https
      port: 443
      protocol: TCP
```
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from svclint.api import (
    Cluster,
    Map,
    Node,
    Problem,
    Related,
    Scalar,
    Seq,
    Service,
    ServicePort,
    did_you_mean,
    problem,
)
from svclint.k8s.addresses import (
    CIDR_MSG,
    IP_MSG,
    is_ipv6,
    is_valid_cidr,
    parse_ip,
    special_ip_problem,
)
from svclint.k8s.names import (
    DNS1035_MSG,
    PORT_RANGE_MSG,
    as_label,
    dns1123_label_problem,
    iana_svc_name_problem,
    is_dns1035_label,
    is_dns1123_label,
    label_value_problem,
    qualified_name_problem,
)
from svclint.k8s.service_fields import (
    AFFINITIES,
    IP_FAMILIES,
    IP_FAMILY_POLICIES,
    MAX_AFFINITY_TIMEOUT,
    PROTOCOLS,
    TRAFFIC_POLICIES,
    TYPES,
    headless_after_normalization,
    traffic_distributions,
    unsupported,
)

if TYPE_CHECKING:
    from svclint.k8s.addresses import IPAddress

ID = "service-spec-invalid"
LEVEL = "error"
ENABLED = True
TARGET = "services"

SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"
TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints"
RELAXED_NAMES_SINCE = (1, 36)  # RelaxedServiceNameValidation (KEP-5311) on by default

LB_ONLY_MSG = "may only be used when `type` is 'LoadBalancer'"

Check = Callable[[Service, Map], Iterator[Problem]]


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    yield from _name(svc, cluster.options.kubernetes_version)
    spec = svc.spec
    if spec is None:
        if "spec" not in svc.obj.root:  # no spec at all: no ports either
            yield problem(
                svc.obj, None,
                f"Service `{svc.name}` has no `spec`: the API requires `spec.ports` on a "
                "ClusterIP Service",
                hint="add `spec.ports` (and a `selector`), or `clusterIP: None` for a headless "
                "Service",
            )  # fmt: skip
        return  # a spec that is not a mapping is schema-invalid's business
    for each in CHECKS:
        yield from each(svc, spec)
    yield from _traffic_distribution(svc, spec, cluster.options.kubernetes_version)


# -- small helpers -----------------------------------------------------------------------------


def _known_type(svc: Service) -> bool:
    """Whether type-dependent checks apply: an unknown type is itself the finding."""
    return svc.type in TYPES


def _str(node: Node | None) -> str | None:
    return node.value if isinstance(node, Scalar) and isinstance(node.value, str) else None


def _int(node: Node | None) -> int | None:
    return node.value if isinstance(node, Scalar) and type(node.value) is int else None


def _is_set(node: Node | None) -> bool:
    """Non-null, as a Go pointer field sees it."""
    return node is not None and not (isinstance(node, Scalar) and node.value is None)


def _strings(seq: Seq) -> list[tuple[str, Node]] | None:
    """The items of a list of strings, or None when one is not a string (schema-invalid's)."""
    out = []
    for item in seq:
        value = _str(item)
        if value is None:
            return None
        out.append((value, item))
    return out


def _port(sp: ServicePort, spec: Map) -> str:
    """How messages name a Service port: port `http` (80), port `80`, or `ports[2]`."""
    if sp.port is not None:
        return f"port {sp.label}"
    if sp.name:
        return f"port `{sp.name}`"
    ports = spec.seq("ports")
    index = next((i for i, p in enumerate(ports or ()) if p is sp.node), None)
    return f"`ports[{index}]`" if index is not None else "a port"


# Values of the beta `service.beta.kubernetes.io/external-traffic` annotation, before the field.
_OLD_POLICIES = {"Global": "Cluster", "OnlyLocal": "Local"}


def _case_hint(value: str, allowed: tuple[str, ...]) -> str | None:
    if value in _OLD_POLICIES and _OLD_POLICIES[value] in allowed:
        return f"did you mean `{_OLD_POLICIES[value]}`? (`{value}` is the old annotation's value)"
    low = value.lower()
    for a in allowed:
        if a.lower() == low:
            return f"did you mean `{a}`? (the value is case-sensitive)"
    within = [a for a in allowed if low and low in a.lower()]  # `DualStack`: two candidates
    if within:
        return "did you mean " + " or ".join(f"`{a}`" for a in within) + "?"
    return did_you_mean(value, allowed)


# -- metadata ----------------------------------------------------------------------------------


def _name(svc: Service, version: tuple[int, int]) -> Iterator[Problem]:
    meta = svc.obj.meta
    if meta is None:
        return
    relaxed = version >= RELAXED_NAMES_SINCE
    field, name = "name", meta.get_str("name")
    if not name:
        field, name = "generateName", meta.get_str("generateName")
        if not name:
            return  # a missing name is not this rule's business
    # With generateName, a random suffix follows: a trailing `-` is fine (maskTrailingDash).
    judged = name[:-1] + "a" if field == "generateName" and name.endswith("-") else name
    if relaxed:
        reason = dns1123_label_problem(judged)
    elif is_dns1035_label(judged):
        reason = None
    else:
        parts = ["must be no more than 63 characters"] if len(judged) > 63 else []
        if not re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", judged):
            parts.append(DNS1035_MSG)
        reason = "; ".join(parts)
    if not reason:
        return
    hint = None
    suggestion = as_label(name, relaxed)
    if not relaxed and is_dns1123_label(judged):
        hint = (
            "start the name with a letter; Kubernetes 1.36 and later accept a leading digit "
            "(RelaxedServiceNameValidation): set `kubernetes-version` if that is your target"
        )
    elif suggestion:
        hint = f"did you mean `{suggestion}`?"
    what = "a DNS-1123 label" if relaxed else "a DNS-1035 label"
    yield problem(
        svc.obj, meta.at(field),
        f"Service {field} `{name}` is not {what}: {reason}",
        hint=hint,
    )  # fmt: skip


def _topology_annotations(svc: Service, spec: Map) -> Iterator[Problem]:
    notes = svc.obj.annotations
    mode, hints = notes.get(TOPOLOGY_MODE), notes.get(TOPOLOGY_HINTS)
    if mode is None or hints is None or mode == hints:
        return
    amap = svc.obj.meta.map("annotations") if svc.obj.meta is not None else None
    node = amap.at(TOPOLOGY_MODE) if amap is not None else None
    yield problem(
        svc.obj, node,
        f"annotation `{TOPOLOGY_MODE}: {mode}` of Service `{svc.name}` must match "
        f"annotations[{TOPOLOGY_HINTS}] (`{hints}`) when both are specified",
        hint=f"remove the deprecated `{TOPOLOGY_HINTS}` annotation",
    )  # fmt: skip


# -- type --------------------------------------------------------------------------------------


def _type(svc: Service, spec: Map) -> Iterator[Problem]:
    value = _str(spec.get("type"))
    if value is None or value == "" or value in TYPES:
        return
    yield problem(
        svc.obj, spec.at("type"),
        f"`type` `{value}` of Service `{svc.name}`: {unsupported(value, TYPES)}",
        hint=_case_hint(value, TYPES),
    )  # fmt: skip


def _ports_required(svc: Service, spec: Map) -> Iterator[Problem]:
    if not _known_type(svc) or svc.type == "ExternalName" or headless_after_normalization(spec):
        return
    ports = spec.get("ports")
    if _is_set(ports) and not (isinstance(ports, Seq) and len(ports) == 0):
        return  # ports given, or of the wrong YAML type (schema-invalid's business)
    node = spec.key_node("ports") if "ports" in spec else svc.obj.root.key_node("spec")
    yield problem(
        svc.obj, node,
        f"Service `{svc.name}` has no ports: `spec.ports` is required unless the Service is "
        "headless (`clusterIP: None`) or ExternalName",
        hint="add the ports clients connect to, or set `clusterIP: None` for a headless Service",
    )  # fmt: skip


# -- ports -------------------------------------------------------------------------------------


def _port_names(svc: Service, spec: Map) -> Iterator[Problem]:
    required = len(svc.ports) > 1
    seen: dict[str, ServicePort] = {}
    used = {sp.name for sp in svc.ports if sp.name}
    for sp in svc.ports:
        node = sp.node.get("name")
        name = _str(node)
        if not _is_set(node) or name == "":
            if required:
                yield problem(
                    svc.obj, sp.node.key_node("name") if node is not None else sp.node,
                    f"{_port(sp, spec)} of Service `{svc.name}` has no `name`: every port needs "
                    f"one when a Service has more than one ({len(svc.ports)})",
                    hint=_name_hint(sp, used),
                )  # fmt: skip
            continue
        if name is None:
            continue  # a number or boolean: yaml-implicit-type / schema-invalid
        reason = dns1123_label_problem(name)
        if reason:
            suggestion = as_label(name, leading_digit=True)
            yield problem(
                svc.obj, node,
                f"port name `{name}` of Service `{svc.name}` is not a DNS-1123 label: {reason}",
                hint=f"did you mean `{suggestion}`?" if suggestion else None,
            )  # fmt: skip
        first = seen.get(name)
        if first is not None:
            yield problem(
                svc.obj, node,
                f"port name `{name}` of Service `{svc.name}` is used twice: Duplicate value",
                hint="give every port its own name",
                related=[Related(svc.obj, first.node.at("name"), f"first port named `{name}`")],
            )  # fmt: skip
        else:
            seen[name] = sp


def _name_hint(sp: ServicePort, used: set[str]) -> str:
    candidates = []
    if isinstance(sp.target, str) and not sp.target_defaulted:
        candidates.append(sp.target)
    if sp.port is not None:
        candidates.append(f"{sp.protocol.lower()}-{sp.port}")
    for cand in candidates:
        if cand not in used and dns1123_label_problem(cand) is None:
            return f"add `name: {cand}`"
    return "add a `name` (a DNS-1123 label such as `http`)"


def _port_numbers(svc: Service, spec: Map) -> Iterator[Problem]:
    seen: dict[tuple[int, str], ServicePort] = {}
    for sp in svc.ports:
        node = sp.node.get("port")
        if not _is_set(node):
            yield problem(
                svc.obj, sp.node,
                f"{_port(sp, spec)} of Service `{svc.name}` has no `port`: the API requires a "
                "port number from 1 to 65535",
                hint="add `port: <number>`, the port clients connect to",
            )  # fmt: skip
            continue
        number = _int(node)
        if number is None:
            continue  # wrong YAML type: schema-invalid's business
        if not 1 <= number <= 65535:
            yield problem(
                svc.obj, node,
                f"`port` `{number}` of Service `{svc.name}` {PORT_RANGE_MSG}",
            )  # fmt: skip
            continue
        protocol = _str(sp.node.get("protocol")) or "TCP"
        first = seen.get((number, protocol))
        if first is not None:
            yield problem(
                svc.obj, node,
                f"port `{number}/{protocol}` of Service `{svc.name}` is declared twice: "
                "Duplicate value (each (port, protocol) pair must be unique)",
                hint="remove the duplicate, or give it another port or protocol",
                related=[Related(svc.obj, first.node.at("port"), f"first `{number}/{protocol}`")],
            )  # fmt: skip
        else:
            seen[(number, protocol)] = sp


def _protocols(svc: Service, spec: Map) -> Iterator[Problem]:
    for sp in svc.ports:
        value = _str(sp.node.get("protocol"))
        if value is None or value == "" or value in PROTOCOLS:
            continue
        yield problem(
            svc.obj, sp.node.at("protocol"),
            f"`protocol` `{value}` of {_port(sp, spec)} of Service `{svc.name}`: "
            f"{unsupported(value, PROTOCOLS)}",
            hint=_case_hint(value, PROTOCOLS),
        )  # fmt: skip


def _target_ports(svc: Service, spec: Map) -> Iterator[Problem]:
    for sp in svc.ports:
        node = sp.node.get("targetPort")
        if not isinstance(node, Scalar):
            continue
        value = node.value
        if type(value) is int:
            if value != 0 and not 1 <= value <= 65535:  # 0 is defaulted to `port`
                yield problem(
                    svc.obj, node,
                    f"`targetPort` `{value}` of {_port(sp, spec)} of Service `{svc.name}` "
                    f"{PORT_RANGE_MSG}",
                )  # fmt: skip
            continue
        if not isinstance(value, str) or value == "":
            continue
        reason = iana_svc_name_problem(value)
        if reason is None:
            continue
        if re.fullmatch(r"[+-]?\d+", value.strip()):
            number = int(value.strip())
            yield problem(
                svc.obj, node,
                f'`targetPort` `"{value}"` of {_port(sp, spec)} of Service `{svc.name}` is a '
                f"quoted number: Kubernetes reads a string as a port name and rejects it "
                f"({reason})",
                hint=f"write it unquoted: `targetPort: {number}`"
                if 1 <= number <= 65535
                else f"use a port number ({PORT_RANGE_MSG}), unquoted",
            )  # fmt: skip
            continue
        lower = value.lower()
        yield problem(
            svc.obj, node,
            f"`targetPort` `{value}` of {_port(sp, spec)} of Service `{svc.name}` is not a valid "
            f"port name: {reason}",
            hint=f"did you mean `{lower}`? (port names are lowercase)"
            if lower != value and iana_svc_name_problem(lower) is None
            else "use the `name` of a containerPort (at most 15 characters, lowercase letters, "
            "digits and `-`), or its number",
        )  # fmt: skip


def _app_protocols(svc: Service, spec: Map) -> Iterator[Problem]:
    for sp in svc.ports:
        node = sp.node.get("appProtocol")
        value = _str(node)
        if value is None:
            continue
        reason = qualified_name_problem(value)
        if reason is None:
            continue
        yield problem(
            svc.obj, node,
            f"`appProtocol` `{value}` of {_port(sp, spec)} of Service `{svc.name}` is not a valid "
            f"qualified name (label-key syntax): {reason}",
            hint="use a plain name such as `http` or `grpc`, or a prefixed one such as "
            "`kubernetes.io/h2c`",
        )  # fmt: skip


def _node_ports(svc: Service, spec: Map) -> Iterator[Problem]:
    if not _known_type(svc):
        return
    if svc.type == "ClusterIP":
        defaulted = _str(spec.get("type")) in (None, "")
        for sp in svc.ports:
            node = sp.node.get("nodePort")
            if _int(node) in (None, 0):
                continue
            yield problem(
                svc.obj, node,
                f"`nodePort` `{_int(node)}` on {_port(sp, spec)} of Service `{svc.name}`: may not "
                "be used when `type` is 'ClusterIP'"
                + (" (`type` defaults to ClusterIP)" if defaulted else ""),
                hint="set `type: NodePort` (or `LoadBalancer`), or remove `nodePort`",
            )  # fmt: skip
        return  # duplicates are moot: every nodePort here is already rejected
    seen: dict[tuple[int, str], ServicePort] = {}
    for sp in svc.ports:
        node = sp.node.get("nodePort")
        number = _int(node)
        if node is None or number in (None, 0):
            continue
        key = (number, sp.protocol)
        first = seen.get(key)
        if first is None:
            seen[key] = sp
            continue
        yield problem(
            svc.obj, node,
            f"`nodePort` `{number}/{sp.protocol}` is claimed twice in Service `{svc.name}`: "
            "Duplicate value",
            hint="give each port its own nodePort, or omit it to have one allocated",
            related=[Related(svc.obj, first.node.at("nodePort"), f"first `nodePort: {number}`")],
        )  # fmt: skip


# -- selector ----------------------------------------------------------------------------------


def _selector(svc: Service, spec: Map) -> Iterator[Problem]:
    sel = spec.map("selector")
    if sel is None:
        return
    for key, value in sel.items():
        reason = qualified_name_problem(key)
        if reason:
            yield problem(
                svc.obj, sel.key_node(key),
                f"selector key `{key}` of Service `{svc.name}` is not a valid label key: {reason}",
            )  # fmt: skip
        text = _str(value)
        if text is None:
            continue  # null reads as "", numbers and booleans are yaml-implicit-type's
        reason = label_value_problem(text)
        if reason:
            yield problem(
                svc.obj, value,
                f"selector value `{text}` (key `{key}`) of Service `{svc.name}` is not a valid "
                f"label value: {reason}",
            )  # fmt: skip


# -- cluster IPs and families ------------------------------------------------------------------


def _cluster_ips(svc: Service, spec: Map) -> Iterator[Problem]:
    if svc.type == "ExternalName":
        return  # externalname-invalid's business
    cip_node = spec.get("clusterIP")
    cip = _str(cip_node)
    if _is_set(cip_node) and cip is None:
        return
    seq = spec.seq("clusterIPs")
    if _is_set(spec.get("clusterIPs")) and seq is None:
        return
    listed = _strings(seq) if seq is not None else []
    families_seq = spec.seq("ipFamilies")
    families = _strings(families_seq) if families_seq is not None else []
    if listed is None or families is None:
        return  # non-string items: schema-invalid's business
    found = 0
    if cip:
        if not listed:
            listed = [(cip, cip_node)] if cip_node is not None else []
        elif listed[0][0] != cip:
            found += 1
            yield problem(
                svc.obj, listed[0][1],
                f"`clusterIPs[0]` `{listed[0][0]}` of Service `{svc.name}`: first value must "
                f"match `clusterIP` (`{cip}`)",
                hint=f"make the first entry `{cip}`, or drop `clusterIPs`",
                related=[Related(svc.obj, spec.at("clusterIP"), "`clusterIP`")],
            )  # fmt: skip
    elif listed:
        found += 1
        yield problem(
            svc.obj, spec.at("clusterIPs"),
            f"`clusterIPs` of Service `{svc.name}` must be empty when `clusterIP` is not "
            "specified",
            hint=f"also set `clusterIP: {listed[0][0]}`",
        )  # fmt: skip
    seen: set[str] = set()
    for value, node in families:
        if value not in IP_FAMILIES:
            found += 1
            yield problem(
                svc.obj, node,
                f"`ipFamilies` entry `{value}` of Service `{svc.name}`: "
                f"{unsupported(value, IP_FAMILIES)}",
                hint=_case_hint(value, IP_FAMILIES),
            )  # fmt: skip
        elif value in seen:
            found += 1
            yield problem(
                svc.obj, node,
                f"`ipFamilies` of Service `{svc.name}` lists `{value}` twice: Duplicate value",
            )  # fmt: skip
        seen.add(value)
    policy_node = spec.get("ipFamilyPolicy")
    policy = _str(policy_node)
    if policy is not None and policy not in IP_FAMILY_POLICIES:
        found += 1
        yield problem(
            svc.obj, policy_node,
            f"`ipFamilyPolicy` `{policy}` of Service `{svc.name}`: "
            f"{unsupported(policy, IP_FAMILY_POLICIES)}",
            hint=_case_hint(policy, IP_FAMILY_POLICIES),
        )  # fmt: skip
    parsed: list[IPAddress] = []
    bad_ip = False
    for i, (value, node) in enumerate(listed):
        if i == 0 and value == "None":
            if len(listed) > 1:
                bad_ip = True
                yield problem(
                    svc.obj, spec.at("clusterIPs"),
                    f"`clusterIPs` of Service `{svc.name}`: 'None' must be the first and only "
                    "value",
                )  # fmt: skip
            continue
        ip = parse_ip(value)
        if ip is None:
            bad_ip = True
            yield problem(
                svc.obj, node,
                f"cluster IP `{value}` of Service `{svc.name}` {IP_MSG}",
                hint="omit it to have one allocated, or `None` for a headless Service",
            )  # fmt: skip
        else:
            parsed.append(ip)
    if len(listed) > 2:
        found += 1
        yield problem(
            svc.obj, spec.at("clusterIPs"),
            f"`clusterIPs` of Service `{svc.name}` may only hold up to 2 values ({len(listed)})",
        )  # fmt: skip
    if bad_ip:
        return  # the API stops here: the rest would restate a bad IP
    if len(parsed) > 1 and len({is_ipv6(ip) for ip in parsed}) == 1:
        found += 1
        yield problem(
            svc.obj, spec.at("clusterIPs"),
            f"`clusterIPs` of Service `{svc.name}` may specify no more than one IP for each IP "
            "family",
        )  # fmt: skip
    if not headless_after_normalization(spec) and parsed and families:
        for i, ((value, node), ip) in enumerate(zip(listed, parsed, strict=False)):
            if i >= len(families):
                break
            family = families[i][0]
            if family in IP_FAMILIES and (family == "IPv6") != is_ipv6(ip):
                found += 1
                yield problem(
                    svc.obj, node,
                    f"cluster IP `{value}` of Service `{svc.name}`: expected an {family} value "
                    f"as indicated by `ipFamilies[{i}]`",
                    related=[Related(svc.obj, families[i][1], f"`ipFamilies[{i}]`")],
                )  # fmt: skip
    if not found:
        yield from _single_stack(svc, spec, listed, families)


def _single_stack(
    svc: Service, spec: Map, listed: list[tuple[str, Node]], families: list[tuple[str, Node]]
) -> Iterator[Problem]:
    """The allocator's check: two IPs or families need a dual-stack policy (defaults apply)."""
    policy_node = spec.get("ipFamilyPolicy")
    policy = _str(policy_node)
    defaulted = not _is_set(policy_node)
    if defaulted:
        headless_no_selector = _str(spec.get("clusterIP")) == "None" and svc.selector is None
        policy = "RequireDualStack" if headless_no_selector else "SingleStack"
    if policy != "SingleStack":
        return
    two = [
        (what, key)
        for what, key, items in (
            ("cluster IPs", "clusterIPs", listed),
            ("IP families", "ipFamilies", families),
        )
        if len(items) == 2
    ]
    if not defaulted and len(two) == 2:  # one explicit field to fix: one finding
        two = [("cluster IPs and two IP families", "ipFamilyPolicy")]
    why = " (the default when `ipFamilyPolicy` is not set)" if defaulted else ""
    for what, key in two:
        yield problem(
            svc.obj, spec.at(key if defaulted else "ipFamilyPolicy"),
            f"Service `{svc.name}` lists two {what} with `ipFamilyPolicy: SingleStack`{why}: "
            "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs or IP "
            "families are specified",
            hint="set `ipFamilyPolicy: PreferDualStack` (or `RequireDualStack`)",
        )  # fmt: skip


def _headless_types(svc: Service, spec: Map) -> Iterator[Problem]:
    if svc.type not in ("NodePort", "LoadBalancer") or not headless_after_normalization(spec):
        return
    ips = spec.seq("clusterIPs")
    node = ips.items[0] if ips is not None and len(ips) > 0 else spec.at("clusterIP")
    yield problem(
        svc.obj, node,
        f"`clusterIP: None` on {svc.type} Service `{svc.name}`: may not be set to 'None' for "
        f"{svc.type} services",
        hint="remove `clusterIP: None`; only a ClusterIP Service can be headless",
    )  # fmt: skip


def _external_ips(svc: Service, spec: Map) -> Iterator[Problem]:
    seq = spec.seq("externalIPs")
    for item in seq if seq is not None else ():
        value = _str(item)
        if value is None:
            continue
        ip = parse_ip(value)
        reason = IP_MSG if ip is None else special_ip_problem(ip, value)
        if reason:
            yield problem(
                svc.obj, item,
                f"external IP `{value}` of Service `{svc.name}` {reason}",
                hint="use an address that routes to your nodes" if ip is not None else None,
            )  # fmt: skip


# -- traffic policies, session affinity --------------------------------------------------------


def _traffic_policies(svc: Service, spec: Map) -> Iterator[Problem]:
    node = spec.get("externalTrafficPolicy")
    value = _str(node)
    if value and _known_type(svc):
        if not svc.externally_accessible:
            yield problem(
                svc.obj, node,
                f"`externalTrafficPolicy: {value}` on {svc.type} Service `{svc.name}`: may only "
                "be set for externally-accessible services (NodePort, LoadBalancer, or ClusterIP "
                "with `externalIPs`)",
                hint="remove it; for in-cluster clients `internalTrafficPolicy` is the knob",
            )  # fmt: skip
        elif value not in TRAFFIC_POLICIES:
            yield problem(
                svc.obj, node,
                f"`externalTrafficPolicy` `{value}` of Service `{svc.name}`: "
                f"{unsupported(value, TRAFFIC_POLICIES)}",
                hint=_case_hint(value, TRAFFIC_POLICIES),
            )  # fmt: skip
    node = spec.get("internalTrafficPolicy")
    value = _str(node)
    if value and value not in TRAFFIC_POLICIES:  # "" is left alone: read as unset
        yield problem(
            svc.obj, node,
            f"`internalTrafficPolicy` `{value}` of Service `{svc.name}`: "
            f"{unsupported(value, TRAFFIC_POLICIES)}",
            hint=_case_hint(value, TRAFFIC_POLICIES),
        )  # fmt: skip


def _traffic_distribution(svc: Service, spec: Map, version: tuple[int, int]) -> Iterator[Problem]:
    node = spec.get("trafficDistribution")
    value = _str(node)
    allowed = traffic_distributions(version)
    if not value or allowed is None or value in allowed:
        return  # "" reads as unset
    hint = _case_hint(value, allowed)
    for word, meant in (("zone", "PreferSameZone"), ("node", "PreferSameNode")):
        if word in value.lower() and meant in allowed and value.lower() != meant.lower():
            hint = f"did you mean `{meant}`?"
    if value in (traffic_distributions((1, 34)) or ()):
        hint = (
            f"`{value}` is accepted from Kubernetes 1.34 on: set `kubernetes-version` if that "
            "is your target"
        )
    yield problem(
        svc.obj, node,
        f"`trafficDistribution` `{value}` of Service `{svc.name}`: {unsupported(value, allowed)}",
        hint=hint,
    )  # fmt: skip


def _health_check_node_port(svc: Service, spec: Map) -> Iterator[Problem]:
    node = spec.get("healthCheckNodePort")
    number = _int(node)
    if not _known_type(svc) or number in (None, 0):
        return
    policy = _str(spec.get("externalTrafficPolicy"))
    if svc.type == "LoadBalancer" and policy == "Local":
        return  # needed; its range and uniqueness are service-nodeport-conflict's business
    yield problem(
        svc.obj, node,
        f"`healthCheckNodePort` `{number}` of {svc.type} Service `{svc.name}`"
        + (f" (externalTrafficPolicy `{policy}`)" if policy else "")
        + ": may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        hint="remove it (kube-proxy serves no health check for this Service)",
    )  # fmt: skip


def _session_affinity(svc: Service, spec: Map) -> Iterator[Problem]:
    value = _str(spec.get("sessionAffinity"))
    if value and value not in AFFINITIES:
        yield problem(
            svc.obj, spec.get("sessionAffinity"),
            f"`sessionAffinity` `{value}` of Service `{svc.name}`: "
            f"{unsupported(value, AFFINITIES)}",
            hint=_case_hint(value, AFFINITIES),
        )  # fmt: skip
        return
    if value != "ClientIP":
        return  # with None the API drops sessionAffinityConfig before validating
    node = spec.dig("sessionAffinityConfig", "clientIP", "timeoutSeconds")
    timeout = _int(node)
    if timeout is None or 0 < timeout <= MAX_AFFINITY_TIMEOUT:
        return
    yield problem(
        svc.obj, node,
        f"`timeoutSeconds` `{timeout}` of Service `{svc.name}`'s ClientIP affinity must be "
        f"greater than 0 and less than {MAX_AFFINITY_TIMEOUT}",
        hint=f"use 1-{MAX_AFFINITY_TIMEOUT} seconds, or omit it for the default (10800)",
    )  # fmt: skip


# -- LoadBalancer-only fields ------------------------------------------------------------------


def _load_balancer_fields(svc: Service, spec: Map) -> Iterator[Problem]:
    ranges = spec.seq("loadBalancerSourceRanges")
    amap = svc.obj.meta.map("annotations") if svc.obj.meta is not None else None
    annotation = amap.get(SOURCE_RANGES_ANNOTATION) if amap is not None else None
    if ranges is not None and len(ranges) > 0:
        yield from _forbidden_unless_lb(svc, spec.key_node("loadBalancerSourceRanges"), "field")
        for item in ranges:
            value = _str(item)
            if value is not None and not is_valid_cidr(value.strip()):
                yield _bad_cidr(svc, item, value, "`loadBalancerSourceRanges` entry")
    elif amap is not None and isinstance(annotation, Scalar):
        yield from _forbidden_unless_lb(svc, amap.key_node(SOURCE_RANGES_ANNOTATION), "annotation")
        text = "" if annotation.value is None else annotation.text
        if text.strip():
            for value in text.strip().split(","):
                if not is_valid_cidr(value.strip()):
                    yield _bad_cidr(svc, annotation, value.strip(), "source range")
    for key in ("loadBalancerClass", "allocateLoadBalancerNodePorts"):
        node = spec.get(key)
        if not _is_set(node):
            continue
        if svc.type != "LoadBalancer":
            yield from _forbidden_unless_lb(svc, spec.key_node(key), key)
        elif key == "loadBalancerClass":
            value = _str(node)
            reason = qualified_name_problem(value) if value is not None else None
            if reason:
                yield problem(
                    svc.obj, node,
                    f"`loadBalancerClass` `{value}` of Service `{svc.name}` is not a valid "
                    f"qualified name (label-key syntax): {reason}",
                    hint="use the class name your load balancer controller documents, such as "
                    "`service.k8s.aws/nlb`",
                )  # fmt: skip


def _forbidden_unless_lb(svc: Service, node: Node | None, what: str) -> Iterator[Problem]:
    if not _known_type(svc) or svc.type == "LoadBalancer":
        return
    if what == "field":
        what = "`loadBalancerSourceRanges`"
    elif what == "annotation":
        what = f"annotation `{SOURCE_RANGES_ANNOTATION}`"
    else:
        what = f"`{what}`"
    yield problem(
        svc.obj, node,
        f"{what} on {svc.type} Service `{svc.name}`: {LB_ONLY_MSG}",
        hint="remove it, or set `type: LoadBalancer`",
    )  # fmt: skip


def _bad_cidr(svc: Service, node: Node, value: str, what: str) -> Problem:
    hint = None
    ip = parse_ip(value) if "/" not in value else None
    if ip is not None:
        hint = f"did you mean `{value}/{128 if is_ipv6(ip) else 32}`? (a single address)"
    return problem(
        svc.obj, node,
        f"{what} `{value}` of Service `{svc.name}` {CIDR_MSG}",
        hint=hint,
    )  # fmt: skip


CHECKS: tuple[Check, ...] = (
    _topology_annotations,
    _type,
    _ports_required,
    _port_names,
    _port_numbers,
    _protocols,
    _target_ports,
    _app_protocols,
    _node_ports,
    _selector,
    _cluster_ips,
    _headless_types,
    _external_ips,
    _traffic_policies,
    _health_check_node_port,
    _session_affinity,
    _load_balancer_fields,
)
