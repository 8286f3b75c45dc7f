"""write_dataset: write policy, commit metadata, property reconciliation, contracts checked
before the write, per-file replacement (schema modes: test_writer_schema_modes.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from codeanatomy_core.errors import ContractViolation, StorageError, UnsupportedFeatureError
from codeanatomy_core.specs import (
    BloomFilterSpec,
    Compression,
    ContractSpec,
    DatasetSpec,
    Domain,
    FieldSpec,
    signature,
)
from codeanatomy_core.specs.types import INT64, STRING
from codeanatomy_core.storage import (
    CommitStamp,
    Warehouse,
    current_handle,
    prepare,
    read_dataset,
    read_last_commit,
)
from codeanatomy_core.storage import properties as storage_properties
from codeanatomy_core.storage.digest import content_hash

from .probe_tables import (
    INITIAL,
    PROBE,
    delta_table,
    probe_rows,
    replace,
    stored_rows,
    with_policy,
    write,
)


def test_table_properties_from_the_policy(warehouse: Warehouse) -> None:
    spec = with_policy(PROBE, stats_columns=("label", "row_id"))
    write(spec, warehouse, INITIAL)
    assert dict(delta_table(spec, warehouse).metadata().configuration) == {
        "delta.checkpointInterval": "10",
        "delta.dataSkippingStatsColumns": "label,row_id",
        "delta.enableChangeDataFeed": "true",
    }


def test_a_checkpoint_every_ten_commits(warehouse: Warehouse) -> None:
    for run in range(10):
        write(PROBE, warehouse, INITIAL if run % 2 == 0 else probe_rows(), run_id=f"run-{run}")
    log = Path(warehouse.table_uri(PROBE).removeprefix("file://")) / "_delta_log"
    assert sorted(p.name for p in log.glob("*.checkpoint.parquet")) == [
        "00000000000000000009.checkpoint.parquet"
    ]


@pytest.mark.parametrize(
    ("max_stats_columns", "expected"),
    [
        # key, ordering, partition columns first, then the other scalars; lists never.
        (32, "row_id,file_id,part,kind,label,score"),
        (3, "row_id,file_id,part"),
        (1, "row_id"),
    ],
)
def test_automatic_stats_columns_are_capped(
    warehouse: Warehouse, max_stats_columns: int, expected: str
) -> None:
    spec = with_policy(PROBE, partition_by=("part",), max_stats_columns=max_stats_columns)
    write(spec, warehouse, INITIAL)
    config = delta_table(spec, warehouse).metadata().configuration
    assert config["delta.dataSkippingStatsColumns"] == expected


def test_explicit_stats_columns_are_capped_too(warehouse: Warehouse) -> None:
    spec = with_policy(PROBE, stats_columns=("score", "label", "kind"), max_stats_columns=2)
    write(spec, warehouse, INITIAL)
    config = delta_table(spec, warehouse).metadata().configuration
    assert config["delta.dataSkippingStatsColumns"] == "score,label"


def test_partition_columns_from_the_policy(warehouse: Warehouse) -> None:
    spec = with_policy(PROBE, partition_by=("part",))
    write(spec, warehouse, INITIAL)
    table = delta_table(spec, warehouse)
    assert table.metadata().partition_columns == ["part"]
    folders = sorted(Path(uri).parent.name for uri in table.file_uris())
    assert folders == ["part=p1", "part=p2"]
    assert stored_rows(spec, warehouse) == sorted(INITIAL.to_pylist(), key=lambda r: r["row_id"])


def _column_chunks(spec: DatasetSpec, warehouse: Warehouse) -> list[pq.ColumnChunkMetaData]:
    chunks: list[pq.ColumnChunkMetaData] = []
    for uri in delta_table(spec, warehouse).file_uris():
        metadata = pq.ParquetFile(uri).metadata
        for group in range(metadata.num_row_groups):
            row_group = metadata.row_group(group)
            chunks.extend(row_group.column(c) for c in range(row_group.num_columns))
    return chunks


_FOOTER_NAMES = {Compression.LZ4_RAW: "LZ4"}


@pytest.mark.parametrize(
    "compression", [Compression.LZ4_RAW, Compression.ZSTD, Compression.SNAPPY, Compression.GZIP]
)
def test_bloom_filter_and_compression_in_parquet_footer(
    warehouse: Warehouse, compression: Compression
) -> None:
    spec = with_policy(PROBE, compression=compression)
    write(spec, warehouse, INITIAL)
    chunks = _column_chunks(spec, warehouse)
    assert {c.path_in_schema for c in chunks} == {
        "file_id",
        "row_id",
        "part",
        "kind",
        "label",
        "score",
        "tags.list.item",
    }
    with_bloom = {c.path_in_schema for c in chunks if c.bloom_filter_offset is not None}
    assert with_bloom == {"label"}
    # pyarrow names Parquet's LZ4_RAW codec plain LZ4 (its legacy framing is LZ4_HADOOP)
    assert {c.compression for c in chunks} == {_FOOTER_NAMES.get(compression, compression.value)}


def test_bloom_filters_on_two_columns(warehouse: Warehouse) -> None:
    spec = with_policy(
        PROBE, bloom_filters=(BloomFilterSpec(column="kind"), BloomFilterSpec(column="row_id", fpp=0.001))
    )
    write(spec, warehouse, INITIAL)
    chunks = _column_chunks(spec, warehouse)
    assert {c.path_in_schema for c in chunks if c.bloom_filter_offset is not None} == {"kind", "row_id"}


def test_commit_metadata_is_recorded(warehouse: Warehouse) -> None:
    result = write(
        PROBE,
        warehouse,
        INITIAL,
        run_id="run-42",
        asset_key="diagnostics/probe_rows",
        input_versions={"source_issues": "7", "source_files": "3"},
        plan_fingerprint="plan-abc",
        details={"files": "3"},
    )
    expected = CommitStamp(
        run_id="run-42",
        asset_key="diagnostics/probe_rows",
        dataset="probe_rows",
        signature=signature(PROBE),
        input_versions={"source_files": "3", "source_issues": "7"},
        row_count=4,
        content_hash=content_hash(prepare(PROBE, INITIAL).table),
        write_mode="full",
        plan_fingerprint="plan-abc",
        details={"files": "3"},
    )
    assert result.version == 0
    assert result.rows_written == 4
    assert result.stamp == expected
    assert read_last_commit(PROBE, warehouse=warehouse) == expected
    [commit] = delta_table(PROBE, warehouse).history()
    assert commit["codeanatomy"] == msgspec.to_builtins(expected)
    handle = current_handle(PROBE, warehouse=warehouse)
    assert handle is not None
    assert (handle.version, handle.data_version) == (0, 0)


def test_output_signature_overrides_the_spec_signature(warehouse: Warehouse) -> None:
    # Steps whose tables depend on more than their spec (registry rows) pass their own.
    result = write(PROBE, warehouse, INITIAL, output_signature="spec+sources")
    assert result.stamp.signature == "spec+sources"
    stamp = read_last_commit(PROBE, warehouse=warehouse)
    assert stamp is not None
    assert stamp.signature == "spec+sources"


def test_read_last_commit_of_a_missing_table_is_none(warehouse: Warehouse) -> None:
    assert read_last_commit(PROBE, warehouse=warehouse) is None
    assert current_handle(PROBE, warehouse=warehouse) is None
    with pytest.raises(StorageError, match=re.escape("dataset 'probe_rows' has not been written to")):
        read_dataset(PROBE, warehouse=warehouse)


def test_rows_are_conformed_and_ordered_by_the_spec(warehouse: Warehouse) -> None:
    shuffled = INITIAL.take([3, 1, 2, 0]).select(
        ["tags", "score", "label", "kind", "part", "row_id", "file_id"]
    )
    write(PROBE, warehouse, shuffled)
    stored = read_dataset(PROBE, warehouse=warehouse)
    assert stored.column_names == list(PROBE.field_names)
    assert stored.column("row_id").to_pylist() == [10, 11, 20, 30]


def test_table_properties_are_reconciled_on_an_existing_table(warehouse: Warehouse) -> None:
    plain = with_policy(PROBE, features=())
    write(plain, warehouse, INITIAL)
    assert dict(delta_table(plain, warehouse).metadata().configuration) == {
        "delta.checkpointInterval": "10",
        "delta.dataSkippingStatsColumns": "row_id,file_id,part,kind,label,score",
    }

    tuned = with_policy(
        PROBE,
        stats_columns=("row_id", "label"),
        table_properties={"delta.logRetentionDuration": "interval 30 days"},
    )
    result = write(tuned, warehouse, INITIAL, run_id="run-2")
    expected_config = {
        "delta.checkpointInterval": "10",
        "delta.dataSkippingStatsColumns": "row_id,label",
        "delta.enableChangeDataFeed": "true",
        "delta.logRetentionDuration": "interval 30 days",
    }
    # only what differs is reconciled (the checkpoint interval was set by the first write)
    assert result.reconciled_properties == {
        k: v for k, v in expected_config.items() if k != "delta.checkpointInterval"
    }
    table = delta_table(tuned, warehouse)
    assert dict(table.metadata().configuration) == expected_config
    # One commit sets the properties, the next writes the data; freshness keys on the data one.
    history = sorted(table.history(), key=lambda c: c["version"])
    assert [(c["version"], c["operation"], c["codeanatomy"]["write_mode"]) for c in history] == [
        (0, "WRITE", "full"),
        (1, "SET TBLPROPERTIES", "reconcile_properties"),
        (2, "WRITE", "full"),
    ]
    assert result.version == 2
    stamp = read_last_commit(tuned, warehouse=warehouse)
    assert stamp is not None
    assert (stamp.run_id, stamp.write_mode, stamp.signature) == ("run-2", "full", signature(tuned))

    # Turning a feature off sets its property to false; unchanged properties are left alone.
    result = write(with_policy(tuned, features=()), warehouse, INITIAL, run_id="run-3")
    assert result.reconciled_properties == {"delta.enableChangeDataFeed": "false"}
    assert delta_table(tuned, warehouse).metadata().configuration["delta.enableChangeDataFeed"] == "false"


def test_same_policy_reconciles_nothing(warehouse: Warehouse) -> None:
    write(PROBE, warehouse, INITIAL)
    result = write(PROBE, warehouse, INITIAL)
    assert result.reconciled_properties == {}
    assert result.version == 1


def test_unsupported_feature_is_refused_before_writing(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend the installed deltalake supports no opt-in feature at all.
    monkeypatch.setattr(storage_properties, "supported_features", frozenset)  # () -> empty set
    message = "dataset 'probe_rows': table feature 'change_data_feed' is not supported by deltalake"
    with pytest.raises(UnsupportedFeatureError, match=re.escape(message)):
        write(PROBE, warehouse, INITIAL)
    assert current_handle(PROBE, warehouse=warehouse) is None


def _violation_cases() -> list[Any]:
    null_kind = INITIAL.set_column(3, "kind", pa.array(["def", None, "ref", "def"]))
    duplicate = INITIAL.set_column(1, "row_id", pa.array([10, 11, 10, 30]))
    outside = INITIAL.set_column(3, "kind", pa.array(["def", "call", "ref", "def"]))
    missing = INITIAL.drop_columns(["label"])
    extra = INITIAL.append_column("surprise", pa.array([1, 2, 3, 4]))
    bad_type = INITIAL.set_column(5, "score", pa.array(["high", "low", "x", "y"]))
    duplicate_problem = "column 'row_id' must be unique but has 1 duplicate rows"
    return [
        pytest.param(null_kind, "kind", "column 'kind' is non-nullable but has 1 nulls", id="null"),
        pytest.param(duplicate, "row_id", duplicate_problem, id="duplicate key"),
        pytest.param(outside, "kind", "column 'kind' has value 'call' outside ['def', 'ref']", id="allowed"),
        pytest.param(missing, "label", "column 'label' is missing from the data", id="missing"),
        pytest.param(extra, "surprise", "column 'surprise' is not a field of the spec", id="extra"),
        pytest.param(bad_type, "score", "column 'score' has type string, expected double", id="type"),
    ]


@pytest.mark.parametrize(("data", "column", "problem"), _violation_cases())
def test_contract_violation_names_dataset_and_column_and_keeps_the_table(
    warehouse: Warehouse, data: pa.Table, column: str, problem: str
) -> None:
    write(PROBE, warehouse, INITIAL)
    before = stored_rows(PROBE, warehouse)
    with pytest.raises(
        ContractViolation, match=f"^{re.escape(f'dataset {PROBE.name!r}: {problem}')}$"
    ) as err:
        write(PROBE, warehouse, data, run_id="run-bad")
    assert (err.value.dataset, err.value.column) == ("probe_rows", column)
    assert delta_table(PROBE, warehouse).version() == 0
    assert stored_rows(PROBE, warehouse) == before
    stamp = read_last_commit(PROBE, warehouse=warehouse)
    assert stamp is not None
    assert stamp.run_id == "run-1"


def test_composite_unique_constraint(warehouse: Warehouse) -> None:
    spec = replace(PROBE, contract=ContractSpec(unique=(("file_id", "label"),)))
    clash = INITIAL.set_column(4, "label", pa.array(["alpha", "alpha", None, None]))
    with pytest.raises(ContractViolation, match=re.escape("column 'file_id,label' must be unique")) as err:
        write(spec, warehouse, clash)
    assert err.value.column == "file_id,label"
    assert current_handle(spec, warehouse=warehouse) is None


def test_replace_file_ids_replaces_only_those_files_in_one_commit(warehouse: Warehouse) -> None:
    write(PROBE, warehouse, INITIAL)
    # File 1 is rewritten, file 3 is given with no rows (deleted), file 2 is not touched.
    new_rows = probe_rows((1, 12, "p1", "def", "alpha2", 9.5), (1, 13, "p1", "ref", None, None))
    result = write(PROBE, warehouse, new_rows, replace_file_ids=[3, 1], run_id="run-2")
    assert result.version == 1
    assert result.stamp.write_mode == "replace_files"
    assert result.stamp.row_count == 2
    assert result.stamp.content_hash == content_hash(prepare(PROBE, new_rows).table)
    table = delta_table(PROBE, warehouse)
    assert table.version() == 1
    assert [c["version"] for c in table.history()] == [1, 0]
    assert [(r["file_id"], r["row_id"], r["label"]) for r in stored_rows(PROBE, warehouse)] == [
        (1, 12, "alpha2"),
        (1, 13, None),
        (2, 20, None),
    ]


def test_replace_file_ids_rejects_rows_of_other_files(warehouse: Warehouse) -> None:
    write(PROBE, warehouse, INITIAL)
    stray = probe_rows((1, 12, "p1", "def", "a", None), (2, 22, "p2", "def", "b", None))
    with pytest.raises(ContractViolation, match=re.escape("column 'file_id' has rows of files outside")):
        write(PROBE, warehouse, stray, replace_file_ids=[1])
    assert delta_table(PROBE, warehouse).version() == 0


def test_replace_file_ids_needs_a_file_id_column(warehouse: Warehouse) -> None:
    spec = replace(PROBE, file_id_column=None)
    message = "dataset 'probe_rows' has no file id column: cannot replace files"
    with pytest.raises(StorageError, match=re.escape(message)):
        write(spec, warehouse, INITIAL, replace_file_ids=[1])


def test_content_hash_does_not_depend_on_chunking() -> None:
    rows = prepare(PROBE, INITIAL).table
    one_chunk = rows.combine_chunks()
    batches = [rows.slice(0, 1), rows.slice(1, 2), rows.slice(3, 1)]
    many_chunks = pa.concat_tables(batches)
    assert many_chunks.column("row_id").num_chunks == 3
    assert content_hash(many_chunks) == content_hash(one_chunk)
    assert content_hash(pa.Table.from_batches(rows.to_batches(max_chunksize=1))) == content_hash(one_chunk)


def test_content_hash_changes_with_values_and_names() -> None:
    rows = prepare(PROBE, INITIAL).table
    baseline = content_hash(rows)
    changed_value = rows.set_column(5, "score", pa.array([0.5, None, 1.5, 2.75]))
    renamed = rows.rename_columns([*PROBE.field_names[:-1], "labels"])
    assert content_hash(changed_value) != baseline
    assert content_hash(renamed) != baseline
    assert content_hash(rows.slice(0, 3)) != baseline


ORDERED = DatasetSpec(
    name="ordered_rows",
    domain=Domain.DIAGNOSTICS,
    description="many chunks, one ordering",
    fields=(
        FieldSpec(name="file_id", dtype=INT64, nullable=False),
        FieldSpec(name="ordinal", dtype=INT64, nullable=False),
        FieldSpec(name="text", dtype=STRING, nullable=False),
    ),
    key=("file_id", "ordinal"),
    ordering=("file_id", "ordinal"),
)


def test_multi_chunk_data_is_stored_in_the_spec_ordering(warehouse: Warehouse) -> None:
    # One chunk per source file, as the extractors produce them: deltalake alone would
    # interleave the chunks differently from run to run.
    chunks = [
        pa.table(
            {
                "file_id": pa.array([file_id] * 1000, pa.int64()),
                "ordinal": pa.array(range(1000), pa.int64()),
                "text": [f"{file_id}:{i}" for i in range(1000)],
            }
        )
        for file_id in range(72)
    ]
    data = pa.concat_tables(chunks)
    assert data.column("file_id").num_chunks == 72
    write(ORDERED, warehouse, data)
    stored = [pq.read_table(uri) for uri in delta_table(ORDERED, warehouse).file_uris()]
    assert pa.concat_tables(stored).num_rows == data.num_rows
    for part in stored:
        keys = list(zip(part.column("file_id").to_pylist(), part.column("ordinal").to_pylist(), strict=True))
        assert keys == sorted(keys)
    read_back = read_dataset(ORDERED, warehouse=warehouse)
    assert read_back.equals(data.cast(read_back.schema))
