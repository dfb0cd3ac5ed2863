"""`--format sarif`: every log the tests produce is checked against the OASIS SARIF 2.1.0 schema
(schemas/sarif-schema-2.1.0.json) and against the GitHub code-scanning ingestion rules the schema
does not express (see `github_problems`). The CLI runs as a subprocess, as a user runs it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jsonschema
import pytest

from svclint.lint.findings import Finding, Report
from svclint.lint.registry import INDEXED, RuleSpec, load_rules
from svclint.model.objects import SourceFile
from svclint.report import sarif

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schemas" / "sarif-schema-2.1.0.json"

BROKEN = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
    "  selector:\n    app: wbe\n  ports:\n  - port: 80\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
    "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
    "      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n"
    "        image: nginx\n        ports:\n        - containerPort: 80\n"
    "        readinessProbe:\n          httpGet: {path: /, port: 80}\n"
)
SELECT = ("--select", "service-selector-no-match")

# Helm: a chart in the repository and what `helm template shop charts/shop` prints for it.
SVC_TEMPLATE = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n"
    "  selector:\n    app: {{ .Values.app }}\n  ports:\n    - port: 80\n"
)
DEPLOY_TEMPLATE = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\n"
    "spec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
    "      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n"
    "          image: nginx\n"
)
RENDERED = (
    "---\n# Source: shop/templates/svc.yaml\n"
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop-web\nspec:\n"
    "  selector:\n    app: wbe\n  ports:\n    - port: 80\n"
    "---\n# Source: shop/templates/deploy.yaml\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop-web\n"
    "spec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
    "      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n"
    "          image: nginx\n"
)

VALIDATED: list[int] = []  # the result count of each SARIF log validated in this session


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    print(f"\nSARIF logs validated: {len(VALIDATED)} ({sum(VALIDATED)} results)")


# ---------------------------------------------------------------------------------------------
# The validators


@cache
def _schema_validator() -> Any:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator  # what the file declares
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_problems(doc: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _schema_validator().iter_errors(doc)
    ]


_LINK = re.compile(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\((\d+)\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _uri_problems(where: str, loc: Any, root: Path | None) -> list[str]:
    out = []
    phys = loc.get("physicalLocation")
    if not isinstance(phys, dict) or "artifactLocation" not in phys:
        return [f"{where}: no physicalLocation.artifactLocation"]
    uri = phys["artifactLocation"].get("uri")
    if not isinstance(uri, str) or not uri.strip():
        return [f"{where}: empty uri"]
    if uri in ("-", "<stdin>", "%3Cstdin%3E", "STDIN") or "stdin" in uri.lower():
        out.append(f"{where}: uri {uri!r} names standard input")
    if _SCHEME.match(uri) or uri.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", uri):
        out.append(f"{where}: uri {uri!r} is absolute")
    if "\\" in uri:
        out.append(f"{where}: uri {uri!r} is not POSIX")
    if ".." in uri.split("/") or "." in uri.split("/"):
        out.append(f"{where}: uri {uri!r} has dot segments")
    if quote(unquote(uri), safe="/") != uri:
        out.append(f"{where}: uri {uri!r} is not percent-encoded")
    if phys["artifactLocation"].get("uriBaseId") != "%SRCROOT%":
        out.append(f"{where}: uriBaseId is not %SRCROOT%")
    if root is not None and not (root / unquote(uri)).is_file():
        out.append(f"{where}: uri {uri!r} is not a file of the repository")
    region = phys.get("region")
    if not isinstance(region, dict) or not isinstance(region.get("startLine"), int):
        out.append(f"{where}: region.startLine missing")
    else:
        for key in ("startColumn", "endLine", "endColumn"):
            if not isinstance(region.get(key), int):
                out.append(f"{where}: region.{key} missing")
        if out:
            return out
        if (region["endLine"], region["endColumn"]) < (region["startLine"], region["startColumn"]):
            out.append(f"{where}: region ends before it starts")
    return out


def github_problems(doc: Any, root: Path | None = None) -> list[str]:
    """What GitHub code scanning rejects or mishandles although the schema accepts it.

    Sources: GitHub's "SARIF support for code scanning" page (required properties, limits:
    20 runs, 25,000 rules/results per run, 10 displayed tags, name <= 255, descriptions
    <= 1,024 characters) and its ingestion errors (no location, empty or non-file URI).
    With `root`, every URI must name a file under it (so the annotation lands on a real file).
    """
    out: list[str] = []
    if doc.get("version") != "2.1.0" or not str(doc.get("$schema", "")).endswith("2.1.0.json"):
        out.append("version/$schema is not 2.1.0")
    runs = doc.get("runs") or []
    if not 1 <= len(runs) <= 20:
        out.append(f"{len(runs)} runs")
    for r, run in enumerate(runs):
        driver = run["tool"]["driver"]
        rules = driver.get("rules", [])
        results = run.get("results", [])
        if not driver.get("name"):
            out.append(f"run {r}: no driver name")
        if len(rules) > 25_000 or len(results) > 25_000:
            out.append(f"run {r}: too many rules/results")
        if results and run.get("columnKind") not in ("unicodeCodePoints", "utf16CodeUnits"):
            out.append(f"run {r}: no columnKind")
        ids = [rule.get("id") for rule in rules]
        if len(set(ids)) != len(ids) or not all(ids):
            out.append(f"run {r}: rule ids missing or not unique")
        for rule in rules:
            where = f"rule {rule.get('id')}"
            if len(rule.get("name", "")) > 255:
                out.append(f"{where}: name longer than 255")
            for key in ("shortDescription", "fullDescription", "help"):
                text = rule.get(key, {}).get("text", "")
                if not text.strip():
                    out.append(f"{where}: {key}.text missing")
                if key != "help" and len(text) > 1024:
                    out.append(f"{where}: {key}.text longer than 1024")
            level = rule.get("defaultConfiguration", {}).get("level")
            if level not in ("note", "warning", "error"):
                out.append(f"{where}: defaultConfiguration.level {level!r}")
            props = rule.get("properties", {})
            tags = props.get("tags", [])
            if len(tags) > 10 or not all(isinstance(t, str) and t for t in tags):
                out.append(f"{where}: tags {tags!r}")
            if props.get("precision") not in (None, "very-high", "high", "medium", "low"):
                out.append(f"{where}: precision {props['precision']!r}")
            if "security-severity" in props:
                sev = props["security-severity"]
                if not isinstance(sev, str) or not 0.1 <= float(sev) <= 10.0:
                    out.append(f"{where}: security-severity {sev!r}")
                if "security" not in tags:
                    out.append(f"{where}: security-severity without the security tag")
        for i, res in enumerate(results):
            where = f"result {i} ({res.get('ruleId')})"
            text = res.get("message", {}).get("text", "")
            if not text.strip():
                out.append(f"{where}: empty message")
            index = res.get("ruleIndex")
            if not isinstance(index, int) or not 0 <= index < len(rules):
                out.append(f"{where}: ruleIndex {index!r} out of range")
            elif rules[index]["id"] != res.get("ruleId"):
                out.append(f"{where}: ruleIndex points at {rules[index]['id']}")
            if res.get("level") not in ("note", "warning", "error"):
                out.append(f"{where}: level {res.get('level')!r}")
            locations = res.get("locations") or []
            if len(locations) != 1:
                out.append(f"{where}: {len(locations)} locations (GitHub needs one)")
            for loc in locations:
                out += _uri_problems(where, loc, root)
            related_ids = []
            for rel in res.get("relatedLocations", []):
                related_ids.append(rel.get("id"))
                out += _uri_problems(f"{where} related {rel.get('id')}", rel, root)
            if len(set(related_ids)) != len(related_ids) or not all(
                isinstance(x, int) and x >= 0 for x in related_ids
            ):
                out.append(f"{where}: related location ids {related_ids!r}")
            for _, target in _LINK.findall(text):
                if int(target) not in related_ids:
                    out.append(f"{where}: message links to missing location {target}")
    return out


def validate(doc: Any, root: Path | None = None) -> Any:
    problems = schema_problems(doc) + github_problems(doc, root)
    assert not problems, "\n".join(problems)
    VALIDATED.append(len(doc["runs"][0].get("results", [])))
    return doc


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}/{i}")]
    return []


# ---------------------------------------------------------------------------------------------
# Running the CLI


def svclint(*args: str, cwd: Path, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "svclint", *args],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, "NO_COLOR": "1", **(env or {})},
        timeout=120,
    )


def sarif_of(*args: str, cwd: Path, stdin: str | None = None) -> tuple[Any, int]:
    """Run with --format sarif to standard output; the validated log and the exit code."""
    proc = svclint("--format", "sarif", *args, cwd=cwd, stdin=stdin)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return validate(json.loads(proc.stdout), root=cwd), proc.returncode


def results(doc: Any) -> list[Any]:
    out: list[Any] = doc["runs"][0]["results"]
    return out


def uri_region(loc: Any) -> tuple[str, int, int, int, int]:
    phys = loc["physicalLocation"]
    r = phys["region"]
    return (
        phys["artifactLocation"]["uri"],
        r["startLine"],
        r["startColumn"],
        r["endLine"],
        r["endColumn"],
    )


def make_repo(tmp_path: Path) -> Path:
    """A repository: k8s/web.yaml (a broken selector) and the Helm chart charts/shop."""
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(BROKEN)
    chart = tmp_path / "charts" / "shop"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 0.1.0\n")
    (chart / "templates" / "svc.yaml").write_text(SVC_TEMPLATE)
    (chart / "templates" / "deploy.yaml").write_text(DEPLOY_TEMPLATE)
    return tmp_path


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


# ---------------------------------------------------------------------------------------------
# Plain files


def test_plain_file(repo: Path) -> None:
    doc, code = sarif_of(*SELECT, "k8s/web.yaml", cwd=repo)
    assert code == 1  # the exit code does not depend on the format
    run = doc["runs"][0]
    assert doc["$schema"] == sarif.SCHEMA_URI and list(doc)[:2] == ["$schema", "version"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "svclint" and driver["semanticVersion"] == driver["version"]
    assert driver["informationUri"] == sarif.INFORMATION_URI
    assert [r["id"] for r in driver["rules"]] == ["service-selector-no-match"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # no machine paths in the log
    (res,) = results(doc)
    assert res["ruleId"] == "service-selector-no-match" and res["ruleIndex"] == 0
    assert res["level"] == "error"
    assert uri_region(res["locations"][0]) == ("k8s/web.yaml", 7, 10, 7, 13)
    (rel,) = res["relatedLocations"]
    assert rel["id"] == 1 and rel["message"]["text"] == "labels of Deployment default/web"
    assert uri_region(rel)[:2] == ("k8s/web.yaml", 20)
    text = res["message"]["text"]
    assert text.startswith("selector `app=wbe` matches no pod template")
    assert "Hint: did you mean `app: web`?" in text
    assert text.endswith("Related: [labels of Deployment default/web](1).")
    assert res["properties"]["object"] == {
        "apiVersion": "v1", "kind": "Service", "namespace": "default", "name": "web",
    }  # fmt: skip
    assert "rendered" not in res["properties"] and "suppressions" not in res
    assert len(res["partialFingerprints"][sarif.FINGERPRINT_KEY]) == 64
    assert "primaryLocationLineHash" not in res["partialFingerprints"]  # upload-sarif adds it
    assert not _nulls(doc)


def test_rules_metadata(repo: Path) -> None:
    doc, _ = sarif_of("k8s/web.yaml", cwd=repo)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    ran = [spec for spec in load_rules().values() if spec.enabled]
    assert [r["id"] for r in rules] == [spec.id for spec in ran]  # every rule that ran
    by_id = {r["id"]: r for r in rules}
    rule = by_id["service-selector-no-match"]
    assert rule["name"] == "ServiceSelectorNoMatch"
    assert rule["shortDescription"]["text"] == load_rules()[rule["id"]].summary
    assert rule["fullDescription"]["text"].startswith(rule["shortDescription"]["text"] + " ")
    assert rule["helpUri"].endswith("/docs/rules/service-selector-no-match.md")
    assert rule["helpUri"].startswith(sarif.INFORMATION_URI + "/")
    assert rule["help"]["markdown"].startswith("# service-selector-no-match\n")
    assert rule["helpUri"] in rule["help"]["text"]  # GitHub does not show helpUri itself
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"]["precision"] == "high"
    assert "kubernetes" in rule["properties"]["tags"]
    for r in rules:
        spec = load_rules()[r["id"]]
        assert ("security-severity" in r["properties"]) == ("security" in spec.tags)
        assert r["defaultConfiguration"]["level"] == sarif.SARIF_LEVEL[spec.level]
    # An explicit "warning" is written (sarif-om's own serializer drops it).
    warn = [r for r in rules if load_rules()[r["id"]].level == "warning"]
    assert warn and all(r["defaultConfiguration"] == {"level": "warning"} for r in warn)


@pytest.mark.parametrize("rule_id", ["loadbalancer-open-to-internet", "nodeport-exposed"])
def test_security_rules_have_security_severity(rule_id: str) -> None:
    spec = load_rules().get(rule_id)
    if spec is None:
        pytest.skip(f"{rule_id} is not written yet")
    assert "security" in spec.tags
    doc = validate(sarif.build(Report(), [spec]))
    (rule,) = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rule["properties"]["security-severity"] == sarif.SECURITY_SEVERITY[spec.level]
    assert rule["properties"]["tags"][0] == "security"


def _fake_spec(**kw: Any) -> RuleSpec:
    base = load_rules()["service-selector-no-match"]
    fields: dict[str, Any] = {f: getattr(base, f) for f in ("id", "origin", *INDEXED)}
    return RuleSpec(**{**fields, "check": base.check, "doc": base.doc, **kw})


def test_descriptor_limits_and_security_severity() -> None:
    spec = _fake_spec(
        id="acme/open-port",
        origin="acme",
        level="warning",
        summary="x" * 2000,
        doc="## What it checks\n\n" + "word " * 600,
        tags=(*(f"t{i}" for i in range(14)), "security"),
    )
    doc = validate(sarif.build(Report(), [spec]))
    (rule,) = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rule["name"] == "Acme/OpenPort"
    assert "helpUri" not in rule  # a plugin's docs are not on svclint's site
    assert len(rule["shortDescription"]["text"]) <= 1024
    assert len(rule["fullDescription"]["text"]) <= 1024
    assert rule["fullDescription"]["text"].endswith("…")
    tags = rule["properties"]["tags"]
    assert len(tags) == 10 and tags[0] == "security"
    assert rule["properties"]["security-severity"] == "5.5"
    assert rule["defaultConfiguration"]["level"] == "warning"


def test_levels_and_explicit_warning(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The Service alone: svclint cannot tell, so the error rule reports at info -> note.
    (repo / "svc.yaml").write_text(BROKEN.split("---")[0])
    doc, code = sarif_of(*SELECT, "svc.yaml", cwd=repo)
    (res,) = results(doc)
    assert res["level"] == "note" and code == 0
    # A finding below its rule's level keeps its level explicitly, "warning" included.
    spec = load_rules()["service-selector-no-match"]
    f = Finding(spec.id, "warning", "m", None, SourceFile("svc.yaml", "x\n"), (1, 1, 1, 2), None)
    monkeypatch.chdir(repo)
    built = validate(sarif.build(Report(findings=[f], files=1), [spec]))
    (res,) = results(built)
    assert res["level"] == "warning"
    assert "properties" not in res  # nothing set, nothing written


def test_paths_relative_encoded_and_outside(repo: Path, tmp_path_factory: Any) -> None:
    odd = repo / "my apps" / "wëb#1.yaml"
    odd.parent.mkdir()
    odd.write_text(BROKEN)
    doc, _ = sarif_of(*SELECT, str(odd), cwd=repo)  # absolute, inside the current directory
    (res,) = results(doc)
    assert uri_region(res["locations"][0])[0] == "my%20apps/w%C3%ABb%231.yaml"
    doc, _ = sarif_of(*SELECT, "./k8s/../k8s/web.yaml", cwd=repo)
    assert uri_region(results(doc)[0]["locations"][0])[0] == "k8s/web.yaml"
    outside = tmp_path_factory.mktemp("elsewhere") / "web.yaml"
    outside.write_text(BROKEN)
    proc = svclint("--format", "sarif", *SELECT, str(outside), cwd=repo)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "outside the current directory" in proc.stderr and "repository root" in proc.stderr


def test_symlink_resolved(repo: Path) -> None:
    link = repo / "link.yaml"
    link.symlink_to(repo / "k8s" / "web.yaml")
    doc, _ = sarif_of(*SELECT, "link.yaml", cwd=repo)
    assert uri_region(results(doc)[0]["locations"][0])[0] == "k8s/web.yaml"


def test_deterministic(repo: Path) -> None:
    one = svclint("--format", "sarif", "k8s/web.yaml", cwd=repo).stdout
    two = svclint("--format", "sarif", "k8s/web.yaml", cwd=repo).stdout
    assert one == two and one.endswith("}\n")
    validate(json.loads(one), root=repo)


def test_clean_input_gives_empty_results(repo: Path) -> None:
    (repo / "ok.yaml").write_text(BROKEN.replace("app: wbe", "app: web"))
    doc, code = sarif_of(*SELECT, "ok.yaml", cwd=repo)
    assert code == 0 and results(doc) == []


# ---------------------------------------------------------------------------------------------
# Rendered input: Helm, kustomize, stdin


def test_helm_stdin_maps_to_templates(repo: Path) -> None:
    doc, code = sarif_of(*SELECT, "--chart-dir", "charts/shop", "-", cwd=repo, stdin=RENDERED)
    assert code == 1
    (res,) = results(doc)
    # The finding is on the template line of `spec.selector.app`, at the key's columns.
    assert uri_region(res["locations"][0]) == ("charts/shop/templates/svc.yaml", 7, 5, 7, 8)
    assert res["properties"]["rendered"] == {
        "file": "<stdin>", "line": 9, "column": 10, "endLine": 9, "endColumn": 13,
    }  # fmt: skip
    (rel,) = res["relatedLocations"]
    assert uri_region(rel)[:2] == ("charts/shop/templates/deploy.yaml", 10)  # `labels:`
    assert "[labels of Deployment default/shop-web](1)" in res["message"]["text"]


BRANCHES = "  selector:\n{{- if .Values.canary }}\n    app: canary\n{{- else }}\n    app: {{ .Values.app }}\n{{- end }}\n"


@pytest.mark.parametrize(
    ("template", "region"),
    [
        # `app:` twice, under metadata.labels and spec.selector: the selector's, by its parents.
        (SVC_TEMPLATE.replace("  name:", "  labels:\n    app: shop\n  name:"), (9, 5, 9, 8)),
        # spec.selector.app in both branches of an `if`: its parent `selector:` is certain.
        (
            SVC_TEMPLATE.replace("  selector:\n    app: {{ .Values.app }}\n", BRANCHES),
            (6, 3, 6, 11),
        ),
        # The whole spec comes from a helper: nothing of the path is in the template.
        (SVC_TEMPLATE.split("spec:")[0] + '{{ include "shop.spec" . }}\n', (1, 1, 1, 1)),
    ],
)
def test_helm_absolute_chart_dir_and_a_key_found_by_its_parents(
    repo: Path, template: str, region: tuple[int, int, int, int]
) -> None:
    svc = repo / "charts" / "shop" / "templates" / "svc.yaml"
    svc.write_text(template)
    chart = str(repo / "charts" / "shop")
    doc, _ = sarif_of(*SELECT, "--chart-dir", chart, "-", cwd=repo, stdin=RENDERED)
    (res,) = results(doc)
    assert uri_region(res["locations"][0]) == ("charts/shop/templates/svc.yaml", *region)
    assert res["properties"]["rendered"]["line"] == 9


def test_kustomize_origin(repo: Path) -> None:
    base = repo / "base"
    base.mkdir()
    (base / "service.yaml").write_text(BROKEN.split("---")[0])
    (base / "deployment.yaml").write_text(BROKEN.split("---\n")[1])
    origin = "    config.kubernetes.io/origin: |\n      path: ../../base/{}.yaml\n"
    built = "---\n".join(
        part.replace("  name: web\n", "  name: web\n  annotations:\n" + origin.format(name))
        for part, name in zip(BROKEN.split("---\n"), ("service", "deployment"), strict=True)
    )
    doc, _ = sarif_of(*SELECT, "--kustomize-dir", "overlays/prod", "-", cwd=repo, stdin=built)
    (res,) = results(doc)
    assert uri_region(res["locations"][0]) == ("base/service.yaml", 7, 5, 7, 8)
    assert res["properties"]["rendered"]["file"] == "<stdin>"
    assert uri_region(res["relatedLocations"][0])[0] == "base/deployment.yaml"


def test_stdin_filename(repo: Path) -> None:
    doc, _ = sarif_of(*SELECT, "--stdin-filename", "k8s/web.yaml", "-", cwd=repo, stdin=BROKEN)
    (res,) = results(doc)
    assert uri_region(res["locations"][0]) == ("k8s/web.yaml", 7, 10, 7, 13)
    assert uri_region(res["relatedLocations"][0])[0] == "k8s/web.yaml"


def test_unmappable_stdin_is_refused(repo: Path) -> None:
    proc = svclint("--format", "sarif", *SELECT, "-", cwd=repo, stdin=BROKEN)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "--stdin-filename" in proc.stderr and "--chart-dir" in proc.stderr
    assert "Traceback" not in proc.stderr
    # `# Source:` present but no --chart-dir: the named template is not a file here.
    proc = svclint("--format", "sarif", *SELECT, "-", cwd=repo, stdin=RENDERED)
    assert proc.returncode == 2 and "`shop/templates/svc.yaml`" in proc.stderr
    assert "--chart-dir" in proc.stderr
    # Nothing is written when SARIF is refused, not even the other formats.
    proc = svclint(
        "--format", "sarif", "--output", "r.sarif", "--format", "text", *SELECT, "-",
        cwd=repo, stdin=BROKEN,
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == "" and not (repo / "r.sarif").exists()
    # Other formats do not need a file.
    assert svclint("--format", "json", *SELECT, "-", cwd=repo, stdin=BROKEN).returncode == 1


def test_clean_stdin_is_not_refused(repo: Path) -> None:
    doc, code = sarif_of(*SELECT, "-", cwd=repo, stdin=BROKEN.replace("app: wbe", "app: web"))
    assert code == 0 and results(doc) == []


# ---------------------------------------------------------------------------------------------
# Suppressions, message links


def test_suppressed_findings_are_kept(repo: Path) -> None:
    text = BROKEN.replace(
        "    app: wbe\n", "    app: wbe  # svclint: ignore=service-selector-no-match\n"
    )
    (repo / "quiet.yaml").write_text(text)
    annotated = BROKEN.replace(
        "  name: web\nspec:\n  selector",
        '  name: web\n  annotations:\n    svclint.io/ignore: "all"\nspec:\n  selector',
        1,
    )
    (repo / "annotated.yaml").write_text(annotated)
    doc, code = sarif_of(*SELECT, "quiet.yaml", "annotated.yaml", cwd=repo)
    assert code == 0  # suppressed findings do not fail the run
    found = {uri_region(r["locations"][0])[0]: r for r in results(doc)}
    assert set(found) == {"quiet.yaml", "annotated.yaml"}
    (sup,) = found["quiet.yaml"]["suppressions"]
    assert sup["kind"] == "inSource" and "comment" in sup["justification"]
    (sup,) = found["annotated.yaml"]["suppressions"]
    assert sup["kind"] == "inSource" and "annotation" in sup["justification"]


def test_link_text_is_escaped(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load_rules()["service-selector-no-match"]
    (repo / "a.yaml").write_text("x\n")
    from svclint.lint.findings import Location

    f = Finding(
        spec.id, "error", "see [this]", None, SourceFile("a.yaml", "x\n"), (1, 1, 1, 2), None,
        related=[("ports [0] \\ of x", Location("a.yaml", 1, 1, 1, 2))],
    )  # fmt: skip
    monkeypatch.chdir(repo)
    doc = validate(sarif.build(Report(findings=[f], files=1), [spec]), root=repo)
    (res,) = results(doc)
    assert res["message"]["text"] == "see [this]. Related: [ports \\[0\\] \\\\ of x](1)."
    assert res["relatedLocations"][0]["message"]["text"] == "ports [0] \\ of x"


# ---------------------------------------------------------------------------------------------
# --format / --output pairs, GITHUB_ACTIONS


def test_sarif_to_file_and_text_to_stdout(repo: Path) -> None:
    proc = svclint(
        "--format", "sarif", "--output", "r.sarif", "--format", "text",
        *SELECT, "k8s/web.yaml", cwd=repo,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("k8s/web.yaml:7:10: error[service-selector-no-match]")
    doc = validate(json.loads((repo / "r.sarif").read_text(encoding="utf-8")), root=repo)
    assert len(results(doc)) == 1


def test_format_output_pairing_errors(repo: Path) -> None:
    two_stdout = svclint("--format", "json", "--format", "text", "k8s/web.yaml", cwd=repo)
    assert two_stdout.returncode == 2 and "standard output" in two_stdout.stderr
    extra = svclint("--format", "json", "-o", "a", "-o", "b", "k8s/web.yaml", cwd=repo)
    assert extra.returncode == 2 and "more --output than --format" in extra.stderr
    same = svclint("--format", "json", "-o", "a", "--format", "sarif", "-o", "a", ".", cwd=repo)
    assert same.returncode == 2 and "twice" in same.stderr
    # A lone --output takes the default format.
    proc = svclint("-o", "report.txt", *SELECT, "k8s/web.yaml", cwd=repo)
    assert proc.returncode == 1 and proc.stdout == ""
    assert (repo / "report.txt").read_text().startswith("k8s/web.yaml:7:10:")


def test_github_actions_default_format(repo: Path) -> None:
    on = svclint(*SELECT, "k8s/web.yaml", cwd=repo, env={"GITHUB_ACTIONS": "true"})
    assert on.stdout.startswith("::error file=k8s/web.yaml,line=7,")
    explicit = svclint(
        "--format", "sarif", *SELECT, "k8s/web.yaml", cwd=repo, env={"GITHUB_ACTIONS": "true"}
    )
    validate(json.loads(explicit.stdout), root=repo)
    off = svclint(*SELECT, "k8s/web.yaml", cwd=repo, env={"GITHUB_ACTIONS": "false"})
    assert off.stdout.startswith("k8s/web.yaml:7:10:")


# ---------------------------------------------------------------------------------------------
# The validator itself must catch what GitHub rejects.


def _part(doc: Any, name: str) -> Any:
    result = doc["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    return {
        "log": doc,
        "result": result,
        "message": result["message"],
        "physical": physical,
        "artifact": physical["artifactLocation"],
        "rule": doc["runs"][0]["tool"]["driver"]["rules"][0],
    }[name]


@pytest.mark.parametrize(
    ("part", "key", "value"),
    [
        ("result", "locations", []),
        ("artifact", "uri", ""),
        ("artifact", "uri", "<stdin>"),
        ("artifact", "uri", "/abs/k8s/web.yaml"),
        ("artifact", "uri", "file:///abs/k8s/web.yaml"),
        ("artifact", "uri", "my dir/web.yaml"),
        ("artifact", "uri", "k8s/missing.yaml"),
        ("physical", "region", {}),
        ("result", "ruleIndex", 5),
        ("result", "ruleIndex", -1),
        ("result", "level", None),
        ("rule", "name", "x" * 256),
        ("message", "text", "see [x](7)"),
        ("log", "version", "2.0.0"),
    ],
)
def test_validator_catches_github_rejections(repo: Path, part: str, key: str, value: Any) -> None:
    good, _ = sarif_of(*SELECT, "k8s/web.yaml", cwd=repo)
    assert not schema_problems(good) + github_problems(good, root=repo)
    bad = json.loads(json.dumps(good))
    _part(bad, part)[key] = value
    assert schema_problems(bad) + github_problems(bad, root=repo)


def test_validator_catches_rule_limits(repo: Path) -> None:
    good, _ = sarif_of(*SELECT, "k8s/web.yaml", cwd=repo)
    for edit in ("tags", "fullDescription"):
        bad = json.loads(json.dumps(good))
        rule = _part(bad, "rule")
        if edit == "tags":
            rule["properties"]["tags"] = [str(i) for i in range(11)]
        else:
            rule["fullDescription"]["text"] = "x" * 1025
        assert github_problems(bad, root=repo), edit
