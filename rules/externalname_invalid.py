"""An ExternalName Service the API server rejects: a missing or malformed `externalName`, or IP fields.

## What it checks

For every Service of `type: ExternalName`:

- `externalName` is required. Kubernetes strips **one** trailing dot (the fully-qualified form
  `db.example.com.` is fine), and what remains must be a DNS-1123 subdomain: lowercase letters,
  digits, `-` and `.`, each label starting and ending with a letter or digit, at most 253
  characters. The message says what is wrong: a URL scheme (`https://`), a port (`db:5432`), a
  path, upper case, an underscore, a wildcard, whitespace, an empty label (`db..example.com`), or
  an IPv6 address (its colons are not allowed; an IPv4 address passes this check and is
  `externalname-ip-address`'s business). A number or boolean where a string is expected is
  reported too.
- `clusterIP`, `clusterIPs`, `ipFamilies` and `ipFamilyPolicy` must not be set (an empty
  `clusterIP: ""` or `ipFamilies: []` counts as unset). `clusterIP: None` is rejected as well: an
  ExternalName Service has no cluster IP at all. One finding per field, at the field.

Services of an unknown `type` are left to `service-spec-invalid`.

## Why it matters

The API server rejects the whole Service (`spec.externalName: Invalid value`,
`spec.clusterIPs: Forbidden: may not be set for ExternalName services`), so `kubectl apply` or the
Helm release fails. `externalName` is returned as the target of a DNS CNAME record: it is a host
name, never a URL.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: billing-db
spec:
  type: ExternalName
  externalName: https://db.example.com:5432
```

## Fix

Give the bare host name; clients choose the port when they connect (`--fix` does it when the
value is a URL, a host with a port or a path, or upper case, and what remains is a valid name):

```yaml
apiVersion: v1
kind: Service
metadata:
  name: billing-db
spec:
  type: ExternalName
  externalName: db.example.com
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from svclint.api import Cluster, Fix, Map, Problem, Scalar, Seq, Service, fix_replace, problem
from svclint.k8s.addresses import parse_ip
from svclint.k8s.names import is_dns1123_subdomain

ID = "externalname-invalid"
LEVEL = "error"
ENABLED = True
TARGET = "services"
FIX = "safe"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_PORT = re.compile(r":(\d+)$")
_ALLOWED = re.compile(r"[a-z0-9.-]")
_IP_FIELDS = ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    spec = svc.spec
    if svc.type != "ExternalName" or spec is None:
        return
    yield from _check_name(svc, spec)
    for key in _IP_FIELDS:
        if _is_set(spec.get(key)):
            yield problem(
                svc.obj, spec.key_node(key),
                f"`{key}` may not be set on ExternalName Service `{svc.name}`: it gets no "
                "cluster IP, DNS answers with a CNAME to its `externalName`",
                hint=f"remove `{key}`", key=key,
            )  # fmt: skip


def _is_set(node: object) -> bool:
    """Set as the API sees it: a non-empty string or list; any other non-null value (ipFamilyPolicy)."""
    if node is None:
        return False
    if isinstance(node, Scalar):
        return node.value is not None and node.value != ""
    if isinstance(node, Seq):
        return len(node) > 0
    return True


def _check_name(svc: Service, spec: Map) -> Iterator[Problem]:
    node = spec.get("externalName")
    if node is None or (isinstance(node, Scalar) and node.value is None):
        yield problem(
            svc.obj, spec.at("type") if node is None else spec.key_node("externalName"),
            f"ExternalName Service `{svc.name}` has no `externalName`: the API requires the "
            "host name its DNS record points to",
            hint="add `externalName: <host name>`, or drop `type: ExternalName`",
        )  # fmt: skip
        return
    if not isinstance(node, Scalar) or not isinstance(node.value, str):
        what = _type_name(node)
        yield problem(
            svc.obj, node,
            f"`externalName` of Service `{svc.name}` is {what}, not a string: the API rejects it",
            hint="give a host name such as `db.example.com`",
        )  # fmt: skip
        return
    raw = node.value
    name = raw.removesuffix(".")  # the API strips exactly one trailing dot
    if name == "":
        yield problem(
            svc.obj, node,
            f"`externalName` of ExternalName Service `{svc.name}` is empty: the API requires a "
            "host name",
            hint="set `externalName` to the host name clients should reach", key="externalName",
        )  # fmt: skip
        return
    if is_dns1123_subdomain(name):
        return
    reasons = _reasons(name)
    ip = parse_ip(name)
    message = (
        f"`externalName` `{raw}` of Service `{svc.name}` is not a valid DNS name "
        f"(lowercase RFC 1123 subdomain): {'; '.join(reasons)}"
    )
    hint: str | None = None
    fix: Fix | None = None
    if ip is not None and ip.version == 6:
        hint = (
            "to send traffic to an IP address, use a Service without a selector and an "
            "EndpointSlice with that address"
        )
    else:
        suggested = _suggest(raw)
        if suggested is not None:
            host, port = suggested
            hint = f"did you mean `{host}`?"
            if port:
                hint += (
                    " (clients pick the port when they connect; ExternalName does no port mapping)"
                )
            fix = fix_replace(svc.obj.file, node, host, f"set externalName to {host}", "safe")
    yield problem(svc.obj, node, message, hint=hint, key="externalName", fix=fix)


def _type_name(node: object) -> str:
    if isinstance(node, Scalar):
        if isinstance(node.value, bool):
            return f"the boolean `{node.text}`"
        return f"the number `{node.text}`"
    if isinstance(node, Seq):
        return "a list"
    return "a mapping"


def _reasons(name: str) -> list[str]:
    """Why `name` (one trailing dot already stripped) fails IsDNS1123Subdomain, in user terms."""
    ip = parse_ip(name)
    if ip is not None and ip.version == 6:
        return ["it is an IPv6 address (`:` is not allowed)"]
    reasons = []
    rest = name
    scheme = _SCHEME.match(rest)
    if scheme:
        reasons.append(f"it has a URL scheme `{scheme.group(0)}`")
        rest = rest[scheme.end() :]
    host, slash, path = rest.partition("/")
    port = _PORT.search(host)
    if port and port.start() > 0:
        reasons.append(f"it has a port `{port.group(0)}`")
        host = host[: port.start()]
    if slash:
        reasons.append(f"it has a path `/{path}`" if path or host else "it contains `/`")
    if host != host.lower():
        reasons.append("it has upper-case letters")
    if "_" in host:
        reasons.append("`_` is not allowed")
    if "*" in host:
        reasons.append("wildcards (`*`) are not allowed")
    if any(c.isspace() for c in host):
        reasons.append("it contains whitespace")
    other = sorted(
        {c for c in host if not _ALLOWED.fullmatch(c.lower()) and c not in "_*" and not c.isspace()}
    )
    if other:
        reasons.append(f"{', '.join(f'`{c}`' for c in other)} not allowed")
    labels = host.split(".")
    if host == "":
        reasons.append("it has no host name")
    elif any(label == "" for label in labels):
        reasons.append("it has an empty label (`..`, or a leading or extra trailing `.`)")
    if any(label.startswith("-") or label.endswith("-") for label in labels):
        reasons.append("a label starts or ends with `-`")
    if len(name) > 253:
        reasons.append(f"it is {len(name)} characters long (at most 253)")
    if not reasons:
        reasons.append("it does not match `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]...)*`")
    return reasons


def _suggest(raw: str) -> tuple[str, bool] | None:
    """(the bare host of a URL-like or upper-case value, whether a port was dropped), when that
    host is a valid name."""
    rest = raw
    scheme = _SCHEME.match(rest)
    if scheme:
        rest = rest[scheme.end() :]
    host = rest.partition("/")[0]
    port = _PORT.search(host)
    if port and port.start() > 0:
        host = host[: port.start()]
    host = host.strip().lower()
    bare = host.removesuffix(".")
    if host == raw or not bare or not is_dns1123_subdomain(bare):
        return None
    return host, bool(port and port.group(1))
