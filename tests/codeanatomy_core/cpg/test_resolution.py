"""Resolved edges of the fixture repository against hand-written expectations (exact)."""

from __future__ import annotations

from typing import Any


def test_calls(built: Any) -> None:
    assert built.edge_list("CALLS") == sorted(
        [
            # main.run
            ("CALL Dog@8", "FUNCTION app.models.Animal.__init__"),  # instantiation
            ("CALL twice@9", "FUNCTION app.util.twice"),
            ("CALL sorted@11", "EXTERNAL_SYMBOL <builtin>.sorted"),
            ("CALL sorted@11", "LAMBDA <lambda>@10"),  # key= callback
            ("CALL len@11", "EXTERNAL_SYMBOL <builtin>.len"),
            # app.models
            ("CALL registered@23", "FUNCTION app.models.registered"),  # decorator application
            ("CALL shout@20", "FUNCTION app.util.shout"),
            ("CALL super@27", "EXTERNAL_SYMBOL <builtin>.super"),
            ("CALL speak@27", "FUNCTION app.models.Animal.speak"),  # super().speak()
            ("CALL dumps@28", "EXTERNAL_SYMBOL json.dumps"),
            # app.util
            ("CALL upper@7", "EXTERNAL_SYMBOL <**PyStr**>.upper"),
            ("CALL fn@11", "FUNCTION app.util.shout"),  # fn(fn(value)): util.shout flows into fn
            ("CALL fn@11", "FUNCTION app.util.shout"),
            ("CALL int@16", "EXTERNAL_SYMBOL <builtin>.int"),
            # app.sub.helpers
            ("CALL shout@5", "FUNCTION app.util.shout"),
        ]
    )


def test_call_candidates_keep_their_method_confidence_and_group(built: Any) -> None:
    label = built.label()
    calls = [e for e in built.edges() if e["kind"] == "CALLS" and label[e["src"]] == "CALL sorted@11"]
    assert sorted((label[e["dst"]], e["resolution_method"], e["confidence"]) for e in calls) == [
        ("EXTERNAL_SYMBOL <builtin>.sorted", "builtin", 0.5),
        ("LAMBDA <lambda>@10", "callback", 0.45),
    ]
    assert calls[0]["ambiguity_group"] == calls[1]["ambiguity_group"] is not None
    assert {e["origin"] for e in calls} == {"resolution"}


def test_imports(built: Any) -> None:
    assert built.edge_list("IMPORTS") == sorted(
        [
            ("MODULE app", "MODULE app.models"),
            ("MODULE app.models", "EXTERNAL_SYMBOL json"),
            ("MODULE app.models", "MODULE app.util"),
            ("MODULE app.sub.helpers", "MODULE app.util"),  # from ..util import shout
            ("MODULE main", "MODULE app"),
            ("MODULE main", "MODULE app.util"),  # from app import util
            ("MODULE main", "MODULE app.models"),
        ]
    )
    assert built.edge_list("IMPORTS_SYMBOL") == sorted(
        [
            ("IMPORT Dog@3", "CLASS app.models.Dog"),  # app/__init__.py
            ("IMPORT Dog@4", "CLASS app.models.Dog"),  # main.py
            ("IMPORT json@3", "EXTERNAL_SYMBOL json"),
            ("IMPORT shout@1", "FUNCTION app.util.shout"),
            ("IMPORT shout@5", "FUNCTION app.util.shout"),
            ("IMPORT util@3", "MODULE app.util"),
        ]
    )


def test_inherits(built: Any) -> None:
    assert built.edge_list("INHERITS") == [("CLASS app.models.Dog", "CLASS app.models.Animal")]


