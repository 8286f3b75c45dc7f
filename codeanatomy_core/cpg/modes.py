"""Full or incremental: what the stored CPG tables allow, and the commit details of each.

An incremental build needs every CPG table stamped by one previous build of the current
rule set (same signatures, same input versions), a readable ``source_files`` manifest at
that version (:func:`codeanatomy_core.extract.incremental.plan_changes`), and a stored
graph without ids shared across files. Anything else (``force``, a spec or rule change,
an unreadable history, a missing table) means a full build, which is what a first build is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from codeanatomy_core.extract.incremental import FileChanges, file_hashes, plan_changes
from codeanatomy_core.pipeline.step import StepContext
from codeanatomy_core.storage.commit import CommitStamp
from codeanatomy_core.storage.reader import read_handle

MANIFEST = "source_files"
NO_FILE = 0
DANGLING_FILES = "dangling_files"
MAX_LISTED = 256  # more files with dangling edges than this are recorded as "many"
_MANY = "many"


class Previous(msgspec.Struct, frozen=True, kw_only=True):
    """The build the stored CPG tables come from, as far as an incremental build needs it."""

    changes: FileChanges  # source files added, changed, removed since
    versions: dict[str, int]  # input -> data version it read
    dangling_files: frozenset[int] | None  # None: not listed (too many)
    manifest_files: int  # files in the current manifest


def encode_files(files: frozenset[int]) -> str:
    return _MANY if len(files) > MAX_LISTED else ",".join(str(f) for f in sorted(files))


def decode_files(text: str) -> frozenset[int] | None:
    if text == _MANY:
        return None
    return frozenset(int(part) for part in text.split(",") if part)


def previous_build(ctx: StepContext, *, outputs: Sequence[str]) -> tuple[Previous | None, str]:
    """The previous build when an incremental one is possible, else None and why not."""
    if ctx.force:
        return None, "forced"
    stamps: dict[str, CommitStamp] = {}
    for name in outputs:
        stamp = ctx.previous.get(name)
        if stamp is None:
            return None, f"{name} was never built"
        if not ctx.is_selected(name):
            return None, f"{name} is not selected"
        stamps[name] = stamp
    versions = {tuple(sorted(s.input_versions.items())) for s in stamps.values()}
    if len(versions) != 1:
        return None, "the CPG tables were built from different input versions"
    details = [s.details for s in stamps.values()]
    if any(d.get("cross_file_ids", "0") != "0" for d in details):
        return None, "the stored graph has ids produced in several files"
    listed = {d.get(DANGLING_FILES) for d in details}
    if len(listed) != 1 or None in listed:
        return None, "the CPG tables do not record their files with dangling edges"
    manifest = read_handle(ctx.input(MANIFEST), columns=["file_id", "content_sha256"])
    plans, reason = plan_changes(
        ctx, outputs=tuple(outputs), manifest_input=MANIFEST, current=file_hashes(manifest)
    )
    if plans is None:
        return None, reason
    changes = next(iter(plans.values()))
    recorded = dict(versions.pop())
    if not all(token.isdigit() for token in recorded.values()):
        return None, "an input version is not recorded"
    return (
        Previous(
            changes=changes,
            versions={name: int(token) for name, token in recorded.items()},
            dangling_files=decode_files(listed.pop() or ""),
            manifest_files=manifest.num_rows,
        ),
        "",
    )


def full_details(*, files: int, reason: str) -> dict[str, str]:
    return {
        "mode": "full",
        "reason": reason,
        "files_added": str(files),
        "files_changed": "0",
        "files_removed": "0",
        "files_untouched": "0",
    }


def incremental_details(
    previous: Previous, *, rebuilt: frozenset[int], reasons: Mapping[str, int], rounds: int
) -> dict[str, str]:
    """Files added, changed (rebuilt: their content or the rows other files give them
    changed), removed and untouched (added + changed + untouched = files now); whether the
    rows of no file (external symbols) were rebuilt; why files were rebuilt."""
    changes = previous.changes
    changed = rebuilt - changes.added - {NO_FILE}
    return {
        "mode": "incremental",
        "files_added": str(len(changes.added)),
        "files_changed": str(len(changed)),
        "files_removed": str(len(changes.removed)),
        "files_untouched": str(previous.manifest_files - len(changes.added) - len(changed)),
        "files_changed_content": str(len(changes.changed)),
        "files_changed_rows": str(len(changed - changes.changed)),
        "no_file_rows_rebuilt": str(NO_FILE in rebuilt).lower(),
        "plan": ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())) + f", rounds={rounds}",
    }
