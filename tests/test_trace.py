"""`svclint trace`: the trace data built for one Service, its text and JSON, and the command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from svclint.cli.explain import trace as trace_command
from svclint.config.file import FileConfig
from svclint.config.settings import Flags, build_settings
from svclint.explain.trace import LookupError_, build, find_service
from svclint.explain.trace_model import Trace, as_dict
from svclint.explain.trace_text import render
from svclint.lint.engine import run
from svclint.lint.findings import Report
from svclint.lint.registry import load_rules
from svclint.model.cluster import Cluster

FIXTURES = Path(__file__).parent / "fixtures" / "trace"
SHOP = FIXTURES / "shop.yaml"
FINDPORT = FIXTURES / "findport.yaml"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def load(path: Path | str, **config: Any) -> tuple[Report, Cluster]:
    settings, _ = build_settings(Flags(), FileConfig(None, dict(config)), load_rules())
    return run([str(path)], settings)


def traced(name: str, path: Path = SHOP, namespace: str | None = None, **config: Any) -> Trace:
    report, cluster = load(path, **config)
    return build(cluster, report, find_service(cluster, name, namespace))


def invoke(*args: str) -> Any:
    return CliRunner().invoke(trace_command, list(args), env={"NO_COLOR": "1"})


# -- finding the Service ----------------------------------------------------------------------


def test_service_forms() -> None:
    _, cluster = load(SHOP)
    for text, ns in (("web", None), ("shop/web", None), ("svc/web", "shop"), ("web", "shop"),
                     ("service/shop/web", None), ("services/web", "shop")):  # fmt: skip
        svc = find_service(cluster, text, ns)
        assert (svc.namespace, svc.name) == ("shop", "web"), text


def test_unknown_service_did_you_mean() -> None:
    _, cluster = load(SHOP)
    with pytest.raises(LookupError_, match=r"did you mean `shop/cart`"):
        find_service(cluster, "kart", None)
    with pytest.raises(LookupError_, match=r"it exists in namespace `shop`"):
        find_service(cluster, "web", "other")
    with pytest.raises(LookupError_, match=r"-n gives `other`"):
        find_service(cluster, "shop/web", "other")
    with pytest.raises(LookupError_, match="only Services"):
        find_service(cluster, "deploy/shop/web", None)


def test_ambiguous_name_asks_for_a_namespace(tmp_path: Path) -> None:
    text = (
        SHOP.read_text()
        + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: b}\n"
    )
    path = tmp_path / "two.yaml"
    path.write_text(text)
    _, cluster = load(path)
    with pytest.raises(LookupError_, match=r"namespaces `b`, `shop`"):
        find_service(cluster, "web", None)


def test_unplaced_service_suggests_namespace_flag(tmp_path: Path) -> None:
    path = tmp_path / "svc.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{port: 80}]}\n"
    )
    _, cluster = load(path)
    with pytest.raises(LookupError_, match=r"names no namespace.*`-n argocd`"):
        find_service(cluster, "argocd/api", None)


# -- sections ---------------------------------------------------------------------------------


def test_contract() -> None:
    t = traced("api")
    assert t.contract.type == "ClusterIP" and t.contract.cluster_ip == "allocated"
    http, metrics = t.contract.ports
    assert (http.name, http.port, http.target_port, http.target_defaulted) == (
        "http",
        80,
        "htp",
        False,
    )
    assert (metrics.port, metrics.target_port, metrics.target_defaulted) == (9100, 9100, True)
    lb = traced("other/lb").contract
    by_provider = {a.provider: a for a in lb.annotations}
    assert not by_provider["AWS"].applies and "not LoadBalancer" in (by_provider["AWS"].note or "")
    assert by_provider["ExternalDNS"].applies
    db = traced("db").contract
    assert db.headless and db.cluster_ip == "None"


def test_selection_matches_and_near_misses() -> None:
    sel = traced("web").selection
    assert sel.selector == {"app": "web", "tier": "frontend"}
    [match] = sel.matches
    assert (match.kind, match.name, match.replicas, match.line) == ("Deployment", "web", 3, 16)
    assert match.file.endswith("shop.yaml")
    [near] = sel.near_misses
    assert near.pod.name == "web-canary"
    assert (near.key, near.wanted, near.actual) == ("tier", "frontend", "frontnd")


def test_no_match_shows_the_typo_first() -> None:
    sel = traced("cart").selection
    assert sel.matches == [] and sel.rules == ["service-selector-no-match"]
    assert [nm.pod.name for nm in sel.near_misses] == ["cart"]
    assert sel.near_misses[0].difference == "`app` is `cart`, not `kart`"


def test_selectorless_and_external_name() -> None:
    sel = traced("other/legacy-db").selection
    assert sel.mode == "none" and "none of those are in the input" in sel.notes
    alias = traced("other/db-alias")
    assert alias.selection.mode == "external-name"
    [cname] = alias.dns.names
    assert (cname.type, cname.value) == ("CNAME", "dbx.shop.svc.cluster.local")
    assert any("shop/dbx, which is not in the input" in n for n in alias.dns.notes)


def test_endpoints_findport() -> None:
    ports = {pe.port.name: pe.endpoints for pe in traced("multi", FINDPORT).endpoints.ports}
    [http] = ports["http"]  # the first regular container, not the second or the sidecar
    assert (http.ok, http.container, http.container_port, http.sidecar) == (
        True,
        "main",
        8080,
        False,
    )
    assert http.readiness == "httpGet /ready on 8081" and http.readiness_on_port is False
    [dns] = ports["dns"]
    assert not dns.ok and "only as TCP" in dns.detail
    assert dns.rules == ["service-targetport-not-found"]
    [admin] = ports["admin"]
    assert not admin.ok and "init container" in admin.detail
    [side] = ports["side"]
    assert (side.ok, side.container, side.sidecar, side.container_port) == (
        True,
        "mesh",
        True,
        7001,
    )
    assert side.rules == ["readiness-probe-missing"]


def test_endpoints_numeric_and_readiness() -> None:
    ports = {pe.port.name: pe.endpoints for pe in traced("api").endpoints.ports}
    [metrics] = ports["metrics"]
    assert metrics.ok and not metrics.declared and metrics.container == "api"
    assert "used as is" in metrics.detail
    assert set(metrics.rules) == {"service-targetport-undeclared", "readiness-probe-missing"}
    [web] = traced("web").endpoints.ports[0].endpoints
    assert (web.container, web.container_port, web.port_name) == ("web", 8080, "http")
    assert web.readiness == "httpGet /healthz on `http` (8080)" and web.readiness_on_port


def test_dns() -> None:
    dns = traced("db").dns
    assert [n.name for n in dns.names] == ["db.shop.svc.cluster.local"]
    assert "no cluster IP" in dns.names[0].value
    assert [n.name for n in dns.srv] == ["_postgres._tcp.db.shop.svc.cluster.local"]
    assert [n.name for n in dns.per_pod] == [f"db-{i}.db.shop.svc.cluster.local" for i in range(3)]
    assert [n.name for n in dns.short_forms] == ["db", "db.shop", "db.shop.svc"]
    cart = traced("cart").dns
    assert cart.srv == [] and "1 unnamed port: no SRV record" in cart.notes


def test_dns_ordinals_hpa_and_cluster_domain() -> None:
    dns = traced("peers", FINDPORT, **{"cluster-domain": "corp.internal"}).dns
    assert dns.names[0].name == "peers.default.svc.corp.internal"
    assert dns.per_pod[0].name == "kafka-3.peers.default.svc.corp.internal"  # ordinals.start
    assert len(dns.per_pod) == 5 and dns.more_per_pod == 3  # HPA maxReplicas 8
    assert "every endpoint" in dns.names[0].value  # publishNotReadyAddresses


def test_dns_statefulset_notes() -> None:
    assert any("not headless" in n for n in traced("zk", FINDPORT).dns.notes)
    etcd = traced("etcd", FINDPORT)
    assert etcd.dns.per_pod == []
    assert any("does not select its pods" in n for n in etcd.dns.notes)
    [sts] = etcd.touches.statefulsets
    assert sts.rules == ["statefulset-service-selector-mismatch"]


def test_touches() -> None:
    t = traced("api").touches
    [route] = t.ingresses
    assert (route.port, route.service_port, route.rules) == (
        8080,
        None,
        ["ingress-backend-not-found"],
    )
    assert route.where == "path /api of host shop.example.com"
    assert [p.policy.name for p in t.network_policies] == ["default-deny", "api-allow"]
    [metrics] = t.reachability  # `http` resolves to nothing, so only `metrics` is judged
    assert not metrics.allowed and metrics.rules == ["networkpolicy-blocks-service"]
    assert [a.object.name for a in t.aliases] == ["api-alias"]
    assert [h.object.kind for h in t.autoscalers] == ["HorizontalPodAutoscaler"]
    assert "minAvailable 1" in t.disruption_budgets[0].detail
    web = traced("web").touches
    assert web.ingresses[0].service_port == "http (80)"
    [blocked] = web.reachability
    assert blocked.pod_port == "http (8080/TCP)" and not blocked.allowed


def test_findings_are_those_of_the_service_and_its_pod_sources() -> None:
    t = traced("api")
    assert sorted(f.rule for f in t.findings) == [
        "networkpolicy-blocks-service",
        "readiness-probe-missing",
        "service-targetport-not-found",
        "service-targetport-undeclared",
    ]
    assert {f.object for f in t.findings} == {"Service shop/api", "Deployment shop/api"}


# -- output -----------------------------------------------------------------------------------


def test_text_sections_in_order() -> None:
    text = render(traced("api"))
    heads = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.", "4.", "5.", "6.")]
    assert heads == ["1. Contract", "2. Selection", "3. Endpoints", "4. DNS",
                     "5. What else touches it", "6. Findings (4)"]  # fmt: skip
    assert "✗  Deployment api  no container declares a TCP port named `htp`" in text
    assert "\x1b[" not in text
    assert "\x1b[31m" in render(traced("api"), color=True)


def test_json_shape() -> None:
    doc = as_dict(traced("web"))
    assert doc["version"] == 1
    assert list(doc) == ["version", "service", "duplicates", "cluster_domain", "contract",
                         "selection", "endpoints", "dns", "touches", "findings", "suppressed",
                         "ownership"]  # fmt: skip
    assert doc["service"] == {"kind": "Service", "namespace": "shop", "name": "web",
                              "file": str(SHOP), "line": 2, "source": None}  # fmt: skip
    endpoint = doc["endpoints"]["ports"][0]["endpoints"][0]
    assert endpoint["container"] == "web" and endpoint["container_port"] == 8080
    json.dumps(doc)


def test_command_text_json_and_errors() -> None:
    result = invoke("web", str(SHOP))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Service shop/web")
    result = invoke("api", str(SHOP), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["service"]["name"] == "api"
    result = invoke("kart", str(SHOP))
    assert result.exit_code == 2
    assert "did you mean `shop/cart`?" in result.stderr
    result = invoke("web", str(FIXTURES / "nope.yaml"))
    assert result.exit_code == 2
    assert invoke("svc/web", "-n", "shop", str(SHOP), "--color", "always").stdout.count("\x1b[") > 5


def test_command_reads_stdin() -> None:
    result = CliRunner().invoke(trace_command, ["shop/db", "-"], input=SHOP.read_text())
    assert result.exit_code == 0 and "db-2.db.shop.svc.cluster.local" in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_bundles() -> None:
    argo = str(CORPUS / "argo-cd" / "manifests" / "install.yaml")
    result = invoke("argocd-server", "-n", "argocd", argo)
    assert result.exit_code == 0, result.output
    assert "argocd-server.argocd.svc.cluster.local" in result.stdout
    assert "allowed by NetworkPolicy argocd-server-network-policy" in result.stdout
    otel = str(CORPUS / "opentelemetry-demo")
    result = invoke("frontend", otel, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [m["name"] for m in doc["selection"]["matches"]] == ["frontend"]
    assert doc["findings"][0]["rule"] == "readiness-probe-missing"


def test_docs_example_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/trace.md shows real output; regenerate it with
    `svclint trace shop/api tests/fixtures/trace/shop.yaml` when this fails (sections 1-5 are
    compared; the findings' wording belongs to the rules)."""
    root = Path(__file__).resolve().parent.parent
    doc = (root / "docs" / "trace.md").read_text(encoding="utf-8")
    shown = doc.split("<!-- trace-example:start -->\n```\n")[1].split("```\n<!-- trace")[0]
    monkeypatch.chdir(root)
    now = render(traced("shop/api", Path("tests/fixtures/trace/shop.yaml")))

    def upto_findings(text: str) -> str:
        return text.split("\n6. Findings")[0]

    assert upto_findings(shown) == upto_findings(now)


