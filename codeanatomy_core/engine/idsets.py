"""Large id sets as tables: register them and join on them, never a giant ``IN (...)``.

A query over "these 200 000 node ids" registers the ids as a one-column in-memory table
(deduplicated, sorted) and joins on it; the plan stays small, its fingerprint does not
depend on the ids, and DataFusion uses a hash join instead of a huge literal list.
"""

from __future__ import annotations

from collections.abc import Iterable

import datafusion
import numpy as np
import pyarrow as pa

from codeanatomy_core.errors import QueryError

ID_COLUMN = "id"
_INT64_MAX = 2**63 - 1


def id_table(ids: Iterable[int] | pa.Array | np.ndarray, *, column: str = ID_COLUMN) -> pa.Table:
    """A one-column int64 table of the distinct ``ids``, sorted."""
    if isinstance(ids, pa.Array | pa.ChunkedArray):
        if ids.null_count or not pa.types.is_integer(ids.type):
            raise QueryError(f"id set for column {column!r} must be non-null integers, got {ids.type}")
        raw = np.asarray(ids.to_numpy(zero_copy_only=False))
    else:
        raw = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids))
    if raw.size and (raw.dtype.kind not in "iu" or (raw.dtype.kind == "u" and raw.max() > _INT64_MAX)):
        raise QueryError(
            f"id set for column {column!r} holds values that are not 64-bit integers ({raw.dtype})"
        )
    values = np.unique(raw.astype(np.int64))
    field = pa.field(column, pa.int64(), nullable=False)
    return pa.Table.from_arrays([pa.array(values, pa.int64())], schema=pa.schema([field]))


def free_name(ctx: datafusion.SessionContext, *, prefix: str = "id_set") -> str:
    """The first ``<prefix>_<n>`` not registered in ``ctx`` (deterministic per session)."""
    n = 1
    while ctx.table_exist(f"{prefix}_{n}"):
        n += 1
    return f"{prefix}_{n}"


def register_ids(
    ctx: datafusion.SessionContext,
    ids: Iterable[int] | pa.Array | np.ndarray,
    *,
    name: str | None = None,
    column: str = ID_COLUMN,
) -> str:
    """Register ``ids`` as table ``name`` (default: a free ``id_set_<n>``); returns the name.

    An existing table of that name is replaced. Join on it in SQL
    (``... JOIN id_set_1 s ON n.node_id = s.id``) or with :func:`semi_join_ids`.
    """
    name = name or free_name(ctx)
    if not name.isidentifier():
        raise QueryError(f"id set name {name!r} is not an identifier")
    table = id_table(ids, column=column)
    batches = table.to_batches() or [pa.RecordBatch.from_pylist([], schema=table.schema)]
    if ctx.table_exist(name):
        ctx.deregister_table(name)
    ctx.register_record_batches(name, [batches])
    return name


def semi_join_ids(
    frame: datafusion.DataFrame,
    ctx: datafusion.SessionContext,
    ids: Iterable[int] | pa.Array | np.ndarray,
    *,
    on: str,
    name: str | None = None,
) -> datafusion.DataFrame:
    """Rows of ``frame`` whose column ``on`` is one of ``ids`` (a semi join: no columns added)."""
    table = register_ids(ctx, ids, name=name)
    try:
        return frame.join(ctx.table(table), how="semi", left_on=on, right_on=ID_COLUMN)
    except Exception as err:  # DataFusion raises ValueError or a bare Exception
        raise QueryError(f"cannot join id set {table!r} on column {on!r}: {err}") from err
