"""Build the CPG tables: run every compiled rule, then assemble, deduplicate and check.

* nodes: the rows of every node rule with their kind and rule; a node id produced twice
  keeps the row of the rule with the lowest priority (then name);
* edges: ``edge_id = combine_ids('edge:' + kind, src, dst)`` (so one edge per kind, source
  and destination); candidates of the same edge keep the best by score, confidence, rule
  priority, rule name (descending, descending, ascending, ascending); kinds whose contract
  asks for a winner keep one edge per ambiguity group the same way; edges whose endpoints
  are not nodes are dropped and counted (referential integrity holds in the output);
* props: every non-null contract property column of a kept row; the accelerators are
  projections of the edges and a per-node list of properties.

Everything is sorted by the specs' orderings before writing, so the tables are
byte-identical whatever the worker count.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import datafusion
import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import EDGES, EDGES_BY_DST, EDGES_BY_SRC, NODES, PROPS, PROPS_MAP
from codeanatomy_core.cpg.handler import EDGE_COLUMNS, NODE_COLUMNS
from codeanatomy_core.cpg.kinds import EntityKind
from codeanatomy_core.cpg.props import melt, props_map
from codeanatomy_core.ids import combine_ids
from codeanatomy_core.relspec.compiler import (
    CompiledRule,
    CompiledRuleSet,
    OutputColumn,
    rule_session,
    run_compiled,
)

PATHS_DATASET = "source_files"


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
        return {
            "graph_signature": self.graph_signature,
            "nodes": str(self.nodes),
            "edges": str(self.edges),
            "props": str(self.props),
            "duplicate_nodes": str(self.duplicate_nodes),
            "merged_edge_candidates": str(self.merged_edge_candidates),
            "dangling_edges": str(self.dangling_edges),
        }


class CpgBuild(msgspec.Struct, frozen=True, kw_only=True):
    tables: dict[str, pa.Table]
    stats: BuildStats


_ARROW = {"BIGINT": pa.int64(), "INT": pa.int32(), "VARCHAR": pa.string(), "DOUBLE": pa.float64()}


def _standard(rows: pa.Table, columns: tuple[OutputColumn, ...], *, first: tuple[str, ...] = ()) -> pa.Table:
    """The standard columns of rule rows, all nullable (DataFusion's nullability varies by plan)."""
    names = [*first, *(c.name for c in columns)]
    types = [rows.schema.field(n).type for n in first] + [_ARROW[c.sql_type] for c in columns]
    schema = pa.schema([pa.field(n, t) for n, t in zip(names, types, strict=True)])
    return pa.Table.from_arrays(
        [rows.column(n).cast(t) for n, t in zip(names, types, strict=True)], schema=schema
    )


def _constant(value: str | int, n: int, dtype: pa.DataType) -> pa.Array:
    return pa.array(np.full(n, value, dtype=object if isinstance(value, str) else np.int64), dtype)


def _first_per_key(keys: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Row indices of the first row (in ``order``) of every distinct key, in key order."""
    ranked = keys[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ranked[1:] != ranked[:-1]
    return order[first]


def _priority_order(table: pa.Table, key: str, extra: list[tuple[str, str]]) -> np.ndarray:
    """Row order by ``key`` then ``extra`` sort keys (stable, deterministic)."""
    index = pa.array(np.arange(table.num_rows), pa.int64())
    ranked = table.append_column("__row", index).sort_by([(key, "ascending"), *extra, ("__row", "ascending")])
    return ranked.column("__row").to_numpy()


class Assembler:
    """Runs the rules of one compiled set over one data session and assembles the tables."""

    def __init__(
        self, compiled: CompiledRuleSet, kinds: KindRegistry, ctx: datafusion.SessionContext
    ) -> None:
        self.compiled = compiled
        self.kinds = kinds
        self.ctx = ctx
        self.rule_rows: dict[str, int] = {}

    def _run(self, rule: CompiledRule) -> pa.Table:
        rows = run_compiled(rule, self.ctx)
        self.rule_rows[rule.rule] = rows.num_rows
        return rows

    def nodes(self) -> tuple[pa.Table, list[pa.Table], int]:
        parts, props_of = [], []
        for rule in self.compiled.for_output(NODES):
            rows = self._run(rule)
            n = rows.num_rows
            base = _standard(rows, NODE_COLUMNS)
            base = base.append_column("kind", _constant(rule.kind or "", n, pa.string()))
            base = base.append_column("rule_name", _constant(rule.rule, n, pa.string()))
            base = base.append_column("priority", _constant(rule.priority, n, pa.int64()))
            parts.append(base)
            props_of.append((rows, rule))
        nodes = pa.concat_tables(parts) if parts else None
        if nodes is None:
            raise ValueError("no node rules")
        order = _priority_order(nodes, "node_id", [("priority", "ascending"), ("rule_name", "ascending")])
        kept = _first_per_key(nodes.column("node_id").to_numpy(), order)
        duplicates = nodes.num_rows - len(kept)
        keep_mask = np.zeros(nodes.num_rows, dtype=bool)
        keep_mask[kept] = True
        props, offset = [], 0
        for rows, rule in props_of:
            mask = keep_mask[offset : offset + rows.num_rows]
            offset += rows.num_rows
            chosen = rows if mask.all() else rows.filter(pa.array(mask))
            contract = self.kinds.node(rule.kind or "")
            props += melt(
                chosen,
                entity=EntityKind.NODE,
                id_column="node_id",
                kind=rule.kind or "",
                props=contract.props,
            )
        return nodes.take(pa.array(np.sort(kept))).drop_columns(["priority"]), props, duplicates

    def edges(self, node_ids: np.ndarray) -> tuple[pa.Table, list[pa.Table], int, int]:
        parts, props_of = [], []
        for rule in self.compiled.for_output(EDGES):
            rows = self._run(rule)
            n = rows.num_rows
            src = rows.column("src").to_numpy()
            dst = rows.column("dst").to_numpy()
            edge_id = pa.array(combine_ids(f"edge:{rule.kind}", src, dst), pa.int64())
            rows = rows.append_column("edge_id", edge_id)
            base = _standard(rows, EDGE_COLUMNS, first=("edge_id",))
            score = pc.coalesce(base.column("score"), base.column("confidence"))
            base = base.set_column(base.column_names.index("score"), "score", score)
            base = base.append_column("kind", _constant(rule.kind or "", n, pa.string()))
            base = base.append_column("rule_name", _constant(rule.rule, n, pa.string()))
            base = base.append_column("priority", _constant(rule.priority, n, pa.int64()))
            parts.append(base)
            props_of.append((rows, rule))
        edges = pa.concat_tables(parts)
        dangling = ~(
            np.isin(edges.column("src").to_numpy(), node_ids)
            & np.isin(edges.column("dst").to_numpy(), node_ids)
        )
        best = [
            ("score", "descending"),
            ("confidence", "descending"),
            ("priority", "ascending"),
            ("rule_name", "ascending"),
        ]
        order = _priority_order(edges, "edge_id", best)
        order = order[~dangling[order]]
        kept = _first_per_key(edges.column("edge_id").to_numpy(), order)
        kept = self._winners(edges, kept)
        merged = edges.num_rows - int(dangling.sum()) - len(kept)
        keep_mask = np.zeros(edges.num_rows, dtype=bool)
        keep_mask[kept] = True
        props, offset = [], 0
        for rows, rule in props_of:
            mask = keep_mask[offset : offset + rows.num_rows]
            offset += rows.num_rows
            chosen = rows.filter(pa.array(mask))
            contract = self.kinds.edge(rule.kind or "")
            props += melt(
                chosen,
                entity=EntityKind.EDGE,
                id_column="edge_id",
                kind=rule.kind or "",
                props=contract.props,
            )
        return (
            edges.take(pa.array(np.sort(kept))).drop_columns(["priority"]),
            props,
            merged,
            int(dangling.sum()),
        )

    def _winners(self, edges: pa.Table, kept: np.ndarray) -> np.ndarray:
        """Kinds whose contract asks for a winner keep the best edge of each ambiguity group."""
        choosy = [str(c.kind) for c in self.kinds.edge_contracts() if c.select_winner]
        if not choosy:
            return kept
        sub = edges.take(pa.array(kept))
        grouped = pc.and_(
            pc.is_in(sub.column("kind"), pa.array(choosy)), pc.is_valid(sub.column("ambiguity_group"))
        )
        mask = grouped.to_numpy(zero_copy_only=False)
        if not mask.any():
            return kept
        candidates = sub.filter(grouped)
        group_key = combine_ids("group", candidates.column("ambiguity_group").to_numpy())
        candidates = candidates.append_column("__group", pa.array(group_key, pa.int64()))
        best = [
            ("score", "descending"),
            ("confidence", "descending"),
            ("priority", "ascending"),
            ("rule_name", "ascending"),
            ("dst", "ascending"),
        ]
        order = _priority_order(candidates, "__group", best)
        winners = _first_per_key(candidates.column("__group").to_numpy(), order)
        return np.sort(np.concatenate([kept[~mask], kept[mask][winners]]))


def attach_paths(nodes: pa.Table, files: pa.Table) -> pa.Table:
    ids = files.column("file_id")
    index = pc.index_in(nodes.column("file_id"), value_set=ids)
    paths = files.column("path").take(index)
    return nodes.add_column(nodes.column_names.index("file_id") + 1, "path", paths)


def adjacency(edges: pa.Table, first: str, second: str) -> pa.Table:
    table = edges.select([first, "kind", second, "edge_id", "file_id", "confidence"])
    return table.sort_by([(first, "ascending"), ("kind", "ascending"), (second, "ascending")])


def build_cpg(compiled: CompiledRuleSet, *, kinds: KindRegistry, inputs: Mapping[str, pa.Table]) -> CpgBuild:
    """The six CPG tables from the input tables (every dataset the rules read)."""
    start = time.perf_counter()
    assembler = Assembler(compiled, kinds, rule_session(inputs))
    nodes, node_props, duplicates = assembler.nodes()
    edges, edge_props, merged, dangling = assembler.edges(np.sort(nodes.column("node_id").to_numpy()))
    nodes = attach_paths(nodes, inputs[PATHS_DATASET])
    props = (
        pa.concat_tables([p.cast(node_props[0].schema) for p in node_props + edge_props])
        if node_props
        else None
    )
    assert props is not None
    props = props.sort_by([("entity_id", "ascending"), ("entity_kind", "ascending"), ("key", "ascending")])
    tables = {
        NODES: nodes,
        EDGES: edges,
        PROPS: props,
        EDGES_BY_SRC: adjacency(edges, "src", "dst"),
        EDGES_BY_DST: adjacency(edges, "dst", "src"),
        PROPS_MAP: props_map(nodes, props),
    }
    stats = BuildStats(
        graph_signature=compiled.graph_signature,
        nodes=nodes.num_rows,
        edges=edges.num_rows,
        props=props.num_rows,
        duplicate_nodes=duplicates,
        merged_edge_candidates=merged,
        dangling_edges=dangling,
        rule_rows=dict(sorted(assembler.rule_rows.items())),
        seconds=time.perf_counter() - start,
    )
    return CpgBuild(tables=tables, stats=stats)
