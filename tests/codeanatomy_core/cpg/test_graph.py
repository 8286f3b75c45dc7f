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


def test_files_modules_and_packages(built: Any) -> None:
    assert built.edge_labels("CONTAINS") >= {
        ("FILE app/__init__.py", "MODULE app"),
        ("FILE app/models.py", "MODULE app.models"),
        ("FILE broken.py", "MODULE broken"),
        ("PACKAGE app", "MODULE app"),
        ("PACKAGE app", "MODULE app.models"),
        ("PACKAGE app", "MODULE app.util"),
        ("PACKAGE app", "PACKAGE app.sub"),
        ("PACKAGE app.sub", "MODULE app.sub"),
        ("PACKAGE app.sub", "MODULE app.sub.helpers"),
    }
    packages = {e for e in built.edge_labels("CONTAINS") if e[0].startswith("PACKAGE")}
    assert len(packages) == 6
    files = {e for e in built.edge_labels("CONTAINS") if e[0].startswith("FILE")}
    assert len(files) == 7


def test_diagnostics_of_the_broken_file(built: Any) -> None:
    diagnostics = [n for n in built.nodes() if n["kind"] == "DIAGNOSTIC"]
    assert [(d["path"], d["name"], d["start_line"]) for d in diagnostics] == [("broken.py", "SyntaxError", 5)]
    assert built.edge_labels("HAS_DIAGNOSTIC") == {("FILE broken.py", "DIAGNOSTIC broken.py")}


def test_decorators_and_parameters(built: Any) -> None:
    assert built.edge_labels("DECORATED_BY") == {("CLASS Dog@24", "NAME_REF registered@23")}
    params = {(s.split("@")[0], d.split("@")[0]) for s, d in built.edge_labels("HAS_PARAMETER")}
    assert params == {
        ("FUNCTION registered", "PARAMETER cls"),
        ("FUNCTION __init__", "PARAMETER self"),
        ("FUNCTION __init__", "PARAMETER name"),
        ("FUNCTION speak", "PARAMETER self"),
        ("FUNCTION shout", "PARAMETER text"),
        ("FUNCTION twice", "PARAMETER fn"),
        ("FUNCTION twice", "PARAMETER value"),
        ("FUNCTION helper", "PARAMETER word"),
        ("FUNCTION run", "PARAMETER names"),
        ("LAMBDA <lambda>", "PARAMETER d"),
    }
