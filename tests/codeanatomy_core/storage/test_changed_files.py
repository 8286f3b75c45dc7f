"""Changed-files writes: a whole table in, only the files whose rows differ rewritten."""

from pathlib import Path

import pyarrow as pa
import pytest

from codeanatomy_core.specs import DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.types import INT64, STRING
from codeanatomy_core.storage.file_digests import file_digests, read_digest_state
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import open_table, read_dataset
from codeanatomy_core.storage.writer import write_dataset

SPEC = DatasetSpec(
    name="facts",
    domain=Domain.NORMALIZE,
    description="rows of files",
    fields=(
        FieldSpec(name="row_id", dtype=INT64, nullable=False),
        FieldSpec(name="file_id", dtype=INT64, nullable=False),
        FieldSpec(name="value", dtype=STRING),
    ),
    key=("row_id",),
    ordering=("file_id", "row_id"),
    file_id_column="file_id",
)


def _table(rows: list[tuple[int, int, str | None]]) -> pa.Table:
    row_ids, file_ids, values = zip(*rows, strict=True)
    return pa.table(
        {"row_id": pa.array(row_ids, pa.int64()), "file_id": pa.array(file_ids, pa.int64()), "value": values}
    )


def _write(warehouse: Warehouse, rows: list[tuple[int, int, str | None]]):  # type: ignore[no-untyped-def]
    return write_dataset(
        SPEC,
        warehouse=warehouse,
        data=_table(rows),
        run_id="r",
        asset_key="normalize/facts",
        input_versions={},
        changed_files_only=True,
    )


FIRST = [(1, 10, "a"), (2, 10, "b"), (3, 20, "c"), (4, 30, None)]


def test_first_write_is_full_and_records_digests(tmp_path: Path) -> None:
    warehouse = Warehouse.at(tmp_path)
    result = _write(warehouse, FIRST)
    assert (result.rows_written, result.stamp.details["mode"]) == (4, "full")
    state = read_digest_state(SPEC, warehouse=warehouse)
    assert state is not None
    assert state.table_version == result.version
    assert state.digests == file_digests(_table(FIRST), file_id_column="file_id")


def test_only_changed_and_removed_files_are_rewritten(tmp_path: Path) -> None:
    warehouse = Warehouse.at(tmp_path)
    _write(warehouse, FIRST)
    second = [(1, 10, "a"), (2, 10, "b"), (3, 20, "C"), (5, 40, "new")]  # 20 changed, 30 gone, 40 new
    result = _write(warehouse, second)
    assert result.rows_written == 2
    assert {
        k: result.stamp.details[k] for k in ("mode", "files_changed", "files_removed", "files_untouched")
    } == {
        "mode": "changed_files",
        "files_changed": "2",
        "files_removed": "1",
        "files_untouched": "1",
    }
    stored = read_dataset(SPEC, warehouse=warehouse).sort_by("row_id")
    assert stored.to_pylist() == _table(second).to_pylist()


def test_nothing_changed_commits_only_the_stamp(tmp_path: Path) -> None:
    warehouse = Warehouse.at(tmp_path)
    _write(warehouse, FIRST)
    result = _write(warehouse, FIRST)
    assert (result.rows_written, result.stamp.details["files_changed"]) == (0, "0")
    table = open_table(warehouse.table_uri(SPEC))
    assert table is not None
    assert table.history(1)[0]["operationMetrics"]["num_added_files"] == 0
    assert read_dataset(SPEC, warehouse=warehouse).num_rows == 4


