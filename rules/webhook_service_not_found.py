"""An admission webhook, APIService or CRD conversion webhook that calls a Service, or a port of it, that is not there.

## What it checks

Every Service the API server is told to call:

- `webhooks[].clientConfig.service` of a `ValidatingWebhookConfiguration` or
  `MutatingWebhookConfiguration` (`admissionregistration.k8s.io`);
- `spec.service` of an `APIService` (`apiregistration.k8s.io`);
- `spec.conversion.webhook.clientConfig.service` of a `CustomResourceDefinition` whose
  `spec.conversion.strategy` is `Webhook` (v1beta1: `spec.conversion.webhookClientConfig`).

The Service must exist in the namespace the reference names, and the `port` (default **443**) must
be one of its `spec.ports[].port`: the API server dials the Service port, never the targetPort.
The message says what happens while the call fails: for a webhook, what its `failurePolicy`
(default `Fail`; `Ignore` under `v1beta1`) does to the requests it matches. When the port is the
Service's targetPort or a container port of its pods, the message says so (the classic mix-up).

Not judged: `url` client configs (they call something outside the cluster); an APIService
without `spec.service` (served by the API server itself). When no Service of the target
namespace is in the input, the finding is `info`: svclint cannot tell whether it exists. A
Service an operator may create is `info` too: one whose name a custom resource of its namespace
begins (`<resource>-...`, as operators name what they create), unless a Service of a near name,
or of the same name elsewhere, points at a mistake. The Service `kubernetes` in `default` always
exists.

## Why it matters

The API server calls these Services on the request path. A webhook whose Service is missing, or
whose port the Service does not serve, fails every call: with `failurePolicy: Fail`, every
`kubectl apply` it matches is rejected ("failed calling webhook ... service not found"), often
for the whole cluster; with `Ignore`, the policy it enforces or the defaults it injects silently
stop applying. An APIService that cannot be reached makes its group version unavailable, which
breaks API discovery for every client; a CRD whose conversion webhook cannot be reached fails
every read and write that needs a version conversion.

## Example

```yaml
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: policy
webhooks:
  - name: validate.policy.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      service:
        namespace: policy
        name: policy-webhook
        port: 8443
    rules:
      - apiGroups: ["apps"]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [deployments]
---
apiVersion: v1
kind: Service
metadata:
  name: policy-webhook
  namespace: policy
spec:
  selector: {app: policy-webhook}
  ports:
    - name: https
      port: 443
      targetPort: 8443
```

## Fix

Name the Service port (443, the default, here), not the container's. `--fix --unsafe-fixes`
writes the Service port when the written one is its targetPort or its pods' container port:

```yaml
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: policy
webhooks:
  - name: validate.policy.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      service:
        namespace: policy
        name: policy-webhook
    rules:
      - apiGroups: ["apps"]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [deployments]
---
apiVersion: v1
kind: Service
metadata:
  name: policy-webhook
  namespace: policy
spec:
  selector: {app: policy-webhook}
  ports:
    - name: https
      port: 443
      targetPort: 8443
```
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.api import (
    Cluster,
    K8sObject,
    Problem,
    Related,
    closest,
    fix_replace,
    problem,
    quote_list,
)
from svclint.k8s.operators import may_create, possible_creator
from svclint.k8s.service_refs import placed_namesakes, port_list, port_mixup, resolve
from svclint.k8s.webhooks import DEFAULT_PORT, ServiceCall, service_calls
from svclint.k8s.webhooks import KINDS as CALLER_KINDS

ID = "webhook-service-not-found"
LEVEL = "error"
ENABLED = True
TARGET = "objects"
KINDS = CALLER_KINDS
FIX = "unsafe"


def check(obj: K8sObject, cluster: Cluster) -> Iterator[Problem]:
    for call in service_calls(obj):
        found = _check(obj, call, cluster)
        if found is not None:
            yield found


def _check(obj: K8sObject, call: ServiceCall, cluster: Cluster) -> Problem | None:
    ref = call.reference
    result = resolve(cluster, ref.namespace, ref.name, ref.port)
    if result.status == "found":
        return None
    where = f"{ref.where} of {obj.kind} `{obj.name}`"
    target = f"Service `{ref.namespace}/{ref.name}`"
    # Helm output rendered without `-n` places namespace-less Services in the default one.
    placed = placed_namesakes(cluster, ref.name) if result.status != "no-port" else []
    if result.status == "unknown" or placed:
        return problem(
            obj, ref.node,
            f"{where} calls {target}, but "
            + (
                f"Service `{ref.name}` names no namespace (svclint placed it in "
                f"`{placed[0].namespace}`), so where it is installed decides"
                if placed
                else f"no Services of namespace `{ref.namespace}` were part of the input"
            )
            + ", and svclint cannot tell whether it exists",
            hint=f"lint with `-n {ref.namespace}` (as it is installed)" if placed else None,
            level="info", about=[ref.target], key=ref.key,
        )  # fmt: skip
    maker = possible_creator(cluster, ref.namespace, ref.name) if result.service is None else None
    if maker is not None:
        return problem(
            obj, ref.node,
            f"{where} calls {target}, which is not in the input; {may_create(maker)}",
            related=[Related(maker, maker.name_node(), f"{maker.ref}, a possible creator")],
            level="info", about=[ref.target], key=ref.key,
        )  # fmt: skip
    consequence = _consequence(call)
    if result.status == "missing" or result.service is None:
        names = [s.name for s in cluster.services if s.namespace == ref.namespace]
        near = closest(ref.name, names)
        elsewhere = sorted(
            {s.namespace for s in cluster.services if s.name == ref.name} - {ref.namespace}
        )
        also = (
            f"; a Service `{ref.name}` exists in namespace {quote_list(elsewhere)}"
            if elsewhere
            else ""
        )
        return problem(
            obj, ref.node,
            f"{where} calls {target}, which does not exist{also}: {consequence}",
            hint=f"did you mean `{near}`?" if near is not None else None,
            about=[ref.target], key=ref.key,
        )  # fmt: skip
    svc = result.service
    number = ref.port.value if ref.port is not None else DEFAULT_PORT
    written = f"port `{number}`" if ref.port_node is not None else f"port `{number}` (the default)"
    message = (
        f"{where} calls {written} of {target}, which has no such port (its ports: {port_list(svc)})"
    )
    hint = None
    mixup = port_mixup(cluster, svc, number) if isinstance(number, int) else None
    if mixup is not None:
        message += f"; `{number}` is the {mixup.field} of Service port {mixup.port.label}"
        hint = f"set `port: {mixup.port.port}` (the API server dials the Service port)"
    elif len(svc.ports) == 1 and svc.ports[0].port is not None:
        hint = f"set `port: {svc.ports[0].port}`"
    message += f": {consequence}"
    spec = svc.spec
    at = spec.key_node("ports") if spec is not None and "ports" in spec else svc.obj.name_node()
    # A targetPort (or container port) written where the Service port belongs: that Service
    # port (unsafe). Only where `port` is written: the default 443 has no text to edit.
    fix = None
    if mixup is not None and mixup.port.port is not None and ref.port_node is not None:
        new = mixup.port.port
        fix = fix_replace(obj.file, ref.port_node, new, f"set the port to {new}", "unsafe")
    return problem(
        obj, ref.port_node if ref.port_node is not None else ref.node, message, hint=hint,
        related=[Related(svc.obj, at, f"ports of {svc.obj.ref}")], about=[svc.obj], key=ref.key,
        fix=fix,
    )  # fmt: skip


def _consequence(call: ServiceCall) -> str:
    if call.caller == "apiservice":
        return f"APIService `{call.name}` is unavailable, and API discovery fails for every client"
    if call.caller == "conversion":
        return "every read and write that needs a version conversion of this resource fails"
    if call.failure_policy == "Ignore":
        return (
            "with `failurePolicy: Ignore` the requests it matches are admitted without it, so "
            "what it enforces or injects silently stops applying"
        )
    return "with `failurePolicy: Fail` every API request it matches is rejected"
