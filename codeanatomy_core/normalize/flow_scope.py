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
its functions, see ``flow_summaries``): those call sites' rows change with it. The
components it fed before the edit (its stored ``feeds`` row) are solved again too, with
their own readers, until no component solved again fed one that is not. One it feeds only
after the edit is found by the solve itself: the step then solves everything.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.normalize.datasets_resolution import FLOW_STATES
from codeanatomy_core.normalize.flow_reuse import stored_flow_current, unchanged_key_constants
from codeanatomy_core.normalize.flow_states import StateKind, StateRow, fed_ids, state_rows
from codeanatomy_core.normalize.incremental import FactsChanges
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.pipeline.step import StepContext
from codeanatomy_core.source.config import FlowGranularity
from codeanatomy_core.storage.reader import read_dataset


class FlowScope(msgspec.Struct, frozen=True, kw_only=True):
    affected: frozenset[int]  # to solve: the components whose solution may differ
    restored: frozenset[int]  # their dependencies, restored from their stored states
    file_ids: tuple[int, ...]  # the files of the affected components (sorted): rows rewritten
    restored_file_ids: frozenset[int]
    key_constants: frozenset[str]  # the program's, unchanged


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
    affected = _with_fed(affected, ctx, program, graph)
    restored = graph.dependency_closure(affected) - affected
    files = program.files

    def file_ids(components: frozenset[int]) -> list[int]:
        return [files[index].file_id for component in components for index in graph.components[component]]

    return FlowScope(
        affected=affected,
        restored=restored,
        file_ids=tuple(sorted(file_ids(affected))),
        restored_file_ids=frozenset(file_ids(restored)),
        key_constants=keys,
    )


def _with_fed(
    affected: frozenset[int], ctx: StepContext, program: Program, graph: ModuleGraph
) -> frozenset[int]:
    """``affected`` grown by the components they fed before the edit, and their readers."""
    table = read_dataset(FLOW_STATES, warehouse=ctx.warehouse, columns=["file_id", "kind", "values"])
    table = table.filter(pc.equal(table.column("kind"), StateKind.FEEDS.value))
    index_of = {entry.file_id: entry.index for entry in program.files}
    fed_by: dict[int, set[int]] = {}  # component -> components it fed
    origins, fed_lists = table.column("file_id").to_pylist(), table.column("values").to_pylist()
    for file_id, data in zip(origins, fed_lists, strict=True):
        # (Every stored file id is a file of the program: files added or removed mean a full solve.)
        origin = graph.component_of[index_of[file_id]]
        fed_by.setdefault(origin, set()).update(graph.component_of[index_of[fed]] for fed in fed_ids(data))
    while True:
        fed = {component for origin in affected for component in fed_by.get(origin, ())}
        if fed <= affected:
            return affected
        affected = graph.importer_closure(affected | fed)


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


def fed_beyond(scope: FlowScope, fed: Mapping[int, frozenset[int]]) -> frozenset[int]:
    """The components the solve of ``scope`` fed (``fed``: per solved component) that it
    did not solve again: their call sites' rows changed, so everything must be solved."""
    return frozenset(component for found in fed.values() for component in found) - scope.affected
