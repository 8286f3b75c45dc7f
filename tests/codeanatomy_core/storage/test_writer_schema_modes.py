"""write_dataset schema modes: strict refuses a changed schema and changes nothing,
overwrite replaces it, merge adds columns."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from codeanatomy_core.errors import StorageError
from codeanatomy_core.specs import FieldSpec, SchemaMode
from codeanatomy_core.specs.types import STRING
from codeanatomy_core.storage import Warehouse, read_dataset

from .probe_tables import (
    FIELDS,
    INITIAL,
    PROBE,
    delta_table,
    probe_rows,
    replace,
    stored_rows,
    with_policy,
    write,
)

EXTRA_FIELD = FieldSpec(name="note", dtype=STRING)


def with_note(rows: pa.Table, notes: list[str | None]) -> pa.Table:
    return rows.append_column("note", pa.array(notes, pa.string()))


def test_strict_schema_mode_fails_naming_the_dataset_and_changes_nothing(warehouse: Warehouse) -> None:
    strict = with_policy(PROBE, schema_mode=SchemaMode.STRICT)
    write(strict, warehouse, INITIAL)
    widened = replace(strict, fields=(*FIELDS, EXTRA_FIELD))
    message = (
        "dataset 'probe_rows': stored schema or partitioning differs from the spec and "
        "the write policy's schema mode is strict"
    )
    with pytest.raises(StorageError, match=re.escape(message)):
        write(widened, warehouse, with_note(INITIAL, ["n"] * 4))
    table = delta_table(strict, warehouse)
    # Not even a property change may be committed by a write that fails.
    assert table.version() == 0
    assert table.metadata().configuration["delta.dataSkippingStatsColumns"] == (
        "row_id,file_id,part,kind,label,score"
    )
    assert stored_rows(strict, warehouse) == sorted(INITIAL.to_pylist(), key=lambda r: r["row_id"])


def test_strict_schema_mode_accepts_an_unchanged_schema(warehouse: Warehouse) -> None:
    strict = with_policy(PROBE, schema_mode=SchemaMode.STRICT)
    write(strict, warehouse, INITIAL)
    assert write(strict, warehouse, INITIAL.slice(0, 2)).version == 1
    assert [r["row_id"] for r in stored_rows(strict, warehouse)] == [10, 11]


def test_overwrite_schema_mode_replaces_the_schema(warehouse: Warehouse) -> None:
    write(PROBE, warehouse, INITIAL)
    narrowed_fields = (*FIELDS[:4], FieldSpec(name="score", dtype=STRING))
    narrowed = replace(
        PROBE, fields=narrowed_fields, write_policy=replace(PROBE.write_policy, bloom_filters=())
    )
    data = pa.table({"file_id": [5], "row_id": [50], "part": ["p5"], "kind": ["def"], "score": ["high"]})
    write(narrowed, warehouse, data)
    stored = read_dataset(narrowed, warehouse=warehouse)
    assert stored.schema.names == ["file_id", "row_id", "part", "kind", "score"]
    assert stored.schema.field("score").type == pa.string()
    assert stored.to_pylist() == [{"file_id": 5, "row_id": 50, "part": "p5", "kind": "def", "score": "high"}]


def test_merge_schema_mode_adds_a_column(warehouse: Warehouse) -> None:
    merging = with_policy(PROBE, schema_mode=SchemaMode.MERGE)
    write(merging, warehouse, INITIAL)
    widened = replace(merging, fields=(*FIELDS, EXTRA_FIELD))
    new_rows = with_note(probe_rows((2, 21, "p2", "ref", "delta", 3.5)), ["added"])
    write(widened, warehouse, new_rows, replace_file_ids=[2])
    stored = read_dataset(widened, warehouse=warehouse)
    assert stored.column_names == [*PROBE.field_names, "note"]
    notes = sorted(zip(stored.column("row_id").to_pylist(), stored.column("note").to_pylist(), strict=True))
    # Rows of the files not replaced keep their values and get nulls in the new column.
    assert notes == [(10, None), (11, None), (21, "added"), (30, None)]
