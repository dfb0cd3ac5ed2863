"""Who manages an object, from the marks tools leave on it: where a fix has to be made.

- `app.kubernetes.io/managed-by` (the recommended label): the tool that applies it.
- Helm: the `meta.helm.sh/release-name` and `-namespace` annotations Helm 3 writes, the
  `helm.sh/chart` label charts set (and `heritage`), and the template a `# Source:` comment names.
- Argo CD: the `argocd.argoproj.io/tracking-id` annotation (annotation tracking), the
  `argocd.argoproj.io/instance` label, or `app.kubernetes.io/instance` (its default label
  tracking, which Helm charts also set to the release name).
- Flux: `kustomize.toolkit.fluxcd.io/name`/`namespace` and `helm.toolkit.fluxcd.io/name`/
  `namespace` labels.
- kustomize: the `config.kubernetes.io/origin` annotation (`buildMetadata: [originAnnotations]`).
- A controller: `metadata.ownerReferences`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.objects import K8sObject


@dataclass(slots=True)
class Owner:
    """One mark of who manages the object."""

    tool: str  # "Helm", "Argo CD", "Flux", "kustomize", a controller's kind, or the label's value
    detail: str  # what the mark says, in words
    mark: str  # the label, annotation or field carrying it


def owners(obj: K8sObject) -> list[Owner]:
    labels, notes = obj.labels, obj.annotations
    out: list[Owner] = []
    managed = labels.get("app.kubernetes.io/managed-by")
    if managed:
        out.append(Owner(managed, f"applied by {managed}", "app.kubernetes.io/managed-by"))
    release = notes.get("meta.helm.sh/release-name")
    if release:
        ns = notes.get("meta.helm.sh/release-namespace")
        where = f" in namespace `{ns}`" if ns else ""
        out.append(Owner("Helm", f"Helm release `{release}`{where}", "meta.helm.sh/release-name"))
    chart = labels.get("helm.sh/chart") or labels.get("chart")
    if chart:
        out.append(
            Owner(
                "Helm",
                f"chart `{chart}`",
                "helm.sh/chart" if "helm.sh/chart" in labels else "chart",
            )
        )
    if obj.source and obj.doc.helm_source:
        out.append(Owner("Helm", f"rendered from template `{obj.source}`", "# Source:"))
    tracking = notes.get("argocd.argoproj.io/tracking-id")
    if tracking:
        app = tracking.partition(":")[0]
        out.append(
            Owner("Argo CD", f"Argo CD Application `{app}`", "argocd.argoproj.io/tracking-id")
        )
    argo = labels.get("argocd.argoproj.io/instance")
    if argo:
        out.append(Owner("Argo CD", f"Argo CD Application `{argo}`", "argocd.argoproj.io/instance"))
    instance = labels.get("app.kubernetes.io/instance")
    if instance and not release and not argo and not tracking:
        out.append(
            Owner(
                "Helm or Argo CD",
                f"instance `{instance}` (a Helm release, or an Argo CD Application tracking by label)",
                "app.kubernetes.io/instance",
            )
        )
    for kind in ("kustomize", "helm"):
        name = labels.get(f"{kind}.toolkit.fluxcd.io/name")
        if name:
            ns = labels.get(f"{kind}.toolkit.fluxcd.io/namespace")
            what = "Kustomization" if kind == "kustomize" else "HelmRelease"
            where = f"{ns}/{name}" if ns else name
            out.append(Owner("Flux", f"Flux {what} `{where}`", f"{kind}.toolkit.fluxcd.io/name"))
    if obj.source and not obj.doc.helm_source:
        out.append(Owner("kustomize", f"from `{obj.source}`", "config.kubernetes.io/origin"))
    refs = obj.meta.seq("ownerReferences") if obj.meta is not None else None
    for ref in refs.maps() if refs is not None else ():
        kind, name = ref.text("kind") or "?", ref.text("name") or "?"
        out.append(
            Owner(
                kind, f"owned by {kind} `{name}`, which a controller reconciles", "ownerReferences"
            )
        )
    return out
