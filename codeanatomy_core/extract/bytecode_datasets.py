"""Specs of the bytecode tables: code units, instructions, basic blocks and control-flow edges.

All four come from compiling each file's syntax tree (never executing it) in the shared
per-file pass. Ids are ``derive_ids(file_id, tag, ordinal)`` with file-level ordinals.
"""

from __future__ import annotations

from codeanatomy_core.extract.cfg import EDGE_KIND_LABELS
from codeanatomy_core.extract.datasets import file_dataset
from codeanatomy_core.specs import (
    ContractSpec,
    FieldSpec,
)
from codeanatomy_core.specs.templates import BYTE_SPAN, FILE_SCOPED
from codeanatomy_core.specs.types import BOOL, INT32, INT64, STRING, list_of

CODE_UNIT_TAG = "code_unit"
INSTRUCTION_TAG = "bytecode_instruction"
BLOCK_TAG = "cfg_block"
EDGE_TAG = "cfg_edge"

(_FILE_ID,) = FILE_SCOPED.apply()
_CODE_UNIT_ID = FieldSpec(
    name="code_unit_id", dtype=INT64, nullable=False, description="the code unit (code_units)"
)
_NAMES = list_of(STRING, item_nullable=False)

CODE_UNITS = file_dataset(
    "code_units",
    description="Every code object the compiler builds for a file (module, classes, functions, "
    "lambdas, comprehensions), from compile() of the syntax tree; never executed.",
    fields=(
        FieldSpec(
            name="code_unit_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {CODE_UNIT_TAG!r}, ordinal)",
        ),
        _FILE_ID,
        FieldSpec(
            name="ordinal",
            dtype=INT32,
            nullable=False,
            description="pre-order index in the file: a code object before those in its co_consts",
        ),
        FieldSpec(
            name="parent_code_unit_id", dtype=INT64, description="enclosing code unit; null for the module"
        ),
        FieldSpec(name="qualname", dtype=STRING, nullable=False, description="co_qualname"),
        FieldSpec(name="name", dtype=STRING, nullable=False, description="co_name"),
        FieldSpec(
            name="first_line", dtype=INT32, nullable=False, description="co_firstlineno (decorators included)"
        ),
        FieldSpec(name="flags", dtype=INT32, nullable=False, description="co_flags"),
        FieldSpec(
            name="flag_names",
            dtype=_NAMES,
            nullable=False,
            description="names of the set co_flags bits (dis.COMPILER_FLAG_NAMES, FUTURE_*), lowest first",
        ),
        FieldSpec(name="argcount", dtype=INT32, nullable=False),
        FieldSpec(name="posonlyargcount", dtype=INT32, nullable=False),
        FieldSpec(name="kwonlyargcount", dtype=INT32, nullable=False),
        FieldSpec(name="nlocals", dtype=INT32, nullable=False),
        FieldSpec(name="stacksize", dtype=INT32, nullable=False),
        FieldSpec(name="code_size", dtype=INT32, nullable=False, description="len(co_code) in bytes"),
        FieldSpec(
            name="instruction_count", dtype=INT32, nullable=False, description="inline caches excluded"
        ),
        FieldSpec(name="names", dtype=_NAMES, nullable=False, description="co_names"),
        FieldSpec(name="varnames", dtype=_NAMES, nullable=False, description="co_varnames"),
        FieldSpec(name="freevars", dtype=_NAMES, nullable=False, description="co_freevars"),
        FieldSpec(name="cellvars", dtype=_NAMES, nullable=False, description="co_cellvars"),
        FieldSpec(
            name="ast_node_id",
            dtype=INT64,
            description="the Module/FunctionDef/ClassDef/Lambda/comprehension node (ast_nodes) "
            "compiled into this unit, matched by name and first line; null if not anchored",
        ),
        *BYTE_SPAN.apply(
            nullable=True, descriptions={"bstart": "byte span of the anchored node (module: the file)"}
        ),
    ),
    key="code_unit_id",
    bloom="qualname",
)

