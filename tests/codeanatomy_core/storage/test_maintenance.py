"""Maintenance (compaction / z-order, vacuum) changes no data: freshness keys on data commits."""

from __future__ import annotations

import msgspec
import pyarrow as pa

from codeanatomy_core.specs import DatasetSpec, DeltaWritePolicy, Domain, FieldSpec
from codeanatomy_core.specs.types import INT64, STRING
from codeanatomy_core.storage import Warehouse, current_handle, read_dataset, read_last_commit, write_dataset
from codeanatomy_core.storage.maintenance import MaintenanceReport, maintain_table

SPEC = DatasetSpec(
    name="maintained",
    domain=Domain.DIAGNOSTICS,
    description="a table to compact",
    fields=(
        FieldSpec(name="file_id", dtype=INT64, nullable=False),
        FieldSpec(name="row_id", dtype=INT64, nullable=False),
        FieldSpec(name="label", dtype=STRING),
    ),
    key=("row_id",),
    ordering=("file_id", "row_id"),
    file_id_column="file_id",
    write_policy=DeltaWritePolicy(zorder_by=("label",)),
)

ROWS = pa.table({"file_id": [1, 1, 2], "row_id": [1, 2, 3], "label": ["c", "a", "b"]})


def test_missing_table_is_not_maintained(warehouse: Warehouse) -> None:
    assert maintain_table(SPEC, warehouse=warehouse) is None


def test_maintenance_keeps_rows_stamp_and_data_version(warehouse: Warehouse) -> None:
    first = write_dataset(SPEC, warehouse=warehouse, data=ROWS, run_id="r1", asset_key="k", input_versions={})
    report = maintain_table(SPEC, warehouse=warehouse, retention_hours=0)
    # z-order rewrites the one data file; vacuum (start and end commits) deletes the old one.
    assert report == MaintenanceReport(
        dataset="maintained", files_added=1, files_removed=1, files_vacuumed=1, version=3
    )
    handle = current_handle(SPEC, warehouse=warehouse)
    assert handle is not None
    assert (handle.version, handle.data_version, handle.version_token) == (3, first.version, "0")
    assert read_last_commit(SPEC, warehouse=warehouse) == first.stamp
    stored = read_dataset(SPEC, warehouse=warehouse)
    assert sorted(stored.column("row_id").to_pylist()) == [1, 2, 3]

    # The next data commit becomes the data version again.
    second = write_dataset(
        SPEC, warehouse=warehouse, data=ROWS.slice(0, 2), run_id="r2", asset_key="k", input_versions={}
    )
    handle = current_handle(SPEC, warehouse=warehouse)
    assert handle is not None
    assert (second.version, handle.version, handle.data_version) == (4, 4, 4)


def test_dry_run_changes_nothing(warehouse: Warehouse) -> None:
    write_dataset(SPEC, warehouse=warehouse, data=ROWS, run_id="r1", asset_key="k", input_versions={})
    compact_only = msgspec.structs.replace(SPEC, write_policy=DeltaWritePolicy())
    report = maintain_table(compact_only, warehouse=warehouse, dry_run=True)
    assert report == MaintenanceReport(
        dataset="maintained", files_added=0, files_removed=0, files_vacuumed=0, version=0
    )
    handle = current_handle(SPEC, warehouse=warehouse)
    assert handle is not None
    assert handle.version == 0
