"""The incremental path of the cpg step: from the stored graph to the rows of rebuilt files.

1. each input's change since the stored graph's build (Delta history; inputs rewritten
   whole are read at both versions and compared file by file);
2. the plan: the files to rebuild and the other files' rows owned rules reach
   (:class:`~codeanatomy_core.cpg.fileset.Planner`);
3. the rows of those files, assembled and checked against the stored graph
   (:func:`~codeanatomy_core.cpg.incremental.build_files`);
4. one output per table: the rows of the rebuilt files, replacing the rows of the rebuilt
   and the removed files in one commit.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import msgspec
import pyarrow as pa

from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import EDGES, NODES
from codeanatomy_core.cpg.fileset import InputState, Planner, input_states
from codeanatomy_core.cpg.history import InputChange, input_change
from codeanatomy_core.cpg.incremental import IncrementalParts, NeedsFullBuild, StoredGraph, build_files
from codeanatomy_core.cpg.inputs import delta_at
from codeanatomy_core.cpg.modes import Previous
from codeanatomy_core.cpg.sessions import InputSession
from codeanatomy_core.pipeline.step import StepContext
from codeanatomy_core.relspec.compiler import CompiledRuleSet
from codeanatomy_core.relspec.model import RuleDefinition
from codeanatomy_core.relspec.scoping import RuleScope
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.storage.location import TableHandle
from codeanatomy_core.storage.reader import current_handle

# Rebuilding more than this share of the files of a repository of at least MIN_FILES files
# is slower than a full build (smaller repositories are cheap either way).
MAX_SHARE = 0.5
MIN_FILES = 64


class Update(msgspec.Struct, frozen=True, kw_only=True):
    result: IncrementalParts
    reasons: dict[str, int]
    removed: frozenset[int]


def input_changes(
    handles: Mapping[str, TableHandle], previous: Previous, file_columns: Mapping[str, str | None]
) -> dict[str, InputChange]:
    out = {}
    for name, handle in sorted(handles.items()):
        old = previous.versions.get(name)
        if old is None:
            raise NeedsFullBuild(f"the stored graph does not record the version of input {name!r}")
        out[name] = input_change(
            dataset=name,
            opener=functools.partial(delta_at, handle),
            old_version=old,
            new_version=handle.data_version,
            file_column=file_columns[name],
        )
    return out


def stored_graph(
    ctx: StepContext, catalog: SpecCatalog | None, previous: Previous, specs: Mapping[str, object]
) -> StoredGraph:
    handles = {}
    for name in (NODES, EDGES):
        handle = current_handle(specs[name], warehouse=ctx.warehouse)  # type: ignore[arg-type]
        if handle is None:
            raise NeedsFullBuild(f"{name} has no stored table")
        handles[name] = handle
    del catalog
    return StoredGraph(nodes=handles[NODES], edges=handles[EDGES], dangling_files=previous.dangling_files)


def update(
    ctx: StepContext,
    *,
    compiled: CompiledRuleSet,
    kinds: KindRegistry,
    rules: Mapping[str, RuleDefinition],
    scopes: Mapping[str, RuleScope],
    file_columns: Mapping[str, str | None],
    previous: Previous,
    specs: Mapping[str, object],
    reads: Mapping[str, Sequence[str]],
) -> Update:
    """The rows of the files an incremental build rebuilds (NeedsFullBuild if it cannot)."""
    handles = {name: ctx.input(name) for name in reads}
    changes = input_changes(handles, previous, file_columns)
    states, now_tables, then_tables = input_states(
        changes=changes, handles=handles, reads=reads, file_columns=file_columns
    )
    now = InputSession(handles=handles, tables=now_tables, label="now")
    then = InputSession(
        handles=handles,
        versions={name: c.old_version for name, c in changes.items()},
        tables=then_tables,
        label="then",
    )
    del then_tables
    planner = Planner(compiled=compiled, rules=rules, scopes=scopes, inputs=states, now=now, then=then)
    manifest = previous.changes.added | previous.changes.changed
    removed = previous.changes.removed
    plan = planner.plan(manifest=manifest, removed=removed)
    if previous.manifest_files >= MIN_FILES and len(plan.rebuild) > MAX_SHARE * previous.manifest_files:
        raise NeedsFullBuild(f"{len(plan.rebuild)} of {previous.manifest_files} files would be rebuilt")
    result = build_files(
        compiled,
        kinds=kinds,
        scopes=scopes,
        states=states,
        handles=handles,
        whole=now_tables,
        plan=plan,
        retarget=planner.targets,
        removed=removed,
        stored=stored_graph(ctx, None, previous, specs),
    )
    return Update(result=result, reasons=plan.reasons, removed=removed)


def state_columns(states: Mapping[str, InputState]) -> dict[str, tuple[str, ...]]:
    return {name: s.columns for name, s in states.items()}


def empty_like(table: pa.Table) -> pa.Table:
    return table.schema.empty_table()
