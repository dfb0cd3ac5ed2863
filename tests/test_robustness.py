"""Hostile and odd input, run as a user runs svclint: a subprocess, real files, exit codes.

Every case must end in a clean result: exit 0/1 with a report, or exit 2 with a one-line message;
never a traceback, a signal, a hang (each run has a timeout) or runaway memory (each run has a
1 GiB address-space limit). And the finding the input deserves must be there: one bad file never
hides the findings of the others. `docs/bad-input.md` describes each class of input; keep the two
in step. Heavy cases are marked `slow` (`pytest -m "not slow"` skips them).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from svclint.cli import main as cli_main
from svclint.cli.check import check as check_command
from svclint.load.build import kustomize_command

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests" / "fixtures" / "yaml-test-suite"
MEMORY_LIMIT = 1024 * 1024 * 1024
BROKEN_SERVICE = textwrap.dedent("""\
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector:
        app: wbe
      ports:
      - port: 80
    """)  # a selector typo: service-selector-no-match (info without pod sources, error with)
DEPLOYMENT = textwrap.dedent("""\
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
            - containerPort: 80
            readinessProbe:
              httpGet: {path: /, port: 80}
    """)
BROKEN = BROKEN_SERVICE + "---\n" + DEPLOYMENT  # exactly one error: the selector at 7:10


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def svclint(
    *args: str,
    cwd: Path = ROOT,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    exe: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run svclint; assert it ended by itself, without a traceback or a signal."""
    proc = subprocess.run(
        [*(exe or [sys.executable, "-m", "svclint"]), *args],
        check=False,
        input=stdin,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=timeout,
        preexec_fn=_limit_memory,
    )
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-3000:])
    assert "crashed on" not in proc.stderr, proc.stderr[-3000:]  # a rule crash is a bug
    return proc


def lint_json(*args: str, **kw: Any) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = svclint("--format", "json", *args, **kw)
    return proc, json.loads(proc.stdout)


def found(report: dict[str, Any], rule: str | None = None) -> list[tuple[str, str, int, int]]:
    """(rule, file name, line, column) of each finding, optionally of one rule."""
    return [
        (f["rule"], Path(f["file"]).name, f["line"], f["column"])
        for f in report["findings"]
        if rule is None or f["rule"] == rule
    ]


def messages(report: dict[str, Any], rule: str) -> list[str]:
    return [f["message"] for f in report["findings"] if f["rule"] == rule]


# -- the YAML test suite -----------------------------------------------------------------------

# libyaml (the C parser under svclint, and the ancestor of go-yaml, which kubectl uses) differs
# from the YAML 1.2 test suite on these cases. Each stays covered: the test asserts that it still
# behaves as listed (a clean result either way), so a libyaml upgrade that fixes one fails here
# until the entry is removed.
ACCEPTED_ERROR_CASES = {  # the suite says "must fail"; libyaml parses them
    "9C9N": "flow sequence lines indented less than its key: libyaml does not check them",
    "9JBA": "comment without a space after a flow sequence: libyaml allows `]#`",
    "CVW2": "comment without a space after a comma: libyaml allows `,#`",
    "DK95/01": "tab indenting a quoted scalar's continuation line: libyaml accepts it",
    "G5U8": "plain `-` entries in a flow sequence: libyaml reads them as scalars",
    "MUS6/00": "`%YAML 1.1#...` directive with a comment and no space: libyaml allows it",
    "QB6E": "multi-line quoted scalar indented less than its key: not checked by libyaml",
    "S98Z": "block scalar with leading blank lines indented more than what follows: accepted",
    "SU5Z": 'comment without a space after a quoted scalar: libyaml allows `"x"#`',
    "U99R": "comma in a tag shorthand: libyaml accepts `!!str,`",
    "X4QW": "comment without a space after a block scalar indicator: libyaml allows `>#`",
    "Y79Y/003": "tab indenting an entry of a flow sequence: libyaml accepts it",
    "YJV2": "`[-]`: libyaml reads `-` as a plain scalar",
}
# fmt: off
REJECTED_VALID_CASES = {  # the suite says "valid"; libyaml reports a syntax error
    **dict.fromkeys(
        ["2JQS", "6M2F", "NHX8", "NKF9", "S3PD", "SM9W/01", "CFD4", "FRK4", "WZ62", "UKK6/00",
         "M2N8/00"],
        "empty keys (`: value`, `{: v}`, `!!str : v`, `? : x`): libyaml does not parse them",
    ),
    **dict.fromkeys(
        ["2LFX", "6LVF", "MUS6/05", "MUS6/06"],
        "unknown or reserved `%` directives should be ignored; libyaml rejects them",
    ),
    "BEC7": "`%YAML 1.3`: libyaml rejects any YAML version but 1.x with x <= 2",
    **dict.fromkeys(
        ["UT92", "W4TN"], "a `%` at column 0 inside a document: libyaml sees a directive"
    ),
    **dict.fromkeys(
        ["3GZX", "PW8X"],
        "an anchor defined twice: ruamel's C composer rejects it (YAML 1.2 allows)",
    ),
    **dict.fromkeys(["2SXE", "8XYN", "W5VH"], "anchor names with `:`, other punctuation or non-ASCII letters: libyaml rejects them"),
    **dict.fromkeys(
        ["4ABK", "4MUZ/00", "4MUZ/01", "4MUZ/02", "58MP", "5MUD", "5T43", "9SA2", "DBG4",
         "HM87/00", "JR7V", "K3WX", "NJ66", "UDM2", "VJP3/01"],
        "YAML 1.2 flow forms libyaml does not parse: `:` right after a quoted key or on the "
        "next line, `:` or `?` inside or leading a plain scalar, keys over several lines",
    ),
    **dict.fromkeys(
        ["6BCT", "6CA3", "A2M4", "DK95/00", "DK95/03", "DK95/04", "Q5MG", "Y79Y/010",
         "96NN/00", "96NN/01", "R4YG", "Y79Y/001"],
        "tabs as separation or inside block-scalar indentation: libyaml rejects them",
    ),
    **dict.fromkeys(["DK3J", "FP8R"], "zero-indented block scalar after `--- >`: not in libyaml"),
    **dict.fromkeys(
        ["HWV9", "QT73", "M7A3"], "a document of only `...` and comments: libyaml wants a node"
    ),
}
# fmt: on


