"""`svclint lsp`, driven by a real LSP client (pytest-lsp) over stdio, as an editor drives it.

The client declares VS Code's capabilities, and pytest-lsp checks every message the server sends
against them.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests" / "fixtures" / "yaml-test-suite"
TIMEOUT = 30.0

SERVICE = textwrap.dedent("""\
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
          targetPort: htpp
""")
DEPLOYMENT = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - name: http
                  containerPort: 8080
              readinessProbe:
                httpGet: {path: /, port: http}
""")


def uri(path: Path) -> str:
    found = from_fs_path(str(path))
    assert isinstance(found, str)
    return found


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "svc.yaml").write_text(SERVICE)
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    return tmp_path


def new_client() -> LanguageClient:
    """pytest-lsp's client, answering `client/registerCapability` as an editor does."""
    client = make_test_lsp_client()
    registered: list[lsp.Registration] = []
    client.registered = registered  # type: ignore[attr-defined]

    def register(ls: LanguageClient, params: lsp.RegistrationParams) -> None:
        registered.extend(params.registrations)

    feature: Callable[..., Callable[[Any], Any]] = client.feature
    feature(lsp.CLIENT_REGISTER_CAPABILITY)(register)
    return client


@asynccontextmanager
async def session(workspace: Path, **init: Any) -> AsyncIterator[LanguageClient]:
    """A server started on `workspace` (its folder, unless `init` says otherwise), shut down
    cleanly at the end."""
    client = new_client()
    await client.start_io(sys.executable, "-m", "svclint", "lsp")
    params = {"workspace_folders": [lsp.WorkspaceFolder(uri(workspace), "ws")], **init}
    await client.initialize_session(
        lsp.InitializeParams(capabilities=client_capabilities("visual-studio-code"), **params)
    )
    try:
        yield client
    finally:
        await client.shutdown_session()
        error = client.error
        stop: Callable[[], Awaitable[object]] = client.stop
        await stop()
        assert error is None


@pytest_asyncio.fixture(loop_scope="function")
async def client(workspace: Path) -> AsyncIterator[LanguageClient]:
    async with session(workspace) as client:
        yield client
        assert [r.method for r in client.registered] == [  # type: ignore[attr-defined]
            lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
        ]


