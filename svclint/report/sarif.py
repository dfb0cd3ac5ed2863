"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning (docs/github-actions.md).

The log is built from sarif-om classes and written by `_Log.primitive`, which emits exactly the
fields svclint set, in the order it set them: sarif-om's usual serializer (jschema_to_python)
drops every value equal to the schema default (an explicit `level: "warning"` disappears, so the
rule's `error` default wins) and writes unset required fields as `null`.

Every result has exactly one location in a repository file, given relative to the current
directory (which must be the repository root, as GitHub resolves relative URIs against it):

- a plain file: its path, relative, POSIX, percent-encoded, symlinks resolved;
- a rendered object (Helm `# Source:`, kustomize origin) whose source file is readable: that file,
  at the offending key found by its parent keys, else a parent, else line 1 (`locate.place`);
  the rendered position is kept in `result.properties.rendered`;
- standard input: the `--stdin-filename` name.

A finding that fits none of these (standard input without a name and without a readable source),
or a file outside the current directory, cannot be shown by code scanning: `render` raises
`Unmappable` and the command line exits 2 naming the option to pass, rather than write URIs such
as `<stdin>` or absolute paths that GitHub rejects or cannot display.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import attr
import sarif_om as om

from .. import __version__
from ..docs import PROJECT_URI, doc_url, rule_page
from ..lint.findings import Finding, Report
from ..lint.fingerprint import fingerprint
from ..lint.registry import RuleSpec
from ..model.objects import K8sObject
from .anchors import Anchor, ObjectIndex, anchor, related_anchor, uri_of

INFORMATION_URI = PROJECT_URI
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "svclintFindingHash/v1"  # rule, object, message: kept for existing alerts
STABLE_FINGERPRINT_KEY = "svclintFingerprint/v1"  # lint/fingerprint.py: what baselines match

# GitHub code-scanning ingestion limits (docs/github-actions.md has the sources).
MAX_TAGS = 10
MAX_NAME = 255
MAX_DESCRIPTION = 1024

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}
# `security-severity` of rules tagged "security", by their default level: GitHub reads
# 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "info": "3.0"}
PRECISION = "high"  # svclint reads the manifests themselves: no heuristics over code paths
_SUPPRESSED_BY = {
    "annotation": "svclint.io/ignore annotation on the object",
    "comment": "# svclint: ignore= comment on the line",
}

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# Building with sarif-om, serializing what was set


