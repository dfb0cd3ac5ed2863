"""Property tests: whatever YAML-shaped input, the whole engine ends cleanly and deterministically.

Three generators feed the real engine (every rule on, in-process, files in a temp folder):

- arbitrary trees built from the field names and values the rules read, rendered as block YAML,
  as JSON, or as flow YAML decorated with anchors, aliases, merge keys and tags;
- real manifests (the shipped example, the rule fixtures, a few inline ones) with random
  mutations: keys deleted, values swapped for another type, labels and names renamed;
- raw text over YAML's syntax characters, for the loader.

Each run must end without an exception and without a rule crash (`report.crashes` is a bug in a
rule, not an accepted outcome), render valid JSON, and give the same bytes whatever the order of
the files on the command line.
"""

from __future__ import annotations

import json
import math
import random
import re
import tempfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from svclint.config.file import FileConfig
from svclint.config.settings import Flags, build_settings
from svclint.lint.engine import run
from svclint.lint.findings import Report
from svclint.lint.registry import load_rules
from svclint.load.documents import load_documents
from svclint.model.nodes import Map, to_plain
from svclint.report import json_report
from svclint.report import text as text_report

ROOT = Path(__file__).resolve().parent.parent
RULES = load_rules()
PROPERTY = settings(
    max_examples=150,  # ~10 ms per run of the engine: about 5 s a test
    deadline=None,
    database=None,  # nothing written into the checkout; a failure prints its example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# The field names and values the rules and the graph read, so random trees reach real code paths.
KEYS = [
    "apiVersion", "kind", "metadata", "name", "generateName", "namespace", "labels",
    "annotations", "spec", "selector", "matchLabels", "matchExpressions", "key", "operator",
    "values", "ports", "port", "targetPort", "nodePort", "containerPort", "protocol", "type",
    "clusterIP", "clusterIPs", "externalName", "externalIPs", "externalTrafficPolicy",
    "template", "containers", "initContainers", "restartPolicy", "readinessProbe",
    "livenessProbe", "startupProbe", "httpGet", "tcpSocket", "grpc", "replicas", "serviceName",
    "ordinals", "start", "jobTemplate", "items", "subsets", "addresses", "endpoints",
    "addressType", "rules", "http", "paths", "path", "backend", "service", "number",
    "defaultBackend", "ingress", "from", "podSelector", "policyTypes", "scaleTargetRef",
    "publishNotReadyAddresses", "app", "svclint.io/ignore", "config.kubernetes.io/origin",
    "kubernetes.io/service-name", "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index", "<<",
]  # fmt: skip
KINDS = [
    ("v1", "Service"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"), ("apps/v1", "ReplicaSet"), ("v1", "ReplicationController"),
    ("v1", "Pod"), ("batch/v1", "Job"), ("batch/v1", "CronJob"), ("v1", "Endpoints"),
    ("discovery.k8s.io/v1", "EndpointSlice"), ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("v1", "List"), ("v1", "ConfigMap"), ("extensions/v1beta1", "Ingress"),
    ("argoproj.io/v1alpha1", "Rollout"), ("example.com/v1", "Widget"),
]  # fmt: skip
WORDS = [
    "", "web", "app", "http", "grpc", "80", "8080", "0x50", "1e3", "-1", "65536", "yes", "on",
    "None", "null", "~", "ClusterIP", "NodePort", "LoadBalancer", "ExternalName", "Cluster",
    "Local", "TCP", "UDP", "SCTP", "In", "NotIn", "Exists", "DoesNotExist", "Always", "all",
    "default", "kube-system", "db.example.com", "10.0.0.1", "web-0", "web.default.svc",
    "path: ../base/svc.yaml", "a: b", "- x", "#", "&a", "*a", "!!python/object", "\u00e9t\u00e9",
    "service-selector-no-match", "v1", "apps/v1", "Service", "Deployment",
]  # fmt: skip
TAGS = [
    "!!str", "!!int", "!!float", "!!bool", "!!null", "!!binary", "!!timestamp", "!!map",
    "!!seq", "!!set", "!!omap", "!foo", "!<tag:example.com,2000:app/x>",
    "!!python/object/apply:os.system", "!!python/name:os.system", "!!python/module:os",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 80, 443, 8080, 30080, 65535, 65536, -1]),
    st.floats(),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=10))
