"""A full build a batch of files at a time, each finished chunk parked until written.

The inputs are read once and grouped by file. The rules that are not file-local (owned
and full rules: resolution edges, external symbols) run once over every file; the
file-local rules run per batch of files (contiguous in file-id order) on zero-copy slices
of the inputs. Two passes over the batches:

1. nodes: each batch's node rows are assembled, its ``cpg_nodes`` chunk parked, its node
   properties and (id, file, kind) parked for the second pass; every node id is kept;
2. edges: each batch's edges are assembled against every node id, and its chunks of
   ``cpg_edges``, both accelerators, ``cpg_props`` and ``cpg_props_map`` parked.

Batches follow the tables' orderings (file first), so the chunks concatenate into the
tables a single pass over all files would make. Ids produced in two batches (so in two
files, which a graph whose ids are scoped by file never has) cannot be merged across
batches: the build is then made again as one batch.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.assemble import Assembly
from codeanatomy_core.cpg.build import BuildStats, run_releasing
from codeanatomy_core.cpg.columns import plain, sorted_member
from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import EDGES, EDGES_BY_DST, EDGES_BY_SRC, NODES, PROPS, PROPS_MAP
from codeanatomy_core.cpg.props import props_map
from codeanatomy_core.cpg.spill import Spill
from codeanatomy_core.cpg.tables import PATHS_DATASET, adjacency, attach_paths, conformed, prop_table
from codeanatomy_core.pipeline.memory import release_memory
from codeanatomy_core.relspec.compiler import CompiledRule, CompiledRuleSet, rule_session, run_compiled

FILE_ID = "file_id"
FIRST, LAST = -(2**63), 2**63 - 1
BATCH_ROWS = 1_000_000  # input rows per batch of files
PROPS_MAP_COLUMNS = ("node_id", "file_id", "kind")


class FileBatch(msgspec.Struct, frozen=True):
    low: int  # first file id
    high: int  # last file id


class Tally:
    """The statistics of the batches so far."""

    def __init__(self) -> None:
        self.duplicate_nodes = self.merged = self.dangling = self.cross_file = 0
        self.dangling_files: set[int] = set()

    def add(self, assembly: Assembly) -> None:
        self.duplicate_nodes += assembly.duplicate_nodes
        self.merged += assembly.merged_edges
        self.dangling += assembly.dangling_edges
        self.cross_file += assembly.cross_file_ids
        self.dangling_files |= assembly.dangling_files


def by_file(table: pa.Table, column: str | None) -> pa.Table:
    """``table`` grouped by file (stable), so that each batch is one slice."""
    if column is None or table.num_rows == 0:
        return table
    files = table.column(column).fill_null(0).to_numpy()
    order = np.argsort(files, kind="stable")
    if np.all(order[1:] > order[:-1]):
        return table
    return table.take(pa.array(order, pa.int64()))


def batches_of(
    inputs: Mapping[str, pa.Table], columns: Mapping[str, str | None], rows: int
) -> list[FileBatch]:
    """Contiguous file-id ranges holding about ``rows`` input rows each, covering every id."""
    counts: dict[int, int] = {}
    for name, table in inputs.items():
        column = columns.get(name)
        if column is None or table.num_rows == 0:
            continue
        files, sizes = np.unique(table.column(column).fill_null(0).to_numpy(), return_counts=True)
        for file_id, size in zip(files.tolist(), sizes.tolist(), strict=True):
            counts[file_id] = counts.get(file_id, 0) + size
    highs: list[int] = []
    filled = 0
    for file_id in sorted(counts):
        filled += counts[file_id]
        if filled >= rows:
            highs.append(file_id)
            filled = 0
    if not highs or highs[-1] != LAST:
        highs.append(LAST)
    lows = [FIRST, *(high + 1 for high in highs[:-1])]
    return [FileBatch(low=low, high=high) for low, high in zip(lows, highs, strict=True) if low <= high]


def rows_in(table: pa.Table, column: str, batch: FileBatch) -> pa.Table:
    """The rows of ``batch``'s files (a null file id is file 0)."""
    files = table.column(column).fill_null(0)
    return table.filter(pc.and_(pc.greater_equal(files, batch.low), pc.less_equal(files, batch.high)))


def slice_of(table: pa.Table, column: str | None, batch: FileBatch) -> pa.Table:
    """The rows of ``batch`` of a table grouped by file (zero-copy)."""
    if column is None:
        return table
    files = table.column(column).fill_null(0).to_numpy()
    low = int(np.searchsorted(files, batch.low, side="left"))
    high = int(np.searchsorted(files, batch.high, side="right"))
    return table.slice(low, high - low)


