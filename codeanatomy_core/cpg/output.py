"""The six tables of a full build, each finished when its writer reads it.

Nodes and edges are assembled first (their counts, dangling edges and shared ids go into
every table's commit details); each table is then finished on first read (a
:class:`pyarrow.RecordBatchReader` per output) and what no later table needs is dropped as
soon as the last table needing it was read: the nodes' other columns once ``cpg_nodes`` is
read, the edges' once ``cpg_edges`` and both accelerators are, the property parts once
``cpg_props`` is, and so on. Any order works (Dagster prepares every output before
writing): a table is computed with whatever it needs, whenever it is first read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping

import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.assemble import Assembly
from codeanatomy_core.cpg.build import BuildStats
from codeanatomy_core.cpg.columns import plain
from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import EDGES, EDGES_BY_DST, EDGES_BY_SRC, NODES, PROPS, PROPS_MAP
from codeanatomy_core.cpg.kinds import EntityKind
from codeanatomy_core.cpg.props import props_map
from codeanatomy_core.cpg.tables import adjacency, conformed, edge_table, node_table, prop_table
from codeanatomy_core.relspec.compiler import CompiledRuleSet

ADJACENCY_COLUMNS = ("src", "dst", "kind", "edge_id", "file_id", "confidence")
PROPS_MAP_COLUMNS = ("node_id", "file_id", "kind")


class LazyGraph:
    """Tables of one full build, computed on demand from the rules' rows."""

    def __init__(
        self,
        compiled: CompiledRuleSet,
        *,
        kinds: KindRegistry,
        runs: dict[str, pa.Table],
        files: pa.Table,
        schemas: Mapping[str, pa.Schema],
        started: float,
    ) -> None:
        self.compiled = compiled
        self.schemas = dict(schemas)
        self.files = files
        self.started = started
        self.counts = {name: table.num_rows for name, table in sorted(runs.items())}
        self.assembly = Assembly(compiled, kinds, runs)
        self.pending = set(schemas)  # tables not read yet
        self.parts: dict[str, pa.Table] = {}  # intermediate tables still needed
        self.sizes: dict[str, int] = {}
        self._edges()  # nodes and edges now: their statistics are every table's details
        pa.default_memory_pool().release_unused()

    def _need(self, key: str, make: Callable[[], pa.Table]) -> pa.Table:
        if key not in self.parts:
            self.parts[key] = make()
        return self.parts[key]

    def _nodes(self) -> pa.Table:
        return self._need("nodes", lambda: node_table(self.assembly.nodes(), self.files))

    def _edges(self) -> pa.Table:
        def make() -> pa.Table:
            ids = self._nodes().column("node_id").combine_chunks()
            return edge_table(self.assembly.edges(ids))

        return self._need("edges", make)

    def _props(self) -> pa.Table:
        def make() -> pa.Table:
            self._edges()  # every property row is melted once nodes and edges are assembled
            table = prop_table(self.assembly.props)
            self.assembly.props.clear()
            return table

        return self._need("props", make)

    def _node_props(self) -> pa.Table:
        def make() -> pa.Table:
            props = self._props()
            return props.filter(pc.equal(props.column("entity_kind"), str(EntityKind.NODE)))

        return self._need("node_props", make)

    def _release(self) -> None:
        """Drop the intermediate tables no unread table needs."""
        needs = {
            NODES: {"nodes"},
            EDGES: {"nodes", "edges"},
            PROPS: {"nodes", "edges", "props"},
            EDGES_BY_SRC: {"nodes", "edges"},
            EDGES_BY_DST: {"nodes", "edges"},
            PROPS_MAP: {"nodes", "edges", "props", "node_props"},
        }
        wanted = set().union(*(needs[name] for name in self.pending))
        for key in set(self.parts) - wanted:
            del self.parts[key]
        if "nodes" in self.parts and NODES not in self.pending:
            self.parts["nodes"] = self.parts["nodes"].select(list(PROPS_MAP_COLUMNS))
        if "edges" in self.parts and EDGES not in self.pending:
            self.parts["edges"] = self.parts["edges"].select(list(ADJACENCY_COLUMNS))

    def table(self, name: str) -> pa.Table:
        """The final table ``name`` (its spec schema); intermediates are then released."""
        makers: dict[str, Callable[[], pa.Table]] = {
            NODES: self._nodes,
            EDGES: self._edges,
            PROPS: self._props,
            EDGES_BY_SRC: lambda: adjacency(self._edges(), "src"),
            EDGES_BY_DST: lambda: adjacency(self._edges(), "dst"),
            PROPS_MAP: lambda: props_map(self._nodes(), self._node_props()),
        }
        if name == PROPS_MAP:
            self._props()  # assembles the nodes' properties before the nodes are trimmed
        table = conformed(plain(makers[name]()), self.schemas[name])
        self.sizes[name] = table.num_rows
        self.pending.discard(name)
        self._release()
        pa.default_memory_pool().release_unused()
        return table

    def reader(self, name: str) -> pa.RecordBatchReader:
        """A reader computing ``name`` when first read."""

        def batches() -> Iterator[pa.RecordBatch]:
            yield from self.table(name).to_batches()

        return pa.RecordBatchReader.from_batches(self.schemas[name], batches())

    def stats(self) -> BuildStats:
        """The build's statistics (property rows counted once ``cpg_props`` was made)."""
        assembly = self.assembly
        return BuildStats(
            graph_signature=self.compiled.graph_signature,
            nodes=self.parts["nodes"].num_rows if "nodes" in self.parts else self.sizes.get(NODES, 0),
            edges=self.parts["edges"].num_rows if "edges" in self.parts else self.sizes.get(EDGES, 0),
            props=sum(p.num_rows for p in assembly.props) if assembly.props else self.sizes.get(PROPS, 0),
            duplicate_nodes=assembly.duplicate_nodes,
            merged_edge_candidates=assembly.merged_edges,
            dangling_edges=assembly.dangling_edges,
            cross_file_ids=assembly.cross_file_ids,
            dangling_files=assembly.dangling_files,
            rule_rows=self.counts,
            seconds=time.perf_counter() - self.started,
        )
