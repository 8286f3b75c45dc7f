"""Specs of the extract domain tables filled by the shared per-file pass."""

from __future__ import annotations

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

AST_NODES = DatasetSpec(
    name="ast_nodes",
    domain=Domain.EXTRACT,
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
    key=("node_id",),
    ordering=("file_id", "ordinal"),
    upstream=("source_files",),
    file_id_column="file_id",
    position_unit=UTF8_BYTES,
    write_policy=DeltaWritePolicy(
        bloom_filters=(BloomFilterSpec(column="name"),),
        max_row_group_size=256 * 1024,
    ),
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
