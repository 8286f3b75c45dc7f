"""The flow fixpoint is bounded: a pathological program hits the bound, the run ends with a
diagnostic row and keeps what it found; megamorphic variables are widened and saturated."""

from __future__ import annotations

import time
from pathlib import Path

from codeanatomy_core.extract.pyfacts import PY_FACTS, PyFactsExtractor
from codeanatomy_core.extract.runner import run_extraction
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.normalize.resolve import facts_rows, resolve
from codeanatomy_core.normalize.tables import diagnostics_table

RING = 300


def _pathological(root: Path) -> list[FileTask]:
    """A ring of functions passing every function they know to the next one."""
    lines = [f"def f{i}(*fs):\n    return f{(i + 1) % RING}(f{i}, *fs)\n" for i in range(RING)]
    lines.append("f0()\n")
    every = ", ".join(f"f{j}" for j in range(RING))
    lines.extend(f"values{i} = [{every}]\n" for i in range(0, RING, 10))
    root.mkdir(parents=True, exist_ok=True)
    (root / "ring.py").write_text("".join(lines))
    return [FileTask(file_id=1, path="ring.py", module_name="ring", root=str(root), max_bytes=1 << 20)]


def _facts(tmp_path: Path) -> list[tuple[int, str, bytes]]:
    tables, _ = run_extraction(_pathological(tmp_path / "repo"), workers=1, extractors=(PyFactsExtractor,))
    return list(facts_rows(tables[PY_FACTS.name]))


def test_the_bound_stops_the_fixpoint_with_a_diagnostic(tmp_path: Path):
    rows = _facts(tmp_path)
    started = time.perf_counter()
    resolution = resolve(rows, max_steps=500)
    assert time.perf_counter() - started < 10
    assert resolution.stats.exhausted
    assert resolution.stats.steps == 500
    assert resolution.stats.call_edges > 0  # what was found before the bound is kept
    table = diagnostics_table(resolution).to_pylist()
    bound = [r for r in table if r["kind"] == "fixpoint_bound"]
    assert len(bound) == 1 and bound[0]["count"] == 500
    assert "500 propagation steps" in bound[0]["message"]


def test_unbounded_run_of_the_same_program_terminates(tmp_path: Path):
    resolution = resolve(_facts(tmp_path))
    assert not resolution.stats.exhausted
    kinds = {r["kind"] for r in diagnostics_table(resolution).to_pylist()}
    assert "fixpoint_bound" not in kinds
    assert "saturated" in kinds  # every *fs tuple holds every function: capped, reported
