"""Services the API server itself calls: admission webhooks, aggregated APIs, CRD conversion.

Each names its Service as a `ServiceReference` {namespace, name, port}; the port is a Service
`port` and defaults to 443 "for backward compatibility" (k8s.io/api admissionregistration/v1,
apiextensions/v1, kube-aggregator apiregistration/v1). A `url` client config calls something
outside the cluster and names no Service.

- `ValidatingWebhookConfiguration`, `MutatingWebhookConfiguration`
  (`admissionregistration.k8s.io`): `webhooks[].clientConfig.service`. When the webhook cannot be
  called, `failurePolicy` decides: `Fail` (the v1 default) rejects every API request it matches,
  `Ignore` (the v1beta1 default) admits them without it.
- `APIService` (`apiregistration.k8s.io`): `spec.service`; none means the API server serves the
  group itself. An unreachable one makes its group version unavailable.
- `CustomResourceDefinition` (`apiextensions.k8s.io`), with `spec.conversion.strategy: Webhook`:
  `spec.conversion.webhook.clientConfig.service` (v1beta1: `spec.conversion.webhookClientConfig`).
  An unreachable one fails every read and write that needs a version conversion.
"""

from __future__ import annotations

from typing import NamedTuple

from ..model.nodes import Map, Scalar
from ..model.objects import K8sObject
from .service_refs import PortRef, Reference

WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
KINDS = (*WEBHOOK_KINDS, "APIService", "CustomResourceDefinition")
DEFAULT_PORT = 443


class ServiceCall(NamedTuple):
    """A Service the API server calls, and what depends on it."""

    reference: Reference
    caller: str  # "webhook", "apiservice" or "conversion"
    name: str  # the webhook's name, the APIService's or the CRD's
    failure_policy: str | None  # webhooks: `Fail` or `Ignore` (defaulted)


def service_calls(obj: K8sObject) -> list[ServiceCall]:
    """The Services an admission webhook configuration, APIService or CRD has the API server
    call (none for `url` client configs)."""
    if obj.kind in WEBHOOK_KINDS and obj.group == "admissionregistration.k8s.io":
        return _webhooks(obj)
    if obj.kind == "APIService" and obj.group == "apiregistration.k8s.io":
        service = obj.root.dig_map("spec", "service")
        call = _call(obj, service, "apiservice", obj.name, None, "`spec.service`")
        return [call] if call is not None else []
    if obj.kind == "CustomResourceDefinition" and obj.group == "apiextensions.k8s.io":
        conversion = obj.root.dig_map("spec", "conversion")
        if conversion is None or conversion.get_str("strategy") != "Webhook":
            return []
        config = conversion.dig_map("webhook", "clientConfig") or conversion.map(
            "webhookClientConfig"
        )
        service = config.map("service") if config is not None else None
        call = _call(obj, service, "conversion", obj.name, None, "the conversion webhook")
        return [call] if call is not None else []
    return []


def _webhooks(obj: K8sObject) -> list[ServiceCall]:
    default_policy = "Ignore" if obj.api_version.endswith("v1beta1") else "Fail"
    webhooks = obj.root.seq("webhooks")
    out: list[ServiceCall] = []
    for i, hook in enumerate(webhooks.maps() if webhooks is not None else ()):
        name = hook.get_str("name") or f"webhooks[{i}]"
        service = hook.dig_map("clientConfig", "service")
        policy = hook.get_str("failurePolicy") or default_policy
        call = _call(obj, service, "webhook", name, policy, f"webhook `{name}`")
        if call is not None:
            out.append(call)
    return out


def _call(
    obj: K8sObject, service: Map | None, caller: str, name: str, policy: str | None, where: str
) -> ServiceCall | None:
    if service is None:
        return None
    svc_name, namespace = service.get_str("name"), service.get_str("namespace")
    if not svc_name or not namespace:
        return None  # both are required: the API server rejects the object
    port_node = service.get("port")
    number = service.get_int("port")
    if port_node is not None and not (isinstance(port_node, Scalar) and port_node.value is None):
        if number is None:
            return None  # not a number: the schema's business
        port = PortRef("number", number)
    else:
        port, port_node = PortRef("number", DEFAULT_PORT), None
    ref = Reference(obj, namespace, svc_name, port, service.at("name"), port_node, caller, where)
    return ServiceCall(ref, caller, name, policy)
