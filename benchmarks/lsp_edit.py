"""How long `svclint lsp` takes from an edit to the diagnostics it publishes for it.

    python benchmarks/lsp_edit.py WORKSPACE_DIR FILE [--edits 11]

Starts the server (`sys.executable -m svclint lsp`) on WORKSPACE_DIR as an editor would, opens
FILE (a Service's file in it), waits for its first diagnostics (the whole workspace loaded and
linted), then edits FILE `--edits` times, alternately breaking and repairing a targetPort so that
every edit changes the diagnostics, and times each edit from the `didChange` sent to the
`publishDiagnostics` received for that version. Prints JSON: `{"startup": s, "edits": [s, ...]}`.
A plain JSON-RPC client over pipes: the benchmark needs no LSP library of its own.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any


class Client:
    """Just enough of an LSP client: framed JSON-RPC over the server's stdin and stdout."""

    def __init__(self, cmd: list[str]) -> None:
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[bytes] = self.proc.stdin
        self.stdout: IO[bytes] = self.proc.stdout
        self.next_id = 0

    def send(self, method: str, params: Any, request: bool = False) -> int | None:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        rid = None
        if request:
            self.next_id += 1
            rid = msg["id"] = self.next_id
        body = json.dumps(msg).encode()
        self.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.stdin.flush()
        return rid

    def receive(self) -> dict[str, Any]:
        length = 0
        while True:
            line = self.stdout.readline()
            if not line:
                raise SystemExit("lsp_edit: the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        message: dict[str, Any] = json.loads(self.stdout.read(length))
        if message.get("method") == "client/registerCapability":  # answer, as editors do
            reply = {"jsonrpc": "2.0", "id": message["id"], "result": None}
            body = json.dumps(reply).encode()
            self.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.stdin.flush()
        return message

    def until(self, want: Any) -> dict[str, Any]:
        while True:
            message = self.receive()
            if want(message):
                return message

    def close(self) -> None:
        rid = self.send("shutdown", None, request=True)
        self.until(lambda m: m.get("id") == rid)
        self.send("exit", None)
        self.proc.wait(timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workspace", type=Path)
    ap.add_argument("file", type=Path)
    ap.add_argument("--edits", type=int, default=11)
    args = ap.parse_args()
    root, path = args.workspace.resolve(), args.file.resolve()
    text = path.read_text()
    m = re.search(r"targetPort: ([a-z][a-z0-9-]*)", text)
    if m is None:
        raise SystemExit(f"lsp_edit: {path} has no named targetPort to edit")
    broken = text[: m.start(1)] + m.group(1) + "x" + text[m.end(1) :]
    uri = path.as_uri()

    client = Client([sys.executable, "-m", "svclint", "lsp"])
    start = time.perf_counter()
    rid = client.send(
        "initialize",
        {
            "processId": None,
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": {},
        },
        request=True,
    )
    client.until(lambda m: m.get("id") == rid)
    client.send("initialized", {})
    doc = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
    client.send("textDocument/didOpen", {"textDocument": doc})

    def published(version: int) -> Any:
        def ok(m: dict[str, Any]) -> bool:
            p = m.get("params") or {}
            return (
                m.get("method") == "textDocument/publishDiagnostics"
                and p.get("uri") == uri
                and p.get("version") == version
            )

        return ok

    client.until(published(1))
    startup = time.perf_counter() - start
    edits = []
    for version in range(2, args.edits + 2):
        new = broken if version % 2 == 0 else text
        t = time.perf_counter()
        client.send(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": new}]},
        )
        client.until(published(version))
        edits.append(time.perf_counter() - t)
    client.close()
    print(json.dumps({"startup": startup, "edits": edits}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
