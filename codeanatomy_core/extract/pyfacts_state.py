"""The mutable state of one file's facts while its tree is walked, and name binding/lookup.

Walkers (expressions, statements) extend this class; it owns every output list, the
variable counter and the caches that keep the facts small (one variable per constant,
per global name, per attribute load of the same object, per set of reaching bindings).
"""

from __future__ import annotations

import ast
from abc import ABC, abstractmethod
from array import array

from codeanatomy_core.extract.pyfacts_model import (
    NO_VAR,
    BaseFact,
    BindingFact,
    CallFact,
    CallKind,
    Copy,
    DecoratorFact,
    DefFact,
    DefKind,
    GlobalLoad,
    ImportFact,
    LoadAttr,
    MakeConst,
    MakeTyped,
    Op,
    ParamFact,
    ScopeFact,
    ScopeKind,
)
from codeanatomy_core.extract.pyfacts_scope import ScopeBindings, ScopeState

MAX_CONST_STR = 64
MAX_CONST_INT = 1 << 31


class FactsState(ABC):
    """Output lists, caches and the binding rules shared by the walkers."""

    def __init__(
        self,
        *,
        module: str,
        is_package: bool,
        line_starts: array,
        size: int,
        declared_global: frozenset[str] = frozenset(),
    ) -> None:
        self.module = module
        # Names some function of the file declares ``global``: module-level code reading
        # them also sees what those functions store (whenever they run).
        self.declared_global = declared_global
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

    @abstractmethod
    def body(self, stmts: list[ast.stmt]) -> None:
        """Walk statements (the statement walker implements it)."""

    def scope_facts(self) -> list[ScopeFact]:
        return [ScopeFact(*row) for row in self.scope_rows]

    def def_facts(self) -> list[DefFact]:
        return [DefFact(*row) for row in self.def_rows]
