"""Extractor of ``py_facts``: one row per file holding the file's program facts.

The facts (scopes, definitions, bindings, references, imports, call sites and flow
constraints; see :mod:`codeanatomy_core.extract.pyfacts_model`) are built from the tree the
shared per-file pass already parsed. The extractor walks that tree itself, statement by
statement, instead of using the shared node dispatch: resolution facts need context the
flat pre-order dispatch does not give (the enclosing scope, the statement order and the
branches joining after ``if``/``try``/loops, which binding reaches which reference).
The walk costs a fraction of the parse and never re-parses.
"""

from __future__ import annotations

import ast
import gc
from collections.abc import Mapping
from typing import ClassVar

import pyarrow as pa

from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.pyfacts_model import (
    FACTS_VERSION,
    FileFacts,
    encode_facts,
    key_constants,
)
from codeanatomy_core.extract.pyfacts_stmt import StatementWalker
from codeanatomy_core.extract.traversal import TreeIndex
from codeanatomy_core.extract.unit import ExtractError, FileUnit, StageFailure
from codeanatomy_core.specs import DatasetSpec, DeltaWritePolicy, Domain, FieldSpec
from codeanatomy_core.specs.schema import arrow_schema
from codeanatomy_core.specs.types import BINARY, BOOL, INT32, INT64, STRING

FILE_RANGE_SHIFT = 60  # 64-bit file ids: sixteen ranges

PY_FACTS = DatasetSpec(
    name="py_facts",
    domain=Domain.EXTRACT,
    description="One row per parsed file: its program facts (scopes, definitions, bindings, "
    "references, imports, call sites, flow constraints) as a msgpack-encoded FileFacts, "
    "the input of whole-program name and call resolution (normalize).",
    fields=(
        FieldSpec(name="file_id", dtype=INT64, nullable=False),
        FieldSpec(name="path", dtype=STRING, nullable=False),
        FieldSpec(name="module_name", dtype=STRING, nullable=False),
        FieldSpec(name="is_package", dtype=BOOL, nullable=False, description="an __init__.py"),
        FieldSpec(name="facts_version", dtype=INT32, nullable=False, description="FileFacts layout version"),
        FieldSpec(name="var_count", dtype=INT64, nullable=False, description="flow variables of the file"),
        FieldSpec(name="op_count", dtype=INT64, nullable=False, description="flow constraints of the file"),
        FieldSpec(name="facts", dtype=BINARY, nullable=False, description="msgpack FileFacts"),
        FieldSpec(
            name="file_range",
            dtype=INT32,
            nullable=False,
            description="file_id >> 60 (-8 to 7): the table's partitions, ranges of file ids",
        ),
    ),
    key=("file_id",),
    ordering=("path",),
    upstream=("source_files",),
    file_id_column="file_id",
    # A file's row is a few tens of kilobytes and the table is written as one Parquet file
    # per partition (too few rows to split by size): replacing the rows of edited files
    # rewrites the ranges holding them, a sixteenth of the table each, not all of it.
    write_policy=DeltaWritePolicy(partition_by=("file_range",)),
    # A new facts layout or meaning changes the signature: every file is extracted again.
    logic_version=FACTS_VERSION,
)


class FactsBuilder(StatementWalker):
    """Builds the FileFacts of one parsed module."""

    def build(self, tree: object) -> FileFacts:
        self.walk_module(tree)  # type: ignore[arg-type]
        refs = self.ref_columns()
        return FileFacts(
            version=FACTS_VERSION,
            module=self.module,
            is_package=self.is_package,
            var_count=self.var_count,
            scopes=self.scope_facts(),
            defs=self.def_facts(),
            params=self.params,
            bindings=self.bindings,
            refs=refs,
            imports=self.imports,
            calls=self.calls,
            bases=self.bases,
            decorators=self.decorators,
            ops=self.ops,
            all_names=self.all_names,
            key_consts=key_constants(self.ops, self.calls),
        )


def is_package_path(path: str) -> bool:
    return path == "__init__.py" or path.endswith("/__init__.py")


def build_facts(unit: FileUnit, *, declared_global: frozenset[str] | None = None) -> FileFacts:
    """The facts of one file from its already parsed tree (``declared_global``: the names of
    its ``global`` statements, found by a walk of the tree when not given)."""
    if declared_global is None:
        declared_global = frozenset(
            name for node in ast.walk(unit.tree) if isinstance(node, ast.Global) for name in node.names
        )
    builder = FactsBuilder(
        module=unit.task.module_name,
        is_package=is_package_path(unit.task.path),
        line_starts=unit.line_index.starts,
        size=len(unit.source.utf8),
        declared_global=declared_global,
    )
    # Building creates many small objects and no garbage cycles worth collecting meanwhile;
    # the collector would repeatedly traverse the whole live syntax tree (about half the cost).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return builder.build(unit.tree)
    except RecursionError as err:
        raise StageFailure(
            ExtractError(
                stage="extract", kind="too_deeply_nested", message="py_facts: expression nesting too deep"
            )
        ) from err
    finally:
        if collecting:
            gc.enable()


class PyFactsExtractor(Extractor):
    outputs = (PY_FACTS,)
    stage: ClassVar[str] = "extract"
    # The walk needs statement order and scopes, not the flat pre-order; only the names of
    # ``global`` statements are wanted before it starts (module code reads what functions
    # write into them).
    node_types = (ast.Global,)

    def __init__(self, unit: FileUnit) -> None:
        super().__init__(unit)
        self.declared_global: set[str] = set()

    def visit(self, node: ast.AST, ordinal: int) -> None:
        self.declared_global.update(node.names)  # type: ignore[attr-defined]

    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        del index
        facts = build_facts(self.unit, declared_global=frozenset(self.declared_global))
        row = {
            "file_id": [self.unit.file_id],
            "path": [self.unit.task.path],
            "module_name": [facts.module],
            "is_package": [facts.is_package],
            "facts_version": [FACTS_VERSION],
            "var_count": [facts.var_count],
            "op_count": [len(facts.ops)],
            "facts": [encode_facts(facts)],
            "file_range": [self.unit.file_id >> FILE_RANGE_SHIFT],
        }
        return {PY_FACTS.name: pa.RecordBatch.from_pydict(row, schema=arrow_schema(PY_FACTS))}
