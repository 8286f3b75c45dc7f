"""Which components of the flow an edit needs solved again (``FlowGranularity.MODULES``).

A component's solution depends on its own files and on its dependencies' solutions only
(see ``solver``), so after an edit the components holding changed files, and every
component reading them, directly or transitively, may solve differently; every other
component solves as it did. Those are solved again, over their dependencies restored
from their stored states (``flow_states``), and the affected files' flow rows replace the
stored ones. A file added, removed or renamed makes a module appear or disappear: the
components importing it, or a package above it, read something else now (see
``dependents``), and so do their importers; the removed files' rows are dropped. Any edit
that could reach further means a full solve: facts that cannot be compared, a change of the
program's key constants (which every component reads), stored flow tables of another spec
or other facts.

Every module reading a changed module now also read it before the edit, or reads another
changed module: the first changed module along its old chain of imports. So the importers
in the current import graph cover every component whose solution may have changed.

A component solved again may also feed call sites of its dependencies (callables passed
to their functions, see ``flow_summaries`` and ``flow_feeds``): those sites' rows change
with it, though the dependencies' solutions do not. The rows of the call sites it fed
before the edit, and of those it feeds now, are remade; every other row of those files is
kept as stored.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.normalize.datasets_resolution import CALL_TARGETS
from codeanatomy_core.normalize.flow_feeds import StoredFeeds
from codeanatomy_core.normalize.flow_reuse import stored_flow_current, unchanged_key_constants
from codeanatomy_core.normalize.flow_states import StateRow, state_rows
from codeanatomy_core.normalize.incremental import FactsChanges
from codeanatomy_core.normalize.kinds import StateKind
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.resolve import Resolution
from codeanatomy_core.normalize.table_ids import ProgramIds
from codeanatomy_core.pipeline.step import StepContext
from codeanatomy_core.source.config import FlowGranularity
from codeanatomy_core.storage.reader import read_dataset


class FlowScope(msgspec.Struct, frozen=True, kw_only=True):
    affected: frozenset[int]  # to solve: the components whose solution may differ
    restored: frozenset[int]  # their dependencies, restored from their stored states
    file_ids: tuple[int, ...]  # the files of the affected components (sorted): rows rewritten
    removed_file_ids: tuple[int, ...]  # files gone since the stored build: rows dropped
    restored_file_ids: frozenset[int]
    key_constants: frozenset[str]  # the program's, unchanged
    fed_file_ids: tuple[int, ...]  # files of restored components the affected ones fed (sorted)
    rebuilt_sites: frozenset[int]  # their call sites whose call_targets rows are made again


def flow_scope(
    ctx: StepContext,
    changes: FactsChanges | None,
    program: Program,
    graph: ModuleGraph,
    *,
    feeds: StoredFeeds,
    complete: bool,
    seeds: frozenset[int] | None,
) -> FlowScope | None:
    """What to solve again after ``changes``, or None for a full solve (``complete``:
    every file's facts were decoded; ``feeds``: the stored fed edges; ``seeds``: the files
    whose resolution the edit changes first, see ``flow_reuse.edit_seeds``)."""
    if ctx.repository.flow is not FlowGranularity.MODULES:
        return None  # one component: solved whole
    if changes is None or not complete or not stored_flow_current(ctx, changes, files_may_change=True):
        return None
    keys = unchanged_key_constants(program, changes)
    if keys is None or seeds is None:
        return None
    changed = [entry.index for entry in program.files if entry.file_id in seeds]
    affected = graph.importer_closure({graph.component_of[index] for index in changed})
    restored = graph.dependency_closure(affected) - affected
    files = program.files

    def file_ids(components: frozenset[int]) -> list[int]:
        return [files[index].file_id for component in components for index in graph.components[component]]

    fed_components = frozenset(
        graph.component_of[program.file_of_call(call).index] for call in feeds.fed_by(affected)
    )
    sites = feeds.fed_sites(fed_components - affected)
    return FlowScope(
        affected=affected,
        restored=restored,
        file_ids=tuple(sorted(file_ids(affected))),
        removed_file_ids=tuple(sorted(changes.removed)),
        restored_file_ids=frozenset(file_ids(restored)),
        key_constants=keys,
        fed_file_ids=_files_of(program, sites),
        rebuilt_sites=sites,
    )


def _files_of(program: Program, calls: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted({program.file_of_call(call).file_id for call in calls}))


def remake_fed_sites(
    scope: FlowScope, resolution: Resolution, graph: ModuleGraph, feeds: StoredFeeds
) -> FlowScope:
    """``scope`` grown by the call sites its solve fed that were not fed before; the stored
    edges of every site whose rows are remade (their own, and those fed by the components
    not solved again) are added to the resolution's call edges."""
    program, flow = resolution.program, resolution.flow
    component_of, file_of_call = graph.component_of, program.file_of_call
    beyond = frozenset(
        call
        for edges in flow.fed_edges.values()
        for call in edges
        if call not in scope.rebuilt_sites and component_of[file_of_call(call).index] not in scope.affected
    )
    if beyond:
        sites = scope.rebuilt_sites | beyond
        scope = msgspec.structs.replace(scope, rebuilt_sites=sites, fed_file_ids=_files_of(program, sites))
    flow.add_kept(feeds.kept(scope.rebuilt_sites, solved=scope.affected))
    return scope


def stored_states(
    feeds: StoredFeeds, scope: FlowScope, graph: ModuleGraph, program: Program
) -> dict[int, list[StateRow]]:
    """The stored states of the components ``scope`` restores, per component (without the
    rows ``feeds`` reads)."""
    table = feeds.table()
    wanted = pa.array(sorted(scope.restored_file_ids), type=pa.int64())
    table = table.filter(pc.is_in(table.column("file_id"), value_set=wanted))
    edges = pa.array([StateKind.FEEDS.value, StateKind.SITES.value])
    table = table.filter(pc.invert(pc.is_in(table.column("kind"), value_set=edges)))
    table = table.sort_by([("file_id", "ascending"), ("ordinal", "ascending")])
    index_of = {entry.file_id: entry.index for entry in program.files}
    found: dict[int, list[StateRow]] = {component: [] for component in scope.restored}
    for row in state_rows(table):
        found[graph.component_of[index_of[row.file_id]]].append(row)
    return found


def with_kept_rows(ctx: StepContext, table: pa.Table, scope: FlowScope, ids: ProgramIds) -> pa.Table:
    """``call_targets`` rows made by a partial solve, with the stored rows of the fed files'
    call sites that were not made again."""
    stored = read_dataset(CALL_TARGETS, warehouse=ctx.warehouse)
    wanted = pa.array(scope.fed_file_ids, type=pa.int64())
    stored = stored.filter(pc.is_in(stored.column("file_id"), value_set=wanted))
    rebuilt = pa.array(ids.calls[sorted(scope.rebuilt_sites)], type=pa.int64())
    stored = stored.filter(pc.invert(pc.is_in(stored.column("callsite_id"), value_set=rebuilt)))
    return pa.concat_tables([table, stored.select(table.column_names).cast(table.schema)])
