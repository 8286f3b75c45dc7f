"""Wiring of the graph into the pipeline: the runtime, its registry tables and the cpg step."""

from __future__ import annotations

from dataclasses import dataclass

from codeanatomy_core.cpg.runtime import default_runtime
from codeanatomy_core.cpg.step import cpg_step, output_specs
from codeanatomy_core.pipeline.step import Step
from codeanatomy_core.registry.cpg_tables import cpg_tables
from codeanatomy_core.registry.normalize_tables import normalize_tables
from codeanatomy_core.registry.relspec_tables import SnapshotSource, relspec_tables
from codeanatomy_core.registry.table import RegistryTable
from codeanatomy_core.relspec.runtime import DEFAULT_CONFIG, RelspecConfig, RelspecRuntime
from codeanatomy_core.specs.catalog import SpecCatalog


@dataclass(frozen=True, eq=False)
class GraphSteps:
    """What the graph adds to a pipeline: one step, and the registry tables describing it."""

    runtime: RelspecRuntime
    step: Step
    registry_tables: tuple[RegistryTable, ...]

    @property
    def registry_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.registry_tables)


def graph_steps(catalog: SpecCatalog, *, config: RelspecConfig = DEFAULT_CONFIG) -> GraphSteps:
    """The cpg step over ``catalog`` (the datasets rules may read) and its registry tables."""
    runtime = default_runtime(catalog, config=config)
    return graph_steps_for(runtime)


def graph_steps_for(runtime: RelspecRuntime) -> GraphSteps:
    source = SnapshotSource(runtime, outputs=output_specs(runtime))
    tables = (*relspec_tables(source), *cpg_tables(source), *normalize_tables(source))
    step = cpg_step(runtime, registry_tables={t.name: t for t in tables})
    return GraphSteps(runtime=runtime, step=step, registry_tables=tables)
