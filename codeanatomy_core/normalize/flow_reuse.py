"""When the stored flow results still hold: the changed files' flow input did not change.

The flow fixpoint reads every file's facts, but never their positions: byte spans, lines
and columns only locate rows. Nor does it read the text of a constant that is no key
constant (a container key or a getattr name anywhere in the program): such a constant is
just "some str" or "some int" to it. An edit of comments, blank lines, formatting or such
literals (a message, a default number) changes nothing the solver reads, so it would give
the same call targets. Such a run keeps the stored call targets and flow diagnostics and
skips the fixpoint, the most expensive part of the step. Any other difference in any file
(an added or removed file, a changed statement) means the flow is solved again.
"""

from __future__ import annotations

from typing import Any

import msgspec

from codeanatomy_core.extract.pyfacts_model import FACTS_VERSION, FileFacts, MakeConst, decode_facts
from codeanatomy_core.normalize.datasets_resolution import CALL_TARGETS, FLOW_STATES, NORMALIZE_DIAGNOSTICS
from codeanatomy_core.normalize.dependents import files_importing
from codeanatomy_core.normalize.facts_view import FactsView, decoded
from codeanatomy_core.normalize.flow_ops import key_constants
from codeanatomy_core.normalize.incremental import FactsChanges, built_from
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.pipeline.step import StepContext, setting_key

# Outputs decided by the flow fixpoint alone (the others are rebuilt from the facts).
FLOW_OUTPUTS = (CALL_TARGETS.name, FLOW_STATES.name, NORMALIZE_DIAGNOSTICS.name)
_POSITION_FIELDS = frozenset({"bstart", "bend", "line", "col"})
FLOW_SETTING = "flow"  # the step setting: what the flow solves together


def without_positions(value: Any) -> Any:
    """``value`` (facts, a fact, a list of them) with every position field emptied."""
    if isinstance(value, msgspec.Struct):
        changes: dict[str, Any] = {}
        for name in value.__struct_fields__:
            item = getattr(value, name)
            if name in _POSITION_FIELDS:
                changes[name] = [] if isinstance(item, list) else 0
            elif isinstance(item, msgspec.Struct | list):
                changes[name] = without_positions(item)
        return msgspec.structs.replace(value, **changes)
    if isinstance(value, list):
        return [without_positions(item) for item in value]
    return value


def _decoded(version: int, data: bytes) -> FileFacts | None:
    if version != FACTS_VERSION:
        return None
    try:
        return decode_facts(data)
    except msgspec.DecodeError:
        return None


def stored_flow_current(ctx: StepContext, changes: FactsChanges, *, files_may_change: bool = False) -> bool:
    """Whether the stored flow outputs are of this spec and were built from the facts
    ``changes`` starts from, as the repository's flow granularity asks, with files changed
    (and with ``files_may_change``, added or removed: else none may be)."""
    if not (changes.changed or changes.removed):
        return False
    if not files_may_change and (changes.removed or changes.added):
        return False
    for name in FLOW_OUTPUTS:
        stamp = ctx.previous.get(name)
        if (
            stamp is None
            or not built_from(ctx, name, facts_version=changes.previous_version)
            or stamp.input_versions.get(setting_key(FLOW_SETTING)) != ctx.repository.flow.value
        ):
            return False
    return True


def previous_facts(changes: FactsChanges) -> dict[int, FileFacts | None]:
    """The changed files' facts the stored tables were built from (None: unreadable)."""
    return {file_id: _decoded(*stored) for file_id, stored in changes.previous_facts.items()}


def moved_modules(program: Program, changes: FactsChanges) -> frozenset[str] | None:
    """The modules that appeared or disappeared with ``changes`` (files added, removed or
    renamed), or None when the stored facts of a changed file cannot be read."""
    before = previous_facts(changes)
    old: set[str] = set()
    for facts in before.values():
        if facts is None:
            return None
        old.add(facts.module)
    unchanged = {entry.module for entry in program.files if entry.file_id not in changes.changed}
    new = {entry.module for entry in program.files if entry.file_id in changes.changed}
    return frozenset((new - old - unchanged) | (old - new - unchanged))


def edit_seeds(program: Program, changes: FactsChanges) -> frozenset[int] | None:
    """The file ids whose resolution an edit changes first: the changed files and the files
    importing a module that appeared or disappeared (see ``dependents``); None when the
    stored facts of a changed file cannot be read."""
    moved = moved_modules(program, changes)
    return None if moved is None else changes.changed | files_importing(program, moved)


def unchanged_key_constants(program: Program, changes: FactsChanges) -> frozenset[str] | None:
    """The program's key constants when they are those the stored flow was solved with,
    else None."""
    old_keys: set[str] = set()
    for facts in previous_facts(changes).values():
        if facts is None:
            return None
        old_keys |= key_constants(facts)
    new_keys: set[str] = set()
    for entry in program.files:
        keys = key_constants(entry.facts)
        new_keys |= keys
        if entry.file_id not in changes.changed:
            old_keys |= keys
    return frozenset(new_keys) if old_keys == new_keys else None


def flow_inputs_unchanged(ctx: StepContext, changes: FactsChanges, program: Program) -> bool:
    """True when the stored flow outputs were built from the facts ``changes`` starts from
    and every changed file differs from them in positions and plain constants only
    (``program``: the current facts, decoded)."""
    if not stored_flow_current(ctx, changes):
        return False
    before = previous_facts(changes)
    after = {e.file_id: decoded(e.facts) for e in program.files if e.file_id in changes.changed}
    constants: set[str] = set()
    pairs: list[tuple[FileFacts, FileFacts]] = []
    for file_id in changes.changed:
        old, new = before.get(file_id), after.get(file_id)
        if old is None or new is None:
            return False
        pairs.append((old, new))
        old, new = without_positions(old), without_positions(new)
        if old == new:
            continue
        changed = _changed_constants(old, new)
        if changed is None:
            return False
        constants |= changed
    unchanged = [entry.facts for entry in program.files if entry.file_id not in changes.changed]
    return not constants or _all_typed(constants, pairs, unchanged)


def _changed_constants(old: FileFacts, new: FileFacts) -> set[str] | None:
    """The constants that differ when two facts differ in constants only (same variable,
    same type), else None."""
    if len(old.ops) != len(new.ops):
        return None
    # Key constants come from the constraints: _all_typed compares them.
    replace = msgspec.structs.replace
    if replace(old, ops=[], key_consts=[]) != replace(new, ops=[], key_consts=[]):
        return None
    changed: set[str] = set()
    for before, after in zip(old.ops, new.ops, strict=True):
        if before == after:
            continue
        if not (
            isinstance(before, MakeConst)
            and isinstance(after, MakeConst)
            and before.dst == after.dst
            and before.key[0] == after.key[0]
        ):
            return None
        changed |= {before.key, after.key}
    return changed


def _all_typed(
    constants: set[str], pairs: list[tuple[FileFacts, FileFacts]], unchanged: list[FactsView]
) -> bool:
    """Whether the flow sees each changed constant as its type only, before and after: the
    program's key constants are the same and include none of them."""
    others: set[str] = set()
    for facts in unchanged:
        others |= key_constants(facts)
    old_keys, new_keys = set(others), set(others)
    for old, new in pairs:
        old_keys |= key_constants(old)
        new_keys |= key_constants(new)
    return old_keys == new_keys and not constants & new_keys
