"""Entity tables from the facts alone: scopes, definitions, name_refs, callsites, decorators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from codeanatomy_core.extract.pyfacts_model import DefFlag, ScopeKind
from codeanatomy_core.ids import derive_ids
from codeanatomy_core.normalize.datasets import CALLSITES, DECORATORS, DEFINITIONS, NAME_REFS, SCOPES
from codeanatomy_core.normalize.kinds import BIND_KINDS, CALL_KINDS, DEF_KINDS, REF_CONTEXTS, SCOPE_KINDS
from codeanatomy_core.normalize.program import Program, ProgramFile, file_callers
from codeanatomy_core.normalize.table_ids import DECORATOR_TAG, ProgramIds
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.schema import arrow_schema

LOOKUP_NAMES = ("local", "name", "enclosing", "global")


def build_table(spec: DatasetSpec, columns: Mapping[str, Sequence[Any] | np.ndarray]) -> pa.Table:
    """A table of ``spec`` from its columns, rows in the spec's ordering."""
    table = pa.table(columns, schema=arrow_schema(spec))
    if table.num_rows and spec.ordering:
        table = table.sort_by([(name, "ascending") for name in spec.ordering])
    return table


def _nullable(ids: np.ndarray, index: int) -> int | None:
    return int(ids[index]) if index >= 0 else None


def files_of(program: Program, only: frozenset[int] | None) -> list[ProgramFile]:
    """The files whose rows are built (all, or those of an incremental update)."""
    return program.files if only is None else [f for f in program.files if f.file_id in only]


def scopes_table(program: Program, ids: ProgramIds, *, only: frozenset[int] | None = None) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in SCOPES.field_names}
    for entry in files_of(program, only):
        base = entry.scope_base
        for ordinal, scope in enumerate(entry.facts.scopes):
            parent = scope.parent
            qual = (
                entry.facts.scopes[parent].qualname
                if scope.kind is ScopeKind.COMPREHENSION
                else scope.qualname
            )
            if scope.kind is ScopeKind.COMPREHENSION:
                qual = f"{qual}.{scope.name}" if qual else scope.name
            cols["scope_id"].append(int(ids.scopes[base + ordinal]))
            cols["file_id"].append(entry.file_id)
            cols["ordinal"].append(ordinal)
            cols["kind"].append(SCOPE_KINDS[scope.kind])
            cols["name"].append(scope.name)
            cols["qualified_name"].append(f"{entry.module}.{qual}" if qual else entry.module)
            cols["parent_scope_id"].append(_nullable(ids.scopes, base + parent) if parent >= 0 else None)
            cols["definition_id"].append(
                int(ids.defs[entry.def_base + scope.definition]) if scope.definition >= 0 else None
            )
            cols["bstart"].append(scope.bstart)
            cols["bend"].append(scope.bend)
            cols["line"].append(scope.line)
    return build_table(SCOPES, cols)


def definitions_table(program: Program, ids: ProgramIds, *, only: frozenset[int] | None = None) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in DEFINITIONS.field_names}
    for entry in files_of(program, only):
        scope_base, def_base = entry.scope_base, entry.def_base
        for ordinal, definition in enumerate(entry.facts.defs):
            flags = definition.flags
            cols["def_id"].append(int(ids.defs[def_base + ordinal]))
            cols["file_id"].append(entry.file_id)
            cols["ordinal"].append(ordinal)
            cols["kind"].append(DEF_KINDS[definition.kind])
            cols["name"].append(definition.name)
            qual = definition.qualname
            cols["qualified_name"].append(f"{entry.module}.{qual}" if qual else entry.module)
            cols["scope_id"].append(
                int(ids.scopes[scope_base + definition.scope]) if definition.scope >= 0 else None
            )
            cols["own_scope_id"].append(
                int(ids.scopes[scope_base + definition.own_scope]) if definition.own_scope >= 0 else None
            )
            cols["is_method"].append(bool(flags & DefFlag.METHOD))
            cols["is_staticmethod"].append(bool(flags & DefFlag.STATICMETHOD))
            cols["is_classmethod"].append(bool(flags & DefFlag.CLASSMETHOD))
            cols["is_property"].append(bool(flags & DefFlag.PROPERTY))
            cols["is_generator"].append(bool(flags & DefFlag.GENERATOR))
            cols["bstart"].append(definition.bstart)
            cols["bend"].append(definition.bend)
            cols["line"].append(definition.line)
    return build_table(DEFINITIONS, cols)


