"""Giving freed memory back to the system between the stages of a build.

Arrow's memory pool and the C heap keep what was freed for reuse: after extraction, the
process that ran it holds hundreds of megabytes it no longer uses, on top of which the
next step builds its own peak. Both are asked to return it.

Freeing a resolution's millions of small objects takes a few hundred milliseconds. They are
dropped by a background thread (``release_later``) while the step's tables are written; the
freeing holds the interpreter lock throughout, so it overlaps only the parts of the writes
that run outside it (Delta's own encoding and I/O), not their Python parts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import threading

import pyarrow as pa


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def release_memory(*, collect_cycles: bool = False) -> None:
    """Give memory freed by Arrow and by the C heap back to the system (a hint, best effort:
    it keeps the resident size near what is in use between the stages of a build); what is
    being released in the background is freed first.

    ``collect_cycles``: the garbage cycles left by the last step (closures of the libraries'
    conversions, a few hundred objects) are collected first: each keeps an arena of the
    interpreter's allocator from being returned, and after a whole-program resolution those
    arenas hold hundreds of megabytes. A collection scans the whole heap (about 50 ms in a
    process that built a few steps): worth it before a step that builds a large peak."""
    wait_for_releases()
    if collect_cycles:
        gc.collect()
    pa.default_memory_pool().release_unused()
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None  # glibc only
    if trim is not None:
        trim(0)


_releasing: list[threading.Thread] = []


def release_later(objects: list[object]) -> None:
    """Drop ``objects`` (the caller's last references to them, which it must not keep) in a
    background thread. Every object tracked by the cyclic collector is moved out of its
    reach meanwhile (``gc.freeze``), so that a collection does not scan those being freed;
    they are handed back when the thread is done."""
    gc.freeze()
    thread = threading.Thread(target=_drop, args=(objects,), name="codeanatomy-release", daemon=True)
    _releasing.append(thread)
    thread.start()


def _drop(objects: list[object]) -> None:
    objects.clear()
    gc.unfreeze()


def wait_for_releases() -> None:
    """Wait until what ``release_later`` was given is freed."""
    while _releasing:
        _releasing.pop().join()
