"""`svclint rules` (the catalog) and `svclint rule ID` (one rule's documentation)."""

from __future__ import annotations

import click

from ..lint.registry import RuleSpec, load_rules
from .common import fail


@click.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the catalog as data, for editor extensions and dashboards.",
)
def list_rules(fmt: str) -> None:
    """List every rule: id, level, on/off by default, summary."""
    rules = load_rules()
    if fmt == "json":
        click.echo(catalog_json(rules), nl=False)
        return
    width = max(len(r) for r in rules)
    for rid, spec in rules.items():
        on = "on " if spec.enabled else "off"
        click.echo(f"{rid:<{width}}  {spec.level:<7}  {on}  {spec.summary}")


def catalog_json(rules: dict[str, RuleSpec]) -> str:
    """The catalog as a JSON document (version 1; fields are only ever added)."""
    import json

    from ..docs import doc_url

    entries = [
        {
            "id": spec.id,
            "level": spec.level,
            "enabled": spec.enabled,
            "summary": spec.summary,
            "fixable": spec.fix,  # null, "safe" (--fix) or "unsafe" (--fix --unsafe-fixes)
            "tags": list(spec.tags),
            "checks": spec.target,
            "kinds": list(spec.kinds),
            "origin": spec.origin,
            "url": doc_url(spec),
        }
        for spec in rules.values()
    ]
    return json.dumps({"version": 1, "rules": entries}, indent=2) + "\n"


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
