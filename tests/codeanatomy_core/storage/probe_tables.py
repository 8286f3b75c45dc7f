"""Shared probe dataset and helpers of the storage writer tests."""

from __future__ import annotations

from typing import Any

import msgspec
import pyarrow as pa
from deltalake import DeltaTable

from codeanatomy_core.specs import (
    BloomFilterSpec,
    ContractSpec,
    DatasetSpec,
    DeltaWritePolicy,
    Domain,
    FieldSpec,
    TableFeature,
)
from codeanatomy_core.specs.types import FLOAT64, INT64, STRING, list_of
from codeanatomy_core.storage import (
    Warehouse,
    WriteResult,
    read_dataset,
    write_dataset,
)

replace = msgspec.structs.replace

FIELDS = (
    FieldSpec(name="file_id", dtype=INT64, nullable=False),
    FieldSpec(name="row_id", dtype=INT64, nullable=False),
    FieldSpec(name="part", dtype=STRING, nullable=False),
    FieldSpec(name="kind", dtype=STRING, nullable=False),
    FieldSpec(name="label", dtype=STRING),
    FieldSpec(name="score", dtype=FLOAT64),
    FieldSpec(name="tags", dtype=list_of(STRING)),
)

PROBE = DatasetSpec(
    name="probe_rows",
    domain=Domain.DIAGNOSTICS,
    description="rows for storage tests",
    fields=FIELDS,
    key=("row_id",),
    ordering=("file_id", "row_id"),
    file_id_column="file_id",
    contract=ContractSpec(allowed_values={"kind": ("def", "ref")}),
    write_policy=DeltaWritePolicy(
        bloom_filters=(BloomFilterSpec(column="label"),),
        features=(TableFeature.CHANGE_DATA_FEED,),
    ),
)


def with_policy(spec: DatasetSpec, **changes: Any) -> DatasetSpec:
    return replace(spec, write_policy=replace(spec.write_policy, **changes))


def probe_rows(*rows: tuple[int, int, str, str, str | None, float | None]) -> pa.Table:
    """Rows of (file_id, row_id, part, kind, label, score); tags derive from the label."""
    return pa.table(
        {
            "file_id": [r[0] for r in rows],
            "row_id": [r[1] for r in rows],
            "part": [r[2] for r in rows],
            "kind": [r[3] for r in rows],
            "label": [r[4] for r in rows],
            "score": [r[5] for r in rows],
            "tags": [None if r[4] is None else [r[4], r[3]] for r in rows],
        }
    )


INITIAL = probe_rows(
    (1, 10, "p1", "def", "alpha", 0.5),
    (1, 11, "p1", "ref", "beta", None),
    (2, 20, "p2", "def", None, 1.5),
    (3, 30, "p1", "ref", "gamma", 2.5),
)


def write(spec: DatasetSpec, warehouse: Warehouse, data: pa.Table, **kwargs: Any) -> WriteResult:
    arguments: dict[str, Any] = {
        "run_id": "run-1",
        "asset_key": f"{spec.domain}/{spec.name}",
        "input_versions": {"source_files": "4"},
    }
    arguments.update(kwargs)
    return write_dataset(spec, warehouse=warehouse, data=data, **arguments)


def delta_table(spec: DatasetSpec, warehouse: Warehouse) -> DeltaTable:
    return DeltaTable(warehouse.table_uri(spec))


def stored_rows(spec: DatasetSpec, warehouse: Warehouse) -> list[dict[str, Any]]:
    return sorted(read_dataset(spec, warehouse=warehouse).to_pylist(), key=lambda r: r["row_id"])
