"""The stored states of flow components: what a restored component gives is what it held."""

from __future__ import annotations

import gc

import msgspec

from codeanatomy_core.normalize.callgraph import resolve_folder
from codeanatomy_core.normalize.flow_states import StateKind, StateRow, restore
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.solver import FlowSolver
from codeanatomy_core.source.config import FlowGranularity

FILES = {
    "lib.py": """
        REGISTRY = {"a": len}

        class Base:
            tag = "base"

            def __init__(self):
                self.items = [1, "x"]

            def run(self):
                return self.items

        def make():
            return Base()

        def gen():
            yield make

        def apply(fn):
            return fn()
        """,
    "main.py": """
        from lib import REGISTRY, Base, apply, gen, make

        obj = make()
        obj.run()
        REGISTRY["a"]("s")
        for f in gen():
            f()
        apply(make)
        """,
}


def _solve(root, *, restored=None):
    resolution = resolve_folder(root)
    program = resolution.program
    graph = ModuleGraph(program, granularity=FlowGranularity.MODULES)
    solver = FlowSolver(program, resolution.symbols, graph=graph)
    lib = graph.component_of[next(e.index for e in program.files if e.module == "lib")]
    if restored is None:
        solver.solve(capture=True)
    else:
        solver.solve(restored={lib: restored})
    return solver


def test_a_restored_component_gives_its_readers_what_solving_it_gave(make_repo):
    root = make_repo(FILES)
    solved = _solve(root)
    lib_rows = [row for row in solved.states if row.file_id == solved.program.files[0].file_id]
    kinds = {row.kind for row in lib_rows}
    assert kinds == {
        StateKind.NAMESPACE,
        StateKind.FIELD,
        StateKind.RETURN,
        StateKind.YIELD,
        StateKind.SUMMARY,
    }
    assert [row.ordinal for row in lib_rows] == list(range(len(lib_rows)))
    main_rows = [row for row in solved.states if row.file_id == solved.program.files[1].file_id]
    assert [row.kind for row in main_rows if row.kind is StateKind.FEEDS] == [StateKind.FEEDS]  # lib's fn()

    restored = _solve(root, restored=lib_rows)  # main.py solved over lib.py's stored state
    assert restored.param_sites == solved.param_sites
    lib = restored.program.files[0]
    fed = next(lib.call_base + i for i, call in enumerate(lib.facts.calls) if call.callee_path == "fn")
    # main's call sites, and lib's fn() that main fed (lib's own call edges are not restored).
    main_calls = [fed, *range(restored.program.files[1].call_base, restored.program.call_count)]

    def named(solver: FlowSolver, gid: int) -> set[str]:
        return {
            solver.program.qualname(t) if t >= 0 else solver.symbol_names[~t]
            for t in solver.call_edges.get(gid, {})
        }

    assert {gid: named(restored, gid) for gid in main_calls} == {
        gid: named(solved, gid) for gid in main_calls
    }
    assert set().union(*(named(restored, gid) for gid in main_calls)) >= {
        "lib.make",
        "lib.Base.run",
        "lib.gen",
    }
    assert named(restored, fed) == {"lib.make"}


def test_restoring_writes_nothing_into_the_restored_variables(make_repo):
    root = make_repo(FILES)
    solved = _solve(root)
    rows: list[StateRow] = [row for row in solved.states if row.file_id == solved.program.files[0].file_id]
    fresh = FlowSolver(solved.program, solved.symbols, graph=solved.graph)
    restore(fresh.codec, rows)
    restored = [(m, n, v) for (m, n), v in fresh.globals.items()]
    assert restored

    def keys(solver: FlowSolver, var: int) -> list[object]:  # values by content (ids differ)
        return sorted(map(repr, map(solver.codec.value_key, solver.engine.values(var))))

    for module, name, var in restored:
        assert fresh.engine.frozen[var], (module, name)
        # Deferred: the values are made when the variable is first read.
        assert fresh.engine.pts[var] is None
        expected = keys(solved, solved.globals[module, name])
        assert keys(fresh, var) == expected != []
        fresh.engine.add(var, [fresh.values.typed("int")])  # frozen: takes nothing more
        assert keys(fresh, var) == expected


def test_a_resolution_is_freed_without_the_cyclic_collector(make_repo):
    # A resolution holds millions of objects: a reference cycle (the solver and its codec)
    # would leave them all to a second-long collector pass instead of freeing them when the
    # last reference goes.
    resolution = resolve_folder(make_repo(FILES))
    assert resolution.stats.call_edges > 0
    gc.collect()
    gc.disable()
    try:
        del resolution
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_restored_fields_are_made_when_their_object_is_first_touched(make_repo):
    root = make_repo(FILES)
    solved = _solve(root)
    lib_id = solved.program.files[0].file_id
    rows: list[StateRow] = [row for row in solved.states if row.file_id == lib_id]
    fresh = FlowSolver(solved.program, solved.symbols, graph=solved.graph)
    restore(fresh.codec, rows)
    field_rows = [row for row in rows if row.kind is StateKind.FIELD]
    assert field_rows
    assert not fresh.fields  # nothing made until the solve touches an object
    for row in field_rows:
        object_key, key = msgspec.msgpack.decode(row.variable)
        obj = fresh.codec.value_of(object_key)
        var = fresh.field(obj, key)
        assert fresh.engine.frozen[var]
        made = sorted(map(repr, map(fresh.codec.value_key, fresh.engine.values(var))))
        original = solved.fields[solved.codec.value_of(object_key), key]
        assert made == sorted(map(repr, map(solved.codec.value_key, solved.engine.values(original))))
    # An object's fields come in their stored order (the order they were made in), whichever
    # one is asked for first.
    encode = msgspec.msgpack.encode
    stored: dict[bytes, list[str]] = {}
    for row in field_rows:
        object_key, key = msgspec.msgpack.decode(row.variable)
        stored.setdefault(encode(object_key), []).append(key)
    assert {encode(fresh.codec.value_key(obj)): keys for obj, keys in fresh.field_keys.items()} == stored
