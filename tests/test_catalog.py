"""`svclint rules` and `svclint rules --format json`: the catalog as text and as data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema

from svclint.lint.registry import load_rules

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "rules.schema.json").read_text())


def _svclint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "svclint", *args], capture_output=True, text=True, check=False
    )


def _catalog() -> dict[str, Any]:
    proc = _svclint("rules", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_json_catalog_matches_the_schema_and_the_rules() -> None:
    data = _catalog()
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(data)
    specs = load_rules()
    assert [r["id"] for r in data["rules"]] == list(specs)
    for entry in data["rules"]:
        spec = specs[entry["id"]]
        assert (entry["level"], entry["enabled"], entry["summary"]) == (
            spec.level,
            spec.enabled,
            spec.summary,
        )
        assert entry["fixable"] == spec.fix
        assert entry["url"].endswith(f"/docs/rules/{spec.id}.md")
        assert (ROOT / "docs" / "rules" / f"{spec.id}.md").is_file()


def test_json_catalog_pins_what_a_dashboard_reads() -> None:
    by_id = {r["id"]: r for r in _catalog()["rules"]}
    assert by_id["yaml-implicit-type"]["fixable"] == "safe"
    assert by_id["service-selector-no-match"]["fixable"] == "unsafe"
    assert by_id["service-no-endpoints"]["fixable"] is None
    assert "security" in by_id["loadbalancer-open-to-internet"]["tags"]
    off = [rid for rid, r in by_id.items() if not r["enabled"]]
    assert off == [rid for rid, s in load_rules().items() if not s.enabled] and off


def test_text_catalog_is_one_line_per_rule() -> None:
    proc = _svclint("rules")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert len(lines) == len(load_rules())
    first = lines[0].split()
    assert first[:3] == ["api-version-deprecated", "warning", "on"]
