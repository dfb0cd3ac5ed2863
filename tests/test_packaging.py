"""What `pip install .` installs: every module of the source tree, as the wheel lays it out.

An editable install (the test command's) finds modules by path, so a package missing from
pyproject's explicit list only shows in a real wheel: this builds one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_every_module_rule_and_schema(tmp_path: Path) -> None:
    # Built from a copy: setuptools would reuse a stale `build/` of the checkout.
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", "fixtures"))  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(src)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("svclint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"svclint/{p.relative_to(ROOT / 'svclint').as_posix()}"
        for p in (ROOT / "svclint").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    expected |= {f"svclint/rules/{p.name}" for p in (ROOT / "rules").glob("*.py")}
    expected |= {
        f"svclint/schemas/{p.relative_to(ROOT / 'schemas').as_posix()}"
        for p in (ROOT / "schemas").rglob("*.json")
    }
    assert expected - names == set()
    assert "svclint/lsp/server.py" in names