BYTECODE_INSTRUCTIONS = file_dataset(
    "bytecode_instructions",
    description="Every bytecode instruction of every code unit (inline caches excluded), with the "
    "values dis.get_instructions reports and the source span from co_positions().",
    fields=(
        FieldSpec(
            name="instruction_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {INSTRUCTION_TAG!r}, ordinal)",
        ),
        _CODE_UNIT_ID,
        _FILE_ID,
        FieldSpec(
            name="ordinal",
            dtype=INT32,
            nullable=False,
            description="index in the file: code units in pre-order, then by offset",
        ),
        FieldSpec(name="offset", dtype=INT32, nullable=False, description="byte offset in co_code"),
        FieldSpec(name="opname", dtype=STRING, nullable=False),
        FieldSpec(name="opcode", dtype=INT32, nullable=False),
        FieldSpec(name="arg", dtype=INT32, description="argument with EXTENDED_ARG applied; null if none"),
        FieldSpec(
            name="argval",
            dtype=STRING,
            description="resolved argument as text: names and string constants as they are, other "
            "values by a deterministic repr (code objects without address, frozensets sorted); "
            "KW_NAMES resolved to its tuple; null if no argument",
        ),
        FieldSpec(name="argrepr", dtype=STRING, nullable=False, description="dis argrepr ('' if none)"),
        FieldSpec(name="jump_target", dtype=INT32, description="target offset of a jump; null otherwise"),
        FieldSpec(name="is_jump_target", dtype=BOOL, nullable=False, description="some jump lands here"),
        FieldSpec(name="start_line", dtype=INT32, description="co_positions(): 1-based; null if none"),
        FieldSpec(name="end_line", dtype=INT32),
        FieldSpec(name="start_col", dtype=INT32, description="0-based UTF-8 byte column"),
        FieldSpec(name="end_col", dtype=INT32),
        *BYTE_SPAN.apply(
            nullable=True,
            descriptions={
                "bstart": "byte offset of (start_line, start_col); null unless both ends are known",
                "bend": "byte offset of (end_line, end_col), exclusive",
            },
        ),
    ),
    key="instruction_id",
    bloom="argval",
    large=True,
)

CFG_BLOCKS = file_dataset(
    "cfg_blocks",
    description="Basic blocks of each code unit: split at jump targets, after jumps and "
    "returns/raises, and at exception-table range bounds and handlers.",
    fields=(
        FieldSpec(
            name="block_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {BLOCK_TAG!r}, index of the block in the file)",
        ),
        _CODE_UNIT_ID,
        _FILE_ID,
        FieldSpec(name="ordinal", dtype=INT32, nullable=False, description="index in the code unit"),
        FieldSpec(
            name="start_offset", dtype=INT32, nullable=False, description="offset of the first instruction"
        ),
        FieldSpec(
            name="end_offset", dtype=INT32, nullable=False, description="exclusive, inline caches included"
        ),
        FieldSpec(name="instruction_count", dtype=INT32, nullable=False),
        FieldSpec(name="start_line", dtype=INT32, description="first source line of its instructions"),
    ),
    key="block_id",
    ordering=("file_id", "code_unit_id", "ordinal"),
    spans=False,
)

CFG_EDGES = file_dataset(
    "cfg_edges",
    description="Control-flow edges between the basic blocks of a code unit: fall_through, jump "
    "and exception (protected block to handler, from the exception table).",
    fields=(
        FieldSpec(
            name="edge_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {EDGE_TAG!r}, index of the edge in the file)",
        ),
        _CODE_UNIT_ID,
        _FILE_ID,
        FieldSpec(
            name="ordinal",
            dtype=INT32,
            nullable=False,
            description="index in the code unit, by source block, kind, target block",
        ),
        FieldSpec(name="src_block_id", dtype=INT64, nullable=False),
        FieldSpec(name="dst_block_id", dtype=INT64, nullable=False),
        FieldSpec(name="edge_kind", dtype=STRING, nullable=False, description=" / ".join(EDGE_KIND_LABELS)),
    ),
    key="edge_id",
    ordering=("file_id", "code_unit_id", "ordinal"),
    contract=ContractSpec(
        unique=(("src_block_id", "dst_block_id", "edge_kind"),),
        allowed_values={"edge_kind": EDGE_KIND_LABELS},
    ),
    spans=False,
)

DATASETS = (CODE_UNITS, BYTECODE_INSTRUCTIONS, CFG_BLOCKS, CFG_EDGES)
