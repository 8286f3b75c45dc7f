"""Statements, definitions and control flow -> facts, with reaching bindings per scope.

Branches copy the environment and join it afterwards; loops add, for every name bound in
the loop, a placeholder standing for the loop's own bindings (its back edge); a path that
returns, raises, breaks or continues does not reach the join.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from codeanatomy_core.extract.pyfacts_defs import DefinitionWalker
from codeanatomy_core.extract.pyfacts_expr import AUG_DUNDERS, access_path
from codeanatomy_core.extract.pyfacts_model import (
    NO_VAR,
    UNBOUND,
    BindKind,
    CallKind,
    Copy,
    CopyItems,
    ImportFact,
    ImportValue,
    ScopeKind,
)
from codeanatomy_core.extract.pyfacts_scope import Env, join_envs, prescan


class _LoopFrame:
    __slots__ = ("breaks",)

    def __init__(self) -> None:
        self.breaks: list[Env] = []


class StatementWalker(DefinitionWalker):
    """Statement handlers and the walk of a whole module."""

    def init_statements(self) -> None:
        self.init_expressions()
        self._loops: list[_LoopFrame] = []
        self._stmt: dict[type, Callable[[ast.AST], None]] = {
            ast.Expr: self._expr_stmt,  # type: ignore[dict-item]
            ast.Assign: self._assign,  # type: ignore[dict-item]
            ast.AugAssign: self._augassign,  # type: ignore[dict-item]
            ast.AnnAssign: self._annassign,  # type: ignore[dict-item]
            ast.FunctionDef: self._function,  # type: ignore[dict-item]
            ast.AsyncFunctionDef: self._function,  # type: ignore[dict-item]
            ast.ClassDef: self._class,  # type: ignore[dict-item]
            ast.Return: self._return,  # type: ignore[dict-item]
            ast.If: self._if,  # type: ignore[dict-item]
            ast.For: self._for,  # type: ignore[dict-item]
            ast.AsyncFor: self._for,  # type: ignore[dict-item]
            ast.While: self._while,  # type: ignore[dict-item]
            ast.With: self._with,  # type: ignore[dict-item]
            ast.AsyncWith: self._with,  # type: ignore[dict-item]
            ast.Try: self._try,  # type: ignore[dict-item]
            ast.TryStar: self._try,  # type: ignore[dict-item]
            ast.Raise: self._raise,  # type: ignore[dict-item]
            ast.Import: self._import,  # type: ignore[dict-item]
            ast.ImportFrom: self._importfrom,  # type: ignore[dict-item]
            ast.Delete: self._delete,  # type: ignore[dict-item]
            ast.Match: self._match,  # type: ignore[dict-item]
            ast.Break: self._break,  # type: ignore[dict-item]
            ast.Continue: self._end_path,
            ast.Global: self._nothing,
            ast.Nonlocal: self._nothing,
            ast.Pass: self._nothing,
        }

    def walk_module(self, tree: ast.Module) -> None:
        self.init_statements()
        try:
            self.scope.bindings = prescan(tree.body)
            self.body(tree.body)
            self.finish_file()
        finally:
            # The handler tables hold bound methods of the walker: a reference cycle that
            # left the walker and every fact it built to the cyclic collector.
            del self._stmt, self._expr

    def body(self, stmts: list[ast.stmt]) -> None:
        handlers = self._stmt
        for stmt in stmts:
            handler = handlers.get(type(stmt))
            if handler is not None:
                handler(stmt)
            else:  # assert and any statement kind without bindings
                for child in ast.iter_child_nodes(stmt):
                    self.expr(child)

    # ---- control flow helpers ----

    def _branch(self, stmts: list[ast.stmt], start: Env) -> Env | None:
        """Walk ``stmts`` from a copy of ``start``; the end environment, None if it ends."""
        self.scope.env = dict(start)
        self.live = True
        self.body(stmts)
        return self.scope.env if self.live else None

    def _settle(self, envs: list[Env | None], fallback: Env) -> None:
        joined = join_envs(envs)
        self.live = joined is not None
        self.scope.env = joined if joined is not None else fallback

    def _end_path(self, node: ast.AST | None = None) -> None:
        del node
        self.live = False

    def _nothing(self, node: ast.AST) -> None:
        del node

    def _break(self, node: ast.Break) -> None:
        if self._loops and self.live:
            self._loops[-1].breaks.append(dict(self.scope.env))
        self._end_path(node)

    def _loop_head(self, node: ast.stmt) -> Env:
        """The environment at a loop's head: entry bindings plus the loop's placeholders."""
        scope = self.scope
        frame: dict[str, int] = {}
        env = scope.env
        for name in sorted(scope.bindings.loop_bound.get(id(node), ())):
            self.placeholders.append([])
            placeholder = -1 - len(self.placeholders)
            frame[name] = placeholder
            env[name] = (*env.get(name, (UNBOUND,)), placeholder)
        scope.loop_stack.append(frame)
        return dict(env)

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, before_body: Callable[[], None]) -> None:
        head = self._loop_head(node)
        frame = _LoopFrame()
        self._loops.append(frame)
        self.live = True
        before_body()
        self.body(node.body)
        self._loops.pop()
        self.scope.loop_stack.pop()
        # Leaving the loop: after any number of iterations (the head covers them all).
        exit_env = self._branch(node.orelse, head)
        self._settle([exit_env, *frame.breaks], head)

    # ---- simple statements ----

    def _expr_stmt(self, node: ast.Expr) -> None:
        if not isinstance(node.value, ast.Constant):  # docstrings and bare constants
            self.expr(node.value)

    def _assign(self, node: ast.Assign) -> None:
        value_node = node.value
        elements: list[int] | None = None
        if isinstance(value_node, (ast.Tuple, ast.List)) and any(
            isinstance(t, (ast.Tuple, ast.List)) for t in node.targets
        ):
            value, elements = self.sequence_items(value_node)
        else:
            value = self.expr(value_node)
        for target in node.targets:
            self.assign(target, value, BindKind.ASSIGN, elements)
        if self.scope.kind is ScopeKind.MODULE:
            self._module_all(node.targets, value_node, extend=False)

    def _module_all(self, targets: list[ast.expr], value: ast.expr | None, *, extend: bool) -> None:
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return
        if not isinstance(value, (ast.List, ast.Tuple)):
            return
        names = [
            e.value
            for e in value.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value.isidentifier()
        ]
        self.all_names = [*(self.all_names or []), *names] if extend else names

    def _augassign(self, node: ast.AugAssign) -> None:
        target = node.target
        if isinstance(target, ast.Name):
            current = self.load_name(ast.Name(id=target.id, ctx=ast.Load(), **_position(target)))
        else:
            current = self.expr(_as_load(target))
        value = self.expr(node.value)
        result = NO_VAR
        if current >= 0:
            result = self.implicit(current, AUG_DUNDERS[type(node.op)], node, [value])
            if value >= 0:
                self.ops.append(CopyItems(current, value))  # ``items += [f]`` on a list
        merged = self.merge([current, result])
        if isinstance(target, ast.Name):
            self.bind(target.id, BindKind.ASSIGN, merged, self.span(target), node=target)
        elif isinstance(target, ast.Attribute):
            self.assign(target, result, BindKind.ASSIGN)
        if self.scope.kind is ScopeKind.MODULE:
            self._module_all([target], node.value, extend=True)

    def _annassign(self, node: ast.AnnAssign) -> None:
        if self.scope.kind is not ScopeKind.FUNCTION:
            self.expr(node.annotation)  # evaluated at run time outside functions
        if node.value is not None:
            self.assign(node.target, self.expr(node.value), BindKind.ASSIGN)
            if self.scope.kind is ScopeKind.MODULE:
                self._module_all([node.target], node.value, extend=False)

    def _return(self, node: ast.Return) -> None:
        value = self.expr(node.value)
        scope = self.scope.named_scope()
        if value >= 0 and scope.ret_var >= 0:
            self.ops.append(Copy(scope.ret_var, value))
        self._end_path()

    def _raise(self, node: ast.Raise) -> None:
        exc = self.expr(node.exc)
        self.expr(node.cause)
        if exc >= 0 and node.exc is not None and not isinstance(node.exc, ast.Call):
            self.add_call(CallKind.RAISE, access_path(node.exc), exc, self.span(node))
        self._end_path()

    def _delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.bind(target.id, BindKind.DELETE, NO_VAR, self.span(target), node=target)
            elif isinstance(target, ast.Subscript):
                obj = self.expr(target.value)
                key = self.expr(target.slice)
                if obj >= 0:
                    self.implicit(obj, "__delitem__", target, [key])
            else:
                self.expr(target)

    # ---- imports ----

    def _import(self, node: ast.Import) -> None:
        span = self.span(node)
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            self._import_alias(
                module=alias.name, name=None, alias=alias.asname, level=0, bound=bound, span=span
            )

    def _importfrom(self, node: ast.ImportFrom) -> None:
        span = self.span(node)
        for alias in node.names:
            if alias.name == "*":
                self.imports.append(
                    ImportFact(node.module, "*", None, node.level, True, self.scope.index, -1, NO_VAR, *span)
                )
                continue
            self._import_alias(
                module=node.module,
                name=alias.name,
                alias=alias.asname,
                level=node.level,
                bound=alias.asname or alias.name,
                span=span,
            )

    def _import_alias(
        self,
        *,
        module: str | None,
        name: str | None,
        alias: str | None,
        level: int,
        bound: str,
        span: tuple[int, int, int],
    ) -> None:
        index = len(self.imports)
        var = self.new_var()
        self.ops.append(ImportValue(var, index))
        binding = self.bind(bound, BindKind.IMPORT, var, span, import_index=index)
        self.imports.append(
            ImportFact(module, name, alias, level, False, self.scope.index, binding, var, *span)
        )

    # ---- compound statements ----

    def _if(self, node: ast.If) -> None:
        self.expr(node.test)
        start = self.scope.env
        was_live = self.live
        then_env = self._branch(node.body, start)
        else_env = self._branch(node.orelse, start)
        self._settle([then_env, else_env], start)
        if not was_live:
            self.live = False

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        iterable = self.expr(node.iter)
        asynchronous = isinstance(node, ast.AsyncFor)

        def bind_target() -> None:
            element = self.iterate(iterable, node.iter, asynchronous=asynchronous)
            self.assign(node.target, element, BindKind.FOR)

        self._loop(node, bind_target)

    def _while(self, node: ast.While) -> None:
        def test() -> None:
            self.expr(node.test)

        self._loop(node, test)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        enter, exit_ = (
            ("__aenter__", "__aexit__") if isinstance(node, ast.AsyncWith) else ("__enter__", "__exit__")
        )
        for item in node.items:
            manager = self.expr(item.context_expr)
            entered = NO_VAR
            if manager >= 0:
                entered = self.implicit(manager, enter, item.context_expr)
                self.implicit(manager, exit_, item.context_expr)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, entered, BindKind.WITH)
        self.body(node.body)

    def _try(self, node: ast.Try | ast.TryStar) -> None:
        start = dict(self.scope.env)
        body_env = self._branch(node.body, start)
        # A handler may start anywhere in the body: before it or after it (an approximation).
        handler_start = join_envs([start, body_env]) or start
        ends: list[Env | None] = [self._branch(node.orelse, body_env) if body_env is not None else None]
        for handler in node.handlers:
            self.scope.env = dict(handler_start)
            self.live = True
            caught = self.expr(handler.type)
            if handler.name:
                self.bind(handler.name, BindKind.EXCEPT, self.instance_of(caught), self.span(handler))
            self.body(handler.body)
            ends.append(self.scope.env if self.live else None)
        self._settle(ends, handler_start)
        if node.finalbody:
            live = self.live
            self.body(node.finalbody)
            self.live = self.live and live

    def _match(self, node: ast.Match) -> None:
        subject = self.expr(node.subject)
        start = self.scope.env
        ends: list[Env | None] = [dict(start)]  # no case matched
        for case in node.cases:
            self.scope.env = dict(start)
            self.live = True
            self._pattern(case.pattern, subject)
            self.expr(case.guard)
            self.body(case.body)
            ends.append(self.scope.env if self.live else None)
        self._settle(ends, start)

    def _pattern(self, pattern: ast.pattern, subject: int) -> None:
        for node in ast.walk(pattern):
            if isinstance(node, ast.MatchAs) and node.name:
                value = subject if node.pattern is None and node is pattern else NO_VAR
                self.bind(node.name, BindKind.MATCH, value, self.span(node))
            elif isinstance(node, ast.MatchStar) and node.name:
                self.bind(node.name, BindKind.MATCH, NO_VAR, self.span(node))
            elif isinstance(node, ast.MatchMapping) and node.rest:
                self.bind(node.rest, BindKind.MATCH, NO_VAR, self.span(node))
            elif isinstance(node, ast.MatchValue):
                self.expr(node.value)
            elif isinstance(node, ast.MatchClass):
                self.expr(node.cls)


def _position(node: ast.AST) -> dict[str, int]:
    return {
        "lineno": node.lineno,  # type: ignore[attr-defined]
        "col_offset": node.col_offset,  # type: ignore[attr-defined]
        "end_lineno": node.end_lineno,  # type: ignore[attr-defined]
        "end_col_offset": node.end_col_offset,  # type: ignore[attr-defined]
    }


def _as_load(target: ast.expr) -> ast.expr:
    """The load form of an augmented-assignment target (``obj.attr``/``obj[key]``)."""
    if isinstance(target, ast.Attribute):
        return ast.Attribute(value=target.value, attr=target.attr, ctx=ast.Load(), **_position(target))
    if isinstance(target, ast.Subscript):
        return ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load(), **_position(target))
    return target
