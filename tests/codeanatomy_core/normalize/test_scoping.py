"""ref_bindings by Python's scoping rules: LEGB, class bodies, global/nonlocal,
comprehensions, and the bindings that reach each reference."""

from __future__ import annotations


def test_golden_scoping_module(resolution_repo):
    assert resolution_repo.refs("app/scoping.py") == [
        (8, "x", "app.scoping.outer.x", "enclosing"),  # inner() reads outer's x
        (10, "inner", "app.scoping.outer.inner", "local"),
        (15, "x", "app.scoping.C.x", "class_body"),  # y = x in the class body
        (18, "x", "app.scoping.x", "global"),  # methods do not see the class body
        (26, "counter", "app.scoping.counter", "global"),  # global counter
        (34, "total", "app.scoping.make.total", "enclosing"),  # nonlocal total (total += 1)
        (35, "total", "app.scoping.make.total", "enclosing"),
        (37, "add", "app.scoping.make.add", "local"),
        (41, "items", "app.scoping.comp.items", "local"),
        (41, "x", "app.scoping.comp.<listcomp>.x", "local"),  # comprehension scope
        (41, "x", "app.scoping.comp.<listcomp>.x", "local"),
        (45, "outer", "app.scoping.outer", "global"),
        (46, "flag", "app.scoping.flow.flag", "local"),
        (47, "make", "app.scoping.make", "global"),
        (48, "value", "app.scoping.flow.value", "local"),
        (51, "len", "<builtin>.len", "builtin"),
        (51, "str", "<builtin>.str", "builtin"),
        (51, "x", "app.scoping.x", "global"),
    ]


def test_lookup_kinds_of_name_refs(resolution_repo):
    lookups = {
        (r["line"], r["name"], r["context"]): r["lookup"]
        for r in resolution_repo.rows("name_refs")
        if resolution_repo.paths[r["file_id"]] == "app/scoping.py"
    }
    assert lookups[8, "x", "load"] == "enclosing"
    assert lookups[15, "x", "load"] == "name"  # class body: local, then global, then builtin
    assert lookups[18, "x", "load"] == "global"
    assert lookups[26, "counter", "store"] == "local"
    assert lookups[41, "x", "store"] == "local"


def test_reaching_bindings_are_flow_sensitive(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def a(): pass
            def b(): pass
            handler = a
            handler = b
            handler()
            def pick(flag):
                f = a
                if flag:
                    f = b
                return f
            """
        }
    )
    assert resolved.calls("m") == {("m", "handler", "m.b", "flow")}
    # the variable definition is the static binding of both loads
    assert (5, "handler", "m.handler", "global") in resolved.refs("m.py")


def test_loops_carry_bindings_around_their_back_edge(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def first(): pass
            def second(): pass
            def run(items):
                step = first
                for item in items:
                    step()
                    step = second
            """
        }
    )
    assert resolved.calls("m.run") == {
        ("m.run", "step", "m.first", "flow"),
        ("m.run", "step", "m.second", "flow"),
    }


def test_module_level_names_fall_back_to_builtins_only_when_unbound(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            print("x")
            def print(*args): pass
            print("y")
            """
        }
    )
    assert resolved.refs("m.py") == [
        (1, "print", "<builtin>.print", "builtin"),
        (3, "print", "m.print", "global"),
    ]


def test_conditional_and_try_imports_give_several_candidates(resolution_repo):
    refs = [r for r in resolution_repo.refs("app/models.py") if r[1] == "json"]
    assert refs == [(41, "json", "json", "import"), (41, "json", "ujson", "import")]


def test_ambiguity_groups_and_confidence(resolution_repo):
    rows = [r for r in resolution_repo.rows("ref_bindings") if r["candidate_count"] == 2]
    assert rows
    for row in rows:
        group = [
            g for g in resolution_repo.rows("ref_bindings") if g["ambiguity_group"] == row["ambiguity_group"]
        ]
        assert len(group) == 2 and all(g["ref_id"] == row["ref_id"] for g in group)
        assert row["confidence"] == 0.5