trees = st.recursive(
    scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(keys, kids, max_size=5),
    ),
    max_leaves=40,
)


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    """A mapping that is usually a Kubernetes object of a kind some rule reads."""
    obj: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        api_version, kind = draw(st.sampled_from(KINDS))
        obj["apiVersion"], obj["kind"] = api_version, kind
    if draw(st.integers(0, 4)):
        obj["metadata"] = draw(
            st.one_of(
                st.fixed_dictionaries(
                    {"name": st.sampled_from(["web", "db", "web-0", ""]) | scalars},
                    optional={
                        "namespace": st.sampled_from(["default", "shop"]) | scalars,
                        "labels": st.dictionaries(keys, scalars, max_size=3) | trees,
                        "annotations": st.dictionaries(keys, scalars, max_size=2) | trees,
                    },
                ),
                trees,
            )
        )
    obj.update(draw(st.dictionaries(st.sampled_from(KEYS), trees, max_size=4)))
    return obj


# -- rendering --------------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_BLOCK = YAML(typ="safe", pure=True)
_BLOCK.default_flow_style = False


def _scalar_text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return text if _PLAIN.fullmatch(text) else json.dumps(text)


def block_yaml(value: object) -> str:
    out = StringIO()
    _BLOCK.dump(value, out)
    return out.getvalue()


def decorated_flow_yaml(value: object, draw: st.DrawFn) -> str:
    """Flow YAML with anchors, aliases (also as merge keys) and tags sprinkled in."""
    anchors: list[str] = []

    def node(v: object) -> str:
        roll = draw(st.integers(0, 15))
        if roll == 0 and anchors:
            return "*" + draw(st.sampled_from(anchors))
        prefix = f"{draw(st.sampled_from(TAGS))} " if roll == 1 else ""
        if isinstance(v, dict):
            items = [f"{_scalar_text(k)}: {node(x)}" for k, x in v.items() if k != "<<"]
            if anchors and draw(st.integers(0, 5)) == 0:
                items.insert(0, f"<<: *{draw(st.sampled_from(anchors))}")
            body = "{" + ", ".join(items) + "}"
        elif isinstance(v, list):
            body = "[" + ", ".join(node(x) for x in v) + "]"
        else:
            body = _scalar_text(v)
        if roll == 2:
            name = f"a{len(anchors)}"
            prefix += f"&{name} "
            anchors.append(name)  # usable once this node is complete: no cycles
        return prefix + body

    if isinstance(value, dict):  # the top level in block style, the rest in flow style
        lines = [f"{_scalar_text(k)}: {node(v)}" for k, v in value.items() if k != "<<"]
        return "\n".join(lines) + "\n"
    return node(value) + "\n"


@st.composite
def rendered(draw: st.DrawFn, value: object) -> str:
    style = draw(st.sampled_from(["block", "json", "decorated"]))
    if style == "json":
        return json.dumps(value, default=str) + "\n"
    if style == "block":
        return block_yaml(value)
    return decorated_flow_yaml(value, draw)


@st.composite
def streams(draw: st.DrawFn, docs: st.SearchStrategy[Any]) -> str:
    """A file: several rendered documents, maybe with a broken one among them."""
    parts = [draw(rendered(d)) for d in draw(st.lists(docs, min_size=1, max_size=4))]
    if draw(st.integers(0, 5)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), "kind: [unclosed\n")
    return "---\n".join(parts)


# -- mutations of real manifests ---------------------------------------------------------------

INLINE_SEEDS = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  type: NodePort
  selector: {app: web, tier: front}
  ports:
  - {name: http, port: 80, targetPort: http, nodePort: 30080}
  - {name: grpc, port: 9090, targetPort: 9090, protocol: TCP}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: shop}
