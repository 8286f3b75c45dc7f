"""Static name resolution: module namespaces, imports, dotted paths, class hierarchies.

This layer follows bindings, not values: a name bound by ``def``/``class`` resolves to
that definition, one bound by an import to what the import names (through re-exports in
``__init__.py``, star imports and aliases), one bound by an assignment to the variable.
It serves the ``imports``, ``class_bases`` and ``ref_bindings`` tables and gives the flow
analysis its class hierarchy (method resolution orders) and import sources.
"""

from __future__ import annotations

import builtins
from enum import IntEnum

from codeanatomy_core.extract.pyfacts_model import BindKind, DefKind, ImportFact, ScopeKind
from codeanatomy_core.normalize.mro import linearize
from codeanatomy_core.normalize.program import Program, ProgramFile

BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("__"))
MAX_STAR_ROUNDS = 64


class TargetKind(IntEnum):
    DEFINITION = 0  # payload: def gid
    MODULE = 1  # payload: repository module name
    EXTERNAL = 2  # payload: dotted path outside the repository
    BUILTIN = 3  # payload: builtin name


Target = tuple[TargetKind, int | str]


class SourceKind(IntEnum):
    """Where an import binding takes its value from (for the flow analysis)."""

    MODULE = 0  # a repository module object
    EXTERNAL = 1  # a symbol outside the repository
    GLOBAL = 2  # the binding of a name in a repository module's namespace
    NONE = 3  # unresolvable (relative import beyond the top package)


ImportSource = tuple[SourceKind, str, str]  # (kind, module or path, name)


def package_of(entry: ProgramFile) -> str:
    module = entry.module
    return module if entry.facts.is_package else module.rpartition(".")[0]


def import_base(entry: ProgramFile, imp: ImportFact) -> str | None:
    """The absolute module an import statement names (None: beyond the top package)."""
    if imp.level == 0:
        return imp.module or ""
    package = package_of(entry)
    for _ in range(imp.level - 1):
        package = package.rpartition(".")[0] if package else ""
    if imp.level > 1 and not package:
        return None  # beyond the top-level package
    if imp.module:
        return f"{package}.{imp.module}" if package else imp.module
    return package


