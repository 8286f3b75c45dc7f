"""Function and class definitions: decorators (applied bottom-up as calls), parameters,
bases, and the scope each opens."""

from __future__ import annotations

import ast
from typing import Any

from codeanatomy_core.extract.pyfacts_callables import CallableWalker
from codeanatomy_core.extract.pyfacts_expr import access_path
from codeanatomy_core.extract.pyfacts_model import (
    NO_VAR,
    BaseFact,
    BindKind,
    CallKind,
    DecoratorFact,
    DefFlag,
    DefKind,
    MakeClass,
    MakeFunction,
    ScopeKind,
)
from codeanatomy_core.extract.pyfacts_scope import prescan

_DECORATOR_FLAGS = {
    "staticmethod": DefFlag.STATICMETHOD,
    "classmethod": DefFlag.CLASSMETHOD,
    "property": DefFlag.PROPERTY,
    "cached_property": DefFlag.PROPERTY,
    "setter": DefFlag.PROPERTY,  # @name.setter: the name stays a property
    "getter": DefFlag.PROPERTY,
    "deleter": DefFlag.PROPERTY,
}


class DefinitionWalker(CallableWalker):
    """``def``, ``async def`` and ``class`` statements."""

    _loops: list[Any]  # the loops being walked (the statement walker owns them)

    def _decorators(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    ) -> tuple[list[int], int]:
        flags = 0
        decorators: list[int] = []
        for decorator in node.decorator_list:
            decorators.append(self.expr(decorator))
            last = access_path(decorator).rpartition(".")[2]
            flags |= _DECORATOR_FLAGS.get(last, 0)
        return decorators, flags

    def _decorate(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
        definition: int,
        value: int,
        decorators: list[int],
    ) -> int:
        """Apply decorators bottom-up: each is called with the value below it."""
        for position in range(len(decorators) - 1, -1, -1):
            decorator = node.decorator_list[position]
            span = self.span(decorator)
            call = self.add_call(
                CallKind.DECORATOR, access_path(decorator), decorators[position], span, args=[value]
            )
            self.decorators.append(
                DecoratorFact(
                    definition, position, access_path(decorator), decorators[position], call, *span[:2]
                )
            )
            value = self.calls[call].result_var
        return value

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorators, flags = self._decorators(node)
        outer = self.scope
        span = self.span(node)
        is_async = isinstance(node, ast.AsyncFunctionDef)
        if outer.kind is ScopeKind.CLASS:
            flags |= DefFlag.METHOD
        if is_async:
            flags |= DefFlag.ASYNC
        qual = self.child_qualname(node.name)
        kind = DefKind.ASYNC_FUNCTION if is_async else DefKind.FUNCTION
        definition = self.add_def(kind, node.name, qual, scope=outer.index, span=span, flags=flags)
        scope = self.open_scope(
            kind=ScopeKind.FUNCTION,
            name=node.name,
            qualname=qual,
            definition=definition,
            span=span,
            parent=outer,
            bindings=prescan(node.body),
        )
        self.def_rows[definition][4] = scope.index
        args = node.args
        scope.bindings.bound.update(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
        scope.bindings.bound.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
        self.parameters(args, definition, scope)
        for annotation in (
            *(a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)),
            node.returns,
        ):
            self.expr(annotation)
        if flags & DefFlag.METHOD and not flags & DefFlag.STATICMETHOD:
            scope.method_class = self.scope_rows[outer.index][4]
        else:
            scope.first_param_var = NO_VAR
        live, loops = self.live, self._loops
        self.scope, self.live, self._loops = scope, True, []
        self.body(node.body)
        self.scope, self.live, self._loops = outer, live, loops
        var = self.new_var()
        self.def_rows[definition][9] = var
        self.ops.append(MakeFunction(var, definition))
        value = self._decorate(node, definition, var, decorators)
        self.bind(node.name, BindKind.DEF, value, span, definition=definition)

    def _class(self, node: ast.ClassDef) -> None:
        decorators, _ = self._decorators(node)
        outer = self.scope
        span = self.span(node)
        qual = self.child_qualname(node.name)
        definition = self.add_def(DefKind.CLASS, node.name, qual, scope=outer.index, span=span)
        for position, base in enumerate(node.bases):
            self.bases.append(
                BaseFact(definition, position, access_path(base), self.expr(base), None, *self.span(base)[:2])
            )
        for position, keyword in enumerate(node.keywords, start=len(node.bases)):
            value = self.expr(keyword.value)
            bstart, bend, _ = self.span(keyword.value)
            self.bases.append(
                BaseFact(definition, position, access_path(keyword.value), value, keyword.arg, bstart, bend)
            )
        scope = self.open_scope(
            kind=ScopeKind.CLASS,
            name=node.name,
            qualname=qual,
            definition=definition,
            span=span,
            parent=outer,
            bindings=prescan(node.body),
        )
        self.def_rows[definition][4] = scope.index
        live, loops = self.live, self._loops
        self.scope, self.live, self._loops = scope, True, []
        self.body(node.body)
        self.finish_class_body(definition, scope)
        self.scope, self.live, self._loops = outer, live, loops
        var = self.new_var()
        self.def_rows[definition][9] = var
        self.ops.append(MakeClass(var, definition))
        value = self._decorate(node, definition, var, decorators)
        self.bind(node.name, BindKind.CLASS, value, span, definition=definition)
