"""Names, imports, calls and bases resolved by normalize, as nodes and edges.

Definitions are tied to the graph through their syntax nodes: a class, function, lambda or
parameter definition is the ast_nodes node of the same file, span and class
(:func:`~codeanatomy_core.cpg.rules.builders.anchor_join`); a module is its MODULE node; a
variable or instance attribute is a VARIABLE node with its ``def_id``. Targets outside the
repository are EXTERNAL_SYMBOL nodes ``name_id('external', import path)``, of no file.
Resolution candidates keep their method, confidence and ambiguity group (the number of
candidates is the size of the group).
"""

from __future__ import annotations

from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind
from codeanatomy_core.cpg.rules.builders import (
    RESOLVED_EDGE_TEMPLATE,
    VARIABLE_KINDS,
    anchor_join,
    definition_node,
    edge_rule,
    external_node,
    in_list,
    join,
    node_rule,
    ref,
    target_node,
)
from codeanatomy_core.relspec.bundles import RuleBundle
from codeanatomy_core.relspec.model import ConfidencePolicy, Join, JoinType, RuleDefinition

RESOLUTION = RuleBundle("cpg_resolution", description="Definitions, references, imports, calls, bases.")

DEFS = "definitions"
RESOLVED = (RESOLVED_EDGE_TEMPLATE.name,)
LAST_SEGMENT = r"regexp_replace({name}, '^.*\.', '')"
OWNED = ("class", "function", "async_function", "lambda", *VARIABLE_KINDS)


def resolved(column: str) -> ConfidencePolicy:
    return ConfidencePolicy(expr=f"{column}.confidence", origin="resolution")


def owner_joins(scope: str) -> list[Join]:
    """Joins giving ``o``/``oa``: the definition owning scope ``scope`` (a comprehension's
    scope counts for its enclosing definition) and its syntax node."""
    return [
        join("s", "scopes", {"file_id": f"{scope}.file_id", "scope_id": f"{scope}.scope_id"}),
        join("sp", "scopes", {"file_id": "s.file_id", "scope_id": "s.parent_scope_id"}, how=JoinType.LEFT),
        join("o", DEFS, {"file_id": "s.file_id", "def_id": "coalesce(s.definition_id, sp.definition_id)"}),
        anchor_join("o", "oa"),
    ]


def target_joins(source: str) -> list[Join]:
    """Joins giving ``t``/``ta``: the definition a candidate of ``source`` names (any file)."""
    return [join("t", DEFS, {"def_id": f"{source}.target_def_id"}, how=JoinType.LEFT), anchor_join("t", "ta")]


def _external_nodes(name: str, source: str, alias: str, names: str, kinds: str) -> RuleDefinition:
    return node_rule(
        name=name,
        kind=NodeKind.EXTERNAL_SYMBOL,
        source=ref(alias, source),
        filters=[kinds],
        origin="resolution",
        columns={
            "node_id": external_node(names),
            "file_id": "0",
            "name": LAST_SEGMENT.format(name=names),
            "qualified_name": names,
            "symbol_kind": f"CASE WHEN {names} LIKE '<%' THEN 'builtin' ELSE 'external' END",
        },
        description=f"An EXTERNAL_SYMBOL node per external or builtin target named in {source}.",
    )


for _name, _source, _alias in (
    ("external_call_targets", "call_targets", "x"),
    ("external_ref_targets", "ref_bindings", "x"),
    ("external_import_targets", "imports", "x"),
    ("external_base_targets", "class_bases", "x"),
):
    RESOLUTION.add(
        _external_nodes(_name, _source, _alias, "x.target_name", "x.target_kind IN ('external', 'builtin')"),
        place=f"{__name__}._external_nodes",
    )
RESOLUTION.add(
    _external_nodes(
        "external_import_modules", "imports", "x", "x.absolute_module", "x.target_kind = 'external'"
    ),
    place=f"{__name__}._external_nodes",
)


@RESOLUTION.rule
def variable_nodes() -> RuleDefinition:
    return node_rule(
        name="variable_nodes",
        kind=NodeKind.VARIABLE,
        source=ref("d", DEFS),
        filters=[f"d.kind IN {in_list(VARIABLE_KINDS)}"],
        origin="resolution",
        columns={
            "node_id": "d.def_id",
            "file_id": "d.file_id",
            "bstart": "d.bstart",
            "bend": "d.bend",
            "start_line": "d.line",
            "name": "d.name",
            "qualified_name": "d.qualified_name",
            "def_kind": "d.kind",
        },
        description="A VARIABLE node per variable and instance attribute definition.",
    )