def _suite_cases() -> dict[str, bool]:
    """Case id -> True when the case is marked as an error."""
    return {
        str(p.parent.relative_to(SUITE)): (p.parent / "error").exists()
        for p in sorted(SUITE.rglob("in.yaml"))
    }


def test_suite_fixture_is_complete() -> None:
    cases = _suite_cases()
    assert len(cases) == 402 and sum(cases.values()) == 94
    assert set(ACCEPTED_ERROR_CASES) <= {c for c, err in cases.items() if err}
    assert set(REJECTED_VALID_CASES) <= {c for c, err in cases.items() if not err}


def test_yaml_test_suite_every_case_loads_or_is_a_positioned_syntax_error() -> None:
    proc, report = lint_json("--select", "all", str(SUITE))
    assert proc.returncode == 1 and report["errors"] == []
    assert report["summary"]["files"] == 402 and report["summary"]["objects"] == 0
    by_case: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        case = str(Path(f["file"]).resolve().parent.relative_to(SUITE))
        by_case.setdefault(case, []).append(f)
    wrong = []
    for case, is_error in _suite_cases().items():
        findings = by_case.get(case, [])
        syntax = [f for f in findings if f["rule"] == "yaml-syntax-error"]
        others = {f["rule"] for f in findings} - {"yaml-syntax-error"}
        lines = (SUITE / case / "in.yaml").read_bytes().count(b"\n") + 1
        for f in syntax:  # at a position inside the file
            if not (1 <= f["line"] <= lines + 1 and f["column"] >= 1):
                wrong.append(f"{case}: syntax error outside the file at {f['line']}:{f['column']}")
        # Valid YAML that is not a Kubernetes object is said to be so, or skipped (a map).
        for f in findings:
            if f["rule"] == "schema-invalid" and "not a Kubernetes object" not in f["message"]:
                wrong.append(f"{case}: unexpected schema finding {f['message']}")
        if others - {"schema-invalid", "yaml-duplicate-key"}:
            wrong.append(f"{case}: unexpected rules {sorted(others)}")
        expect_error = (is_error and case not in ACCEPTED_ERROR_CASES) or (
            case in REJECTED_VALID_CASES
        )
        if expect_error and not syntax:
            wrong.append(f"{case}: expected a yaml-syntax-error, got none")
        if not expect_error and syntax:
            wrong.append(f"{case}: unexpected yaml-syntax-error: {syntax[0]['message']}")
    assert wrong == []


# -- alias bombs, depth, size ------------------------------------------------------------------


