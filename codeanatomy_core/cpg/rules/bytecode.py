"""Code units, basic blocks and control flow (code_units, cfg_blocks, cfg_edges).

A CODE_UNIT is its ``code_unit_id``, a CFG_BLOCK its ``block_id``; CFG edges keep the
extractor's kinds: fall_through -> CFG_NEXT, jump -> CFG_JUMP, exception -> CFG_EXCEPTION.
"""

from __future__ import annotations

from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind
from codeanatomy_core.cpg.rules.builders import edge_rule, join, node_rule, ref
from codeanatomy_core.relspec.bundles import RuleBundle
from codeanatomy_core.relspec.model import RuleDefinition

BYTECODE = RuleBundle("cpg_bytecode", description="Code objects, basic blocks and control flow.")

UNITS = ref("c", "code_units")
CFG_KINDS = {
    "fall_through": EdgeKind.CFG_NEXT,
    "jump": EdgeKind.CFG_JUMP,
    "exception": EdgeKind.CFG_EXCEPTION,
}


@BYTECODE.rule
def code_unit_nodes() -> RuleDefinition:
    return node_rule(
        name="code_unit_nodes",
        kind=NodeKind.CODE_UNIT,
        source=UNITS,
        joins=[join("f", "source_files", {"file_id": "c.file_id"})],
        origin="bytecode",
        columns={
            "node_id": "c.code_unit_id",
            "file_id": "c.file_id",
            "bstart": "c.bstart",
            "bend": "c.bend",
            "start_line": "c.first_line",
            "name": "c.name",
            "qualified_name": "CASE WHEN c.parent_code_unit_id IS NULL THEN f.module_name "
            "ELSE concat(f.module_name, '.', c.qualname) END",
            "instruction_count": "c.instruction_count",
            "argcount": "c.argcount",
            "flags": "c.flags",
        },
        description="One CODE_UNIT node per code object.",
    )


@BYTECODE.rule
def code_unit_of_edges() -> RuleDefinition:
    return edge_rule(
        name="code_unit_of_edges",
        kind=EdgeKind.CODE_UNIT_OF,
        source=UNITS,
        filters=["c.ast_node_id IS NOT NULL"],
        origin="bytecode",
        columns={"src": "c.code_unit_id", "dst": "c.ast_node_id", "file_id": "c.file_id"},
        description="CODE_UNIT -> the syntax node compiled into it.",
    )


@BYTECODE.rule
def cfg_block_nodes() -> RuleDefinition:
    return node_rule(
        name="cfg_block_nodes",
        kind=NodeKind.CFG_BLOCK,
        source=ref("b", "cfg_blocks"),
        origin="bytecode",
        columns={
            "node_id": "b.block_id",
            "file_id": "b.file_id",
            "start_line": "b.start_line",
            "name": "concat('block ', CAST(b.ordinal AS VARCHAR))",
            "start_offset": "b.start_offset",
            "end_offset": "b.end_offset",
        },
        description="One CFG_BLOCK node per basic block.",
    )


@BYTECODE.rule
def has_block_edges() -> RuleDefinition:
    return edge_rule(
        name="has_block_edges",
        kind=EdgeKind.HAS_BLOCK,
        source=ref("b", "cfg_blocks"),
        origin="bytecode",
        columns={
            "src": "b.code_unit_id",
            "dst": "b.block_id",
            "file_id": "b.file_id",
            "ordinal": "b.ordinal",
        },
        description="CODE_UNIT -> each of its basic blocks.",
    )


def _cfg_rule(label: str, kind: EdgeKind) -> RuleDefinition:
    return edge_rule(
        name=f"cfg_{label}_edges",
        kind=kind,
        source=ref("e", "cfg_edges"),
        filters=[f"e.edge_kind = '{label}'"],
        origin="bytecode",
        columns={"src": "e.src_block_id", "dst": "e.dst_block_id", "file_id": "e.file_id"},
        description=f"CFG_BLOCK -> CFG_BLOCK for every {label} edge of the control-flow graph.",
    )


for _label, _kind in CFG_KINDS.items():
    BYTECODE.add(_cfg_rule(_label, _kind), place=f"{__name__}._cfg_rule")
