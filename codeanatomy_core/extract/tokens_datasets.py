"""Specs of the lexical tables: comments, docstrings and the per-file line index."""

from __future__ import annotations

from codeanatomy_core.extract.datasets import file_dataset
from codeanatomy_core.specs import (
    ContractSpec,
    FieldSpec,
)
from codeanatomy_core.specs.rule_intent import COLUMN_KEY, INTENT_KEY
from codeanatomy_core.specs.templates import BYTE_SPAN, FILE_SCOPED
from codeanatomy_core.specs.types import INT32, INT64, STRING

COMMENT_TAG = "comment"
DOCSTRING_TAG = "docstring"
LINE_TAG = "line"

DOCSTRING_OWNERS = ("Module", "ClassDef", "FunctionDef", "AsyncFunctionDef")
TERMINATORS = ("\n", "\r\n", "\r", "")

(_FILE_ID,) = FILE_SCOPED.apply()

COMMENTS = file_dataset(
    "comments",
    description="Every comment of a file (what tokenize reports as COMMENT), found without "
    "tokenizing: a '#' outside the string literals known from the syntax tree. Its COMMENT "
    "nodes come from the rule intent on comment_id (a rule synthesized from this contract).",
    fields=(
        FieldSpec(
            name="comment_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {COMMENT_TAG!r}, ordinal)",
            metadata={INTENT_KEY: "nodes:COMMENT"},
        ),
        _FILE_ID,
        FieldSpec(name="ordinal", dtype=INT32, nullable=False, description="index in the file"),
        FieldSpec(
            name="bstart",
            dtype=INT64,
            nullable=False,
            description="byte offset of the '#'",
            metadata={COLUMN_KEY: "bstart"},
        ),
        FieldSpec(
            name="bend",
            dtype=INT64,
            nullable=False,
            description="end of the line, terminator excluded",
            metadata={COLUMN_KEY: "bend"},
        ),
        FieldSpec(
            name="line",
            dtype=INT32,
            nullable=False,
            description="1-based",
            metadata={COLUMN_KEY: "start_line,end_line"},
        ),
        FieldSpec(name="col", dtype=INT32, nullable=False, description="0-based UTF-8 byte column"),
        FieldSpec(
            name="text",
            dtype=STRING,
            nullable=False,
            description="the comment, '#' included",
            metadata={COLUMN_KEY: "text"},
        ),
    ),
    key="comment_id",
)

DOCSTRINGS = file_dataset(
    "docstrings",
    description="The docstring of every module, class and function (ast.get_docstring), with "
    "the span of its literal.",
    fields=(
        FieldSpec(
            name="docstring_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {DOCSTRING_TAG!r}, owner's pre-order ordinal)",
        ),
        _FILE_ID,
        FieldSpec(
            name="owner_node_id",
            dtype=INT64,
            nullable=False,
            description="the owning Module/ClassDef/FunctionDef/AsyncFunctionDef node (ast_nodes)",
        ),
        FieldSpec(name="owner_ordinal", dtype=INT32, nullable=False, description="its pre-order ordinal"),
        FieldSpec(name="owner_kind", dtype=STRING, nullable=False, description=" / ".join(DOCSTRING_OWNERS)),
        FieldSpec(name="owner_name", dtype=STRING, description="class or function name; null for a module"),
        *BYTE_SPAN.apply(descriptions={"bstart": "byte span of the string literal"}),
        FieldSpec(name="start_line", dtype=INT32, nullable=False),
        FieldSpec(name="end_line", dtype=INT32, nullable=False),
        FieldSpec(name="text", dtype=STRING, nullable=False, description="inspect.cleandoc of the value"),
    ),
    key="docstring_id",
    ordering=("file_id", "owner_ordinal"),
    contract=ContractSpec(allowed_values={"owner_kind": DOCSTRING_OWNERS}),
    bloom="owner_name",
)

LINE_INDEX = file_dataset(
    "line_index",
    description="Every line of every file: its byte span and terminator. Lines split on "
    "\\r\\n, \\r and \\n like Python's tokenizer; a final terminator opens no new line.",
    fields=(
        FieldSpec(
            name="line_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {LINE_TAG!r}, line_no)",
        ),
        _FILE_ID,
        FieldSpec(name="line_no", dtype=INT32, nullable=False, description="1-based"),
        *BYTE_SPAN.apply(descriptions={"bend": "end byte offset (exclusive), terminator excluded"}),
        FieldSpec(
            name="terminator",
            dtype=STRING,
            nullable=False,
            description="'\\n', '\\r\\n', '\\r', or '' for a last line without one",
        ),
    ),
    key="line_id",
    ordering=("file_id", "line_no"),
    contract=ContractSpec(unique=(("file_id", "line_no"),), allowed_values={"terminator": TERMINATORS}),
)

DATASETS = (COMMENTS, DOCSTRINGS, LINE_INDEX)
