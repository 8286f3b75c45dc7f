"""Assemble nodes and edges from the rows the rules produced: kinds, dedup, integrity, props.

* nodes: a node id produced twice keeps the row of the rule with the lowest priority (then
  the first rule name);
* edges: ``edge_id = combine_ids('edge:' + kind, src, dst)`` (one edge per kind, source and
  destination); candidates of the same edge keep the best by score and confidence
  (descending), then rule priority and rule name (ascending); kinds whose contract asks for
  a winner keep one edge per ambiguity group the same way (then the lowest destination);
  edges with an endpoint that is not a node are dropped and counted;
* every row belongs to a file (``file_id``; 0 for rows of no file).

Candidates that tie on all of that are told apart by a hash of their whole row, so the
choice depends neither on the order rules nor rows arrived in (a build over some files
picks what a build over all files picks). Orderings are numpy sorts on integer keys (rule
names are ranked: compiled rules come sorted by name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa

from codeanatomy_core.cpg.columns import (
    decode_codes,
    file_order,
    first_per_key,
    float_column,
    int_column,
    take,
)
from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import EDGES, NODES
from codeanatomy_core.cpg.digests import row_hashes
from codeanatomy_core.cpg.handler import EDGE_COLUMNS, NODE_COLUMNS
from codeanatomy_core.cpg.kinds import EntityKind
from codeanatomy_core.cpg.props import melt
from codeanatomy_core.ids import combine_ids
from codeanatomy_core.relspec.compiler import CompiledRule, CompiledRuleSet, OutputColumn
from codeanatomy_core.relspec.errors import RuleError

NO_FILE = 0
_ARROW = {"BIGINT": pa.int64(), "INT": pa.int32(), "VARCHAR": pa.string(), "DOUBLE": pa.float64()}

Tiebreak = Callable[[np.ndarray], np.ndarray]


def standard_columns(rows: pa.Table, columns: tuple[OutputColumn, ...]) -> pa.Table:
    """The standard columns of rule rows, all nullable (DataFusion's nullability varies by
    plan), with a null ``file_id`` as :data:`NO_FILE`."""
    schema = pa.schema([pa.field(c.name, _ARROW[c.sql_type]) for c in columns])
    arrays = []
    for field in schema:
        array = rows.column(field.name)
        array = array if array.type == field.type else array.cast(field.type)
        arrays.append(array.fill_null(NO_FILE) if field.name == "file_id" else array)
    return pa.Table.from_arrays(arrays, schema=schema)


class KeyChoice:
    """The best row of every key, and how many keys had candidates in several files."""

    def __init__(
        self, keys: np.ndarray, files: np.ndarray, ranking: Sequence[np.ndarray], tiebreak: Tiebreak
    ) -> None:
        order = np.argsort(keys)
        ranked = keys[order]
        same = ranked[1:] == ranked[:-1]
        self.cross_file = 0
        if not same.any():
            self.rows = np.sort(order)
            return
        repeated = np.zeros(len(keys), dtype=bool)
        repeated[1:] |= same
        repeated[:-1] |= same
        rows = order[repeated]
        starts = np.flatnonzero(np.concatenate(([True], keys[rows][1:] != keys[rows][:-1])))
        row_files = files[rows]
        spread = np.maximum.reduceat(row_files, starts) != np.minimum.reduceat(row_files, starts)
        self.cross_file = int(spread.sum())
        keys_of = keys[rows]
        lexical = np.lexsort((tiebreak(rows), *(r[rows] for r in ranking), keys_of))
        best = rows[first_per_key(keys_of, lexical)]
        self.rows = np.sort(np.concatenate([order[~repeated], best]))


class RuleOutputs:
    """The rows of the rules of one output, side by side: standard columns and rule codes."""

    def __init__(
        self, rules: Sequence[CompiledRule], tables: Sequence[pa.Table], columns: tuple[OutputColumn, ...]
    ) -> None:
        if not rules:
            raise RuleError("the CPG needs at least one node rule and one edge rule")
        self.rules = tuple(rules)
        self.tables = tuple(tables)
        self.standard = pa.concat_tables([standard_columns(t, columns) for t in tables]).combine_chunks()
        self.offsets = np.cumsum([0, *(t.num_rows for t in tables)])
        self.rule = np.repeat(np.arange(len(rules), dtype=np.int32), np.diff(self.offsets))
        self.priority = np.array([r.priority for r in rules], dtype=np.int64)[self.rule]
        self.files = int_column(self.standard, "file_id")

    def content_hashes(self, rows: np.ndarray) -> np.ndarray:
        """A hash of each row ``rows`` (indices into the concatenated rows) over all its
        rule's columns: the last tie-break between equally ranked candidates."""
        out = np.zeros(len(rows), dtype=np.uint64)
        codes = self.rule[rows]
        for index in np.unique(codes):
            mine = codes == index
            local = rows[mine] - self.offsets[index]
            out[mine] = row_hashes(take(self.tables[index], local))
        return out.view(np.int64)

    def kept_rows(
        self,
        keep: np.ndarray,
        columns: Callable[[CompiledRule], Sequence[str]],
        extra: Mapping[str, np.ndarray] | None = None,
    ) -> list[tuple[CompiledRule, pa.Table]]:
        """Each rule's own rows among the kept ones: its ``columns(rule)`` that it has, the
        standard ``file_id`` and ``extra`` columns. Each rule's rows are then dropped."""
        out = []
        for index, rule in enumerate(self.rules):
            table = self.tables[index]
            span = slice(self.offsets[index], self.offsets[index + 1])
            mask = keep[span]
            wanted = [c for c in columns(rule) if c in table.column_names and c != "file_id"]
            rows = table.select(wanted).append_column(
                "file_id", self.standard.column("file_id").slice(span.start, len(mask))
            )
            for name, values in (extra or {}).items():
                rows = rows.append_column(name, pa.array(values[span], pa.int64()))
            out.append((rule, rows if mask.all() else rows.filter(pa.array(mask))))
        self.tables = ()
        return out

    def labels(self, rows: np.ndarray) -> tuple[pa.Array, pa.Array]:
        """Kind and rule name of the rows ``rows`` (indices into the concatenated rows)."""
        codes = self.rule[rows]
        return (
            decode_codes(codes, [r.kind or "" for r in self.rules]),
            decode_codes(codes, [r.rule for r in self.rules]),
        )


