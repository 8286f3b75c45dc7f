"""Read helpers: open a table, its latest CodeAnatomy commit, its rows as Arrow."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial

import datafusion
import pyarrow as pa
from deltalake import DeltaTable
from deltalake import Schema as DeltaSchema
from deltalake.exceptions import DeltaError, TableNotFoundError

from codeanatomy_core.errors import StorageError
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.storage.commit import CommitStamp, from_commit_info
from codeanatomy_core.storage.kept_tables import at_version, is_keepable, latest, remembered
from codeanatomy_core.storage.location import TableHandle, Warehouse

# Maintenance commits (optimize, vacuum) carry no stamp; look this far back for one.
_HISTORY_DEPTH = 50


def open_table(
    uri: str, *, storage_options: dict[str, str] | None = None, version: int | None = None
) -> DeltaTable | None:
    """The Delta table at ``uri`` (at ``version``, default the latest), or None when there is
    none yet. Local tables stay open for the process (``storage/kept_tables.py``): the
    table is shared, to read from now, not to keep across a write of the same table."""
    opener = partial(_open, uri, storage_options)
    if not is_keepable(uri, storage_options):
        return opener(version)
    return latest(uri, opener) if version is None else at_version(uri, version, opener)


def _open(uri: str, storage_options: dict[str, str] | None, version: int | None) -> DeltaTable | None:
    try:
        return DeltaTable(uri, version=version, storage_options=storage_options)
    except TableNotFoundError:
        return None
    except (DeltaError, OSError) as err:
        raise StorageError(f"cannot open Delta table at {uri}: {err}") from err


def schemas_match(table: DeltaTable, wanted: pa.Schema) -> bool:
    """Same column names, types and nullability (Delta keeps no Arrow schema metadata).

    Compared as parsed JSON: deltalake serialises field metadata in hash-map order, so two
    equal schemas can give different JSON texts when a field has several metadata keys.
    """
    return json.loads(table.schema().to_json()) == json.loads(DeltaSchema.from_arrow(wanted).to_json())


def _without_view_types(data_type: pa.DataType) -> pa.DataType:
    if pa.types.is_string_view(data_type):
        return pa.string()
    if pa.types.is_binary_view(data_type):
        return pa.binary()
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        item = data_type.value_field
        return pa.list_(item.with_type(_without_view_types(item.type)))
    if pa.types.is_struct(data_type):
        return pa.struct([f.with_type(_without_view_types(f.type)) for f in data_type.fields])
    return data_type


def scan_table(table: DeltaTable, *, columns: Sequence[str] | None = None) -> pa.Table:
    """All rows of one table version, in file order, with plain (non-view) Arrow types.

    Reads through DataFusion's Delta provider rather than ``DeltaTable.to_pyarrow_table``,
    whose pyarrow-dataset path over deltalake's Python filesystem can abort the process at
    interpreter exit (delta-rs #2184).
    """
    config = datafusion.SessionConfig().with_target_partitions(1)
    ctx = datafusion.SessionContext(config)
    ctx.register_table("t", table)
    frame = ctx.table("t")
    if columns:
        frame = frame.select(*columns)
    result = frame.to_arrow_table()
    schema = pa.schema([f.with_type(_without_view_types(f.type)) for f in result.schema])
    return result.cast(schema) if schema != result.schema else result


def last_data_commit(table: DeltaTable) -> tuple[CommitStamp, int] | None:
    """The stamp and version of the most recent data commit CodeAnatomy wrote to ``table``.

    Maintenance (optimize, vacuum) and property changes do not change the data, so they are
    skipped: downstream freshness keys on this version, not on the latest one.
    """
    uri = table.table_uri.removeprefix("file://").rstrip("/")
    return remembered(uri, table.version(), "last_data_commit", partial(_last_data_commit, table))


def _last_data_commit(table: DeltaTable) -> tuple[CommitStamp, int] | None:
    # The last commit first: it is the data commit nearly always, and reads one log entry.
    for depth in (1, _HISTORY_DEPTH):
        for info in table.history(depth):
            stamp = from_commit_info(info)
            if stamp is not None and stamp.write_mode != "reconcile_properties":
                return stamp, int(info["version"])
    return None


def last_stamp(table: DeltaTable) -> CommitStamp | None:
    """The stamp of the most recent data commit CodeAnatomy wrote to ``table``."""
    found = last_data_commit(table)
    return None if found is None else found[0]


def read_last_commit(spec: DatasetSpec, *, warehouse: Warehouse) -> CommitStamp | None:
    table = open_table(warehouse.table_uri(spec), storage_options=warehouse.options())
    return None if table is None else last_stamp(table)


def handle_at(uri: str, *, dataset: str, storage_options: dict[str, str] | None = None) -> TableHandle | None:
    """A handle on the latest version of the table at ``uri``, or None if there is none."""
    table = open_table(uri, storage_options=storage_options or None)
    if table is None:
        return None
    found = last_data_commit(table)
    version = table.version()
    return TableHandle(
        dataset=dataset,
        uri=uri,
        version=version,
        data_version=version if found is None else found[1],
        storage_options=dict(storage_options or {}),
    )


def current_handle(spec: DatasetSpec, *, warehouse: Warehouse) -> TableHandle | None:
    """A handle on the latest version of ``spec``'s table, or None if it was never written."""
    return handle_at(warehouse.table_uri(spec), dataset=spec.name, storage_options=warehouse.storage_options)


def read_handle(handle: TableHandle, *, columns: Sequence[str] | None = None) -> pa.Table:
    """The rows of the exact table version a handle points at."""
    table = open_table(
        handle.uri, storage_options=dict(handle.storage_options) or None, version=handle.version
    )
    if table is None:
        raise StorageError(f"dataset {handle.dataset!r}: no Delta table at {handle.uri}")
    try:
        return scan_table(table, columns=columns)
    except (DeltaError, OSError, ValueError) as err:
        raise StorageError(f"reading dataset {handle.dataset!r} from {handle.uri} failed: {err}") from err


def read_dataset(
    spec: DatasetSpec, *, warehouse: Warehouse, columns: Sequence[str] | None = None
) -> pa.Table:
    handle = current_handle(spec, warehouse=warehouse)
    if handle is None:
        raise StorageError(f"dataset {spec.name!r} has not been written to {warehouse.root}")
    return read_handle(handle, columns=columns)