def name_refs_table(program: Program, ids: ProgramIds, *, only: frozenset[int] | None = None) -> pa.Table:
    parts: list[pa.Table] = []
    schema = arrow_schema(NAME_REFS)
    for entry in files_of(program, only):
        refs = entry.facts.refs
        count = len(refs.name)
        if not count:
            continue
        bindings = entry.facts.bindings
        scope_ids = ids.scopes[entry.scope_base : entry.scope_base + len(entry.facts.scopes)]
        def_ids = ids.defs[entry.def_base : entry.def_base + len(entry.facts.defs)]
        bound = np.array(refs.binding, dtype=np.int64)
        has_binding = bound >= 0
        bound_defs = np.array([b.definition for b in bindings] or [0], dtype=np.int64)[np.maximum(bound, 0)]
        kinds = [BIND_KINDS[bindings[b].kind] if b >= 0 else None for b in refs.binding]
        columns = [
            pa.array(ids.refs[entry.index], pa.int64()),
            pa.array(np.full(count, entry.file_id, dtype=np.int64)),
            pa.array(np.arange(count, dtype=np.int32)),
            pa.array(refs.name, pa.string()),
            pa.array([REF_CONTEXTS[c] for c in refs.ctx], pa.string()),
            pa.array(scope_ids[np.array(refs.scope, dtype=np.int64)], pa.int64()),
            pa.array([LOOKUP_NAMES[k] for k in refs.lookup], pa.string()),
            pa.array(kinds, pa.string()),
            pa.array(def_ids[bound_defs], mask=~has_binding, type=pa.int64()),
            pa.array(refs.bstart, pa.int64()),
            pa.array(refs.bend, pa.int64()),
            pa.array(refs.line, pa.int32()),
            pa.array(refs.col, pa.int32()),
        ]
        parts.append(pa.Table.from_arrays(columns, schema=schema))
    table = pa.concat_tables(parts) if parts else schema.empty_table()
    return table.sort_by([("file_id", "ascending"), ("ordinal", "ascending")]) if table.num_rows else table


def callsites_table(program: Program, ids: ProgramIds, *, only: frozenset[int] | None = None) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in CALLSITES.field_names}
    def_ids, call_ids, scope_ids = ids.defs.tolist(), ids.calls.tolist(), ids.scopes.tolist()
    for entry in files_of(program, only):
        call_base, scope_base = entry.call_base, entry.scope_base
        callers = file_callers(entry)
        for ordinal, call in enumerate(entry.facts.calls):
            path = call.callee_path
            cols["callsite_id"].append(call_ids[call_base + ordinal])
            cols["file_id"].append(entry.file_id)
            cols["ordinal"].append(ordinal)
            cols["call_kind"].append(CALL_KINDS[call.kind])
            cols["callee_path"].append(path)
            cols["callee_root"].append(path.split(".", 1)[0].split("(", 1)[0].split("[", 1)[0] or path)
            cols["dunder"].append(call.dunder)
            cols["arg_count"].append(len(call.args))
            cols["keywords"].append([k for k in call.keywords if k is not None])
            cols["has_star_args"].append(bool(call.starred))
            cols["has_star_kwargs"].append(None in call.keywords)
            cols["scope_id"].append(scope_ids[scope_base + call.scope])
            cols["caller_def_id"].append(def_ids[callers[ordinal]])
            cols["bstart"].append(call.bstart)
            cols["bend"].append(call.bend)
            cols["line"].append(call.line)
    return build_table(CALLSITES, cols)


def decorators_table(program: Program, ids: ProgramIds, *, only: frozenset[int] | None = None) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in DECORATORS.field_names}
    for entry in files_of(program, only):
        decorators = entry.facts.decorators
        if not decorators:
            continue
        decorator_ids = derive_ids(entry.file_id, DECORATOR_TAG, np.arange(len(decorators)))
        for ordinal, decorator in enumerate(decorators):
            cols["decorator_id"].append(int(decorator_ids[ordinal]))
            cols["file_id"].append(entry.file_id)
            cols["ordinal"].append(ordinal)
            cols["def_id"].append(int(ids.defs[entry.def_base + decorator.definition]))
            cols["position"].append(decorator.position)
            cols["path"].append(decorator.path)
            cols["callsite_id"].append(int(ids.calls[entry.call_base + decorator.call]))
            cols["bstart"].append(decorator.bstart)
            cols["bend"].append(decorator.bend)
    return build_table(DECORATORS, cols)
