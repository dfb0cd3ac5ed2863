"""A provider Service annotation no controller knows, or a known one with a value it rejects.

## What it checks

The annotations of every Service (of any type: GKE reads `cloud.google.com/neg` on ClusterIP
Services) against svclint's catalog of provider annotations, taken from each provider's
documentation and controller source: AWS (Load Balancer Controller and in-tree provider), Azure,
GKE, DigitalOcean, Oracle, MetalLB, Scaleway, Exoscale, Outscale, IBM, and the core Kubernetes
keys (`service.kubernetes.io/topology-mode`,
`service.beta.kubernetes.io/load-balancer-source-ranges`...).
The catalog records, per key, its source, the controller that reads it, the values it accepts and
whether a value marks the load balancer internal.

- **Unknown key in a provider's own family**: a key starting with
  `service.beta.kubernetes.io/aws-load-balancer-`, `service.beta.kubernetes.io/do-loadbalancer-`,
  `metallb.io/` or `metallb.universe.tf/` that the provider does not define (these families are
  catalogued in full from the controllers' constants). Hint: the closest key of that family.
- **Near miss**: under the other provider prefixes (`service.beta.kubernetes.io/`,
  `service.kubernetes.io/`, `cloud.google.com/`, `networking.gke.io/`, `oci.oraclecloud.com/`,
  `oci-network-load-balancer.oraclecloud.com/`, `kubernetes.digitalocean.com/`), a key one edit
  (two for keys of 24 characters or more) away from a catalogued key, or equal to one but for
  letter case. Under the prefixes many providers share (`service.beta.kubernetes.io/`,
  `service.kubernetes.io/`), the first word names the provider and must match: Outscale's
  `osc-load-balancer-internal` is not a typo of Oracle's `oci-load-balancer-internal`. Any other
  unknown key there is left alone, since no catalog lists every provider.
- **Invalid value** of a known key, judged the way its controller parses it: an enum
  (`aws-load-balancer-scheme` is `internal` or `internet-facing`), a Go boolean
  (`strconv.ParseBool`), a flag compared with `"true"`, exactly (cloud-provider-azure's
  `azure-load-balancer-internal`: `"True"` is read as false) or ignoring case (Azure's other
  flags), an integer, IP addresses, CIDRs, JSON (`cloud.google.com/neg`). Each boolean and enum
  of the catalog records the controller function and source file its comparison was read from
  (`compared_by` in `svclint/data/provider_annotations.json`).
- **A label key used as an annotation**: `service.kubernetes.io/service-proxy-name` and
  `service.kubernetes.io/headless` are labels; as annotations they do nothing.

## Why it matters

Cloud controllers read annotations by exact key and mostly ignore what they do not recognize: a
typo (`aws-load-balancer-internl`) or a misspelt value (`networking.gke.io/load-balancer-type:
internal-lb`) silently gives you the default, often a public load balancer. Some values are
rejected only when the controller reconciles, as an event on the Service nobody reads.

## Example

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-shceme: internal
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
    - port: 80
```

## Fix

```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internal
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
    - port: 80
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from svclint.api import Cluster, Map, Problem, Scalar, Service, closest, did_you_mean, problem

if TYPE_CHECKING:
    from svclint.k8s.providers import AnnotationSpec, Catalog

ID = "loadbalancer-annotation-invalid"
LEVEL = "warning"
ENABLED = True
TARGET = "services"


def check(svc: Service, cluster: Cluster) -> Iterator[Problem]:
    meta = svc.obj.meta
    annotations = meta.map("annotations") if meta is not None else None
    if annotations is None or not annotations.values:
        return
    from svclint.k8s.providers import catalog

    cat = catalog()
    for key, value_node in annotations.items():
        spec = cat.lookup(key)
        if spec is not None:
            yield from _check_known(svc, annotations, key, value_node, spec)
        elif cat.watched(key):
            yield from _check_unknown(svc, annotations, key, cat)


def _check_known(
    svc: Service, annotations: Map, key: str, node: object, spec: AnnotationSpec
) -> Iterator[Problem]:
    if spec.kind == "label":
        yield problem(
            svc.obj,
            annotations.key_node(key),
            f"`{key}` on Service {svc.name} is a label, not an annotation: as an annotation "
            "nothing reads it",
            hint="move it to `metadata.labels`",
        )
        return
    if not isinstance(node, Scalar) or not isinstance(node.value, str):
        return  # a non-string annotation value is rejected by the API (schema-invalid)
    if not node.value.strip():
        return  # most controllers read an empty value as an absent one
    reason = spec.value.problem(node.value)
    if reason is None:
        return
    hint = None
    if spec.value.type == "enum":
        near = _closest_value(node.value, spec.value.values)
        hint = f"did you mean `{near}`?" if near is not None else None
    yield problem(
        svc.obj,
        node,
        f"annotation `{key}` on Service {svc.name} is `{node.value}`, {reason} ({_reader(spec)})",
        hint=hint,
    )


def _check_unknown(svc: Service, annotations: Map, key: str, cat: Catalog) -> Iterator[Problem]:
    at = annotations.key_node(key)
    cased = cat.same_but_case(key)
    if cased is not None:
        yield problem(
            svc.obj,
            at,
            f"annotation `{key}` on Service {svc.name} differs from `{cased}` in letter case: "
            "annotation keys are case-sensitive, so the controller ignores it",
            hint=f"did you mean `{cased}`?",
        )
        return
    family = cat.family(key)
    if family is not None and family.closed:
        suffix = key[len(family.prefix) :]
        known = {k[len(family.prefix) :]: k for k in cat.family_keys(family)}
        near = closest(suffix, known, max_ratio=0.34)
        yield problem(
            svc.obj,
            at,
            f"annotation `{key}` on Service {svc.name} is not one of the {family.provider} "
            "Service annotations: the controller ignores it",
            hint=f"did you mean `{known[near]}`?" if near is not None else None,
        )
        return
    near_key = cat.near_miss(key)
    if near_key is not None:
        spec = cat.annotations[near_key]
        yield problem(
            svc.obj,
            at,
            f"annotation `{key}` on Service {svc.name} is not a known annotation but is one "
            f"typo away from the {spec.provider} annotation `{near_key}`",
            hint=did_you_mean(key, [near_key]),
        )


def _closest_value(value: str, values: tuple[str, ...]) -> str | None:
    for v in values:
        if v.lower() == value.lower():
            return v
    return closest(value, values)


def _reader(spec: AnnotationSpec) -> str:
    names = {
        "aws-load-balancer-controller": "AWS Load Balancer Controller",
        "aws-in-tree": "in-tree AWS provider",
        "azure": "Azure cloud provider",
        "gke": "GKE",
        "gke-ingress": "GKE Ingress/NEG controller",
        "digitalocean": "DigitalOcean cloud controller",
        "oracle": "OCI cloud controller",
        "metallb": "MetalLB",
        "kubernetes": "Kubernetes",
    }
    readers = list(dict.fromkeys(names.get(c, spec.provider) for c in spec.controllers))
    if not readers:
        return spec.provider
    if len(readers) == 1:
        return f"read by {readers[0]}"
    return f"read by {', '.join(readers[:-1])} and {readers[-1]}"
