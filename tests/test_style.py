"""What the README asks of contributors, checked by the test command CI runs: ruff (lint, with
the rule-API import boundary of rules/ruff.toml and svclint/ruff.toml), the formatter, and strict
mypy over svclint/, rules/, tests/, tools/ and benchmarks/ (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, check=False, cwd=ROOT
    )


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "--no-cache", "."), ("ruff", "format", "--no-cache", "--check", ".")],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(command: tuple[str, ...]) -> None:
    proc = _run(*command)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict() -> None:
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr
