"""The CPG of the fixture repository: every kind, integrity, hand-written expected edges."""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from codeanatomy_core.cpg.datasets import EDGES, EDGES_BY_DST, EDGES_BY_SRC, NODES, PROPS, PROPS_MAP
from codeanatomy_core.cpg.declared import builtin_kinds
from codeanatomy_core.cpg.kinds import EdgeKind, NodeKind


def test_every_declared_kind_is_emitted(built: Any) -> None:
    nodes = set(built.table(NODES).column("kind").to_pylist())
    edges = set(built.table(EDGES).column("kind").to_pylist())
    assert nodes == {str(k) for k in NodeKind}
    assert edges == {str(k) for k in EdgeKind}


def test_referential_integrity(built: Any) -> None:
    nodes = built.table(NODES)
    ids = nodes.column("node_id")
    edges = built.table(EDGES)
    for column in ("src", "dst"):
        assert pc.all(pc.is_in(edges.column(column), value_set=ids)).as_py(), column
    props = built.table(PROPS)
    node_props = props.filter(pc.equal(props.column("entity_kind"), "node"))
    edge_props = props.filter(pc.equal(props.column("entity_kind"), "edge"))
    assert pc.all(pc.is_in(node_props.column("entity_id"), value_set=ids)).as_py()
    assert pc.all(pc.is_in(edge_props.column("entity_id"), value_set=edges.column("edge_id"))).as_py()
    assert sorted(built.table(PROPS_MAP).column("node_id").to_pylist()) == sorted(ids.to_pylist())
    for name in (EDGES_BY_SRC, EDGES_BY_DST):
        table = built.table(name)
        assert sorted(table.column("edge_id").to_pylist()) == sorted(edges.column("edge_id").to_pylist())


def test_edge_endpoints_have_the_kinds_their_contract_allows(built: Any) -> None:
    kinds = builtin_kinds()
    kind_of = {n["node_id"]: n["kind"] for n in built.nodes()}
    for edge in built.edges():
        contract = kinds.edge(edge["kind"])
        assert kind_of[edge["src"]] in contract.src_kinds, (edge["kind"], kind_of[edge["src"]])
        assert kind_of[edge["dst"]] in contract.dst_kinds, (edge["kind"], kind_of[edge["dst"]])


def test_span_contracts_hold(built: Any) -> None:
    kinds = builtin_kinds()
    for node in built.nodes():
        if kinds.node(node["kind"]).requires_span:
            assert node["bstart"] is not None and node["bend"] >= node["bstart"], node
            assert node["path"] is not None


def test_contains_is_the_nesting_of_packages_files_modules_and_definitions(built: Any) -> None:
    assert built.edge_labels("CONTAINS") == {
        ("PACKAGE app", "MODULE app"),
        ("PACKAGE app", "MODULE app.models"),
        ("PACKAGE app", "MODULE app.util"),
        ("PACKAGE app", "PACKAGE app.sub"),
        ("PACKAGE app.sub", "MODULE app.sub"),
        ("PACKAGE app.sub", "MODULE app.sub.helpers"),
        ("FILE app/__init__.py", "MODULE app"),
        ("FILE app/models.py", "MODULE app.models"),
        ("FILE app/sub/__init__.py", "MODULE app.sub"),
        ("FILE app/sub/helpers.py", "MODULE app.sub.helpers"),
        ("FILE app/util.py", "MODULE app.util"),
        ("FILE broken.py", "MODULE broken"),
        ("FILE main.py", "MODULE main"),
        ("MODULE app.models", "FUNCTION app.models.registered"),
        ("MODULE app.models", "CLASS app.models.Animal"),
        ("MODULE app.models", "CLASS app.models.Dog"),
        ("CLASS app.models.Animal", "FUNCTION app.models.Animal.__init__"),
        ("CLASS app.models.Animal", "FUNCTION app.models.Animal.speak"),
        ("CLASS app.models.Dog", "FUNCTION app.models.Dog.speak"),
        ("MODULE app.sub.helpers", "FUNCTION app.sub.helpers.helper"),
        ("MODULE app.util", "FUNCTION app.util.shout"),
        ("MODULE app.util", "FUNCTION app.util.twice"),
        ("MODULE app.util", "FUNCTION app.util.parse"),
        ("MODULE main", "FUNCTION main.run"),
    }


def test_diagnostics_of_the_broken_file(built: Any) -> None:
    diagnostics = [n for n in built.nodes() if n["kind"] == "DIAGNOSTIC"]
    assert [(d["path"], d["name"], d["start_line"]) for d in diagnostics] == [("broken.py", "SyntaxError", 5)]
    assert built.edge_labels("HAS_DIAGNOSTIC") == {("FILE broken.py", "DIAGNOSTIC broken.py")}


def test_decorators_and_parameters(built: Any) -> None:
    assert built.edge_labels("DECORATED_BY") == {("CLASS app.models.Dog", "NAME_REF registered@23")}
    assert built.edge_labels("HAS_PARAMETER") == {
        ("FUNCTION app.models.registered", "PARAMETER cls@8"),
        ("FUNCTION app.models.Animal.__init__", "PARAMETER self@16"),
        ("FUNCTION app.models.Animal.__init__", "PARAMETER name@16"),
        ("FUNCTION app.models.Animal.speak", "PARAMETER self@19"),
        ("FUNCTION app.models.Dog.speak", "PARAMETER self@26"),
        ("FUNCTION app.sub.helpers.helper", "PARAMETER word@4"),
        ("FUNCTION app.util.shout", "PARAMETER text@6"),
        ("FUNCTION app.util.twice", "PARAMETER fn@10"),
        ("FUNCTION app.util.twice", "PARAMETER value@10"),
        ("FUNCTION app.util.parse", "PARAMETER text@14"),
        ("FUNCTION main.run", "PARAMETER names@7"),
        ("LAMBDA <lambda>@10", "PARAMETER d@10"),
    }


def test_docstrings_and_comments(built: Any) -> None:
    assert built.edge_labels("HAS_DOCSTRING") == {
        ("MODULE app", "DOCSTRING None@1"),
        ("MODULE app.models", "DOCSTRING None@1"),
        ("MODULE app.util", "DOCSTRING None@1"),
        ("MODULE main", "DOCSTRING None@1"),
        ("FUNCTION app.models.registered", "DOCSTRING registered@9"),
        ("CLASS app.models.Animal", "DOCSTRING Animal@14"),
    }
    assert built.edge_labels("HAS_COMMENT") == {
        ("MODULE app.models", "COMMENT None@25"),
        ("MODULE main", "COMMENT None@10"),
    }
    props = built.table(PROPS).to_pylist()
    texts = {p["value_string"] for p in props if p["kind"] == "COMMENT" and p["key"] == "text"}
    assert texts == {"# a dog says woof", "# noqa: E731"}


def test_scopes_symbols_and_code_units(built: Any) -> None:
    scopes = {(s, d) for s, d in built.edge_labels("SCOPE_OF")}
    assert ("SCOPE main.run.lambda", "LAMBDA <lambda>@10") in scopes
    assert ("SCOPE main.run.listcomp", "AST_NODE None@8") in scopes
    assert ("SCOPE app.models", "MODULE app.models") in scopes
    assert ("SCOPE main.run.lambda", "SCOPE main.run") in built.edge_labels("SCOPE_PARENT")
    assert ("SCOPE app.util.shout", "SYMBOL app.util.shout.text") in built.edge_labels("HAS_SYMBOL")
    units = built.edge_labels("CODE_UNIT_OF")
    assert ("CODE_UNIT main.run.<locals>.<lambda>", "LAMBDA <lambda>@10") in units
    assert ("CODE_UNIT app.models", "MODULE app.models") in units
    exception_edges = built.edge_labels("CFG_EXCEPTION")
    assert exception_edges and all(s.startswith("CFG_BLOCK") for s, _ in exception_edges)
    handlers = {n["qualified_name"] for n in built.nodes() if n["kind"] == "CODE_UNIT"}
    assert "app.util.parse" in handlers
