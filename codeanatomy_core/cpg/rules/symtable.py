"""Scopes and symbols (symtable_scopes, symtable_symbols), and the nesting of definitions.

A SCOPE is its ``scope_id``, a SYMBOL its ``symbol_id``. Class and function scopes are
anchored to their syntax nodes, so the scope tree gives CONTAINS between definitions
(module -> class -> function, whatever statements they are nested in).
"""

from __future__ import annotations

from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind
from codeanatomy_core.cpg.rules.builders import edge_rule, in_list, join, node_rule, ref
from codeanatomy_core.relspec.bundles import RuleBundle
from codeanatomy_core.relspec.model import RuleDefinition

SYMTABLE = RuleBundle("cpg_symtable", description="Scopes, symbols and the nesting of definitions.")

SCOPES = ref("s", "symtable_scopes")
FILE_OF_SCOPE = join("f", "source_files", {"file_id": "s.file_id"})
SCOPE_QUALNAME = (
    "CASE WHEN s.qualified_name = '' THEN f.module_name ELSE concat(f.module_name, '.', s.qualified_name) END"
)
DEFINITION_NODES = ("ClassDef", "FunctionDef", "AsyncFunctionDef")


@SYMTABLE.rule
def scope_nodes() -> RuleDefinition:
    return node_rule(
        name="scope_nodes",
        kind=NodeKind.SCOPE,
        source=SCOPES,
        joins=[FILE_OF_SCOPE],
        origin="symtable",
        columns={
            "node_id": "s.scope_id",
            "file_id": "s.file_id",
            "bstart": "s.bstart",
            "bend": "s.bend",
            "start_line": "s.lineno",
            "name": "s.name",
            "qualified_name": SCOPE_QUALNAME,
            "scope_type": "s.scope_type",
            "symbol_count": "s.symbol_count",
        },
        description="One SCOPE node per symbol table.",
    )


@SYMTABLE.rule
def symbol_nodes() -> RuleDefinition:
    return node_rule(
        name="symbol_nodes",
        kind=NodeKind.SYMBOL,
        source=ref("y", "symtable_symbols"),
        joins=[
            join("s", "symtable_scopes", {"file_id": "y.file_id", "scope_id": "y.scope_id"}),
            FILE_OF_SCOPE,
        ],
        origin="symtable",
        columns={
            "node_id": "y.symbol_id",
            "file_id": "y.file_id",
            "name": "y.name",
            "qualified_name": f"concat({SCOPE_QUALNAME}, '.', y.name)",
            "scope_kind": "y.scope_kind",
            "flags": "y.flags",
        },
        description="One SYMBOL node per symbol of every scope.",
    )


@SYMTABLE.rule
def scope_parent_edges() -> RuleDefinition:
    return edge_rule(
        name="scope_parent_edges",
        kind=EdgeKind.SCOPE_PARENT,
        source=SCOPES,
        filters=["s.parent_scope_id IS NOT NULL"],
        origin="symtable",
        columns={"src": "s.scope_id", "dst": "s.parent_scope_id", "file_id": "s.file_id"},
        description="SCOPE -> its enclosing scope.",
    )


@SYMTABLE.rule
def scope_of_edges() -> RuleDefinition:
    return edge_rule(
        name="scope_of_edges",
        kind=EdgeKind.SCOPE_OF,
        source=SCOPES,
        filters=["s.ast_node_id IS NOT NULL"],
        origin="symtable",
        columns={"src": "s.scope_id", "dst": "s.ast_node_id", "file_id": "s.file_id"},
        description="SCOPE -> the syntax node opening it.",
    )


@SYMTABLE.rule
def has_symbol_edges() -> RuleDefinition:
    return edge_rule(
        name="has_symbol_edges",
        kind=EdgeKind.HAS_SYMBOL,
        source=ref("y", "symtable_symbols"),
        origin="symtable",
        columns={"src": "y.scope_id", "dst": "y.symbol_id", "file_id": "y.file_id"},
        description="SCOPE -> each of its symbols.",
    )


@SYMTABLE.rule
def definition_contains_definition() -> RuleDefinition:
    return edge_rule(
        name="definition_contains_definition",
        kind=EdgeKind.CONTAINS,
        source=SCOPES,
        joins=[
            join("p", "symtable_scopes", {"file_id": "s.file_id", "scope_id": "s.parent_scope_id"}),
            join("n", "ast_nodes", {"file_id": "s.file_id", "node_id": "s.ast_node_id"}),
        ],
        filters=[f"n.kind IN {in_list(DEFINITION_NODES)}", "p.ast_node_id IS NOT NULL"],
        origin="symtable",
        columns={"src": "p.ast_node_id", "dst": "s.ast_node_id", "file_id": "s.file_id"},
        description="MODULE, CLASS or FUNCTION -> each class and function defined directly in it "
        "(through the scope tree, whatever statements the definition is nested in).",
    )
