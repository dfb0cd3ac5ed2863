"""`svclint rules` (the catalog) and `svclint rule ID` (one rule's documentation)."""

from __future__ import annotations

import click

from ..lint.registry import load_rules
from .common import fail


@click.command("rules")
def list_rules() -> None:
    """List every rule: id, level, on/off by default, summary."""
    rules = load_rules()
    width = max(len(r) for r in rules)
    for rid, spec in rules.items():
        on = "on " if spec.enabled else "off"
        click.echo(f"{rid:<{width}}  {spec.level:<7}  {on}  {spec.summary}")


@click.command("rule")
@click.argument("rule_id")
def show_rule(rule_id: str) -> None:
    """Show one rule's documentation."""
    from ..docs import rule_page
    from ..messages import closest

    rules = load_rules()
    spec = rules.get(rule_id)
    if spec is None:
        near = closest(rule_id, rules)
        fail(f"unknown rule `{rule_id}`" + (f"; did you mean `{near}`?" if near else ""))
    click.echo(rule_page(spec))
