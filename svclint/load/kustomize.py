"""What a kustomization file refers to, read without building it.

The walk needs two facts from each `kustomization.yaml` (`.yml`, `Kustomization`) it meets: which
folders it builds on (`resources` and the deprecated `bases` naming a folder, `components`), so
that only the roots are built (the overlays, not their bases or components), and which files it
consumes (resource files, patches, generator inputs, transformer and replacement configs), so
that those are not also linted raw. The other YAML files of a kustomization's folder are not
linted raw either: the folder is the kustomization's, and a file it leaves out is not deployed
with it (linted alone, a stray Service would miss the Deployment beside it). Remote references (`https://...`, `github.com/...`, `git@...`) are
neither: kustomize fetches them at build time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import NamedTuple

from ..model.nodes import Map, Node, Scalar, Seq
from .documents import load_documents

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Keys whose entries (strings, or maps with `path`) name files or folders.
_LISTS = (
    "resources", "bases", "components", "patchesStrategicMerge", "crds", "configurations",
    "transformers", "generators", "validators",
)  # fmt: skip
_PATH_LISTS = ("patches", "patchesJson6902", "replacements")
_GENERATORS = ("configMapGenerator", "secretGenerator")
_REMOTE_PREFIXES = ("http://", "https://", "git@", "ssh://", "github.com/", "gitlab.com/")


@dataclass(slots=True)
class Kustomization:
    """One kustomization file and the local paths it names (normalised, joined to its folder)."""

    folder: str
    file: str
    folders: set[str] = field(default_factory=set)  # bases and components it builds on
    files: set[str] = field(default_factory=set)  # files it consumes
    patches: set[str] = field(default_factory=set)  # of those, the patches: partial objects
    component: bool = False  # `kind: Component`: only built into the kustomizations using it


def kustomization_file(folder: str, filenames: list[str] | set[str]) -> str | None:
    """The kustomization file of a folder, in kustomize's own order of preference."""
    return next((f for f in KUSTOMIZATION_FILES if f in filenames), None)


def read_kustomization(folder: str, name: str, text: str | None) -> Kustomization:
    """The references of `folder/name` (text None: unreadable, so none known)."""
    k = Kustomization(folder, os.path.join(folder, name))
    docs = load_documents(text) if text is not None else []
    data = docs[0].root if docs else None
    if not isinstance(data, Map):
        return k
    k.component = data.get_str("kind") == "Component"
    named: list[str] = []
    patches = _strings(data.get("patchesStrategicMerge"))
    for key in _LISTS:
        named += _strings(data.get(key))
    for key in _PATH_LISTS:
        for entry in _entries(data.get(key)):
            if isinstance(entry, Map):
                paths = _strings(entry.get("path"))
                named += paths
                patches += paths if key != "replacements" else []
    for key in _GENERATORS:
        for entry in _entries(data.get(key)):
            if isinstance(entry, Map):
                for field_ in ("files", "envs", "env"):
                    # `files` entries may be `key=path`: the path is after the `=`.
                    named += [v.rpartition("=")[2] for v in _strings(entry.get(field_))]
    openapi = data.map("openapi")
    if openapi is not None:
        named += _strings(openapi.get("path"))
    for rel in named:
        if "\n" in rel or rel.startswith(_REMOTE_PREFIXES) or "://" in rel:
            continue
        path = os.path.normpath(os.path.join(folder, rel))
        (k.folders if os.path.isdir(path) else k.files).add(path)
    k.patches = {os.path.normpath(os.path.join(folder, p)) for p in patches if "\n" not in p}
    return k


def _entries(node: Node | None) -> list[Node]:
    return list(node) if isinstance(node, Seq) else []


def _strings(node: Node | None) -> list[str]:
    """A string, or the strings of a list of them."""
    if isinstance(node, Scalar):
        return [node.value] if isinstance(node.value, str) else []
    return [s for n in _entries(node) for s in _strings(n) if isinstance(n, Scalar)]


def roots(found: list[Kustomization]) -> list[Kustomization]:
    """The kustomizations no other one of `found` builds on: the ones to build. A component
    never is one: kustomize builds it only into a kustomization that lists it."""
    used = {f for k in found for f in k.folders}
    return [k for k in found if not k.component and os.path.normpath(k.folder) not in used]


class Reach(NamedTuple):
    """What building one root reads: its kustomization folders (its own, and the bases and
    components under it, at any depth) and the files they consume."""

    root: Kustomization
    folders: set[str]
    files: set[str]

    def reads(self, path: str) -> bool:
        """Whether the build reads `path` (normalised): a file it consumes, or any file of a
        kustomization's folder (linted only through the build)."""
        return path in self.files or (os.path.dirname(path) or ".") in self.folders


def reach(found: list[Kustomization]) -> list[Reach]:
    """Every root of `found` with what its build reads."""
    by_folder = {os.path.normpath(k.folder): k for k in found}
    out = []
    for root in roots(found):
        folders: set[str] = set()
        files: set[str] = set()
        todo = [os.path.normpath(root.folder)]
        while todo:
            folder = todo.pop()
            k = by_folder.get(folder)
            if k is None or folder in folders:
                continue  # a folder with no kustomization: kustomize refuses it; a cycle
            folders.add(folder)
            files |= k.files
            todo += k.folders
        out.append(Reach(root, folders, files))
    return out
