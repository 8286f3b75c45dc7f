"""Tables of statically resolved links: imports and class bases (and target naming)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from codeanatomy_core.ids import derive_ids
from codeanatomy_core.normalize.builtin_models import builtin_label
from codeanatomy_core.normalize.datasets import CLASS_BASES, IMPORTS
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.symbols import Symbols, Target, TargetKind, import_base
from codeanatomy_core.normalize.table_ids import BASE_TAG, IMPORT_TAG, ProgramIds
from codeanatomy_core.normalize.tables_entities import build_table, files_of

Described = tuple[str, int | None, str]  # (target_kind, target_def_id, target_name)
UNRESOLVED: Described = ("unresolved", None, "")


class TargetNames:
    """Names and ids of static targets (definitions, modules, externals, builtins)."""

    def __init__(self, program: Program, ids: ProgramIds) -> None:
        self.program = program
        self.ids = ids
        # Memos of one run, not of the process: entries made amid a resolution's millions of
        # objects would pin the allocator's arenas after it is freed (hundreds of megabytes).
        self._described: dict[Target, Described] = {}
        self._symbols: dict[str, Described] = {}

    def describe(self, target: Target) -> Described:
        found = self._described.get(target)
        if found is None:
            found = self._described[target] = self._describe(target)
        return found

    def _describe(self, target: Target) -> Described:
        kind, payload = target
        if kind is TargetKind.DEFINITION:
            gid = int(payload)
            return "definition", int(self.ids.defs[gid]), self.program.qualname(gid)
        if kind is TargetKind.MODULE:
            entry = self.program.modules.get(str(payload))
            if entry is None:
                return "namespace", None, str(payload)
            return "definition", int(self.ids.defs[entry.def_base]), str(payload)
        if kind is TargetKind.EXTERNAL:
            return "external", None, str(payload)
        return "builtin", None, builtin_label(str(payload))

    def describe_symbol(self, name: str) -> Described:
        """A flow target outside the repository: builtins, builtin-type methods, externals."""
        found = self._symbols.get(name)
        if found is None:
            found = self._symbols[name] = (
                ("builtin", None, name) if name.startswith("<") else ("external", None, name)
            )
        return found


def first_target(names: TargetNames, targets: list[Target]) -> tuple[Described, int]:
    """The deterministic first of several candidates, and how many there are."""
    # Ties on kind and name (two definitions of one qualified name) are broken by the id:
    # the set's own order follows the process's string hash seed.
    described = sorted({names.describe(t) for t in targets}, key=lambda d: (d[0], d[2], d[1] or 0))
    return (described[0], len(described)) if described else (UNRESOLVED, 0)


def imports_table(
    program: Program,
    symbols: Symbols,
    ids: ProgramIds,
    names: TargetNames,
    *,
    only: frozenset[int] | None = None,
) -> pa.Table:
    """Every import statement's names and what they resolve to (``only``: of those files;
    see normalize/dependents.py for which files an edit can change)."""
    cols: dict[str, list] = {name: [] for name in IMPORTS.field_names}
    for entry in files_of(program, only):
        imports = entry.facts.imports
        if not imports:
            continue
        import_ids = derive_ids(entry.file_id, IMPORT_TAG, np.arange(len(imports)))
        bindings = entry.facts.bindings
        for ordinal, imp in enumerate(imports):
            base = import_base(entry, imp)
            if base is None or (imp.level and (imp.star or imp.name is None) and not symbols.is_module(base)):
                targets: list[Target] = []
            elif imp.star or imp.name is None:
                targets = symbols.source_targets(symbols.module_source(base), set()) if base else []
            else:
                targets = symbols.source_targets(symbols.import_source(entry, imp), set())
            (kind, def_id, name), count = first_target(names, targets)
            binding = bindings[imp.binding] if imp.binding >= 0 else None
            cols["import_id"].append(int(import_ids[ordinal]))
            cols["file_id"].append(entry.file_id)
            cols["ordinal"].append(ordinal)
            cols["scope_id"].append(int(ids.scopes[entry.scope_base + imp.scope]))
            cols["module"].append(imp.module)
            cols["name"].append(None if imp.star else imp.name)
            cols["alias"].append(imp.alias)
            cols["level"].append(imp.level)
            cols["is_star"].append(imp.star)
            cols["bound_name"].append(binding.name if binding else None)
            cols["bound_def_id"].append(
                int(ids.defs[entry.def_base + binding.definition]) if binding else None
            )
            cols["absolute_module"].append(base or None)
            cols["target_kind"].append(kind)
            cols["target_def_id"].append(def_id)
            cols["target_name"].append(name or None)
            cols["target_count"].append(count)
            cols["bstart"].append(imp.bstart)
            cols["bend"].append(imp.bend)
            cols["line"].append(imp.line)
    return build_table(IMPORTS, cols)


def class_bases_table(
    program: Program,
    symbols: Symbols,
    ids: ProgramIds,
    names: TargetNames,
    *,
    only: frozenset[int] | None = None,
) -> pa.Table:
    """Every class base and what its path resolves to (``only``: as for imports_table)."""
    cols: dict[str, list] = {name: [] for name in CLASS_BASES.field_names}
    for entry in files_of(program, only):
        bases = entry.facts.bases
        if not bases:
            continue
        base_ids = derive_ids(entry.file_id, BASE_TAG, np.arange(len(bases)))
        defs = entry.facts.defs
        for ordinal, base in enumerate(bases):
            scope = defs[base.class_def].scope
            (kind, def_id, name), _ = first_target(names, symbols.resolve_path(entry, scope, base.path))
            cols["base_id"].append(int(base_ids[ordinal]))
            cols["file_id"].append(entry.file_id)
            cols["ordinal"].append(ordinal)
            cols["class_def_id"].append(int(ids.defs[entry.def_base + base.class_def]))
            cols["position"].append(base.position)
            cols["keyword"].append(base.keyword)
            cols["base_path"].append(base.path)
            cols["target_kind"].append(kind)
            cols["target_def_id"].append(def_id)
            cols["target_name"].append(name or None)
            cols["bstart"].append(base.bstart)
            cols["bend"].append(base.bend)
    return build_table(CLASS_BASES, cols)
