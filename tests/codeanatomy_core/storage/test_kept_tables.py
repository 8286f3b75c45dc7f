"""Tables kept open per process: reused, brought forward, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from codeanatomy_core.storage.kept_tables import forget_tables, is_keepable, remembered
from codeanatomy_core.storage.location import TableHandle
from codeanatomy_core.storage.reader import open_table, read_handle


def _write(uri: str, values: list[int]) -> None:
    # By URI: deltalake opens the table itself, as another process would.
    write_deltalake(uri, pa.table({"x": pa.array(values, pa.int64())}), mode="overwrite")


def _rows(uri: str, version: int) -> list[int]:
    handle = TableHandle(dataset="t", uri=uri, version=version, data_version=version)
    return read_handle(handle).column("x").to_pylist()


def test_latest_is_reused_and_brought_forward(tmp_path: Path) -> None:
    forget_tables()
    uri = str(tmp_path / "t")
    _write(uri, [1])
    first = open_table(uri)
    assert first is not None and first.version() == 0
    assert open_table(uri) is first  # kept: not opened again
    _write(uri, [2])
    again = open_table(uri)
    assert again is first and again.version() == 1  # the new commit read in place
    assert _rows(uri, 1) == [2]
    assert _rows(uri, 0) == [1]  # an older version is opened at that version


def test_a_table_written_again_from_scratch_is_opened_again(tmp_path: Path) -> None:
    forget_tables()
    uri = str(tmp_path / "t")
    _write(uri, [1])
    _write(uri, [2])
    kept = open_table(uri)
    pinned = open_table(uri, version=1)
    assert kept is not None and pinned is not None and kept.version() == 1
    assert open_table(uri, version=1) is pinned
    shutil.rmtree(uri)
    _write(uri, [7])
    _write(uri, [8])  # the same versions, other commit files
    assert open_table(uri) is not kept
    assert open_table(uri, version=1) is not pinned
    assert _rows(uri, 1) == [8]
    assert _rows(uri, 0) == [7]
    shutil.rmtree(uri)
    assert open_table(uri) is None


def test_facts_of_a_version_are_computed_once_while_it_stays(tmp_path: Path) -> None:
    forget_tables()
    uri = str(tmp_path / "t")
    _write(uri, [1])
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert remembered(uri, 0, "count", compute) == 1
    assert remembered(uri, 0, "count", compute) == 1
    assert remembered(uri, 0, "other", compute) == 2
    shutil.rmtree(uri)
    _write(uri, [2])
    assert remembered(uri, 0, "count", compute) == 3  # another version 0


def test_only_local_tables_are_kept() -> None:
    assert is_keepable("/data/warehouse/extract/ast_nodes", None)
    assert not is_keepable("s3://bucket/warehouse/extract/ast_nodes", None)
    assert not is_keepable("/data/warehouse/extract/ast_nodes", {"timeout": "10s"})