class _Log:
    """Creates sarif-om objects and remembers which fields each one was given."""

    def __init__(self) -> None:
        self._set: dict[int, tuple[object, tuple[str, ...]]] = {}

    def new(self, cls: type[T], **fields: Any) -> T:
        obj = cls(**fields)
        self._set[id(obj)] = (obj, tuple(fields))  # the object is kept alive: ids stay unique
        return obj

    def primitive(self, value: object) -> Any:
        if attr.has(type(value)):
            entry = self._set.get(id(value))
            if entry is None:
                raise TypeError(f"{type(value).__name__} was not built through _Log.new")
            by_name = attr.fields_dict(type(value))  # type: ignore[arg-type]
            out: dict[str, Any] = {}
            for name in entry[1]:
                field_value = getattr(value, name)
                key = by_name[name].metadata.get("schema_property_name", name)
                if field_value is None:
                    raise ValueError(f"{type(value).__name__}.{key} was set to None")
                out[key] = self.primitive(field_value)
            return out
        if isinstance(value, dict):
            return {str(k): self.primitive(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.primitive(v) for v in value]
        return value


# ---------------------------------------------------------------------------------------------
# Rules


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def _first_paragraph(doc: str) -> str:
    """The first prose paragraph of a rule's Markdown doc (headings and code skipped)."""
    for block in re.split(r"\n\s*\n", doc):
        block = block.strip()
        if block and not block.startswith(("#", "```", "|", "- ", "* ", ">")):
            return block
    return ""


def rule_name(rule_id: str) -> str:
    """`service-selector-no-match` -> `ServiceSelectorNoMatch` (plugins: `Acme/PortClash`)."""
    return "/".join(
        "".join(word.capitalize() for word in part.split("-")) for part in rule_id.split("/")
    )


def help_uri(spec: RuleSpec) -> str | None:
    return doc_url(spec)


def rule_tags(spec: RuleSpec) -> list[str]:
    tags = [*(t for t in spec.tags if t == "security"), *spec.tags, "kubernetes"]
    return list(dict.fromkeys(tags))[:MAX_TAGS]


def _descriptor(log: _Log, spec: RuleSpec) -> Any:
    summary = spec.summary or spec.id
    full = _first_paragraph(spec.doc)
    full = f"{summary} {full}" if full else summary
    uri = help_uri(spec)
    page = rule_page(spec).rstrip("\n")
    if uri:
        page += f"\n\nFull documentation: {uri}"
    props: dict[str, Any] = {
        "tags": rule_tags(spec),
        "precision": PRECISION,
        "problem.severity": _PROBLEM_SEVERITY[spec.level],
    }
    if "security" in spec.tags:
        props["security-severity"] = SECURITY_SEVERITY[spec.level]
    fields: dict[str, Any] = {
        "id": spec.id,
        "name": _clip(rule_name(spec.id), MAX_NAME),
        "short_description": log.new(
            om.MultiformatMessageString, text=_clip(summary, MAX_DESCRIPTION)
        ),
        "full_description": log.new(om.MultiformatMessageString, text=_clip(full, MAX_DESCRIPTION)),
        "help": log.new(om.MultiformatMessageString, text=page + "\n", markdown=page + "\n"),
    }
    if uri:
        fields["help_uri"] = uri
    fields["default_configuration"] = log.new(
        om.ReportingConfiguration, level=SARIF_LEVEL[spec.level]
    )
    fields["properties"] = props
    return log.new(om.ReportingDescriptor, **fields)


def _physical(log: _Log, a: Anchor) -> Any:
    return log.new(
        om.PhysicalLocation,
        artifact_location=log.new(om.ArtifactLocation, uri=uri_of(a.path), uri_base_id=SRCROOT),
        region=log.new(
            om.Region,
            start_line=a.line,
            start_column=a.column,
            end_line=a.end_line,
            end_column=a.end_column,
        ),
    )


# ---------------------------------------------------------------------------------------------
# Results


def _link_text(text: str) -> str:
    """Link text of an embedded link: `\\`, `[` and `]` escaped (SARIF 3.11.6)."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _fingerprint(f: Finding) -> str:
    """Stable across line moves: rule, object identity, message (GitHub adds its line hash)."""
    o = f.obj
    ident = f"{o.api_version}/{o.kind}/{o.namespace}/{o.name}" if o is not None else ""
    raw = f"{f.rule}\x1f{ident}\x1f{f.message}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _result(
    log: _Log, f: Finding, rule_index: int, objects: ObjectIndex, baseline_state: str | None
) -> Any:
    primary = anchor(f)
    parts = [_sentence(f.message)]
    if f.hint:
        parts.append("Hint: " + _sentence(f.hint))
    related: list[Any] = []
    mentions: list[str] = []
    for text, loc in f.related:
        a = related_anchor(f, text, loc, objects)
        if a is None:
            mentions.append(text)  # named, not linked: it has no file to link to
            continue
        rid = len(related) + 1
        related.append(
            log.new(
                om.Location,
                id=rid,
                message=log.new(om.Message, text=text),
                physical_location=_physical(log, a),
            )
        )
        mentions.append(f"[{_link_text(text)}]({rid})")
    if mentions:
        parts.append("Related: " + "; ".join(mentions) + ".")
    props: dict[str, Any] = {}
    if f.obj is not None:
        props["object"] = {
            "apiVersion": f.obj.api_version,
            "kind": f.obj.kind,
            "namespace": f.obj.namespace or None,
            "name": f.obj.name,
        }
    if primary.rendered is not None:
        r = primary.rendered
        props["rendered"] = {
            "file": r.file,
            "line": r.line,
            "column": r.column,
            "endLine": r.end_line,
            "endColumn": r.end_column,
        }
    fields: dict[str, Any] = {
        "rule_id": f.rule,
        "rule_index": rule_index,
        "level": SARIF_LEVEL[f.level],
        "message": log.new(om.Message, text=" ".join(parts)),
        "locations": [log.new(om.Location, physical_location=_physical(log, primary))],
    }
    if related:
        fields["related_locations"] = related
    if f.suppressed:
        fields["suppressions"] = [
            log.new(
                om.Suppression,
                kind="inSource",
                justification=_SUPPRESSED_BY.get(f.suppressed, f.suppressed),
            )
        ]
    fields["partial_fingerprints"] = {
        FINGERPRINT_KEY: _fingerprint(f),
        STABLE_FINGERPRINT_KEY: fingerprint(f),
    }
    if baseline_state is not None:
        fields["baseline_state"] = baseline_state
    if props:
        fields["properties"] = props
    return log.new(om.Result, **fields)


def _notifications(log: _Log, report: Report) -> list[Any]:
    out = []
    for level, texts in (
        ("error", report.input_errors),
        ("error", [f"rule `{c.rule}` crashed on {c.where}: {c.error}" for c in report.crashes]),
        ("note", report.notes),
    ):
        for text in texts:
            out.append(
                log.new(om.Notification, level=level, message=log.new(om.Message, text=text))
            )
    return out


def build(
    report: Report, rules: Sequence[RuleSpec], objects: Iterable[K8sObject] = ()
) -> dict[str, Any]:
    """The SARIF log as JSON-ready data; raises Unmappable (see the module docstring)."""
    log = _Log()
    specs = list(rules)
    known = {spec.id for spec in specs}
    findings = [*report.findings, *report.suppressed, *report.baselined]
    if any(f.rule not in known for f in findings):  # a caller passing too few rules
        from ..lint.registry import load_rules

        installed = load_rules()
        for f in findings:
            if f.rule not in known and f.rule in installed:
                specs.append(installed[f.rule])
                known.add(f.rule)
    index = {spec.id: i for i, spec in enumerate(specs)}
    located = ObjectIndex(objects)
    # Compared with a baseline: what it lacks is `new`, what it holds `unchanged` (GitHub tracks
    # alerts by partialFingerprints either way).
    old = {id(f) for f in report.baselined}
    compared = report.baseline is not None
    results = []
    for f in findings:
        state = None
        if compared and not f.suppressed:
            state = "unchanged" if id(f) in old else "new"
        results.append(_result(log, f, index[f.rule], located, state))
    driver = log.new(
        om.ToolComponent,
        name="svclint",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=[_descriptor(log, spec) for spec in specs],
    )
    notifications = _notifications(log, report)
    # A rule that crashed is a tool failure; an unreadable input is the input's (a notification).
    invocation_fields: dict[str, Any] = {"execution_successful": not report.crashes}
    if notifications:
        invocation_fields["tool_execution_notifications"] = notifications
    run = log.new(
        om.Run,
        tool=log.new(om.Tool, driver=driver),
        invocations=[log.new(om.Invocation, **invocation_fields)],
        original_uri_base_ids={
            SRCROOT: log.new(
                om.ArtifactLocation,
                description=log.new(
                    om.Message,
                    text="The repository root: the directory svclint ran in.",
                ),
            )
        },
        column_kind="unicodeCodePoints",
        results=results,
    )
    sarif = log.new(om.SarifLog, schema_uri=SCHEMA_URI, version="2.1.0", runs=[run])
    data: dict[str, Any] = log.primitive(sarif)
    return data


def render(report: Report, rules: Sequence[RuleSpec], objects: Iterable[K8sObject] = ()) -> str:
    """The SARIF log as text; raises Unmappable (see the module docstring)."""
    return json.dumps(build(report, rules, objects), indent=2, ensure_ascii=False) + "\n"
