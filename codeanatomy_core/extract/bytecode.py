"""Extractor of code units, bytecode instructions and the control-flow graph of each file.

The code comes from ``unit.code`` (compile() of the shared tree, never executed); the
decoding and the graph are computed for all code objects of the file at once.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from types import CodeType
from typing import ClassVar

import numpy as np
import pyarrow as pa

from codeanatomy_core.extract.ast_nodes import AST_TAG
from codeanatomy_core.extract.bytecode_datasets import (
    BLOCK_TAG,
    BYTECODE_INSTRUCTIONS,
    CFG_BLOCKS,
    CFG_EDGES,
    CODE_UNIT_TAG,
    CODE_UNITS,
    DATASETS,
    EDGE_TAG,
    INSTRUCTION_TAG,
)
from codeanatomy_core.extract.bytecode_decode import (
    CodeUnits,
    Instructions,
    collect_code_units,
    decode_instructions,
)
from codeanatomy_core.extract.cfg import EDGE_KIND_LABELS, ControlFlow, build_control_flow
from codeanatomy_core.extract.columns import (
    byte_spans,
    int32s,
    minus_one_as_null,
    repeated,
    string_lists,
    with_nulls,
)
from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.linetable import TableFormatError, decode_exception_tables
from codeanatomy_core.extract.opcodes import OPNAMES, code_flag_names
from codeanatomy_core.extract.scope_anchors import SCOPE_NODE_TYPES, ScopeNodes, code_key
from codeanatomy_core.extract.traversal import TreeIndex
from codeanatomy_core.extract.unit import Artifact, ExtractError, FileUnit, StageFailure
from codeanatomy_core.ids import derive_ids
from codeanatomy_core.specs.schema import arrow_schema

# Built once per process: deriving a schema costs more than a small file's rows.
_SCHEMAS = {
    spec.name: arrow_schema(spec) for spec in (CODE_UNITS, BYTECODE_INSTRUCTIONS, CFG_BLOCKS, CFG_EDGES)
}
STAGE = "bytecode"
_COMPILE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)
_OPNAMES = pa.array(OPNAMES, pa.string())
_NUMBER_FIELDS = (
    "co_firstlineno",
    "co_flags",
    "co_argcount",
    "co_posonlyargcount",
    "co_kwonlyargcount",
    "co_nlocals",
    "co_stacksize",
)
_CODE_NUMBERS = operator.attrgetter(*_NUMBER_FIELDS)
_EDGE_KINDS = pa.array(EDGE_KIND_LABELS, pa.string())


def module_code(unit: FileUnit, stage: str = STAGE) -> CodeType:
    """The file's code object, or StageFailure when the compiler rejects the tree."""
    try:
        return unit.code
    except _COMPILE_ERRORS as err:
        line = err.lineno if isinstance(err, SyntaxError) else None
        message = (err.msg if isinstance(err, SyntaxError) else str(err)) or type(err).__name__
        raise StageFailure(
            ExtractError(stage=stage, kind="compile_error", message=message, line=line)
        ) from err


