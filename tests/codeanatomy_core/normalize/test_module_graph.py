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


def test_per_module_components_do_not_follow_receivers_into_imported_modules(make_repo):
    root = make_repo(
        {
            "lib.py": """
                class Base:
                    def run(self):
                        return self.hook()

                    def hook(self):
                        pass
                """,
            "main.py": """
                from lib import Base

                class Mine(Base):
                    def hook(self):
                        pass

                Mine().run()
                """,
        }
    )
    whole = call_graph_of_folder(root)
    modular = call_graph_of_folder(root, flow=FlowGranularity.MODULES)
    assert whole["lib.Base.run"] == ["lib.Base.hook", "main.Mine.hook"]
    # A Mine instance would have to reach run's self, solved with lib before main.
    assert modular["lib.Base.run"] == ["lib.Base.hook"]
    # What main reads of lib (its classes, their methods) is followed either way.
    assert whole["main"] == modular["main"] == ["lib.Base.run"]
