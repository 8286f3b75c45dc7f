"""The components the flow is solved in: import cycles in dependency order, or the program."""

from __future__ import annotations

from codeanatomy_core.normalize.callgraph import call_graph_of_folder, resolve_folder
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.source.config import FlowGranularity

FILES = {
    "a.py": "import b\nx = 1\n",
    "b.py": "import a\n",
    "c.py": "from a import x\n",
    "d.py": "y = 2\n",
}


def test_import_cycles_are_components_after_their_dependencies(make_repo):
    program = resolve_folder(make_repo(FILES)).program
    assert [entry.module for entry in program.files] == ["a", "b", "c", "d"]
    graph = ModuleGraph(program, granularity=FlowGranularity.MODULES)
    assert graph.components == ((0, 1), (2,), (3,))
    assert graph.component_of == [0, 0, 1, 2]
    assert graph.depends == (frozenset(), frozenset({0}), frozenset())
    assert graph.importer_closure({0}) == {0, 1}
    assert graph.dependency_closure({1}) == {0, 1}
    assert graph.importer_closure({2}) == {2}


def test_the_program_granularity_is_one_component(make_repo):
    program = resolve_folder(make_repo(FILES)).program
    graph = ModuleGraph(program, granularity=FlowGranularity.PROGRAM)
    assert graph.components == ((0, 1, 2, 3),)
    assert graph.depends == (frozenset(),)


def test_per_module_components_do_not_see_what_importers_write_into_a_module(make_repo):
    root = make_repo(
        {
            "lib.py": "def helper():\n    pass\n\ndef run():\n    helper()\n",
            "main.py": "import lib\n\ndef fake():\n    pass\n\nlib.helper = fake\nlib.run()\n",
        }
    )
    whole = call_graph_of_folder(root, flow=FlowGranularity.PROGRAM)
    modular = call_graph_of_folder(root, flow=FlowGranularity.MODULES)
    assert whole["lib.run"] == ["lib.helper", "main.fake"]
    # lib's namespace is lib's: solved before main, it does not take what main stores there.
    assert modular["lib.run"] == ["lib.helper"]
    # What main reads of lib is followed either way.
    assert whole["main"] == modular["main"] == ["lib.run"]
