"""Build the CPG tables: run the compiled rules, assemble, order, derive the accelerators.

:func:`assemble_graph` turns the rows the rules produced (for every file, or for the files
an incremental build rebuilds) into the six tables, ordered by file so that the writer
need not sort them and each file's rows come out the same either way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

import datafusion
import msgspec
import numpy as np
import pyarrow as pa

from codeanatomy_core.cpg.assemble import Assembly
from codeanatomy_core.cpg.columns import member
from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import EDGES, EDGES_BY_DST, EDGES_BY_SRC, NODES, PROPS, PROPS_MAP
from codeanatomy_core.cpg.props import props_map
from codeanatomy_core.cpg.tables import PATHS_DATASET, adjacency, edge_table, node_table, plain, prop_table
from codeanatomy_core.relspec.compiler import CompiledRule, CompiledRuleSet, rule_session, run_compiled

__all__ = [
    "PATHS_DATASET",
    "BuildStats",
    "CpgBuild",
    "GraphParts",
    "assemble_graph",
    "build_cpg",
    "run_rules",
]

DETAIL_FIELDS = (
    "graph_signature",
    "nodes",
    "edges",
    "props",
    "duplicate_nodes",
    "merged_edge_candidates",
    "dangling_edges",
    "cross_file_ids",
)


class BuildStats(msgspec.Struct, frozen=True, kw_only=True):
    graph_signature: str
    nodes: int
    edges: int
    props: int
    duplicate_nodes: int
    merged_edge_candidates: int
    dangling_edges: int
    cross_file_ids: int
    dangling_files: frozenset[int]
    rule_rows: dict[str, int]
    seconds: float

    def details(self) -> dict[str, str]:
        """What the commit metadata of every CPG table records (Dagster shows it as detail/*)."""
        return {name: str(getattr(self, name)) for name in DETAIL_FIELDS}


class GraphParts(msgspec.Struct, frozen=True, kw_only=True):
    """Assembled, ordered nodes, edges and properties (dictionary-coded strings)."""

    nodes: pa.Table
    edges: pa.Table
    props: pa.Table
    stats: BuildStats

    def tables(self) -> dict[str, pa.Table]:
        """The six CPG tables (plain strings)."""
        tables = {
            NODES: self.nodes,
            EDGES: self.edges,
            PROPS: self.props,
            EDGES_BY_SRC: adjacency(self.edges, "src"),
            EDGES_BY_DST: adjacency(self.edges, "dst"),
            PROPS_MAP: props_map(self.nodes, self.props),
        }
        return {name: plain(table) for name, table in tables.items()}


class CpgBuild(msgspec.Struct, frozen=True, kw_only=True):
    tables: dict[str, pa.Table]
    stats: BuildStats


def run_rules(rules: Iterable[CompiledRule], ctx: datafusion.SessionContext) -> dict[str, pa.Table]:
    return {rule.rule: run_compiled(rule, ctx) for rule in rules}


def run_releasing(rules: Sequence[CompiledRule], inputs: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Every rule's rows; each input is dropped (from ``inputs`` too) once the last rule
    reading it ran. The rules reading the largest inputs run first."""
    ctx = rule_session(inputs)
    pending = {dataset: {r.rule for r in rules if dataset in r.inputs} for dataset in inputs}
    runs: dict[str, pa.Table] = {}
    for dataset in sorted(inputs, key=lambda d: (-inputs[d].nbytes, d)):
        for rule in rules:
            if rule.rule in runs or dataset not in rule.inputs:
                continue
            runs[rule.rule] = run_compiled(rule, ctx)
            for name in rule.inputs:
                pending[name].discard(rule.rule)
                if not pending[name] and name in inputs:
                    ctx.deregister_table(name)
                    del inputs[name]
                    pa.default_memory_pool().release_unused()
    for rule in rules:
        if rule.rule not in runs:
            runs[rule.rule] = run_compiled(rule, ctx)
    return runs


def assemble_graph(
    compiled: CompiledRuleSet,
    *,
    kinds: KindRegistry,
    runs: dict[str, pa.Table],
    files: pa.Table,
    known_nodes: pa.Array | None = None,
    started: float | None = None,
) -> GraphParts:
    """Nodes, edges and properties from every rule's rows (``runs`` is emptied as it goes).

    ``files`` maps file ids to paths; ``known_nodes`` are ids of nodes built earlier (rows
    of other files) that edges may point at.
    """
    start = time.perf_counter() if started is None else started
    counts = {name: table.num_rows for name, table in sorted(runs.items())}
    assembly = Assembly(compiled, kinds, runs)
    nodes = node_table(assembly.nodes(), files)
    valid = nodes.column("node_id").combine_chunks()
    if known_nodes is not None and len(known_nodes):
        valid = pa.concat_arrays([valid, known_nodes.cast(pa.int64())])
    edges = edge_table(assembly.edges(lambda ids: member(ids, valid)))
    props = prop_table(assembly.props)
    assembly.props.clear()
    stats = BuildStats(
        graph_signature=compiled.graph_signature,
        nodes=nodes.num_rows,
        edges=edges.num_rows,
        props=props.num_rows,
        duplicate_nodes=assembly.duplicate_nodes,
        merged_edge_candidates=assembly.merged_edges,
        dangling_edges=assembly.dangling_edges,
        cross_file_ids=assembly.cross_file_ids,
        dangling_files=assembly.dangling_files,
        rule_rows=counts,
        seconds=time.perf_counter() - start,
    )
    return GraphParts(nodes=nodes, edges=edges, props=props, stats=stats)


def build_cpg(compiled: CompiledRuleSet, *, kinds: KindRegistry, inputs: Mapping[str, pa.Table]) -> CpgBuild:
    """The six CPG tables from the input tables (every dataset the rules read).

    Pass ``inputs`` without keeping a reference: they are dropped once the rules ran, and
    each rule's rows once assembled, which keeps the peak memory near the output's size.
    """
    start = time.perf_counter()
    runs = run_rules(compiled.rules, rule_session(inputs))
    files = inputs[PATHS_DATASET].select(["file_id", "path"])
    inputs = {}
    parts = assemble_graph(compiled, kinds=kinds, runs=runs, files=files, started=start)
    tables = parts.tables()
    stats = msgspec.structs.replace(parts.stats, seconds=time.perf_counter() - start)
    return CpgBuild(tables=tables, stats=stats)


def node_ids(table: pa.Table) -> np.ndarray:
    return np.asarray(table.column("node_id").to_numpy(), dtype=np.int64)
