"""Nodes and edges read off the syntax tree (ast_nodes).

Every syntax node except the context and operator singletons is a CPG node whose id is its
``ast_nodes.node_id`` (``derive_id(file_id, 'ast', pre-order ordinal)``): classes,
functions, lambdas, parameters, imported names, names, attributes and calls get their own
kinds, every other one is an AST_NODE. The Module node is the file's MODULE node (same id).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind
from codeanatomy_core.cpg.rules.builders import (
    AST_NODE_TEMPLATE,
    AST_SINGLETONS,
    FUNCTION_DEFS,
    edge_rule,
    in_list,
    join,
    node_rule,
    ref,
)
from codeanatomy_core.relspec.bundles import RuleBundle
from codeanatomy_core.relspec.model import Join, JoinType, RuleDefinition

SYNTAX = RuleBundle("cpg_syntax", description="Nodes and edges of the syntax tree.")

AST = "ast_nodes"
N = ref("n", AST)
TEMPLATE = (AST_NODE_TEMPLATE.name,)

OWN_KINDS = {
    "ClassDef": NodeKind.CLASS,
    "FunctionDef": NodeKind.FUNCTION,
    "AsyncFunctionDef": NodeKind.FUNCTION,
    "Lambda": NodeKind.LAMBDA,
    "arg": NodeKind.PARAMETER,
    "alias": NodeKind.IMPORT,
    "Name": NodeKind.NAME_REF,
    "Attribute": NodeKind.ATTRIBUTE_REF,
    "Call": NodeKind.CALL,
    "Module": NodeKind.MODULE,
}

# Definitions take their qualified name from the scope they open (module name prepended).
DEFINITION_JOINS = (
    join("s", "symtable_scopes", {"file_id": "n.file_id", "ast_node_id": "n.node_id"}, how=JoinType.LEFT),
    join("f", "source_files", {"file_id": "n.file_id"}, how=JoinType.LEFT),
)
DEFINITION_QUALNAME = (
    "CASE WHEN s.qualified_name IS NULL THEN NULL ELSE concat(f.module_name, '.', s.qualified_name) END"
)

CTX = join(
    "c", AST, {"file_id": "n.file_id", "parent_id": "n.node_id", "field_name": "'ctx'"}, how=JoinType.LEFT
)
PARAM_KIND = (
    "CASE n.field_name WHEN 'posonlyargs' THEN 'posonly' WHEN 'args' THEN 'positional' "
    "WHEN 'vararg' THEN 'vararg' WHEN 'kwonlyargs' THEN 'kwonly' WHEN 'kwarg' THEN 'kwarg' END"
)


def _syntax_node(
    name: str,
    kind: NodeKind,
    ast_kinds: tuple[str, ...],
    description: str,
    *,
    columns: Mapping[str, str] | None = None,
    joins: Sequence[Join] = (),
) -> RuleDefinition:
    """A node per ast_nodes row (alias n) of ``ast_kinds``, through the ast_node template."""
    return node_rule(
        name=name,
        kind=kind,
        source=N,
        filters=[f"n.kind IN {in_list(ast_kinds)}"],
        joins=joins,
        columns=dict(columns or {}),
        templates=TEMPLATE,
        description=description,
    )


@SYNTAX.rule
def class_nodes() -> RuleDefinition:
    return _syntax_node(
        "class_nodes",
        NodeKind.CLASS,
        ("ClassDef",),
        "A CLASS node per class statement.",
        joins=DEFINITION_JOINS,
        columns={"qualified_name": DEFINITION_QUALNAME},
    )


@SYNTAX.rule
def function_nodes() -> RuleDefinition:
    return _syntax_node(
        "function_nodes",
        NodeKind.FUNCTION,
        FUNCTION_DEFS,
        "A FUNCTION node per def and async def.",
        joins=DEFINITION_JOINS,
        columns={"is_async": "n.kind = 'AsyncFunctionDef'", "qualified_name": DEFINITION_QUALNAME},
    )


@SYNTAX.rule
def lambda_nodes() -> RuleDefinition:
    return _syntax_node(
        "lambda_nodes",
        NodeKind.LAMBDA,
        ("Lambda",),
        "A LAMBDA node per lambda.",
        columns={"name": "'<lambda>'"},
    )


@SYNTAX.rule
def parameter_nodes() -> RuleDefinition:
    return _syntax_node(
        "parameter_nodes",
        NodeKind.PARAMETER,
        ("arg",),
        "A PARAMETER node per parameter (ast.arg) of a function or lambda.",
        columns={"param_kind": PARAM_KIND},
    )


@SYNTAX.rule
def import_nodes() -> RuleDefinition:
    return _syntax_node(
        "import_nodes",
        NodeKind.IMPORT,
        ("alias",),
        "An IMPORT node per imported name (ast.alias) of an import or from-import statement.",
        joins=[join("s", AST, {"file_id": "n.file_id", "node_id": "n.parent_id"})],
        columns={
            "imported": "CASE WHEN s.kind = 'ImportFrom' THEN concat_ws('.', s.name, n.name) ELSE n.name END"
        },
    )


@SYNTAX.rule
def name_ref_nodes() -> RuleDefinition:
    return _syntax_node(
        "name_ref_nodes",
        NodeKind.NAME_REF,
        ("Name",),
        "A NAME_REF node per name in an expression, with its context.",
        joins=[CTX],
        columns={"ctx": "lower(c.kind)"},
    )


@SYNTAX.rule
def attribute_ref_nodes() -> RuleDefinition:
    return _syntax_node(
        "attribute_ref_nodes",
        NodeKind.ATTRIBUTE_REF,
        ("Attribute",),
        "An ATTRIBUTE_REF node per attribute access, with its context.",
        joins=[CTX],
        columns={"ctx": "lower(c.kind)"},
    )


@SYNTAX.rule
def call_nodes() -> RuleDefinition:
    return _syntax_node(
        "call_nodes",
        NodeKind.CALL,
        ("Call",),
        "A CALL node per call expression, with the name of its callee expression.",
        joins=[
            join(
                "c",
                AST,
                {"file_id": "n.file_id", "parent_id": "n.node_id", "field_name": "'func'"},
                how=JoinType.LEFT,
            )
        ],
        columns={"name": "c.name", "callee_text": "c.name"},
    )


@SYNTAX.rule
def ast_other_nodes() -> RuleDefinition:
    return node_rule(
        name="ast_other_nodes",
        kind=NodeKind.AST_NODE,
        source=N,
        filters=[f"n.kind NOT IN {in_list((*OWN_KINDS, *AST_SINGLETONS))}"],
        columns={"name": "n.name", "ast_type": "n.kind"},
        templates=TEMPLATE,
        description="An AST_NODE per other syntax node (contexts and operators excepted).",
    )


@SYNTAX.rule
def ast_child_edges() -> RuleDefinition:
    return edge_rule(
        name="ast_child_edges",
        kind=EdgeKind.AST_CHILD,
        source=N,
        filters=["n.parent_id IS NOT NULL", f"n.kind NOT IN {in_list(AST_SINGLETONS)}"],
        columns={
            "src": "n.parent_id",
            "dst": "n.node_id",
            "file_id": "n.file_id",
        },
        description="Syntax parent -> child (context and operator singletons have no node).",
    )


@SYNTAX.rule
def has_parameter_edges() -> RuleDefinition:
    return edge_rule(
        name="has_parameter_edges",
        kind=EdgeKind.HAS_PARAMETER,
        source=ref("a", AST),
        joins=[
            join("g", AST, {"file_id": "a.file_id", "node_id": "a.parent_id"}),
            join("d", AST, {"file_id": "g.file_id", "node_id": "g.parent_id"}),
        ],
        filters=["a.kind = 'arg'", f"d.kind IN {in_list((*FUNCTION_DEFS, 'Lambda'))}"],
        columns={
            "src": "d.node_id",
            "dst": "a.node_id",
            "file_id": "a.file_id",
            "position": "coalesce(a.field_index, 0)",
        },
        description="FUNCTION or LAMBDA -> each parameter (through its ast.arguments).",
    )


@SYNTAX.rule
def decorated_by_edges() -> RuleDefinition:
    return edge_rule(
        name="decorated_by_edges",
        kind=EdgeKind.DECORATED_BY,
        source=ref("x", AST),
        joins=[join("d", AST, {"file_id": "x.file_id", "node_id": "x.parent_id"})],
        filters=["x.field_name = 'decorator_list'", f"d.kind IN {in_list((*FUNCTION_DEFS, 'ClassDef'))}"],
        columns={"src": "d.node_id", "dst": "x.node_id", "file_id": "x.file_id", "position": "x.field_index"},
        description="CLASS or FUNCTION -> each of its decorator expressions.",
    )
