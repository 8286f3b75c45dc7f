"""Build the CPG tables: run every compiled rule, assemble, order, and derive the accelerators.

Nodes, edges and properties leave here ordered by file (then id), the accelerators by
endpoint, the props map by file and node: the writer need not sort them, and the tables are
byte-identical whatever the worker count.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import datafusion
import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.assemble import Assembly
from codeanatomy_core.cpg.columns import compact, file_order, int_column, plain, take
from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import (
    EDGES,
    EDGES_BY_DST,
    EDGES_BY_SRC,
    NODES,
    PROP_FIELDS,
    PROPS,
    PROPS_MAP,
)
from codeanatomy_core.cpg.props import assemble_props, props_map
from codeanatomy_core.relspec.compiler import CompiledRule, CompiledRuleSet, rule_session, run_compiled
from codeanatomy_core.specs.schema import arrow_field

PATHS_DATASET = "source_files"
PROPS_SCHEMA = pa.schema([arrow_field(f) for f in PROP_FIELDS])

DETAIL_FIELDS = (
    "graph_signature",
    "nodes",
    "edges",
    "props",
    "duplicate_nodes",
    "merged_edge_candidates",
    "dangling_edges",
)


class BuildStats(msgspec.Struct, frozen=True, kw_only=True):
    graph_signature: str
    nodes: int
    edges: int
    props: int
    duplicate_nodes: int
    merged_edge_candidates: int
    dangling_edges: int
    rule_rows: dict[str, int]
    seconds: float

    def details(self) -> dict[str, str]:
        """What the commit metadata of every CPG table records (Dagster shows it as detail/*)."""
        return {name: str(getattr(self, name)) for name in DETAIL_FIELDS}


class CpgBuild(msgspec.Struct, frozen=True, kw_only=True):
    tables: dict[str, pa.Table]
    stats: BuildStats


def run_rules(rules: Iterable[CompiledRule], ctx: datafusion.SessionContext) -> dict[str, pa.Table]:
    return {rule.rule: run_compiled(rule, ctx) for rule in rules}


def ordered(table: pa.Table, first: str, unique: str) -> pa.Table:
    """``table`` in ascending order of integer columns ``first`` then ``unique``."""
    return take(table, file_order(int_column(table, first), int_column(table, unique)))


def attach_paths(nodes: pa.Table, files: pa.Table) -> pa.Table:
    index = pc.index_in(nodes.column("file_id"), value_set=files.column("file_id"))
    paths = pc.dictionary_encode(files.column("path").combine_chunks()).take(index)
    return nodes.add_column(nodes.column_names.index("file_id") + 1, "path", paths)


def adjacency(edges: pa.Table, first: str) -> pa.Table:
    """Edges by ``first`` endpoint: ordering ``(first, edge_id)``."""
    second = "dst" if first == "src" else "src"
    table = edges.select([first, "kind", second, "edge_id", "file_id", "confidence"])
    return ordered(table, first, "edge_id")


def build_cpg(compiled: CompiledRuleSet, *, kinds: KindRegistry, inputs: Mapping[str, pa.Table]) -> CpgBuild:
    """The six CPG tables from the input tables (every dataset the rules read).

    Pass ``inputs`` without keeping a reference: they are dropped once the rules ran, and
    each rule's rows once assembled, which keeps the peak memory near the output's size.
    """
    start = time.perf_counter()
    runs = run_rules(compiled.rules, rule_session(inputs))
    files = inputs[PATHS_DATASET]
    inputs = {}
    counts = {name: table.num_rows for name, table in sorted(runs.items())}
    assembly = Assembly(compiled, kinds, runs)
    del runs
    nodes = ordered(attach_paths(assembly.nodes(), files), "file_id", "node_id")
    edges = compact(assembly.edges(nodes.column("node_id").combine_chunks()), ("origin", "resolution_method"))
    edges = ordered(edges, "file_id", "edge_id")
    props = assemble_props(assembly.props, PROPS_SCHEMA)
    assembly.props.clear()
    tables = {
        NODES: nodes,
        EDGES: edges,
        PROPS: props,
        EDGES_BY_SRC: adjacency(edges, "src"),
        EDGES_BY_DST: adjacency(edges, "dst"),
        PROPS_MAP: props_map(nodes, props),
    }
    tables = {name: plain(table) for name, table in tables.items()}
    stats = BuildStats(
        graph_signature=compiled.graph_signature,
        nodes=tables[NODES].num_rows,
        edges=tables[EDGES].num_rows,
        props=tables[PROPS].num_rows,
        duplicate_nodes=assembly.duplicate_nodes,
        merged_edge_candidates=assembly.merged_edges,
        dangling_edges=assembly.dangling_edges,
        rule_rows=counts,
        seconds=time.perf_counter() - start,
    )
    return CpgBuild(tables=tables, stats=stats)
