"""run_pipeline: freshness (nothing rewritten when nothing changed), force, source changes,
spec changes, and tables equal to a fresh build after incremental updates."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pytest

from codeanatomy_core.extract.datasets import AST_NODES, EXTRACT_ERRORS
from codeanatomy_core.pipeline import runner
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.pipeline.runner import DatasetRunResult, run_pipeline
from codeanatomy_core.source import RepositoryConfig
from codeanatomy_core.source.datasets import SOURCE_FILES, SOURCE_ISSUES
from codeanatomy_core.source.scan import file_id_for
from codeanatomy_core.storage import Warehouse, read_dataset, read_last_commit
from codeanatomy_core.storage.maintenance import maintain_table

FOUNDATION = (SOURCE_FILES, SOURCE_ISSUES, AST_NODES, EXTRACT_ERRORS)
FOUNDATION_NAMES = {spec.name for spec in FOUNDATION}


def build(
    repo: Path, warehouse: Warehouse, *, steps: StepRegistry | None = None, **options: Any
) -> dict[str, DatasetRunResult]:
    return run_pipeline(
        steps or default_steps(),
        repository=RepositoryConfig(root=str(repo)),
        warehouse=warehouse,
        workers=options.pop("workers", 1),
        **options,
    )


def written(results: dict[str, DatasetRunResult]) -> set[str]:
    return {name for name, result in results.items() if result.written} & FOUNDATION_NAMES


def sorted_rows(spec_name: str, warehouse: Warehouse) -> list[dict[str, Any]]:
    spec = {s.name: s for s in FOUNDATION}[spec_name]
    table = read_dataset(spec, warehouse=warehouse)
    order = list(spec.ordering or spec.key)
    return table.sort_by([(c, "ascending") for c in order]).to_pylist()


def test_first_run_writes_every_table(small_repo: Path, warehouse: Warehouse, version_probe: Any) -> None:
    results = build(small_repo, warehouse, run_id="first")
    assert written(results) == FOUNDATION_NAMES
    assert version_probe(warehouse, FOUNDATION) == {spec.name: 0 for spec in FOUNDATION}
    for spec in FOUNDATION:
        stamp = read_last_commit(spec, warehouse=warehouse)
        assert stamp is not None
        assert (stamp.run_id, stamp.asset_key) == ("first", f"{spec.domain}/{spec.name}")
    assert read_dataset(SOURCE_FILES, warehouse=warehouse).num_rows == 9
    assert read_dataset(SOURCE_ISSUES, warehouse=warehouse).column("kind").to_pylist() == [
        "symlink_outside_root"
    ]


def test_second_run_writes_nothing(small_repo: Path, warehouse: Warehouse, version_probe: Any) -> None:
    build(small_repo, warehouse)
    before = version_probe(warehouse, FOUNDATION)
    results = build(small_repo, warehouse)
    assert written(results) == set()
    assert {r.reason for n, r in results.items() if n in FOUNDATION_NAMES} == {
        "signature and inputs unchanged"
    }
    assert version_probe(warehouse, FOUNDATION) == before


def test_force_rewrites_every_table(small_repo: Path, warehouse: Warehouse, version_probe: Any) -> None:
    build(small_repo, warehouse)
    before = version_probe(warehouse, FOUNDATION)
    rows_before = {spec.name: sorted_rows(spec.name, warehouse) for spec in FOUNDATION}
    results = build(small_repo, warehouse, force=True)
    assert written(results) == FOUNDATION_NAMES
    assert version_probe(warehouse, FOUNDATION) == {name: v + 1 for name, v in before.items()}
    assert {spec.name: sorted_rows(spec.name, warehouse) for spec in FOUNDATION} == rows_before


def _edit_core(repo: Path) -> None:
    core = repo / "pkg" / "core.py"
    core.write_text(core.read_text() + "\n\ndef added(value):\n    return value * 2\n")


def test_changing_one_file_rewrites_the_manifest_and_extract_tables(
    small_repo: Path, warehouse: Warehouse, version_probe: Any
) -> None:
    build(small_repo, warehouse)
    before = version_probe(warehouse, FOUNDATION)
    _edit_core(small_repo)
    results = build(small_repo, warehouse)
    # source_issues keeps its version: the scan's issues did not change.
    assert written(results) == {"source_files", "ast_nodes", "extract_errors"}
    after = version_probe(warehouse, FOUNDATION)
    assert after == {
        "source_files": before["source_files"] + 1,
        "source_issues": before["source_issues"],
        "ast_nodes": before["ast_nodes"] + 1,
        "extract_errors": before["extract_errors"] + 1,
    }
    stamp = read_last_commit(AST_NODES, warehouse=warehouse)
    assert stamp is not None
    assert stamp.input_versions == {"source_files": str(after["source_files"])}
    core_id = file_id_for("small_repo", "pkg/core.py")
    nodes = read_dataset(AST_NODES, warehouse=warehouse)
    core_rows = [f for f in nodes.column("file_id").to_pylist() if f == core_id]
    assert len(core_rows) == len(list(ast.walk(ast.parse((small_repo / "pkg" / "core.py").read_text()))))


def test_incremental_updates_equal_a_fresh_build(
    small_repo: Path, tmp_path: Path, warehouse: Warehouse
) -> None:
    build(small_repo, warehouse)
    _edit_core(small_repo)
    (small_repo / "pkg" / "sub" / "deep.py").unlink()
    (small_repo / "broken_syntax.py").write_text("def fixed():\n    return 1\n")
    (small_repo / "pkg" / "new_module.py").write_text("from pkg.core import shout\nshout('new')\n")
    build(small_repo, warehouse)

    fresh = Warehouse.at(tmp_path / "fresh")
    build(small_repo, fresh)
    for spec in FOUNDATION:
        assert sorted_rows(spec.name, warehouse) == sorted_rows(spec.name, fresh), spec.name
    errors = [(e["path"], e["stage"]) for e in sorted_rows("extract_errors", warehouse)]
    assert errors == [("pkg/escape.py", "scan"), ("undecodable.py", "decode")]
    deep_id = file_id_for("small_repo", "pkg/sub/deep.py")
    assert deep_id not in set(read_dataset(AST_NODES, warehouse=warehouse).column("file_id").to_pylist())


def test_changing_a_spec_rewrites_only_its_table(
    small_repo: Path, warehouse: Warehouse, version_probe: Any
) -> None:
    build(small_repo, warehouse)
    before = version_probe(warehouse, FOUNDATION)
    steps = default_steps()
    bumped = msgspec.structs.replace(steps.catalog.get("ast_nodes"), logic_version=2)
    results = build(small_repo, warehouse, steps=steps.with_spec(bumped))
    assert written(results) == {"ast_nodes"}
    after = version_probe(warehouse, FOUNDATION)
    assert after == {**before, "ast_nodes": before["ast_nodes"] + 1}
    stamp = read_last_commit(AST_NODES, warehouse=warehouse)
    assert stamp is not None
    assert stamp.signature == steps.with_spec(bumped).signatures()["ast_nodes"]
    assert stamp.signature != steps.signatures()["ast_nodes"]


def test_only_runs_the_named_steps(small_repo: Path, warehouse: Warehouse, version_probe: Any) -> None:
    results = build(small_repo, warehouse, only={"scan"})
    assert written(results) == {"source_files", "source_issues"}
    assert version_probe(warehouse, FOUNDATION) == {
        "source_files": 0,
        "source_issues": 0,
        "ast_nodes": None,
        "extract_errors": None,
    }


def _many_files_repo(root: Path, count: int) -> Path:
    for i in range(count):
        target = root / f"pkg_{i % 5}" / f"mod_{i:03d}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            f"def f{i}(x):\n    return [x + k for k in range({i})]\n" + ("(\n" if i == 7 else "")
        )
    return root


def test_tables_are_identical_whatever_the_worker_count(tmp_path: Path) -> None:
    repo = _many_files_repo(tmp_path / "many", 72)
    serial, parallel = Warehouse.at(tmp_path / "serial"), Warehouse.at(tmp_path / "parallel")
    build(repo, serial, workers=1)
    build(repo, parallel, workers=2)
    for spec in FOUNDATION:
        serial_stamp = read_last_commit(spec, warehouse=serial)
        parallel_stamp = read_last_commit(spec, warehouse=parallel)
        assert serial_stamp is not None and parallel_stamp is not None
        assert serial_stamp.content_hash == parallel_stamp.content_hash, spec.name
        serial_table: pa.Table = read_dataset(spec, warehouse=serial)
        assert serial_table.equals(read_dataset(spec, warehouse=parallel)), spec.name


def test_maintenance_does_not_make_tables_stale(
    small_repo: Path, warehouse: Warehouse, version_probe: Any
) -> None:
    steps = default_steps()
    build(small_repo, warehouse, steps=steps)
    for spec in steps.catalog:
        assert maintain_table(spec, warehouse=warehouse, retention_hours=0) is not None
    maintained = version_probe(warehouse, steps.catalog)
    results = build(small_repo, warehouse, steps=steps)
    assert {name for name, result in results.items() if result.written} == set()
    assert version_probe(warehouse, steps.catalog) == maintained


def test_writing_two_tables_at_a_time_changes_nothing_stored(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = default_steps()
    paired, single = Warehouse.at(tmp_path / "paired"), Warehouse.at(tmp_path / "single")
    paired_results = build(small_repo, paired, steps=steps, run_id="same")
    monkeypatch.setattr(runner, "PARALLEL_WRITE_BYTES", -1)  # every write one at a time
    single_results = build(small_repo, single, steps=steps, run_id="same")
    assert paired_results == single_results
    for spec in steps.catalog:
        paired_stamp = read_last_commit(spec, warehouse=paired)
        single_stamp = read_last_commit(spec, warehouse=single)
        assert paired_stamp is not None and single_stamp is not None, spec.name
        assert paired_stamp.content_hash == single_stamp.content_hash, spec.name
