"""The Kubernetes objects of a run: identity, effective namespace, root node and source file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ..load.documents import Document
from .nodes import Map, Node


class Ref(NamedTuple):
    """An object by kind, namespace and name: one of the input, or one a reference names."""

    kind: str
    namespace: str  # "" for cluster-scoped kinds
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}"


@dataclass(slots=True)
class SourceFile:
    """One input: a file or stdin, with its text for excerpts and comment lookups."""

    path: str  # as shown in reports: relative when the user gave a relative path, or "<stdin>"
    text: str
    is_stdin: bool = False
    context_only: bool = False  # loaded for cross-object checks; gets no findings
    built_from: str | None = None  # the kustomization or Chart.yaml whose build this text is
    _lines: list[str] | None = None

    def line(self, n: int) -> str:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines[n - 1] if 0 < n <= len(self._lines) else ""


@dataclass(slots=True, eq=False)
class K8sObject:
    """A Kubernetes object: identity, effective namespace, root node and where it came from."""

    api_version: str
    kind: str
    name: str
    namespace: str  # effective namespace; "" for cluster-scoped kinds
    root: Map
    file: SourceFile
    doc: Document
    source: str | None = None  # template or origin file this object was rendered from
    meta: Map | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""

    @property
    def ref(self) -> str:
        """`Kind ns/name`, the way messages name an object."""
        return (
            f"{self.kind} {self.namespace}/{self.name}"
            if self.namespace
            else f"{self.kind} {self.name}"
        )

    @property
    def key(self) -> Ref:
        """The object as a `Ref`: what findings and relations name it by."""
        return Ref(self.kind, self.namespace, self.name)

    @property
    def spec(self) -> Map | None:
        return self.root.map("spec")

    def name_node(self) -> Node:
        return self.meta.at("name") if self.meta is not None else self.root
