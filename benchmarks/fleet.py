"""Generate a deterministic, realistic, lint-clean "fleet" of Kubernetes manifests.

Per app: a Deployment (an app container and a metrics sidecar, named ports, readiness and liveness
probes, resources, env, app.kubernetes.io/* labels), a Service (named targetPorts), an Ingress
(networking.k8s.io/v1), a NetworkPolicy and a ConfigMap, rendered the way `helm template` writes
them (`---` plus a `# Source:` comment). 1,000 apps = 5,000 objects, about 3.1 MB.

    python benchmarks/fleet.py --apps 1000 --namespaces 50 --out /tmp/fleet        # a directory
    python benchmarks/fleet.py --apps 1000 --namespaces 1 --out /tmp/fleet.yaml    # one file
    python benchmarks/fleet.py --apps 1 --kinds Deployment,Service --out small.yaml

App i is the same whatever --apps and --namespaces are (it is seeded by --seed and i alone), so
the same apps in 1 or 50 namespaces differ only in namespace names and in which app calls which.
Directory layout: DIR/<namespace>/<app>.yaml (--layout app, default) or DIR/<namespace>.yaml
(--layout namespace).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

KINDS = ("Deployment", "Service", "Ingress", "NetworkPolicy", "ConfigMap")

DOMAINS = (
    "checkout", "cart", "payment", "catalog", "search", "user", "order", "inventory", "shipping",
    "pricing", "review", "recommend", "notify", "auth", "profile", "billing", "ledger", "media",
    "report", "audit",
)  # fmt: skip
ROLES = ("api", "web", "worker", "gateway", "backend", "svc", "sync")
SYSTEMS = ("storefront", "fulfilment", "identity", "finance", "platform", "insights")
LANGS = (  # (runtime, listening port, memory request Mi)
    ("go", 8080, 64), ("java", 8080, 512), ("node", 3000, 128), ("python", 8000, 128),
    ("rust", 9000, 32), ("dotnet", 5000, 256),
)  # fmt: skip
LOG_LEVELS = ("info", "warn", "debug")


@dataclass(frozen=True, slots=True)
class App:
    """One generated application: its names, labels and port."""

    index: int
    name: str
    namespace: str
    system: str
    component: str
    version: str
    lang: str
    port: int
    mem_mi: int
    replicas: int
    caller: str | None  # another app of the namespace allowed in by the NetworkPolicy
    upstream: str | None  # an app of the namespace this one calls
    log_level: str
    extra_env: int
    workers: int


def _rng(index: int, seed: int) -> random.Random:
    return random.Random(f"svclint-fleet:{seed}:{index}")


def app_name(index: int, seed: int) -> str:
    rng = _rng(index, seed)
    return f"{rng.choice(DOMAINS)}-{rng.choice(ROLES)}-{index}"


def make_app(
    index: int, namespace: str, seed: int, caller: str | None, upstream: str | None
) -> App:
    rng = _rng(index, seed)
    domain, role = rng.choice(DOMAINS), rng.choice(ROLES)
    lang, port, mem = rng.choice(LANGS)
    version = f"{rng.randint(1, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    return App(
        index=index,
        name=f"{domain}-{role}-{index}",
        namespace=namespace,
        system=rng.choice(SYSTEMS),
        component=role,
        version=version,
        lang=lang,
        port=port,
        mem_mi=mem,
        replicas=rng.randint(2, 6),
        caller=caller,
        upstream=upstream,
        log_level=rng.choice(LOG_LEVELS),
        extra_env=rng.randint(1, 4),
        workers=rng.choice((2, 4, 8, 16)),
    )


def namespace_name(k: int) -> str:
    return f"team-{k:03d}"


def fleet(apps: int, namespaces: int, seed: int) -> Iterator[App]:
    """Apps in index order: app i lives in namespace i % K, calls app i + K, is called by i - K."""
    for i in range(apps):
        caller = app_name(i - namespaces, seed) if i >= namespaces else None
        upstream = app_name(i + namespaces, seed) if i + namespaces < apps else None
        yield make_app(i, namespace_name(i % namespaces), seed, caller, upstream)


def _labels(a: App, indent: str, pod: bool = False) -> str:
    """Object labels (name, instance), or pod template labels (name, instance, version)."""
    extra = f'{indent}app.kubernetes.io/version: "{a.version}"\n' if pod else ""
    return _selector(a, indent) + extra


def _selector(a: App, indent: str) -> str:
    return f"{indent}app.kubernetes.io/name: {a.name}\n{indent}app.kubernetes.io/instance: {a.system}\n"


_API = {
    "Deployment": "apps/v1",
    "Service": "v1",
    "Ingress": "networking.k8s.io/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "ConfigMap": "v1",
}


def _meta(a: App, kind: str) -> str:
    return (
        f"apiVersion: {_API[kind]}\nkind: {kind}\n"
        f"metadata:\n  name: {a.name}\n  namespace: {a.namespace}\n  labels:\n" + _labels(a, "    ")
    )


def deployment(a: App) -> str:
    upstream = (
        f"        - name: UPSTREAM_URL\n          value: http://{a.upstream}:80\n"
        if a.upstream
        else ""
    )
    return (
        _meta(a, "Deployment") + f"spec:\n  replicas: {a.replicas}\n"
        "  selector:\n    matchLabels:\n" + _selector(a, "      ") + "  template:\n"
        "    metadata:\n      labels:\n" + _labels(a, "        ", pod=True) + "    spec:\n"
        "      containers:\n"
        f"      - name: {a.lang}\n"
        f"        image: registry.example.com/{a.system}/{a.name}:{a.version}\n"
        "        ports:\n"
        "        - name: http\n"
        f"          containerPort: {a.port}\n"
        "        env:\n"
        "        - name: LOG_LEVEL\n"
        f"          value: {a.log_level}\n"
        "        - name: PORT\n"
        f'          value: "{a.port}"\n' + upstream + "        envFrom:\n"
        "        - configMapRef:\n"
        f"            name: {a.name}\n"
        "        readinessProbe:\n"
        "          httpGet:\n"
        "            path: /readyz\n"
        "            port: http\n"
        "        livenessProbe:\n"
        "          httpGet:\n"
        "            path: /healthz\n"
        "            port: http\n"
        "        resources:\n"
        "          requests:\n"
        "            cpu: 100m\n"
        f"            memory: {a.mem_mi}Mi\n"
        "          limits:\n"
        f"            memory: {a.mem_mi * 2}Mi\n"
        "      - name: metrics\n"
        "        image: quay.io/prometheus/statsd-exporter:v0.26.1\n"
        "        ports:\n"
        "        - name: metrics\n"
        "          containerPort: 9102\n"
        "        readinessProbe:\n"
        "          tcpSocket:\n"
        "            port: metrics\n"
        "        resources:\n"
        "          requests:\n"
        "            cpu: 10m\n"
        "            memory: 32Mi\n"
    )


def service(a: App) -> str:
    return (
        _meta(a, "Service") + "spec:\n  selector:\n" + _selector(a, "    ") + "  ports:\n"
        "  - name: http\n"
        "    port: 80\n"
        "    targetPort: http\n"
        "  - name: metrics\n"
        "    port: 9102\n"
        "    targetPort: metrics\n"
    )


def ingress(a: App) -> str:
    return (
        _meta(a, "Ingress") + "spec:\n"
        "  ingressClassName: nginx\n"
        "  rules:\n"
        f"  - host: {a.name}.example.com\n"
        "    http:\n"
        "      paths:\n"
        "      - path: /\n"
        "        pathType: Prefix\n"
        "        backend:\n"
        "          service:\n"
        f"            name: {a.name}\n"
        "            port:\n"
        "              name: http\n"
    )


def network_policy(a: App) -> str:
    caller = (
        f"    - podSelector:\n        matchLabels:\n          app.kubernetes.io/name: {a.caller}\n"
        if a.caller
        else ""
    )
    return (
        _meta(a, "NetworkPolicy") + "spec:\n"
        "  podSelector:\n    matchLabels:\n" + _selector(a, "      ") + "  policyTypes:\n"
        "  - Ingress\n"
        "  ingress:\n"
        "  - from:\n"
        "    - namespaceSelector:\n"
        "        matchLabels:\n"
        "          kubernetes.io/metadata.name: ingress-nginx\n" + caller + "    ports:\n"
        "    - port: http\n"
        "  - ports:\n"
        "    - port: metrics\n"
    )


def config_map(a: App) -> str:
    return (
        _meta(a, "ConfigMap") + "data:\n"
        f"  features: {'canary,fast-path' if a.index % 2 else 'none'}\n"
        f'  workers: "{a.workers}"\n'
    )


RENDER = {
    "Deployment": deployment,
    "Service": service,
    "Ingress": ingress,
    "NetworkPolicy": network_policy,
    "ConfigMap": config_map,
}


def render_app(a: App, kinds: tuple[str, ...] = KINDS, source_comments: bool = False) -> str:
    """The app's objects as a YAML stream; `# Source:` comments as `helm template` writes them."""
    if source_comments:
        return "".join(
            f"---\n# Source: {a.system}/templates/{k.lower()}.yaml\n{RENDER[k](a)}" for k in kinds
        )
    return "".join(f"---\n{RENDER[k](a)}" for k in kinds)


