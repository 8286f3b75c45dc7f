"""The files an incremental CPG build rebuilds, and the rows of other files it must read.

Every input's change since the build that produced the stored graph is known per file
(:mod:`codeanatomy_core.cpg.history`: replaced files; inputs rewritten whole are compared
with their old version). A file is rebuilt (all its rows, in every table) when

* its own rows changed in an input of a ``LOCAL`` rule, or in the owner datasets of an
  ``OWNED`` rule (see :mod:`codeanatomy_core.relspec.scoping`);
* an ``OWNED`` rule's rows of that file reach, through a file group, rows of a file whose
  group datasets changed (the old or the new rows: :func:`~codeanatomy_core.relspec.probes.owner_probe_sql`);
* the rows the ``FULL`` rules (evaluated over every file, now and at the old versions)
  give that file changed.

Then, for each group of each owned rule, the files its rebuilt owners reach are the rows
of the group's datasets the restricted evaluation loads besides the rebuilt files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec
import numpy as np
import pyarrow as pa

from codeanatomy_core.cpg.digests import file_digests
from codeanatomy_core.cpg.history import ChangeKind, InputChange
from codeanatomy_core.cpg.inputs import read_table
from codeanatomy_core.cpg.sessions import InputSession
from codeanatomy_core.relspec.compiler import CompiledRuleSet
from codeanatomy_core.relspec.model import RuleDefinition
from codeanatomy_core.relspec.probes import key_rows_sql, owner_probe_sql, target_probe_sql
from codeanatomy_core.relspec.scoping import FileGroup, RuleScope, ScopeKind
from codeanatomy_core.storage.location import TableHandle

FILE_ID = "file_id"


class InputState(msgspec.Struct, frozen=True, kw_only=True):
    """One input at the old and the current version: which files' rows changed."""

    change: InputChange
    file_column: str | None
    columns: tuple[str, ...]
    changed: frozenset[int]  # files whose rows (may) differ (none for inputs of no file)


class RebuildPlan(msgspec.Struct, frozen=True, kw_only=True):
    rebuild: frozenset[int]  # files whose rows are recomputed (not removed ones)
    targets: dict[str, frozenset[int]]  # dataset -> other files' rows owned rules reach
    full_rows: dict[str, pa.Table]  # FULL rule -> its current rows (every file)
    reasons: dict[str, int]  # how many files each cause added


