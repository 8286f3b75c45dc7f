"""An incremental CPG build: the rows of the files whose graph rows may have changed.

The plan (:mod:`codeanatomy_core.cpg.fileset`) names the files to rebuild. Their input rows
(and, for owned rules, the rows of the files they reach) are read, every rule runs on them
(``LOCAL`` rules on the rebuilt files' rows only), the rows of the rebuilt files are kept
and assembled like a full build would. Edges may point at nodes of files kept as stored:
those are looked up in the stored ``cpg_nodes``. The stored graph is then checked for what
per-file replacement cannot express, and the set grows (or the build falls back to a full
one) when needed:

* kept edges pointing at nodes the rebuilt files no longer have: their files are rebuilt;
* kept files that dropped dangling edges, when nodes appeared: rebuilt;
* a node or edge id produced in a rebuilt file and in a kept one: full build.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.build import GraphParts, assemble_graph
from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.fileset import FILE_ID, InputState, RebuildPlan
from codeanatomy_core.cpg.inputs import read_files, read_matching, read_table, rows_of
from codeanatomy_core.cpg.tables import PATHS_DATASET
from codeanatomy_core.relspec.compiler import CompiledRule, CompiledRuleSet, rule_session, run_compiled
from codeanatomy_core.relspec.scoping import RuleScope, ScopeKind
from codeanatomy_core.storage.location import TableHandle

MAX_ROUNDS = 3
WORKERS = 2  # reads and rule queries release the GIL: two at a time use both cores


class NeedsFullBuild(Exception):
    """The stored graph cannot be updated file by file; the message says why."""


class StoredGraph(msgspec.Struct, frozen=True, kw_only=True):
    """Handles on the stored CPG tables the incremental build checks against."""

    nodes: TableHandle
    edges: TableHandle
    dangling_files: frozenset[int] | None  # None: too many were recorded to list


class IncrementalParts(msgspec.Struct, frozen=True, kw_only=True):
    parts: GraphParts
    rebuilt: frozenset[int]
    rounds: int
    grown: int  # files added to the plan by the checks against the stored graph


def _ids(files: frozenset[int]) -> np.ndarray:
    return np.fromiter(sorted(files), dtype=np.int64, count=len(files))


def restricted_inputs(
    states: Mapping[str, InputState],
    *,
    handles: Mapping[str, TableHandle],
    whole: Mapping[str, pa.Table],
    files: frozenset[int],
    targets: Mapping[str, frozenset[int]],
) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """Every input's rows of ``files`` (for LOCAL rules) and of ``files`` plus the files
    owned rules reach in it (for OWNED rules)."""
    rebuilt = _ids(files)

    def read(name: str) -> tuple[str, pa.Table, pa.Table]:
        state = states[name]
        column = state.file_column
        wanted = files | targets.get(name, frozenset())
        if column is None:
            table = whole[name] if name in whole else read_table(handles[name], state.columns)
            return name, table, table
        if name in whole:
            table = rows_of(whole[name], _ids(wanted), file_column=column)
        else:
            table = read_files(handles[name], state.columns, file_column=column, files=_ids(wanted))
        return name, (table if wanted == files else rows_of(table, rebuilt, file_column=column)), table

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        found = list(pool.map(read, sorted(states)))
    return {n: loc for n, loc, _ in found}, {n: own for n, _, own in found}


def _of_files(table: pa.Table, files: np.ndarray) -> pa.Table:
    """Rule rows of ``files`` (a null file id is file 0)."""
    if table.num_rows == 0:
        return table
    mask = pc.is_in(table.column(FILE_ID).fill_null(0), value_set=pa.array(files, pa.int64()))
    return table.filter(mask)


def rule_rows(
    compiled: CompiledRuleSet,
    scopes: Mapping[str, RuleScope],
    *,
    local: dict[str, pa.Table],
    owned: dict[str, pa.Table],
    full_rows: Mapping[str, pa.Table],
    files: frozenset[int],
) -> dict[str, pa.Table]:
    """Every rule's rows of ``files``."""
    rebuilt = _ids(files)
    sessions = {ScopeKind.LOCAL: rule_session(local), ScopeKind.OWNED: rule_session(owned)}

    def run(rule: CompiledRule) -> tuple[str, pa.Table]:
        kind = scopes[rule.rule].kind
        rows = full_rows[rule.rule] if kind is ScopeKind.FULL else run_compiled(rule, sessions[kind])
        return rule.rule, _of_files(rows, rebuilt)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(pool.map(run, compiled.rules))


def _endpoints(runs: Mapping[str, pa.Table], compiled: CompiledRuleSet) -> pa.Array:
    parts = [
        runs[r.rule].column(c).combine_chunks().cast(pa.int64())
        for r in compiled.rules
        if r.output == "cpg_edges"
        for c in ("src", "dst")
    ]
    return pc.unique(pa.concat_arrays(parts)) if parts else pa.array([], pa.int64())


