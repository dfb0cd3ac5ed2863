"""svclint's speed targets (issue 5), as ratios to baselines measured in the same run.

    python benchmarks/bench.py --quick          # 1x fleet only: a minute or two
    python benchmarks/bench.py                  # adds the 10x fleet (linearity, peak memory)
    python benchmarks/bench.py --repeat 3 --workdir /tmp/svclint-bench --json results.json
    python benchmarks/bench.py --startup        # only the one-small-file start-up: seconds

Every measurement is a whole process started fresh (`sys.executable -m svclint ...`): wall time
from spawn to exit, CPU time and peak RSS from the kernel's rusage of that child (through a tiny
Python wrapper that spawns and `wait4`s it, or GNU `/usr/bin/time`). Each case runs once untimed
(warm-up and sanity check), then `--repeat` times, cases interleaved so that drift on a busy
machine hits them alike; the table shows medians. Fleets come from `fleet.py` and are written
once into the work directory (a temporary one unless `--workdir`) and reused.

The language server (`svclint lsp`, when pygls is installed) is timed from inside: lsp_edit.py
opens one file of the 1x fleet's workspace and times each edit from `didChange` to the
`publishDiagnostics` for it; the table compares that latency with a one-small-file CLI run.

Baselines: A = ruamel.yaml's C-accelerated safe load (`YAML(typ="safe", pure=False).load_all`) of
the same files, keeping every document (a linter must hold them all); B = `python -c "import
click, ruamel.yaml"`, the start-up floor. This is a benchmark, not a test: it never fails a build
(exit 0 whatever the results; 2 only when a run itself fails).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLEET_SCRIPT = HERE / "fleet.py"
KINDS_PER_APP = 5

# Baseline A: bare C-accelerated safe load of every *.yaml under the given paths, documents kept.
LOAD_SCRIPT = """\
import os, sys
from ruamel.yaml import YAML
y = YAML(typ="safe", pure=False)
if "CParser" not in getattr(y.Parser, "__name__", ""):
    sys.exit("baseline A: ruamel.yaml.clib (the C parser) is not available")
docs = []
for top in sys.argv[1:]:
    if os.path.isfile(top):
        files = [top]
    else:
        files = []
        for d, dirs, names in os.walk(top):
            dirs.sort()
            files += [os.path.join(d, n) for n in sorted(names) if n.endswith((".yaml", ".yml"))]
    for path in files:
        with open(path, encoding="utf-8") as fh:
            docs.extend(y.load_all(fh))
