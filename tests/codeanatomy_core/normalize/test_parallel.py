"""The static normalize tables built in a worker process equal the ones built in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeanatomy_core.extract.pyfacts import PY_FACTS
from codeanatomy_core.normalize import parallel
from codeanatomy_core.normalize.parallel import FACTS_COLUMNS, StaticTables
from codeanatomy_core.normalize.resolve import facts_rows, resolve
from codeanatomy_core.normalize.step import NORMALIZE_STEP
from codeanatomy_core.normalize.tables import STATIC_TABLES, TableContext, static_tables
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import current_handle, read_dataset, read_handle

STEPS = {"scan", "extract", "normalize"}


def _build(root: Path, warehouse: Warehouse, *, workers: int) -> None:
    run_pipeline(
        default_steps(),
        repository=RepositoryConfig(root=str(root)),
        warehouse=warehouse,
        workers=workers,
        only=STEPS,
    )


@pytest.fixture
def repo(resolution_copy: Path) -> Path:
    return resolution_copy


def test_worker_tables_equal_in_process_tables(repo: Path, tmp_path: Path):
    warehouse = Warehouse.at(tmp_path / "warehouse")
    _build(repo, warehouse, workers=1)
    handle = current_handle(PY_FACTS, warehouse=warehouse)
    assert handle is not None
    resolution = resolve(facts_rows(read_handle(handle, columns=FACTS_COLUMNS)))
    logged: list[str] = []
    static = StaticTables(
        handle, only=None, bindings_only=None, files=parallel.MIN_PARALLEL_FILES, workers=2, log=logged.append
    )
    try:
        assert static.in_worker
        from_worker = static.result(TableContext(resolution.program, resolution.symbols))
    finally:
        static.close()
    assert logged == []
    in_process = static_tables(TableContext(resolution.program, resolution.symbols), only=None)
    assert sorted(from_worker) == sorted(STATIC_TABLES)
    for name in STATIC_TABLES:
        assert from_worker[name].equals(in_process[name], check_metadata=True), name


def test_small_programs_and_one_worker_stay_in_process(repo: Path, tmp_path: Path):
    warehouse = Warehouse.at(tmp_path / "warehouse")
    _build(repo, warehouse, workers=1)
    handle = current_handle(PY_FACTS, warehouse=warehouse)
    assert handle is not None
    small = StaticTables(
        handle, only=None, bindings_only=None, files=parallel.MIN_PARALLEL_FILES - 1, workers=2, log=print
    )
    single = StaticTables(
        handle, only=None, bindings_only=None, files=parallel.MIN_PARALLEL_FILES, workers=1, log=print
    )
    assert not small.in_worker and not single.in_worker


def test_normalize_tables_identical_with_one_and_two_workers(repo: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 1)  # the fixture has six files
    tables = {}
    for workers in (1, 2):
        warehouse = Warehouse.at(tmp_path / f"warehouse-{workers}")
        _build(repo, warehouse, workers=workers)
        tables[workers] = {
            spec.name: read_dataset(spec, warehouse=warehouse) for spec in NORMALIZE_STEP.outputs
        }
    for spec in NORMALIZE_STEP.outputs:
        assert tables[1][spec.name].equals(tables[2][spec.name]), spec.name


class _MissingFolder:
    """A temporary folder that does not exist: the worker's writes fail."""

    def __init__(self, prefix: str, *, at: Path) -> None:
        self.name = str(at / "missing" / prefix)

    def cleanup(self) -> None:
        pass


def test_a_worker_that_cannot_write_its_tables_falls_back_to_this_process(
    repo: Path, tmp_path: Path, monkeypatch
):
    warehouse = Warehouse.at(tmp_path / "warehouse")
    _build(repo, warehouse, workers=1)
    handle = current_handle(PY_FACTS, warehouse=warehouse)
    assert handle is not None
    resolution = resolve(facts_rows(read_handle(handle, columns=FACTS_COLUMNS)))
    monkeypatch.setattr(
        parallel.tempfile, "TemporaryDirectory", lambda prefix: _MissingFolder(prefix, at=tmp_path)
    )
    logged: list[str] = []
    static = StaticTables(
        handle, only=None, bindings_only=None, files=parallel.MIN_PARALLEL_FILES, workers=2, log=logged.append
    )
    assert static.in_worker
    try:
        tables = static.result(TableContext(resolution.program, resolution.symbols))
    finally:
        static.close()
    assert len(logged) == 1 and "building them here" in logged[0] and "FileNotFoundError" in logged[0]
    in_process = static_tables(TableContext(resolution.program, resolution.symbols), only=None)
    assert all(tables[name].equals(in_process[name]) for name in STATIC_TABLES)