class StoredNodes:
    """The stored nodes' ids by file (read once per build)."""

    def __init__(self, handle: TableHandle) -> None:
        table = read_table(handle, ["node_id", FILE_ID])
        self.ids = np.asarray(table.column("node_id").to_numpy(), dtype=np.int64)
        self.files = np.asarray(table.column(FILE_ID).to_numpy(), dtype=np.int64)

    def split(self, replaced: frozenset[int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids of nodes of ``replaced`` files, ids of nodes of the other files)."""
        mask = _member(self.files, _ids(replaced))
        return self.ids[mask], self.ids[~mask]


def _member(values: np.ndarray, of: np.ndarray) -> np.ndarray:
    """Which ``values`` are among ``of`` (a hash set of the smaller side's values)."""
    return np.asarray(pc.is_in(pa.array(values, pa.int64()), value_set=pa.array(of, pa.int64())))


def _clashes(kept: np.ndarray, new: np.ndarray) -> bool:
    """Whether a new node id is also the id of a kept node (of another file)."""
    return bool(len(new)) and bool(_member(kept, new).any())


def _stored_edge_files(
    handle: TableHandle, *, gone: np.ndarray, new_edges: np.ndarray, replaced: frozenset[int]
) -> tuple[frozenset[int], int]:
    """Files (not ``replaced``) with edges touching ``gone`` nodes, and how many of their
    edge ids are among ``new_edges``."""
    if len(gone) == 0:
        # Most edits keep every node: only the stored edges with a new edge's id are read
        # (the scan filters them; two million ids never reach Python).
        if len(new_edges) == 0:
            return frozenset(), 0
        same = read_matching(handle, [FILE_ID], column="edge_id", values=new_edges)
        files = np.asarray(same.column(FILE_ID).to_numpy(), dtype=np.int64)
        return frozenset(), int((~_member(files, _ids(replaced))).sum())
    edges = read_table(handle, ["edge_id", "src", "dst", FILE_ID])
    files = np.asarray(edges.column(FILE_ID).to_numpy(), dtype=np.int64)
    kept = ~_member(files, _ids(replaced))
    hit = _member(np.asarray(edges.column("src").to_numpy()), gone)
    hit |= _member(np.asarray(edges.column("dst").to_numpy()), gone)
    touching = frozenset(np.unique(files[hit & kept]).tolist())
    clash = _member(np.asarray(edges.column("edge_id").to_numpy()), new_edges) & kept
    return touching, int(clash.sum())


def build_files(
    compiled: CompiledRuleSet,
    *,
    kinds: KindRegistry,
    scopes: Mapping[str, RuleScope],
    states: Mapping[str, InputState],
    handles: Mapping[str, TableHandle],
    whole: Mapping[str, pa.Table],
    plan: RebuildPlan,
    retarget: Callable[[frozenset[int]], dict[str, frozenset[int]]],
    removed: frozenset[int],
    stored: StoredGraph,
) -> IncrementalParts:
    """The graph rows of the plan's files (grown until the stored graph agrees with them)."""
    start = time.perf_counter()
    nodes = StoredNodes(stored.nodes)
    files, targets = plan.rebuild, plan.targets
    grown = 0
    for round_ in range(1, MAX_ROUNDS + 1):
        local, owned = restricted_inputs(states, handles=handles, whole=whole, files=files, targets=targets)
        paths = local[PATHS_DATASET].select([FILE_ID, "path"])
        runs = rule_rows(compiled, scopes, local=local, owned=owned, full_rows=plan.full_rows, files=files)
        del local, owned
        replaced = files | removed
        old_ids, kept_ids = nodes.split(replaced)
        endpoints = _endpoints(runs, compiled)
        known = pa.array(kept_ids[_member(kept_ids, endpoints.to_numpy())], pa.int64())
        parts = assemble_graph(
            compiled, kinds=kinds, runs=runs, files=paths, known_nodes=known, started=start
        )
        new_ids = np.asarray(parts.nodes.column("node_id").to_numpy(), dtype=np.int64)
        if parts.stats.cross_file_ids or _clashes(kept_ids, new_ids):
            raise NeedsFullBuild("a node or edge id is produced in several files")
        gone = old_ids[~_member(old_ids, new_ids)]
        new_edges = np.asarray(parts.edges.column("edge_id").to_numpy(), dtype=np.int64)
        touching, clash = _stored_edge_files(stored.edges, gone=gone, new_edges=new_edges, replaced=replaced)
        if clash:
            raise NeedsFullBuild("an edge id is produced in a rebuilt file and in a kept one")
        extra = set(touching)
        if (~_member(new_ids, old_ids)).any():
            if stored.dangling_files is None:
                raise NeedsFullBuild("nodes appeared and the files with dangling edges were not recorded")
            extra |= stored.dangling_files - replaced
        if not extra - files:
            return IncrementalParts(parts=parts, rebuilt=files, rounds=round_, grown=grown)
        grown += len(extra - files)
        files = files | frozenset(extra)
        targets = retarget(files)
    raise NeedsFullBuild(f"the rebuilt file set did not settle in {MAX_ROUNDS} rounds")
