"""Vectorised 64-bit row hashes and per-file digests of Arrow tables (no Python per row).

A row hash folds the hash of every column value in with a splitmix64 round (integers and
floats by their bits, strings by a position-weighted sum of their bytes, nulls by a
sentinel). A file's digest combines the row hashes of its rows as a multiset (a wrapping
sum, mixed with the row count), so it does not depend on the order rows were read in.
64 bits, like the entity ids: a change goes unnoticed with probability ~2**-64.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.ids import tag_id

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_NULL = np.uint64(tag_id("digest:null"))
_CHUNK_BYTES = 1 << 22  # strings are hashed in slices of about this many bytes
# One shared, growing table of weights (a dict slot avoids a module-level ``global``).
_WEIGHTS: dict[str, np.ndarray] = {"table": np.zeros(0, dtype=np.uint64)}


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser of a uint64 array (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _weights(n: int) -> np.ndarray:
    """Pseudo-random odd weights of byte positions 0..n-1 (grown on demand, shared)."""
    table = _WEIGHTS["table"]
    if len(table) < n:
        size = max(n, 2 * len(table), 256)
        table = mix(np.arange(size, dtype=np.uint64) + _GOLDEN) | np.uint64(1)
        _WEIGHTS["table"] = table
    return table[:n]


def _string_hashes(array: pa.Array) -> np.ndarray:
    """Hash of every string of ``array`` (nulls hash like empty strings; see the caller)."""
    n = len(array)
    offsets_type = (
        np.int64 if pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type) else np.int32
    )
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=offsets_type)[array.offset : array.offset + n + 1].astype(
        np.int64
    )
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    out = np.empty(n, dtype=np.uint64)
    start = 0
    while start < n:
        # rows [start, stop) hold about _CHUNK_BYTES bytes (at least one row)
        stop = int(np.searchsorted(offsets, offsets[start] + _CHUNK_BYTES, side="right"))
        stop = min(max(stop - 1, start + 1), n)
        first, last = offsets[start], offsets[stop]
        chunk = data[first:last].astype(np.uint64)
        starts = offsets[start:stop] - first
        position = np.arange(last - first, dtype=np.int64) - np.repeat(starts, lengths[start:stop])
        with np.errstate(over="ignore"):
            weighted = chunk * _weights(int(lengths[start:stop].max(initial=0)))[position]
            sums = np.concatenate(([np.uint64(0)], np.cumsum(weighted, dtype=np.uint64)))
            segment = sums[starts + lengths[start:stop]] - sums[starts]
        out[start:stop] = segment ^ mix(lengths[start:stop].astype(np.uint64) + _GOLDEN)
        start = stop
    return out


def _strings(array: pa.Array) -> np.ndarray:
    """String hashes through the distinct values (hashed once each), without nulls' care."""
    encoded = pc.dictionary_encode(array)
    codes = np.asarray(encoded.indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    dictionary = encoded.dictionary
    values = _string_hashes(dictionary) if len(dictionary) else np.zeros(1, dtype=np.uint64)
    return values[codes]


def column_hashes(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A uint64 hash of every value of ``column`` (equal values, equal hashes)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    valid = None if array.null_count == 0 else np.asarray(array.is_valid())
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        values = _strings(array)
    elif pa.types.is_boolean(kind):
        values = np.asarray(array.fill_null(False)).astype(np.uint64)
    elif pa.types.is_integer(kind):
        values = np.asarray(array.fill_null(0).cast(pa.int64())).view(np.uint64)
    elif pa.types.is_floating(kind):
        values = np.asarray(array.fill_null(0.0).cast(pa.float64())).view(np.uint64)
    else:  # nested or other types: canonical JSON of each value (rare, small columns)
        texts = pa.array([msgspec.json.encode(v).decode() for v in array.to_pylist()], pa.string())
        values = _strings(texts)
    return values if valid is None else np.where(valid, values, _NULL)


def row_hashes(table: pa.Table, columns: Sequence[str] | None = None) -> np.ndarray:
    """A uint64 hash of every row of ``table`` over ``columns`` (default: all, in order)."""
    acc = np.full(table.num_rows, _GOLDEN, dtype=np.uint64)
    for name in columns if columns is not None else table.column_names:
        with np.errstate(over="ignore"):
            acc = mix((acc + column_hashes(table.column(name))) ^ np.uint64(tag_id(f"column:{name}")))
    return acc


def group_digests(keys: np.ndarray, hashes: np.ndarray) -> dict[int, int]:
    """key -> digest of the multiset of ``hashes`` of its rows (signed 64-bit ints)."""
    if len(keys) == 0:
        return {}
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    with np.errstate(over="ignore"):
        sums = np.add.reduceat(hashes[order], starts, dtype=np.uint64)
        counts = np.diff(np.append(starts, len(keys))).astype(np.uint64)
        digests = mix(sums ^ mix(counts + _GOLDEN)).view(np.int64)
    return dict(zip(ordered[starts].tolist(), digests.tolist(), strict=True))


def file_digests(
    table: pa.Table, *, file_column: str, columns: Sequence[str] | None = None
) -> dict[int, int]:
    """file id -> digest of that file's rows (over ``columns``; default all), any row order."""
    files = table.column(file_column).fill_null(0).to_numpy()
    return group_digests(np.asarray(files, dtype=np.int64), row_hashes(table, columns))
