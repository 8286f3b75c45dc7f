"""Which components of the flow an edit needs solved again (``FlowGranularity.MODULES``).

A component's solution depends on its own files and on its dependencies' solutions only
(see ``solver``), so after an edit the components holding changed files, and every
component reading them, directly or transitively, may solve differently; every other
component solves as it did. Those are solved again, over their dependencies restored
from their stored states (``flow_states``), and the affected files' flow rows replace the
stored ones. Any edit that could reach further means a full solve: files added or
removed, facts that cannot be compared, a change of the program's key constants (which
every component reads), stored flow tables of another spec or other facts.

Every module reading a changed module now also read it before the edit, or reads another
changed module: the first changed module along its old chain of imports. So the importers
in the current import graph cover every component whose solution may have changed.

A component solved again may also have fed call sites of a dependency (callables passed to
its functions, see ``flow_summaries``): those call sites' rows change with it, though the
dependency's solution does not. The rows of every fed call site of the dependencies it fed
before the edit (its stored ``feeds`` row) are made again: of the dependency's own edges
there (its stored ``sites`` rows), the edges stored by the components not solved again
that fed them, and those the solve feeds. A site an edit makes it feed that was not fed
before is found by the solve itself: the step then solves everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.normalize.datasets_resolution import CALL_TARGETS, FLOW_STATES
from codeanatomy_core.normalize.flow_reuse import stored_flow_current, unchanged_key_constants
from codeanatomy_core.normalize.flow_states import FedEdge, StateKind, StateRow, fed_edges, state_rows
from codeanatomy_core.normalize.incremental import FactsChanges
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.table_ids import ProgramIds
from codeanatomy_core.pipeline.step import StepContext
from codeanatomy_core.source.config import FlowGranularity
from codeanatomy_core.storage.reader import read_dataset


class FlowScope(msgspec.Struct, frozen=True, kw_only=True):
    affected: frozenset[int]  # to solve: the components whose solution may differ
    restored: frozenset[int]  # their dependencies, restored from their stored states
    file_ids: tuple[int, ...]  # the files of the affected components (sorted): rows rewritten
    restored_file_ids: frozenset[int]
    key_constants: frozenset[str]  # the program's, unchanged
    fed_file_ids: tuple[int, ...]  # files of restored components the affected ones fed (sorted)
    rebuilt_sites: frozenset[int]  # their call sites whose call_targets rows are made again
    kept_fed: tuple[tuple[int, int | str, int], ...]  # (call, target, method) at those sites:
    # their own call edges and those fed by components not solved again


def flow_scope(
    ctx: StepContext,
    changes: FactsChanges | None,
    program: Program,
    graph: ModuleGraph,
    *,
    complete: bool,
) -> FlowScope | None:
    """What to solve again after ``changes``, or None for a full solve (``complete``:
    every file's facts were decoded)."""
    if ctx.repository.flow is not FlowGranularity.MODULES:
        return None  # one component: solved whole
    if changes is None or not complete or not stored_flow_current(ctx, changes):
        return None
    keys = unchanged_key_constants(program, changes)
    if keys is None:
        return None
    changed = [entry.index for entry in program.files if entry.file_id in changes.changed]
    affected = graph.importer_closure({graph.component_of[index] for index in changed})
    restored = graph.dependency_closure(affected) - affected
    files = program.files

    def file_ids(components: frozenset[int]) -> list[int]:
        return [files[index].file_id for component in components for index in graph.components[component]]

    fed, sites, kept = _fed(ctx, affected, program, graph)
    return FlowScope(
        affected=affected,
        restored=restored,
        file_ids=tuple(sorted(file_ids(affected))),
        restored_file_ids=frozenset(file_ids(restored)),
        key_constants=keys,
        fed_file_ids=tuple(sorted(file_ids(fed))),
        rebuilt_sites=sites,
        kept_fed=kept,
    )


def _fed(
    ctx: StepContext, affected: frozenset[int], program: Program, graph: ModuleGraph
) -> tuple[frozenset[int], frozenset[int], tuple[tuple[int, int | str, int], ...]]:
    """The components ``affected`` fed before the edit, their call sites fed by any
    component, and the stored edges there of everything not solved again: the own edges
    of the fed components (``sites`` rows) and the edges the others fed (``feeds`` rows)."""
    table = read_dataset(FLOW_STATES, warehouse=ctx.warehouse, columns=["file_id", "kind", "values"])
    wanted = pa.array([StateKind.FEEDS.value, StateKind.SITES.value])
    table = table.filter(pc.is_in(table.column("kind"), value_set=wanted))
    files = program.files
    index_of = {entry.file_id: entry.index for entry in files}
    component_of = graph.component_of
    # (Every stored file id is a file of the program: files added or removed mean a full solve.)
    rows = [
        (component_of[index_of[file_id]], kind == StateKind.FEEDS.value, fed_edges(data))
        for file_id, kind, data in zip(
            table.column("file_id").to_pylist(),
            table.column("kind").to_pylist(),
            table.column("values").to_pylist(),
            strict=True,
        )
    ]

    def site(edge: FedEdge) -> tuple[int, int]:
        entry = files[index_of[edge.call_file_id]]
        return component_of[entry.index], entry.call_base + edge.call_index

    fed = frozenset(
        site(edge)[0] for origin, feeds, edges in rows if feeds and origin in affected for edge in edges
    )
    fed -= affected
    sites = frozenset(
        call for _, feeds, edges in rows if feeds for component, call in map(site, edges) if component in fed
    )
    kept: list[tuple[int, int | str, int]] = []
    for origin, feeds, edges in rows:
        if origin in affected or (not feeds and origin not in fed):
            continue  # solved again, or own edges of a component not fed
        for edge in edges:
            call = site(edge)[1]
            if call in sites:
                named = edge.target
                target = named if isinstance(named, str) else files[index_of[named[0]]].def_base + named[1]
                kept.append((call, target, edge.method))
    return fed, sites, tuple(kept)


def stored_states(
    ctx: StepContext, scope: FlowScope, graph: ModuleGraph, program: Program
) -> dict[int, list[StateRow]]:
    """The stored states of the components ``scope`` restores, per component."""
    table = read_dataset(FLOW_STATES, warehouse=ctx.warehouse)
    wanted = pa.array(sorted(scope.restored_file_ids), type=pa.int64())
    table = table.filter(pc.is_in(table.column("file_id"), value_set=wanted))
    table = table.sort_by([("file_id", "ascending"), ("ordinal", "ascending")])
    index_of = {entry.file_id: entry.index for entry in program.files}
    found: dict[int, list[StateRow]] = {component: [] for component in scope.restored}
    for row in state_rows(table):
        found[graph.component_of[index_of[row.file_id]]].append(row)
    return found


def fed_beyond(
    scope: FlowScope, program: Program, graph: ModuleGraph, fed: Mapping[int, Iterable[int]]
) -> int:
    """How many call sites the solve of ``scope`` fed (``fed``: per solved component, the
    sites) whose rows it does not make again: then everything must be solved."""
    affected, sites = scope.affected, scope.rebuilt_sites
    component_of, file_of_call = graph.component_of, program.file_of_call
    return sum(
        1
        for found in fed.values()
        for call in found
        if call not in sites and component_of[file_of_call(call).index] not in affected
    )


def with_kept_rows(ctx: StepContext, table: pa.Table, scope: FlowScope, ids: ProgramIds) -> pa.Table:
    """``call_targets`` rows made by a partial solve, with the stored rows of the fed files'
    call sites that were not made again."""
    stored = read_dataset(CALL_TARGETS, warehouse=ctx.warehouse)
    wanted = pa.array(scope.fed_file_ids, type=pa.int64())
    stored = stored.filter(pc.is_in(stored.column("file_id"), value_set=wanted))
    rebuilt = pa.array(ids.calls[sorted(scope.rebuilt_sites)], type=pa.int64())
    stored = stored.filter(pc.invert(pc.is_in(stored.column("callsite_id"), value_set=rebuilt)))
    return pa.concat_tables([table, stored.select(table.column_names).cast(table.schema)])
