"""scopes and definitions: kinds, dotted qualified names, spans, flags."""

from __future__ import annotations


def test_functions_classes_and_methods_have_dotted_names(resolution_repo):
    names = {
        (r["kind"], r["qualified_name"])
        for r in resolution_repo.rows("definitions")
        if r["kind"] in ("module", "class", "function", "lambda")
    }
    assert {
        ("module", "app"),
        ("module", "app.models"),
        ("module", "main"),
        ("class", "app.models.Base"),
        ("class", "app.models.Model"),
        ("function", "app.models.Model.__init__"),
        ("function", "app.models.Base.create"),
        ("function", "app.scoping.outer"),
        ("function", "app.scoping.outer.inner"),  # nesting without <locals>
        ("function", "app.flows.deco.wrapper"),
        ("function", "main.main"),
    } <= names


def test_parameters_variables_and_attributes(resolution_repo):
    names = {(r["kind"], r["qualified_name"]) for r in resolution_repo.rows("definitions")}
    assert ("parameter", "app.models.Model.__init__.name") in names
    assert ("parameter", "app.flows.deco.wrapper.args") in names
    assert ("variable", "app.scoping.x") in names  # module level
    assert ("variable", "app.scoping.outer.x") in names  # function local
    assert ("variable", "app.scoping.C.x") in names  # class body
    assert ("variable", "app.scoping.comp.<listcomp>.x") in names  # comprehension scope
    assert ("attribute", "app.models.Model.name") in names  # self.name = ...
    assert ("attribute", "app.util.Registry.handlers") in names
    assert ("variable", "app.util.__all__") in names


def test_method_flags(resolution_repo):
    flags = {
        r["qualified_name"]: (r["is_method"], r["is_staticmethod"], r["is_classmethod"], r["is_property"])
        for r in resolution_repo.rows("definitions")
        if r["kind"] == "function"
    }
    assert flags["app.models.Base.create"] == (True, False, True, False)
    assert flags["app.models.Base.check"] == (True, True, False, False)
    assert flags["app.models.Model.label"] == (True, False, False, True)
    assert flags["app.flows.target"] == (False, False, False, False)


def test_lambdas_are_numbered_per_enclosing_scope(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            square = lambda v: v * v
            def f():
                return [lambda: 1, lambda: 2]
            class K:
                key = lambda self: 0
            """
        }
    )
    assert {"m.<lambda1>", "m.f.<lambda1>", "m.f.<lambda2>", "m.K.<lambda1>"} <= resolved.qualified_names(
        "lambda"
    )


def test_scopes_nest_and_span_their_definitions(resolution_repo):
    scopes = {r["qualified_name"]: r for r in resolution_repo.rows("scopes")}
    inner, outer = scopes["app.scoping.outer.inner"], scopes["app.scoping.outer"]
    assert inner["kind"] == "function" and inner["parent_scope_id"] == outer["scope_id"]
    assert outer["bstart"] < inner["bstart"] < inner["bend"] <= outer["bend"]
    assert scopes["app.scoping.comp.<listcomp>"]["kind"] == "comprehension"
    assert scopes["app.scoping"]["parent_scope_id"] is None
    text = (resolution_repo.root / "app/scoping.py").read_bytes()
    assert text[inner["bstart"] : inner["bend"]].startswith(b"def inner():")


def test_spans_are_utf8_byte_offsets(resolve_files):
    resolved = resolve_files({"u.py": "é = 'ü'\ndef ƒ():\n    return é\n"})
    text = "é = 'ü'\ndef ƒ():\n    return é\n".encode()
    refs = [r for r in resolved.rows("name_refs") if r["name"] == "é"]
    assert [text[r["bstart"] : r["bend"]] for r in refs] == ["é".encode(), "é".encode()]
    function = next(r for r in resolved.rows("definitions") if r["name"] == "ƒ")
    assert text[function["bstart"] : function["bend"]] == "def ƒ():\n    return é".encode()


def test_ids_are_unique_and_derived_from_file_and_ordinal(resolution_repo):
    for table, key in (("definitions", "def_id"), ("scopes", "scope_id"), ("name_refs", "ref_id")):
        ids = [r[key] for r in resolution_repo.rows(table)]
        assert len(ids) == len(set(ids)), table
