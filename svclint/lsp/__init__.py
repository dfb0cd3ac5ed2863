"""The language server (`svclint lsp`): server.py speaks LSP, workspace.py keeps what it lints."""
