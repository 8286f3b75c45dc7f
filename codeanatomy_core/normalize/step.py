"""The normalize step: whole-program resolution of every file's facts into normalize tables.

It reads ``py_facts`` (one row per file, written incrementally by the extract step: a
changed file re-extracts only itself) and resolves the whole program in memory. The
per-file tables (scopes, definitions, name_refs, callsites, decorators) replace only the
rows of files whose facts changed. The tables resolved against other files are rebuilt
for the files an edit can change, and of those only the files whose rows differ from the
stored ones are rewritten: downstream steps then see which files' resolution changed.
``ref_bindings``, ``imports`` and ``class_bases`` (static resolution) are resolved again
for the files importing a changed module (``normalize/dependents.py``). The flow is solved
again only for the import cycles holding changed files, those reading them and their
dependencies (``normalize/flow_scope.py``); the call targets and flow diagnostics of the
other files are the stored ones.

The tables that do not need the flow fixpoint are built by a second process meanwhile
when there are many (``normalize/parallel.py``); when the changed files only moved or
changed plain constants, the fixpoint is not solved at all and the stored call targets are
kept (``normalize/flow_reuse.py``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import pyarrow as pa

from codeanatomy_core.extract.pyfacts import PY_FACTS
from codeanatomy_core.normalize.datasets import (
    CALLSITES,
    CLASS_BASES,
    DECORATORS,
    DEFINITIONS,
    ENTITY_DATASETS,
    IMPORTS,
    NAME_REFS,
    SCOPES,
)
from codeanatomy_core.normalize.datasets_resolution import CALL_TARGETS, REF_BINDINGS, RESOLUTION_DATASETS
from codeanatomy_core.normalize.dependents import import_dependents
from codeanatomy_core.normalize.flow_feeds import StoredFeeds
from codeanatomy_core.normalize.flow_reuse import (
    FLOW_OUTPUTS,
    FLOW_SETTING,
    edit_seeds,
    flow_inputs_unchanged,
)
from codeanatomy_core.normalize.flow_scope import (
    FlowScope,
    flow_scope,
    remake_fed_sites,
    stored_states,
    with_kept_rows,
)
from codeanatomy_core.normalize.incremental import FactsChanges, built_from, facts_by_file, plan_changes
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.parallel import FACTS_COLUMNS, StaticTables
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.resolve import (
    Diagnostic,
    Resolution,
    collector_paused,
    decode_program,
    facts_rows,
    solve_program,
)
from codeanatomy_core.normalize.symbols import Symbols
from codeanatomy_core.normalize.tables import TableContext, flow_tables
from codeanatomy_core.pipeline.memory import release_later, release_memory
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.source.config import FlowGranularity
from codeanatomy_core.storage.reader import read_dataset, read_handle

_SPECS = {spec.name: spec for spec in (*ENTITY_DATASETS, *RESOLUTION_DATASETS)}
# Tables whose rows depend on their own file's facts only (imports and class_bases are
# resolved against the whole program).
PER_FILE = frozenset(spec.name for spec in (SCOPES, DEFINITIONS, NAME_REFS, CALLSITES, DECORATORS))
# Tables of static resolution: a file's rows depend on its facts and those of the modules
# it imports, directly or not (normalize/dependents.py).
STATIC_RESOLUTION = frozenset(spec.name for spec in (REF_BINDINGS, IMPORTS, CLASS_BASES))


def run_normalize(ctx: StepContext) -> Mapping[str, DatasetOutput]:
    release_memory()  # what earlier steps freed: the resolution's peak starts from what is in use
    handle = ctx.input(PY_FACTS.name)
    facts = read_handle(handle, columns=FACTS_COLUMNS)
    changes, reason = plan_changes(ctx, outputs=sorted(PER_FILE), current=facts_by_file(facts))
    if changes is None:
        ctx.log(f"normalize: full rebuild of the per-file tables ({reason})")
    else:
        ctx.log(
            f"normalize: per-file tables of {len(changes.changed)} changed and "
            f"{len(changes.removed)} removed files"
        )
    with collector_paused():  # one pause for resolution and tables (see collector_paused)
        started = time.perf_counter()
        program, decode_diagnostics = decode_program(facts_rows(facts))
        decode_s = time.perf_counter() - started
        seeds = None if changes is None else edit_seeds(program, changes)
        bindings_only = _bindings_scope(ctx, changes, program, seeds)
        scope: FlowScope | None = None
        resolution: Resolution | None = None
        graph: ModuleGraph | None = None
        feeds: StoredFeeds | None = None
        static = StaticTables(
            handle,
            only=None if changes is None else changes.changed,
            bindings_only=bindings_only,
            files=facts.num_rows if bindings_only is None else len(bindings_only),
            workers=ctx.workers,
            log=ctx.log,
        )
        try:
            if changes is not None and flow_inputs_unchanged(ctx, changes, program):
                ctx.log("normalize: flow input unchanged (positions, plain constants): call targets kept")
                tables = {
                    name: read_dataset(_SPECS[name], warehouse=ctx.warehouse)
                    for name in FLOW_OUTPUTS
                    if ctx.is_selected(name)
                }
                context = TableContext(program, Symbols(program))
                tables.update(static.result(context))
                details = {"files": str(facts.num_rows), "flow": "kept (flow input unchanged)"}
            else:
                graph = ModuleGraph(program, granularity=ctx.repository.flow)
                feeds = StoredFeeds(ctx.warehouse, program, graph)
                scope = flow_scope(
                    ctx, changes, program, graph, feeds=feeds, complete=not decode_diagnostics, seeds=seeds
                )
                resolution = _solve(
                    ctx,
                    program,
                    graph=graph,
                    scope=scope,
                    feeds=feeds,
                    diagnostics=decode_diagnostics,
                    decode_s=decode_s,
                )
                if scope is not None:
                    scope = remake_fed_sites(scope, resolution, graph, feeds)
                    ctx.log(
                        f"normalize: flow solved again for {len(scope.file_ids)} files reading a changed "
                        f"file, over {len(scope.restored_file_ids)} files restored from their flow states; "
                        f"call targets remade at {len(scope.rebuilt_sites)} call sites they feed"
                    )
                # One context for the flow and the static tables (ids, names, candidates).
                context = TableContext(program, resolution.symbols)
                tables = flow_tables(resolution, context)
                if scope is not None and scope.fed_file_ids and CALL_TARGETS.name in tables:
                    tables[CALL_TARGETS.name] = with_kept_rows(
                        ctx, tables[CALL_TARGETS.name], scope, context.ids
                    )
                tables.update(static.result(context))
                details = _report(ctx, resolution, files=facts.num_rows, scope=scope)
        finally:
            static.close()
        # Freed beside the tables' writes, out of the collector's reach (see release_later):
        # a collection scanning its millions of objects meanwhile would cost about a second.
        doomed: list[object] = [program, context, resolution, graph, feeds]
        del program, context, resolution, graph, feeds
        release_later(doomed)
    if bindings_only is not None:
        count = len(bindings_only)
        ctx.log(
            "normalize: ref_bindings, imports and class_bases resolved again "
            f"for {count} files importing a changed module"
        )
    return _outputs(ctx, tables, details=details, changes=changes, bindings_only=bindings_only, scope=scope)


def _solve(
    ctx: StepContext,
    program: Program,
    *,
    graph: ModuleGraph,
    scope: FlowScope | None,
    feeds: StoredFeeds,
    diagnostics: list[Diagnostic],
    decode_s: float,
) -> Resolution:
    return solve_program(
        program,
        diagnostics=diagnostics,
        decode_s=decode_s,
        graph=graph,
        only=None if scope is None else scope.affected,
        restored=None if scope is None else stored_states(feeds, scope, graph, program),
        capture=ctx.repository.flow is FlowGranularity.MODULES,
        key_consts=None if scope is None else scope.key_constants,
    )


def _outputs(
    ctx: StepContext,
    tables: Mapping[str, pa.Table],
    *,
    details: dict[str, str],
    changes: FactsChanges | None,
    bindings_only: frozenset[int] | None,
    scope: FlowScope | None,
) -> dict[str, DatasetOutput]:
    """What is written of each table: whole, or the rows of the files it was built for."""
    outputs: dict[str, DatasetOutput] = {}
    for name, table in sorted(tables.items()):
        if not ctx.is_selected(name):
            continue
        if name in FLOW_OUTPUTS and scope is not None:
            # The rows of the components solved again (and the call targets of the files they
            # fed), and those of removed files: the writer rewrites the ones that changed.
            replaced = {*scope.file_ids, *scope.removed_file_ids}
            if name == CALL_TARGETS.name:
                replaced.update(scope.fed_file_ids)
            outputs[name] = DatasetOutput(
                data=table, replace_file_ids=sorted(replaced), changed_files_only=True, details=details
            )
        elif name in STATIC_RESOLUTION and bindings_only is not None:
            # The rows of those files (and of removed ones): the writer rewrites those that changed.
            replaced_ids = sorted(bindings_only | (changes.removed if changes is not None else frozenset()))
            outputs[name] = DatasetOutput(
                data=table, replace_file_ids=replaced_ids, changed_files_only=True, details=details
            )
        elif changes is not None and name in PER_FILE:
            outputs[name] = DatasetOutput(
                data=table, replace_file_ids=changes.replaced, details={**details, **changes.details()}
            )
        else:
            outputs[name] = DatasetOutput(
                data=table,
                # forced: every table is rewritten whole (a full, fresh version)
                changed_files_only=not ctx.force and _SPECS[name].file_id_column is not None,
                details=details,
            )
    return outputs


def _bindings_scope(
    ctx: StepContext, changes: FactsChanges | None, program: Program, seeds: frozenset[int] | None
) -> frozenset[int] | None:
    """The files whose static resolution (ref_bindings, imports, class_bases) may differ
    from the stored one, or None to build those tables whole (a full build, stored facts of
    a changed file that cannot be read, or a stored table that is not selected or was built
    from other facts). Modules that appeared or disappeared reach the files importing them
    or a package above them (``seeds``, see ``flow_reuse.edit_seeds``)."""
    if changes is None or seeds is None:
        return None
    if not all(built_from(ctx, name, facts_version=changes.previous_version) for name in STATIC_RESOLUTION):
        return None
    return import_dependents(program, seeds)


def _report(
    ctx: StepContext, resolution: Resolution, *, files: int, scope: FlowScope | None
) -> dict[str, str]:
    """Log what the flow did; the figures recorded in the commits (of the files solved)."""
    stats, timings = resolution.stats, resolution.timings
    ctx.log(
        f"normalize: {files} files, {stats.call_edges} call edges at "
        f"{stats.call_sites_resolved} call sites, "
        f"{stats.steps} propagation steps (decode {timings.decode_s:.1f}s, symbols {timings.symbols_s:.1f}s, "
        f"flow {timings.flow_s:.1f}s)"
    )
    for diagnostic in resolution.diagnostics:
        ctx.log(f"normalize: {diagnostic.kind}: {diagnostic.message}")
    return {
        "files": str(files),
        "flow_files_solved": str(files if scope is None else len(scope.file_ids)),
        "flow_files_restored": str(0 if scope is None else len(scope.restored_file_ids)),
        "propagation_steps": str(stats.steps),
        "call_edges": str(stats.call_edges),
        "fixpoint_bound_hit": str(stats.exhausted).lower(),
    }


def _settings(ctx: StepContext) -> dict[str, str]:
    return {FLOW_SETTING: ctx.repository.flow.value}


NORMALIZE_STEP = Step(
    name="normalize",
    description="Resolve names, imports and calls over the whole program (bounded flow fixpoint).",
    outputs=(*ENTITY_DATASETS, *RESOLUTION_DATASETS),
    run=run_normalize,
    settings=_settings,
)
