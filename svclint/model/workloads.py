"""Pod sources: every object that makes pods, seen through its pod template.

A pod source is a Pod, a built-in workload, a CronJob (through its job template), any kind with
`spec.template.metadata` + `spec.template.spec.containers` (Argo Rollout, OpenKruise CloneSet...),
or a kind the user declared in config. Native sidecars (init containers with
`restartPolicy: Always`) serve ports like regular containers, so they are listed as containers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..k8s.pod_labels import job_labels
from .nodes import Map, Node
from .objects import K8sObject

# kind -> path from the object root to the pod template (None: the object is the pod).
BUILTIN_TEMPLATE_PATHS: dict[str, tuple[str, ...] | None] = {
    "Pod": None,
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
BATCH_KINDS = frozenset({"Job", "CronJob"})
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


@dataclass(slots=True, eq=False)
class ContainerPort:
    """One declared containerPort."""

    number: int | None
    name: str | None
    protocol: str
    node: Map


@dataclass(slots=True, eq=False)
class Container:
    """A container (or native sidecar) of a pod template."""

    name: str
    node: Map
    ports: list[ContainerPort]
    sidecar: bool  # a native sidecar (init container with restartPolicy: Always)

    @property
    def ports_node(self) -> Node:
        return self.node.key_node("ports") if "ports" in self.node else self.node

    def probe(self, kind: str) -> Map | None:
        return self.node.map(kind)


@dataclass(slots=True, eq=False)
class PodSource:
    """An object that creates pods: its pod template, labels and containers."""

    obj: K8sObject
    template: Map  # the pod template (or the Pod itself)
    labels: dict[str, str]
    spec: Map | None
    containers: list[Container] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.obj.kind

    @property
    def namespace(self) -> str:
        return self.obj.namespace

    @property
    def replicas(self) -> int | None:
        """Declared replicas (API default 1); None for kinds without the field."""
        if self.obj.kind not in REPLICATED_KINDS:
            return None
        spec = self.obj.spec
        if spec is None or "replicas" not in spec:
            return 1
        return spec.get_int("replicas")

    @property
    def labels_node(self) -> Node:
        meta = self.template if self.obj.kind == "Pod" else self.template.map("metadata")
        if meta is None:
            return self.template
        return meta.key_node("labels") if "labels" in meta else meta

    def ports_named(self, name: str) -> list[tuple[Container, ContainerPort]]:
        return [(c, p) for c in self.containers for p in c.ports if p.name == name]

    def find_port(self, name: str, protocol: str) -> tuple[Container, ContainerPort] | None:
        """FindPort: where a named targetPort lands, the first container port (regular
        containers first, then native sidecars) with this name and protocol."""
        for c, p in self.ports_named(name):
            if p.protocol == protocol:
                return c, p
        return None


def template_path(
    obj: K8sObject, extra: dict[str, tuple[str, ...]]
) -> tuple[str, ...] | bool | None:
    """The template path for `obj`, None for a bare Pod, False when it makes no pods."""
    if obj.kind in extra:
        return extra[obj.kind]
    if obj.kind in BUILTIN_TEMPLATE_PATHS:
        return BUILTIN_TEMPLATE_PATHS[obj.kind]
    tmpl = obj.root.dig_map("spec", "template")
    if tmpl is not None and tmpl.map("metadata") is not None and tmpl.dig("spec", "containers"):
        return ("spec", "template")
    return False


def pod_source(obj: K8sObject, extra: dict[str, tuple[str, ...]]) -> PodSource | None:
    path = template_path(obj, extra)
    if path is False:
        return None
    if path is None:
        template: Map | None = obj.root
        meta = obj.meta
    else:
        template = obj.root.dig_map(*path)  # type: ignore[misc]
        meta = template.map("metadata") if template is not None else None
    if template is None:
        return None
    labels = meta.str_map("labels") if meta is not None else {}
    if obj.kind == "Job" and obj.group == "batch":
        for key, value in job_labels(obj).items():
            labels.setdefault(key, value)  # the template's own value wins
    annotations = meta.str_map("annotations") if meta is not None else {}
    spec = template.map("spec")
    ps = PodSource(obj, template, labels, spec, annotations=annotations)
    if spec is not None:
        ps.containers = _containers(spec)
    return ps


def _containers(spec: Map) -> list[Container]:
    out: list[Container] = []
    seq = spec.seq("containers")
    if seq is not None:
        out.extend(_container(c, False) for c in seq.maps())
    init = spec.seq("initContainers")
    if init is not None:
        out.extend(
            _container(c, True) for c in init.maps() if c.get_str("restartPolicy") == "Always"
        )
    return out


def _container(node: Map, sidecar: bool) -> Container:
    ports: list[ContainerPort] = []
    seq = node.seq("ports")
    if seq is not None:
        for p in seq.maps():
            number = p.get_int("containerPort")
            name = p.text("name") or None
            protocol = p.text("protocol") or "TCP"
            ports.append(ContainerPort(number, name, protocol, p))
    return Container(node.text("name") or "", node, ports, sidecar)
