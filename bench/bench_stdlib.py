"""Benchmark CodeAnatomy over the interpreter's standard library (``make bench``).

One process, in this order: the bare ``ast.parse`` + ``symtable`` time of the same files
(the floor), a full build (scan + extract, then every later step), a no-op rebuild and a
rebuild after one file changed (``--edits N``: then N more one-file edits of other files,
each rebuilt, as the warehouse's tables gain history). The standard library (without test/, idlelib/ and
site-packages/) is copied to a temporary folder first so that one file can be changed.
Builds run through ``codeanatomy_core.pipeline.runner`` (the steps Dagster runs, without
Dagster's own per-run overhead). Peak memory is checked two ways, and the larger counts:
the largest resident set of any one process (this one, or a worker), and the largest sum
of the proportional set sizes of this process and its workers during the full build
(extraction and normalize run several processes at once).

``--dagster`` then builds the copy again the way users do, through Dagster (a child process
running what ``codeanatomy materialize`` runs, with a fresh warehouse), fully and after one
more edit: its times (with and without the process's imports) and peak RSS are reported,
and its peak counts towards the memory target.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import symtable
import sys
import sysconfig
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import DEFAULT_FLOW, FlowGranularity, RepositoryConfig
from codeanatomy_core.storage.kept_tables import forget_tables
from codeanatomy_core.storage.location import Warehouse

EXCLUDED_TOP = ("test", "idlelib", "site-packages")
CHANGED_FILE = "json/encoder.py"


def copy_stdlib(dest: Path) -> Path:
    src = Path(sysconfig.get_paths()["stdlib"])
    root = dest / "stdlib"

    def ignore(folder: str, names: list[str]) -> list[str]:
        skip = [n for n in names if n == "__pycache__" or (Path(folder) == src and n in EXCLUDED_TOP)]
        return skip + [n for n in names if (Path(folder) / n).is_file() and not n.endswith(".py")]

    shutil.copytree(src, root, ignore=ignore, symlinks=True)
    return root


def floor_seconds(files: list[Path]) -> tuple[float, int]:
    texts = []
    for path in files:
        try:
            texts.append((str(path), path.read_bytes().decode("utf-8")))
        except UnicodeDecodeError:
            continue
    lines = sum(t.count("\n") for _, t in texts)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, text in texts:
            try:
                ast.parse(text, name)
                symtable.symtable(text, name, "exec")
            except (SyntaxError, ValueError):
                continue
    return time.perf_counter() - start, lines


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, workers


class TreeMemory:
    """Samples the memory of this process and all its descendants together (their summed
    proportional set size): extraction and normalize run several processes at once.

    Reading a process's PSS walks all its pages (about 20 ms for 1.7 GB): read ten times a
    second for three processes, it took a third of a core and slowed the build it measures
    by about 15 %. So the PSS is read at most once a second, at the first 100 ms tick when
    the summed resident sizes (a few microseconds to read) are above the peak PSS so far (a
    PSS never exceeds its RSS: below it, no new peak is possible). A peak lasting less than a
    second may be read low; the largest RSS of each process (``ru_maxrss``) is exact.
    """

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
        last_read = 0.0
        while not self._stop.wait(0.1):
            now = time.monotonic()
            if now - last_read < 1.0:
                continue
            pids = _tree_pids(os.getpid())
            if sum(_rss_pages(pid) for pid in pids) * page_mb > self.peak_mb:
                last_read = now
                self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in pids) / 1024)


def _tree_pids(root: int) -> list[int]:
    """``root`` and its descendants (found through /proc's children lists)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return found


def _rss_pages(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared between the processes (the interpreter, Arrow,
    Delta) count once over all of them."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass  # the process ended meanwhile
    return 0


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def edit_targets(files: list[Path], root: Path, count: int) -> list[Path]:
    """``count`` files spread evenly over the sorted list, other than the first edit's."""
    others = [f for f in files if f != root / CHANGED_FILE]
    if count <= 0 or not others:
        return []
    stride = max(1, len(others) // count)
    return others[::stride][:count]


def edit_file(root: Path, path: Path, prefix: str) -> None:
    """Append a function (named after ``prefix`` and the file) to ``path``."""
    name = prefix + "_" + "_".join(path.relative_to(root).with_suffix("").parts)
    with path.open("a", encoding="utf-8") as out:
        out.write(f"\n\ndef {name}():\n    return 1\n")


def edited_rebuild(
    root: Path, path: Path, build: Callable[[set[str] | None], object], steps: StepRegistry
) -> dict[str, float]:
    """Append a function to ``path``, then rebuild step by step: the seconds of each step."""
    edit_file(root, path, "_bench_edit")
    forget_tables()
    return {s.name: timed(partial(build, {s.name})) for s in steps.topological()}


# Run in a child process: a Dagster run as `codeanatomy materialize` makes it, on a throw-away
# instance. It prints the run's seconds (after imports) and the process's peak RSS (MB), read
# as VmHWM: getrusage's figure would include the bench's own, which the child's memory is a
# copy of until it starts Python (Linux keeps the larger high-water mark across exec).
_DAGSTER_RUN = """
import json, sys, time
from codeanatomy_dagster.materialize import materialize_all
start = time.perf_counter()
code = materialize_all(repo=sys.argv[1], warehouse=sys.argv[2], force=False, workers=int(sys.argv[3]))
seconds = time.perf_counter() - start
with open("/proc/self/status") as status:
    kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"code": code, "seconds": seconds, "own_mb": kb / 1024}))
"""


def dagster_run(root: Path, warehouse: Path, workers: int) -> dict[str, float]:
    """One Dagster run of every asset in a child process: its figures (see _DAGSTER_RUN)."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}  # a throw-away instance
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _DAGSTER_RUN, str(root), str(warehouse), str(workers)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the Dagster run failed:\n{done.stderr[-4000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["code"] != 0:
        raise SystemExit(f"the Dagster run failed:\n{done.stderr[-4000:]}")
    return {**figures, "wall": wall}


def dagster_rows(runs: list[dict[str, float]]) -> list[tuple[str, str]]:
    labels = ("full build", f"after one edit ({CHANGED_FILE})")
    return [
        (
            f"Dagster: {label}",
            f"{run['seconds']:.2f} s in the run, {run['wall']:.2f} s with the process's start; "
            f"peak RSS {run['own_mb']:.0f} MB",
        )
        for label, run in zip(labels, runs, strict=False)
    ]


def edit_rows(edits: list[dict[str, float]]) -> list[tuple[str, str]]:
    """Report lines of the later one-file rebuilds: their totals, and each step's median."""
    if not edits:
        return []
    totals = [sum(e.values()) for e in edits]
    rows = [
        (
            f"{len(totals)} more one-file rebuilds (other files)",
            f"median {statistics.median(totals):.2f} s, min {min(totals):.2f} s, max {max(totals):.2f} s",
        )
    ]
    for name in edits[0]:
        median = statistics.median(e[name] for e in edits)
        if median >= 0.1:  # the registry steps are no-ops here
            rows.append((f"  step {name} (median)", f"{median:.2f} s"))
    return rows


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=0, help="extraction processes (0: one per core)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and warehouse")
    parser.add_argument(
        "--edits", type=int, default=0, help="one-file edits of other files after the first, each rebuilt"
    )
    parser.add_argument(
        "--dagster",
        action="store_true",
        help="also build through Dagster (as `codeanatomy materialize` does), fully and after one edit",
    )
    parser.add_argument(
        "--flow",
        choices=[g.value for g in FlowGranularity],
        default=DEFAULT_FLOW.value,
        help=f"what the flow analysis solves together (repository setting; default: {DEFAULT_FLOW.value})",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    steps: StepRegistry = default_steps()
    work = Path(tempfile.mkdtemp(prefix="codeanatomy-bench-"))
    try:
        root = copy_stdlib(work)
        repo = RepositoryConfig(root=str(root), repo_id="stdlib", flow=FlowGranularity(args.flow))
        warehouse = Warehouse.at(work / "warehouse")
        files = sorted(root.rglob("*.py"))
        floor, lines = floor_seconds(files)

        def build(only: set[str] | None = None) -> object:
            return run_pipeline(steps, repository=repo, warehouse=warehouse, workers=args.workers, only=only)

        step_s: dict[str, float] = {}
        with TreeMemory() as memory:
            forget_tables()  # each build starts as a new run process would: no table open yet
            for step in steps.topological():
                step_s[step.name] = timed(partial(build, {step.name}))
        extract_s = step_s.get("scan", 0.0) + step_s.get("extract", 0.0)
        normalize_s = step_s.get("normalize", 0.0)
        other_s = sum(step_s.values()) - extract_s - normalize_s
        own_mb, worker_mb = peak_rss_mb()
        forget_tables()
        noop_s = timed(build)
        one_file_steps = edited_rebuild(root, root / CHANGED_FILE, build, steps)
        one_file_s = sum(one_file_steps.values())
        targets = edit_targets(files, root, args.edits)
        later_edits = [edited_rebuild(root, path, build, steps) for path in targets]
        dagster: list[dict[str, float]] = []
        if args.dagster:
            dagster.append(dagster_run(root, work / "dagster-warehouse", args.workers))
            edit_file(root, root / CHANGED_FILE, "_bench_dagster_edit")
            dagster.append(dagster_run(root, work / "dagster-warehouse", args.workers))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    core_s = extract_s + normalize_s
    full_s = core_s + other_s
    rows = [
        ("files", f"{len(files)}"),
        ("lines", f"{lines}"),
        ("flow solved per (--flow)", args.flow),
        ("floor: ast.parse + symtable (1 process)", f"{floor:.2f} s"),
        ("extract (scan + extract)", f"{extract_s:.2f} s"),
        ("normalize (resolution)", f"{normalize_s:.2f} s"),
        ("extract + normalize", f"{core_s:.2f} s  ({lines / core_s:,.0f} lines/s)"),
        *((f"  step {name}", f"{secs:.2f} s") for name, secs in step_s.items()),
        ("full build (every step)", f"{full_s:.2f} s  ({lines / full_s:,.0f} lines/s)"),
        ("peak RSS: this process / largest worker", f"{own_mb:.0f} MB / {worker_mb:.0f} MB"),
        ("peak memory of all processes together (PSS)", f"{memory.peak_mb:.0f} MB"),
        ("no-op rebuild", f"{noop_s:.2f} s"),
        (f"rebuild after one file changed ({CHANGED_FILE})", f"{one_file_s:.2f} s"),
        *(
            (f"  step {name}", f"{secs:.2f} s")
            for name, secs in one_file_steps.items()
            if secs >= 0.1  # the registry steps are no-ops here
        ),
    ]
    rows.extend(edit_rows(later_edits))
    rows.extend(dagster_rows(dagster))
    dagster_mb = max((run["own_mb"] for run in dagster), default=0.0)
    peak_gb = max(own_mb, worker_mb, memory.peak_mb, dagster_mb) / 1024
    checks = [
        ("extract + normalize / floor", core_s / floor, 4.0),
        ("no-op rebuild / full build", noop_s / full_s, 0.05),
        ("one-file rebuild / full build", one_file_s / full_s, 0.10),
        ("peak memory: largest RSS, summed PSS (GB)", peak_gb, 2.0),
    ]
    width = max(len(r[0]) for r in rows + [(c[0], "") for c in checks])
    for label, text in rows:
        print(f"{label.ljust(width)}  {text}")
    print()
    failed = 0
    for label, value, limit in checks:
        ok = value <= limit
        failed += not ok
        print(f"{label.ljust(width)}  {value:.3f}  (target <= {limit})  {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
