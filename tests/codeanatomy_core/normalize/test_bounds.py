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
    assert 500 <= resolution.stats.steps < 2000  # stopped at the first check past the bound
    assert resolution.stats.call_edges > 0  # what was found before the bound is kept
    table = diagnostics_table(resolution).to_pylist()
    bound = [r for r in table if r["kind"] == "fixpoint_bound"]
    assert len(bound) == 1 and bound[0]["count"] == resolution.stats.steps
    assert "500 propagation steps" in bound[0]["message"]


def test_unbounded_run_of_the_same_program_terminates(tmp_path: Path):
    resolution = resolve(_facts(tmp_path))
    assert not resolution.stats.exhausted
    kinds = {r["kind"] for r in diagnostics_table(resolution).to_pylist()}
    assert "fixpoint_bound" not in kinds
    assert "saturated" in kinds  # every *fs tuple holds every function: capped, reported


def test_long_chains_of_callable_instances_do_not_recurse(tmp_path: Path):
    """``__call__`` bound to an instance of a class whose ``__call__`` is another instance..."""
    chain = ["class C0:\n    def __call__(self):\n        pass\n"]
    chain += [f"class C{i}:\n    __call__ = C{i - 1}()\n" for i in range(1, 1500)]
    chain.append("C1499()()\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "chain.py").write_text("".join(chain))
    task = FileTask(file_id=1, path="chain.py", module_name="chain", root=str(root), max_bytes=1 << 20)
    tables, _ = run_extraction([task], workers=1, extractors=(PyFactsExtractor,))
    resolution = resolve(facts_rows(tables[PY_FACTS.name]))
    names = {resolution.target_name(t) for targets in resolution.flow.call_edges.values() for t in targets}
    assert "chain.C0.__call__" in names