def _billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "data:"]
    lines.append(f"  l0: &l0 [{', '.join(['lol'] * width)}]")
    for i in range(1, levels + 1):
        lines.append(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _merge_bomb_selector(n: int = 3000) -> str:
    """Each map merges the previous one: quadratic key copies, ending in a Service selector."""
    lines = ["apiVersion: v1", "kind: Service", "metadata: {name: merged}", "x-defs:"]
    lines.append("  m0: &m0 {k0: v}")
    for i in range(1, n):
        lines.append(f"  m{i}: &m{i} {{<<: *m{i - 1}, k{i}: v}}")
    lines.append(f"spec: {{selector: {{<<: *m{n - 1}, app: web}}, ports: [{{port: 80}}]}}")
    return "\n".join(lines) + "\n"


def _alias_chain(groups: int = 30, levels: int = 150) -> str:
    """Each group nests the previous one `levels` deeper: shallow text, a 4,500-level tree."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: chain}", "x:", "  g0: &g0 x"]
    for i in range(1, groups):
        lines.append(f"  g{i}: &g{i} " + "[" * levels + f"*g{i - 1}" + "]" * levels)
    return "\n".join([*lines, f"data: {{k: *g{groups - 1}}}"]) + "\n"


def _shared_labels(levels: int = 6) -> str:
    """Labels, selectors and ports aliasing one structure of 5**7 nodes: under the limit, so the
    objects are linted, and no rule may walk the expansion."""
    defs = "x-l0: &l0 {a: x, b: y, c: z, d: w, e: v}\n" + "".join(
        f"x-l{i}: &l{i} {{{', '.join(f'k{j}: *l{i - 1}' for j in range(5))}}}\n"
        for i in range(1, levels + 1)
    )
    big = f"*l{levels}"
    deployment = (
        f"apiVersion: apps/v1\nkind: Deployment\n"
        f"metadata: {{name: web, labels: {{app: web, big: {big}}}, annotations: {{big: {big}}}}}\n"
        f"spec:\n  selector: {{matchLabels: {{app: web, big: {big}}}}}\n  template:\n"
        f"    metadata: {{labels: {{app: web, big: {big}}}}}\n    spec:\n"
        f"      containers: [{{name: web, ports: [{{containerPort: 80, name: {big}}}],"
        f" readinessProbe: {{httpGet: {{port: {big}}}}}}}]\n"
    )
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
        f"spec: {{selector: {{app: wbe, big: {big}}}, ports: [{{port: 80, targetPort: {big}}}]}}\n"
    )
    return defs + deployment + "---\n" + defs + service


def test_alias_bombs_are_bounded_and_reported(tmp_path: Path) -> None:
    (tmp_path / "lol.yaml").write_text(_billion_laughs() + "---\n" + BROKEN)
    (tmp_path / "merge.yaml").write_text(_merge_bomb_selector())
    (tmp_path / "cycle.yaml").write_text("apiVersion: v1\nkind: Service\nspec: &s {spec: *s}\n")
    (tmp_path / "shared.yaml").write_text(_shared_labels())
    (tmp_path / "chain.yaml").write_text(_alias_chain())
    start = time.monotonic()
    proc, report = lint_json(str(tmp_path))
    assert time.monotonic() - start < 30
    assert proc.returncode == 1
    syntax = found(report, "yaml-syntax-error")
    assert sorted(syntax) == [
        ("yaml-syntax-error", "chain.yaml", 1, 1),
        ("yaml-syntax-error", "cycle.yaml", 3, 7),  # at the anchor
        ("yaml-syntax-error", "lol.yaml", 1, 1),
        ("yaml-syntax-error", "merge.yaml", 1419, 10),  # the map that went over the budget
    ]
    joined = " ".join(messages(report, "yaml-syntax-error"))
    assert "alias bomb" in joined and "merge keys" in joined and "contains it" in joined
    assert "aliases nest it deeper than 200 levels" in joined
    # The documents after a bomb, and the objects aliasing a big shared structure, are linted.
    selector = found(report, "service-selector-no-match")
    assert ("service-selector-no-match", "lol.yaml", 22, 10) in selector
    assert any(name == "shared.yaml" for _, name, _, _ in selector)


NESTING: dict[str, tuple[Callable[[int], str], tuple[int, int]]] = {
    # name -> (text nesting n levels, where level 201 opens: the limit is 200)
    "flow-seq": (lambda n: "a: " + "[" * n + "]" * n + "\n", (1, 203)),
    "flow-map": (lambda n: "a: " + "{a: " * n + "1" + "}" * n + "\n", (1, 800)),
    "compact-seq": (lambda n: "- " * n + "x\n", (1, 401)),
    "block-map": (lambda n: "".join(f"{' ' * i}k{i}:\n" for i in range(n + 1)), (201, 201)),
    "block-seq": (
        lambda n: "".join(f"{' ' * i}-\n" for i in range(n)) + " " * n + "v\n",
        (201, 201),
    ),
}


@pytest.mark.parametrize(
    ("name", "levels"),
    [
        *[(name, 5_000) for name in NESTING if not name.startswith("block")],
        *[pytest.param(name, 5_000, marks=pytest.mark.slow) for name in NESTING
          if name.startswith("block")],  # 12 MB of indentation each
        # 100,000 levels overflowed the C stack of libyaml's composer: a segfault. (In block
        # style that is 5 GB of indentation; the compact and flow forms reach it in 200 KB.)
        ("flow-seq", 100_000), ("flow-map", 100_000), ("compact-seq", 100_000),
    ],
)  # fmt: skip
def test_deep_nesting_is_reported_at_the_level_past_the_limit(
    tmp_path: Path, name: str, levels: int
) -> None:
    build, where = NESTING[name]
    (tmp_path / f"{name}.yaml").write_text(build(levels))
    (tmp_path / "svc.yaml").write_text(BROKEN)
    proc, report = lint_json(str(tmp_path))
    assert proc.returncode == 1
    ((_, file, line, col),) = found(report, "yaml-syntax-error")
    assert (file, line, col) == (f"{name}.yaml", *where)
    assert messages(report, "yaml-syntax-error") == [
        "document not linted: nesting deeper than 200 levels"
    ]
    assert found(report, "service-selector-no-match") == [
        ("service-selector-no-match", "svc.yaml", 7, 10)
    ]


@pytest.mark.slow
def test_twenty_megabyte_single_line(tmp_path: Path) -> None:
    line = '{apiVersion: v1, kind: ConfigMap, metadata: {name: big}, data: {x: "' + "a" * 20_000_000
    (tmp_path / "big.yaml").write_text(line + '"}}\n---\n' + BROKEN)
    start = time.monotonic()
    proc, report = lint_json(str(tmp_path / "big.yaml"))
    assert time.monotonic() - start < 30
    assert proc.returncode == 1 and report["summary"]["objects"] == 3
    assert found(report) == [("service-selector-no-match", "big.yaml", 9, 10)]


@pytest.mark.slow
def test_twenty_thousand_documents_in_one_file(tmp_path: Path) -> None:
    docs = [
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{k: v}}\n"
        for i in range(20_000)
    ]
    docs[10_000] = "kind: [unclosed\n"  # costs only itself
    text = "---\n".join(docs) + "---\n" + BROKEN
    (tmp_path / "many.yaml").write_text(text)
    proc, report = lint_json(str(tmp_path / "many.yaml"))
    assert proc.returncode == 1 and report["summary"]["objects"] == 19_999 + 2
    svc_line = text.count("\n", 0, text.index("app: wbe")) + 1
    assert sorted(found(report)) == [
        ("service-selector-no-match", "many.yaml", svc_line, 10),
        ("yaml-syntax-error", "many.yaml", 10_000 * 5 + 1, 7),
    ]


# -- encodings and odd files -------------------------------------------------------------------


def test_undecodable_files_are_one_line_errors_and_hide_nothing(tmp_path: Path) -> None:
    bad = {
        "binary.yaml": (bytes(range(256)) * 4, "not a text file (contains NUL bytes)"),
        "latin1.yaml": (BROKEN.replace("wbe", "w\xe9b").encode("latin-1"), "not UTF-8 text"),
        "nul.yaml": (BROKEN.encode() + b"\x00\n", "not a text file (contains NUL bytes)"),
        "utf16-no-bom.yaml": (BROKEN.encode("utf-16-le"), "not a text file"),
        "bad-utf16.yaml": (b"\xff\xfe" + b"a\x00\x00\xd8", "not valid utf-16 text"),
    }
    for name, (data, _) in bad.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.yaml").write_text(BROKEN)
    proc, report = lint_json(str(tmp_path))
    assert proc.returncode == 1
    assert found(report) == [("service-selector-no-match", "good.yaml", 7, 10)]
    for name, (_, message) in bad.items():
        assert f"svclint: error: {tmp_path / name}: {message}" in proc.stderr
    assert report["summary"]["files"] == 1
    alone = svclint(str(tmp_path / "binary.yaml"))
    assert alone.returncode == 2 and alone.stderr.count("\n") == 1  # one line, nothing read
    piped = svclint("-", stdin=BROKEN + "\x00")
    assert piped.returncode == 2
    assert piped.stderr == "svclint: error: <stdin>: not a text file (contains NUL bytes)\n"


def test_alias_bomb_in_the_config_file_is_a_config_error(tmp_path: Path) -> None:
    lines = ["x0: &x0 [a, a, a, a, a]"]  # 5 * 10**5 nodes: under the loader's limit
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]" for i in range(1, 6)]
    (tmp_path / ".svclint.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "svc.yaml").write_text(BROKEN)
    proc = svclint("svc.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"]
)
def test_unicode_with_a_bom_and_crlf_is_linted(tmp_path: Path, encoding: str) -> None:
    text = BROKEN.replace("\n", "\r\n")
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be", "utf-32-be"):
        data = "\ufeff".encode(encoding) + data
    (tmp_path / "wide.yaml").write_bytes(data)
    proc, report = lint_json(str(tmp_path / "wide.yaml"))
    assert proc.returncode == 1
    assert found(report) == [("service-selector-no-match", "wide.yaml", 7, 10)]


def test_tabs_in_indentation_are_a_syntax_error_at_the_tab(tmp_path: Path) -> None:
    text = BROKEN.replace("  name: web\n", "\tname: web\n", 1)
    (tmp_path / "tabs.yaml").write_text(text)
    proc, report = lint_json(str(tmp_path / "tabs.yaml"))
    assert proc.returncode == 1
    assert found(report, "yaml-syntax-error") == [("yaml-syntax-error", "tabs.yaml", 4, 1)]
    assert "cannot start any token" in messages(report, "yaml-syntax-error")[0]
    assert report["summary"]["objects"] == 1  # the Deployment after it is still read


def test_empty_and_comment_only_files_are_clean(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "comments.yaml").write_text("# nothing\n---\n# here either\n...\n")
    (tmp_path / "blank.yaml").write_text("\n\n   \n")
    proc, report = lint_json(str(tmp_path))
    assert proc.returncode == 0 and report["findings"] == []
    assert report["summary"]["files"] == 3 and report["summary"]["objects"] == 0


def test_documents_that_are_scalars_lists_or_null(tmp_path: Path) -> None:
    docs = ["just text\n", "42\n", "- a\n- b\n", "[]\n", "null\n", "~\n", "{}\n", '"quoted"\n']
    (tmp_path / "odd.yaml").write_text("---\n".join(docs) + "---\n" + BROKEN)
    proc, report = lint_json("--select", "all", str(tmp_path / "odd.yaml"))
    assert proc.returncode == 1
    odd = found(report, "schema-invalid")
    # `null` and `~` are scalars too: kubectl rejects them ("Object 'Kind' is missing").
    assert [line for _, _, line, _ in odd] == [1, 3, 5, 8, 10, 12, 16]
    assert all("not a Kubernetes object" in m for m in messages(report, "schema-invalid"))
    assert ("service-selector-no-match", "odd.yaml", 24, 10) in found(report)
    assert report["summary"]["not_objects"] == 1  # `{}`: a mapping, not an object


def _paths(tree: object, prefix: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _set(tree: Any, path: tuple[Any, ...], value: object) -> None:
    for part in path[:-1]:
        tree = tree[part]
    tree[path[-1]] = value


WRONG_VALUES: list[object] = [None, [], ["x"], {}, {"x": 1}, -1, 2**64, 3.5, True, ""]


@pytest.mark.slow  # 1,600 variants of 7 objects: ~10 s
def test_null_and_wrong_types_in_every_field(tmp_path: Path) -> None:
    """Every field of a fully wired set of objects, replaced in turn by null and by a value of
    each wrong type; each variant in its own namespace so they do not meet."""
    from test_properties import INLINE_SEEDS  # the seeds of the property tests

    from svclint.load.documents import load_documents
    from svclint.model.nodes import Map, to_plain

    base = [to_plain(d.root) for d in load_documents(INLINE_SEEDS) if isinstance(d.root, Map)]
    docs: list[str] = []
    variant = 0
    for index, obj in enumerate(base):
        for path in _paths(obj):
            for value in WRONG_VALUES:
                variant += 1
                world = json.loads(json.dumps(base))
                for other in world:
                    for o in [other, *other.get("items", [])]:  # a List's items too
                        o.setdefault("metadata", {})["namespace"] = f"v{variant}"
                _set(world[index], path, value)
                docs.extend(json.dumps(o) for o in world)
    (tmp_path / "wrong.yaml").write_text("\n---\n".join(docs) + "\n")
    proc, report = lint_json("--select", "all", str(tmp_path / "wrong.yaml"), timeout=120)
    assert proc.returncode == 1 and variant > 1000
    assert report["errors"] == [] and report["summary"]["objects"] > variant


def test_tags_are_text_never_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = textwrap.dedent(f"""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {{name: tags}}
        data:
          a: !!python/object/apply:os.system ["touch {marker}"]
          b: !!python/object/new:os.system ["touch {marker}"]
          c: !!python/name:os.system ''
          d: !!python/module:os ''
          e: !!binary aGVsbG8=
          f: !!set {{x, y}}
          g: !!omap [a: 1]
          h: !!timestamp 2001-12-14
          i: !unknown {{x: 1}}
          j: !<tag:example.com,2000:x> y
        """)
    (tmp_path / "tags.yaml").write_text(evil + "---\n" + BROKEN)
    (tmp_path / "tagged-service.yaml").write_text(
        BROKEN.replace("app: wbe", "app: !!python/object/apply:os.system wbe").replace(
            "port: 80\n", "port: !!int 80\n", 1
        )
    )
    proc, report = lint_json(str(tmp_path))
    assert not marker.exists()
    assert proc.returncode == 1
    selector = found(report, "service-selector-no-match")
    assert ("service-selector-no-match", "tags.yaml", 22, 10) in selector
    assert ("service-selector-no-match", "tagged-service.yaml", 7, 10) in selector


def test_merge_keys_feed_labels_and_selectors(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        x-labels: &labels {app: web, tier: front}
        spec:
          selector: {matchLabels: {<<: *labels}}
          template:
            metadata: {labels: {<<: [*labels, {extra: "1"}], tier: back}}
            spec: {containers: [{name: web, ports: [{containerPort: 80}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ok}
        spec: {selector: {<<: {app: web}}, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: typo}
        spec: {selector: {<<: {app: wbe}}, ports: [{port: 80}]}
        """)
    (tmp_path / "merge.yaml").write_text(text)
    proc, report = lint_json("--select", "all", str(tmp_path / "merge.yaml"))
    assert proc.returncode == 1
    # `ok` selects the Deployment through merged labels, `typo` does not; the explicit `tier`
    # wins over the merged one, so the Deployment's own selector no longer matches its template.
    assert found(report, "service-selector-no-match") == [
        ("service-selector-no-match", "merge.yaml", 19, 29)
    ]
    (mismatch,) = messages(report, "workload-selector-mismatch")
    assert "(`tier: back, app: web, extra: 1`): `tier: front` fails" in mismatch


