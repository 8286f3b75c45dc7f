"""Stored fed call edges: what an edit needs to remake the rows of the call sites it fed."""

from __future__ import annotations

from codeanatomy_core.normalize.callgraph import resolve_folder
from codeanatomy_core.normalize.flow_feeds import StoredFeeds
from codeanatomy_core.normalize.kinds import Via
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import FlowGranularity, RepositoryConfig

FILES = {
    "base.py": """
        def apply(fn):
            return fn()

        def call(g):
            g()

        def own():
            pass

        def run_own():
            apply(own)
        """,
    "left.py": """
        from base import apply

        def one():
            pass

        apply(one)
        """,
    "right.py": """
        from base import apply, call

        def go():
            pass

        apply(go)
        call(go)
        """,
}


def test_stored_feeds_name_the_fed_sites_and_the_edges_kept_there(make_repo, warehouse):
    root = make_repo(FILES)
    repository = RepositoryConfig(root=str(root), flow=FlowGranularity.MODULES)
    run_pipeline(default_steps(), repository=repository, warehouse=warehouse, workers=1)
    program = resolve_folder(root).program
    graph = ModuleGraph(program, granularity=FlowGranularity.MODULES)
    entry = {e.module: e for e in program.files}
    base = entry["base"]
    site = {c.callee_path: base.call_base + i for i, c in enumerate(base.facts.calls)}
    defs = {d.qualname: e.def_base + i for e in program.files for i, d in enumerate(e.facts.defs)}
    left, right = graph.component_of[entry["left"].index], graph.component_of[entry["right"].index]

    feeds = StoredFeeds(warehouse, program, graph)
    assert feeds.fed_by(frozenset({left})) == {site["fn"]}
    assert feeds.fed_by(frozenset({right})) == {site["fn"], site["g"]}
    assert feeds.fed_sites(frozenset({graph.component_of[base.index]})) == {site["fn"], site["g"]}
    # With left solved again: base's own edge at fn() (own, from run_own) and right's are kept.
    assert sorted(feeds.kept(frozenset({site["fn"]}), solved=frozenset({left}))) == sorted(
        [(site["fn"], defs["go"], Via.VALUE), (site["fn"], defs["own"], Via.VALUE)]
    )