class BytecodeExtractor(Extractor):
    outputs = DATASETS
    needs: ClassVar[frozenset[Artifact]] = frozenset({Artifact.TREE, Artifact.CODE})
    stage: ClassVar[str] = STAGE
    node_types = SCOPE_NODE_TYPES

    def __init__(self, unit: FileUnit) -> None:
        super().__init__(unit)
        self.scopes = ScopeNodes()

    def visit(self, node: ast.AST, ordinal: int) -> None:
        self.scopes.add(node, ordinal)

    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        units = collect_code_units(module_code(self.unit))
        ins = decode_instructions(units)
        try:
            flow = build_control_flow(ins, units.word_counts, decode_exception_tables(units.codes))
        except TableFormatError as err:
            raise StageFailure(ExtractError(stage=STAGE, kind="bad_code_table", message=str(err))) from err
        unit_ids = derive_ids(self.unit.file_id, CODE_UNIT_TAG, np.arange(len(units.codes)))
        block_ids = derive_ids(self.unit.file_id, BLOCK_TAG, np.arange(len(flow.block_unit)))
        return {
            CODE_UNITS.name: self._code_units(units, ins, unit_ids),
            BYTECODE_INSTRUCTIONS.name: self._instructions(ins, unit_ids),
            CFG_BLOCKS.name: self._blocks(flow, unit_ids, block_ids),
            CFG_EDGES.name: self._edges(flow, unit_ids, block_ids),
        }

    def _anchors(self, units: CodeUnits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ast node id, bstart, bend) of each code unit; -1 where it has no node."""
        spans = self.scopes.spans(self.unit.line_index, len(self.unit.source.utf8))
        keys = [(code.co_name, code.co_firstlineno) for code in units.codes]
        found = np.array(self.scopes.match(keys, units.parents.tolist(), code_key, spans), np.int64)
        anchored = found >= 0
        node_ids = np.full(len(found), -1, np.int64)
        ordinals = np.array(self.scopes.ordinals, np.int64)[found[anchored]]
        node_ids[anchored] = derive_ids(self.unit.file_id, AST_TAG, ordinals)
        bounds = np.array(spans, np.int64).reshape(-1, 2)[np.maximum(found, 0)]
        bounds[~anchored] = -1
        return node_ids, bounds[:, 0], bounds[:, 1]

    def _code_units(self, units: CodeUnits, ins: Instructions, unit_ids: np.ndarray) -> pa.RecordBatch:
        codes = units.codes
        count = len(codes)
        node_ids, bstart, bend = self._anchors(units)

        numbers = np.array(list(map(_CODE_NUMBERS, codes)), dtype=np.int32).reshape(-1, len(_NUMBER_FIELDS))
        ints = {name: pa.array(numbers[:, i]) for i, name in enumerate(_NUMBER_FIELDS)}
        parents = units.parents
        columns = [
            pa.array(unit_ids),
            repeated(self.unit.file_id, count),
            pa.array(np.arange(count, dtype=np.int32)),
            with_nulls(unit_ids[np.maximum(parents, 0)], parents < 0, pa.int64()),
            pa.array([code.co_qualname for code in codes], pa.string()),
            pa.array([code.co_name for code in codes], pa.string()),
            ints["co_firstlineno"],
            ints["co_flags"],
            string_lists([code_flag_names(code.co_flags) for code in codes]),
            ints["co_argcount"],
            ints["co_posonlyargcount"],
            ints["co_kwonlyargcount"],
            ints["co_nlocals"],
            ints["co_stacksize"],
            int32s(units.word_counts * 2),
            int32s(np.bincount(ins.unit, minlength=count)),
            string_lists([code.co_names for code in codes]),
            string_lists([code.co_varnames for code in codes]),
            string_lists([code.co_freevars for code in codes]),
            string_lists([code.co_cellvars for code in codes]),
            with_nulls(node_ids, bstart < 0, pa.int64()),
            minus_one_as_null(bstart, pa.int64()),
            minus_one_as_null(bend, pa.int64()),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[CODE_UNITS.name])

    def _instructions(self, ins: Instructions, unit_ids: np.ndarray) -> pa.RecordBatch:
        n = len(ins)
        lines = self.unit.line_index
        columns = [
            pa.array(derive_ids(self.unit.file_id, INSTRUCTION_TAG, np.arange(n))),
            pa.array(unit_ids[ins.unit]),
            repeated(self.unit.file_id, n),
            pa.array(np.arange(n, dtype=np.int32)),
            int32s(ins.offset),
            _OPNAMES.take(pa.array(ins.opcode)),
            int32s(ins.opcode),
            minus_one_as_null(ins.arg, pa.int32()),
            ins.argval,
            ins.argrepr,
            minus_one_as_null(ins.jump_target, pa.int32()),
            pa.array(ins.is_jump_target),
            minus_one_as_null(ins.line, pa.int32()),
            minus_one_as_null(ins.end_line, pa.int32()),
            minus_one_as_null(ins.col, pa.int32()),
            minus_one_as_null(ins.end_col, pa.int32()),
            *byte_spans(lines, (ins.line, ins.col), (ins.end_line, ins.end_col)),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[BYTECODE_INSTRUCTIONS.name])

    def _blocks(self, flow: ControlFlow, unit_ids: np.ndarray, block_ids: np.ndarray) -> pa.RecordBatch:
        count = len(flow.block_unit)
        columns = [
            pa.array(block_ids),
            pa.array(unit_ids[flow.block_unit]),
            repeated(self.unit.file_id, count),
            int32s(flow.block_ordinal),
            int32s(flow.block_start),
            int32s(flow.block_end),
            int32s(flow.block_instructions),
            minus_one_as_null(flow.block_line, pa.int32()),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[CFG_BLOCKS.name])

    def _edges(self, flow: ControlFlow, unit_ids: np.ndarray, block_ids: np.ndarray) -> pa.RecordBatch:
        count = len(flow.edge_src)
        edge_unit = flow.block_unit[flow.edge_src]
        first_of_unit = np.searchsorted(edge_unit, edge_unit)  # edges are grouped by unit
        columns = [
            pa.array(derive_ids(self.unit.file_id, EDGE_TAG, np.arange(count))),
            pa.array(unit_ids[edge_unit]),
            repeated(self.unit.file_id, count),
            int32s(np.arange(count) - first_of_unit),
            pa.array(block_ids[flow.edge_src]),
            pa.array(block_ids[flow.edge_dst]),
            _EDGE_KINDS.take(pa.array(flow.edge_kind)),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[CFG_EDGES.name])