# -- folders ------------------------------------------------------------------------------------


def test_folder_of_unreadable_entries_reports_each_and_lints_the_rest(tmp_path: Path) -> None:
    d = tmp_path / "manifests"
    d.mkdir()
    (d / "good.yaml").write_text(BROKEN)
    (d / "loop.yaml").symlink_to("loop.yaml")
    (d / "dangling.yaml").symlink_to("nowhere.yaml")
    (d / "up").symlink_to("..")  # a folder loop: symbolic links to folders are not followed
    (d / "folder.yaml").mkdir()  # a folder named like a manifest is walked as a folder
    (d / "folder.yaml" / "inner.yml").write_text("# nothing\n")
    os.mkfifo(d / "fifo.yaml")  # opening it would block forever
    # A kustomization is read for its patch list: 100,000 levels crashed its parser.
    (d / "kustomization.yaml").write_text("patches: " + "[" * 100_000 + "]" * 100_000 + "\n")
    (d / "README.md").write_text("not yaml {{ }}\n")
    (d / "logo.png").write_bytes(b"\x89PNG\x00\x00")
    expected = {
        "loop.yaml": "broken symbolic link (Too many levels of symbolic links)",
        "dangling.yaml": "broken symbolic link (No such file or directory)",
        "fifo.yaml": "not a regular file, skipped",
    }
    if Path("/proc/self/mem").exists():  # a file that fails to read, even for root
        (d / "mem.yaml").symlink_to("/proc/self/mem")
        expected["mem.yaml"] = "cannot read: Input/output error"
    # Raw (--no-build), the folder's files are walked one by one.
    proc, report = lint_json("--no-build", str(d), timeout=30)
    assert proc.returncode == 1
    assert found(report) == [("service-selector-no-match", "good.yaml", 7, 10)]
    assert report["summary"]["files"] == 2  # good.yaml and folder.yaml/inner.yml
    for name, message in expected.items():
        assert f"svclint: error: {d / name}: {message}" in proc.stderr
    assert "README.md" not in proc.stderr and "logo.png" not in proc.stderr
    # Built, the folder is the kustomization's: the build fails, in one line, and the files the
    # kustomization does not own are still walked.
    if kustomize_command(None) is None:
        return  # no kubectl or kustomize here: test_build.py says so as a skip
    proc, report = lint_json(str(d), timeout=60)
    assert f"svclint: error: kustomization {d} does not build: " in proc.stderr
    assert "max depth" in proc.stderr
    assert report["summary"]["files"] == 1  # folder.yaml/inner.yml


