"""Small builders of Arrow columns from numpy arrays and Python sequences (no per-row dicts)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from codeanatomy_core.source.text import LineIndex

_NUMPY_TYPES: dict[pa.DataType, type] = {pa.int32(): np.int32, pa.int64(): np.int64}


# pa.array(numpy, type=...) costs five times pa.array(numpy) on the small arrays of a
# file: values are converted in numpy first, and Arrow takes them as they are.
def int32s(values: np.ndarray | Sequence[int]) -> pa.Array:
    return pa.array(np.asarray(values).astype(np.int32, copy=False))


def int64s(values: np.ndarray | Sequence[int]) -> pa.Array:
    return pa.array(np.asarray(values).astype(np.int64, copy=False))


def with_nulls(values: np.ndarray, null: np.ndarray, dtype: pa.DataType) -> pa.Array:
    """``values`` as ``dtype`` (int32 or int64) with nulls where ``null`` is true."""
    values = values.astype(_NUMPY_TYPES[dtype], copy=False)
    return pa.array(values, mask=null) if null.any() else pa.array(values)


def minus_one_as_null(values: np.ndarray, dtype: pa.DataType) -> pa.Array:
    return with_nulls(values, values < 0, dtype)


def repeated(value: int, count: int) -> pa.Array:
    return pa.array(np.full(count, value, dtype=np.int64))


_STRING_LIST = pa.list_(pa.field("item", pa.string(), nullable=False))


def string_lists(lists: Sequence[Sequence[str]]) -> pa.Array:
    """A non-null list<string> column (items non-null) from Python sequences."""
    return pa.array(lists, _STRING_LIST)


def byte_spans(
    lines: LineIndex, start: tuple[np.ndarray, np.ndarray], end: tuple[np.ndarray, np.ndarray]
) -> tuple[pa.Array, pa.Array]:
    """(bstart, bend) of (1-based line, 0-based byte column) pairs; both null unless both
    ends are known (-1 or line 0 stand for unknown)."""
    starts = np.frombuffer(lines.starts, dtype=np.int64)

    def known(line: np.ndarray, col: np.ndarray) -> np.ndarray:
        return (line >= 1) & (col >= 0) & (line <= len(starts))

    unknown = ~(known(*start) & known(*end))

    def offsets(line: np.ndarray, col: np.ndarray) -> pa.Array:
        return with_nulls(starts[np.where(unknown, 0, line - 1)] + col, unknown, pa.int64())

    return offsets(*start), offsets(*end)


def utf8_safe(text: str) -> str:
    """Text Arrow can store: lone surrogates (from escapes in literals) become escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def string_array(values: Sequence[str | None]) -> pa.Array:
    """A string column; values with lone surrogates are escaped rather than refused."""
    try:
        return pa.array(values, pa.string())
    except UnicodeEncodeError:
        return pa.array([None if v is None else utf8_safe(v) for v in values], pa.string())
