"""Every rule's fixtures, matched both ways; every rule has fixtures that fire and clean ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import expected_output_problem, mismatches, parse_expectations

from svclint.lint.registry import load_rules

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
RULES = load_rules()
CASES = sorted(
    (rule_dir.name, case)
    for rule_dir in FIXTURES.iterdir()
    if rule_dir.is_dir()
    for case in rule_dir.glob("*.yaml")
)


@pytest.mark.parametrize(("rule_id", "case"), CASES, ids=[f"{r}/{c.name}" for r, c in CASES])
def test_fixture(rule_id: str, case: Path) -> None:
    assert rule_id in RULES, f"fixture folder {rule_id} names no rule"
    assert mismatches(case, rule_id) == []
    problem = expected_output_problem(case, rule_id)
    assert problem is None, problem


def test_every_expected_output_has_its_fixture() -> None:
    orphans = [out for out in FIXTURES.rglob("*.out") if not out.with_suffix(".yaml").exists()]
    assert orphans == []


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_firing_and_clean_fixtures(rule_id: str) -> None:
    folder = FIXTURES / rule_id
    assert folder.is_dir(), f"no fixtures for {rule_id}"
    firing = clean = 0
    for case in folder.glob("*.yaml"):
        expects, _ = parse_expectations(case.read_text(encoding="utf-8"))
        if any(e.rule == rule_id for e in expects):
            firing += 1
        elif not expects:
            clean += 1
    assert firing, f"{rule_id}: no fixture that fires"
    assert clean, f"{rule_id}: no clean fixture (one with no expectations)"