def test_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    d = tmp_path / "names"
    d.mkdir()
    with open(os.fsencode(d) + b"/\xff-svc.yaml", "wb") as fh:  # a Latin-1 name, say
        fh.write(BROKEN.encode())
    strict = {"PYTHONIOENCODING": "utf-8:strict"}  # stdout as in an en_US.UTF-8 locale
    for fmt in _formats():
        proc = svclint("--format", fmt, "names", cwd=tmp_path, env=strict)
        assert proc.returncode == 1, fmt
        out = svclint("--format", fmt, "--output", "out", "names", cwd=tmp_path, env=strict)
        assert out.returncode == 1 and (tmp_path / "out").stat().st_size > 0, fmt


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(BROKEN)
    secret = tmp_path / "secret.yaml"
    secret.write_text(BROKEN)
    secret.chmod(0)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.yaml").write_text(BROKEN)
    locked.chmod(0)
    try:
        proc, report = lint_json(str(tmp_path))
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 1 and len(found(report)) == 1
    assert f"{secret}: cannot read: Permission denied" in proc.stderr
    assert f"{locked}: cannot read folder: Permission denied" in proc.stderr


def test_size_limit_has_a_clear_message(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 220_000)  # 2.1 MiB
    (tmp_path / "small.yaml").write_text(BROKEN)
    message = f"svclint: error: {big}: larger than 1 MiB, skipped (raise --max-file-size)\n"
    alone = svclint("--max-file-size", "1", str(big))
    assert alone.returncode == 2 and alone.stderr == message
    proc, report = lint_json("--max-file-size", "1", str(tmp_path))
    assert proc.returncode == 1 and message in proc.stderr
    assert found(report) == [("service-selector-no-match", "small.yaml", 7, 10)]
    assert svclint("--max-file-size", "3", str(big)).returncode == 0