print(sum(1 for d in docs if d is not None))
"""

# Baseline B: what any click + ruamel.yaml CLI pays before reading a byte.
FLOOR_SCRIPT = "import click, ruamel.yaml"

# The default meter: spawn, wait4, write "wall user sys maxrss_kib" (the child's own) to argv[1].
WRAPPER_SCRIPT = """\
import os, sys, time
t = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
with open(sys.argv[1], "w") as fh:
    fh.write(f"{wall} {ru.ru_utime} {ru.ru_stime} {ru.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclass(slots=True)
class Sample:
    """One timed run of a command."""

    wall: float  # seconds, spawn to exit
    cpu: float  # user + system seconds of the child
    rss_mb: float  # peak resident set size, MiB
    code: int


@dataclass(slots=True)
class Case:
    """A command to time, and its samples."""

    key: str
    label: str
    cmd: list[str]
    ok_codes: tuple[int, ...] = (0,)
    samples: list[Sample] = field(default_factory=list)
    warmup_stdout: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float:
        return statistics.median(s.rss_mb for s in self.samples)

    @property
    def spread(self) -> float:
        walls = [s.wall for s in self.samples]
        return (max(walls) - min(walls)) / statistics.median(walls) if walls else 0.0


class RunFailed(Exception):
    """A measured command failed or printed something unexpected."""


class Meter:
    """Runs a command in a fresh process; returns its wall time and its own peak RSS."""

    def __init__(self, how: str, cwd: Path, env: dict[str, str]) -> None:
        self.time_bin = shutil.which("time", path="/usr/bin:/bin") if how != "wrapper" else None
        if how == "time" and not self.time_bin:
            raise SystemExit("bench: --rss-via time, but /usr/bin/time was not found")
        self.how = "GNU /usr/bin/time" if self.time_bin else "a python wrapper (wait4)"
        self.cwd = cwd
        self.env = env

    def run(self, cmd: Sequence[str], capture: bool = False) -> tuple[Sample, str, str]:
        with (
            tempfile.NamedTemporaryFile("r", suffix=".rss", dir=self.cwd) as rss_file,
            tempfile.TemporaryFile("w+", dir=self.cwd) as err,
        ):
            if self.time_bin:
                full = [self.time_bin, "-f", "%U %S %M", "-o", rss_file.name, *cmd]
            else:
                full = [sys.executable, "-S", "-c", WRAPPER_SCRIPT, rss_file.name, *cmd]
            out = subprocess.PIPE if capture else subprocess.DEVNULL
            start = time.perf_counter()
            proc = subprocess.run(
                full, check=False, stdout=out, stderr=err, cwd=self.cwd, env=self.env, text=True
            )
            wall = time.perf_counter() - start
            err.seek(0)
            stderr = err.read()
            fields = Path(rss_file.name).read_text().split()
        if not fields:
            raise RunFailed(f"no rusage for {cmd!r} (exit {proc.returncode}): {stderr[-2000:]}")
        if not self.time_bin:
            wall, fields = float(fields[0]), fields[1:]
        # GNU time may write "Command exited with non-zero status 1" before the numbers.
        user, system, rss_kib = float(fields[-3]), float(fields[-2]), int(fields[-1])
        sample = Sample(wall, user + system, rss_kib / 1024, proc.returncode)
        return sample, proc.stdout or "", stderr


def child_env(workdir: Path, bytecode: str) -> dict[str, str]:
    """The measured processes' environment.

    With `cache` (the default) they may write bytecode, into a cache of their own under the work
    directory: an installed svclint runs from .pyc files, and PYTHONDONTWRITEBYTECODE (set in some
    containers) would otherwise make every run compile svclint from source.
    """
    env = dict(os.environ)
    if bytecode == "cache":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


# -- fleets -----------------------------------------------------------------------------------


def fleet_digest() -> str:
    return hashlib.sha256(FLEET_SCRIPT.read_bytes()).hexdigest()[:16]


def ensure_fleet(workdir: Path, name: str, args: list[str]) -> Path:
    """Generate a fleet once; reuse it while fleet.py and the arguments are unchanged."""
    out = workdir / name
    stamp = workdir / f"{name}.stamp"
    want = json.dumps({"fleet.py": fleet_digest(), "args": args})
    if out.exists() and stamp.exists() and stamp.read_text() == want:
        return out
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, str(FLEET_SCRIPT), "--quiet", "--out", str(out), *args], check=True
    )
    stamp.write_text(want)
    log(f"generated {name} in {time.perf_counter() - t:.1f}s")
    return out


