"""The ``cpg`` pipeline step: rules and contracts from the registry, tables from the rules.

The step's inputs are the datasets its rules read and the registry tables it loads the
rules, templates and kind contracts from (so Dagster shows the CPG downstream of the
registries). It validates the loaded rule set first (an error stops the build with the
whole report), checks that the stored registry matches the code (else it says which table
to rematerialize), runs the rules and writes the six tables. Each output's signature covers
the rules and contracts its content depends on, so changing one rule changes the code
version of exactly the tables it feeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import (
    EDGES,
    EDGES_BY_DST,
    EDGES_BY_SRC,
    NODES,
    PROPS,
    PROPS_MAP,
    cpg_specs,
)
from codeanatomy_core.cpg.derivations import (
    EdgeContractRow,
    NodeContractRow,
    derivation_key,
    derivations,
)
from codeanatomy_core.cpg.handler import CpgHandler
from codeanatomy_core.cpg.run import build_graph, graph_of
from codeanatomy_core.cpg.runtime import kinds_of
from codeanatomy_core.cpg.tables import PATHS_DATASET
from codeanatomy_core.errors import PipelineError
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.registry.cpg_tables import DERIVATIONS_TABLE, EDGE_CONTRACTS_TABLE, NODE_CONTRACTS_TABLE
from codeanatomy_core.registry.decode import typed_rows
from codeanatomy_core.registry.relspec_decode import decode_kinds, decode_rule_registry
from codeanatomy_core.registry.relspec_tables import RULE_TEMPLATES_TABLE, RULES_TABLE
from codeanatomy_core.registry.table import RegistryTable
from codeanatomy_core.relspec.compiler import RuleCompiler
from codeanatomy_core.relspec.model import RuleDomain
from codeanatomy_core.relspec.rows import RuleRow, TemplateRow
from codeanatomy_core.relspec.runtime import RelspecRuntime
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.signature import signature
from codeanatomy_core.storage.reader import read_handle

STEP_NAME = "cpg"
LOADED_FROM = (
    RULES_TABLE,
    RULE_TEMPLATES_TABLE,
    NODE_CONTRACTS_TABLE,
    EDGE_CONTRACTS_TABLE,
    DERIVATIONS_TABLE,
)

# Which rules and contracts each table's content depends on (edges: node rules too, since
# edges to nodes that do not exist are dropped).
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    NODES: (NODES,),
    PROPS_MAP: (NODES,),
    EDGES: (NODES, EDGES),
    EDGES_BY_SRC: (NODES, EDGES),
    EDGES_BY_DST: (NODES, EDGES),
    PROPS: (NODES, EDGES),
}


def rule_inputs(runtime: RelspecRuntime) -> tuple[str, ...]:
    """The datasets the cpg rules read, plus source_files (paths)."""
    names = {name for rule in runtime.registry if rule.domain is RuleDomain.CPG for name in rule.inputs}
    return tuple(sorted(names | {PATHS_DATASET}))


def output_specs(runtime: RelspecRuntime) -> tuple[DatasetSpec, ...]:
    """The CPG dataset specs: built from the rules' inputs and the registry tables loaded."""
    return cpg_specs((*rule_inputs(runtime), *LOADED_FROM))


def with_kinds(runtime: RelspecRuntime, kinds: KindRegistry) -> RelspecRuntime:
    """``runtime`` whose cpg handler checks against ``kinds``."""
    handlers = [
        CpgHandler(kinds) if h.domain is RuleDomain.CPG else h for h in runtime.compiler.handlers.values()
    ]
    return RelspecRuntime(
        config=runtime.config,
        registry=runtime.registry,
        sources=runtime.sources,
        compiler=RuleCompiler(catalog=runtime.catalog, handlers=handlers),
        policies=runtime.policies,
    )


def definition_sources(runtime: RelspecRuntime, dataset: str) -> object:
    """What defines the content of one CPG table: rules, templates, contracts and plans."""
    kinds = kinds_of(runtime)
    outputs = DEPENDS_ON[dataset]
    rules = [r for r in runtime.registry if r.output.dataset in outputs]
    used = sorted({t for r in rules for t in r.templates})
    plans = runtime.compiled().fingerprints()
    return {
        "rules": rules,
        "templates": [runtime.registry.template(t) for t in used],
        "node_contracts": kinds.node_contracts(),
        "edge_contracts": kinds.edge_contracts() if EDGES in outputs else (),
        "plans": {r.name: plans[r.name] for r in rules},
    }


@dataclass(frozen=True, eq=False)
class CpgRunner:
    """The ``run`` of the cpg step, bound to the in-memory runtime and the registry tables."""

    runtime: RelspecRuntime
    registry_tables: Mapping[str, RegistryTable]

    def signature_sources(self, spec: DatasetSpec) -> object:
        return definition_sources(self.runtime, spec.name)

    def loaded_runtime(self, ctx: StepContext) -> RelspecRuntime:
        """The runtime over the rules and contracts stored in the registry tables."""
        rows = {name: self.registry_tables[name].decode(read_handle(ctx.input(name))) for name in LOADED_FROM}
        rules = decode_rule_registry(
            typed_rows(rows[RULES_TABLE], RuleRow), typed_rows(rows[RULE_TEMPLATES_TABLE], TemplateRow)
        )
        kinds = decode_kinds(
            typed_rows(rows[NODE_CONTRACTS_TABLE], NodeContractRow),
            typed_rows(rows[EDGE_CONTRACTS_TABLE], EdgeContractRow),
        )
        loaded = with_kinds(self.runtime.with_registry(rules), kinds)
        for name, expected, found in (
            (RULES_TABLE, list(self.runtime.registry), list(loaded.registry)),
            (RULE_TEMPLATES_TABLE, self.runtime.registry.templates(), loaded.registry.templates()),
            (NODE_CONTRACTS_TABLE, kinds_of(self.runtime).node_contracts(), kinds.node_contracts()),
            (EDGE_CONTRACTS_TABLE, kinds_of(self.runtime).edge_contracts(), kinds.edge_contracts()),
            (
                DERIVATIONS_TABLE,
                sorted(derivations(loaded), key=derivation_key),
                list(rows[DERIVATIONS_TABLE]),
            ),
        ):
            if signature(expected) != signature(found):
                raise PipelineError(
                    f"step {STEP_NAME!r}: registry table {name!r} does not hold the current rules "
                    "and contracts; materialize the registry first"
                )
        return loaded

    def __call__(self, ctx: StepContext) -> Mapping[str, DatasetOutput]:
        self.loaded_runtime(ctx)
        # The loaded rules and contracts are the runtime's own (checked above): its compiled
        # rules and validation report are reused (computed once per runtime).
        runtime = self.runtime
        runtime.require_valid()
        specs = {spec.name: spec for spec in output_specs(runtime)}
        return build_graph(ctx, graph_of(runtime, kinds=kinds_of(runtime), specs=specs), runtime)


def cpg_step(runtime: RelspecRuntime, *, registry_tables: Mapping[str, RegistryTable]) -> Step:
    """The step building the CPG tables from ``runtime``'s rules (loaded back from the registry)."""
    missing = sorted(set(LOADED_FROM) - set(registry_tables))
    if missing:
        raise PipelineError(f"step {STEP_NAME!r}: registry tables {missing} are not defined")
    runner = CpgRunner(runtime, dict(registry_tables))
    return Step(
        name=STEP_NAME,
        description="Build the code property graph (nodes, edges, properties, accelerators) from the rules.",
        outputs=output_specs(runtime),
        run=runner,
        signature_sources=runner.signature_sources,
    )
