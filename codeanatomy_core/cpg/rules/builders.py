"""Short constructors of CPG rules (node rules, edge rules) and the shared rule templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from codeanatomy_core.cpg.datasets import EDGES, NODES
from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind
from codeanatomy_core.relspec.model import (
    ConfidencePolicy,
    DatasetRef,
    Join,
    JoinKey,
    JoinType,
    Projection,
    RelationalBody,
    RuleDefinition,
    RuleDomain,
    RuleOutput,
    RuleTemplate,
    WinnerSelection,
)
from codeanatomy_core.relspec.sql import literal

AST_NODE_TEMPLATE = RuleTemplate(
    name="ast_node",
    description="A node read off one ast_nodes row aliased n: its id, file, span, lines and name.",
    output=NODES,
    defaults=(
        Projection(column="node_id", expr="n.node_id"),
        Projection(column="file_id", expr="n.file_id"),
        Projection(column="bstart", expr="n.bstart"),
        Projection(column="bend", expr="n.bend"),
        Projection(column="start_line", expr="n.start_line"),
        Projection(column="end_line", expr="n.end_line"),
        Projection(column="name", expr="n.name"),
    ),
)

STRUCTURAL_EDGE_TEMPLATE = RuleTemplate(
    name="structural_edge",
    description="An edge that holds by construction (syntax, scopes, bytecode): resolution 'structural'.",
    output=EDGES,
    required=("src", "dst"),
    defaults=(Projection(column="resolution_method", expr=literal("structural")),),
)

RESOLVED_EDGE_TEMPLATE = RuleTemplate(
    name="resolved_edge",
    description="An edge from a resolution candidate: method, confidence and ambiguity group come from it.",
    output=EDGES,
    required=("src", "dst", "resolution_method", "ambiguity_group"),
)

TEMPLATES = (AST_NODE_TEMPLATE, RESOLVED_EDGE_TEMPLATE, STRUCTURAL_EDGE_TEMPLATE)

# ast node classes that carry no information of their own (contexts and operators): no nodes.
AST_SINGLETONS = (
    "Load", "Store", "Del",
    "And", "Or",
    "Add", "Sub", "Mult", "MatMult", "Div", "Mod", "Pow", "LShift", "RShift",
    "BitOr", "BitXor", "BitAnd", "FloorDiv",
    "Invert", "Not", "UAdd", "USub",
    "Eq", "NotEq", "Lt", "LtE", "Gt", "GtE", "Is", "IsNot", "In", "NotIn",
)  # fmt: skip

FUNCTION_DEFS = ("FunctionDef", "AsyncFunctionDef")


def in_list(values: Sequence[str]) -> str:
    """``('a', 'b')`` as a SQL list of literals."""
    return "(" + ", ".join(literal(v) for v in values) + ")"


def ref(alias: str, dataset: str) -> DatasetRef:
    return DatasetRef(alias=alias, dataset=dataset)


def join(alias: str, dataset: str, on: Mapping[str, str], *, how: JoinType = JoinType.INNER) -> Join:
    """Join ``dataset`` as ``alias`` where each column ``right`` equals expression ``on[right]``."""
    return Join(
        alias=alias,
        dataset=dataset,
        keys=tuple(JoinKey(left=left, right=right) for right, left in on.items()),
        how=how,
    )


def _body(
    source: DatasetRef,
    columns: Mapping[str, str],
    joins: Sequence[Join],
    filters: Sequence[str],
    winner: WinnerSelection | None,
) -> RelationalBody:
    return RelationalBody(
        source=source,
        joins=tuple(joins),
        filters=tuple(filters),
        projection=tuple(Projection(column=c, expr=e) for c, e in columns.items()),
        winner=winner,
    )


def node_rule(
    *,
    name: str,
    kind: NodeKind,
    source: DatasetRef,
    columns: Mapping[str, str],
    description: str,
    joins: Sequence[Join] = (),
    filters: Sequence[str] = (),
    templates: Sequence[str] = (),
    origin: str = "syntax",
    priority: int = 100,
) -> RuleDefinition:
    """A rule producing nodes of ``kind`` (``columns``: output column -> SQL expression)."""
    body = _body(source, columns, joins, filters, None)
    return RuleDefinition(
        name=name,
        domain=RuleDomain.CPG,
        inputs=body.datasets(),
        output=RuleOutput(dataset=NODES, kind=str(kind)),
        body=body,
        priority=priority,
        confidence=ConfidencePolicy(origin=origin),
        templates=tuple(templates),
        description=description,
    )


def edge_rule(
    *,
    name: str,
    kind: EdgeKind,
    source: DatasetRef,
    columns: Mapping[str, str],
    description: str,
    joins: Sequence[Join] = (),
    filters: Sequence[str] = (),
    templates: Sequence[str] = (STRUCTURAL_EDGE_TEMPLATE.name,),
    confidence: ConfidencePolicy | None = None,
    origin: str = "syntax",
    winner: WinnerSelection | None = None,
    priority: int = 100,
) -> RuleDefinition:
    """A rule producing edges of ``kind`` (``columns`` must give ``src`` and ``dst``)."""
    body = _body(source, columns, joins, filters, winner)
    return RuleDefinition(
        name=name,
        domain=RuleDomain.CPG,
        inputs=body.datasets(),
        output=RuleOutput(dataset=EDGES, kind=str(kind)),
        body=body,
        priority=priority,
        confidence=confidence or ConfidencePolicy(origin=origin),
        templates=tuple(templates),
        description=description,
    )


# The syntax node a normalize definition is anchored to (same file, span and node class).
DEFINITION_AST_KIND = (
    "CASE {d}.kind WHEN 'class' THEN 'ClassDef' WHEN 'function' THEN 'FunctionDef' "
    "WHEN 'async_function' THEN 'AsyncFunctionDef' WHEN 'lambda' THEN 'Lambda' "
    "WHEN 'parameter' THEN 'arg' END"
)
VARIABLE_KINDS = ("variable", "attribute")


def anchor_join(d: str, anchor: str) -> Join:
    """LEFT JOIN the syntax node of definition ``d`` (definitions) as ``anchor``."""
    return join(
        anchor,
        "ast_nodes",
        {
            "file_id": f"{d}.file_id",
            "bstart": f"{d}.bstart",
            "bend": f"{d}.bend",
            "kind": DEFINITION_AST_KIND.format(d=d),
        },
        how=JoinType.LEFT,
    )


def definition_node(d: str, anchor: str) -> str:
    """The CPG node of definition ``d``: the MODULE node of a module, the VARIABLE node (its
    ``def_id``) of a variable or attribute, else its anchored syntax node."""
    return (
        f"CASE WHEN {d}.kind = 'module' THEN derive_id({d}.file_id, 'ast', 0) "
        f"WHEN {d}.kind IN {in_list(VARIABLE_KINDS)} THEN {d}.def_id ELSE {anchor}.node_id END"
    )


def external_node(name: str) -> str:
    """The EXTERNAL_SYMBOL node named ``name`` (an import path or <builtin>.name)."""
    return f"name_id('external', {name})"


def target_node(source: str, d: str, anchor: str) -> str:
    """The node a resolution candidate (``source``: target_kind, target_name) points at."""
    external = external_node(f"{source}.target_name")
    return (
        f"CASE WHEN {source}.target_kind = 'definition' THEN {definition_node(d, anchor)} "
        f"WHEN {source}.target_kind IN ('external', 'builtin') THEN {external} END"
    )
