"""`--format json`: a stable, documented contract (docs/output.md). No timestamps; additive only."""

from __future__ import annotations

import json
from typing import Any

from ..lint.findings import Finding, Report
from ..lint.fingerprint import fingerprint
from ..lint.locate import place

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    placed = place(f)
    loc = placed.primary
    out: dict[str, Any] = {
        "rule": f.rule,
        "level": f.level,
        "message": f.message,
        "hint": f.hint,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "object": None,
        "related": [
            {"message": msg, "file": r.file, "line": r.line, "column": r.column}
            for msg, r in f.related
        ],
        "fingerprint": fingerprint(f),
    }
    if f.obj is not None:
        out["object"] = {
            "apiVersion": f.obj.api_version,
            "kind": f.obj.kind,
            "namespace": f.obj.namespace or None,
            "name": f.obj.name,
        }
    if placed.source is not None:
        out["source"] = placed.source
    if placed.rendered is not None:
        r = placed.rendered
        out["rendered"] = {
            "file": r.file,
            "line": r.line,
            "column": r.column,
            "end_line": r.end_line,
            "end_column": r.end_column,
        }
    if f.fix is not None and f.fixable(unsafe=True):
        out["fix"] = {"title": f.fix.title, "safety": f.fix.safety}
    if f.suppressed:
        out["suppressed"] = f.suppressed
    return out


def render(report: Report) -> str:
    doc = {
        "version": SCHEMA_VERSION,
        "findings": [finding_dict(f) for f in report.findings],
        "suppressed": [finding_dict(f) for f in report.suppressed],
        "baselined": [finding_dict(f) for f in report.baselined],
        "errors": [
            *({"kind": "input", "message": m} for m in report.input_errors),
            *(
                {"kind": "rule-crash", "rule": c.rule, "where": c.where, "message": c.error}
                for c in report.crashes
            ),
        ],
        "summary": {
            "files": report.files,
            "objects": report.objects,
            "not_objects": report.not_objects,
            "error": report.count("error"),
            "warning": report.count("warning"),
            "info": report.count("info"),
            "suppressed": len(report.suppressed),
            "builds": len(report.builds),
            "duplicate_groups": report.duplicate_groups,
            "baselined": len(report.baselined),
            "fixable": report.fixable()[0],
            "fixable_unsafe": report.fixable()[1],
        },
        "builds": report.builds,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
