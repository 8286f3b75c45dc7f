"""Which files' rows of one input table a series of Delta commits may have changed.

Between the version a CPG build read and the current one, an input table went through
commits of its own. A CodeAnatomy replace-files write records its predicate
(``file_id = 1 OR file_id = -2``, ``file_id IN (...)`` or ``false``) in the commit info:
only those files' rows changed. Property changes and maintenance (optimize, vacuum) change
no rows. Anything else (a full write, an unknown operation, an unreadable history) leaves
the change unknown: the caller compares the two versions' rows instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

import msgspec
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError

from codeanatomy_core.errors import StorageError
from codeanatomy_core.storage.commit import from_commit_info

_NO_DATA_OPERATIONS = frozenset({"OPTIMIZE", "VACUUM START", "VACUUM END", "SET TBLPROPERTIES"})
_TERM = re.compile(r'^\s*\(?\s*"?(\w+)"?\s*=\s*(-?\d+)\s*\)?\s*$')
_IN_LIST = re.compile(r'^\s*"?(\w+)"?\s+IN\s*\(([-\d,\s]*)\)\s*$', re.IGNORECASE)


class ChangeKind(StrEnum):
    UNCHANGED = "unchanged"  # same data version
    REPLACED = "replaced"  # only the rows of known files were replaced
    REWRITTEN = "rewritten"  # rewritten whole (or unknown): compare the versions' rows


class InputChange(msgspec.Struct, frozen=True, kw_only=True):
    """How one input moved between the version a build read and the current version."""

    dataset: str
    old_version: int
    new_version: int
    kind: ChangeKind
    files: frozenset[int] = frozenset()  # REPLACED: the files whose rows were replaced
    reason: str = ""


def predicate_files(predicate: str, column: str) -> frozenset[int] | None:
    """The file ids a replace-files predicate names, or None when it is not one."""
    text = predicate.strip()
    if text.lower() == "false":
        return frozenset()
    listed = _IN_LIST.match(text)
    if listed:
        if listed.group(1) != column:
            return None
        values = [v.strip() for v in listed.group(2).split(",") if v.strip()]
        return frozenset(int(v) for v in values)
    ids = set()
    for term in re.split(r"\s+OR\s+", text, flags=re.IGNORECASE):
        match = _TERM.match(term)
        if match is None or match.group(1) != column:
            return None
        ids.add(int(match.group(2)))
    return frozenset(ids)


def _commit_files(info: Mapping[str, Any], column: str) -> tuple[bool, frozenset[int] | None]:
    """(changes data, files replaced or None when unknown) of one commit-info entry."""
    stamp = from_commit_info(dict(info))
    if stamp is not None and stamp.write_mode == "reconcile_properties":
        return False, frozenset()
    operation = str(info.get("operation", ""))
    if operation in _NO_DATA_OPERATIONS:
        return False, frozenset()
    if stamp is None or stamp.write_mode != "replace_files" or operation != "WRITE":
        return True, None
    parameters = info.get("operationParameters") or {}
    predicate = parameters.get("predicate") if isinstance(parameters, Mapping) else None
    if not isinstance(predicate, str):
        return True, None
    return True, predicate_files(predicate, column)


def input_change(
    *,
    dataset: str,
    opener: Callable[[], DeltaTable | None],
    old_version: int,
    new_version: int,
    file_column: str | None,
) -> InputChange:
    """How ``dataset`` changed from ``old_version`` to ``new_version`` (data versions)."""
    base = functools.partial(InputChange, dataset=dataset, old_version=old_version, new_version=new_version)
    if old_version == new_version:
        return base(kind=ChangeKind.UNCHANGED)
    if file_column is None or old_version > new_version:
        return base(kind=ChangeKind.REWRITTEN, reason="not scoped by file")
    try:
        table: DeltaTable | None = opener()
        history = [] if table is None else table.history(table.version() - old_version)
    except (StorageError, DeltaError, OSError, ValueError) as err:
        return base(kind=ChangeKind.REWRITTEN, reason=f"history unreadable: {err}")
    files: set[int] = set()
    seen: set[int] = set()
    for info in history:
        version = int(info.get("version", -1))
        if not old_version < version <= new_version:
            continue
        seen.add(version)
        changes, replaced = _commit_files(info, file_column)
        if not changes:
            continue
        if replaced is None:
            return base(kind=ChangeKind.REWRITTEN, reason=f"version {version} rewrote it")
        files |= replaced
    if seen != set(range(old_version + 1, new_version + 1)):
        return base(kind=ChangeKind.REWRITTEN, reason="history incomplete")
    return base(kind=ChangeKind.REPLACED, files=frozenset(files))
