"""The cluster as the manifests describe it: objects, Services, pod sources, and the indexes
between them, which every rule reads. Built once per run. Selector matching goes through a per-namespace label index, so matching every
Service against every pod template costs the size of the smallest posting list, not
Services x templates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from ..k8s.autoscaling import hpas_for
from ..k8s.builtin import BUILTIN_SERVICES, builtin_objects
from ..k8s.endpoints import SERVICE_NAME_LABEL
from ..k8s.pod_labels import (
    PER_POD_KINDS,
    PER_POD_LABELS,
    wanted_completion_index,
    wanted_ordinal,
)
from ..k8s.statefulset import has_ordinal
from ..load.documents import DocProblem
from .nodes import Map, walk_maps
from .objects import K8sObject, SourceFile
from .services import Service, service_view
from .workloads import PodSource, pod_source

T = TypeVar("T")


# Mappings operators copy onto the pods they create (ground rule "operator-owned pods").
POD_METADATA_KEYS = frozenset(
    {"podMetadata", "podTemplate", "template", "pod", "inheritedMetadata"}
)


@dataclass(slots=True)
class Options:
    """Run-wide settings rules may read (never config files: the engine resolves those)."""

    default_namespace: str = "default"
    namespace_given: bool = False  # --namespace or the config's `namespace`: not just "default"
    cluster_domain: str = "cluster.local"
    kubernetes_version: tuple[int, int] = (1, 37)
    node_port_range: tuple[int, int] = (30000, 32767)
    workload_kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(slots=True)
class Cluster:
    """Every object of a run, with the Service and pod views and the indexes rules share."""

    options: Options
    objects: list[K8sObject] = field(default_factory=list)
    doc_problems: list[tuple[SourceFile, DocProblem]] = field(default_factory=list)
    not_objects: int = 0  # documents that are not Kubernetes objects (values files, CI configs)
    services: list[Service] = field(default_factory=list)
    pod_sources: list[PodSource] = field(default_factory=list)
    _by_key: dict[tuple[str, str, str], list[K8sObject]] = field(default_factory=dict)
    _by_kind: dict[str, list[K8sObject]] = field(default_factory=dict)
    _services_by_ns: dict[str, dict[str, Service]] = field(default_factory=dict)
    _pods_by_ns: dict[str, list[PodSource]] = field(default_factory=dict)
    _label_index: dict[str, dict[tuple[str, str], list[int]]] = field(default_factory=dict)
    _pod_source_of: dict[int, PodSource] = field(default_factory=dict)
    _service_of: dict[int, Service] = field(default_factory=dict)
    _owner_candidates: dict[str, list[tuple[K8sObject, Map]]] = field(default_factory=dict)
    _selected: dict[int, list[PodSource]] = field(default_factory=dict)
    _selecting: dict[int, list[Service]] | None = None
    _slices: dict[str, list[K8sObject]] | None = None
    _memo: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        objects: Iterable[K8sObject],
        options: Options,
        doc_problems: Iterable[tuple[SourceFile, DocProblem]] = (),
        not_objects: int = 0,
    ) -> Cluster:
        g = cls(options)
        g.doc_problems = list(doc_problems)
        g.not_objects = not_objects
        by_key: dict[tuple[str, str, str], list[K8sObject]] = defaultdict(list)
        by_kind: dict[str, list[K8sObject]] = defaultdict(list)
        for obj in objects:
            g.objects.append(obj)
            by_key[(obj.kind, obj.namespace, obj.name)].append(obj)
            by_kind[obj.kind].append(obj)
            if obj.kind == "Service" and obj.group == "":
                svc = service_view(obj)
                g._service_of[id(obj)] = svc
                g.services.append(svc)
                g._services_by_ns.setdefault(obj.namespace, {}).setdefault(obj.name, svc)
                continue
            ps = pod_source(obj, options.workload_kinds)
            if ps is not None:
                g._add_pod_source(ps)
        g._by_key = dict(by_key)
        g._by_kind = dict(by_kind)
        return g

    def _add_pod_source(self, ps: PodSource) -> None:
        ns_list = self._pods_by_ns.setdefault(ps.namespace, [])
        index = self._label_index.setdefault(ps.namespace, {})
        pos = len(ns_list)
        ns_list.append(ps)
        self.pod_sources.append(ps)
        self._pod_source_of[id(ps.obj)] = ps
        for item in ps.labels.items():
            index.setdefault(item, []).append(pos)

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """A per-run cache for rules: `build()` once per run (an index of policies, say)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]  # type: ignore[return-value]

    # -- lookups ---------------------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str) -> list[K8sObject]:
        return self._by_key.get((kind, namespace, name), [])

    def has_kind(self, *kinds: str) -> bool:
        return any(kind in self._by_kind for kind in kinds)

    def of_kind(self, *kinds: str) -> Iterator[K8sObject]:
        for kind in kinds:
            yield from self._by_kind.get(kind, ())

    def service(self, namespace: str, name: str) -> Service | None:
        """The Service of that name, from the input, else one every cluster has (`kubernetes`
        in `default`, k8s/builtin.py): a reference to it is never dangling."""
        found = self._services_by_ns.get(namespace, {}).get(name)
        if found is None and (namespace, name) in BUILTIN_SERVICES:
            found = self.memo(
                f"builtin Service {namespace}/{name}",  # parsed on first use only
                lambda: service_view(builtin_objects()[("Service", namespace, name)]),
            )
        return found

    def has_services(self, namespace: str) -> bool:
        return namespace in self._services_by_ns

    def pod_sources_in(self, namespace: str) -> list[PodSource]:
        return self._pods_by_ns.get(namespace, [])

    def pod_source_of(self, obj: K8sObject) -> PodSource | None:
        return self._pod_source_of.get(id(obj))

    def services_named(self, namespace: str, name: str) -> list[Service]:
        """Every Service of that namespace and name: variants of one bundle linted together
        define some twice (duplicate-object reports that). The built-in one when none."""
        found = [
            self._service_of[id(o)]
            for o in self.get("Service", namespace, name)
            if id(o) in self._service_of
        ]
        if not found:
            builtin = self.service(namespace, name)
            return [builtin] if builtin is not None else []
        return found

    def namespaces_with_pods(self) -> Iterable[str]:
        return self._pods_by_ns.keys()

    def select(self, namespace: str, selector: dict[str, str]) -> list[PodSource]:
        """Pod sources in `namespace` whose template labels carry every selector pair."""
        if not selector:
            return []
        index = self._label_index.get(namespace)
        if index is None:
            return []
        postings = []
        for item in selector.items():
            hits = index.get(item)
            if not hits:
                return []
            postings.append(hits)
        postings.sort(key=len)
        found = set(postings[0])
        for other in postings[1:]:
            found.intersection_update(other)
            if not found:
                return []
        pods = self._pods_by_ns[namespace]
        return [pods[i] for i in sorted(found)]

    def pods_for(self, svc: Service) -> list[PodSource]:
        """The pod sources a Service selects (empty without a selector or for ExternalName).

        StatefulSet per-pod keys are matched by ordinal: `pod-name: web-2` selects StatefulSet
        `web` when 2 is within its ordinals (any ordinal >= start when an HPA scales it).
        """
        if not svc.selector or svc.type == "ExternalName":
            return []
        cached = self._selected.get(id(svc))
        if cached is not None:
            return cached
        found = self.select_with_ordinals(svc.namespace, svc.selector)
        self._selected[id(svc)] = found
        return found

    def select_with_ordinals(self, namespace: str, selector: dict[str, str]) -> list[PodSource]:
        per_pod = {k: v for k, v in selector.items() if k in PER_POD_LABELS}
        if not per_pod:
            return self.select(namespace, selector)
        rest = {k: v for k, v in selector.items() if k not in PER_POD_LABELS}
        candidates = (
            self.select(namespace, rest)
            if rest
            else [p for p in self.pod_sources_in(namespace) if p.kind in PER_POD_KINDS]
        )
        return [p for p in candidates if self._has_pod(p, per_pod)]

    def _has_pod(self, ps: PodSource, per_pod: dict[str, str]) -> bool:
        """Whether one of the pods of `ps` carries these per-pod labels (k8s/pod_labels.py)."""
        if ps.kind == "StatefulSet" and ps.obj.group == "apps":
            ordinal = wanted_ordinal(ps.obj.name, per_pod)
            return ordinal is not None and has_ordinal(
                ps.obj, ordinal, ps.replicas, self.hpa_targets(ps.obj)
            )
        return wanted_completion_index(ps.obj, per_pod)

    def hpa_targets(self, obj: K8sObject) -> bool:
        """Whether a HorizontalPodAutoscaler in the input scales `obj`."""
        return bool(hpas_for(self, obj))

    def endpoint_slices(self, service: str) -> list[K8sObject]:
        """EndpointSlices (discovery.k8s.io) labelled `kubernetes.io/service-name: <service>`,
        in every namespace: a slice counts only in its Service's own, callers filter."""
        if self._slices is None:
            index: dict[str, list[K8sObject]] = {}
            for obj in self.of_kind("EndpointSlice"):
                name = obj.labels.get(SERVICE_NAME_LABEL)
                if obj.group == "discovery.k8s.io" and name:
                    index.setdefault(name, []).append(obj)
            self._slices = index
        return self._slices.get(service, [])

    def services_selecting(self, ps: PodSource) -> list[Service]:
        """Services (with a selector, not ExternalName) that select the pod source."""
        if self._selecting is None:
            reverse: dict[int, list[Service]] = {}
            for svc in self.services:
                for selected in self.pods_for(svc):
                    reverse.setdefault(id(selected), []).append(svc)
            self._selecting = reverse
        return self._selecting.get(id(ps), [])

    def owner_candidates(self, namespace: str) -> list[tuple[K8sObject, Map]]:
        """(object, labels map) for pod metadata blocks of non-pod-source objects (operators)."""
        cached = self._owner_candidates.get(namespace)
        if cached is not None:
            return cached
        found: list[tuple[K8sObject, Map]] = []
        for obj in self.objects:
            if obj.namespace != namespace or id(obj) in self._pod_source_of:
                continue
            if obj.kind in ("Service", "ConfigMap", "Secret", "CustomResourceDefinition"):
                continue
            spec = obj.spec
            if spec is not None:
                for labels in _pod_metadata_labels(spec):
                    found.append((obj, labels))
        self._owner_candidates[namespace] = found
        return found


def _pod_metadata_labels(spec: Map) -> Iterator[Map]:
    """Label maps under pod-metadata-like keys, at any depth (each node visited once)."""
    for node in walk_maps(spec):
        for key, value in node.values.items():
            if not isinstance(value, Map):
                continue
            if key in POD_METADATA_KEYS:
                labels = value.map("labels") or value.dig_map("metadata", "labels")
            elif key.endswith("Template") and value.dig("spec", "containers"):
                # A whole pod template under a name of the operator's own (LeaderWorkerSet's
                # `leaderTemplate` and `workerTemplate`): its pods carry these labels.
                labels = value.dig_map("metadata", "labels")
            else:
                continue
            if labels is not None:
                yield labels