def test_digests_of_another_version_are_taken_again_from_the_stored_rows(tmp_path: Path) -> None:
    warehouse = Warehouse.at(tmp_path)
    _write(warehouse, FIRST)
    write_dataset(  # a write without digests (forced): the stored digests describe an old version
        SPEC, warehouse=warehouse, data=_table(FIRST[:2]), run_id="r", asset_key="k", input_versions={}
    )
    result = _write(warehouse, FIRST)
    # The stored rows (file 10) are digested again: only files 20 and 30 are written.
    assert (result.rows_written, result.stamp.details["mode"]) == (2, "changed_files")
    assert read_dataset(SPEC, warehouse=warehouse).sort_by("row_id").to_pylist() == _table(FIRST).to_pylist()
    state = read_digest_state(SPEC, warehouse=warehouse)
    assert state is not None and state.digests == file_digests(_table(FIRST), file_id_column="file_id")


def _write_files(warehouse: Warehouse, rows: list[tuple[int, int, str | None]], files: list[int]):  # type: ignore[no-untyped-def]
    return write_dataset(
        SPEC,
        warehouse=warehouse,
        data=_table(rows) if rows else _table([(0, 0, None)]).slice(0, 0),
        run_id="r",
        asset_key="normalize/facts",
        input_versions={},
        replace_file_ids=files,
        changed_files_only=True,
    )


def test_rows_of_some_files_rewrite_those_that_changed_and_keep_the_digests(tmp_path: Path) -> None:
    warehouse = Warehouse.at(tmp_path)
    _write(warehouse, FIRST)
    # The rows of files 10, 20 and 30 only: 10 is the same, 20 changed, 30 has no rows now.
    result = _write_files(warehouse, [(1, 10, "a"), (2, 10, "b"), (3, 20, "C")], [10, 20, 30])
    assert result.rows_written == 1
    assert {k: result.stamp.details[k] for k in ("mode", "files_changed", "files_removed")} == {
        "mode": "changed_files",
        "files_changed": "1",
        "files_removed": "1",
    }
    whole = [(1, 10, "a"), (2, 10, "b"), (3, 20, "C")]
    assert read_dataset(SPEC, warehouse=warehouse).sort_by("row_id").to_pylist() == _table(whole).to_pylist()
    state = read_digest_state(SPEC, warehouse=warehouse)
    assert state is not None and state.table_version == result.version
    assert state.digests == file_digests(_table(whole), file_id_column="file_id")
    # The digests describe the whole table: a later whole-table write rewrites file 20 only.
    again = _write(warehouse, [(1, 10, "a"), (2, 10, "b"), (3, 20, "c")])
    assert (again.rows_written, again.stamp.details["files_changed"]) == (1, "1")


def test_rows_of_some_files_without_digests_rewrite_only_those_that_changed(tmp_path: Path) -> None:
    warehouse = Warehouse.at(tmp_path)
    write_dataset(SPEC, warehouse=warehouse, data=_table(FIRST), run_id="r", asset_key="k", input_versions={})
    assert read_digest_state(SPEC, warehouse=warehouse) is None
    # File 20's rows are those stored; file 10 has none now.
    result = _write_files(warehouse, [(3, 20, "c")], [10, 20])
    assert {k: result.stamp.details[k] for k in ("mode", "files_changed", "files_removed")} == {
        "mode": "changed_files",
        "files_changed": "0",
        "files_removed": "1",
    }
    assert result.rows_written == 0
    rows = read_dataset(SPEC, warehouse=warehouse).sort_by("row_id").to_pylist()
    assert rows == _table([(3, 20, "c"), (4, 30, None)]).to_pylist()
    state = read_digest_state(SPEC, warehouse=warehouse)
    assert state is not None and sorted(state.digests) == [20, 30]


@pytest.mark.parametrize("chunks", [1, 3])
def test_digests_do_not_depend_on_chunking_or_order(chunks: int) -> None:
    table = _table(FIRST)
    pieces = pa.concat_tables([table.slice(i, 2) for i in range(0, 4, 2)]) if chunks > 1 else table
    shuffled = table.take(pa.array([3, 0, 2, 1]))
    expected = file_digests(table, file_id_column="file_id")
    assert file_digests(pieces, file_id_column="file_id") == expected
    # Rows are grouped by file (stable): the order inside a file still matters.
    assert file_digests(shuffled, file_id_column="file_id") == expected
