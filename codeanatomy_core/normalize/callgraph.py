"""The resolved call graph of a folder, in PyCG's "simple" JSON format or as rows.

``{"pkg.mod.func": ["pkg.mod.other", "<builtin>.len", ...]}``: names relative to the
given root; every module (its top-level code) and every function and lambda is a key;
a class is a key when its body calls something; callees are keys too.
"""

from __future__ import annotations

from pathlib import Path

from codeanatomy_core.extract.pyfacts import PY_FACTS, PyFactsExtractor
from codeanatomy_core.extract.pyfacts_model import DefKind
from codeanatomy_core.extract.runner import run_extraction
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.normalize.resolve import Resolution, facts_rows, resolve
from codeanatomy_core.source.config import DEFAULT_FLOW, FlowGranularity, RepositoryConfig
from codeanatomy_core.source.scan import scan_repository

ROOT_PACKAGE = "__init__"  # module name of <root>/__init__.py
_KEY_KINDS = (DefKind.MODULE, DefKind.FUNCTION, DefKind.ASYNC_FUNCTION, DefKind.LAMBDA)


def resolve_folder(
    root: str | Path,
    *,
    workers: int = 1,
    source_roots: tuple[str, ...] = (),
    flow: FlowGranularity = DEFAULT_FLOW,
) -> Resolution:
    """Scan ``root``, extract the facts of its files in memory and resolve them."""
    config = RepositoryConfig(root=str(root), source_roots=source_roots, flow=flow)
    scan = scan_repository(config)
    root_path = str(config.root_path)
    tasks = [
        FileTask(
            file_id=f.file_id,
            path=f.path,
            module_name=f.module_name,
            root=root_path,
            max_bytes=config.max_file_bytes,
        )
        for f in scan.files
    ]
    tables, _ = run_extraction(tasks, workers=workers, extractors=(PyFactsExtractor,))
    return resolve(facts_rows(tables[PY_FACTS.name]), flow=config.flow)


def call_graph(resolution: Resolution) -> dict[str, list[str]]:
    """Caller -> sorted callees, with every module, function and lambda as a key."""
    program, flow = resolution.program, resolution.flow
    graph: dict[str, set[str]] = {}
    for entry in program.files:
        for local, definition in enumerate(entry.facts.defs):
            if definition.kind in _KEY_KINDS:
                graph.setdefault(program.qualname(entry.def_base + local), set())
    for call, targets in flow.call_edges.items():
        callees = graph.setdefault(program.qualname(flow.calls[call].caller), set())
        for target in targets:
            name = resolution.target_name(target)
            callees.add(name)
            graph.setdefault(name, set())
    # The root folder's own __init__.py has no dotted name below the root: listed only if it calls.
    if not graph.get(ROOT_PACKAGE, True):
        del graph[ROOT_PACKAGE]
    return {caller: sorted(callees) for caller, callees in sorted(graph.items())}


def call_graph_of_folder(
    root: str | Path, *, workers: int = 1, flow: FlowGranularity = FlowGranularity.PROGRAM
) -> dict[str, list[str]]:
    """The call graph of the folder, its flow solved over the whole program by default (a
    one-shot resolution has nothing to keep incremental, and sees what modules store into
    the modules they import)."""
    return call_graph(resolve_folder(root, workers=workers, flow=flow))