def tree_size(path: Path) -> tuple[int, int]:
    if path.is_file():
        return 1, path.stat().st_size
    files = [p for p in path.rglob("*.yaml") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# -- the table --------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One line of the table: a case, optionally compared with another (its baseline)."""

    what: str
    case: Case | None
    base: Case | None = None
    target: float | None = None
    memory: bool = False  # compare peak RSS instead of time
    at_least: bool = False  # the target is a floor (checkov: svclint at least 20x faster)
    note: str = ""
    no_cpu: bool = False  # a latency inside a process (the language server): no CPU time of its own

    @property
    def ratio(self) -> float | None:
        if self.case is None or self.base is None:
            return None
        if self.memory:
            return self.case.rss / self.base.rss
        return self.case.wall / self.base.wall

    @property
    def cpu_ratio(self) -> float | None:
        if self.case is None or self.base is None or self.memory or self.no_cpu:
            return None
        return self.case.cpu / self.base.cpu

    def result(self) -> str:
        ratio = self.ratio
        if self.note:
            return self.note
        if ratio is None or self.target is None:
            return "info"
        ok = ratio >= self.target if self.at_least else ratio <= self.target
        return "PASS" if ok else "MISS"

    def cells(self) -> list[str]:
        c = self.case
        target = "-"
        if self.target is not None:
            target = f"{'>=' if self.at_least else '<='} {self.target:g}x"
        ratio, cpu_ratio = self.ratio, self.cpu_ratio
        return [
            self.what,
            "-" if c is None or self.memory else f"{c.wall:.3f}",
            "-" if c is None or self.memory or self.no_cpu else f"{c.cpu:.3f}",
            "-" if c is None or self.no_cpu else f"{c.rss:.1f}",
            "-" if ratio is None else f"{ratio:.2f}x",
            "-" if cpu_ratio is None else f"{cpu_ratio:.2f}x",
            target,
            self.result(),
        ]


HEAD = ["what", "median s", "cpu s", "peak MB", "ratio", "cpu ratio", "target", "result"]


def print_table(rows: list[Row]) -> None:
    body = [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in [HEAD, *body]) for i in range(len(HEAD))]
    widths[-1] = len(HEAD[-1])

    def fmt(line: list[str]) -> str:
        first = line[0].ljust(widths[0])
        nums = [c.rjust(w) for c, w in zip(line[1:-1], widths[1:-1], strict=True)]
        return "  ".join([first, *nums, line[-1]])

    print(fmt(HEAD))
    print("  ".join("-" * w for w in widths))
    for line in body:
        print(fmt(line))


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="skip the 10x fleet")
    p.add_argument(
        "--startup",
        action="store_true",
        help="only the one-small-file start-up and its baseline (for start-up work)",
    )
    p.add_argument("--repeat", type=int, help="timed runs per case (default 5; 21 with --startup)")
    p.add_argument("--apps", type=int, default=1000, help="apps in the 1x fleet (default 1000)")
    p.add_argument(
        "--namespaces", type=int, default=50, help="namespaces of the 1x fleet (default 50)"
    )
    p.add_argument("--workdir", help="where fleets are generated and kept (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    p.add_argument(
        "--rss-via",
        choices=("auto", "time", "wrapper"),
        default="wrapper",
        help="rusage through a small Python wrapper (default: microsecond CPU times) or GNU"
        " /usr/bin/time (10 ms resolution; auto: time when present)",
    )
    p.add_argument(
        "--bytecode",
        choices=("cache", "as-is"),
        default="cache",
        help="cache: children write .pyc files under the work directory (default);"
        " as-is: leave PYTHONDONTWRITEBYTECODE / PYTHONPYCACHEPREFIX as they are",
    )
    p.add_argument("--json", dest="json_out", help="also write the raw samples to this file")
    args = p.parse_args(argv)
    if args.repeat is None:
        args.repeat = 21 if args.startup else 5  # a start-up run is ~0.1 s: more samples
    if args.repeat < 1 or args.apps < 1 or args.namespaces < 1:
        p.error("--repeat, --apps and --namespaces must be at least 1")
    return args


