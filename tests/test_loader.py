"""The loader: every input form, positions, provenance, and bad input as findings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from svclint.config.settings import Settings
from svclint.lint.engine import Loaded, load_source
from svclint.load.documents import load_documents, split_documents
from svclint.load.inputs import InputError, collect, decode
from svclint.load.objects import Provenance
from svclint.model.nodes import Map, Scalar
from svclint.model.objects import SourceFile

SVC = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  ports: [{{port: 80}}]\n"


def _load(text: str, prov: Provenance | None = None, ns: str = "default") -> Loaded:
    settings = Settings(rules=[], provenance=prov or Provenance())
    settings.options.default_namespace = ns
    out = Loaded()
    load_source(SourceFile("in.yaml", text), settings, out)
    return out


def test_positions_are_one_based_with_exclusive_end() -> None:
    (doc,) = load_documents('a:\n  b: "quoted"\n  c: [1, 2]\n')
    assert isinstance(doc.root, Map)
    a = doc.root.map("a")
    assert a is not None
    b = a.get("b")
    assert isinstance(b, Scalar) and b.pos == (2, 6, 2, 14)
    assert a.key_node("c").pos == (3, 3, 3, 4)


@pytest.mark.parametrize("brk", ["\x85", "\u2028", "\u2029"])
def test_positions_ignore_the_line_breaks_only_yaml_1_1_counts(brk: str) -> None:
    # libyaml starts a line at NEL, LS and PS; editors, kubectl and GitHub do not. Findings
    # must point at the line a user sees, so positions count "\n" lines only.
    text = f"# a comment\na: 'x{brk}y'\nb:\n  c: [1, \"{brk}\"]\n  d: e\n"
    (doc,) = load_documents(text)
    assert isinstance(doc.root, Map)
    assert doc.root.key_node("a").pos == (2, 1, 2, 2)
    b = doc.root.map("b")
    assert b is not None and doc.root.key_node("b").pos == (3, 1, 3, 2)
    assert b.key_node("c").pos == (4, 3, 4, 4)
    c = b.get("c")
    assert c is not None and c.pos == (4, 6, 4, 14)
    assert b.key_node("d").pos == (5, 3, 5, 4)
    # In a comment the break ends the comment, for go-yaml (kubectl) as for libyaml: the rest of
    # the line is content (here a key), placed on the line the user sees it on.
    (tricky,) = load_documents(f"a: b\n# note{brk}more: x\n")
    assert isinstance(tricky.root, Map) and tricky.root.key_node("more").pos == (2, 8, 2, 12)


def test_syntax_error_position_ignores_yaml_1_1_only_line_breaks() -> None:
    plain = load_documents("a: 'xy'\nb: [1,\n  c: d: e\n")
    exotic = load_documents("a: 'x\u2028y'\nb: [1,\n  c: d: e\n")
    assert plain[0].problems and exotic[0].problems
    p, e = plain[0].problems[0], exotic[0].problems[0]
    assert (e.line, e.col) == (p.line, p.col) and e.rule == "yaml-syntax-error"


def test_broken_document_between_good_ones_costs_only_itself() -> None:
    text = SVC.format(name="one") + "---\nkind: [\n---\n" + SVC.format(name="three")
    loaded = _load(text)
    assert [o.name for o in loaded.objects] == ["one", "three"]
    ((_, problem),) = loaded.problems
    assert problem.rule == "yaml-syntax-error" and problem.line == 8
    assert loaded.objects[1].root.line == 10  # lines stay absolute in the file


def test_bom_and_crlf() -> None:
    raw = ("\ufeff" + SVC.format(name="crlf")).replace("\n", "\r\n").encode("utf-8")
    text = decode(raw, "x")
    loaded = _load(text)
    assert loaded.objects[0].name == "crlf"
    assert loaded.objects[0].meta is not None
    assert loaded.objects[0].meta.at("name").pos[:2] == (4, 9)


def test_utf16_with_bom_decodes() -> None:
    raw = SVC.format(name="wide").encode("utf-16")
    assert _load(decode(raw, "x")).objects[0].name == "wide"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x00\x01binary", "not a text file"),
        (b"kind: \xff\xfe\xfa", "not UTF-8 text"),
    ],
)
def test_undecodable_input_is_a_clear_error(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode(raw, "bad.yaml")


def test_nested_list_is_expanded() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: List\n  items:\n"
        "  - {apiVersion: v1, kind: Service, metadata: {name: inner}}\n"
        "- {apiVersion: v1, kind: Service, metadata: {name: outer}}\n"
    )
    assert [o.name for o in _load(text).objects] == ["inner", "outer"]


def test_namespace_defaulting_and_cluster_scoped_kinds() -> None:
    text = (
        SVC.format(name="a")
        + "---\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: explicit}\n"
        + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
    )
    objs = _load(text, ns="shop").objects
    assert [(o.name, o.namespace) for o in objs] == [("a", "shop"), ("b", "explicit"), ("shop", "")]


def test_python_tags_are_data_never_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
        f"data: !!python/object/apply:os.system ['touch {marker}']\n"
        "other: !!python/name:os.system ''\n"
    )
    loaded = _load(text)
    assert not marker.exists()
    assert loaded.objects[0].name == "x"


def test_not_objects_are_counted_and_half_objects_are_findings() -> None:
    loaded = _load("replicaCount: 3\n---\nkind: Service\n---\n- a list\n---\n# only a comment\n")
    assert loaded.not_objects == 1
    assert [(p.rule, p.line) for _, p in loaded.problems] == [
        ("schema-invalid", 3),
        ("schema-invalid", 5),
    ]


def test_helm_source_and_chart_dir() -> None:
    text = "---\n# Source: shop/templates/svc.yaml\n" + SVC.format(name="web")
    (obj,) = _load(text).objects
    assert obj.source == "shop/templates/svc.yaml"
    (obj,) = _load(text, Provenance(chart_dir="charts/shop")).objects
    assert obj.source == "charts/shop/templates/svc.yaml"


def test_kustomize_origin_and_dir() -> None:
    text = (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n"
        "    config.kubernetes.io/origin: |\n      path: ../base/service.yaml\n"
    )
    (obj,) = _load(text).objects
    assert obj.source == "../base/service.yaml"
    (obj,) = _load(text, Provenance(kustomize_dir="overlays/prod")).objects
    assert obj.source == "overlays/base/service.yaml"


def test_split_keeps_directives_with_their_document() -> None:
    chunks = split_documents("%YAML 1.1\n---\na: 1\n...\nb: 2\n---\nc: 3\n")
    assert [(line, text.split("\n")[0]) for line, text in chunks] == [
        (0, "%YAML 1.1"),
        (4, "b: 2"),
        (5, "---"),
    ]


def test_alias_bomb_is_bounded_and_reported() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    loaded = _load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n" + "\n".join(lines))
    assert loaded.objects == []
    ((_, problem),) = loaded.problems
    assert "alias" in problem.message


def test_directory_walk(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(SVC.format(name="b"))
    (tmp_path / "a.yml").write_text(SVC.format(name="a"))
    (tmp_path / "notes.txt").write_text("not yaml")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("name: chart\n")
    (chart / "templates" / "svc.yaml").write_text("{{ .Values }}")
    kust = tmp_path / "overlay"
    kust.mkdir()
    (kust / "kustomization.yaml").write_text(
        "resources: [svc.yaml]\npatches:\n- path: patch.yaml\npatchesStrategicMerge:\n- sm.yaml\n"
    )
    for name in ("svc.yaml", "patch.yaml", "sm.yaml"):
        (kust / name).write_text(SVC.format(name=name[:-5]))
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "x.yaml").write_text(SVC.format(name="x"))
    got = collect((str(tmp_path), str(tmp_path / "missing.yaml")), exclude=("skip",))
    rel = [os.path.relpath(f, tmp_path) for f in got.files]
    assert rel == ["a.yml", "b.yaml", "overlay/svc.yaml"]
    assert len(got.notes) == 1 and "helm template" in got.notes[0]
    assert got.errors == [f"{tmp_path / 'missing.yaml'}: no such file or directory"]