class BatchedBuild:
    """The state of one batched full build."""

    def __init__(
        self,
        compiled: CompiledRuleSet,
        *,
        kinds: KindRegistry,
        local: frozenset[str],
        schemas: Mapping[str, pa.Schema],
        spill: Spill,
    ) -> None:
        self.compiled = compiled
        self.kinds = kinds
        self.local = local
        self.schemas = schemas
        self.spill = spill
        self.tally = Tally()

    def park(self, name: str, table: pa.Table) -> None:
        self.spill.append(name, conformed(plain(table), self.schemas[name]))

    def _runs(
        self,
        rules: Sequence[CompiledRule],
        inputs: Mapping[str, pa.Table],
        shared: Mapping[str, pa.Table],
        batch: FileBatch,
    ) -> dict[str, pa.Table]:
        """This batch's rows of ``rules``: file-local ones run on the batch's inputs, the
        others are taken from their rows over every file."""
        session = rule_session(dict(inputs)) if any(r.rule in self.local for r in rules) else None
        out = {}
        for rule in rules:
            if rule.rule in self.local:
                assert session is not None
                out[rule.rule] = run_compiled(rule, session)
            else:
                out[rule.rule] = rows_in(shared[rule.rule], FILE_ID, batch)
        return out

    def nodes(
        self,
        index: int,
        batch: FileBatch,
        inputs: Mapping[str, pa.Table],
        shared: Mapping[str, pa.Table],
        paths: pa.Table,
    ) -> np.ndarray:
        """Pass 1 for one batch: its nodes parked; returns their ids."""
        runs = self._runs(self.compiled.for_output(NODES), inputs, shared, batch)
        assembly = Assembly(self.compiled, self.kinds, runs)
        nodes = attach_paths(assembly.nodes(), paths)
        self.park(NODES, nodes)
        self.spill.append(f"nodes_{index}", nodes.select(list(PROPS_MAP_COLUMNS)))
        self.spill.append(f"node_props_{index}", prop_table(assembly.props))
        self.spill.close(f"nodes_{index}")
        self.spill.close(f"node_props_{index}")
        self.tally.add(assembly)
        return np.asarray(nodes.column("node_id").to_numpy(), dtype=np.int64)

    def edges(
        self,
        index: int,
        batch: FileBatch,
        inputs: Mapping[str, pa.Table],
        shared: Mapping[str, pa.Table],
        node_ids: np.ndarray,
    ) -> np.ndarray:
        """Pass 2 for one batch: its edges, accelerators, properties and props map parked;
        returns the edge ids."""
        runs = self._runs(self.compiled.for_output(EDGES), inputs, shared, batch)
        assembly = Assembly(self.compiled, self.kinds, runs)
        edges = assembly.edges(lambda ids: sorted_member(ids, node_ids))
        self.park(EDGES, edges)
        for name, first in ((EDGES_BY_SRC, "src"), (EDGES_BY_DST, "dst")):
            self.park(name, adjacency(edges, first))
        edge_ids = np.asarray(edges.column("edge_id").to_numpy(), dtype=np.int64)
        del edges
        node_props = self.spill.take(f"node_props_{index}")
        self.park(PROPS, prop_table([node_props, *assembly.props]))
        nodes = self.spill.take(f"nodes_{index}")
        self.park(PROPS_MAP, props_map(nodes, node_props))
        self.tally.add(assembly)
        return edge_ids


def _shared_ids(parts: Sequence[np.ndarray]) -> bool:
    """Whether an id occurs in two of ``parts`` (each free of repeats)."""
    ids = np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
    return bool(len(ids) > 1 and np.any(ids[1:] == ids[:-1]))


def full_build(
    compiled: CompiledRuleSet,
    *,
    kinds: KindRegistry,
    local: frozenset[str],
    inputs: dict[str, pa.Table],
    file_columns: Mapping[str, str | None],
    schemas: Mapping[str, pa.Schema],
    batch_rows: int = BATCH_ROWS,
) -> tuple[Spill, BuildStats]:
    """The six tables, parked, and the statistics of a full build (``local``: the names of
    the file-local rules). ``inputs`` is emptied."""
    start = time.perf_counter()
    for name in list(inputs):
        inputs[name] = by_file(inputs[name], file_columns.get(name))
    paths = inputs[PATHS_DATASET].select([FILE_ID, "path"])
    batches = batches_of(inputs, file_columns, batch_rows)
    shared_rules = [r for r in compiled.rules if r.rule not in local]
    shared = run_releasing(shared_rules, dict(inputs)) if shared_rules else {}
    counts = {name: t.num_rows for name, t in shared.items()}
    while True:
        spill = Spill()
        build = BatchedBuild(compiled, kinds=kinds, local=local, schemas=schemas, spill=spill)
        node_parts = []
        for index, batch in enumerate(batches):
            sliced = {n: slice_of(t, file_columns.get(n), batch) for n, t in inputs.items()}
            node_parts.append(build.nodes(index, batch, sliced, shared, paths))
            release_memory()
        node_ids = np.sort(np.concatenate(node_parts))
        shared_nodes = _shared_ids(node_parts)
        del node_parts
        edge_parts = []
        for index, batch in enumerate(batches):
            sliced = {n: slice_of(t, file_columns.get(n), batch) for n, t in inputs.items()}
            edge_parts.append(build.edges(index, batch, sliced, shared, node_ids))
            release_memory()
        if len(batches) == 1 or not (shared_nodes or _shared_ids(edge_parts)):
            break
        spill.abandon()
        batches = [FileBatch(low=FIRST, high=LAST)]  # ids shared across files: one batch
    for name in (NODES, EDGES, EDGES_BY_SRC, EDGES_BY_DST, PROPS, PROPS_MAP):
        spill.close(name)
    tally = build.tally
    stats = BuildStats(
        graph_signature=compiled.graph_signature,
        nodes=spill.rows[NODES],
        edges=spill.rows[EDGES],
        props=spill.rows[PROPS],
        duplicate_nodes=tally.duplicate_nodes,
        merged_edge_candidates=tally.merged,
        dangling_edges=tally.dangling,
        cross_file_ids=tally.cross_file,
        dangling_files=frozenset(tally.dangling_files),
        rule_rows=counts,
        seconds=time.perf_counter() - start,
    )
    inputs.clear()
    return spill, stats
