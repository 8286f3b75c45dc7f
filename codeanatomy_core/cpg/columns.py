"""Column helpers of the CPG build: constants, rule-coded strings, numpy orderings.

Low-cardinality string columns (kinds, rule names, property keys) stay dictionary-encoded
while tables are reordered (a take moves int32 codes, not strings); :func:`plain` turns
them into plain strings once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def constant_strings(value: str, n: int) -> pa.DictionaryArray:
    """``value`` repeated ``n`` times (a one-entry dictionary: no Python objects)."""
    return decode_codes(np.zeros(n, dtype=np.int32), [value])


def decode_codes(codes: np.ndarray, values: Sequence[str]) -> pa.DictionaryArray:
    """The strings ``values[codes[i]]``, dictionary-encoded."""
    indices = pa.array(np.asarray(codes, dtype=np.int32), pa.int32())
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(values), pa.string()))


def plain(table: pa.Table) -> pa.Table:
    """``table`` with every dictionary column decoded into its value type."""
    for index, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            column = table.column(index).cast(field.type.value_type)
            table = table.set_column(index, field.with_type(field.type.value_type), column)
    return table


def first_per_key(keys: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Row indices of the first row (in ``order``, which groups equal keys) of every key."""
    ranked = keys[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ranked[1:] != ranked[:-1]
    return order[first]


def member(values: np.ndarray, ids: pa.Array) -> np.ndarray:
    """Which ``values`` are among ``ids`` (a hash lookup)."""
    return pc.is_in(pa.array(values, pa.int64()), value_set=ids).to_numpy(zero_copy_only=False)


def sorted_member(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Which ``values`` are among the ascending, distinct ``ordered`` ids (binary search)."""
    if len(ordered) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


def int_column(table: pa.Table, name: str) -> np.ndarray:
    """An integer column as numpy (nulls as 0)."""
    column = table.column(name)
    if column.null_count:
        column = column.fill_null(0)
    return column.to_numpy()


def float_column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).fill_null(0.0).to_numpy()


def take(table: pa.Table, indices: np.ndarray) -> pa.Table:
    """Rows ``indices`` of a single-chunk table (fast path of pyarrow's take)."""
    return table.take(pa.array(indices, pa.int64()))


def _file_ranks(files: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense rank of every file id (hashed, then the few distinct ids sorted) and the count."""
    encoded = pc.dictionary_encode(pa.array(files, pa.int64()))
    values = encoded.dictionary.to_numpy()
    rank_of = np.empty(len(values), dtype=np.int64)
    rank_of[np.argsort(values)] = np.arange(len(values))
    return rank_of[encoded.indices.to_numpy(zero_copy_only=False)], len(values)


def file_order(files: np.ndarray, ids: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Row order by (files, ids[, tiebreak]).

    One sort by id (after one by ``tiebreak``, stable), then a stable sort by the rank of
    the file (a radix sort: ranks fit 16 bits for up to 65 536 files). ``tiebreak`` must be
    unique within each (file, id); without it the pairs must be unique.
    """
    if tiebreak is None:
        order = np.argsort(ids)
    else:
        order = np.argsort(tiebreak)
        order = order[np.argsort(ids[order], kind="stable")]
    if len(order) == 0:
        return order
    ranks, count = _file_ranks(files[order])
    return order[np.argsort(ranks.astype(np.uint16 if count <= 1 << 16 else np.int64), kind="stable")]