@pytest.mark.slow
def test_default_size_limit(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as fh:  # sparse: 65 MiB of NUL bytes on disk for free
        fh.truncate(65 * 1024 * 1024)
    proc = svclint(str(huge))
    assert proc.returncode == 2
    assert (
        proc.stderr
        == f"svclint: error: {huge}: larger than 64 MiB, skipped (raise --max-file-size)\n"
    )


# -- a rule that raises --------------------------------------------------------------------------

CRASHING_RULE_DRIVER = """\
import sys
import svclint.cli.common as common
from svclint.cli import main
from svclint.lint.registry import RuleSpec, load_rules

def check(svc, graph):
    if svc.name == "bad":
        raise KeyError("boom")
    yield from ()

rules = dict(load_rules())
rules["test/boom"] = RuleSpec(
    id="test/boom", level="error", enabled=True, target="services", summary="crashes",
    doc="", check=check, module="test_boom", origin="test",
)
common.load_rules = lambda: rules
sys.argv[0] = "svclint"
main()
"""


def test_a_rule_that_raises_is_reported_and_the_rest_still_runs(tmp_path: Path) -> None:
    driver = tmp_path / "driver.py"
    driver.write_text(CRASHING_RULE_DRIVER)
    (tmp_path / "in.yaml").write_text(
        BROKEN + "---\n" + BROKEN_SERVICE.replace("name: web", "name: bad")
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(driver), *args, str(tmp_path / "in.yaml")],
            check=False, capture_output=True, text=True, timeout=60, cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1"},
        )  # fmt: skip

    proc = run("--format", "json")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1  # the findings decide, not the crash
    (line,) = [x for x in proc.stderr.splitlines() if "crashed" in x]
    assert line.startswith("svclint: error: rule `test/boom` crashed on Service default/bad (")
    assert "in.yaml:30)" in line and "KeyError: 'boom'" in line
    report = json.loads(proc.stdout)
    assert [e["kind"] for e in report["errors"]] == ["rule-crash"]
    # The same rule on the other Service, and every other rule on both, still ran.
    names = sorted(f["object"]["name"] for f in report["findings"])
    assert names == ["bad", "web"]
    strict = run("--strict", "--format", "json")
    assert strict.returncode == 2 and json.loads(strict.stdout)["findings"] == report["findings"]
    debug = run("--debug")
    assert "Traceback" in debug.stderr and "KeyError: 'boom'" in debug.stderr


