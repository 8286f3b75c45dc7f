"""Per-dataset Delta write policy: layout, statistics, Parquet properties, table features."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Compression(StrEnum):
    UNCOMPRESSED = "UNCOMPRESSED"
    SNAPPY = "SNAPPY"
    GZIP = "GZIP"
    BROTLI = "BROTLI"
    LZ4_RAW = "LZ4_RAW"
    ZSTD = "ZSTD"


class SchemaMode(StrEnum):
    """How a write treats a table whose schema differs from the spec's.

    STRICT fails, MERGE adds new columns, OVERWRITE replaces the schema (full writes only).
    """

    STRICT = "strict"
    MERGE = "merge"
    OVERWRITE = "overwrite"


class TableFeature(StrEnum):
    """Opt-in Delta table features; validated against the installed deltalake."""

    CHANGE_DATA_FEED = "change_data_feed"
    APPEND_ONLY = "append_only"
    CHECK_CONSTRAINTS = "check_constraints"


class BloomFilterSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    column: str
    fpp: float = 0.01
    ndv: int | None = None


class DeltaWritePolicy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one dataset is laid out and written as a Delta table.

    ``stats_columns`` None means automatic: key, ordering and partition columns first, then
    the remaining scalar columns in schema order, capped at ``max_stats_columns``.
    ``target_file_size`` defaults to 2 MiB: a per-file replace (incremental build) rewrites
    only the Parquet files holding that file's rows, so small files keep it cheap (on the
    standard library, a one-file extract step took 0.5-0.6 s against 0.8-1.0 s with 8 MiB
    files; the full build did not change measurably).
    Compression defaults to LZ4 (raw) without dictionary pages: on the standard library's
    syntax-tree and bytecode tables it writes about 30 % faster than ZSTD level 1 (1.4M
    ast_nodes rows: 0.29 s against 0.42 s), for files about 40 % larger; ZSTD level 1 was
    itself twice as fast as level 3 with dictionaries.
    """

    partition_by: tuple[str, ...] = ()
    zorder_by: tuple[str, ...] = ()
    target_file_size: int | None = 2 * 1024 * 1024
    stats_columns: tuple[str, ...] | None = None
    max_stats_columns: int = 32
    compression: Compression = Compression.LZ4_RAW
    compression_level: int | None = None
    dictionary_enabled: bool = False
    bloom_filters: tuple[BloomFilterSpec, ...] = ()
    max_row_group_size: int | None = None
    schema_mode: SchemaMode = SchemaMode.OVERWRITE
    features: tuple[TableFeature, ...] = ()
    table_properties: dict[str, str] = {}