async def settled(
    client: LanguageClient,
    doc: str,
    ok: Callable[[Sequence[lsp.Diagnostic]], bool],
) -> Sequence[lsp.Diagnostic]:
    """The diagnostics of `doc` once `ok` holds for them (the server publishes asynchronously)."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        found = client.diagnostics.get(doc)
        if found is not None and ok(found):
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"diagnostics of {doc} never settled; last: {found}")
        await asyncio.sleep(0.02)


def open_doc(client: LanguageClient, path: Path, text: str | None = None) -> str:
    doc = uri(path)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(doc, "yaml", 1, path.read_text() if text is None else text)
        )
    )
    return doc


def replace_all(client: LanguageClient, doc: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=doc),
            [lsp.TextDocumentContentChangeWholeDocument(text)],
        )
    )


def rules(diags: Sequence[lsp.Diagnostic]) -> list[str | int | None]:
    return [d.code for d in diags]


async def test_open_publishes_a_cross_file_finding_with_everything_a_user_reads(
    client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(client, workspace / "svc.yaml")
    diags = await settled(client, doc, lambda d: len(d) > 0)
    assert rules(diags) == ["service-targetport-not-found"]
    d = diags[0]
    assert d.range == lsp.Range(lsp.Position(10, 18), lsp.Position(10, 22))  # `htpp`, 0-based
    assert d.severity == lsp.DiagnosticSeverity.Error
    assert d.source == "svclint"
    assert d.message == (
        "targetPort `htpp` of port `http` (80): no container of Deployment web declares a TCP "
        "port named `htpp`\nhint: did you mean `http`?"
    )
    assert d.code_description is not None
    assert d.code_description.href.endswith("/docs/rules/service-targetport-not-found.md")
    assert d.related_information is not None
    (related,) = d.related_information
    assert related.message == "ports of container `web`"
    assert related.location.uri == uri(workspace / "deploy.yaml")
    assert related.location.range.start == lsp.Position(16, 10)


async def test_editing_the_deployment_refreshes_the_service_file(
    client: LanguageClient, workspace: Path
) -> None:
    svc = open_doc(client, workspace / "svc.yaml")
    await settled(client, svc, lambda d: rules(d) == ["service-targetport-not-found"])
    dep = open_doc(client, workspace / "deploy.yaml")
    await settled(client, dep, lambda d: not d)
    # Unsaved: the buffer, not the file on disk, is what is linted.
    replace_all(client, dep, 2, DEPLOYMENT.replace("name: http", "name: htpp"))
    await settled(client, svc, lambda d: not d)
    # The probe names `http`, which the edit removed: the Deployment's own file says so now.
    await settled(client, dep, lambda d: rules(d) == ["probe-port-not-found"])
    assert (workspace / "deploy.yaml").read_text() == DEPLOYMENT


async def test_closing_an_unsaved_buffer_goes_back_to_the_file_on_disk(
    client: LanguageClient, workspace: Path
) -> None:
    svc = open_doc(client, workspace / "svc.yaml")
    dep = open_doc(client, workspace / "deploy.yaml")
    await settled(client, svc, lambda d: len(d) == 1)
    replace_all(client, dep, 2, DEPLOYMENT.replace("name: http", "name: htpp"))
    await settled(client, svc, lambda d: not d)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(dep)))
    await settled(client, svc, lambda d: rules(d) == ["service-targetport-not-found"])


async def test_code_actions_fix_and_suppress(client: LanguageClient, workspace: Path) -> None:
    svc = open_doc(client, workspace / "svc.yaml")
    (diag,) = await settled(client, svc, lambda d: len(d) == 1)
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(svc), diag.range, lsp.CodeActionContext([diag])
        )
    )
    assert actions is not None
    by_title = {a.title: a for a in actions if isinstance(a, lsp.CodeAction)}
    assert set(by_title) == {
        "svclint: set targetPort to http (unsafe: changes where traffic goes)",
        "svclint: suppress service-targetport-not-found on this line",
    }
    fix = by_title["svclint: set targetPort to http (unsafe: changes where traffic goes)"]
    assert fix.kind == lsp.CodeActionKind.QuickFix and not fix.is_preferred
    assert fix.edit is not None and fix.edit.changes is not None
    assert list(fix.edit.changes[svc]) == [lsp.TextEdit(diag.range, "http")]
    ignore = by_title["svclint: suppress service-targetport-not-found on this line"]
    assert ignore.edit is not None and ignore.edit.changes is not None
    (edit,) = ignore.edit.changes[svc]
    assert edit == lsp.TextEdit(
        lsp.Range(lsp.Position(10, 22), lsp.Position(10, 22)),
        "  # svclint: ignore=service-targetport-not-found",
    )
    # The editor applies it; the finding goes away.
    lines = SERVICE.split("\n")
    lines[10] += edit.new_text
    replace_all(client, svc, 2, "\n".join(lines))
    await settled(client, svc, lambda d: not d)
    # And applying the fix instead also clears it.
    replace_all(client, svc, 3, SERVICE.replace("targetPort: htpp", "targetPort: http"))
    await settled(client, svc, lambda d: not d)


async def test_positions_are_in_the_clients_utf16_units(
    client: LanguageClient, workspace: Path
) -> None:
    # An astral character (two UTF-16 code units, one Python character) before the span.
    ports = '  ports: [{name: "\U0001f680", port: 81}, {name: http, port: 80, targetPort: htpp}]'
    text = SERVICE[: SERVICE.index("  ports:")] + ports + "\n"
    path = workspace / "svc.yaml"
    path.write_text(text)
    doc = open_doc(client, path)
    diags = await settled(client, doc, lambda d: "service-targetport-not-found" in rules(d))
    (target,) = [d for d in diags if d.code == "service-targetport-not-found"]
    assert target.range.start == lsp.Position(7, ports.index("htpp") + 1)
    assert target.range.end == lsp.Position(7, ports.index("htpp") + 5)


async def test_broken_documents_never_crash_the_server(
    client: LanguageClient, workspace: Path
) -> None:
    svc = open_doc(client, workspace / "svc.yaml")
    await settled(client, svc, lambda d: len(d) == 1)
    cases = sorted(SUITE.glob("*/in.yaml"))
    assert len(cases) > 300
    broken = "apiVersion: v1\nkind: Service\nmetadata: {name: [\n\x00\ud800"
    texts = [c.read_text(errors="replace") for c in cases[::3]]  # every third suite case
    texts += ["", "---\n" * 500, ": : :\n\t- [", "a: &a [*a]\n", broken]
    whole = lsp.Range(lsp.Position(0, 0), lsp.Position(10_000, 0))
    version = 1
    for text in texts:
        version += 1
        replace_all(client, svc, version, text)
        # A code-action request lints the pending edit first: every text is linted, and asked
        # for actions, before the next one is sent.
        await client.text_document_code_action_async(
            lsp.CodeActionParams(lsp.TextDocumentIdentifier(svc), whole, lsp.CodeActionContext([]))
        )
    version += 1
    replace_all(client, svc, version, "apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
    diags = await settled(client, svc, lambda d: rules(d) == ["yaml-syntax-error"])
    assert diags[0].range.start.line >= 2
    # Still answering, and still right.
    replace_all(client, svc, version + 1, SERVICE)
    await settled(client, svc, lambda d: rules(d) == ["service-targetport-not-found"])


async def test_config_and_excluded_files(workspace: Path) -> None:
    (workspace / ".svclint.yaml").write_text(
        "exclude: ['skipped/*']\nignore: [probe-port-not-found]\n"
    )
    (workspace / "skipped").mkdir()
    (workspace / "skipped" / "svc.yaml").write_text(SERVICE)
    async with session(workspace) as client:
        dep = open_doc(client, workspace / "deploy.yaml")
        skipped = open_doc(client, workspace / "skipped" / "svc.yaml")
        svc = open_doc(client, workspace / "svc.yaml")
        await settled(client, svc, lambda d: len(d) == 1)
        # An excluded file gets no diagnostics, and its objects are not context either:
        # the two `web` Services would otherwise be a duplicate-object error.
        await settled(client, dep, lambda d: not d)
        assert not client.diagnostics.get(skipped)
        replace_all(client, dep, 2, DEPLOYMENT.replace("port: http}", "port: nope}"))
        replace_all(client, svc, 2, SERVICE.replace("htpp", "http"))
        await settled(client, svc, lambda d: not d)  # both edits linted: the probe is ignored
        assert not client.diagnostics[dep]


async def test_a_bad_config_is_one_message_not_a_crash(workspace: Path) -> None:
    (workspace / ".svclint.yaml").write_text("ignore: [no-such-rule]\n")
    # An older client: `rootUri`, no workspace folders.
    async with session(workspace, workspace_folders=None, root_uri=uri(workspace)) as client:
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while not client.messages and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        (message,) = client.messages
        assert message.type == lsp.MessageType.Error
        assert "unknown rule `no-such-rule`" in message.message
        # Fixing the config file brings diagnostics back.
        (workspace / ".svclint.yaml").write_text("ignore: []\n")
        svc = open_doc(client, workspace / "svc.yaml")
        client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(
                lsp.TextDocumentIdentifier(uri(workspace / ".svclint.yaml"))
            )
        )
        await settled(client, svc, lambda d: rules(d) == ["service-targetport-not-found"])


def _blocks(lang: str) -> list[str]:
    text = (ROOT / "docs" / "editors.md").read_text()
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.DOTALL)


async def test_the_editor_settings_in_the_docs_parse_and_start_this_server() -> None:
    (vscode,) = [json.loads(b) for b in _blocks("json")]
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == [
        "svclint",
        "lsp",
    ]
    (helix,) = [tomllib.loads(b) for b in _blocks("toml")]
    server = helix["language-server"]["svclint"]
    assert [server["command"], *server["args"]] == ["svclint", "lsp"]
    assert "svclint" in helix["language"][0]["language-servers"]
    (lua,) = _blocks("lua")
    assert 'cmd = { "svclint", "lsp" }' in lua
    # `svclint lsp` is what the installed script runs: it answers `--help` without pygls work.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "svclint", "lsp", "--help", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0 and b"Language Server Protocol" in out


def test_without_pygls_the_command_says_what_to_install() -> None:
    # pygls made unimportable: `svclint lsp` is one clear error, exit 2, no traceback.
    code = (
        "import sys; sys.modules['pygls'] = None; sys.argv = ['svclint', 'lsp'];"
        "from svclint.entry import main; main()"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("svclint: error: the language server needs pygls")
    assert "pip install 'svclint[lsp]'" in proc.stderr and "Traceback" not in proc.stderr


async def test_new_files_count_and_chart_templates_are_left_alone(
    client: LanguageClient, workspace: Path
) -> None:
    svc = open_doc(client, workspace / "svc.yaml")
    await settled(client, svc, lambda d: len(d) == 1)
    # A file made after the server started: walked on open, and its objects are context.
    (workspace / "more.yaml").write_text(SERVICE.replace("name: web\n", "name: web2\n", 1))
    more = open_doc(client, workspace / "more.yaml")
    await settled(client, more, lambda d: rules(d) == ["service-targetport-not-found"])
    # A Helm chart's template is Go template text, not YAML: no diagnostics, however broken.
    chart = workspace / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    template = chart / "templates" / "svc.yaml"
    template.write_text("{{- if .Values.x }}\nkind: Service\n  bad: [\n{{- end }}\n")
    tpl = open_doc(client, template)
    replace_all(client, svc, 2, SERVICE.replace("htpp", "http"))
    await settled(client, svc, lambda d: not d)
    assert not client.diagnostics.get(tpl)


GITOPS = ROOT / "tests" / "fixtures" / "build" / "gitops"


async def test_kustomize_bases_are_judged_through_their_overlays(tmp_path: Path) -> None:
    """Raw, a base is unbuilt (no selector until an overlay adds labels): the editor shows what
    `svclint DIR` shows, the builds' findings in the files they came from, refreshed on save
    (kustomize reads the disk), and a suppression comment in the base silences them."""
    import shutil

    repo = tmp_path / "gitops"
    shutil.copytree(GITOPS, repo)
    shutil.rmtree(repo / "apps" / "shop" / "overlays" / "broken")
    base = repo / "apps" / "shop" / "base"
    async with session(repo) as client:
        dep = open_doc(client, base / "deployment.yaml")
        svc = open_doc(client, base / "service.yaml")
        (d,) = await settled(client, svc, lambda d: len(d) == 1)
        assert not client.diagnostics.get(dep)  # no workload-selector-mismatch: built, it has one
        assert d.code == "service-targetport-not-found"
        assert d.range == lsp.Range(lsp.Position(8, 6), lsp.Position(8, 16))  # `targetPort`
        assert d.related_information is not None
        assert [
            (r.message, r.location.uri, r.location.range.start.line) for r in d.related_information
        ] == [
            ("ports of container `web`", uri(base / "deployment.yaml"), 12),
            (
                (
                    "the same in kustomize build apps/shop/overlays/dev: targetPort `htpp` of "
                    "port `http` (80): no container of Deployment dev-web declares a TCP port "
                    "named `htpp`"
                ),
                svc,
                8,
            ),
            ("the same in kustomize build apps/shop/overlays/prod", svc, 8),
        ]
        # The suppression quick fix, saved: the builds run again and read the comment.
        actions = await client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(svc), d.range, lsp.CodeActionContext([d])
            )
        )
        assert actions is not None
        (ignore,) = [a for a in actions if isinstance(a, lsp.CodeAction) and "suppress" in a.title]
        assert ignore.edit is not None and ignore.edit.changes is not None
        (edit,) = ignore.edit.changes[svc]
        lines = (base / "service.yaml").read_text().split("\n")
        lines[8] += edit.new_text
        text = "\n".join(lines)
        replace_all(client, svc, 2, text)
        await asyncio.sleep(0.3)
        assert len(client.diagnostics.get(svc) or []) == 1  # unsaved: the build has not seen it
        (base / "service.yaml").write_text(text)
        client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(svc))
        )
        await settled(client, svc, lambda d: not d)
        # A new resource, listed in the base's kustomization and saved: built, and judged.
        (base / "admin.yaml").write_text(SERVICE.replace("name: web", "name: admin", 1))
        kfile = base / "kustomization.yaml"
        kfile.write_text(kfile.read_text() + "  - admin.yaml\n")
        admin = open_doc(client, base / "admin.yaml")
        client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri(kfile)))
        )
        await settled(client, admin, lambda d: rules(d) == ["service-targetport-not-found"])


async def test_a_chart_template_gets_the_findings_of_the_chart_render(tmp_path: Path) -> None:
    pytest.importorskip("helm_python")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    template = chart / "templates" / "web.yaml"
    template.write_text(
        DEPLOYMENT.replace("name: web\nspec:", "name: {{ .Release.Name }}\nspec:", 1)
        + "---\n"
        + SERVICE.replace("name: web\nspec:", "name: {{ .Release.Name }}\nspec:", 1)
    )
    async with session(tmp_path) as client:
        doc = open_doc(client, template)
        (d,) = await settled(client, doc, lambda d: len(d) == 1)
        assert d.code == "service-targetport-not-found"
        assert d.range.start == lsp.Position(22 + 10, 6)  # the Service's `targetPort:` line


async def test_builds_run_in_the_background(tmp_path: Path) -> None:
    """A slow kustomize (here: a second a build) never holds back the other files' diagnostics."""
    import shutil

    kubectl = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which(
        "kubectl"
    )
    if kubectl is None:
        pytest.skip("no kubectl (install '.[test]')")
    repo = tmp_path / "gitops"
    shutil.copytree(GITOPS, repo)
    shutil.rmtree(repo / "apps" / "shop" / "overlays" / "broken")
    slow = tmp_path / "slow-kustomize"
    slow.write_text(f'#!/bin/sh\nsleep 1\nexec "{kubectl}" kustomize "$@"\n')
    slow.chmod(0o755)
    (repo / ".svclint.yaml").write_text(f"kustomize-command: {slow}\n")
    (repo / "platform" / "svc.yaml").write_text(SERVICE)
    (repo / "platform" / "deploy.yaml").write_text(DEPLOYMENT)
    async with session(repo) as client:
        raw = open_doc(client, repo / "platform" / "svc.yaml")
        base = open_doc(client, repo / "apps" / "shop" / "base" / "service.yaml")
        await settled(client, raw, lambda d: rules(d) == ["service-targetport-not-found"])
        assert not client.diagnostics.get(base)  # its builds are still running
        await settled(client, base, lambda d: rules(d) == ["service-targetport-not-found"])
