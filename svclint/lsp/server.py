"""`svclint lsp`: svclint's findings in the editor, over the Language Server Protocol (stdio).

On open, change and save of a YAML document, the workspace (lsp/workspace.py) is linted again
and each open document gets its diagnostics: a Service in one file is judged against the
Deployment in another, so editing one document may refresh another's. Edits within a short
pause are linted once. Code actions: a finding's fix (from the rule, as `--fix` would apply it;
an unsafe one says so) and a `# svclint: ignore=` comment on its line.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..config.file import ConfigError, FileConfig, find_config, load_config
from ..config.settings import Flags, build_settings
from ..docs import doc_url
from ..lint.findings import Finding
from ..lint.registry import RuleSpec, load_rules
from .workspace import Lint, Workspace

DEBOUNCE_S = 0.05  # edits closer together than this are linted once
SOURCE = "svclint"
_SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
}
_IGNORE = re.compile(r"#\s*svclint:\s*ignore=([A-Za-z0-9_,/-]+(?:\s*,\s*[A-Za-z0-9_/-]+)*)")


class SvclintServer(LanguageServer):
    """The language server and what it knows between messages."""

    def __init__(self, flags: Flags, config_path: str | None) -> None:
        super().__init__(
            "svclint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.flags = flags
        self.config_path = config_path
        self.rules: dict[str, RuleSpec] = {}
        self.ws: Workspace | None = None
        self.last: Lint = Lint()
        self.published: dict[str, list[lsp.Diagnostic]] = {}
        self._pending: asyncio.TimerHandle | None = None
        self._building: asyncio.Task[None] | None = None

    # -- setup -------------------------------------------------------------------------------

    def roots(self) -> tuple[str, ...]:
        folders = self.workspace.folders
        if folders:
            return tuple(to_fs_path(f.uri) or "" for f in folders.values() if to_fs_path(f.uri))
        root = self.workspace.root_path
        return (root,) if root else ()

    def setup(self) -> None:
        """(Re)read the configuration and walk the folders; a bad config is one message."""
        roots = self.roots()
        self.rules = load_rules()
        try:
            path = self.config_path or (find_config(roots[0]) if roots else None)
            cfg = load_config(path) if path else FileConfig()
            settings, _ = build_settings(self.flags, cfg, self.rules)
        except ConfigError as exc:
            self.ws = None
            self.window_show_message(
                lsp.ShowMessageParams(lsp.MessageType.Error, f"svclint: {exc} (no diagnostics)")
            )
            return
        if roots and os.path.isdir(roots[0]):
            # Rendered objects name their source files relative to the folder, and svclint
            # reads only files under the working directory (as a CLI run in the repository).
            os.chdir(roots[0])
        self.ws = Workspace(settings, roots)
        self.ws.load()
        for note in self.ws.notes:
            self.log(f"note: {note}")
        for uri in list(self.workspace.text_documents):
            self.sync(uri)

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        self.window_log_message(lsp.LogMessageParams(kind, f"svclint: {message}"))

    # -- documents ---------------------------------------------------------------------------

    def sync(self, uri: str) -> None:
        """The open document's text, into the workspace."""
        path = to_fs_path(uri)
        if self.ws is None or path is None:
            return
        doc = self.workspace.get_text_document(uri)
        self.ws.change(os.path.abspath(path), doc.source)

    def lint_soon(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pending = asyncio.get_running_loop().call_later(DEBOUNCE_S, self.lint_now)

    def lint_now(self) -> None:
        self._pending = None
        if self.ws is None:
            return
        try:
            self.last = self.ws.lint()
        except Exception as exc:  # noqa: BLE001 - the server outlives any input
            self.log(f"lint failed: {type(exc).__name__}: {exc}", lsp.MessageType.Error)
            return
        for message in self.last.crashes + self.last.errors:
            self.log(message, lsp.MessageType.Warning)
        self.publish()
        if self._building is None and self.ws.builds.stale():
            self._building = asyncio.get_running_loop().create_task(self.build())

    async def build(self) -> None:
        """Run the stale builds in a worker thread, linting again after each round (a file
        saved meanwhile makes another round)."""
        loop = asyncio.get_running_loop()
        try:
            while self.ws is not None and self.ws.builds.stale():
                builds = self.ws.builds
                await loop.run_in_executor(None, builds.build, builds.take_stale())
                self.lint_now()
        except Exception as exc:  # noqa: BLE001 - the server outlives any input
            self.log(f"build failed: {type(exc).__name__}: {exc}", lsp.MessageType.Error)
        finally:
            self._building = None

    def publish(self) -> None:
        """Diagnostics for every open document, sent when they changed."""
        open_docs = dict(self.workspace.text_documents)
        for uri in list(self.published):
            if uri not in open_docs:
                del self.published[uri]
        for uri, doc in open_docs.items():
            path = to_fs_path(uri)
            findings = self.last.findings.get(os.path.abspath(path), []) if path else []
            diagnostics = [self.diagnostic(f) for f in findings]
            if self.published.get(uri) == diagnostics:
                continue
            self.published[uri] = diagnostics
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri, diagnostics, version=doc.version)
            )

    # -- conversions -------------------------------------------------------------------------

    def range(self, path: str, start: tuple[int, int], end: tuple[int, int]) -> lsp.Range:
        """svclint's 1-based (line, column in characters) to the client's positions."""
        text = self.ws.text(path) if self.ws else None
        lines = text.split("\n") if text is not None else []
        server_range = lsp.Range(
            lsp.Position(max(start[0] - 1, 0), max(start[1] - 1, 0)),
            lsp.Position(max(end[0] - 1, 0), max(end[1] - 1, 0)),
        )
        return self.workspace.position_codec.range_to_client_units(lines, server_range)

    def diagnostic(self, f: Finding) -> lsp.Diagnostic:
        spec = self.rules.get(f.rule)
        url = doc_url(spec) if spec else None
        message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
        related = [
            lsp.DiagnosticRelatedInformation(
                lsp.Location(
                    from_fs_path(os.path.abspath(loc.file)) or loc.file,
                    self.range(
                        os.path.abspath(loc.file),
                        (loc.line, loc.column),
                        (loc.end_line, loc.end_column),
                    ),
                ),
                note,
            )
            for note, loc in f.related
        ]
        return lsp.Diagnostic(
            range=self.range(f.file.path, f.pos[:2], f.pos[2:]),
            message=message,
            severity=_SEVERITY.get(f.level, lsp.DiagnosticSeverity.Information),
            code=f.rule,
            code_description=lsp.CodeDescription(url) if url else None,
            source=SOURCE,
            related_information=related or None,
        )

    def actions(self, uri: str, wanted: lsp.Range) -> list[lsp.CodeAction]:
        """Quick fixes for the findings whose range meets `wanted`."""
        path = to_fs_path(uri)
        if path is None or self.ws is None:
            return []
        path = os.path.abspath(path)
        out: list[lsp.CodeAction] = []
        for f in self.last.findings.get(path, []):
            diag = self.diagnostic(f)
            if not _overlaps(diag.range, wanted):
                continue
            if f.fix is not None and f.fixable(unsafe=True):
                edits = [
                    lsp.TextEdit(self.range(path, e.start, e.end), e.text) for e in f.fix.edits
                ]
                unsafe = f.fix.safety == "unsafe"
                out.append(
                    lsp.CodeAction(
                        f"svclint: {f.fix.title}"
                        + (" (unsafe: changes where traffic goes)" if unsafe else ""),
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        is_preferred=not unsafe,
                        edit=lsp.WorkspaceEdit(changes={uri: edits}),
                    )
                )
            edit = self.suppression(path, f)
            if edit is not None:
                out.append(
                    lsp.CodeAction(
                        f"svclint: suppress {f.rule} on this line",
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
                    )
                )
        return out

    def suppression(self, path: str, f: Finding) -> lsp.TextEdit | None:
        """`# svclint: ignore=RULE` at the end of the finding's line (added to one there)."""
        text = self.ws.text(path) if self.ws else None
        if text is None:
            return None
        lines = text.split("\n")
        line_no = f.pos[0]
        if not 1 <= line_no <= len(lines) or not lines[line_no - 1].strip():
            return None
        line = lines[line_no - 1]
        m = _IGNORE.search(line)
        if m:
            at, insert = m.end(1), f",{f.rule}"
        else:
            at = len(line.rstrip())
            insert = f"  # svclint: ignore={f.rule}"
        where = (line_no, at + 1)
        end = (line_no, len(line) + 1) if not m else where
        return lsp.TextEdit(self.range(path, where, end), insert)


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def make_server(flags: Flags, config_path: str | None) -> SvclintServer:
    """The server, its handlers registered."""
    server = SvclintServer(flags, config_path)
    feature: Callable[..., Callable[[Any], Any]] = server.feature

    @feature(lsp.INITIALIZED)
    def initialized(ls: SvclintServer, params: lsp.InitializedParams) -> None:
        ls.setup()
        watch = ls.client_capabilities.workspace
        dynamic = watch and watch.did_change_watched_files
        if dynamic and dynamic.dynamic_registration:
            options = lsp.DidChangeWatchedFilesRegistrationOptions(
                [lsp.FileSystemWatcher("**/*.{yaml,yml}")]
            )
            ls.client_register_capability(
                lsp.RegistrationParams(
                    [
                        lsp.Registration(
                            "svclint-watch", lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, options
                        )
                    ]
                )
            )
        ls.lint_now()

    @feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: SvclintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.sync(params.text_document.uri)
        ls.lint_soon()

    @feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: SvclintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.sync(params.text_document.uri)
        ls.lint_soon()

    @feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: SvclintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path and os.path.basename(path) in (".svclint.yaml", ".svclint.yml"):
            ls.setup()  # the configuration changed: rules, levels, excludes
        else:
            ls.sync(params.text_document.uri)
            if ls.ws is not None and path:
                ls.ws.saved(os.path.abspath(path))  # kustomize and Helm read it from disk
        ls.lint_soon()

    @feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: SvclintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if ls.ws is not None and path:
            ls.ws.close(os.path.abspath(path))
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(params.text_document.uri, [])
        )
        ls.published.pop(params.text_document.uri, None)
        ls.lint_soon()

    @feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: SvclintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = to_fs_path(change.uri)
            if not path:
                continue
            if os.path.basename(path) in (".svclint.yaml", ".svclint.yml"):
                ls.setup()
            elif ls.ws is not None:
                ls.ws.disk_changed(os.path.abspath(path))
        ls.lint_soon()

    @feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(ls: SvclintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        if ls._pending is not None:  # answer about the text as it is now
            ls._pending.cancel()
            ls.lint_now()
        return ls.actions(params.text_document.uri, params.range)

    return server


def serve(flags: Flags, config_path: str | None) -> None:
    make_server(flags, config_path).start_io()