# -- callers and ownership ------------------------------------------------------------------

CALLERS = FIXTURES / "callers.yaml"


def test_callers_each_with_the_verdict_of_the_run() -> None:
    t = traced("shop/api", CALLERS)
    rows = [
        (c.kind, c.object.name, c.where, c.value, c.service_port, c.via, c.ok, c.rules)
        for c in t.touches.callers
    ]
    assert rows == [
        ("route", "api", "backendRefs[0] of rule 1", "80", "http (80)", "Gateway shop/edge (web)",
         True, []),
        ("route", "api", "backendRefs[0] of rule 2", "8080", None, "Gateway shop/edge (web)",
         False, ["route-backend-not-found"]),
        ("webhook", "api-policy", "webhook `validate.api.example.com`", "443", None, None,
         False, ["webhook-service-not-found"]),
        ("dns", "client", "env `API_URL` of container `client`", "api.shop.svc.cluster.local:80",
         "http (80)", None, True, []),
        ("dns", "client", "env `ADMIN_URL` of container `client`", "api.shop.svc:9090", None,
         None, False, ["dns-reference-not-found"]),
        ("dns", "proxy", "key `upstream.conf`", "api:80", "http (80)", None, True, []),
        ("monitor", "api", "selector", None, None, "port `http`", True, []),
    ]  # fmt: skip
    text = render(t)
    assert "✗  route HTTPRoute api" in text and "port 8080: not a port of it" in text
    assert "[dns-reference-not-found]" in text


def test_callers_follow_select_and_ignore() -> None:
    """Verdicts come from the run's findings: a rule left out marks nothing broken."""
    t = traced("shop/api", CALLERS, ignore=["webhook-service-not-found"])
    webhook = [c for c in t.touches.callers if c.kind == "webhook"]
    assert [(c.ok, c.rules) for c in webhook] == [(True, [])]


def test_ownership() -> None:
    t = traced("shop/api", CALLERS)
    assert [(o.tool, o.detail, o.mark) for o in t.ownership] == [
        ("Helm", "applied by Helm", "app.kubernetes.io/managed-by"),
        ("Helm", "Helm release `shop` in namespace `shop`", "meta.helm.sh/release-name"),
        ("Helm", "chart `api-1.2.0`", "helm.sh/chart"),
    ]
    assert "managed by: Helm release `shop` in namespace `shop`" in render(t)
    assert as_dict(t)["ownership"][1]["detail"] == "Helm release `shop` in namespace `shop`"
