"""The mutable state of one file's facts while its tree is walked, and name binding/lookup.

Walkers (expressions, statements) extend this class; it owns every output list, the
variable counter and the caches that keep the facts small (one variable per constant,
per global name, per attribute load of the same object, per set of reaching bindings).
"""

from __future__ import annotations

import ast
from array import array

from codeanatomy_core.extract.pyfacts_model import (
    NO_VAR,
    UNBOUND,
    BaseFact,
    BindingFact,
    BindKind,
    CallFact,
    CallKind,
    ClassAttr,
    Copy,
    DecoratorFact,
    DefFact,
    DefKind,
    GlobalLoad,
    GlobalStore,
    ImportFact,
    LoadAttr,
    MakeConst,
    MakeTyped,
    Op,
    ParamFact,
    RefColumns,
    RefContext,
    RefScope,
    ScopeFact,
    ScopeKind,
)
from codeanatomy_core.extract.pyfacts_scope import ScopeBindings, ScopeState

MAX_CONST_STR = 64
MAX_CONST_INT = 1 << 31


class FactsState:
    """Output lists, caches and the binding rules shared by the walkers."""

    def __init__(self, *, module: str, is_package: bool, line_starts: array, size: int) -> None:
        self.module = module
        self.is_package = is_package
        self.starts = line_starts
        self.size = size
        self.var_count = 0
        self.scope_rows: list[list] = []
        self.def_rows: list[list] = []
        self.params: list[ParamFact] = []
        self.bindings: list[BindingFact] = []
        self.binding_vars: list[int] = []
        self.imports: list[ImportFact] = []
        self.calls: list[CallFact] = []
        self.bases: list[BaseFact] = []
        self.decorators: list[DecoratorFact] = []
        self.ops: list[Op] = []
        self.all_names: list[str] | None = None
        # name references: (name, ctx, scope, bstart, bend, line, col, lookup, binding,
        # reaching, owner) rows, transposed into RefColumns when the file is finished
        self.refs: list[tuple] = []
        # caches
        self.global_vars: dict[str, int] = {}
        self.const_vars: dict[str, int] = {}
        self.typed_vars: dict[str, int] = {}
        self.attr_vars: dict[tuple[int, str], int] = {}
        self.closure_vars: dict[tuple[int, str], int] = {}
        self.variable_defs: dict[tuple[int, str], int] = {}
        self.attribute_defs: dict[tuple[int, str], int] = {}
        # loop placeholders (id -2 - i) -> bindings made inside the loop
        self.placeholders: list[list[int]] = []
        self.pending_merges: list[tuple[int, tuple[int, ...], int]] = []
        self.container_sites = 0
        self.live = True
        self.scope_states: list[ScopeState] = []
        self.scope: ScopeState = self.open_scope(
            kind=ScopeKind.MODULE,
            name=module.rpartition(".")[2],
            qualname="",
            definition=0,
            span=(0, size, 1),
            parent=None,
        )
        self.add_def(DefKind.MODULE, module.rpartition(".")[2], "", scope=-1, own_scope=0, span=(0, size, 1))

    # ---- primitives ----

    def new_var(self) -> int:
        var = self.var_count
        self.var_count += 1
        return var

    def span(self, node: ast.AST) -> tuple[int, int, int]:
        """(bstart, bend, line) of a positioned node, in the file's UTF-8 bytes."""
        starts = self.starts
        line = node.lineno  # type: ignore[attr-defined]
        return (
            starts[line - 1] + node.col_offset,  # type: ignore[attr-defined]
            starts[node.end_lineno - 1] + node.end_col_offset,  # type: ignore[attr-defined]
            line,
        )

    def const_var(self, key: str) -> int:
        var = self.const_vars.get(key)
        if var is None:
            var = self.const_vars[key] = self.new_var()
            self.ops.append(MakeConst(var, key))
        return var

    def typed_var(self, type_name: str) -> int:
        var = self.typed_vars.get(type_name)
        if var is None:
            var = self.typed_vars[type_name] = self.new_var()
            self.ops.append(MakeTyped(var, type_name))
        return var

    def global_var(self, name: str, *, unbound: bool = False) -> int:
        """The module namespace's ``name`` (``unbound``: as seen by module-level code that
        runs before the module binds it: global writes of functions, star imports, builtins)."""
        key = f"\0{name}" if unbound else name
        var = self.global_vars.get(key)
        if var is None:
            var = self.global_vars[key] = self.new_var()
            self.ops.append(GlobalLoad(var, name, unbound))
        return var

    def load_attr(self, obj: int, name: str) -> int:
        """The attribute ``name`` of the values of ``obj`` (loads are flow-insensitive)."""
        key = (obj, name)
        var = self.attr_vars.get(key)
        if var is None:
            var = self.attr_vars[key] = self.new_var()
            self.ops.append(LoadAttr(var, obj, name))
        return var

    def merge(self, vars_: list[int]) -> int:
        unique = list(dict.fromkeys(v for v in vars_ if v >= 0))
        if not unique:
            return NO_VAR
        if len(unique) == 1:
            return unique[0]
        key = tuple(unique)
        cache = self.scope.merge_cache
        var = cache.get(key)
        if var is None:
            var = cache[key] = self.new_var()
            self.ops.extend(Copy(var, v) for v in unique)
        return var

    # ---- scopes and definitions ----

    def open_scope(
        self,
        *,
        kind: ScopeKind,
        name: str,
        qualname: str,
        definition: int,
        span: tuple[int, int, int],
        parent: ScopeState | None,
        bindings: ScopeBindings | None = None,
    ) -> ScopeState:
        index = len(self.scope_rows)
        function_like = kind in (ScopeKind.FUNCTION, ScopeKind.LAMBDA)
        ret_var = self.new_var() if function_like else NO_VAR
        yield_var = self.new_var() if kind is ScopeKind.FUNCTION else NO_VAR
        self.scope_rows.append(
            [
                kind,
                name,
                qualname,
                -1 if parent is None else parent.index,
                definition,
                *span,
                ret_var,
                yield_var,
            ]
        )
        state = ScopeState(
            index=index,
            kind=kind,
            parent=parent,
            qualname=qualname,
            bindings=bindings or ScopeBindings(),
            ret_var=ret_var,
            yield_var=yield_var,
        )
        self.scope_states.append(state)
        return state

    def add_def(
        self,
        kind: DefKind,
        name: str,
        qualname: str,
        *,
        scope: int,
        own_scope: int = -1,
        span: tuple[int, int, int],
        flags: int = 0,
        var: int = NO_VAR,
    ) -> int:
        self.def_rows.append([kind, name, qualname, scope, own_scope, *span, flags, var])
        return len(self.def_rows) - 1

    def child_qualname(self, name: str) -> str:
        parent = self.scope.named_scope().qualname
        return f"{parent}.{name}" if parent else name

    def variable_def(self, scope: ScopeState, name: str, span: tuple[int, int, int]) -> int:
        key = (scope.index, name)
        index = self.variable_defs.get(key)
        if index is None:
            prefix = scope.named_scope().qualname
            if scope.kind is ScopeKind.COMPREHENSION:  # [x for x in ...] binds its own x
                prefix = (
                    f"{prefix}.{self.scope_rows[scope.index][1]}"
                    if prefix
                    else self.scope_rows[scope.index][1]
                )
            qual = f"{prefix}.{name}" if prefix else name
            index = self.variable_defs[key] = self.add_def(
                DefKind.VARIABLE, name, qual, scope=scope.index, span=span
            )
        return index

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
        bend = bstart + node.end_col_offset - col  # type: ignore[operator]
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
        if len(reaching) == 1 and reaching[0] >= 0:  # the common case: one binding reaches
            return self.binding_vars[reaching[0]]
        fallback = NO_VAR
        if lookup is RefScope.NAME and UNBOUND in reaching:
            # Module and class bodies fall back to globals (and builtins) when unbound.
            fallback = self._name_fallback(scope, name)
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

    # ---- facts of calls and classes ----

    def add_call(
        self,
        kind: CallKind,
        callee_path: str,
        callee_var: int,
        span: tuple[int, int, int],
        *,
        args: list[int] | None = None,
        starred: list[int] | None = None,
        keywords: list[str | None] | None = None,
        keyword_vars: list[int] | None = None,
        dunder: str | None = None,
        result_var: int | None = None,
    ) -> int:
        result = self.new_var() if result_var is None else result_var
        self.calls.append(
            CallFact(
                kind,
                self.scope.index,
                callee_path,
                callee_var,
                dunder,
                args or [],
                starred or [],
                keywords or [],
                keyword_vars or [],
                result,
                *span,
            )
        )
        return len(self.calls) - 1

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

    def scope_facts(self) -> list[ScopeFact]:
        return [ScopeFact(*row) for row in self.scope_rows]

    def def_facts(self) -> list[DefFact]:
        return [DefFact(*row) for row in self.def_rows]
