"""Build the CPG tables: run every compiled rule, then assemble, deduplicate and check.

* nodes: the rows of every node rule with their kind and rule; a node id produced twice
  keeps the row of the rule with the lowest priority (then name);
* edges: ``edge_id = combine_ids('edge:' + kind, src, dst)`` (one edge per kind, source and
  destination); candidates of the same edge keep the best by score, confidence (both
  descending), rule priority and rule name (ascending); kinds whose contract asks for a
  winner keep one edge per ambiguity group the same way; edges whose endpoints are not
  nodes are dropped and counted, so referential integrity holds in the output;
* props: every non-null contract property of a kept row; the accelerators are the edges by
  source and by destination, and one row per node with its properties.

Orderings are computed with numpy on integer keys (rule names are ranked: compiled rules
come sorted by name), and every table leaves here in its spec's ordering, so the tables are
byte-identical whatever the worker count and the writer need not sort them again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import datafusion
import msgspec
import numpy as np
import pyarrow as pa

from codeanatomy_core.cpg.columns import (
    compact,
    decode_codes,
    first_per_key,
    float_column,
    int_column,
    member,
    plain,
    take,
)
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
from codeanatomy_core.cpg.handler import EDGE_COLUMNS, NODE_COLUMNS
from codeanatomy_core.cpg.kinds import EntityKind
from codeanatomy_core.cpg.props import assemble_props, melt, props_map
from codeanatomy_core.ids import combine_ids
from codeanatomy_core.relspec.compiler import (
    CompiledRule,
    CompiledRuleSet,
    OutputColumn,
    rule_session,
    run_compiled,
)
from codeanatomy_core.relspec.errors import RuleError
from codeanatomy_core.specs.schema import arrow_field

PATHS_DATASET = "source_files"
PROPS_SCHEMA = pa.schema([arrow_field(f) for f in PROP_FIELDS])
_ARROW = {"BIGINT": pa.int64(), "INT": pa.int32(), "VARCHAR": pa.string(), "DOUBLE": pa.float64()}


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


def _standard(rows: pa.Table, columns: tuple[OutputColumn, ...]) -> pa.Table:
    """The standard columns of rule rows, all nullable (DataFusion's nullability varies by plan)."""
    schema = pa.schema([pa.field(c.name, _ARROW[c.sql_type]) for c in columns])
    arrays = [rows.column(f.name) for f in schema]
    return pa.Table.from_arrays(
        [a if a.type == f.type else a.cast(f.type) for a, f in zip(arrays, schema, strict=True)],
        schema=schema,
    )


def _best_per_key(keys: np.ndarray, ranking: Sequence[np.ndarray]) -> np.ndarray:
    """Index of the best row of every key (first by ``ranking``, most significant last), sorted."""
    order = np.argsort(keys)
    ranked = keys[order]
    if len(ranked) < 2 or not np.any(ranked[1:] == ranked[:-1]):
        return np.sort(order)
    return np.sort(first_per_key(keys, np.lexsort((*ranking, keys))))


class RuleOutputs:
    """The rows of the rules of one output, side by side: standard columns and rule codes."""

    def __init__(
        self, rules: Sequence[CompiledRule], tables: Sequence[pa.Table], columns: tuple[OutputColumn, ...]
    ):
        if not rules:
            raise RuleError("the CPG needs at least one node rule and one edge rule")
        self.rules = tuple(rules)
        self.tables = tuple(tables)
        self.standard = pa.concat_tables([_standard(t, columns) for t in tables]).combine_chunks()
        self.offsets = np.cumsum([0, *(t.num_rows for t in tables)])
        self.rule = np.repeat(np.arange(len(rules), dtype=np.int32), np.diff(self.offsets))
        self.priority = np.array([r.priority for r in rules], dtype=np.int64)[self.rule]

    def kept_rows(self, keep: np.ndarray) -> list[tuple[CompiledRule, pa.Table]]:
        """Each rule's own rows (all columns) among the kept ones."""
        out = []
        for index, (rule, table) in enumerate(zip(self.rules, self.tables, strict=True)):
            mask = keep[self.offsets[index] : self.offsets[index + 1]]
            out.append((rule, table if mask.all() else table.filter(pa.array(mask))))
        return out

    def labels(self, rows: np.ndarray) -> tuple[pa.Array, pa.Array]:
        """Kind and rule name of the rows ``rows`` (indices into the concatenated rows)."""
        codes = self.rule[rows]
        return (
            decode_codes(codes, [r.kind or "" for r in self.rules]),
            decode_codes(codes, [r.rule for r in self.rules]),
        )


class Assembler:
    """Runs the rules of one compiled set over one data session and assembles the tables."""

    def __init__(
        self, compiled: CompiledRuleSet, kinds: KindRegistry, ctx: datafusion.SessionContext
    ) -> None:
        self.compiled = compiled
        self.kinds = kinds
        self.ctx = ctx
        self.rule_rows: dict[str, int] = {}

    def _outputs(self, dataset: str, columns: tuple[OutputColumn, ...]) -> RuleOutputs:
        rules = self.compiled.for_output(dataset)
        tables = []
        for rule in rules:
            rows = run_compiled(rule, self.ctx)
            self.rule_rows[rule.rule] = rows.num_rows
            tables.append(rows)
        return RuleOutputs(rules, tables, columns)

    def nodes(self) -> tuple[pa.Table, list[pa.Table], int]:
        out = self._outputs(NODES, NODE_COLUMNS)
        ids = int_column(out.standard, "node_id")
        kept = _best_per_key(ids, (out.rule, out.priority))
        keep = np.zeros(len(ids), dtype=bool)
        keep[kept] = True
        props = []
        for rule, rows in out.kept_rows(keep):
            props += melt(
                rows,
                entity=EntityKind.NODE,
                id_column="node_id",
                kind=rule.kind or "",
                props=self.kinds.node(rule.kind or "").props,
            )
        rows = np.flatnonzero(keep)
        table = take(out.standard, rows)
        kind, rule_name = out.labels(rows)
        return (
            table.append_column("kind", kind).append_column("rule_name", rule_name),
            props,
            len(ids) - len(kept),
        )

    def edges(self, node_ids: pa.Array) -> tuple[pa.Table, list[pa.Table], int, int]:
        out = self._outputs(EDGES, EDGE_COLUMNS)
        standard = out.standard
        src, dst = int_column(standard, "src"), int_column(standard, "dst")
        edge_id = np.empty(len(src), dtype=np.int64)
        for index, rule in enumerate(out.rules):
            span = slice(out.offsets[index], out.offsets[index + 1])
            edge_id[span] = combine_ids(f"edge:{rule.kind}", src[span], dst[span])
        confidence = float_column(standard, "confidence")
        score_column = standard.column("score")
        score = np.where(
            score_column.is_null().to_numpy(zero_copy_only=False), confidence, float_column(standard, "score")
        )
        valid = member(np.concatenate([src, dst]), node_ids).reshape(2, -1).all(axis=0)
        candidates = np.flatnonzero(valid)
        best = _best_per_key(
            edge_id[candidates],
            (out.rule[candidates], out.priority[candidates], -confidence[candidates], -score[candidates]),
        )
        kept = candidates[best]
        kept = self._winners(out, kept, score, confidence)
        keep = np.zeros(len(src), dtype=bool)
        keep[kept] = True
        props = []
        with_ids = [
            (
                rule,
                rows.append_column(
                    "edge_id", pa.array(edge_id[out.offsets[i] : out.offsets[i + 1]][_mask(keep, out, i)])
                ),
            )
            for i, (rule, rows) in enumerate(out.kept_rows(keep))
        ]
        for rule, rows in with_ids:
            props += melt(
                rows,
                entity=EntityKind.EDGE,
                id_column="edge_id",
                kind=rule.kind or "",
                props=self.kinds.edge(rule.kind or "").props,
            )
        rows = np.flatnonzero(keep)
        table = take(standard, rows).set_column(
            standard.column_names.index("score"), "score", pa.array(score[rows], pa.float64())
        )
        kind, rule_name = out.labels(rows)
        table = table.add_column(0, "edge_id", pa.array(edge_id[rows], pa.int64()))
        table = table.append_column("kind", kind).append_column("rule_name", rule_name)
        dangling = int((~valid).sum())
        return table, props, len(src) - dangling - len(kept), dangling

    def _winners(
        self, out: RuleOutputs, kept: np.ndarray, score: np.ndarray, confidence: np.ndarray
    ) -> np.ndarray:
        """Kinds whose contract asks for a winner keep the best edge of each ambiguity group."""
        choosy = {i for i, r in enumerate(out.rules) if self.kinds.edge(r.kind or "").select_winner}
        if not choosy:
            return kept
        groups = out.standard.column("ambiguity_group")
        grouped = (
            np.isin(out.rule[kept], list(choosy)) & groups.is_valid().to_numpy(zero_copy_only=False)[kept]
        )
        if not grouped.any():
            return kept
        candidates = kept[grouped]
        group = int_column(out.standard, "ambiguity_group")[candidates]
        dst = int_column(out.standard, "dst")[candidates]
        rule = out.rule[candidates]
        order = np.lexsort(
            (dst, rule, out.priority[candidates], -confidence[candidates], -score[candidates], group)
        )
        winners = candidates[first_per_key(group, order)]
        return np.sort(np.concatenate([kept[~grouped], winners]))


def _mask(keep: np.ndarray, out: RuleOutputs, index: int) -> np.ndarray:
    return keep[out.offsets[index] : out.offsets[index + 1]]


def attach_paths(nodes: pa.Table, files: pa.Table) -> pa.Table:
    index = pa.compute.index_in(nodes.column("file_id"), value_set=files.column("file_id"))
    paths = pa.compute.dictionary_encode(files.column("path").combine_chunks()).take(index)
    return nodes.add_column(nodes.column_names.index("file_id") + 1, "path", paths)


def by_unique(table: pa.Table, column: str) -> pa.Table:
    """``table`` ordered by a unique integer column."""
    return take(table, np.argsort(int_column(table, column)))


def then_by(table: pa.Table, column: str) -> pa.Table:
    """``table`` (ordered by a unique column) ordered by ``column`` first, ties kept in order."""
    return take(table, np.argsort(int_column(table, column), kind="stable"))


def adjacency(edges: pa.Table, first: str) -> pa.Table:
    """Edges (ordered by id) by ``first`` endpoint: ordering ``(first, edge_id)``."""
    second = "dst" if first == "src" else "src"
    return then_by(edges.select([first, "kind", second, "edge_id", "file_id", "confidence"]), first)


def build_cpg(compiled: CompiledRuleSet, *, kinds: KindRegistry, inputs: Mapping[str, pa.Table]) -> CpgBuild:
    """The six CPG tables from the input tables (every dataset the rules read)."""
    start = time.perf_counter()
    assembler = Assembler(compiled, kinds, rule_session(inputs))
    nodes, node_props, duplicates = assembler.nodes()
    nodes = attach_paths(by_unique(nodes, "node_id"), inputs[PATHS_DATASET])
    edges, edge_props, merged, dangling = assembler.edges(nodes.column("node_id").combine_chunks())
    edges = by_unique(compact(edges, ("origin", "resolution_method")), "edge_id")
    props = assemble_props(node_props + edge_props, PROPS_SCHEMA)
    tables = {
        NODES: nodes,
        EDGES: edges,
        PROPS: props,
        EDGES_BY_SRC: adjacency(edges, "src"),
        EDGES_BY_DST: adjacency(edges, "dst"),
        PROPS_MAP: props_map(int_column(nodes, "node_id"), nodes.column("kind").combine_chunks(), props),
    }
    tables = {name: plain(table) for name, table in tables.items()}
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
