"""Scopes opened inside expressions (lambdas, comprehensions), parameters, iteration, and
the expressions only functions have (yield, await)."""

from __future__ import annotations

import ast

from codeanatomy_core.extract.pyfacts_model import (
    NO_VAR,
    BindKind,
    CallKind,
    Copy,
    DefFlag,
    DefKind,
    Iterate,
    MakeFunction,
    ParamFact,
    ParamKind,
    ScopeKind,
    StoreItem,
)
from codeanatomy_core.extract.pyfacts_scope import ScopeBindings, ScopeState
from codeanatomy_core.extract.pyfacts_targets import TargetWalker


class CallableWalker(TargetWalker):
    """Lambdas, comprehensions, parameters, iteration, yield and await."""

    def init_expressions(self) -> None:
        super().init_expressions()
        self._expr.update(
            {
                ast.Lambda: self._lambda,  # type: ignore[dict-item]
                ast.ListComp: self._comprehension,  # type: ignore[dict-item]
                ast.SetComp: self._comprehension,  # type: ignore[dict-item]
                ast.GeneratorExp: self._comprehension,  # type: ignore[dict-item]
                ast.DictComp: self._comprehension,  # type: ignore[dict-item]
                ast.NamedExpr: self._namedexpr,  # type: ignore[dict-item]
                ast.Await: self._await,  # type: ignore[dict-item]
                ast.Yield: self._yield,  # type: ignore[dict-item]
                ast.YieldFrom: self._yieldfrom,  # type: ignore[dict-item]
            }
        )

    def parameters(self, args: ast.arguments, function: int, scope: ScopeState) -> None:
        """Parameter definitions, bindings and default flows of a function being opened.

        Defaults are evaluated in the current (enclosing) scope before the body runs.
        """
        positional = [*args.posonlyargs, *args.args]
        defaults: list[int] = [NO_VAR] * (len(positional) - len(args.defaults))
        defaults += [self.expr(d) for d in args.defaults]
        kw_defaults = [self.expr(d) for d in args.kw_defaults]
        entries: list[tuple[ast.arg, ParamKind, int]] = []
        entries += [
            (a, ParamKind.POSITIONAL_ONLY if i < len(args.posonlyargs) else ParamKind.POSITIONAL, defaults[i])
            for i, a in enumerate(positional)
        ]
        if args.vararg is not None:
            entries.append((args.vararg, ParamKind.VAR_POSITIONAL, NO_VAR))
        entries += [(a, ParamKind.KEYWORD_ONLY, d) for a, d in zip(args.kwonlyargs, kw_defaults, strict=True)]
        if args.kwarg is not None:
            entries.append((args.kwarg, ParamKind.VAR_KEYWORD, NO_VAR))
        for position, (arg, kind, default) in enumerate(entries):
            span = self.span(arg)
            qual = f"{scope.qualname}.{arg.arg}"
            definition = self.add_def(DefKind.PARAMETER, arg.arg, qual, scope=scope.index, span=span)
            var = self.new_var()
            if default >= 0:
                self.ops.append(Copy(var, default))
            self.params.append(ParamFact(function, definition, arg.arg, position, kind, var))
            self.bind(arg.arg, BindKind.PARAMETER, var, span, definition=definition, scope=scope)
            if position == 0:
                scope.first_param_var = var

    def _lambda(self, node: ast.Lambda) -> int:
        named = self.scope.named_scope()
        named.lambda_count += 1
        name = f"<lambda{named.lambda_count}>"
        qual = self.child_qualname(name)
        span = self.span(node)
        bindings = ScopeBindings()
        bindings.bound.update(a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs))
        bindings.bound.update(a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None)
        definition = self.add_def(DefKind.LAMBDA, name, qual, scope=self.scope.index, span=span)
        outer = self.scope
        scope = self.open_scope(
            kind=ScopeKind.LAMBDA,
            name=name,
            qualname=qual,
            definition=definition,
            span=span,
            parent=outer,
            bindings=bindings,
        )
        self.def_rows[definition][4] = scope.index
        self.parameters(node.args, definition, scope)
        self.scope = scope
        body = self.expr(node.body)
        if body >= 0:
            self.ops.append(Copy(scope.ret_var, body))
        self.scope = outer
        var = self.new_var()
        self.def_rows[definition][9] = var
        self.ops.append(MakeFunction(var, definition))
        return var

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> int:
        generators = node.generators
        first_iter = self.expr(generators[0].iter)  # evaluated in the enclosing scope
        outer = self.scope
        bindings = ScopeBindings()
        names: list[str] = []
        for gen in generators:
            self.target_names(gen.target, names)
        bindings.bound.update(names)
        name = {ast.ListComp: "<listcomp>", ast.SetComp: "<setcomp>", ast.DictComp: "<dictcomp>"}.get(
            type(node), "<genexpr>"
        )
        scope = self.open_scope(
            kind=ScopeKind.COMPREHENSION,
            name=name,
            qualname=outer.named_scope().qualname,
            definition=-1,
            span=self.span(node),
            parent=outer,
            bindings=bindings,
        )
        self.scope = scope
        for position, gen in enumerate(generators):
            iterable = first_iter if position == 0 else self.expr(gen.iter)
            element = self.iterate(iterable, gen.iter, asynchronous=bool(gen.is_async))
            self.assign(gen.target, element, BindKind.COMPREHENSION)
            for condition in gen.ifs:
                self.expr(condition)
        type_name = {ast.ListComp: "list", ast.SetComp: "set", ast.DictComp: "dict"}.get(
            type(node), "generator"
        )
        if isinstance(node, ast.DictComp):
            self.expr(node.key)
            value = self.expr(node.value)
        else:
            value = self.expr(node.elt)
        self.scope = outer
        var = self.container(type_name)
        if value >= 0:
            self.ops.append(StoreItem(var, None, NO_VAR, value))
        return var

    def iterate(self, iterable: int, node: ast.AST, *, asynchronous: bool = False) -> int:
        """A variable receiving the elements of ``iterable`` (containers, generators,
        and ``__iter__``/``__next__`` of instances, as implicit calls)."""
        if iterable < 0:
            return NO_VAR
        element = self.new_var()
        self.ops.append(Iterate(element, iterable))
        first, second = ("__aiter__", "__anext__") if asynchronous else ("__iter__", "__next__")
        iterator = self.implicit(iterable, first, node)
        self.add_call(CallKind.IMPLICIT, second, iterator, self.span(node), dunder=second, result_var=element)
        return element

    def _namedexpr(self, node: ast.NamedExpr) -> int:
        value = self.expr(node.value)
        target = self.scope.named_scope()
        self.bind(
            node.target.id, BindKind.ASSIGN, value, self.span(node.target), node=node.target, scope=target
        )
        return value

    def _await(self, node: ast.Await) -> int:
        return self.expr(node.value)  # a coroutine's call already yields its return values

    def mark_generator(self) -> None:
        scope = self.scope.named_scope()
        definition = self.scope_rows[scope.index][4]
        if scope.kind is ScopeKind.FUNCTION and definition >= 0:
            self.def_rows[definition][8] |= DefFlag.GENERATOR

    def _yield(self, node: ast.Yield) -> int:
        value = self.expr(node.value)
        self.mark_generator()
        scope = self.scope.named_scope()
        if value >= 0 and scope.yield_var >= 0:
            self.ops.append(Copy(scope.yield_var, value))
        return NO_VAR

    def _yieldfrom(self, node: ast.YieldFrom) -> int:
        value = self.expr(node.value)
        self.mark_generator()
        scope = self.scope.named_scope()
        if value >= 0 and scope.yield_var >= 0:
            self.ops.append(Iterate(scope.yield_var, value))
        return NO_VAR
