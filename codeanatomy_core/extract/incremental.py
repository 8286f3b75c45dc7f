"""Per-file incremental extraction: which files changed since each table was last built.

Each extract table's last commit records the ``source_files`` version it was built from.
Reading ``source_files`` at that version (Delta time travel) gives the content hash of
every file as it was then; comparing with the current manifest gives the files to
re-extract and the rows to replace. Anything that makes this comparison impossible (no
previous build, a spec/extractor signature change, a vacuumed version, ``force``) means a
full rebuild of every extract table.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
from deltalake.exceptions import DeltaError

from codeanatomy_core.errors import StorageError
from codeanatomy_core.pipeline.step import StepContext
from codeanatomy_core.storage.location import TableHandle
from codeanatomy_core.storage.reader import open_table, scan_table


class FileChanges(msgspec.Struct, frozen=True, kw_only=True):
    """How the file set moved between two manifests (file ids)."""

    added: frozenset[int]
    changed: frozenset[int]
    removed: frozenset[int]
    untouched: int

    @property
    def to_extract(self) -> frozenset[int]:
        return self.added | self.changed

    @property
    def replaced(self) -> tuple[int, ...]:
        """Files whose rows a replace-files write must drop (their new rows are written)."""
        return tuple(sorted(self.added | self.changed | self.removed))

    def details(self) -> dict[str, str]:
        return {
            "mode": "incremental",
            "files_added": str(len(self.added)),
            "files_changed": str(len(self.changed)),
            "files_removed": str(len(self.removed)),
            "files_untouched": str(self.untouched),
        }


def full_details(file_count: int, reason: str) -> dict[str, str]:
    return {
        "mode": "full",
        "reason": reason,
        "files_added": str(file_count),
        "files_changed": "0",
        "files_removed": "0",
        "files_untouched": "0",
    }


def diff_files(previous: Mapping[int, str], current: Mapping[int, str]) -> FileChanges:
    added = frozenset(current.keys() - previous.keys())
    removed = frozenset(previous.keys() - current.keys())
    changed = frozenset(f for f in current.keys() & previous.keys() if current[f] != previous[f])
    return FileChanges(
        added=added, changed=changed, removed=removed, untouched=len(current) - len(added) - len(changed)
    )


def file_hashes(table: pa.Table) -> dict[int, str]:
    return dict(
        zip(table.column("file_id").to_pylist(), table.column("content_sha256").to_pylist(), strict=True)
    )


def manifest_at(handle: TableHandle, version: int) -> dict[int, str] | None:
    """file_id -> content hash of ``source_files`` at ``version``; None if unreadable."""
    try:
        table = open_table(handle.uri, storage_options=dict(handle.storage_options) or None, version=version)
        if table is None:
            return None
        return file_hashes(scan_table(table, columns=["file_id", "content_sha256"]))
    except (StorageError, DeltaError, OSError, ValueError):
        return None


def plan_changes(
    ctx: StepContext, *, outputs: tuple[str, ...], manifest_input: str, current: Mapping[int, str]
) -> tuple[dict[str, FileChanges] | None, str]:
    """Per-output file changes, or None (and why) when a full rebuild is needed."""
    if ctx.force:
        return None, "forced"
    plans: dict[str, FileChanges] = {}
    manifests: dict[int, dict[int, str] | None] = {}
    for name in outputs:
        stamp = ctx.previous.get(name)
        if stamp is None:
            return None, f"{name} was never built"
        if stamp.signature != ctx.output_signatures.get(name):
            return None, f"{name} spec or extractor signature changed"
        token = stamp.input_versions.get(manifest_input)
        if token is None or not token.isdigit():
            return None, f"{name} does not record the {manifest_input} version it was built from"
        version = int(token)
        if version not in manifests:
            manifests[version] = manifest_at(ctx.input(manifest_input), version)
        previous = manifests[version]
        if previous is None:
            return None, f"{manifest_input} version {version} is no longer readable"
        plans[name] = diff_files(previous, current)
    return plans, ""


def rows_of_files(table: pa.Table, file_ids: frozenset[int], *, column: str = "file_id") -> pa.Table:
    if not file_ids:
        return table.slice(0, 0)
    mask = pc.is_in(table.column(column), value_set=pa.array(sorted(file_ids), pa.int64()))
    return table.filter(mask)
