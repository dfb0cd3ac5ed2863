"""A LoadBalancer neither marked internal nor restricted to source ranges: open to the internet.

## What it checks

Every Service of type `LoadBalancer` that

- carries no annotation that makes its load balancer internal, according to svclint's catalog of
  provider annotations (`service.beta.kubernetes.io/aws-load-balancer-scheme: internal`,
  `networking.gke.io/load-balancer-type: Internal`,
  `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`,
  `service.beta.kubernetes.io/do-loadbalancer-network: INTERNAL`,
  `service.beta.kubernetes.io/oci-load-balancer-internal: "true"`, the IBM, Tencent, Alibaba,
  Baidu, OpenStack, Scaleway and Hetzner equivalents...), and is not handled by a controller or
  `loadBalancerClass` whose default is internal (the AWS Load Balancer Controller, selected by
  `aws-load-balancer-type: external` / `nlb-ip` or `loadBalancerClass: service.k8s.aws/nlb`, makes
  internal load balancers unless told otherwise; GKE's `networking.gke.io/l4-regional-internal`);
- and is not restricted to source ranges: `spec.loadBalancerSourceRanges`, or when that is empty
  the legacy `service.beta.kubernetes.io/load-balancer-source-ranges` annotation, or a provider's
  own allow list (`azure-allowed-ip-ranges`, `azure-allowed-service-tags`,
  `do-loadbalancer-allow-rules`). A list containing `0.0.0.0/0` or `::/0` restricts nothing, and
  the finding points at that entry.

Whether an unannotated load balancer is public depends on the controller that provisions it, which
a manifest does not say: svclint assumes internet-facing, as most cloud controllers (and the
in-tree AWS provider) default to, and the message says so. With MetalLB (a `metallb.io/`
annotation) the address pool decides, so the finding is `info`.

## Why it matters

A public load balancer exposes the Service's ports to the whole internet: databases, admin UIs and
internal APIs published this way are found by scanners within minutes. Load balancers meant for
in-cluster or VPC clients should be internal, and public ones should admit only the client ranges
they serve.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: postgres
spec:
  type: LoadBalancer
  selector:
    app: postgres
  ports:
    - port: 5432
```

## Fix

Mark it internal with your provider's annotation, or restrict the source ranges:

```yaml
apiVersion: v1
kind: Service
metadata:
  name: postgres
spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
    - 10.0.0.0/8
  selector:
    app: postgres
  ports:
    - port: 5432
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from svclint.api import Cluster, Node, Problem, Scalar, Service, problem

if TYPE_CHECKING:
    from svclint.k8s.providers import Catalog

ID = "loadbalancer-open-to-internet"
LEVEL = "warning"
ENABLED = True
TARGET = "services"
TAGS = ("security",)

SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"
ASSUMPTION = (
    "svclint assumes an internet-facing load balancer, the default of most cloud controllers "
    "(the AWS Load Balancer Controller defaults to internal, the in-tree AWS provider to "
    "internet-facing)"
)
# How each provider marks a load balancer internal, for the hint.
INTERNAL_BY_PROVIDER = {
    "AWS": "service.beta.kubernetes.io/aws-load-balancer-scheme: internal",
    "Azure": 'service.beta.kubernetes.io/azure-load-balancer-internal: "true"',
    "GKE": "networking.gke.io/load-balancer-type: Internal",
    "DigitalOcean": "service.beta.kubernetes.io/do-loadbalancer-network: INTERNAL",
    "Oracle": 'service.beta.kubernetes.io/oci-load-balancer-internal: "true"',
}


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    if svc.type != "LoadBalancer" or svc.spec is None:
        return
    from svclint.k8s.providers import catalog

    cat = catalog()
    annotations = svc.obj.annotations
    if _internal(svc, annotations, cat):
        return
    providers = sorted(
        {
            spec.provider
            for key in annotations
            if (spec := cat.lookup(key)) is not None and spec.provider != "Kubernetes"
        }
    )
    ranged, where, opening = _source_ranges(svc)
    if where is None and (ranged or _restricted(annotations, cat)):
        return
    public = _explicitly_public(annotations, cat)
    metallb = providers == ["MetalLB"] and public is None
    controller_id = _controller(svc, annotations, cat)
    controller = cat.controllers.get(controller_id or "")
    if public is not None:
        why = f"`{public}` makes it internet-facing"
    elif metallb:
        why = "MetalLB assigns its address, so the address pool decides whether it is public"
    elif controller is not None and controller.default_scheme == "internet-facing":
        why = f"the {controller.name} makes internet-facing load balancers unless told otherwise"
    else:
        why = ASSUMPTION
    if opening is not None:
        message = (
            f"LoadBalancer Service {svc.name} admits every client: its source ranges include "
            f"`{opening}` and it is not marked internal; {why}"
        )
    else:
        message = (
            f"LoadBalancer Service {svc.name} is not marked internal and has no "
            f"`loadBalancerSourceRanges`: {why}"
        )
    marks = [INTERNAL_BY_PROVIDER[p] for p in providers if p in INTERNAL_BY_PROVIDER]
    if controller_id == "aws-in-tree":
        marks = ['service.beta.kubernetes.io/aws-load-balancer-internal: "true"']
    if not marks:
        marks = [INTERNAL_BY_PROVIDER[p] for p in ("AWS", "GKE", "Azure")]
    hint = "restrict `spec.loadBalancerSourceRanges` to the clients it serves, or "
    if metallb:
        hint += "take its address from a pool that is not routed from the internet"
    else:
        hint += "mark it internal (" + ", ".join(f"`{m}`" for m in marks) + ")"
    yield problem(
        svc.obj,
        where if where is not None else svc.spec.at("type"),
        message,
        hint=hint,
        level="info" if metallb else None,
    )


def _controller(svc: Service, annotations: dict[str, str], cat: Catalog) -> str | None:
    """The controller the annotations or `loadBalancerClass` select, when they say."""
    assert svc.spec is not None
    lb_class = cat.load_balancer_classes.get(svc.spec.get_str("loadBalancerClass") or "")
    if lb_class is not None:
        return lb_class.controller
    for key, value in annotations.items():
        spec = cat.lookup(key)
        if spec is not None and value in spec.selects_controller:
            return spec.selects_controller[value]
    return None


def _internal(svc: Service, annotations: dict[str, str], cat: Catalog) -> bool:
    for key, value in annotations.items():
        spec = cat.lookup(key)
        if spec is not None and spec.internal and spec.internal.matches(value, annotations):
            return True
    assert svc.spec is not None
    lb_class = cat.load_balancer_classes.get(svc.spec.get_str("loadBalancerClass") or "")
    if lb_class is not None and lb_class.internal is not None:
        return lb_class.internal
    info = cat.controllers.get(_controller(svc, annotations, cat) or "")
    # A controller that defaults to internal (the AWS LBC), with no scheme annotation overriding it.
    return (
        info is not None
        and info.default_scheme == "internal"
        and not any(k in annotations for k in info.scheme_keys)
    )


def _explicitly_public(annotations: dict[str, str], cat: Catalog) -> str | None:
    """`key: value` of a valid annotation value that asks for a public load balancer."""
    for key, value in annotations.items():
        spec = cat.lookup(key)
        if spec is None or spec.internal is None or spec.internal.any:
            continue
        if value.strip() and spec.value.problem(value) is None and spec.value.type != "text":
            return f"{key}: {value}"
    return None


def _source_ranges(svc: Service) -> tuple[bool, Node | None, str | None]:
    """Whether source ranges are set (the field, else the legacy annotation, as the API server
    reads them), and the entry that admits every client, if any."""
    from svclint.k8s.addresses import is_open_range

    assert svc.spec is not None
    ranges = svc.spec.seq("loadBalancerSourceRanges")
    items = [n for n in ranges.items if isinstance(n, Scalar)] if ranges is not None else []
    if items:
        for node in items:
            if is_open_range(node.text):
                return True, node, node.text.strip()
        return True, None, None
    meta = svc.obj.meta
    annotations = meta.map("annotations") if meta is not None else None
    value = annotations.get(SOURCE_RANGES) if annotations is not None else None
    if not isinstance(value, Scalar) or not isinstance(value.value, str):
        return False, None, None
    parts = [p.strip() for p in value.value.split(",") if p.strip()]
    for part in parts:
        if is_open_range(part):
            return True, value, part
    return bool(parts), None, None


def _restricted(annotations: dict[str, str], cat: Catalog) -> bool:
    """Source ranges or a provider allow list that admit only some clients."""
    from svclint.k8s.addresses import is_cidr, is_open_range

    for key, value in annotations.items():
        spec = cat.lookup(key)
        kind = spec.restricts if spec is not None else None
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if kind is None or not parts:
            continue
        if kind == "source-ranges" and all(is_cidr(p) and not is_open_range(p) for p in parts):
            return True
        if kind == "service-tags" and not any(p.lower() == "internet" for p in parts):
            return True
        if kind == "do-rules" and not any(is_open_range(p.partition(":")[2]) for p in parts):
            return True
    return False
