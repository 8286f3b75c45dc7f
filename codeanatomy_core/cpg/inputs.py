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
    """Every row of ``handle``'s dataset (at ``version``), only ``columns``."""
    try:
        return scan_table(delta_at(handle, version), columns=list(columns))
    except (DeltaError, OSError, ValueError) as err:
        raise StorageError(f"reading dataset {handle.dataset!r} from {handle.uri} failed: {err}") from err


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
    """The rows of ``handle``'s dataset (at ``version``) that belong to ``files``.

    Local tables: only the Parquet files (and row groups) whose file-id statistics can hold
    one of the ids are read. Otherwise DataFusion's Delta provider is scanned and the rows
    are selected by a semi join with a registered id table.
    """
    ids = np.unique(np.fromiter(files, dtype=np.int64) if not isinstance(files, np.ndarray) else files)
    table = delta_at(handle, version)
    try:
        if _local_parquet(table, handle.uri):
            schema = pa.schema(table.schema().to_arrow())
            paths = _files_holding(table, handle.uri, file_column, ids) if len(ids) else []
            if not paths:
                return plain_types(schema.empty_table().select(list(columns)))
            dataset = ds.dataset(paths, schema=schema, format="parquet")
            found = dataset.to_table(columns=list(columns), filter=pc.field(file_column).isin(pa.array(ids)))
            return plain_types(found)
        ctx = datafusion.SessionContext(datafusion.SessionConfig().with_target_partitions(1))
        ctx.register_table("t", table)
        register_ids(ctx, ids, name="files")
        listed = ", ".join(f"t.{quote(c)}" for c in columns)
        frame = ctx.sql(f"SELECT {listed} FROM t WHERE t.{quote(file_column)} IN (SELECT id FROM files)")
        return plain_types(frame.to_arrow_table())
    except (DeltaError, OSError, pa.ArrowException) as err:
        raise StorageError(f"reading files of dataset {handle.dataset!r} failed: {err}") from err
    except Exception as err:  # DataFusion raises ValueError or a bare Exception
        raise StorageError(f"reading files of dataset {handle.dataset!r} failed: {err}") from err


def rows_of(table: pa.Table, files: np.ndarray, *, file_column: str) -> pa.Table:
    """The rows of an in-memory table that belong to ``files`` (an int64 array)."""
    if table.num_rows == 0:
        return table
    mask = pc.is_in(table.column(file_column), value_set=pa.array(files, pa.int64()))
    return table.filter(mask)


def _runs(files: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row order grouping files stably, distinct files, start of each file's run)."""
    order = np.argsort(files, kind="stable")
    ordered = files[order]
    starts = (
        np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        if len(files)
        else np.zeros(0, np.int64)
    )
    return order, ordered[starts], starts


def changed_files(old: pa.Table, new: pa.Table, *, file_column: str) -> frozenset[int]:
    """Files whose rows differ between two versions of a table (same columns).

    Rows are compared in their stored order within each file: a file whose rows were only
    reordered counts as changed (a superset is what a rebuild set may be).
    """
    old_files = np.asarray(old.column(file_column).fill_null(0).to_numpy(), dtype=np.int64)
    new_files = np.asarray(new.column(file_column).fill_null(0).to_numpy(), dtype=np.int64)
    old_order, old_ids, old_starts = _runs(old_files)
    new_order, new_ids, new_starts = _runs(new_files)
    old_counts = np.diff(np.append(old_starts, len(old_files)))
    new_counts = np.diff(np.append(new_starts, len(new_files)))
    changed = set(np.setxor1d(old_ids, new_ids).tolist())
    common, old_at, new_at = np.intersect1d(old_ids, new_ids, assume_unique=True, return_indices=True)
    same_count = old_counts[old_at] == new_counts[new_at]
    changed.update(common[~same_count].tolist())
    common, old_at, new_at = common[same_count], old_at[same_count], new_at[same_count]
    if len(common) == 0:
        return frozenset(changed)
    counts = old_counts[old_at]
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    old_rows = old_order[np.repeat(old_starts[old_at], counts) + within]
    new_rows = new_order[np.repeat(new_starts[new_at], counts) + within]
    differs = np.zeros(len(old_rows), dtype=bool)
    old_take, new_take = pa.array(old_rows, pa.int64()), pa.array(new_rows, pa.int64())
    for name in new.column_names:
        a = old.column(name).take(old_take)
        b = new.column(name).take(new_take)
        same = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        differs |= ~np.asarray(pc.or_(same, both_null).to_numpy(zero_copy_only=False), dtype=bool)
    bounds = np.concatenate(([0], np.cumsum(counts)[:-1]))
    dirty = np.add.reduceat(differs.astype(np.int64), bounds) > 0
    changed.update(common[dirty].tolist())
    return frozenset(changed)