def write(
    out: str,
    apps: int,
    namespaces: int,
    seed: int = 0,
    kinds: tuple[str, ...] = KINDS,
    layout: str = "app",
    source_comments: bool = False,
) -> tuple[int, int]:
    """Write the fleet to OUT (a .yaml/.yml file, else a directory); return (files, bytes)."""
    files = 0
    size = 0
    if out.endswith((".yaml", ".yml")):
        parent = os.path.dirname(out)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(out, "w", encoding="utf-8") as single:
            for a in fleet(apps, namespaces, seed):
                text = render_app(a, kinds, source_comments)
                single.write(text)
                size += len(text.encode())
        return 1, size
    handles: dict[str, TextIO] = {}
    try:
        for a in fleet(apps, namespaces, seed):
            text = render_app(a, kinds, source_comments)
            size += len(text.encode())
            if layout == "namespace":
                handle = handles.get(a.namespace)
                if handle is None:
                    os.makedirs(out, exist_ok=True)
                    path = os.path.join(out, f"{a.namespace}.yaml")
                    handle = open(path, "w", encoding="utf-8")  # noqa: SIM115
                    handles[a.namespace] = handle
                    files += 1
                handle.write(text)
            else:
                folder = os.path.join(out, a.namespace)
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, f"{a.name}.yaml"), "w", encoding="utf-8") as f:
                    f.write(text)
                files += 1
    finally:
        for handle in handles.values():
            handle.close()
    return files, size


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--apps", type=int, default=1000, help="number of apps (default 1000)")
    p.add_argument("--namespaces", type=int, default=50, help="namespaces to spread over (50)")
    p.add_argument("--out", required=True, help="a directory, or a FILE ending in .yaml/.yml")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"comma-separated kinds to emit per app (default {','.join(KINDS)})",
    )
    p.add_argument(
        "--layout",
        choices=("app", "namespace"),
        default="app",
        help="directory layout: one file per app (default) or per namespace",
    )
    p.add_argument(
        "--source-comments",
        action="store_true",
        help="add `# Source:` comments as `helm template` does (about +7%% bytes)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    args = p.parse_args(argv)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    unknown = [k for k in kinds if k not in RENDER]
    if unknown:
        p.error(f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    if args.apps < 1 or args.namespaces < 1:
        p.error("--apps and --namespaces must be at least 1")
    files, size = write(
        args.out, args.apps, args.namespaces, args.seed, kinds, args.layout, args.source_comments
    )
    if not args.quiet:
        print(
            f"{args.out}: {args.apps} apps x {len(kinds)} kinds = {args.apps * len(kinds)} objects"
            f" in {min(args.namespaces, args.apps)} namespaces, {files} files,"
            f" {size / 1e6:.2f} MB",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
