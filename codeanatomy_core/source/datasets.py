"""Specs of the source domain: the file manifest and the paths the scan had to skip."""

from __future__ import annotations

from codeanatomy_core.specs import (
    BloomFilterSpec,
    ContractSpec,
    DatasetSpec,
    DeltaWritePolicy,
    Domain,
    FieldSpec,
    TableFeature,
)
from codeanatomy_core.specs.templates import FILE_SCOPED
from codeanatomy_core.specs.types import BOOL, INT64, STRING

DECODE_STATUSES = ("ok", "binary", "bad_encoding_declaration", "decode_error")

SOURCE_FILES = DatasetSpec(
    name="source_files",
    domain=Domain.SOURCE,
    description="One row per Python file of the target repository: identity, content hash, encoding.",
    fields=(
        *FILE_SCOPED.apply(descriptions={"file_id": "stable_id('file', repo_id, path)"}),
        FieldSpec(name="repo_id", dtype=STRING, nullable=False),
        FieldSpec(name="path", dtype=STRING, nullable=False, description="repo-relative POSIX path"),
        FieldSpec(name="module_name", dtype=STRING, nullable=False, description="dotted module name"),
        FieldSpec(name="is_package", dtype=BOOL, nullable=False, description="an __init__.py"),
        FieldSpec(name="size_bytes", dtype=INT64, nullable=False),
        FieldSpec(name="content_sha256", dtype=STRING, nullable=False),
        FieldSpec(name="encoding", dtype=STRING, description="PEP 263 encoding; null if undecodable"),
        FieldSpec(name="line_count", dtype=INT64, description="lines split on \\r\\n, \\r, \\n"),
        FieldSpec(name="decode_status", dtype=STRING, nullable=False),
    ),
    key=("file_id",),
    ordering=("path",),
    contract=ContractSpec(unique=(("path",),), allowed_values={"decode_status": DECODE_STATUSES}),
    file_id_column="file_id",
    write_policy=DeltaWritePolicy(
        bloom_filters=(BloomFilterSpec(column="path"), BloomFilterSpec(column="content_sha256")),
        features=(TableFeature.CHANGE_DATA_FEED,),
    ),
)

SOURCE_ISSUES = DatasetSpec(
    name="source_issues",
    domain=Domain.SOURCE,
    description="Paths the scan did not take as source files: links leaving the root, loops, "
    "unreadable or oversized files, folders named like files.",
    fields=(
        FieldSpec(name="path", dtype=STRING, nullable=False),
        FieldSpec(name="kind", dtype=STRING, nullable=False),
        FieldSpec(name="message", dtype=STRING, nullable=False),
    ),
    key=("path", "kind"),
    ordering=("path", "kind"),
)

DATASETS = (SOURCE_FILES, SOURCE_ISSUES)
