"""Docs cannot rot: generated pages match the rule modules, and every rule's examples run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from svclint import docs
from svclint.cli import main as cli_main
from svclint.config.file import FileConfig
from svclint.config.settings import Flags, build_settings
from svclint.lint.engine import load_source, run_rules
from svclint.lint.findings import Report
from svclint.lint.registry import load_rules
from svclint.model.cluster import Cluster
from svclint.model.objects import SourceFile

ROOT = Path(__file__).resolve().parent.parent
RULES = load_rules()
_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


def _section(doc: str, title: str) -> str:
    m = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", doc, re.DOTALL | re.MULTILINE)
    assert m, f"missing section ## {title}"
    return m.group(1)


def _lint(text: str, rule_id: str) -> list[str]:
    settings, _ = build_settings(Flags(), FileConfig(None, {"select": [rule_id]}), RULES)
    from svclint.lint.engine import Loaded

    loaded = Loaded()
    load_source(SourceFile("example.yaml", text), settings, loaded)
    cluster = Cluster.build(loaded.objects, settings.options, loaded.problems, loaded.not_objects)
    report = Report()
    findings = run_rules(cluster, settings, report)
    assert not report.crashes
    return [f"{f.pos[0]}:{f.pos[1]} {f.rule} {f.message}" for f in findings if f.rule == rule_id]


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_doc_sections(rule_id: str) -> None:
    spec = RULES[rule_id]
    assert spec.summary and "\n" not in spec.summary and spec.summary.endswith(".")
    for title in ("What it checks", "Why it matters", "Example", "Fix"):
        _section(spec.doc, title)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_doc_example_fires_and_fix_does_not(rule_id: str) -> None:
    spec = RULES[rule_id]
    example = _BLOCK.findall(_section(spec.doc, "Example"))
    fix = _BLOCK.findall(_section(spec.doc, "Fix"))
    assert len(example) == 1 and len(fix) == 1, "one yaml block in Example and in Fix"
    assert _lint(example[0], rule_id), "the Example does not fire the rule"
    assert _lint(fix[0], rule_id) == [], "the Fix still fires the rule"


def test_generated_docs_are_current() -> None:
    assert docs.main(["--check", "--root", str(ROOT)]) == 0, (
        "docs/rules is stale: run `python -m svclint.docs`"
    )


def test_architecture_names_every_module() -> None:
    """docs/architecture.md's module map names every module of svclint/."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [
        str(path.relative_to(ROOT / "svclint"))
        for path in sorted((ROOT / "svclint").rglob("*.py"))
        if path.name != "__init__.py" or path.parent.name == "cli"  # cli/__init__ has the group
    ]
    missing = [m for m in modules if f"`{m}`" not in text and f"`svclint/{m}`" not in text]
    assert missing == []


def test_output_doc_shows_what_the_example_prints() -> None:
    """docs/output.md's text example is the report `svclint examples/shop` (the README's first
    command) prints, to the byte."""
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    shown = text.split("```\n", 2)[1]
    result = CliRunner().invoke(cli_main, ["examples/shop"], env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    assert result.output == shown


def test_trace_of_the_example_shows_its_callers() -> None:
    """The README's trace example names the Service's callers, found through the same code as
    the rules (a working route and a DNS name in env)."""
    web = CliRunner().invoke(
        cli_main, ["trace", "shop/web", "examples/shop"], env={"NO_COLOR": "1"}
    )
    cart = CliRunner().invoke(
        cli_main, ["trace", "shop/cart", "examples/shop"], env={"NO_COLOR": "1"}
    )
    assert "✓  route HTTPRoute web  backendRefs[0] of rule 1  port 80 = http (80)" in web.output
    assert "env `CART_ADDR` of container `web` `cart.shop.svc.cluster.local:6379`" in cart.output
