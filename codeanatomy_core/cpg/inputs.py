"""Reading the CPG rules' inputs: whole tables, the rows of a set of files, old versions.

Reads go through DataFusion's Delta provider. The rows of a file set are selected in the
engine by a semi join with a registered id table (no ``IN (...)`` literal, and no row of
another file reaches Python). :func:`changed_files` compares two versions of a table
rewritten whole, file by file, on the columns the rules read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import datafusion
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError

from codeanatomy_core.engine.idsets import register_ids
from codeanatomy_core.engine.session import plain_types
from codeanatomy_core.errors import StorageError
from codeanatomy_core.relspec.sql import quote
from codeanatomy_core.storage.location import TableHandle
from codeanatomy_core.storage.reader import open_table, scan_table


def delta_at(handle: TableHandle, version: int | None = None) -> DeltaTable:
    """``handle``'s table at ``version`` (default: the handle's own version)."""
    table = open_table(
        handle.uri,
        storage_options=dict(handle.storage_options) or None,
        version=handle.version if version is None else version,
    )
    if table is None:
        raise StorageError(f"dataset {handle.dataset!r}: no Delta table at {handle.uri}")
    return table


def read_table(handle: TableHandle, columns: Sequence[str], *, version: int | None = None) -> pa.Table:
    """Every row of ``handle``'s dataset (at ``version``), only ``columns``, in file order."""
    table = delta_at(handle, version)
    try:
        if _local_parquet(table, handle.uri):
            schema = pa.schema(table.schema().to_arrow())
            paths = _paths(table, handle.uri)
            if not paths:
                return plain_types(schema.empty_table().select(list(columns)))
            return plain_types(
                ds.dataset(paths, schema=schema, format="parquet").to_table(columns=list(columns))
            )
        return scan_table(table, columns=list(columns))
    except (DeltaError, OSError, ValueError, pa.ArrowException) as err:
        raise StorageError(f"reading dataset {handle.dataset!r} from {handle.uri} failed: {err}") from err


def _paths(table: DeltaTable, uri: str) -> list[str]:
    root = uri.removeprefix("file://").rstrip("/")
    return [
        p if p.startswith("/") else f"{root}/{p}"
        for p in pa.table(table.get_add_actions()).column("path").to_pylist()
    ]


def _local_parquet(table: DeltaTable, uri: str) -> bool:
    """Whether the table's Parquet files can be read directly (local, no partitions, no
    reader features such as deletion vectors or column mapping)."""
    protocol = table.protocol()
    return (
        "://" not in uri.removeprefix("file://")
        and protocol.min_reader_version <= 1
        and not protocol.reader_features
        and not table.metadata().partition_columns
    )


def _files_holding(table: DeltaTable, uri: str, column: str, ids: np.ndarray) -> list[str]:
    """Paths of the Parquet files whose ``column`` range (Delta statistics) holds an id."""
    actions = pa.table(table.get_add_actions(flatten=True))
    paths = actions.column("path").to_pylist()
    names = actions.column_names
    if f"min.{column}" not in names or f"max.{column}" not in names:
        keep = np.ones(len(paths), dtype=bool)
    else:
        low = actions.column(f"min.{column}")
        high = actions.column(f"max.{column}")
        unknown = np.asarray(
            pc.or_(pc.is_null(low), pc.is_null(high)).to_numpy(zero_copy_only=False), dtype=bool
        )
        lo = np.asarray(low.fill_null(0).to_numpy(), dtype=np.int64)
        hi = np.asarray(high.fill_null(0).to_numpy(), dtype=np.int64)
        at = np.searchsorted(ids, lo, side="left")
        keep = unknown | ((at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] <= hi))
    root = uri.removeprefix("file://").rstrip("/")
    return [
        path if path.startswith("/") else f"{root}/{path}" for path, k in zip(paths, keep, strict=True) if k
    ]


def read_files(
    handle: TableHandle,
    columns: Sequence[str],
    *,
    file_column: str,
    files: Iterable[int] | np.ndarray,
    version: int | None = None,
) -> pa.Table:
    """The rows of ``handle``'s dataset (at ``version``) that belong to ``files``."""
    return read_matching(handle, columns, column=file_column, values=files, version=version)


def read_matching(
    handle: TableHandle,
    columns: Sequence[str],
    *,
    column: str,
    values: Iterable[int] | np.ndarray,
    version: int | None = None,
) -> pa.Table:
    """The rows of ``handle``'s dataset (at ``version``) whose integer ``column`` is one of
    ``values``.

    Local tables: only the Parquet files (and row groups) whose statistics of ``column``
    can hold one of the values are read. Otherwise DataFusion's Delta provider is scanned
    and the rows are selected by a semi join with a registered id table.
    """
    ids = np.unique(np.fromiter(values, dtype=np.int64) if not isinstance(values, np.ndarray) else values)
    table = delta_at(handle, version)
    try:
        if _local_parquet(table, handle.uri):
            schema = pa.schema(table.schema().to_arrow())
            paths = _files_holding(table, handle.uri, column, ids) if len(ids) else []
            if not paths:
                return plain_types(schema.empty_table().select(list(columns)))
            dataset = ds.dataset(paths, schema=schema, format="parquet")
            found = dataset.to_table(columns=list(columns), filter=pc.field(column).isin(pa.array(ids)))
            return plain_types(found)
        ctx = datafusion.SessionContext(datafusion.SessionConfig().with_target_partitions(1))
        ctx.register_table("t", table)
        register_ids(ctx, ids, name="wanted")
        listed = ", ".join(f"t.{quote(c)}" for c in columns)
        frame = ctx.sql(f"SELECT {listed} FROM t WHERE t.{quote(column)} IN (SELECT id FROM wanted)")
        return plain_types(frame.to_arrow_table())
    except (DeltaError, OSError, pa.ArrowException) as err:
        raise StorageError(f"reading rows of dataset {handle.dataset!r} failed: {err}") from err
    except Exception as err:  # DataFusion raises ValueError or a bare Exception
        raise StorageError(f"reading rows of dataset {handle.dataset!r} failed: {err}") from err


def rows_of(table: pa.Table, files: np.ndarray, *, file_column: str) -> pa.Table:
    """The rows of an in-memory table that belong to ``files`` (an int64 array)."""
    if table.num_rows == 0:
        return table
    mask = pc.is_in(table.column(file_column), value_set=pa.array(files, pa.int64()))
    return table.filter(mask)
