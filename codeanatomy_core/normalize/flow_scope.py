"""Which components of the flow an edit needs solved again (``FlowGranularity.MODULES``).

A component's solution depends on its own files and on its dependencies' solutions only
(see ``solver``), so after an edit the components holding changed files, and every
component reading them, directly or transitively, may solve differently; every other
component solves as it did. Those are solved again, over their dependencies (solved again
too, as the stored tables keep no solutions; their rows are the stored ones), and the
affected files' flow rows replace the stored ones. Any edit that could reach further means
a full solve: files added or removed, facts that cannot be compared, a change of the
program's key constants (which every component reads), stored flow tables of another spec
or other facts.

Every module reading a changed module now also read it before the edit, or reads another
changed module: the first changed module along its old chain of imports. So the importers
in the current import graph cover every component whose solution may have changed.
"""

from __future__ import annotations

import msgspec

from codeanatomy_core.normalize.flow_reuse import key_constants_unchanged, stored_flow_current
from codeanatomy_core.normalize.incremental import FactsChanges
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.pipeline.step import StepContext
from codeanatomy_core.source.config import FlowGranularity


class FlowScope(msgspec.Struct, frozen=True, kw_only=True):
    components: frozenset[int]  # to solve: the affected components and their dependencies
    affected: frozenset[int]  # the components whose solution may differ from the stored one
    file_ids: tuple[int, ...]  # the files of the affected components (sorted): rows rewritten
    solved_files: int  # files of the components solved


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
    if not key_constants_unchanged(program, changes):
        return None
    changed = [entry.index for entry in program.files if entry.file_id in changes.changed]
    affected = graph.importer_closure({graph.component_of[index] for index in changed})
    components = graph.dependency_closure(affected)
    files = program.files
    return FlowScope(
        components=components,
        affected=affected,
        file_ids=tuple(
            sorted(files[index].file_id for component in affected for index in graph.components[component])
        ),
        solved_files=sum(len(graph.components[component]) for component in components),
    )