# -- security ----------------------------------------------------------------------------------


def _corpus_like(top: Path) -> Path:
    """`top/corpus`: the examples, the YAML test suite and a few hostile files."""
    d = top / "corpus"
    shutil.copytree(ROOT / "examples", d / "examples")
    shutil.copytree(SUITE, d / "suite")
    (d / "hostile").mkdir()
    (d / "hostile" / "lol.yaml").write_text(_billion_laughs())
    (d / "hostile" / "deep.yaml").write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    (d / "hostile" / "broken.yaml").write_text(BROKEN)
    (d / "hostile" / "origin.yaml").write_text(
        BROKEN.replace("  name: web\n", "  name: web\n  annotations:\n"
                       "    config.kubernetes.io/origin: 'path: ../../README.md'\n", 1)
    )  # fmt: skip
    return d


def _formats() -> list[str]:
    option = next(p for p in check_command.params if p.name in ("fmt", "fmts"))
    assert isinstance(option.type, click.Choice)
    return list(option.type.choices)


def test_no_network_connection_in_any_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("svclint tried to open a network connection")

    _corpus_like(tmp_path)
    monkeypatch.chdir(tmp_path)  # SARIF paths are relative to the working folder
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for fmt in _formats():
        result = CliRunner().invoke(
            cli_main, ["--select", "all", "--format", fmt, "corpus"], env={"NO_COLOR": "1"}
        )
        assert isinstance(result.exception, SystemExit), (fmt, result.exception)
        assert result.exit_code == 1, (fmt, result.output[-2000:])


