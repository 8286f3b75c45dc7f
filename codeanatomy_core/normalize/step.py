"""The normalize step: whole-program resolution of every file's facts into normalize tables.

It reads ``py_facts`` (one row per file, written incrementally by the extract step: a
changed file re-extracts only itself) and resolves the whole program in memory; the
tables are rebuilt whenever the facts table has a new version.
"""

from __future__ import annotations

from collections.abc import Mapping

from codeanatomy_core.extract.pyfacts import PY_FACTS
from codeanatomy_core.normalize.datasets import ENTITY_DATASETS
from codeanatomy_core.normalize.datasets_resolution import RESOLUTION_DATASETS
from codeanatomy_core.normalize.resolve import collector_paused, facts_rows, resolve
from codeanatomy_core.normalize.tables import normalize_tables
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.storage.reader import read_handle

_COLUMNS = ["file_id", "path", "facts_version", "facts"]


def run_normalize(ctx: StepContext) -> Mapping[str, DatasetOutput]:
    facts = read_handle(ctx.input(PY_FACTS.name), columns=_COLUMNS)
    with collector_paused():  # one pause for resolution and tables (see collector_paused)
        resolution = resolve(facts_rows(facts))
        tables = normalize_tables(resolution)
    stats, timings = resolution.stats, resolution.timings
    ctx.log(
        f"normalize: {facts.num_rows} files, {stats.call_edges} call edges at "
        f"{stats.call_sites_resolved} sites, "
        f"{stats.steps} propagation steps (decode {timings.decode_s:.1f}s, symbols {timings.symbols_s:.1f}s, "
        f"flow {timings.flow_s:.1f}s)"
    )
    for diagnostic in resolution.diagnostics:
        ctx.log(f"normalize: {diagnostic.kind}: {diagnostic.message}")
    details = {
        "files": str(facts.num_rows),
        "propagation_steps": str(stats.steps),
        "call_edges": str(stats.call_edges),
        "fixpoint_bound_hit": str(stats.exhausted).lower(),
    }
    return {
        name: DatasetOutput(data=table, details=details)
        for name, table in tables.items()
        if ctx.is_selected(name)
    }


NORMALIZE_STEP = Step(
    name="normalize",
    description="Resolve names, imports and calls over the whole program (bounded flow fixpoint).",
    outputs=(*ENTITY_DATASETS, *RESOLUTION_DATASETS),
    run=run_normalize,
)