class Planner:
    """Works out a :class:`RebuildPlan` for one build."""

    def __init__(
        self,
        *,
        compiled: CompiledRuleSet,
        rules: Mapping[str, RuleDefinition],
        scopes: Mapping[str, RuleScope],
        inputs: Mapping[str, InputState],
        now: InputSession,
        then: InputSession,
    ) -> None:
        self.compiled = compiled
        self.rules = rules
        self.scopes = scopes
        self.inputs = inputs
        self.now = now
        self.then = then

    def _changed(self, datasets: Sequence[str]) -> frozenset[int]:
        return frozenset().union(*(self.inputs[d].changed for d in datasets if d in self.inputs))

    def own_changes(self) -> frozenset[int]:
        """Files whose own rows changed in the owner datasets of LOCAL and OWNED rules."""
        out: set[int] = set()
        for scope in self.scopes.values():
            if scope.kind is ScopeKind.LOCAL:
                out |= self._changed(self.rules[scope.rule].inputs)
            elif scope.kind is ScopeKind.OWNED:
                out |= self._changed(scope.owner_datasets)
        return frozenset(out)

    def _key_table(self, group: FileGroup, changed: frozenset[int], cache: dict[object, str]) -> str:
        """Register (once) the root key tuples of ``changed`` files, old and new; its name."""
        identity = (group.dataset, group.file_column, tuple(k.right for k in group.keys), changed)
        if identity not in cache:
            parts = []
            for session in (self.now, self.then):
                session.need([group.dataset])
                files = session.ids("probe_files", np.fromiter(changed, np.int64, len(changed)))
                sql = key_rows_sql(group, dataset=group.dataset, files_table=files)
                parts.append(session.query(sql, what=f"key rows of {group.dataset!r} ({session.label})"))
            cache[identity] = self.now.table(f"probe_keys_{len(cache)}", pa.concat_tables(parts))
        return cache[identity]

    def reached(self) -> frozenset[int]:
        """Owners of OWNED rules whose rows reach rows of changed files in other groups."""
        out: set[int] = set()
        keys: dict[object, str] = {}
        probes: set[str] = set()
        for scope in self.scopes.values():
            if scope.kind is not ScopeKind.OWNED:
                continue
            rule = self.rules[scope.rule]
            for group in scope.groups:
                changed = self._changed(group.datasets)
                if not changed:
                    continue
                probe = owner_probe_sql(rule, scope, group, keys_table=self._key_table(group, changed, keys))
                if probe in probes:
                    continue
                probes.add(probe)
                self.now.need(scope.owner_datasets)
                out |= self.now.file_ids(probe, what=f"owner probe of rule {scope.rule!r}")
        return frozenset(out)

    def full_rules(self) -> tuple[dict[str, pa.Table], frozenset[int]]:
        """Current rows of the FULL rules, and the files whose FULL rows changed."""
        rows: dict[str, pa.Table] = {}
        changed: set[int] = set()
        for scope in self.scopes.values():
            if scope.kind is not ScopeKind.FULL:
                continue
            rule = self.compiled.get(scope.rule)
            self.now.need(rule.inputs)
            current = self.now.query(rule.sql, what=f"rule {rule.rule!r}")
            rows[rule.rule] = current
            moved = [d for d in rule.inputs if d in self.inputs and rows_moved(self.inputs[d].change)]
            if not moved:
                continue
            self.then.need(rule.inputs)
            old = self.then.query(rule.sql, what=f"rule {rule.rule!r}")
            before = file_digests(old, file_column=FILE_ID)
            after = file_digests(current, file_column=FILE_ID)
            changed |= {f for f in before.keys() | after.keys() if before.get(f) != after.get(f)}
        return rows, frozenset(changed)

    def targets(self, rebuild: frozenset[int]) -> dict[str, frozenset[int]]:
        """dataset -> files (other than ``rebuild``) whose rows the OWNED rules reach."""
        out: dict[str, set[int]] = {}
        owners = self.now.ids("probe_owners_set", np.fromiter(rebuild, np.int64, len(rebuild)))
        for scope in self.scopes.values():
            if scope.kind is not ScopeKind.OWNED or not rebuild:
                continue
            rule = self.rules[scope.rule]
            for group in scope.groups:
                self.now.need([*scope.owner_datasets, group.dataset])
                sql = target_probe_sql(rule, scope, group, owners_table=owners)
                found = self.now.file_ids(sql, what=f"target probe of rule {scope.rule!r}") - rebuild
                for dataset in group.datasets:
                    out.setdefault(dataset, set()).update(found)
        return {name: frozenset(files) for name, files in sorted(out.items())}

    def plan(self, *, manifest: frozenset[int], removed: frozenset[int]) -> RebuildPlan:
        own = self.own_changes()
        reached = self.reached()
        full_rows, full_changed = self.full_rules()
        rebuild = (manifest | own | reached | full_changed) - removed
        reasons = {
            "manifest": len(manifest),
            "own_rows": len(own - manifest),
            "reached": len(reached - own - manifest),
            "full_rules": len(full_changed - reached - own - manifest),
        }
        return RebuildPlan(
            rebuild=frozenset(rebuild),
            targets=self.targets(frozenset(rebuild)),
            full_rows=full_rows,
            reasons=reasons,
        )


def rows_moved(change: InputChange) -> bool:
    """Whether an input's rows may differ from those the stored graph was built from (a
    commit that replaced no file's rows leaves them as they were)."""
    if change.kind is ChangeKind.REPLACED:
        return bool(change.files)
    return change.kind is not ChangeKind.UNCHANGED


def input_states(
    *,
    changes: Mapping[str, InputChange],
    handles: Mapping[str, TableHandle],
    reads: Mapping[str, Sequence[str]],
    file_columns: Mapping[str, str | None],
) -> tuple[dict[str, InputState], dict[str, pa.Table], dict[str, pa.Table]]:
    """Per input, the files whose rows changed; and the inputs rewritten whole, read at the
    current and at the old version (for the probes and the FULL rules of both versions)."""
    states: dict[str, InputState] = {}
    now: dict[str, pa.Table] = {}
    then: dict[str, pa.Table] = {}
    for name, change in sorted(changes.items()):
        column = file_columns.get(name)
        columns = tuple(sorted({*reads[name], *([column] if column else [])}))
        changed: frozenset[int] = frozenset()
        if change.kind is ChangeKind.REPLACED:
            changed = change.files
        elif change.kind is ChangeKind.REWRITTEN:
            now[name] = read_table(handles[name], columns)
            then[name] = read_table(handles[name], columns, version=change.old_version)
            if column is not None:  # inputs of no file are read by FULL rules only
                before = file_digests(then[name], file_column=column)
                after = file_digests(now[name], file_column=column)
                changed = frozenset(f for f in before.keys() | after.keys() if before.get(f) != after.get(f))
        states[name] = InputState(change=change, file_column=column, columns=columns, changed=changed)
    return states, now, then