spec:
  serviceName: web
  replicas: 2
  ordinals: {start: 1}
  selector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [front]}]}
  template:
    metadata: {labels: {app: web, tier: front}, annotations: {svclint.io/ignore: none}}
    spec:
      initContainers:
      - {name: proxy, restartPolicy: Always, ports: [{name: admin, containerPort: 9901}]}
      containers:
      - name: web
        ports: [{name: http, containerPort: 8080}, {containerPort: 9090, protocol: TCP}]
        readinessProbe: {httpGet: {path: /, port: http}}
        livenessProbe: {tcpSocket: {port: 9090}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {type: ExternalName, externalName: db.example.com, ports: [{port: 5432}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {name: http}}}
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.0.0.1]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: []}]}
---
apiVersion: v1
kind: List
items:
- {apiVersion: batch/v1, kind: CronJob, metadata: {name: nightly},
   spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: job}},
          spec: {containers: [{name: job, ports: [{containerPort: 80}]}]}}}}}}
"""


def _seed_files() -> list[Path]:
    found = sorted((ROOT / "examples").rglob("*.yaml"))
    found += sorted((ROOT / "tests" / "fixtures" / "rules").rglob("*.yaml"))
    return found


def _seed_objects() -> list[object]:
    texts = [INLINE_SEEDS] + [p.read_text(encoding="utf-8") for p in _seed_files()]
    seeds: list[object] = []
    for text in texts:
        for doc in load_documents(text):
            if isinstance(doc.root, Map) and "kind" in doc.root:
                seeds.append(to_plain(doc.root))
    return seeds


SEEDS = _seed_objects()
LABEL_KEYS = frozenset({"labels", "matchLabels", "selector", "nodeSelector", "podSelector"})


def _slots(tree: object, inside_labels: bool = False) -> list[tuple[Any, Any, bool]]:
    """(container, key or index, is a label map entry) for every value in the tree."""
    out: list[tuple[Any, Any, bool]] = []
    stack: list[tuple[Any, bool]] = [(tree, inside_labels)]
    while stack:
        cur, labels = stack.pop()
        if isinstance(cur, dict):
            for k, v in cur.items():
                out.append((cur, k, labels))
                stack.append((v, k in LABEL_KEYS))
        elif isinstance(cur, list):
            for i, v in enumerate(cur):
                out.append((cur, i, False))
                stack.append((v, False))
    return out


def _swap_type(value: object) -> object:
    """A value of another type, as a typo or a template gone wrong would make it."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return {"items": value}
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return int(value) if value.isdigit() else [value]
    return {}


@st.composite
def mutated(draw: st.DrawFn) -> object:
    tree = json.loads(json.dumps(draw(st.sampled_from(SEEDS)), default=str))  # a deep copy
    for _ in range(draw(st.integers(1, 6))):
        slots = _slots(tree)
        if not slots:
            break
        container, key, is_label = draw(st.sampled_from(slots))
        op = draw(st.sampled_from(["delete", "swap", "replace", "rename", "null"]))
        if op == "delete":
            del container[key]
        elif op == "swap":
            container[key] = _swap_type(container[key])
        elif op == "replace":
            container[key] = draw(trees)
        elif op == "null":
            container[key] = None
        elif isinstance(container, dict):  # rename: a key, or a label's value
            new = draw(st.sampled_from(["app", "App", "tier", "name", ""]) | st.text(max_size=6))
            if is_label and draw(st.booleans()):
                container[key] = new
            elif new not in container:
                container[new] = container.pop(key)
    return tree


# -- the run -----------------------------------------------------------------------------------


def _settings() -> Any:
    settings_, _ = build_settings(Flags(select=("all",)), FileConfig(None, {}), RULES)
    return settings_