def test_references(built: Any) -> None:
    assert built.edge_list("REFERENCES") == sorted(
        [
            # main.run
            ("NAME_REF names@8", "PARAMETER names@7"),
            ("NAME_REF Dog@8", "CLASS app.models.Dog"),
            ("NAME_REF n@8", "VARIABLE main.run.<listcomp>.n"),
            ("NAME_REF util@9", "MODULE app.util"),
            ("NAME_REF util@9", "MODULE app.util"),
            ("NAME_REF d@10", "PARAMETER d@10"),
            ("NAME_REF sorted@11", "EXTERNAL_SYMBOL <builtin>.sorted"),
            ("NAME_REF dogs@11", "VARIABLE main.run.dogs"),
            ("NAME_REF key@11", "VARIABLE main.run.key"),
            ("NAME_REF loud@11", "VARIABLE main.run.loud"),
            ("NAME_REF len@11", "EXTERNAL_SYMBOL <builtin>.len"),
            ("NAME_REF names@11", "PARAMETER names@7"),
            # app.models
            ("NAME_REF cls@10", "PARAMETER cls@8"),
            ("NAME_REF self@17", "PARAMETER self@16"),
            ("NAME_REF name@17", "PARAMETER name@16"),
            ("NAME_REF shout@20", "FUNCTION app.util.shout"),  # through the import
            ("NAME_REF self@20", "PARAMETER self@19"),
            ("NAME_REF registered@23", "FUNCTION app.models.registered"),
            ("NAME_REF Animal@24", "CLASS app.models.Animal"),
            ("NAME_REF super@27", "EXTERNAL_SYMBOL <builtin>.super"),
            ("NAME_REF json@28", "EXTERNAL_SYMBOL json"),
            ("NAME_REF text@28", "VARIABLE app.models.Dog.speak.text"),
            # app.util
            ("NAME_REF text@7", "PARAMETER text@6"),
            ("NAME_REF PREFIX@7", "VARIABLE app.util.PREFIX"),
            ("NAME_REF fn@11", "PARAMETER fn@10"),
            ("NAME_REF fn@11", "PARAMETER fn@10"),
            ("NAME_REF value@11", "PARAMETER value@10"),
            ("NAME_REF int@16", "EXTERNAL_SYMBOL <builtin>.int"),
            ("NAME_REF text@16", "PARAMETER text@14"),
            ("NAME_REF ValueError@17", "EXTERNAL_SYMBOL <builtin>.ValueError"),
            # app.sub.helpers
            ("NAME_REF shout@5", "FUNCTION app.util.shout"),
            ("NAME_REF word@5", "PARAMETER word@4"),
        ]
    )


def test_definitions_reads_and_writes(built: Any) -> None:
    defines = built.edge_labels("DEFINES")
    assert ("FUNCTION main.run", "LAMBDA <lambda>@10") in defines
    assert ("FUNCTION main.run", "VARIABLE main.run.<listcomp>.n") in defines  # a comprehension variable
    assert ("CLASS app.models.Animal", "VARIABLE app.models.Animal.name") in defines  # self.name
    assert ("MODULE main", "VARIABLE main.util") in defines  # bound by an import
    assert built.edge_list("WRITES") == sorted(
        [
            ("FUNCTION app.models.Dog.speak", "VARIABLE app.models.Dog.speak.text"),
            ("FUNCTION main.run", "VARIABLE main.run.dogs"),
            ("FUNCTION main.run", "VARIABLE main.run.key"),
            ("FUNCTION main.run", "VARIABLE main.run.loud"),
            ("FUNCTION main.run", "VARIABLE main.run.<listcomp>.n"),
            ("MODULE app", "VARIABLE app.__all__"),
            ("MODULE app.util", "VARIABLE app.util.PREFIX"),
        ]
    )
    reads = built.edge_labels("READS")
    assert ("FUNCTION app.util.shout", "VARIABLE app.util.PREFIX") in reads  # a global
    assert ("LAMBDA <lambda>@10", "PARAMETER d@10") in reads
    assert all(src.split()[0] in {"MODULE", "CLASS", "FUNCTION", "LAMBDA"} for src, _ in reads)


def test_external_symbols_belong_to_no_file(built: Any) -> None:
    external = [n for n in built.nodes() if n["kind"] == "EXTERNAL_SYMBOL"]
    assert {n["qualified_name"] for n in external} == {
        "<**PyStr**>.upper",
        "<builtin>.ValueError",
        "<builtin>.int",
        "<builtin>.len",
        "<builtin>.sorted",
        "<builtin>.super",
        "json",
        "json.dumps",
    }
    assert {(n["file_id"], n["path"]) for n in external} == {(0, None)}
