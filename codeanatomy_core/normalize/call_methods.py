"""How a call target was found, for call_targets.method: the flow's own account (bound
method, instantiation, implicit dunder, callback, ...) refined by the callee's syntax and
static resolution (a name bound by import, ``self.m`` in the class defining ``m``, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from codeanatomy_core.extract.pyfacts_model import DefFlag, DefKind, ScopeKind
from codeanatomy_core.normalize.kinds import ResolutionMethod, Via
from codeanatomy_core.normalize.program import ProgramFile
from codeanatomy_core.normalize.symbols import TargetKind

if TYPE_CHECKING:
    from codeanatomy_core.normalize.resolve import Resolution
    from codeanatomy_core.normalize.tables_candidates import RefCandidates

VIA_METHODS: dict[int, ResolutionMethod] = {  # Via members are ints: the table of rows looks up raw ones
    Via.OWN_METHOD: ResolutionMethod.ATTRIBUTE_OF_CLASS,
    Via.INHERITED: ResolutionMethod.MRO,
    Via.SUPER: ResolutionMethod.SUPER,
    Via.INIT: ResolutionMethod.INSTANTIATION,
    Via.IMPLICIT: ResolutionMethod.IMPLICIT,
    Via.CALLBACK: ResolutionMethod.CALLBACK,
    Via.BUILTIN: ResolutionMethod.BUILTIN,
    Via.TYPE_METHOD: ResolutionMethod.BUILTIN,
    Via.EXTERNAL: ResolutionMethod.EXTERNAL,
    Via.DECORATOR: ResolutionMethod.DECORATOR,
}
_ATTRIBUTE_VIAS = frozenset((Via.VALUE, Via.OWN_METHOD, Via.INHERITED))


class CallMethods:
    """Resolution methods of call targets (memoized per definition)."""

    def __init__(self, resolution: Resolution, candidates: RefCandidates) -> None:
        self.program = resolution.program
        self.symbols = resolution.symbols
        self.candidates = candidates
        self._classes: dict[int, int] = {}
        self._static_targets: dict[tuple[int, int], list] = {}  # (file, call) -> callee root candidates
        self._first_params: dict[int, str | None] = {}

    def defining_class(self, function: int) -> int:
        """The class whose body defines ``function`` (-1: not a method)."""
        found = self._classes.get(function)
        if found is None:
            entry, local = self.program.definition(function)
            definition = entry.facts.defs[local]
            found = -1
            if definition.scope >= 0:
                scope = entry.facts.scopes[definition.scope]
                if scope.kind is ScopeKind.CLASS:
                    found = entry.def_base + scope.definition
            self._classes[function] = found
        return found

    def _first_param(self, entry: ProgramFile, caller: int) -> str | None:
        if caller in self._first_params:
            return self._first_params[caller]
        local = caller - entry.def_base
        found = None
        if 0 <= local < len(entry.facts.defs) and entry.facts.defs[local].flags & DefFlag.METHOD:
            params = entry.facts.params
            found = next((p.name for p in params if p.function == local and p.position == 0), None)
        self._first_params[caller] = found
        return found

    def _static(self, entry: ProgramFile, local: int, root: str) -> list:
        key = (entry.index, local)
        found = self._static_targets.get(key)
        if found is None:
            ordinal = self.candidates.load_at(entry, entry.facts.calls[local].bstart, root)
            found = self._static_targets[key] = (
                self.candidates.of_ref(entry, ordinal) if ordinal is not None else []
            )
        return found

    @staticmethod
    def direct_method(via: int, target: int) -> ResolutionMethod | None:
        """The method when the flow's own account decides it, else None (see method)."""
        if via in _ATTRIBUTE_VIAS and target >= 0:
            return None
        return VIA_METHODS.get(via, ResolutionMethod.FLOW)

    def method(self, entry: ProgramFile, local: int, caller: int, target: int, via: Via) -> ResolutionMethod:
        direct = self.direct_method(via, target)
        if direct is not None:
            return direct
        path = entry.facts.calls[local].callee_path
        root, _, rest = path.partition(".")
        if rest and "." not in rest and rest.isidentifier():
            owner = self.defining_class(target)
            if owner >= 0:
                if root == self._first_param(entry, caller):
                    mine = self.defining_class(caller)
                    inherited = mine >= 0 and owner != mine and owner in self.symbols.mro(mine)
                    return ResolutionMethod.MRO if inherited else ResolutionMethod.SELF_METHOD
                receiver = self._static_class(entry, local, root)
                if receiver >= 0 and owner == receiver:
                    return ResolutionMethod.ATTRIBUTE_OF_CLASS
                if receiver >= 0 and owner in self.symbols.mro(receiver):
                    return ResolutionMethod.MRO
        if via != Via.VALUE:
            return VIA_METHODS[via]
        static = self._static(entry, local, root)
        if not rest:
            return next((m for t, m in static if t == (TargetKind.DEFINITION, target)), ResolutionMethod.FLOW)
        if any(t[0] is TargetKind.MODULE for t, _ in static):
            return ResolutionMethod.IMPORT
        return ResolutionMethod.FLOW

    def _static_class(self, entry: ProgramFile, local: int, root: str) -> int:
        classes = [
            int(t[1])
            for t, _ in self._static(entry, local, root)
            if t[0] is TargetKind.DEFINITION and self.program.def_kind(int(t[1])) is DefKind.CLASS
        ]
        return classes[0] if len(classes) == 1 else -1