def lint(
    files: dict[str, str], order: Callable[[list[str]], list[str]] = sorted
) -> tuple[Report, str]:
    """(report, its JSON with the temp folder masked)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, text in files.items():
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        report, _ = run(order(paths), _settings())
        # Render while the files exist: reporters may read lines from them.
        report_json = json_report.render(report).replace(tmp, "<tmp>")
        text_report.render(report, color=False)
    assert not report.crashes, [(c.rule, c.where, c.error) for c in report.crashes]
    assert not report.input_errors, report.input_errors
    json.loads(report_json)
    return report, report_json


def _check_positions(report: Report, files: dict[str, str]) -> None:
    """Every finding points inside its file (a line past the end is one line after it)."""
    by_name = {Path(name).name: text for name, text in files.items()}
    for f in report.findings + report.suppressed:
        text = by_name.get(Path(f.file.path).name)
        if text is None:
            continue
        line, col, end_line, _ = f.pos
        assert 1 <= line <= text.count("\n") + 2, (f.rule, f.pos)
        assert col >= 1 and end_line >= line, (f.rule, f.pos)


FILE_NAMES = st.sampled_from(["a.yaml", "b.yaml", "c.yml"])


@PROPERTY
@given(st.dictionaries(FILE_NAMES, streams(objects()), min_size=1))
def test_arbitrary_trees_never_crash(files: dict[str, str]) -> None:
    report, _ = lint(files)
    _check_positions(report, files)


@PROPERTY
@given(st.lists(mutated(), min_size=1, max_size=8), st.data())
def test_mutated_manifests_never_crash(docs: list[object], data: st.DataObject) -> None:
    files = {f"m{i}.yaml": data.draw(rendered(doc)) for i, doc in enumerate(docs)}
    report, _ = lint(files)
    _check_positions(report, files)


@PROPERTY
@given(st.dictionaries(FILE_NAMES, streams(objects()), min_size=2), st.randoms())
def test_trees_give_the_same_bytes_whatever_the_file_order(
    files: dict[str, str], rnd: random.Random
) -> None:
    _, forward = lint(files)
    _, shuffled = lint(files, order=lambda paths: rnd.sample(paths, len(paths)))
    assert forward == shuffled


@PROPERTY
@example(  # two copies of one object: which is "first" must not follow the command line
    ["apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"] * 2
)
@given(st.lists(mutated(), min_size=2, max_size=8).flatmap(
    lambda docs: st.tuples(*(rendered(d) for d in docs)).map(list)))  # fmt: skip
def test_manifests_give_the_same_bytes_whatever_the_file_order(texts: list[str]) -> None:
    files = {f"m{i}.yaml": text for i, text in enumerate(texts)}  # reversing files reverses objects
    _, forward = lint(files)
    _, backward = lint(files, order=lambda paths: sorted(paths, reverse=True))
    assert forward == backward


@PROPERTY
@given(st.lists(mutated(), min_size=1, max_size=5), st.data())
def test_same_input_same_bytes(docs: list[object], data: st.DataObject) -> None:
    text = "---\n".join(data.draw(rendered(d)) for d in docs)
    assert lint({"x.yaml": text})[1] == lint({"x.yaml": text})[1]


YAML_CHARS = " \n\t-:?,[]{}#&*!|>'\"%@`.~0123456789abkv=<"


@settings(max_examples=1000, deadline=None, database=None)
@given(st.text(alphabet=YAML_CHARS, max_size=200))
def test_loader_turns_any_text_into_documents_or_positioned_problems(text: str) -> None:
    lines = text.count("\n") + 1
    for doc in load_documents(text):
        for p in doc.problems:
            assert p.rule in ("yaml-syntax-error", "yaml-duplicate-key"), p
            assert 1 <= p.line <= lines + 1 and p.col >= 1, (p, text)


@PROPERTY
@given(st.text(alphabet=YAML_CHARS, max_size=200).map(
    lambda t: "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n" + t))  # fmt: skip
def test_raw_text_after_an_object_header_never_crashes(text: str) -> None:
    lint({"raw.yaml": text})
