"""In-cluster DNS names in what containers are given (env values, command, args) and in ConfigMap
data: where a pod calls a Service by name.

How a name in a pod resolves (kubelet `pkg/kubelet/network/dns`, CoreDNS's kubernetes plugin): a
pod in namespace N searches `N.svc.<domain>`, `svc.<domain>`, `<domain>`, so `web` is Service
`web` of N only, `web.shop` and `web.shop.svc` are Service `web` of `shop`, and
`web.shop.svc.<domain>` is fully qualified. `<pod>.<svc>.<ns>.svc...` is a per-pod name of a
headless Service, `_<port>._<proto>.<svc>.<ns>.svc...` an SRV name of a named port.

`$(VAR)` in an env value expands from the container's earlier env entries, and in `command` and
`args` from all of them (kubelet `expansion.Expand`: `$$` escapes, an unknown `$(VAR)` stays).

What is read is chosen for precision (see the rule `dns-reference-not-found`):

- fully qualified names, and names ending in `.svc`, wherever they stand as a whole token;
- short names (`web`, `web.shop`) only where an address is expected: the host of a URL, a
  `host:port` token, or the whole value of an env var or ConfigMap key whose name says it holds
  an address (`..._HOST`, `...URL`, `endpoint`...); and only when a Service of that name is in the
  input (any namespace: a name that matches none is most likely outside the cluster);
- never: values holding unrendered template text (`{{`, `${`, an unresolved `$(VAR)`), IP
  literals and `localhost`, names under another cluster domain, comment lines of ConfigMap data,
  Secrets.

Prefilter: a value is parsed only when it contains `.svc` or a word that is a Service name of the
input, so large ConfigMaps (dashboards, rule files) cost one tokenizing pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..model.nodes import Map, Node, Scalar
from ..model.objects import K8sObject
from ..model.workloads import PodSource
from .dns import service_name
from .service_refs import PortRef, Reference

if TYPE_CHECKING:
    from ..model.cluster import Cluster

SCHEME_PORTS = {"http": 80, "https": 443}  # only these schemes' defaults are certain
# Names of env vars and ConfigMap keys that hold an address (the last word of the name).
ADDRESS_KEY = re.compile(
    r"(?:^|[_.\-])(host|hostname|addr|address|server|servers|endpoint|endpoints|url|uri|urls|"
    r"broker|brokers|upstream|target|targets|svc|service|dsn)$",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(r"\{\{|\}\}|\$\{|#\{|%\(|\$\(")
_WORD = re.compile(r"[a-z][a-z0-9-]*")
_URL = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^/@\s]*@)?(?P<hosts>[a-z0-9_.,:\[\]-]+)", re.IGNORECASE
)
_AUTHORITY = re.compile(
    r"(?P<host>[a-z0-9_][a-z0-9_.-]*)(?::(?P<port>[0-9]{1,5}))?\.?$", re.IGNORECASE
)
_SPLIT = re.compile(r"[\s,;\"'()\[\]{}<>|=]+")
_EXPAND = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_COMMENT = ("#", "//", ";", "--")


class DnsRef(NamedTuple):
    """A DNS name of a Service found in a value, with how it was written."""

    reference: Reference  # relation "dns"; `where` names the env var, argument or data key
    written: str  # the name (and port) as written, for messages
    form: str  # the ServiceName form (fqdn, svc, namespace, short) or "srv"
    pod_host: str | None  # a per-pod name's host label
    srv: tuple[str, str] | None  # an SRV name's (port name, protocol)
    default_port: bool  # the port is the URL scheme's default, not written
    dialed: bool  # in an address context (a URL, `host:port`, an address-like key), not just named


def dns_references(cluster: Cluster, obj: K8sObject) -> list[DnsRef]:
    """The Service DNS names in a pod source's containers or in a ConfigMap's data."""
    names = service_names(cluster)
    out: list[DnsRef] = []
    ps = cluster.pod_source_of(obj)
    if ps is not None:
        for c_node, c_name in _containers(ps):
            out.extend(_container_refs(cluster, obj, ps, c_node, c_name, names))
    elif obj.kind == "ConfigMap" and obj.group == "":
        data = obj.root.map("data")
        for key, value in data.items() if data is not None else ():
            if isinstance(value, Scalar) and isinstance(value.value, str):
                where = f"key `{key}`"
                out.extend(_value_refs(cluster, obj, value, value.value, key, where, names, True))
    return out


def service_names(cluster: Cluster) -> frozenset[str]:
    """The Service names of the input (any namespace), for the prefilter and short names."""
    return cluster.memo("k8s.dns_refs.names", lambda: frozenset(s.name for s in cluster.services))


# -- containers -------------------------------------------------------------------------------


def _containers(ps: PodSource) -> Iterator[tuple[Map, str]]:
    spec = ps.spec
    for key in ("initContainers", "containers"):
        seq = spec.seq(key) if spec is not None else None
        for c in seq.maps() if seq is not None else ():
            yield c, c.text("name") or "?"


def _container_refs(
    cluster: Cluster, obj: K8sObject, ps: PodSource, c: Map, c_name: str, names: frozenset[str]
) -> Iterator[DnsRef]:
    env: dict[str, str] = {}
    values: list[tuple[str, Scalar, str]] = []
    seq = c.seq("env")
    for e in seq.maps() if seq is not None else ():
        name = e.get_str("name")
        node = e.get("value")
        if name is None or not isinstance(node, Scalar) or not isinstance(node.value, str):
            continue
        expanded = expand(node.value, env)
        env[name] = expanded
        values.append((name, node, expanded))
    skip = _own_names(ps)
    for name, node, text in values:
        where = f"env `{name}` of container `{c_name}`"
        yield from _value_refs(cluster, obj, node, text, name, where, names, False, skip)
    for key in ("command", "args"):
        items = c.seq(key)
        for i, item in enumerate(items.items if items is not None else ()):
            if isinstance(item, Scalar) and isinstance(item.value, str):
                text = expand(item.value, env)
                where = f"{key}[{i}] of container `{c_name}`"
                yield from _value_refs(cluster, obj, item, text, "", where, names, False, skip)


def expand(text: str, env: dict[str, str]) -> str:
    """The kubelet's `$(VAR)` expansion: known variables replaced, `$$` a literal `$`, an unknown
    `$(VAR)` left as written."""
    if "$" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))

    return _EXPAND.sub(sub, text)


def _own_names(ps: PodSource) -> frozenset[str]:
    """Names a pod reaches without DNS: its own hostname and `hostAliases`."""
    spec = ps.spec
    out = {"localhost"}
    if spec is not None:
        if spec.get_str("hostname"):
            out.add(spec.get_str("hostname") or "")
        aliases = spec.seq("hostAliases")
        for alias in aliases.maps() if aliases is not None else ():
            names = alias.seq("hostnames")
            out.update(
                i.value
                for i in (names.items if names is not None else ())
                if isinstance(i, Scalar) and isinstance(i.value, str)
            )
    return frozenset(n.lower() for n in out)


# -- values -----------------------------------------------------------------------------------


def _value_refs(
    cluster: Cluster,
    obj: K8sObject,
    node: Scalar,
    text: str,
    key: str,
    where: str,
    names: frozenset[str],
    lines: bool,
    skip: frozenset[str] = frozenset({"localhost"}),
) -> Iterator[DnsRef]:
    lower = text.lower()
    if ".svc" not in lower and not any(w in names for w in _WORD.findall(lower)):
        return  # the prefilter: no `.svc`, no Service name
    address_key = bool(key) and ADDRESS_KEY.search(key) is not None
    chunks = text.split("\n") if lines else [text]
    for i, chunk in enumerate(chunks):
        stripped = chunk.strip()
        if not stripped or (lines and stripped.startswith(_COMMENT)):
            continue
        if _TEMPLATE.search(chunk):
            continue  # unrendered: `{{ }}`, `${}`, an unresolved `$(VAR)`
        for token, port, scheme, context in _candidates(chunk, address_key and len(chunks) == 1):
            ref = _classify(cluster, obj, node, token, port, scheme, context, where, names, skip, i)
            if ref is not None:
                yield ref


def _candidates(chunk: str, whole_is_address: bool) -> Iterator[tuple[str, int | None, str, bool]]:
    """(host, port, scheme, in an address context) for each host-like token of a line."""
    for m in _URL.finditer(chunk):
        scheme = m.group("scheme").lower()
        for part in m.group("hosts").split(","):
            host, _, port = part.partition(":")
            yield host, int(port) if port.isdigit() else None, scheme, True
    for raw in _SPLIT.split(chunk):
        grpc = raw.lower().startswith("dns:///")  # gRPC's `dns:///host:port`
        if grpc:
            raw = raw[len("dns:///") :]
        elif "//" in raw:
            continue  # URLs are read above
        token = raw.strip("./").lower()
        found = _AUTHORITY.match(token) if token else None
        if found is None:
            continue
        host, port = found.group("host"), found.group("port")
        context = port is not None or whole_is_address or grpc
        yield host, int(port) if port else None, "", context


def _classify(
    cluster: Cluster,
    obj: K8sObject,
    node: Scalar,
    host: str,
    port: int | None,
    scheme: str,
    context: bool,
    where: str,
    names: frozenset[str],
    skip: frozenset[str],
    line: int,
) -> DnsRef | None:
    host = host.lower().removesuffix(".")
    if not host or host in skip or (host[0].isdigit() and host.replace(".", "").isdigit()):
        return None  # a name the pod reaches without DNS, or an IPv4 address
    srv: tuple[str, str] | None = None
    labels = host.split(".")
    if labels[0].startswith("_") and len(labels) > 2 and labels[1].startswith("_"):
        srv = (labels[0][1:], labels[1][1:])
        host = ".".join(labels[2:])
    if "_" in host:
        return None
    target = service_name(host, cluster.options.cluster_domain, obj.namespace)
    if target is None or target.form == "other-domain":
        return None  # not a Service name, or another cluster's
    if target.form in ("namespace", "short"):
        if not context or srv is not None or target.host is not None:
            return None  # a bare word where no address is expected: not judged
        if target.service not in names:
            return None  # names no Service of the input: most likely outside the cluster
        if target.form == "namespace" and not cluster.has_services(target.namespace):
            return None  # `<svc>.<ns>` with a namespace the input does not know: a domain?
    if (target.namespace, target.service) == ("default", "kubernetes"):
        return None  # the API server's Service: always there
    default_port = False
    if port is None and scheme in SCHEME_PORTS and srv is None and target.host is None:
        port, default_port = SCHEME_PORTS[scheme], True
    written = host if port is None or default_port else f"{host}:{port}"
    if srv is not None:
        written = f"_{srv[0]}._{srv[1]}.{host}"
    at = _locate(obj, node, written.split(":")[0], line)
    ref = Reference(
        obj, target.namespace, target.service,
        PortRef("number", port) if port is not None else None,
        at, None, "dns", where,
    )  # fmt: skip
    form = "srv" if srv is not None else target.form
    return DnsRef(ref, written, form, target.host, srv, default_port, context)


def _locate(obj: K8sObject, node: Scalar, word: str, line: int) -> Node:
    """The position of `word` inside the value as written: on its line, or on the `line`-th line
    of a block scalar; the whole value when it is not written literally there (an expanded
    `$(VAR)`)."""
    if node.line == node.end_line:
        text = obj.file.line(node.line).lower()
        col = text.find(word, node.col - 1, node.end_col - 1)
        if col >= 0:
            return Node(node.line, col + 1, node.line, col + 1 + len(word))
        return node
    if not node.plain:  # a block scalar: its content starts on the next line
        n = node.line + 1 + line
        if n < node.end_line or (n == node.end_line and node.end_col > 1):
            col = obj.file.line(n).lower().find(word)
            if col >= 0:
                return Node(n, col + 1, n, col + 1 + len(word))
    return node


def references_by_source(cluster: Cluster) -> dict[int, list[DnsRef]]:
    """Every DNS reference of the input, by id of the referring object (memoized)."""
    return cluster.memo("k8s.dns_refs.all", lambda: _all(cluster))


def _all(cluster: Cluster) -> dict[int, list[DnsRef]]:
    out: dict[int, list[DnsRef]] = {}
    for ps in cluster.pod_sources:
        refs = dns_references(cluster, ps.obj)
        if refs:
            out[id(ps.obj)] = refs
    for cm in cluster.of_kind("ConfigMap"):
        refs = dns_references(cluster, cm)
        if refs:
            out[id(cm)] = refs
    return out


def references_to(cluster: Cluster, namespace: str, name: str) -> list[DnsRef]:
    """The DNS references naming Service `namespace/name`."""
    index: dict[tuple[str, str], list[DnsRef]] = cluster.memo(
        "k8s.dns_refs.by_target", lambda: _by_target(cluster)
    )
    return index.get((namespace, name), [])


def _by_target(cluster: Cluster) -> dict[tuple[str, str], list[DnsRef]]:
    out: dict[tuple[str, str], list[DnsRef]] = {}
    for refs in references_by_source(cluster).values():
        for r in refs:
            out.setdefault((r.reference.namespace, r.reference.name), []).append(r)
    return out
