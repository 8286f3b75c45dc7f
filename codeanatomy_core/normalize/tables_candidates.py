"""Candidate tables: ref_bindings (static, by scoping rules) and call_targets (by the flow).

A reference's candidates come from the bindings that reach it (its own scope, flow-
sensitively), an enclosing function's bindings (closures), or the module namespace and
builtins; import bindings are followed to what they name. A call target's method says how
the flow reached it, refined by the callee's syntax and its static resolution.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from codeanatomy_core.extract.pyfacts_model import UNBOUND, BindKind, RefContext, RefScope, ScopeKind
from codeanatomy_core.normalize.call_methods import CallMethods
from codeanatomy_core.normalize.datasets_resolution import CALL_TARGETS, REF_BINDINGS
from codeanatomy_core.normalize.kinds import ResolutionMethod, Via
from codeanatomy_core.normalize.program import Program, ProgramFile
from codeanatomy_core.normalize.resolve import Resolution
from codeanatomy_core.normalize.symbols import BUILTIN_NAMES, Symbols, Target, TargetKind
from codeanatomy_core.normalize.table_ids import ProgramIds, mix_ids, symbol_id
from codeanatomy_core.normalize.tables_entities import build_table
from codeanatomy_core.normalize.tables_links import Described, TargetNames

Candidate = tuple[Target, ResolutionMethod]

_CONFIDENCE = {
    ResolutionMethod.MRO: 0.95,
    ResolutionMethod.IMPLICIT: 0.9,
    ResolutionMethod.CALLBACK: 0.9,
    ResolutionMethod.FLOW: 0.8,
}


def confidence(method: ResolutionMethod, count: int) -> float:
    return round(_CONFIDENCE.get(method, 1.0) / max(count, 1), 6)


class RefCandidates:
    """Static candidates of name loads (per-file binding targets memoized)."""

    def __init__(self, program: Program, symbols: Symbols) -> None:
        self.program = program
        self.symbols = symbols
        self._loads: dict[int, dict[tuple[int, str], int]] = {}
        self._globals: dict[tuple[str, str], list[Candidate]] = {}
        self._bindings: dict[tuple[int, int], tuple[list[Target], ResolutionMethod | None, int]] = {}

    def load_at(self, entry: ProgramFile, bstart: int, name: str) -> int | None:
        """The load reference of ``name`` starting at byte ``bstart``, if any."""
        index = self._loads.get(entry.index)
        if index is None:
            refs = entry.facts.refs
            index = self._loads[entry.index] = {
                (start, ref_name): i
                for i, (start, ref_name, ctx) in enumerate(zip(refs.bstart, refs.name, refs.ctx, strict=True))
                if ctx == RefContext.LOAD
            }
        return index.get((bstart, name))

    def of_file(self, entry: ProgramFile) -> list[list[Candidate]]:
        """The candidates of every reference of the file, by reference ordinal."""
        return [self.of_ref(entry, ordinal) for ordinal in range(len(entry.facts.refs.ctx))]

    def global_candidates(self, module: str, name: str) -> list[Candidate]:
        key = (module, name)
        found = self._globals.get(key)
        if found is None:
            found = self._globals[key] = self._global_candidates(module, name)
        return found

    def _global_candidates(self, module: str, name: str) -> list[Candidate]:
        symbols = self.symbols
        bindings = symbols.namespaces.get(module, {}).get(name)
        if bindings:
            out: list[Candidate] = []
            for gid in bindings:
                entry = self.program.file_of_binding(gid)
                fact = entry.facts.bindings[gid - entry.binding_base]
                method = ResolutionMethod.IMPORT if fact.kind is BindKind.IMPORT else ResolutionMethod.GLOBAL
                out.extend((t, method) for t in symbols.binding_targets(gid))
            return out
        return [
            (t, ResolutionMethod.BUILTIN if t[0] is TargetKind.BUILTIN else ResolutionMethod.IMPORT)
            for t in symbols.module_symbol(module, name)
        ]

    def outside_candidates(self, module: str, name: str) -> list[Candidate]:
        """What module-level code sees of ``name`` before the module's own statements bind
        it: ``global`` writes of functions, star imports, then builtins."""
        symbols, program = self.symbols, self.program
        out: list[Candidate] = []
        for gid in symbols.namespaces.get(module, {}).get(name, ()):
            entry = program.file_of_binding(gid)
            fact = entry.facts.bindings[gid - entry.binding_base]
            if fact.ref >= 0 and entry.facts.ref_scopes[fact.ref] != 0:
                out.extend((t, ResolutionMethod.GLOBAL) for t in symbols.binding_targets(gid))
        if name in symbols.star_names.get(module, ()):
            for source in symbols.star_sources.get(module, ()):
                if name in symbols.exports(source):
                    out.extend((t, ResolutionMethod.IMPORT) for t in symbols.module_symbol(source, name))
        for star in symbols.external_stars.get(module, ()):
            out.append(((TargetKind.EXTERNAL, f"{star}.{name}"), ResolutionMethod.IMPORT))
        if not out and name in BUILTIN_NAMES:
            out.append(((TargetKind.BUILTIN, name), ResolutionMethod.BUILTIN))
        return out

    def of_ref(self, entry: ProgramFile, ordinal: int) -> list[Candidate]:
        """The candidates of one reference (empty for stores and deletes)."""
        refs = entry.facts.refs
        if refs.ctx[ordinal] != RefContext.LOAD:
            return []
        scope, lookup = refs.scope[ordinal], refs.lookup[ordinal]
        candidates: list[Candidate] = []
        unbound = False
        for binding in refs.reaching[ordinal]:
            if binding == UNBOUND:
                unbound = lookup == RefScope.NAME
                continue
            targets, method, binding_scope = self._binding(entry, binding)
            if method is None:
                method = ResolutionMethod.LOCAL if binding_scope == scope else ResolutionMethod.ENCLOSING
            candidates.extend((t, method) for t in targets)
        if lookup == RefScope.GLOBAL or (unbound and scope != 0):
            candidates.extend(self.global_candidates(entry.module, refs.name[ordinal]))
        elif unbound:
            candidates.extend(self.outside_candidates(entry.module, refs.name[ordinal]))
        if len(candidates) > 1:
            seen: dict[Target, Candidate] = {}
            for candidate in candidates:
                seen.setdefault(candidate[0], candidate)
            candidates = list(seen.values())
        return candidates

    def _binding(self, entry: ProgramFile, local: int) -> tuple[list[Target], ResolutionMethod | None, int]:
        """A binding's targets, and its method unless that depends on the referencing scope
        (memoized: the references of one binding share them)."""
        key = (entry.index, local)
        found = self._bindings.get(key)
        if found is not None:
            return found
        fact = entry.facts.bindings[local]
        method: ResolutionMethod | None = None
        if fact.kind is BindKind.IMPORT:
            method = ResolutionMethod.IMPORT
        else:
            kind = entry.facts.scopes[fact.scope].kind
            if kind is ScopeKind.MODULE:
                method = ResolutionMethod.GLOBAL
            elif kind is ScopeKind.CLASS:
                method = ResolutionMethod.CLASS_BODY
        found = self._bindings[key] = (
            self.symbols.binding_targets(entry.binding_base + local),
            method,
            fact.scope,
        )
        return found


_CANDIDATE_COLUMNS = (
    "target_kind",
    "target_def_id",
    "target_name",
    "method",
    "confidence",
    "ambiguity_group",
    "candidate_count",
)


def _candidate_columns(
    owners: list[tuple[int, int, int, int]], candidates: list[tuple[Described, ResolutionMethod]]
) -> dict[str, Any]:
    """Columns of candidate rows: ``owners`` (file_id, owner_id, ordinal, count) per row."""
    kinds, def_ids, names = (list(c) for c in zip(*(d for d, _ in candidates), strict=True))
    methods = [m for _, m in candidates]
    file_ids, owner_ids, ordinals, counts = (list(c) for c in zip(*owners, strict=True))
    # Memos of this call only (see TargetNames): few distinct symbols and (method, count) pairs.
    symbol_ids = {n: symbol_id(n) for n in {n for d, n in zip(def_ids, names, strict=True) if d is None}}
    keys = [d if d is not None else symbol_ids[n] for d, n in zip(def_ids, names, strict=True)]
    confidences = {pair: confidence(*pair) for pair in set(zip(methods, counts, strict=True))}
    return {
        "file_id": file_ids,
        "owner": owner_ids,
        "ordinal": ordinals,
        "target_kind": kinds,
        "target_def_id": def_ids,
        "target_name": names,
        "method": [m.value for m in methods],
        "confidence": [confidences[pair] for pair in zip(methods, counts, strict=True)],
        "ambiguity_group": owner_ids,
        "candidate_count": counts,
        "key": mix_ids(np.array(owner_ids, np.int64), np.array(keys, np.int64)),
    }


# ref_bindings rows are built in parts of about this many rows: the Python rows of a whole
# program's references cost about 50 MB more at the step's memory peak (stdlib).
_PART_ROWS = 1 << 15


def ref_bindings_table(
    program: Program,
    ids: ProgramIds,
    names: TargetNames,
    candidates: RefCandidates,
    *,
    only: frozenset[int] | None = None,
) -> pa.Table:
    """Every reference's static candidates (``only``: of those files' references)."""
    parts: list[pa.Table] = []
    owners: list[tuple[int, int, int, int]] = []
    rows: list[tuple[Described, ResolutionMethod]] = []
    describe = names.describe
    for entry in program.files:
        if only is not None and entry.file_id not in only:
            continue
        ref_ids = ids.refs[entry.index].tolist()
        file_id = entry.file_id
        for ordinal, found in enumerate(candidates.of_file(entry)):
            if not found:
                continue
            described = [(describe(t), m) for t, m in found]
            if len(described) > 1:
                described.sort(key=lambda d: (d[0][2], d[0][0]))
            owner = (file_id, ref_ids[ordinal], ordinal, len(described))
            for row in described:
                owners.append(owner)
                rows.append(row)
        if len(rows) >= _PART_ROWS:
            parts.append(_ref_bindings_part(owners, rows))
            owners, rows = [], []
    if rows or not parts:
        parts.append(_ref_bindings_part(owners, rows))
    if len(parts) == 1:
        return parts[0]
    # A file's rows are all in one part: a stable sort gives the order of a single build.
    return pa.concat_tables(parts).sort_by([(name, "ascending") for name in REF_BINDINGS.ordering])


def _ref_bindings_part(
    owners: list[tuple[int, int, int, int]], rows: list[tuple[Described, ResolutionMethod]]
) -> pa.Table:
    if not rows:
        return build_table(REF_BINDINGS, {name: [] for name in REF_BINDINGS.field_names})
    cols = _candidate_columns(owners, rows)
    cols["ref_binding_id"], cols["ref_id"], cols["ref_ordinal"] = (
        cols.pop("key"),
        cols.pop("owner"),
        cols.pop("ordinal"),
    )
    return build_table(REF_BINDINGS, cols)


def call_targets_table(
    resolution: Resolution, ids: ProgramIds, names: TargetNames, candidates: RefCandidates
) -> pa.Table:
    program, flow = resolution.program, resolution.flow
    methods = CallMethods(resolution, candidates)
    method_of, direct = methods.method, methods.direct_method
    describe, describe_symbol, symbol_names = names.describe, names.describe_symbol, flow.symbol_names
    owners: list[tuple[int, int, int, int]] = []
    rows: list[tuple[Described, ResolutionMethod]] = []
    callers: list[int] = []
    call_ids, def_ids = ids.calls.tolist(), ids.defs.tolist()
    calls, call_edges = flow.calls, flow.call_edges
    files = program.files
    # Call ids ascend, and so do the files' call bases: walk the files beside the calls.
    index, next_base = -1, 0
    for gid in sorted(call_edges):
        while gid >= next_base:
            index += 1
            next_base = files[index + 1].call_base if index + 1 < len(files) else program.call_count
        entry = files[index]
        local = gid - entry.call_base
        caller = calls[gid].caller
        found: list[tuple[Described, ResolutionMethod]] = []
        for target, via in call_edges[gid].items():
            if target >= 0:
                described = describe((TargetKind.DEFINITION, target))
            else:
                described = describe_symbol(symbol_names[~target])
            method = direct(via, target)
            if method is None:
                method = method_of(entry, local, caller, target, Via(via))
            found.append((described, method))
        if len(found) > 1:
            found.sort(key=lambda item: (item[0][2], item[0][0]))
        owner = (entry.file_id, call_ids[gid], local, len(found))
        caller_id = def_ids[caller]
        for row in found:
            owners.append(owner)
            rows.append(row)
            callers.append(caller_id)
    if not rows:
        return build_table(CALL_TARGETS, {name: [] for name in CALL_TARGETS.field_names})
    cols = _candidate_columns(owners, rows)
    cols["call_target_id"], cols["callsite_id"] = cols.pop("key"), cols.pop("owner")
    cols["callsite_ordinal"] = cols.pop("ordinal")
    cols["caller_def_id"] = callers
    return build_table(CALL_TARGETS, cols)