@RESOLUTION.rule
def implicit_call_nodes() -> RuleDefinition:
    return node_rule(
        name="implicit_call_nodes",
        kind=NodeKind.CALL,
        source=ref("c", "callsites"),
        filters=["c.call_kind <> 'call'"],
        origin="resolution",
        columns={
            "node_id": "c.callsite_id",
            "file_id": "c.file_id",
            "bstart": "c.bstart",
            "bend": "c.bend",
            "start_line": "c.line",
            "name": "c.callee_path",
            "callee_text": "c.callee_path",
            "call_kind": "c.call_kind",
        },
        description="A CALL node per call site without a Call expression: implicit dunder calls, "
        "decorator applications and raised classes (id: the callsite_id).",
    )


@RESOLUTION.rule
def defines_edges() -> RuleDefinition:
    return edge_rule(
        name="defines_edges",
        kind=EdgeKind.DEFINES,
        source=ref("d", DEFS),
        joins=[*owner_joins("d"), anchor_join("d", "da")],
        filters=[f"d.kind IN {in_list(OWNED)}", f"({definition_node('d', 'da')}) IS NOT NULL"],
        origin="resolution",
        columns={
            "src": definition_node("o", "oa"),
            "dst": definition_node("d", "da"),
            "file_id": "d.file_id",
        },
        description="The definition owning a scope -> each class, function, lambda and variable "
        "defined in it.",
    )


def _alias_name() -> str:
    return "CASE WHEN i.is_star THEN '*' ELSE coalesce(i.name, i.module) END"


@RESOLUTION.rule
def references_edges() -> RuleDefinition:
    return edge_rule(
        name="references_edges",
        kind=EdgeKind.REFERENCES,
        source=ref("b", "ref_bindings"),
        joins=[
            join("r", "name_refs", {"file_id": "b.file_id", "ref_id": "b.ref_id"}),
            join(
                "x",
                "ast_nodes",
                {"file_id": "r.file_id", "bstart": "r.bstart", "bend": "r.bend", "kind": "'Name'"},
            ),
            *target_joins("b"),
        ],
        filters=[f"({target_node('b', 't', 'ta')}) IS NOT NULL"],
        templates=RESOLVED,
        confidence=resolved("b"),
        columns={
            "src": "x.node_id",
            "dst": target_node("b", "t", "ta"),
            "file_id": "b.file_id",
            "resolution_method": "b.method",
            "ambiguity_group": "b.ambiguity_group",
        },
        description="NAME_REF -> each definition or external symbol it may refer to.",
    )


@RESOLUTION.rule
def reads_edges() -> RuleDefinition:
    return edge_rule(
        name="reads_edges",
        kind=EdgeKind.READS,
        source=ref("b", "ref_bindings"),
        joins=[
            join("r", "name_refs", {"file_id": "b.file_id", "ref_id": "b.ref_id"}),
            *owner_joins("r"),
            *target_joins("b"),
        ],
        filters=[
            "t.kind IN ('variable', 'attribute', 'parameter')",
            f"({definition_node('t', 'ta')}) IS NOT NULL",
        ],
        templates=RESOLVED,
        confidence=resolved("b"),
        columns={
            "src": definition_node("o", "oa"),
            "dst": definition_node("t", "ta"),
            "file_id": "b.file_id",
            "resolution_method": "b.method",
            "ambiguity_group": "b.ambiguity_group",
        },
        description="Owner of the scope of a loaded name -> the variable or parameter it refers to.",
    )


@RESOLUTION.rule
def writes_edges() -> RuleDefinition:
    return edge_rule(
        name="writes_edges",
        kind=EdgeKind.WRITES,
        source=ref("r", "name_refs"),
        joins=[
            *owner_joins("r"),
            join("t", DEFS, {"file_id": "r.file_id", "def_id": "r.bound_def_id"}),
            anchor_join("t", "ta"),
        ],
        filters=[
            "r.context = 'store'",
            "t.kind IN ('variable', 'attribute', 'parameter')",
            f"({definition_node('t', 'ta')}) IS NOT NULL",
        ],
        templates=RESOLVED,
        origin="resolution",
        columns={
            "src": definition_node("o", "oa"),
            "dst": definition_node("t", "ta"),
            "file_id": "r.file_id",
            "resolution_method": "'binding'",
            "ambiguity_group": "NULL",
        },
        description="Owner of the scope of a stored name -> the variable or parameter it binds.",
    )


def _imports_rule(
    name: str, target: str, joins: list[Join], filters: list[str], description: str
) -> RuleDefinition:
    return edge_rule(
        name=name,
        kind=EdgeKind.IMPORTS,
        source=ref("i", "imports"),
        joins=joins,
        filters=filters,
        origin="resolution",
        columns={
            "src": "derive_id(i.file_id, 'ast', 0)",
            "dst": target,
            "file_id": "i.file_id",
            "resolution_method": "'import'",
        },
        description=description,
    )