def build_cases(args: argparse.Namespace, workdir: Path) -> dict[str, Case]:
    py = sys.executable
    n, k = args.apps, args.namespaces
    small = ensure_fleet(
        workdir,
        "small.yaml",
        ["--apps", "1", "--namespaces", "1", "--kinds", "Deployment,Service"],
    )

    def lint(path: Path) -> list[str]:
        return [py, "-m", "svclint", "--format", "json", str(path)]

    lint_ok = (0, 1)  # 1 = findings at the fail level: a finished lint all the same
    startup = [
        Case("floor", 'B: python -c "import click, ruamel.yaml"', [py, "-c", FLOOR_SCRIPT]),
        Case("lint-small", "svclint, one small file", lint(small), lint_ok),
    ]
    if args.startup:
        return {c.key: c for c in startup}
    fleet_1x = ensure_fleet(
        workdir, f"fleet-{n}a-{k}ns", ["--apps", str(n), "--namespaces", str(k)]
    )
    fleet_1ns = ensure_fleet(workdir, f"fleet-{n}a-1ns", ["--apps", str(n), "--namespaces", "1"])

    def load(path: Path) -> list[str]:
        return [py, "-c", LOAD_SCRIPT, str(path)]

    cases = [
        Case("load-1x", f"A: bare C safe load, {n} apps", load(fleet_1x)),
        startup[0],
        Case("lint-1x", f"svclint, {n} apps in {k} namespaces", lint(fleet_1x), lint_ok),
        Case("lint-1ns", f"svclint, {n} apps in 1 namespace", lint(fleet_1ns), lint_ok),
        startup[1],
    ]
    if not args.quick:
        fleet_10x = ensure_fleet(
            workdir,
            f"fleet-{10 * n}a-{10 * k}ns",
            ["--apps", str(10 * n), "--namespaces", str(10 * k)],
        )
        cases += [
            Case("load-10x", f"A: bare C safe load, {10 * n} apps", load(fleet_10x)),
            Case(
                "lint-10x",
                f"svclint, {10 * n} apps in {10 * k} namespaces",
                lint(fleet_10x),
                lint_ok,
            ),
        ]
    base_apps = max(1, n // 5)
    base_fleet = ensure_fleet(
        workdir, f"fleet-{base_apps}a-10ns", ["--apps", str(base_apps), "--namespaces", "10"]
    )
    kustomize = kustomize_tree(workdir, base_fleet)
    if kustomize is not None:
        tree, builds = kustomize
        cases += [
            Case(
                "build-k",
                f"{len(builds)} x kubectl kustomize, alone",
                [py, "-c", BUILD_SCRIPT, *builds],
            ),
            Case(
                "lint-k",
                f"svclint, {len(builds)} overlays of {base_apps} apps",
                lint(tree),
                lint_ok,
            ),
            Case(
                "lint-k-raw",
                "svclint --no-build, the same tree",
                [*lint(tree), "--no-build"],
                lint_ok,
            ),
        ]
    checkov = shutil.which("checkov")
    if checkov:
        # --skip-download: offline like svclint (no Prisma Cloud guideline fetch).
        cmd = [checkov, "-d", str(fleet_1x), "--framework", "kubernetes", "--quiet", "-o", "json"]
        cmd.append("--skip-download")
        cases.append(Case("checkov-1x", f"checkov, {n} apps", cmd, (0, 1)))
    return {c.key: c for c in cases}


# Build every overlay as svclint would, in turn: the part of a build-mode lint that is kustomize's.
BUILD_SCRIPT = """\
import subprocess, sys
for root in sys.argv[1:]:
    subprocess.run(["kubectl", "kustomize", root], check=True, stdout=subprocess.DEVNULL)
"""
OVERLAYS = 4


def kustomize_tree(workdir: Path, fleet: Path) -> tuple[Path, list[str]] | None:
    """A base holding the 1x fleet and OVERLAYS overlays of it (namespace, labels, name
    prefix): what building costs, beside what linting the built output costs. None without
    kubectl on PATH."""
    if shutil.which("kubectl") is None:
        return None
    tree = workdir / f"kustomize-tree-{fleet.name}"
    if not tree.exists():
        base = tree / "base"
        base.mkdir(parents=True)
        files = sorted(p.relative_to(fleet).as_posix() for p in fleet.rglob("*.yaml"))
        shutil.copytree(fleet, base / "fleet")
        (base / "kustomization.yaml").write_text(
            "resources:\n" + "".join(f"  - fleet/{f}\n" for f in files)
        )
        for i in range(OVERLAYS):
            overlay = tree / "overlays" / f"env{i}"
            overlay.mkdir(parents=True)
            (overlay / "kustomization.yaml").write_text(
                f"namePrefix: env{i}-\nlabels:\n  - pairs: {{env: env{i}}}\n"
                "    includeSelectors: true\nresources:\n  - ../../base\n"
            )
    return tree, [str(tree / "overlays" / f"env{i}") for i in range(OVERLAYS)]


def warm_up(meter: Meter, cases: dict[str, Case], expect: dict[str, int]) -> None:
    """One untimed run per case: compiles bytecode, fills the page cache, checks the output."""
    for case in cases.values():
        sample, out, err = meter.run(case.cmd, capture=True)
        if sample.code not in case.ok_codes:
            raise RunFailed(f"{case.key}: exit {sample.code}\n{' '.join(case.cmd)}\n{err[-3000:]}")
        case.warmup_stdout = out
        if case.key.startswith("load-") and case.key.replace("load", "lint") in expect:
            got, want = int(out.strip() or 0), expect[case.key.replace("load", "lint")]
            if got != want:
                raise RunFailed(f"{case.key}: loaded {got} documents, expected {want}")
        if case.key.startswith("lint-"):
            summary = json.loads(out)["summary"]
            if case.key in expect and summary["objects"] != expect[case.key]:
                raise RunFailed(f"{case.key}: svclint saw {summary['objects']} objects")
        log(f"warm-up {case.key}: {sample.wall:.2f}s {sample.rss_mb:.0f} MB")


def findings_note(case: Case) -> str:
    doc = json.loads(case.warmup_stdout)
    s = doc["summary"]
    return (
        f"{s['objects']} objects, {s['error']} errors, {s['warning']} warnings, {s['info']} info,"
        f" {len(doc['errors'])} crashes/input errors"
    )


def svclint_origin(cwd: Path, env: dict[str, str]) -> str:
    """Where the children import svclint from, and how many rules it runs by default."""
    where = subprocess.run(
        [sys.executable, "-c", "import os, svclint; print(os.path.dirname(svclint.__file__))"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    ).stdout.strip()
    listing = subprocess.run(
        [sys.executable, "-m", "svclint", "rules"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    ).stdout.splitlines()
    on = sum(1 for line in listing if line.split()[2:3] == ["on"])
    return f"{where or '?'} ({len(listing)} rules, {on} on by default)"


def make_rows(cases: dict[str, Case], n: int, k: int) -> list[Row]:
    c = cases.get
    small = Row(
        "svclint, one small file (Deployment + Service) / B", c("lint-small"), c("floor"), 1.5
    )
    if "lint-1x" not in cases:  # --startup
        return [Row(cases["floor"].label, cases["floor"], note="baseline"), small]
    lint1 = cases["lint-1x"]
    rows = [
        Row(cases["load-1x"].label, cases["load-1x"], note="baseline"),
        Row(cases["floor"].label, cases["floor"], note="baseline"),
    ]
    if "load-10x" in cases:
        rows.append(Row(cases["load-10x"].label, cases["load-10x"], note="baseline"))
    rows += [
        Row(f"svclint full lint, {n} apps / A", lint1, c("load-1x"), 1.5),
        Row("  its peak memory / A's (no target at 1x)", lint1, c("load-1x"), memory=True),
    ]
    if "lint-10x" in cases:
        lint10 = cases["lint-10x"]
        rows += [
            Row(f"svclint full lint, {10 * n} apps / {n} apps", lint10, lint1, 11),
            Row(f"  its peak memory / A's at {10 * n} apps", lint10, c("load-10x"), 3, True),
        ]
    else:
        rows.append(
            Row(f"svclint, {10 * n} apps (linearity, memory)", None, note="skipped (--quick)")
        )
    rows += [
        Row(f"svclint, {n} apps in 1 namespace / in {k}", c("lint-1ns"), lint1, 1.3),
        small,
    ]
    if "lint-k" in cases:
        rows += [
            Row(cases["build-k"].label, c("build-k"), note="building (no target)"),
            Row(f"{cases['lint-k'].label} / the builds alone", c("lint-k"), c("build-k"),
                note="info"),
            Row(cases["lint-k-raw"].label, c("lint-k-raw"), note="info"),
        ]  # fmt: skip
    else:
        rows.append(Row("kustomize builds", None, note="skipped: kubectl not on PATH"))
    if "checkov-1x" in cases:
        rows.append(
            Row(
                f"checkov (kubernetes), {n} apps / svclint",
                c("checkov-1x"),
                lint1,
                20,
                at_least=True,
            )
        )
    else:
        rows.append(Row("checkov comparison", None, note="skipped: checkov not on PATH"))
    if "lsp-edit" in cases:
        rows.append(
            Row(cases["lsp-edit"].label + " / one small file", c("lsp-edit"), c("lint-small"),
                no_cpu=True)
        )  # fmt: skip
    else:
        rows.append(Row("svclint lsp, edit -> diagnostics", None, note=LSP_SKIPPED))
    return rows


LSP_SKIPPED = "skipped: pygls not installed (pip install 'svclint[lsp]')"


def lsp_case(fleet: Path, n: int, edits: int, env: dict[str, str]) -> Case | None:
    """Edit -> publishDiagnostics in a workspace of the fleet (benchmarks/lsp_edit.py): each
    edit a sample. None when the language server cannot run here."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        return None
    file = next(p for p in sorted(fleet.rglob("*.yaml")) if "targetPort:" in p.read_text())
    script = [sys.executable, str(HERE / "lsp_edit.py"), str(fleet), str(file)]
    proc = subprocess.run(
        [*script, "--edits", str(edits)], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise RunFailed(f"lsp-edit: exit {proc.returncode}: {proc.stderr[-3000:]}")
    data = json.loads(proc.stdout)
    case = Case("lsp-edit", f"svclint lsp, edit -> diagnostics, {n}-app workspace", script)
    case.samples = [Sample(s, 0.0, 0.0, 0) for s in data["edits"]]
    log(f"lsp: workspace loaded and first diagnostics in {data['startup']:.2f}s")
    return case


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    own_tmp = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="svclint-bench-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return bench(args, workdir)
    except RunFailed as exc:
        print(f"bench: a run failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if own_tmp and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif own_tmp:
            log(f"kept {workdir}")


def bench(args: argparse.Namespace, workdir: Path) -> int:
    env = child_env(workdir, args.bytecode)
    meter = Meter(args.rss_via, workdir, env)
    load_before = os.getloadavg()
    cases = build_cases(args, workdir)
    n, k = args.apps, args.namespaces
    objects = n * KINDS_PER_APP
    expect = {"lint-1x": objects, "lint-1ns": objects, "lint-small": 2, "lint-10x": 10 * objects}
    warm_up(meter, cases, expect)

    t0 = time.perf_counter()
    for r in range(args.repeat):
        for case in cases.values():
            sample, _, err = meter.run(case.cmd)
            if sample.code not in case.ok_codes:
                raise RunFailed(f"{case.key}: exit {sample.code}: {err[-3000:]}")
            case.samples.append(sample)
        log(f"round {r + 1}/{args.repeat} done ({time.perf_counter() - t0:.0f}s)")
    if "lint-1x" in cases:
        lsp = lsp_case(Path(cases["lint-1x"].cmd[-1]), n, max(11, 2 * args.repeat + 1), env)
        if lsp is not None:
            cases[lsp.key] = lsp
    load_after = os.getloadavg()

    try:
        svclint_version = metadata.version("svclint")
        ruamel_version = metadata.version("ruamel.yaml")
        clib_version = metadata.version("ruamel.yaml.clib")
    except metadata.PackageNotFoundError:
        svclint_version = ruamel_version = clib_version = "?"
    print(
        f"svclint {svclint_version} from {svclint_origin(workdir, env)} | Python"
        f" {platform.python_version()} ({sys.executable}) | ruamel.yaml {ruamel_version},"
        f" clib {clib_version}"
    )
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs | load average {load_before[0]:.2f} before,"
        f" {load_after[0]:.2f} after | peak RSS via {meter.how}"
    )
    print(
        f"medians of {args.repeat} runs per case (after 1 warm-up run), cases interleaved |"
        f" bytecode: {'cached under the work dir' if args.bytecode == 'cache' else 'as-is'}"
    )
    for key, label in (
        ("lint-1x", f"{n} apps"),
        ("lint-1ns", f"{n} apps, 1 ns"),
        ("lint-10x", f"{10 * n} apps"),
        ("lint-small", "small file"),
    ):
        if key in cases:
            path = Path(cases[key].cmd[-1])
            files, size = tree_size(path)
            print(
                f"  fleet {label}: {files} files, {size / 1e6:.2f} MB;"
                f" svclint found: {findings_note(cases[key])}"
            )
    print()
    rows = make_rows(cases, n, k)
    print_table(rows)
    noisy = [c.key for c in cases.values() if c.spread > 0.25]
    if noisy:
        print(f"\nnote: runs of {', '.join(noisy)} varied by more than 25% (busy machine?)")
    if args.json_out:
        data = {
            "cases": {
                c.key: {
                    "label": c.label,
                    "cmd": c.cmd,
                    "wall": [s.wall for s in c.samples],
                    "cpu": [s.cpu for s in c.samples],
                    "rss_mb": [s.rss_mb for s in c.samples],
                }
                for c in cases.values()
            },
            "rows": [dict(zip(HEAD, r.cells(), strict=True)) for r in rows],
            "rss_via": meter.how,
            "loadavg": [load_before[0], load_after[0]],
        }
        Path(args.json_out).write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
