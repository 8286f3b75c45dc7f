"""Id functions for rule expressions, registered in every session that plans or runs rules.

* ``derive_id(base BIGINT, tag VARCHAR, ordinal BIGINT) -> BIGINT``: the id
  :func:`codeanatomy_core.ids.derive_ids` gives entity ``ordinal`` of kind ``tag`` inside
  ``base`` (e.g. ``derive_id(file_id, 'ast', 0)`` is the id of a file's Module node);
* ``name_id(tag VARCHAR, name VARCHAR) -> BIGINT``: ``stable_id(tag, name)``, for entities
  known by name only (external symbols).

Both are deterministic and vectorised; nulls give nulls.
"""

from __future__ import annotations

import datafusion
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.ids import derive_ids_of, stable_id


def _derive_id(base: pa.Array, tag: pa.Array, ordinal: pa.Array) -> pa.Array:
    n = len(base)
    out = np.zeros(n, dtype=np.int64)
    valid = pc.and_(pc.and_(pc.is_valid(base), pc.is_valid(tag)), pc.is_valid(ordinal))
    valid_np = valid.to_numpy(zero_copy_only=False)
    bases = base.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    ordinals = ordinal.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    tags = np.asarray(tag.fill_null("").to_pylist(), dtype=object) if n else np.zeros(0, dtype=object)
    for value in set(tags.tolist()):
        rows = tags == value
        out[rows] = derive_ids_of(bases[rows], value, ordinals[rows])
    return pa.array(out, pa.int64(), mask=~valid_np if not valid_np.all() else None)


def _name_id(tag: pa.Array, name: pa.Array) -> pa.Array:
    cache: dict[tuple[str, str], int] = {}
    values: list[int | None] = []
    for t, s in zip(tag.to_pylist(), name.to_pylist(), strict=True):
        if t is None or s is None:
            values.append(None)
            continue
        key = (t, s)
        if key not in cache:
            cache[key] = stable_id(t, s)
        values.append(cache[key])
    return pa.array(values, pa.int64())


DERIVE_ID = datafusion.udf(
    _derive_id, [pa.int64(), pa.string(), pa.int64()], pa.int64(), "immutable", "derive_id"
)
NAME_ID = datafusion.udf(_name_id, [pa.string(), pa.string()], pa.int64(), "immutable", "name_id")


def register_udfs(ctx: datafusion.SessionContext) -> None:
    ctx.register_udf(DERIVE_ID)
    ctx.register_udf(NAME_ID)