RESOLUTION.add(
    _imports_rule(
        "imports_module_edges",
        "derive_id(m.file_id, 'ast', 0)",
        [join("m", DEFS, {"qualified_name": "i.absolute_module"})],
        ["m.kind = 'module'"],
        "MODULE -> the repository module an import statement imports from (relative levels applied).",
    ),
    place=f"{__name__}._imports_rule",
)
RESOLUTION.add(
    _imports_rule(
        "imports_submodule_edges",
        "derive_id(m.file_id, 'ast', 0)",
        [join("m", DEFS, {"def_id": "i.target_def_id"})],
        ["m.kind = 'module'"],
        "MODULE -> a repository module imported by name (from package import module).",
    ),
    place=f"{__name__}._imports_rule",
)
RESOLUTION.add(
    _imports_rule(
        "imports_external_edges",
        external_node("i.absolute_module"),
        [],
        ["i.target_kind = 'external'", "i.absolute_module IS NOT NULL"],
        "MODULE -> the external module an import statement imports from.",
    ),
    place=f"{__name__}._imports_rule",
)


@RESOLUTION.rule
def imports_symbol_edges() -> RuleDefinition:
    return edge_rule(
        name="imports_symbol_edges",
        kind=EdgeKind.IMPORTS_SYMBOL,
        source=ref("i", "imports"),
        joins=[
            join("st", "ast_nodes", {"file_id": "i.file_id", "bstart": "i.bstart", "bend": "i.bend"}),
            join(
                "a", "ast_nodes", {"file_id": "st.file_id", "parent_id": "st.node_id", "name": _alias_name()}
            ),
            *target_joins("i"),
        ],
        filters=[
            "st.kind IN ('Import', 'ImportFrom')",
            "a.kind = 'alias'",
            f"({target_node('i', 't', 'ta')}) IS NOT NULL",
        ],
        templates=RESOLVED,
        origin="resolution",
        columns={
            "src": "a.node_id",
            "dst": target_node("i", "t", "ta"),
            "file_id": "i.file_id",
            "resolution_method": "'import'",
            "ambiguity_group": "CASE WHEN i.target_count > 1 THEN i.import_id END",
        },
        description="IMPORT (an imported name) -> the module, definition or external symbol it names.",
    )


@RESOLUTION.rule
def calls_edges() -> RuleDefinition:
    return edge_rule(
        name="calls_edges",
        kind=EdgeKind.CALLS,
        source=ref("ct", "call_targets"),
        joins=[
            join("c", "callsites", {"file_id": "ct.file_id", "callsite_id": "ct.callsite_id"}),
            join(
                "x",
                "ast_nodes",
                {"file_id": "c.file_id", "bstart": "c.bstart", "bend": "c.bend", "kind": "'Call'"},
                how=JoinType.LEFT,
            ),
            *target_joins("ct"),
        ],
        filters=[
            "(c.call_kind <> 'call' OR x.node_id IS NOT NULL)",
            f"({target_node('ct', 't', 'ta')}) IS NOT NULL",
        ],
        templates=RESOLVED,
        confidence=resolved("ct"),
        columns={
            "src": "CASE WHEN c.call_kind = 'call' THEN x.node_id ELSE c.callsite_id END",
            "dst": target_node("ct", "t", "ta"),
            "file_id": "ct.file_id",
            "resolution_method": "ct.method",
            "ambiguity_group": "ct.ambiguity_group",
        },
        description="CALL -> each callee candidate (definition, external symbol or builtin).",
    )


@RESOLUTION.rule
def inherits_edges() -> RuleDefinition:
    return edge_rule(
        name="inherits_edges",
        kind=EdgeKind.INHERITS,
        source=ref("cb", "class_bases"),
        joins=[
            join("k", DEFS, {"file_id": "cb.file_id", "def_id": "cb.class_def_id"}),
            anchor_join("k", "ka"),
            *target_joins("cb"),
        ],
        filters=[
            "cb.keyword IS NULL",
            "ka.node_id IS NOT NULL",
            f"({target_node('cb', 't', 'ta')}) IS NOT NULL",
        ],
        templates=RESOLVED,
        origin="resolution",
        columns={
            "src": "ka.node_id",
            "dst": target_node("cb", "t", "ta"),
            "file_id": "cb.file_id",
            "resolution_method": "'static'",
            "ambiguity_group": "NULL",
            "position": "cb.position",
        },
        description="CLASS -> each base class (definition or external symbol).",
    )
