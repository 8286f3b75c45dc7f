"""Scopes while a file's facts are built: Python's binding rules and reaching bindings.

``prescan`` finds, before a body is walked, the names a scope binds (Python decides that a
name is local to a function from *any* binding in its body), its ``global``/``nonlocal``
declarations, and the names bound inside each loop (for the loop's back edge). It visits
statements and binding targets only, never expressions, so it is cheap.

The environment of a scope maps a name to the tuple of bindings that reach the current
point: binding indices (>= 0), ``UNBOUND`` (-1: maybe unbound on some path) and loop
placeholders (<= -2) standing for every binding of the name inside an enclosing loop,
expanded when the scope is finished.
"""

from __future__ import annotations

import ast

from codeanatomy_core.extract.pyfacts_model import UNBOUND, ScopeKind

Env = dict[str, tuple[int, ...]]

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_BINDING_FREE = frozenset({ast.Expr, ast.Return, ast.Pass, ast.Raise, ast.Assert, ast.Break, ast.Continue})
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class ScopeBindings:
    """What a body binds, found before it is walked."""

    __slots__ = ("bound", "globals", "loop_bound", "nonlocals")

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.loop_bound: dict[int, set[str]] = {}


def _target_names(target: ast.expr, out: list[str]) -> None:
    if isinstance(target, ast.Name):
        out.append(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            _target_names(elt, out)
    elif isinstance(target, ast.Starred):
        _target_names(target.value, out)


def _pattern_names(pattern: ast.pattern, out: list[str]) -> None:
    for node in ast.walk(pattern):
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            out.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            out.append(node.rest)


def _statement_names(stmt: ast.stmt, out: list[str]) -> list[list[ast.stmt]]:
    """Names ``stmt`` binds itself, and the statement lists nested in it."""
    if type(stmt) in _BINDING_FREE:  # the most frequent statements: answered at once
        return []
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            _target_names(target, out)
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        _target_names(stmt.target, out)
    elif isinstance(stmt, _DEFS):
        out.append(stmt.name)
    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
        for alias in stmt.names:
            if alias.name != "*":
                out.append(alias.asname or alias.name.partition(".")[0])
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        _target_names(stmt.target, out)
        return [stmt.body, stmt.orelse]
    elif isinstance(stmt, (ast.While, ast.If)):
        return [stmt.body, stmt.orelse]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        for item in stmt.items:
            if item.optional_vars is not None:
                _target_names(item.optional_vars, out)
        return [stmt.body]
    elif isinstance(stmt, (ast.Try, ast.TryStar)):
        for handler in stmt.handlers:
            if handler.name:
                out.append(handler.name)
        return [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody]
    elif isinstance(stmt, ast.Delete):
        for target in stmt.targets:
            _target_names(target, out)
    elif isinstance(stmt, ast.Match):
        for case in stmt.cases:
            _pattern_names(case.pattern, out)
        return [case.body for case in stmt.cases]
    return []


def prescan(body: list[ast.stmt]) -> ScopeBindings:
    """The bindings of one scope's body (not of nested functions or classes)."""
    found = ScopeBindings()
    # (statements, enclosing loops): iterative, so deep nesting cannot overflow the stack.
    stack: list[tuple[list[ast.stmt], tuple[set[str], ...]]] = [(body, ())]
    names: list[str] = []
    while stack:
        stmts, loops = stack.pop()
        for stmt in stmts:
            if type(stmt) in _BINDING_FREE:  # the most frequent statements bind nothing
                continue
            if isinstance(stmt, ast.Global):
                found.globals.update(stmt.names)
                continue
            if isinstance(stmt, ast.Nonlocal):
                found.nonlocals.update(stmt.names)
                continue
            names.clear()
            nested = _statement_names(stmt, names)
            if names:
                found.bound.update(names)
                for loop in loops:
                    loop.update(names)
            if isinstance(stmt, _LOOPS):
                own: set[str] = set(names)
                found.loop_bound[id(stmt)] = own
                stack.append((stmt.body, (*loops, own)))
                stack.append((stmt.orelse, loops))
            else:
                for inner in nested:
                    stack.append((inner, loops))
    found.bound -= found.globals
    found.bound -= found.nonlocals
    return found


class ScopeState:
    """A scope being walked: its kind, bindings, environment and loop placeholders."""

    __slots__ = (
        "bindings",
        "env",
        "first_param_var",
        "index",
        "kind",
        "lambda_count",
        "loop_stack",
        "merge_cache",
        "method_class",
        "name_bindings",
        "parent",
        "qualname",
        "ret_var",
        "yield_var",
    )

    def __init__(
        self,
        *,
        index: int,
        kind: ScopeKind,
        parent: ScopeState | None,
        qualname: str,
        bindings: ScopeBindings,
        ret_var: int = -1,
        yield_var: int = -1,
    ) -> None:
        self.index = index
        self.kind = kind
        self.parent = parent
        self.qualname = qualname
        self.bindings = bindings
        self.env: Env = {}
        self.ret_var = ret_var
        self.yield_var = yield_var
        self.lambda_count = 0
        # Every binding index of each name in this scope (closures see all of them).
        self.name_bindings: dict[str, list[int]] = {}
        # (loop placeholder id, names) of the loops being walked, innermost last.
        self.loop_stack: list[dict[str, int]] = []
        self.merge_cache: dict[tuple[int, ...], int] = {}
        self.method_class = -1  # for a method: the definition index of its class
        self.first_param_var = -1

    @property
    def is_function(self) -> bool:
        return self.kind in (ScopeKind.FUNCTION, ScopeKind.LAMBDA)

    def binds(self, name: str) -> bool:
        """Whether ``name`` is a local of this function-like scope."""
        return name in self.bindings.bound

    def named_scope(self) -> ScopeState:
        """The nearest enclosing scope that is not a comprehension."""
        scope = self
        while scope.kind is ScopeKind.COMPREHENSION and scope.parent is not None:
            scope = scope.parent
        return scope


def join_envs(envs: list[Env | None]) -> Env | None:
    """Bindings reaching the end of several paths (None: a path that does not continue)."""
    live = [env for env in envs if env is not None]
    if not live:
        return None
    joined = dict(live[0])
    for env in live[1:]:
        for name, reaching in env.items():
            current = joined.get(name)
            if current is reaching:  # branches copy the environment: most entries are shared
                continue
            merged = dict.fromkeys(current if current is not None else (UNBOUND,))
            merged.update(dict.fromkeys(reaching))
            joined[name] = tuple(merged)
        for name in joined.keys() - env.keys():
            current = joined[name]
            if UNBOUND not in current:
                joined[name] = (*current, UNBOUND)
    return joined