class Symbols:
    """Namespaces and static resolution over a Program (memoized, cycle-safe)."""

    def __init__(self, program: Program) -> None:
        self.program = program
        modules = program.modules
        self.namespaces: dict[str, dict[str, list[int]]] = {}
        self.scope_names: dict[tuple[int, int], dict[str, list[int]]] = {}
        self.class_members: dict[int, set[str]] = {}
        self.star_sources: dict[str, list[str]] = {}
        self.external_stars: dict[str, list[str]] = {}
        # (module, name) bound from inside functions through ``global`` declarations
        self.declared_globals: set[tuple[str, str]] = set()
        self._module_prefixes = {name.rpartition(".")[0] for name in modules}
        for entry in program.files:
            self._index_file(entry, is_primary=modules.get(entry.module) is entry)
        self.star_names = self._star_exports()
        self._symbols: dict[tuple[str, str], list[Target]] = {}
        self._mro: dict[int, list[int]] = {}
        self._bases: dict[int, list[Target]] = {}
        self._binding_targets: dict[int, list[Target]] = {}

    def _index_file(self, entry: ProgramFile, *, is_primary: bool) -> None:
        facts = entry.facts
        scopes = facts.scopes
        names = self.namespaces.setdefault(entry.module, {}) if is_primary else {}
        for local, binding in enumerate(facts.bindings):
            gid = entry.binding_base + local
            self.scope_names.setdefault((entry.index, binding.scope), {}).setdefault(binding.name, []).append(
                gid
            )
            if binding.scope == 0:
                names.setdefault(binding.name, []).append(gid)
                if binding.ref >= 0 and facts.ref_scopes[binding.ref] != 0 and is_primary:
                    self.declared_globals.add((entry.module, binding.name))
            elif scopes[binding.scope].kind is ScopeKind.CLASS:
                class_def = entry.def_base + scopes[binding.scope].definition
                self.class_members.setdefault(class_def, set()).add(binding.name)
        if not is_primary:
            return
        for imp in facts.imports:
            if not imp.star:
                continue
            base = import_base(entry, imp)
            if base is None:
                continue
            if self.is_module(base):
                self.star_sources.setdefault(entry.module, []).append(base)
            else:
                self.external_stars.setdefault(entry.module, []).append(base)

    def is_module(self, name: str) -> bool:
        """A repository module, or a folder of them (namespace package)."""
        return name in self.program.modules or name in self._module_prefixes

    def _star_exports(self) -> dict[str, set[str]]:
        """Names each module receives through ``from m import *`` (to a fixpoint)."""
        received: dict[str, set[str]] = {m: set() for m in self.star_sources}
        for _ in range(MAX_STAR_ROUNDS):
            changed = False
            for module, sources in self.star_sources.items():
                for source in sources:
                    exported = self.exports(source, received)
                    if not exported <= received[module]:
                        received[module] |= exported
                        changed = True
            if not changed:
                break
        return received

    def exports(self, module: str, received: dict[str, set[str]] | None = None) -> set[str]:
        entry = self.program.modules.get(module)
        if entry is not None and entry.facts.all_names is not None:
            return set(entry.facts.all_names)
        names = set(self.namespaces.get(module, ()))
        names |= (received if received is not None else self.star_names).get(module, set())
        return {n for n in names if not n.startswith("_")}

    def _binds_locally(self, module: str, name: str) -> bool:
        """Whether ``module`` binds ``name`` with anything but an import."""
        for gid in self.namespaces.get(module, {}).get(name, ()):
            entry = self.program.file_of_binding(gid)
            if entry.facts.bindings[gid - entry.binding_base].kind is not BindKind.IMPORT:
                return True
        return False

    def binds(self, module: str, name: str) -> bool:
        return name in self.namespaces.get(module, ()) or name in self.star_names.get(module, ())

    # ---- imports ----

    def module_source(self, name: str) -> ImportSource:
        if self.is_module(name):
            return SourceKind.MODULE, name, ""
        return SourceKind.EXTERNAL, name, ""

    def import_source(self, entry: ProgramFile, imp: ImportFact) -> ImportSource:
        base = import_base(entry, imp)
        if base is None:
            return SourceKind.NONE, "", ""
        if imp.name is None:  # import a.b.c [as x]
            return self.module_source(base if imp.alias else base.partition(".")[0])
        name = imp.name
        if base and self.is_module(base):
            # ``from pkg import name`` is the attribute of pkg, else the submodule pkg.name;
            # importing a submodule binds it as an attribute: the submodule wins unless the
            # package binds the name by other means than imports (a def, a class, ...).
            if self.is_module(f"{base}.{name}") and not self._binds_locally(base, name):
                return SourceKind.MODULE, f"{base}.{name}", ""
            return SourceKind.GLOBAL, base, name
        full = f"{base}.{name}" if base else name
        if imp.level and not self.is_module(full):
            return SourceKind.NONE, "", ""  # relative imports never leave the repository
        return self.module_source(full)

    def source_targets(self, source: ImportSource, seen: set[tuple[str, str]]) -> list[Target]:
        kind, first, name = source
        if kind is SourceKind.MODULE:
            return [(TargetKind.MODULE, first)]
        if kind is SourceKind.EXTERNAL:
            return [(TargetKind.EXTERNAL, first)]
        if kind is SourceKind.GLOBAL:
            return self.module_symbol(first, name, seen)
        return []

    # ---- static targets ----

    def binding_targets(self, gid: int, seen: set[tuple[str, str]] | None = None) -> list[Target]:
        found = self._binding_targets.get(gid)
        if found is None:
            found = self._targets_of_binding(gid, seen)
            if seen is None:  # results computed while a cycle is cut are not kept
                self._binding_targets[gid] = found
        return found

    def _targets_of_binding(self, gid: int, seen: set[tuple[str, str]] | None) -> list[Target]:
        entry = self.program.file_of_binding(gid)
        binding = entry.facts.bindings[gid - entry.binding_base]
        if binding.kind is BindKind.IMPORT:
            imp = entry.facts.imports[binding.import_index]
            return self.source_targets(self.import_source(entry, imp), seen or set())
        if binding.kind is BindKind.DELETE:
            return []
        return [(TargetKind.DEFINITION, entry.def_base + binding.definition)]

    def module_symbol(self, module: str, name: str, seen: set[tuple[str, str]] | None = None) -> list[Target]:
        """What ``module.name`` statically is (definitions, modules, external symbols)."""
        key = (module, name)
        found = self._symbols.get(key)
        if found is not None:
            return found
        seen = seen if seen is not None else set()
        if key in seen:
            return []
        seen.add(key)
        targets: list[Target] = []
        bindings = self.namespaces.get(module, {}).get(name)
        if bindings:
            for gid in bindings:
                targets.extend(t for t in self.binding_targets(gid, seen) if t not in targets)
        elif name in self.star_names.get(module, ()):
            for source in self.star_sources.get(module, ()):
                if name in self.exports(source):
                    targets.extend(self.module_symbol(source, name, seen))
        elif self.is_module(f"{module}.{name}"):
            targets.append((TargetKind.MODULE, f"{module}.{name}"))
        else:
            targets.extend(
                (TargetKind.EXTERNAL, f"{star}.{name}") for star in self.external_stars.get(module, ())
            )
            if not targets and name in BUILTIN_NAMES:
                targets.append((TargetKind.BUILTIN, name))
        self._symbols[key] = targets
        return targets

    def scope_bindings(self, entry: ProgramFile, scope: int, name: str) -> list[int]:
        return self.scope_names.get((entry.index, scope), {}).get(name, [])

    def resolve_name(self, entry: ProgramFile, scope: int, name: str) -> list[Target]:
        """A name as code in ``scope`` sees it (all its bindings: no flow)."""
        scopes = entry.facts.scopes
        current = scope
        while current > 0:
            fact = scopes[current]
            if current == scope or fact.kind is not ScopeKind.CLASS:
                bindings = self.scope_bindings(entry, current, name)
                if bindings:
                    return [t for gid in bindings for t in self.binding_targets(gid)]
            current = fact.parent
        return self.module_symbol(entry.module, name)

    def attribute_targets(self, target: Target, name: str) -> list[Target]:
        kind, payload = target
        if kind is TargetKind.MODULE:
            return self.module_symbol(str(payload), name)
        if kind is TargetKind.EXTERNAL:
            return [(TargetKind.EXTERNAL, f"{payload}.{name}")]
        if kind is TargetKind.DEFINITION and self.program.def_kind(int(payload)) is DefKind.CLASS:
            entry, local = self.program.definition(int(payload))
            own_scope = entry.facts.defs[local].own_scope
            return [
                t for gid in self.scope_bindings(entry, own_scope, name) for t in self.binding_targets(gid)
            ]
        return []

    def resolve_path(self, entry: ProgramFile, scope: int, path: str) -> list[Target]:
        """A dotted access path (``pkg.mod.Cls``) as code in ``scope`` sees it."""
        first, *rest = path.split(".")
        if not first.isidentifier() or not all(part.isidentifier() for part in rest):
            return []
        targets = self.resolve_name(entry, scope, first)
        for part in rest:
            targets = [t for target in targets for t in self.attribute_targets(target, part)]
        return targets

    # ---- classes ----

    def class_bases(self, class_def: int) -> list[Target]:
        """The first static target of each base expression of a class (keywords excluded)."""
        found = self._bases.get(class_def)
        if found is not None:
            return found
        entry, local = self.program.definition(class_def)
        scope = entry.facts.defs[local].scope
        bases: list[Target] = []
        for base in entry.facts.bases:
            if base.class_def == local and base.keyword is None:
                targets = self.resolve_path(entry, scope, base.path)
                classes = [t for t in targets if t[0] is not TargetKind.DEFINITION or self._is_class(t)]
                if classes:
                    bases.append(classes[0])
        self._bases[class_def] = bases
        return bases

    def _is_class(self, target: Target) -> bool:
        return self.program.def_kind(int(target[1])) is DefKind.CLASS

    def repo_bases(self, class_def: int) -> list[int]:
        return [int(p) for k, p in self.class_bases(class_def) if k is TargetKind.DEFINITION]

    def mro(self, class_def: int) -> list[int]:
        return linearize(class_def, self.repo_bases, self._mro)

    def external_bases(self, class_def: int) -> list[str]:
        """Dotted paths of the non-repository, non-builtin bases along the MRO."""
        paths: list[str] = []
        for cls in self.mro(class_def):
            paths.extend(str(p) for k, p in self.class_bases(cls) if k is TargetKind.EXTERNAL)
        return paths

    def definer(self, class_def: int, name: str) -> int:
        """The first class in the MRO whose body binds ``name`` (-1: none in the repository)."""
        members = self.class_members
        for cls in self.mro(class_def):
            if name in members.get(cls, ()):
                return cls
        return -1
