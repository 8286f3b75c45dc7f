"""Python's binding rules while a file is walked: which scope a name binds in, where a
load looks it up (LEGB, class bodies, global/nonlocal, comprehensions) and which
bindings reach it; closures and loop back edges are resolved when the file ends."""

from __future__ import annotations

import ast

from codeanatomy_core.extract.pyfacts_model import (
    NO_VAR,
    UNBOUND,
    BindingFact,
    BindKind,
    ClassAttr,
    Copy,
    GlobalStore,
    RefColumns,
    RefContext,
    RefScope,
    ScopeKind,
)
from codeanatomy_core.extract.pyfacts_scope import ScopeState
from codeanatomy_core.extract.pyfacts_state import FactsState


class BindingState(FactsState):
    """Bindings, references and lookups of names."""

    # ---- binding and lookup ----

    def _binder(self, name: str) -> ScopeState | None:
        """The function-like scope a ``nonlocal name`` refers to."""
        scope = self.scope.parent
        while scope is not None:
            if scope.kind is not ScopeKind.CLASS and scope.kind is not ScopeKind.MODULE and scope.binds(name):
                return scope
            scope = scope.parent
        return None

    def bind(
        self,
        name: str,
        kind: BindKind,
        var: int,
        span: tuple[int, int, int],
        *,
        node: ast.Name | None = None,
        definition: int = -1,
        import_index: int = -1,
        scope: ScopeState | None = None,
    ) -> int:
        """Record a binding of ``name`` (and its Name reference), applying global/nonlocal."""
        scope = scope or self.scope
        target = scope
        declared = scope.bindings
        if scope.kind is not ScopeKind.MODULE and name in declared.globals:
            target = self.module_scope
            if var >= 0:
                self.ops.append(GlobalStore(name, var, True))
        elif name in declared.nonlocals:
            target = self._binder(name) or scope
        if definition < 0:
            definition = self.variable_def(target, name, span)
        index = len(self.bindings)
        ref = -1
        if node is not None:
            ctx = RefContext.DEL if kind is BindKind.DELETE else RefContext.STORE
            ref = self.add_ref(node, name, ctx, scope, binding=index)
        self.bindings.append(
            BindingFact(name, target.index, definition, kind, ref, import_index, var, *span[:2])
        )
        self.binding_vars.append(var)
        target.name_bindings.setdefault(name, []).append(index)
        if target is scope:
            scope.env[name] = (UNBOUND,) if kind is BindKind.DELETE else (index,)
            for frame in scope.loop_stack:
                placeholder = frame.get(name)
                if placeholder is not None:
                    self.placeholders[-2 - placeholder].append(index)
            if scope.kind is ScopeKind.MODULE and var >= 0:
                self.ops.append(GlobalStore(name, var, False))
        return index

    @property
    def module_scope(self) -> ScopeState:
        scope = self.scope
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def add_ref(
        self,
        node: ast.Name,
        name: str,
        ctx: RefContext,
        scope: ScopeState,
        *,
        lookup: RefScope = RefScope.LOCAL,
        binding: int = -1,
        reaching: tuple[int, ...] = (),
        owner: int = -1,
    ) -> int:
        line = node.lineno
        col = node.col_offset
        bstart = self.starts[line - 1] + col
        # A name never spans lines: its end is on the same line.
        bend = bstart + (node.end_col_offset or col) - col
        self.refs.append((name, ctx, scope.index, bstart, bend, line, col, lookup, binding, reaching, owner))
        return len(self.refs) - 1

    def _free(self, scope: ScopeState | None, name: str) -> tuple[RefScope, ScopeState | None]:
        """Where a free name of a function-like scope lives (classes are skipped)."""
        while scope is not None:
            kind = scope.kind
            if kind is ScopeKind.MODULE:
                return RefScope.GLOBAL, None
            if kind is not ScopeKind.CLASS:
                if name in scope.bindings.globals:
                    return RefScope.GLOBAL, None
                if scope.binds(name):
                    return RefScope.ENCLOSING, scope
            scope = scope.parent
        return RefScope.GLOBAL, None

    def lookup(self, scope: ScopeState, name: str) -> tuple[RefScope, tuple[int, ...], ScopeState | None]:
        """(lookup kind, reaching bindings, owner scope) of a load of ``name`` in ``scope``."""
        kind = scope.kind
        if kind is ScopeKind.COMPREHENSION:
            if scope.binds(name):
                return RefScope.LOCAL, scope.env.get(name, (UNBOUND,)), None
            parent = scope.parent
            assert parent is not None
            if parent.kind is ScopeKind.CLASS:
                lookup, owner = self._free(parent.parent, name)
                return lookup, (), owner
            return self.lookup(parent, name)
        if kind is ScopeKind.MODULE or kind is ScopeKind.CLASS:
            return RefScope.NAME, scope.env.get(name, (UNBOUND,)), None
        declared = scope.bindings
        if name in declared.globals:
            return RefScope.GLOBAL, (), None
        if name in declared.nonlocals:
            owner = self._binder(name)
            return (RefScope.ENCLOSING, (), owner) if owner else (RefScope.GLOBAL, (), None)
        if name in declared.bound:
            return RefScope.LOCAL, scope.env.get(name, (UNBOUND,)), None
        lookup, owner = self._free(scope.parent, name)
        return lookup, (), owner

    def closure_var(self, owner: ScopeState, name: str) -> int:
        key = (owner.index, name)
        var = self.closure_vars.get(key)
        if var is None:
            var = self.closure_vars[key] = self.new_var()
        return var

    def load_name(self, node: ast.Name) -> int:
        name = node.id
        scope = self.scope
        lookup, reaching, owner = self.lookup(scope, name)
        if lookup is RefScope.ENCLOSING:
            assert owner is not None
            self.add_ref(node, name, RefContext.LOAD, scope, lookup=lookup, owner=owner.index)
            return self.closure_var(owner, name)
        self.add_ref(node, name, RefContext.LOAD, scope, lookup=lookup, reaching=reaching)
        if lookup is RefScope.GLOBAL:
            return self.global_var(name)
        rebound = scope.kind is ScopeKind.MODULE and name in self.declared_global
        if len(reaching) == 1 and reaching[0] >= 0 and not rebound:  # the common case
            return self.binding_vars[reaching[0]]
        fallback = NO_VAR
        if lookup is RefScope.NAME and UNBOUND in reaching:
            # Module and class bodies fall back to globals (and builtins) when unbound.
            fallback = self._name_fallback(scope, name)
        elif rebound:  # what the file's functions store under ``global name``, too
            fallback = self.global_var(name, unbound=True)
        return self.reaching_value(reaching, fallback)

    def _name_fallback(self, scope: ScopeState, name: str) -> int:
        if scope.kind is ScopeKind.MODULE:
            return self.global_var(name, unbound=True)
        lookup, owner = self._free(scope.parent, name)
        if lookup is RefScope.ENCLOSING and owner is not None:
            return self.closure_var(owner, name)
        return self.global_var(name)

    def reaching_value(self, reaching: tuple[int, ...], fallback: int = NO_VAR) -> int:
        if any(b < UNBOUND for b in reaching):  # a loop placeholder: known when the scope ends
            var = self.new_var()
            self.pending_merges.append((var, reaching, fallback))
            return var
        vars_ = [self.binding_vars[b] for b in reaching if b >= 0]
        if fallback >= 0:
            vars_.append(fallback)
        return self.merge(vars_)

    def expand(self, reaching: tuple[int, ...]) -> tuple[int, ...]:
        """Reaching bindings with loop placeholders replaced by their bindings."""
        if not any(b < UNBOUND for b in reaching):
            return reaching
        out: dict[int, None] = {}
        for b in reaching:
            if b < UNBOUND:
                out.update(dict.fromkeys(self.placeholders[-2 - b]))
            else:
                out[b] = None
        return tuple(out)

    def finish_class_body(self, class_def: int, scope: ScopeState) -> None:
        """Class attributes: what the body's names hold when the body ends."""
        for name, reaching in scope.env.items():
            var = self.reaching_value(reaching)
            if var >= 0:
                self.ops.append(ClassAttr(class_def, name, var))

    def finish_file(self) -> None:
        """Resolve what needed the whole file: loop placeholders and closure variables."""
        for var, reaching, fallback in self.pending_merges:
            sources = [self.binding_vars[b] for b in self.expand(reaching) if b >= 0]
            if fallback >= 0:
                sources.append(fallback)
            self.ops.extend(Copy(var, v) for v in dict.fromkeys(sources) if v >= 0)
        owners = self.scope_states
        for (owner_index, name), var in self.closure_vars.items():
            for b in owners[owner_index].name_bindings.get(name, ()):
                source = self.binding_vars[b]
                if source >= 0:
                    self.ops.append(Copy(var, source))

    def ref_columns(self) -> RefColumns:
        """The references column-wise, reaching bindings expanded (loops, closures)."""
        if not self.refs:
            return RefColumns([], [], [], [], [], [], [], [], [], [], [])
        columns = [list(column) for column in zip(*self.refs, strict=True)]
        names, lookups, reaching, owners = columns[0], columns[7], columns[9], columns[10]
        states = self.scope_states
        for i, found in enumerate(reaching):
            if found:
                reaching[i] = list(self.expand(found))
            elif lookups[i] == RefScope.ENCLOSING:
                reaching[i] = list(states[owners[i]].name_bindings.get(names[i], ()))
            else:
                reaching[i] = []
        return RefColumns(*columns)