class Assembly:
    """Nodes, edges and property rows of one set of rule outputs."""

    def __init__(self, compiled: CompiledRuleSet, kinds: KindRegistry, runs: dict[str, pa.Table]) -> None:
        self.compiled = compiled
        self.kinds = kinds
        self.runs = runs
        self.props: list[pa.Table] = []
        self.duplicate_nodes = 0
        self.merged_edges = 0
        self.dangling_edges = 0
        self.dangling_files: frozenset[int] = frozenset()
        self.cross_file_ids = 0

    def _prop_names(self, rule: CompiledRule) -> list[str]:
        kind = rule.kind or ""
        contract = self.kinds.node(kind) if rule.output == NODES else self.kinds.edge(kind)
        return [p.name for p in contract.props]

    def _outputs(self, dataset: str, columns: tuple[OutputColumn, ...]) -> RuleOutputs:
        rules = self.compiled.for_output(dataset)
        # Taken out of ``runs``: each rule's rows are freed once their output is assembled.
        return RuleOutputs(rules, [self.runs.pop(r.rule) for r in rules], columns)

    def nodes(self) -> pa.Table:
        """Distinct nodes with kind and rule (dictionary-coded), ordered by (file, node id)."""
        out = self._outputs(NODES, NODE_COLUMNS)
        ids = int_column(out.standard, "node_id")
        choice = KeyChoice(ids, out.files, (out.rule, out.priority), out.content_hashes)
        kept = choice.rows
        self.cross_file_ids += choice.cross_file
        keep = np.zeros(len(ids), dtype=bool)
        keep[kept] = True
        for rule, rows in out.kept_rows(keep, lambda r: ["node_id", *self._prop_names(r)]):
            contract = self.kinds.node(rule.kind or "")
            self.props += melt(
                rows, entity=EntityKind.NODE, id_column="node_id", kind=rule.kind or "", props=contract.props
            )
        self.duplicate_nodes = len(ids) - len(kept)
        kept = kept[file_order(out.files[kept], ids[kept])]
        kind, rule_name = out.labels(kept)
        return take(out.standard, kept).append_column("kind", kind).append_column("rule_name", rule_name)

    def edges(self, is_node: Callable[[np.ndarray], np.ndarray]) -> pa.Table:
        """The best candidate of every edge whose endpoints are nodes (``is_node`` says which
        of an array of ids are), ordered by (file, edge id)."""
        out = self._outputs(EDGES, EDGE_COLUMNS)
        standard = out.standard
        src, dst = int_column(standard, "src"), int_column(standard, "dst")
        edge_id = np.empty(len(src), dtype=np.int64)
        for index, rule in enumerate(out.rules):
            span = slice(out.offsets[index], out.offsets[index + 1])
            edge_id[span] = combine_ids(f"edge:{rule.kind}", src[span], dst[span])
        confidence = float_column(standard, "confidence")
        no_score = standard.column("score").is_null().to_numpy(zero_copy_only=False)
        score = np.where(no_score, confidence, float_column(standard, "score"))
        valid = is_node(np.concatenate([src, dst])).reshape(2, -1).all(axis=0)
        candidates = np.flatnonzero(valid)
        ranking = (
            out.rule[candidates],
            out.priority[candidates],
            -confidence[candidates],
            -score[candidates],
        )
        choice = KeyChoice(
            edge_id[candidates],
            out.files[candidates],
            ranking,
            lambda rows: out.content_hashes(candidates[rows]),
        )
        self.cross_file_ids += choice.cross_file
        kept = self._winners(out, candidates[choice.rows], score, confidence)
        keep = np.zeros(len(src), dtype=bool)
        keep[kept] = True
        for rule, rows in out.kept_rows(keep, self._prop_names, {"edge_id": edge_id}):
            contract = self.kinds.edge(rule.kind or "")
            self.props += melt(
                rows, entity=EntityKind.EDGE, id_column="edge_id", kind=rule.kind or "", props=contract.props
            )
        self.dangling_edges = int((~valid).sum())
        self.dangling_files = frozenset(np.unique(out.files[~valid]).tolist())
        self.merged_edges = len(candidates) - len(kept)
        kept = kept[file_order(out.files[kept], edge_id[kept])]
        table = take(standard, kept)
        table = table.set_column(
            table.column_names.index("score"), "score", pa.array(score[kept], pa.float64())
        )
        kind, rule_name = out.labels(kept)
        table = table.add_column(0, "edge_id", pa.array(edge_id[kept], pa.int64()))
        return table.append_column("kind", kind).append_column("rule_name", rule_name)

    def _winners(
        self, out: RuleOutputs, kept: np.ndarray, score: np.ndarray, confidence: np.ndarray
    ) -> np.ndarray:
        """Kinds whose contract asks for a winner keep the best edge of each ambiguity group."""
        choosy = [i for i, r in enumerate(out.rules) if self.kinds.edge(r.kind or "").select_winner]
        if not choosy:
            return kept
        has_group = out.standard.column("ambiguity_group").is_valid().to_numpy(zero_copy_only=False)
        grouped = np.isin(out.rule[kept], choosy) & has_group[kept]
        if not grouped.any():
            return kept
        candidates = kept[grouped]
        group = int_column(out.standard, "ambiguity_group")[candidates]
        files = out.files[candidates]
        order = np.argsort(group, kind="stable")
        starts = np.flatnonzero(np.concatenate(([True], group[order][1:] != group[order][:-1])))
        spread = np.maximum.reduceat(files[order], starts) != np.minimum.reduceat(files[order], starts)
        self.cross_file_ids += int(spread.sum())
        dst = int_column(out.standard, "dst")[candidates]
        ranking = (
            out.content_hashes(candidates),
            dst,
            out.rule[candidates],
            out.priority[candidates],
            -confidence[candidates],
            -score[candidates],
        )
        winners = candidates[first_per_key(group, np.lexsort((*ranking, group)))]
        return np.sort(np.concatenate([kept[~grouped], winners]))
