"""The whole program: every file's facts side by side, with global ids.

File-local indices (variables, definitions, scopes, bindings, imports, call sites) become
global ids by adding the file's base offset. Files are ordered by path, so global ids,
and everything derived from them, do not depend on the order facts were produced in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

import msgspec

from codeanatomy_core.extract.pyfacts_model import DefKind, ScopeKind
from codeanatomy_core.normalize.facts_view import FactsView


class ProgramFile(msgspec.Struct, frozen=True, kw_only=True):
    index: int
    file_id: int
    path: str
    facts: FactsView
    var_base: int
    def_base: int
    scope_base: int
    binding_base: int
    call_base: int

    @property
    def module(self) -> str:
        return self.facts.module


def file_callers(entry: ProgramFile) -> list[int]:
    """The enclosing definition (global id) of each call site of one file: the module,
    class, function or lambda whose body holds it (comprehensions are transparent)."""
    scopes, def_base = entry.facts.scopes, entry.def_base
    callers: list[int] = []
    for call in entry.facts.calls:
        owner = call.scope
        while scopes[owner].kind is ScopeKind.COMPREHENSION:
            owner = scopes[owner].parent
        callers.append(def_base + max(scopes[owner].definition, 0))
    return callers


class Program:
    """All files' facts, module names and global id offsets."""

    def __init__(self, files: Iterable[tuple[int, str, FactsView]]) -> None:
        ordered = sorted(files, key=lambda item: item[1])
        self.files: list[ProgramFile] = []
        var_base = def_base = scope_base = binding_base = call_base = 0
        for index, (file_id, path, facts) in enumerate(ordered):
            self.files.append(
                ProgramFile(
                    index=index,
                    file_id=file_id,
                    path=path,
                    facts=facts,
                    var_base=var_base,
                    def_base=def_base,
                    scope_base=scope_base,
                    binding_base=binding_base,
                    call_base=call_base,
                )
            )
            var_base += facts.var_count
            def_base += len(facts.defs)
            scope_base += len(facts.scopes)
            binding_base += len(facts.bindings)
            call_base += facts.call_count
        self.var_count = var_base
        self.def_count = def_base
        self.call_count = call_base
        self._def_bases = [f.def_base for f in self.files]
        self._call_bases = [f.call_base for f in self.files]
        self._binding_bases = [f.binding_base for f in self.files]
        self._qualnames: dict[int, str] = {}
        # A module name may be claimed by two files (``a.py`` and ``a/__init__.py``):
        # the package wins, as it does for the interpreter.
        self.modules: dict[str, ProgramFile] = {}
        for entry in self.files:
            current = self.modules.get(entry.module)
            if current is None or (entry.facts.is_package and not current.facts.is_package):
                self.modules[entry.module] = entry

    # ---- global id -> file ----

    def file_of_def(self, gid: int) -> ProgramFile:
        return self.files[bisect_right(self._def_bases, gid) - 1]

    def file_of_call(self, gid: int) -> ProgramFile:
        return self.files[bisect_right(self._call_bases, gid) - 1]

    def file_of_binding(self, gid: int) -> ProgramFile:
        return self.files[bisect_right(self._binding_bases, gid) - 1]

    def definition(self, gid: int) -> tuple[ProgramFile, int]:
        entry = self.file_of_def(gid)
        return entry, gid - entry.def_base

    def qualname(self, gid: int) -> str:
        """Dotted qualified name: ``pkg.mod.Class.method``, ``pkg.mod.outer.inner``."""
        found = self._qualnames.get(gid)
        if found is None:
            entry, local = self.definition(gid)
            qual = entry.facts.defs[local].qualname
            found = self._qualnames[gid] = f"{entry.module}.{qual}" if qual else entry.module
        return found

    def def_kind(self, gid: int) -> DefKind:
        entry, local = self.definition(gid)
        return entry.facts.defs[local].kind