def _snapshot(top: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(top))] = (st.st_size, st.st_mtime_ns)
    return out


def test_writes_nothing_but_the_output_file(tmp_path: Path) -> None:
    work, home, temp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for d in (work, home, temp):
        d.mkdir()
    _corpus_like(work)
    before = {d: _snapshot(d) for d in (work, home, temp)}
    exe = shutil.which("svclint", path=os.path.dirname(sys.executable))
    env = {"HOME": str(home), "TMPDIR": str(temp), "XDG_CACHE_HOME": str(home / ".cache"),
           "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    reports = [f"report.{fmt}" for fmt in _formats()]
    for fmt, out in zip(_formats(), reports, strict=True):
        proc = svclint(
            "--select", "all", "--format", fmt, "--output", out, "corpus",
            cwd=work, env=env, exe=[exe] if exe else None,
        )  # fmt: skip
        assert proc.returncode == 1 and proc.stdout == "", proc.stderr
        assert (work / out).stat().st_size > 0
    after = {d: _snapshot(d) for d in (work, home, temp)}
    for out in reports:
        del after[work][out]
    assert after == before


def test_plugins_come_only_from_installed_entry_points(tmp_path: Path) -> None:
    """Python files next to the manifests or in the working folder are never imported."""
    marker = tmp_path / "imported"
    payload = f"open({str(marker)!r}, 'w').close()\n"
    for name in ("rules.py", "svclint_rules.py", "conftest.py", "yaml.py", "plugin.py"):
        (tmp_path / name).write_text(payload)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "__init__.py").write_text(payload)
    (tmp_path / "rules" / "evil.py").write_text(payload)
    (tmp_path / "svc.yaml").write_text(BROKEN)
    exe = shutil.which("svclint", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.skip("console script not installed next to this interpreter")
    proc = svclint("--select", "all", "svc.yaml", cwd=tmp_path, exe=[exe])
    assert proc.returncode == 1 and not marker.exists()


def test_source_paths_outside_the_working_directory_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret-line-1: hunter2\n")
    work = tmp_path / "work"
    work.mkdir()
    rendered = f"---\n# Source: {secret}\n" + BROKEN
    for fmt in ("text", "json", "github"):
        proc = svclint("--format", fmt, "-", stdin=rendered, cwd=work)
        assert proc.returncode == 1, fmt
        assert "hunter2" not in proc.stdout and "hunter2" not in proc.stderr, fmt
