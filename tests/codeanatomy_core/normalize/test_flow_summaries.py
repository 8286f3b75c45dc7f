"""Parameter summaries: per-module components follow what callers pass to imported functions."""

from __future__ import annotations

from codeanatomy_core.normalize.callgraph import call_graph_of_folder, resolve_folder
from codeanatomy_core.normalize.flow_summaries import RETURNS
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.solver import FlowSolver
from codeanatomy_core.source.config import FlowGranularity

FILES = {
    "lib.py": """
        def apply(fn):
            return fn()

        def make():
            return apply

        def same(value):
            return value

        def register(handler):
            handlers = [handler]
            for h in handlers:
                h()
        """,
    "relay.py": """
        from lib import apply

        def run(task):
            return apply(task)
        """,
    "main.py": """
        from lib import apply, make, register, same
        from relay import run

        def cb():
            pass

        def other():
            pass

        def job():
            pass

        def on_event():
            pass

        apply(cb)
        make()(other)
        run(job)
        register(on_event)
        f = same(cb)
        f()
        """,
}


def test_callables_passed_to_imported_functions_are_called_there(make_repo):
    root = make_repo(FILES)
    whole = call_graph_of_folder(root, flow=FlowGranularity.PROGRAM)
    modular = call_graph_of_folder(root, flow=FlowGranularity.MODULES)
    assert modular["lib.apply"] == ["main.cb", "main.job", "main.other"]  # through relay.run too
    assert modular["lib.register"] == ["main.on_event"]  # through lib's own variables
    assert modular["relay.run"] == ["lib.apply"]
    # What a parameter returns is the call's result: main calls what same() gave back.
    assert "main.cb" in modular["main"]
    assert modular == whole


def test_receivers_made_by_importers_reach_the_methods_they_run(make_repo):
    root = make_repo(
        {
            "lib.py": """
                class Base:
                    def __init__(self):
                        self.setup()

                    def setup(self):
                        pass

                    def run(self, value):
                        value.strip()
                        return self.hook()

                    def hook(self):
                        pass
                """,
            "main.py": """
                from lib import Base

                class Mine(Base):
                    def setup(self):
                        pass

                    def hook(self):
                        pass

                Mine().run("text")
                """,
        }
    )
    whole = call_graph_of_folder(root, flow=FlowGranularity.PROGRAM)
    modular = call_graph_of_folder(root, flow=FlowGranularity.MODULES)
    assert modular["lib.Base.__init__"] == ["lib.Base.setup", "main.Mine.setup"]
    assert modular["lib.Base.run"] == ["<**PyStr**>.strip", "lib.Base.hook", "main.Mine.hook"]
    assert modular == whole


def test_summaries_name_the_sites_and_returns_a_parameter_reaches(make_repo):
    resolution = resolve_folder(make_repo(FILES))
    program = resolution.program
    graph = ModuleGraph(program, granularity=FlowGranularity.MODULES)
    solver = FlowSolver(program, resolution.symbols, graph=graph)
    solver.solve()
    lib = next(entry for entry in program.files if entry.module == "lib")
    params = {p.name: lib.var_base + p.var for p in lib.facts.params}
    site_of = {c.callee_path: lib.call_base + i for i, c in enumerate(lib.facts.calls)}
    assert solver.param_sites[params["fn"]] == (site_of["fn"],)  # apply returns fn(), not fn
    assert solver.param_sites[params["value"]] == (RETURNS,)
    assert solver.param_sites[params["handler"]] == (site_of["h"],)
    relay = next(entry for entry in program.files if entry.module == "relay")
    task = next(relay.var_base + p.var for p in relay.facts.params if p.name == "task")
    assert solver.param_sites[task] == (site_of["fn"],)  # relay.run passes task on to apply
    # Only main passes callables: it feeds lib's sites (through relay's summary too).
    main = next(entry for entry in program.files if entry.module == "main")
    assert solver.fed_components() == {
        graph.component_of[main.index]: frozenset({graph.component_of[lib.index]})
    }


def test_the_whole_program_has_no_summaries(make_repo):
    resolution = resolve_folder(make_repo(FILES))
    solver = FlowSolver(resolution.program, resolution.symbols)
    solver.solve()
    assert solver.param_sites == {}
    assert solver.fed_components() == {}
