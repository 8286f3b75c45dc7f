"""Delta tables kept open in this process, reused while their log has not moved on.

Opening a table reads its last checkpoint and the commits after it: about 10 ms for the
tables of a build, which opens each of them many times (a step reads its inputs' handles
and rows, its outputs' last commits, then writes them). A kept table is reused when the
commit file of its version is still the one it was loaded from (a table deleted and
written again has other files) and no later commit exists. When a later one exists, the
table is brought forward with ``update_incremental``, which reads only the new commits.

Tables are shared: a table is for reading now, not to keep across a write of the same
table. Writers write through the latest table of a URI (deltalake moves it to the new
version in place), so it stays current without being opened again, and it also serves
reads of the version it is at. Only local tables are kept: on an object store the checks
would be requests themselves.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from deltalake import DeltaTable

Opener = Callable[[int | None], DeltaTable | None]
Marker = tuple[int, int, int]
T = TypeVar("T")

# Old versions opened by one build: every input at its previous and current version.
_PINNED_LIMIT = 256


class _Kept:
    __slots__ = ("marker", "table", "version")

    def __init__(self, table: DeltaTable, version: int, marker: Marker) -> None:
        self.table = table
        self.version = version
        self.marker = marker


_lock = threading.RLock()
_latest: dict[str, _Kept] = {}
_pinned: OrderedDict[tuple[str, int], _Kept] = OrderedDict()
_remembered: OrderedDict[tuple[str, int, str], tuple[Marker, Any]] = OrderedDict()


def is_keepable(uri: str, storage_options: dict[str, str] | None) -> bool:
    """Whether tables at ``uri`` are kept (local paths without storage options)."""
    return not storage_options and "://" not in uri


def _commit_file(uri: str, version: int) -> str:
    return os.path.join(uri, "_delta_log", f"{version:020d}.json")


def _marker(uri: str, version: int) -> Marker | None:
    """Identity of the commit file of ``version`` (None when there is none)."""
    try:
        found = os.stat(_commit_file(uri, version))
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def _keep(uri: str, table: DeltaTable | None) -> DeltaTable | None:
    if table is None:
        _latest.pop(uri, None)
        return None
    version = table.version()
    marker = _marker(uri, version)
    if marker is None:  # no commit file for its version (a log cleaned up): opened each time
        _latest.pop(uri, None)
    else:
        _latest[uri] = _Kept(table, version, marker)
    return table


def _current(uri: str) -> DeltaTable | None:
    """The kept latest table of ``uri``, brought forward if needed; None when there is none
    or its log no longer matches it."""
    kept = _latest.get(uri)
    if kept is None:
        return None
    table = kept.table
    version = table.version()  # a writer may have moved it on
    marker = _marker(uri, version)
    if marker is None or (version == kept.version and marker != kept.marker):
        del _latest[uri]  # deleted, or written again from scratch
        return None
    if os.path.exists(_commit_file(uri, version + 1)):
        table.update_incremental()
        version = table.version()
        marker = _marker(uri, version)
        if marker is None:
            del _latest[uri]
            return None
    if version != kept.version or marker != kept.marker:
        _latest[uri] = _Kept(table, version, marker)
    return table


def latest(uri: str, open_at: Opener) -> DeltaTable | None:
    """The latest version of the table at ``uri`` (kept, brought forward, or opened)."""
    with _lock:
        table = _current(uri)
        return table if table is not None else _keep(uri, open_at(None))


def at_version(uri: str, version: int, open_at: Opener) -> DeltaTable | None:
    """The table at ``uri`` as of ``version``: the latest table when it is at that version,
    else one opened at it (kept while its commit file stays)."""
    key = (uri, version)
    with _lock:
        current = _current(uri)
        if current is not None and current.version() == version:
            return current
        marker = _marker(uri, version)
        kept = _pinned.get(key)
        if kept is not None and marker is not None and kept.marker == marker:
            _pinned.move_to_end(key)
            return kept.table
        table = open_at(version)
        if table is None or marker is None:
            _pinned.pop(key, None)
            return table
        _pinned[key] = _Kept(table, version, marker)
        if len(_pinned) > _PINNED_LIMIT:
            _pinned.popitem(last=False)
        return table


def remembered(uri: str, version: int, what: str, compute: Callable[[], T]) -> T:
    """``compute()``, a fact of the table at ``uri`` as of ``version`` (such as its last
    data commit), computed once while the version's commit file stays."""
    marker = _marker(uri, version) if is_keepable(uri, None) else None
    if marker is None:
        return compute()
    key = (uri, version, what)
    with _lock:
        found = _remembered.get(key)
        if found is not None and found[0] == marker:
            _remembered.move_to_end(key)
            return found[1]
    value = compute()
    with _lock:
        _remembered[key] = (marker, value)
        if len(_remembered) > _PINNED_LIMIT:
            _remembered.popitem(last=False)
    return value


def forget_tables() -> None:
    """Drop every kept table (a new build then starts as a fresh process would)."""
    with _lock:
        _latest.clear()
        _pinned.clear()
        _remembered.clear()
