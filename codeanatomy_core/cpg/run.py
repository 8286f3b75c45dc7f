"""One run of the cpg step: a full build, or an incremental one when the stored graph allows.

:func:`build_graph` decides (see :mod:`codeanatomy_core.cpg.modes`), builds, and returns one
output per CPG table with the commit details every table records: the mode and why, the
files added, changed, removed and untouched, the build's statistics, and the files whose
dangling edges were dropped (what the next incremental build needs to know).
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
import pyarrow as pa

from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.incremental import NeedsFullBuild
from codeanatomy_core.cpg.inputs import read_table
from codeanatomy_core.cpg.modes import (
    DANGLING_FILES,
    Previous,
    encode_files,
    full_details,
    incremental_details,
    previous_build,
)
from codeanatomy_core.cpg.output import full_build
from codeanatomy_core.cpg.tables import PATHS_DATASET, conformed
from codeanatomy_core.cpg.update import update
from codeanatomy_core.pipeline.memory import release_memory
from codeanatomy_core.pipeline.step import DatasetOutput, StepContext
from codeanatomy_core.relspec.compiler import CompiledRuleSet
from codeanatomy_core.relspec.runtime import RelspecRuntime
from codeanatomy_core.relspec.scoping import RuleScope, ScopeKind, file_column, rule_scope
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.schema import arrow_schema


class Graph(msgspec.Struct, frozen=True, kw_only=True):
    """What a build of the graph works from: rules, contracts, table specs, rule scopes."""

    compiled: CompiledRuleSet
    kinds: KindRegistry
    specs: dict[str, DatasetSpec]
    scopes: dict[str, RuleScope]
    file_columns: dict[str, str | None]

    @property
    def schemas(self) -> dict[str, pa.Schema]:
        return {name: arrow_schema(spec) for name, spec in self.specs.items()}


def graph_of(runtime: RelspecRuntime, *, kinds: KindRegistry, specs: Mapping[str, DatasetSpec]) -> Graph:
    compiled = runtime.compiled()
    scopes = {
        rule.name: rule_scope(
            rule, runtime.catalog, projection=runtime.compiler.projection(rule, runtime.registry)
        )
        for rule in runtime.registry
    }
    reads = read_columns(compiled)
    return Graph(
        compiled=compiled,
        kinds=kinds,
        specs=dict(specs),
        scopes=scopes,
        file_columns={name: file_column(runtime.catalog, name) for name in reads},
    )


def read_columns(compiled: CompiledRuleSet) -> dict[str, tuple[str, ...]]:
    """The columns of every input the rules read (and the paths of source_files)."""
    reads = compiled.reads()
    reads[PATHS_DATASET] = tuple(sorted({*reads.get(PATHS_DATASET, ()), "file_id", "path"}))
    return reads


def read_inputs(ctx: StepContext, compiled: CompiledRuleSet) -> dict[str, pa.Table]:
    """Every dataset the rules read, with only the columns they refer to (and the paths)."""
    return {name: read_table(ctx.input(name), cols) for name, cols in read_columns(compiled).items()}


def build_graph(ctx: StepContext, graph: Graph, runtime: RelspecRuntime) -> dict[str, DatasetOutput]:
    """The outputs of one run of the cpg step."""
    previous, reason = previous_build(ctx, outputs=tuple(graph.specs))
    if previous is not None:
        try:
            return incremental(ctx, graph, runtime, previous)
        except NeedsFullBuild as err:
            reason = str(err)
    ctx.log(f"cpg: full build ({reason})")
    return full(ctx, graph, reason)


def full(ctx: StepContext, graph: Graph, reason: str) -> dict[str, DatasetOutput]:
    release_memory(collect_cycles=True)  # what earlier steps freed: the build starts from what is in use
    inputs = read_inputs(ctx, graph.compiled)
    files = inputs[PATHS_DATASET].num_rows
    spill, stats = full_build(
        graph.compiled,
        kinds=graph.kinds,
        local=frozenset(name for name, scope in graph.scopes.items() if scope.kind is ScopeKind.LOCAL),
        inputs=inputs,
        file_columns=graph.file_columns,
        schemas=graph.schemas,
    )
    ctx.log(
        f"cpg: {stats.nodes} nodes, {stats.edges} edges, {stats.props} props "
        f"({stats.dangling_edges} dangling edges dropped) in {stats.seconds:.2f} s"
    )
    details = {
        **stats.details(),
        **full_details(files=files, reason=reason),
        DANGLING_FILES: encode_files(stats.dangling_files),
    }
    return {name: DatasetOutput(data=spill.reader(name), details=details) for name in graph.specs}


def incremental(
    ctx: StepContext, graph: Graph, runtime: RelspecRuntime, previous: Previous
) -> dict[str, DatasetOutput]:
    done = update(
        ctx,
        compiled=graph.compiled,
        kinds=graph.kinds,
        rules={r.name: r for r in runtime.registry},
        scopes=graph.scopes,
        file_columns=graph.file_columns,
        previous=previous,
        specs=graph.specs,
        reads=read_columns(graph.compiled),
    )
    result = done.result
    stats = result.parts.stats
    replaced = sorted(result.rebuilt | done.removed)
    dangling = ((previous.dangling_files or frozenset()) - set(replaced)) | stats.dangling_files
    details = {
        **stats.details(),
        **incremental_details(previous, rebuilt=result.rebuilt, reasons=done.reasons, rounds=result.rounds),
        DANGLING_FILES: encode_files(dangling),
    }
    ctx.log(
        f"cpg: incremental, {len(result.rebuilt)} files rebuilt ({details['plan']}), "
        f"{len(done.removed)} removed: {stats.nodes} nodes, {stats.edges} edges, {stats.props} props "
        f"in {stats.seconds:.2f} s"
    )
    schemas = graph.schemas
    return {
        name: DatasetOutput(data=conformed(table, schemas[name]), replace_file_ids=replaced, details=details)
        for name, table in result.parts.tables().items()
    }
