"""Rule documentation from rule metadata: `docs/rules/<id>.md`, the index, and `svclint rule`.

python -m svclint.docs            # rewrite docs/rules/
python -m svclint.docs --check    # exit 1 when a page is stale (CI runs this as a test)
"""

from __future__ import annotations

import os
import sys

from .registry import RuleSpec, load_rules

DOCS_DIR = os.path.join("docs", "rules")


def rule_page(spec: RuleSpec) -> str:
    state = "on" if spec.enabled else "off (enable with `--select " + spec.id + "`)"
    lines = [
        f"# {spec.id}",
        "",
        f"{spec.summary}",
        "",
        f"- Default level: **{spec.level}**",
        f"- Enabled by default: {state}",
        f"- Checks: {_TARGET_WORDS[spec.target]}",
    ]
    if spec.tags:
        lines.append(f"- Tags: {', '.join(spec.tags)}")
    lines += ["", spec.doc, "", "## Suppression", ""]
    lines += [
        "On the object (or its pod template):",
        "",
        "```yaml",
        "metadata:",
        "  annotations:",
        f'    svclint.io/ignore: "{spec.id}"',
        "```",
        "",
        "On the offending line, or alone on the line above it:",
        "",
        "```yaml",
        f"# svclint: ignore={spec.id}",
        "```",
        "",
        f"Or for the whole run: `--ignore {spec.id}`, or `ignore: [{spec.id}]` in `.svclint.yaml`.",
        "",
    ]
    return "\n".join(lines)


_TARGET_WORDS = {
    "services": "each Service",
    "pod_sources": "each pod source (Pod, workload, CronJob, custom kinds with a pod template)",
    "objects": "each object",
    "graph": "the whole input",
}


def index_page(rules: dict[str, RuleSpec]) -> str:
    lines = [
        "# svclint rules",
        "",
        "Generated from the rule modules by `python -m svclint.docs`; do not edit by hand.",
        "",
        "| id | level | default | summary |",
        "|---|---|---|---|",
    ]
    for spec in rules.values():
        on = "on" if spec.enabled else "off"
        lines.append(f"| [`{spec.id}`]({spec.id}.md) | {spec.level} | {on} | {spec.summary} |")
    return "\n".join(lines) + "\n"


def expected_pages() -> dict[str, str]:
    rules = {k: v for k, v in load_rules().items() if v.origin == "builtin"}
    pages = {f"{rid}.md": rule_page(spec) for rid, spec in rules.items()}
    pages["README.md"] = index_page(rules)
    return pages


def main(argv: list[str]) -> int:
    check = "--check" in argv
    root = argv[argv.index("--root") + 1] if "--root" in argv else "."
    target = os.path.join(root, DOCS_DIR)
    pages = expected_pages()
    stale = []
    for name, text in pages.items():
        path = os.path.join(target, name)
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                current = fh.read()
        if current != text:
            stale.append(path)
            if not check:
                os.makedirs(target, exist_ok=True)
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text)
    extra = sorted(set(os.listdir(target)) - set(pages)) if os.path.isdir(target) else []
    if check:
        for path in stale:
            print(f"stale: {path} (run `python -m svclint.docs`)")
        for name in extra:
            print(f"orphan: {os.path.join(target, name)} (no rule has this id)")
        return 1 if stale or extra else 0
    for name in extra:
        os.remove(os.path.join(target, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
