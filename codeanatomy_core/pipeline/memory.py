"""Giving freed memory back to the system between the stages of a build.

Arrow's memory pool and the C heap keep what was freed for reuse: after extraction, the
process that ran it holds hundreds of megabytes it no longer uses, on top of which the
next step builds its own peak. Both are asked to return it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import pyarrow as pa


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def release_memory() -> None:
    """Give memory freed by Arrow and by the C heap back to the system (a hint, best effort:
    it keeps the resident size near what is in use between the stages of a build)."""
    pa.default_memory_pool().release_unused()
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None  # glibc only
    if trim is not None:
        trim(0)
