"""Vectorised decoding of code objects' location tables and exception tables.

``co_positions()`` builds a 4-tuple for every 2-byte code word (caches included), which
costs more than parsing the file; the tables it reads are compact byte strings that
numpy decodes for all code objects of a file at once. The formats are CPython's
(Objects/locations.md, Objects/exception_handling_notes.txt); the tests compare the
results with ``co_positions()`` and ``dis._parse_exception_table`` on real files.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import CodeType

import msgspec
import numpy as np

from codeanatomy_core.errors import CodeAnatomyError

_NO_LOCATION = 15
_LONG_FORM = 14
_NO_COLUMNS = 13
_ONE_LINE_FORMS = (10, 11, 12)


class TableFormatError(CodeAnatomyError):
    """A code table did not have the layout this decoder expects."""


class WordPositions(msgspec.Struct, frozen=True, kw_only=True):
    """Source positions of the code words of concatenated code objects, per table entry.

    Entry ``i`` covers the words from ``first_word[i]`` on; -1 stands for None.
    """

    first_word: np.ndarray
    line: np.ndarray
    end_line: np.ndarray
    col: np.ndarray
    end_col: np.ndarray

    def at(self, words: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(line, end_line, col, end_col) of the given word indices (-1 for None)."""
        entry = np.searchsorted(self.first_word, words, side="right") - 1
        return self.line[entry], self.end_line[entry], self.col[entry], self.end_col[entry]


class ExceptionEntries(msgspec.Struct, frozen=True, kw_only=True):
    """Exception table entries of all code objects: byte offsets inside their unit."""

    unit: np.ndarray
    start: np.ndarray
    end: np.ndarray
    target: np.ndarray
    depth: np.ndarray
    lasti: np.ndarray


def _concat(tables: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    data = np.frombuffer(b"".join(tables), dtype=np.uint8)
    unit_of_byte = np.repeat(np.arange(len(tables)), [len(t) for t in tables])
    return data, unit_of_byte


def decode_varints(data: np.ndarray, *, big_endian: bool) -> tuple[np.ndarray, np.ndarray]:
    """Values of a run of 6-bit varints (bit 0x40: another chunk follows) and end indices.

    Location tables put the low chunk first, exception tables the high chunk first.
    """
    ends = np.flatnonzero((data & 0x40) == 0)
    if len(ends) == 0:
        return np.zeros(0, np.int64), ends
    if ends[-1] != len(data) - 1:
        raise TableFormatError("a varint runs past the end of its table")
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    varint_of_byte = np.repeat(np.arange(len(ends)), ends - starts + 1)
    positions = np.arange(len(data))
    chunks_after = ends[varint_of_byte] - positions
    shift = 6 * (chunks_after if big_endian else positions - starts[varint_of_byte])
    contributions = (data & 63).astype(np.int64) << shift
    return np.add.reduceat(contributions, starts), ends


def decode_locations(codes: Sequence[CodeType], word_counts: np.ndarray) -> WordPositions:
    """Positions of the code words of ``codes`` (concatenated), as ``co_positions()`` yields."""
    data, unit_of_byte = _concat([co.co_linetable for co in codes])
    entry_starts = np.flatnonzero(data & 0x80)
    first = data[entry_starts].astype(np.int64)
    code = (first >> 3) & 15
    length = (first & 7) + 1
    entry_unit = unit_of_byte[entry_starts]
    covered = np.bincount(entry_unit, weights=length, minlength=len(codes))
    if not np.array_equal(covered.astype(np.int64), word_counts):
        raise TableFormatError("location table does not cover the code")
    padded = np.concatenate((data, np.zeros(2, np.uint8))).astype(np.int64)
    byte1, byte2 = padded[entry_starts + 1], padded[entry_starts + 2]

    n = len(entry_starts)
    line_delta = np.zeros(n, np.int64)
    end_delta = np.zeros(n, np.int64)
    col = np.full(n, -1, np.int64)
    end_col = np.full(n, -1, np.int64)

    short = code < 10
    col[short] = (code[short] << 3) | (byte1[short] >> 4)
    end_col[short] = col[short] + (byte1[short] & 15)
    one_line = (code >= _ONE_LINE_FORMS[0]) & (code <= _ONE_LINE_FORMS[-1])
    line_delta[one_line] = code[one_line] - 10
    col[one_line], end_col[one_line] = byte1[one_line], byte2[one_line]

    with_varints = (code == _NO_COLUMNS) | (code == _LONG_FORM)
    if with_varints.any():
        entry_of_byte = np.repeat(np.arange(n), np.diff(np.append(entry_starts, len(data))))
        payload = with_varints[entry_of_byte]
        payload[entry_starts] = False
        values, _ = decode_varints(data[payload], big_endian=False)
        counts = np.where(code == _LONG_FORM, 4, np.where(code == _NO_COLUMNS, 1, 0))
        first_value = np.cumsum(counts) - counts
        if len(values) != counts.sum():
            raise TableFormatError("location table varints do not match their entries")
        signed = values[first_value[with_varints]]
        line_delta[with_varints] = np.where(signed & 1, -(signed >> 1), signed >> 1)
        long_form = code == _LONG_FORM
        base = first_value[long_form]
        end_delta[long_form] = values[base + 1]
        col[long_form] = values[base + 2] - 1
        end_col[long_form] = values[base + 3] - 1

    # Lines accumulate per code object from co_firstlineno; no-location entries add 0.
    running = np.cumsum(line_delta)
    first_entry = np.searchsorted(entry_unit, np.arange(len(codes)))
    before = np.append(running, 0)[first_entry - 1] * (first_entry > 0)
    firstlines = np.array([co.co_firstlineno for co in codes], np.int64)
    line = firstlines[entry_unit] + running - before[entry_unit]
    end_line = line + end_delta
    none = code == _NO_LOCATION
    line[none] = end_line[none] = col[none] = end_col[none] = -1
    return WordPositions(
        first_word=np.cumsum(length) - length,
        line=line,
        end_line=end_line,
        col=col,
        end_col=end_col,
    )


def decode_exception_tables(codes: Sequence[CodeType]) -> ExceptionEntries:
    """Entries of every code object's exception table (as ``dis._parse_exception_table``)."""
    data, unit_of_byte = _concat([co.co_exceptiontable for co in codes])
    values, ends = decode_varints(data, big_endian=True)
    if len(values) % 4:
        raise TableFormatError("exception table entries are incomplete")
    fields = values.reshape(-1, 4)
    start = fields[:, 0] * 2
    return ExceptionEntries(
        unit=unit_of_byte[ends[::4]] if len(ends) else np.zeros(0, np.int64),
        start=start,
        end=start + fields[:, 1] * 2,
        target=fields[:, 2] * 2,
        depth=fields[:, 3] >> 1,
        lasti=(fields[:, 3] & 1).astype(bool),
    )
