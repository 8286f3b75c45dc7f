"""Commit metadata written with every Delta commit, and read back for freshness."""

from __future__ import annotations

from typing import Any

import msgspec

from codeanatomy_core.specs.signature import BuildStamp

COMMIT_METADATA_KEY = "codeanatomy"


class CommitStamp(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What CodeAnatomy records in the commit info of each table version it writes.

    ``content_hash`` covers the rows written by this commit; ``write_mode`` is ``full`` or
    ``replace_files``; ``details`` holds write-specific counters (files added, changed, ...).
    """

    run_id: str
    asset_key: str
    dataset: str
    signature: str
    input_versions: dict[str, str]
    row_count: int
    content_hash: str
    write_mode: str = "full"
    plan_fingerprint: str | None = None
    details: dict[str, str] = {}

    def build_stamp(self) -> BuildStamp:
        return BuildStamp(signature=self.signature, input_versions=dict(self.input_versions))


def to_commit_metadata(stamp: CommitStamp) -> dict[str, Any]:
    return {COMMIT_METADATA_KEY: msgspec.to_builtins(stamp)}


def from_commit_info(info: dict[str, Any]) -> CommitStamp | None:
    """The stamp inside one commit-info dict, or None for commits we did not write."""
    raw = info.get(COMMIT_METADATA_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        return msgspec.convert(raw, CommitStamp)
    except msgspec.ValidationError:
        return None
