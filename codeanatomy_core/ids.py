"""Deterministic 64-bit entity ids.

An id is a stable hash of a documented tuple of parts, the same on every machine, every
run and every worker count (Python's ``hash`` is salted per process, so it is never used).

* ``stable_id(*parts)``: blake2b-64 of the canonical text of the parts, for ids that are
  made once per entity of low volume (repositories, files).
* ``derive_ids(base, tag, ordinals)``: a vectorised splitmix64 mix of a base id (a file id),
  an entity tag and per-entity ordinals, for the millions of syntax-tree nodes,
  instructions and tokens of a large repository. Same parts -> same id; the uniqueness of
  every key column is still checked by the dataset contract before each write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_MASK64 = (1 << 64) - 1
_SEPARATOR = "\x1f"


def _to_signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def stable_id(*parts: str | int) -> int:
    """Signed 64-bit id from the canonical text of ``parts`` (order matters)."""
    text = _SEPARATOR.join(f"{type(p).__name__[0]}:{p}" for p in parts)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return _to_signed(int.from_bytes(digest, "little"))


@lru_cache(maxsize=1024)
def tag_id(tag: str) -> int:
    """Unsigned 64-bit constant naming an entity kind (mixed into derived ids)."""
    digest = hashlib.blake2b(tag.encode("utf-8"), digest_size=8, person=b"ca-tag").digest()
    return int.from_bytes(digest, "little")


_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    # Standard splitmix64 finaliser; uint64 arithmetic wraps modulo 2**64 by design.
    # The first step makes a new array; the others work in place (a third fewer temporaries).
    x = x ^ (x >> _S30)
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def _splitmix64_int(x: int) -> int:
    """:func:`_splitmix64` of one unsigned 64-bit Python int (no numpy call overhead)."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def derive_ids(base: int, tag: str, ordinals: Sequence[int] | np.ndarray) -> np.ndarray:
    """Ids for entities number ``ordinals`` of kind ``tag`` inside entity ``base``.

    Parts: (base id, kind tag, ordinal). Returns a signed int64 numpy array.
    """
    ords = np.asarray(ordinals, dtype=np.uint64)
    # The seed is one number: mixed in Python, it costs none of numpy's per-call overhead
    # (a file derives ids of a dozen kinds, most of them small).
    seed = np.uint64(_splitmix64_int((base & _MASK64) ^ tag_id(tag)))
    with np.errstate(over="ignore"):
        mixed = _splitmix64(ords + seed)
    return mixed.view(np.int64)


def derive_id(base: int, tag: str, ordinal: int) -> int:
    """Scalar form of :func:`derive_ids` (same value for the same parts)."""
    return int(derive_ids(base, tag, [ordinal])[0])


def derive_ids_of(bases: np.ndarray, tag: str, ordinals: np.ndarray) -> np.ndarray:
    """:func:`derive_ids` element-wise over arrays of bases (same value as the scalar form)."""
    seeds = np.asarray(bases, dtype=np.int64).view(np.uint64) ^ np.uint64(tag_id(tag))
    ords = np.asarray(ordinals, dtype=np.int64).view(np.uint64)
    with np.errstate(over="ignore"):
        mixed = _splitmix64(_splitmix64(seeds) + ords)
    return mixed.view(np.int64)


def combine_ids(tag: str, *columns: np.ndarray) -> np.ndarray:
    """Ids of tuples ``(tag, columns[0][i], columns[1][i], ...)`` of int64 columns (vectorised).

    Each column is folded in with a splitmix64 round, so the order of the parts matters.
    """
    with np.errstate(over="ignore"):
        acc = np.full(len(columns[0]) if columns else 0, tag_id(tag), dtype=np.uint64)
        for column in columns:
            acc = _splitmix64(acc ^ np.asarray(column, dtype=np.int64).view(np.uint64))
            acc = acc + np.uint64(0x9E3779B97F4A7C15)
    return _splitmix64(acc).view(np.int64)
