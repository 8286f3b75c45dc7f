"""Every normalize table of a resolved program."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from codeanatomy_core.ids import derive_ids_of, stable_id
from codeanatomy_core.normalize.datasets import (
    CALLSITES,
    CLASS_BASES,
    DECORATORS,
    DEFINITIONS,
    IMPORTS,
    NAME_REFS,
    SCOPES,
)
from codeanatomy_core.normalize.datasets_resolution import (
    CALL_TARGETS,
    FLOW_STATES,
    NORMALIZE_DIAGNOSTICS,
    REF_BINDINGS,
)
from codeanatomy_core.normalize.kinds import DiagnosticKind
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.resolve import (
    Diagnostic,
    Resolution,
    collector_paused,
    component_diagnostic,
    component_label,
)
from codeanatomy_core.normalize.symbols import Symbols
from codeanatomy_core.normalize.table_ids import ProgramIds
from codeanatomy_core.normalize.tables_candidates import RefCandidates, call_targets_table, ref_bindings_table
from codeanatomy_core.normalize.tables_entities import (
    build_table,
    callsites_table,
    decorators_table,
    definitions_table,
    name_refs_table,
    scopes_table,
)
from codeanatomy_core.normalize.tables_links import TargetNames, class_bases_table, imports_table


def diagnostics(resolution: Resolution) -> list[Diagnostic]:
    """The resolution's diagnostics plus the widening/saturation counts of each component
    of the flow that had any (named by the component's first file)."""
    found = list(resolution.diagnostics)
    program, engine = resolution.program, resolution.flow.engine
    for component in resolution.stats.components:
        where = component_label(program, component)
        if component.widened:
            message = (
                f"{component.widened} flow variables {where} held more than {engine.max_values} values: "
                "further constants, containers and external symbols were summarized by type"
            )
            found.append(
                component_diagnostic(
                    program, component, kind=DiagnosticKind.WIDENED, message=message, count=component.widened
                )
            )
        if component.saturated:
            message = (
                f"{component.saturated} flow variables {where} reached {engine.saturation} values and "
                "took no more (megamorphic: candidates through them may be incomplete)"
            )
            found.append(
                component_diagnostic(
                    program,
                    component,
                    kind=DiagnosticKind.SATURATED,
                    message=message,
                    count=component.saturated,
                )
            )
    return found


def diagnostics_table(resolution: Resolution) -> pa.Table:
    rows = sorted(diagnostics(resolution), key=lambda d: (d.kind, d.path))
    return build_table(
        NORMALIZE_DIAGNOSTICS,
        {
            "diagnostic_id": [stable_id("normalize_diagnostic", d.kind, d.path) for d in rows],
            "kind": [str(d.kind) for d in rows],
            "file_id": [d.file_id for d in rows],
            "path": [d.path for d in rows],
            "message": [d.message for d in rows],
            "count": [d.count for d in rows],
        },
    )


# Tables that need the program's facts and symbols only (not the flow): they can be built
# beside the flow fixpoint, in another process (see normalize/parallel.py).
STATIC_TABLES = (
    SCOPES.name,
    DEFINITIONS.name,
    NAME_REFS.name,
    IMPORTS.name,
    CALLSITES.name,
    CLASS_BASES.name,
    DECORATORS.name,
    REF_BINDINGS.name,
)


class TableContext:
    """What the tables of one program share: its ids, the names of targets and the static
    candidates of references (memoized as they are asked for)."""

    def __init__(self, program: Program, symbols: Symbols) -> None:
        self.program = program
        self.symbols = symbols
        self.ids = ProgramIds(program)
        self.names = TargetNames(program, self.ids)
        self.candidates = RefCandidates(program, symbols)


def normalize_tables(
    resolution: Resolution, *, per_file_only: frozenset[int] | None = None
) -> dict[str, pa.Table]:
    """Every normalize table; ``per_file_only``: the per-file tables hold only the rows of
    those files (an incremental update), the resolution tables are always whole."""
    with collector_paused():
        context = TableContext(resolution.program, resolution.symbols)
        tables = static_tables(context, only=per_file_only)
        tables.update(flow_tables(resolution, context))
        return {name: tables[name] for name in _ORDER}


def static_tables(
    context: TableContext, *, only: frozenset[int] | None, bindings_only: frozenset[int] | None = None
) -> dict[str, pa.Table]:
    """The tables of :data:`STATIC_TABLES` (``only``: see :func:`normalize_tables`;
    ``bindings_only``: ref_bindings, imports and class_bases hold only those files' rows)."""
    program, symbols, ids, names = context.program, context.symbols, context.ids, context.names
    with collector_paused():
        return {
            SCOPES.name: scopes_table(program, ids, only=only),
            DEFINITIONS.name: definitions_table(program, ids, only=only),
            NAME_REFS.name: name_refs_table(program, ids, only=only),
            IMPORTS.name: imports_table(program, symbols, ids, names, only=bindings_only),
            CALLSITES.name: callsites_table(program, ids, only=only),
            CLASS_BASES.name: class_bases_table(program, symbols, ids, names, only=bindings_only),
            DECORATORS.name: decorators_table(program, ids, only=only),
            REF_BINDINGS.name: ref_bindings_table(
                program, ids, names, context.candidates, only=bindings_only
            ),
        }


def flow_tables(resolution: Resolution, context: TableContext) -> dict[str, pa.Table]:
    """The tables the flow fixpoint decides: call targets, the states of its components
    and the resolution's diagnostics (``context``: of the resolution's program)."""
    with collector_paused():
        return {
            CALL_TARGETS.name: call_targets_table(resolution, context.ids, context.names, context.candidates),
            FLOW_STATES.name: states_table(resolution),
            NORMALIZE_DIAGNOSTICS.name: diagnostics_table(resolution),
        }


def states_table(resolution: Resolution) -> pa.Table:
    rows = resolution.flow.states
    file_ids = np.fromiter((r.file_id for r in rows), dtype=np.int64, count=len(rows))
    ordinals = np.fromiter((r.ordinal for r in rows), dtype=np.int64, count=len(rows))
    return build_table(
        FLOW_STATES,
        {
            "state_id": derive_ids_of(file_ids, "flow_state", ordinals),
            "file_id": file_ids,
            "ordinal": ordinals,
            "kind": [str(r.kind) for r in rows],
            "variable": [r.variable for r in rows],
            "values": [r.values for r in rows],
        },
    )


_ORDER = (*STATIC_TABLES, CALL_TARGETS.name, FLOW_STATES.name, NORMALIZE_DIAGNOSTICS.name)
