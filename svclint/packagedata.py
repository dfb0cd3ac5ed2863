"""Read data files shipped inside svclint's packages (schemas, the annotation catalog).

A plain path next to the package's `__init__.py`: importlib.resources would cost ~5 ms of
imports (pathlib, tempfile, zipfile) on every start, and svclint is never run from a zip.
"""

from __future__ import annotations

import importlib
import os


def read_text(package: str, *parts: str) -> str:
    module = importlib.import_module(package)
    folder = os.path.dirname(module.__file__ or "")
    with open(os.path.join(folder, *parts), encoding="utf-8") as fh:
        return fh.read()
