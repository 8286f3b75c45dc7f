"""Specs of the extract domain tables filled by the shared per-file pass."""

from __future__ import annotations

import msgspec

from codeanatomy_core.specs import (
    BloomFilterSpec,
    ContractSpec,
    DatasetSpec,
    DeltaWritePolicy,
    Domain,
    FieldSpec,
)
from codeanatomy_core.specs.model import UTF8_BYTES
from codeanatomy_core.specs.templates import BYTE_SPAN, FILE_SCOPED, LINE_SPAN
from codeanatomy_core.specs.types import INT32, INT64, STRING

STAGES = ("scan", "read", "decode", "parse", "symtable", "bytecode", "tokens", "extract")
LARGE_ROW_GROUPS = 256 * 1024  # rows per Parquet row group of the largest tables


def file_dataset(
    name: str,
    *,
    description: str,
    fields: tuple[FieldSpec, ...],
    key: str,
    ordering: tuple[str, ...] = ("file_id", "ordinal"),
    contract: ContractSpec | None = None,
    spans: bool = True,
    bloom: str | None = None,
    large: bool = False,
) -> DatasetSpec:
    """An extract table of per-file rows: built from ``source_files``, replaced by ``file_id``,
    positions in UTF-8 bytes (``spans``), an optional bloom filter on one column and larger
    row groups for the largest tables."""
    policy = DeltaWritePolicy()
    if bloom is not None:
        policy = msgspec.structs.replace(policy, bloom_filters=(BloomFilterSpec(column=bloom),))
    if large:
        policy = msgspec.structs.replace(policy, max_row_group_size=LARGE_ROW_GROUPS)
    return DatasetSpec(
        name=name,
        domain=Domain.EXTRACT,
        description=description,
        fields=fields,
        key=(key,),
        ordering=ordering,
        contract=contract or ContractSpec(),
        upstream=("source_files",),
        file_id_column="file_id",
        position_unit=UTF8_BYTES if spans else None,
        write_policy=policy,
    )


AST_NODES = file_dataset(
    "ast_nodes",
    description="Every node of every file's Python syntax tree (as ast.walk yields them), "
    "with its parent, field and byte span in the file's UTF-8 text.",
    fields=(
        FieldSpec(
            name="node_id",
            dtype=INT64,
            nullable=False,
            description="derive_ids(file_id, 'ast', ordinal)",
        ),
        *FILE_SCOPED.apply(),
        FieldSpec(name="ordinal", dtype=INT32, nullable=False, description="pre-order index in the file"),
        FieldSpec(name="parent_id", dtype=INT64, description="null for the Module node"),
        FieldSpec(name="depth", dtype=INT32, nullable=False),
        FieldSpec(name="kind", dtype=STRING, nullable=False, description="ast node class name"),
        FieldSpec(name="field_name", dtype=STRING, description="field of the parent holding the node"),
        FieldSpec(name="field_index", dtype=INT32, description="index in a list field, else null"),
        FieldSpec(name="name", dtype=STRING, description="identifier the node carries, if any"),
        *BYTE_SPAN.apply(nullable=True, descriptions={"bstart": "start byte offset; null if no position"}),
        *LINE_SPAN.apply(nullable=True),
    ),
    key="node_id",
    bloom="name",
    large=True,
)

EXTRACT_ERRORS = DatasetSpec(
    name="extract_errors",
    domain=Domain.EXTRACT,
    description="Every path or file that could not be scanned, read, decoded, parsed or "
    "analysed, with the stage that failed. The run goes on without it.",
    fields=(
        FieldSpec(name="error_id", dtype=INT64, nullable=False, description="stable_id(path, stage, kind)"),
        *FILE_SCOPED.apply(),
        FieldSpec(name="path", dtype=STRING, nullable=False),
        FieldSpec(name="stage", dtype=STRING, nullable=False),
        FieldSpec(name="error_kind", dtype=STRING, nullable=False),
        FieldSpec(name="message", dtype=STRING, nullable=False),
        FieldSpec(name="line", dtype=INT32),
        FieldSpec(name="column", dtype=INT32),
    ),
    key=("error_id",),
    ordering=("path", "stage", "error_kind"),
    upstream=("source_files", "source_issues"),
    file_id_column="file_id",
    contract=ContractSpec(allowed_values={"stage": STAGES}),
)
