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
"""

from __future__ import annotations

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.normalize.datasets_resolution import FLOW_STATES
from codeanatomy_core.normalize.flow_reuse import stored_flow_current, unchanged_key_constants
from codeanatomy_core.normalize.flow_states import StateRow, state_rows
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
