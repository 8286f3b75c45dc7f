"""Expressions -> value variables and flow constraints (one structural walk, no re-parse).

``expr(node)`` returns the variable holding the node's abstract values, or ``NO_VAR`` when
the value cannot matter for resolution (numbers, comparisons, ...). Every sub-expression
is still walked, so every call and name reference is recorded.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable

from codeanatomy_core.extract.pyfacts_binding import BindingState
from codeanatomy_core.extract.pyfacts_model import (
    NO_VAR,
    CallKind,
    Copy,
    CopyItems,
    Iterate,
    LoadItem,
    LoadSlice,
    MakeContainer,
    ScopeKind,
    StoreItem,
    SuperValue,
)
from codeanatomy_core.extract.pyfacts_state import MAX_CONST_INT, MAX_CONST_STR

BINOP_DUNDERS: dict[type, str] = {
    ast.Add: "__add__",
    ast.Sub: "__sub__",
    ast.Mult: "__mul__",
    ast.MatMult: "__matmul__",
    ast.Div: "__truediv__",
    ast.FloorDiv: "__floordiv__",
    ast.Mod: "__mod__",
    ast.Pow: "__pow__",
    ast.LShift: "__lshift__",
    ast.RShift: "__rshift__",
    ast.BitOr: "__or__",
    ast.BitXor: "__xor__",
    ast.BitAnd: "__and__",
}
AUG_DUNDERS = {op: f"__i{name[2:]}" for op, name in BINOP_DUNDERS.items()}
UNARY_DUNDERS: dict[type, str] = {ast.USub: "__neg__", ast.UAdd: "__pos__", ast.Invert: "__invert__"}
COMPARE_DUNDERS: dict[type, str] = {
    ast.Eq: "__eq__",
    ast.NotEq: "__ne__",
    ast.Lt: "__lt__",
    ast.LtE: "__le__",
    ast.Gt: "__gt__",
    ast.GtE: "__ge__",
}
_PLAIN_OPERANDS = (ast.Constant, ast.JoinedStr)
MAX_ITEM_KEYS = 32  # items of long literals are stored at "any position"
MAX_EVAL_SOURCE = 1000  # longer constant strings given to eval() are not parsed


def const_key(value: object) -> str | None:
    """Canonical text of a constant usable as a container key or a typed receiver."""
    if isinstance(value, str):
        if len(value) > MAX_CONST_STR or not (value.isascii() or _encodable(value)):
            return None
        return "s:" + value
    if isinstance(value, int) and not isinstance(value, bool) and -MAX_CONST_INT < value < MAX_CONST_INT:
        return f"i:{value}"
    return None


def _encodable(text: str) -> bool:
    """Not every str is text: lone surrogates cannot be stored as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def access_path(node: ast.AST) -> str:
    """The callee expression as a structured access path: ``self.helper``, ``Cls().m``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{access_path(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{access_path(node.func)}()"
    if isinstance(node, ast.Subscript):
        return f"{access_path(node.value)}[]"
    if isinstance(node, ast.Constant):
        return f"<{type(node.value).__name__}>"
    return f"<{type(node).__name__.lower()}>"


class ExpressionWalker(BindingState):
    """Expression handlers; statements and definitions are added by a subclass."""

    def init_expressions(self) -> None:
        self._expr: dict[type, Callable[[ast.AST], int]] = {
            ast.Name: self.load_name,  # type: ignore[dict-item]
            ast.Constant: self._constant,  # type: ignore[dict-item]
            ast.Attribute: self._attribute,  # type: ignore[dict-item]
            ast.Call: self._call,  # type: ignore[dict-item]
            ast.Subscript: self._subscript,  # type: ignore[dict-item]
            ast.BinOp: self._binop,  # type: ignore[dict-item]
            ast.UnaryOp: self._unaryop,  # type: ignore[dict-item]
            ast.BoolOp: self._boolop,  # type: ignore[dict-item]
            ast.Compare: self._compare,  # type: ignore[dict-item]
            ast.IfExp: self._ifexp,  # type: ignore[dict-item]
            ast.JoinedStr: self._joinedstr,  # type: ignore[dict-item]
            ast.List: self._sequence,  # type: ignore[dict-item]
            ast.Tuple: self._sequence,  # type: ignore[dict-item]
            ast.Set: self._sequence,  # type: ignore[dict-item]
            ast.Dict: self._dict,  # type: ignore[dict-item]
            ast.Starred: self._starred,  # type: ignore[dict-item]
        }

    def expr(self, node: ast.AST | None) -> int:
        if node is None:
            return NO_VAR
        handler = self._expr.get(type(node))
        if handler is not None:
            return handler(node)
        for child in ast.iter_child_nodes(node):  # slices, formatted values, ...
            self.expr(child)
        return NO_VAR

    # ---- leaves ----

    def _constant(self, node: ast.Constant) -> int:
        key = const_key(node.value)
        if key is not None:
            return self.const_var(key)
        return self.typed_var("str") if isinstance(node.value, str) else NO_VAR

    def _joinedstr(self, node: ast.JoinedStr) -> int:
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.expr(value.value)
                self.expr(value.format_spec)
        return self.typed_var("str")

    def _attribute(self, node: ast.Attribute) -> int:
        obj = self.expr(node.value)
        return NO_VAR if obj < 0 else self.load_attr(obj, node.attr)

    # ---- operators (implicit dunder calls on instances of known classes) ----

    def implicit(self, receiver: int, dunder: str, node: ast.AST, args: list[int] | None = None) -> int:
        call = self.add_call(CallKind.IMPLICIT, dunder, receiver, self.span(node), args=args, dunder=dunder)
        return self.calls[call].result_var

    def _binop(self, node: ast.BinOp) -> int:
        left = self.expr(node.left)
        right = self.expr(node.right)
        if left < 0 or isinstance(node.left, _PLAIN_OPERANDS):
            return NO_VAR
        return self.implicit(left, BINOP_DUNDERS[type(node.op)], node, [right])

    def _unaryop(self, node: ast.UnaryOp) -> int:
        operand = self.expr(node.operand)
        dunder = UNARY_DUNDERS.get(type(node.op))
        if dunder is None or operand < 0 or isinstance(node.operand, _PLAIN_OPERANDS):
            return NO_VAR
        return self.implicit(operand, dunder, node)

    def _compare(self, node: ast.Compare) -> int:
        left = self.expr(node.left)
        rights = [self.expr(c) for c in node.comparators]
        op = type(node.ops[0])
        if op in (ast.In, ast.NotIn):
            if rights[0] >= 0 and not isinstance(node.comparators[0], _PLAIN_OPERANDS):
                self.implicit(rights[0], "__contains__", node, [left])
        elif op in COMPARE_DUNDERS and left >= 0 and not isinstance(node.left, _PLAIN_OPERANDS):
            self.implicit(left, COMPARE_DUNDERS[op], node, [rights[0]])
        return NO_VAR

    def _boolop(self, node: ast.BoolOp) -> int:
        return self.merge([self.expr(v) for v in node.values])

    def _ifexp(self, node: ast.IfExp) -> int:
        self.expr(node.test)
        return self.merge([self.expr(node.body), self.expr(node.orelse)])

    def _starred(self, node: ast.Starred) -> int:
        return self.expr(node.value)

    # ---- containers ----

    def container(self, type_name: str) -> int:
        var = self.new_var()
        self.ops.append(MakeContainer(var, type_name, self.container_sites))
        self.container_sites += 1
        return var

    def sequence_items(self, node: ast.List | ast.Tuple | ast.Set) -> tuple[int, list[int]]:
        """The container of a literal sequence and the variables of its elements."""
        elements = [self.expr(e) for e in node.elts]
        type_name = {ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}[type(node)]
        var = self.container(type_name)
        keyed = type_name != "set"
        for position, (element, item) in enumerate(zip(node.elts, elements, strict=True)):
            if item < 0:
                continue
            if isinstance(element, ast.Starred):
                spread = self.new_var()
                self.ops.append(Iterate(spread, item))
                self.ops.append(StoreItem(var, None, NO_VAR, spread))
                keyed = False  # later positions are unknown
            else:
                keyed = keyed and position < MAX_ITEM_KEYS
                self.ops.append(StoreItem(var, f"i:{position}" if keyed else None, NO_VAR, item))
        return var, elements

    def _sequence(self, node: ast.List | ast.Tuple | ast.Set) -> int:
        return self.sequence_items(node)[0]

    def _dict(self, node: ast.Dict) -> int:
        var = self.container("dict")
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:  # {**other}
                other = self.expr(value_node)
                if other >= 0:
                    self.ops.append(CopyItems(var, other))
                continue
            key = const_key(key_node.value) if isinstance(key_node, ast.Constant) else None
            key_var = NO_VAR if key is not None else self.expr(key_node)
            value = self.expr(value_node)
            if value >= 0:
                self.ops.append(StoreItem(var, key, key_var, value))
        return var

    def subscript_key(self, node: ast.expr) -> tuple[str | None, int]:
        if isinstance(node, ast.Constant):
            return const_key(node.value), NO_VAR
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            self.expr(node.operand)
            return None, NO_VAR  # negative positions: any element
        return None, self.expr(node)

    def _slice_bound(self, part: ast.expr | None, default: int | None) -> int | None:
        """A constant non-negative slice bound, ``default`` when absent, -1 when unknown."""
        if part is None:
            return default
        if isinstance(part, ast.Constant) and isinstance(part.value, int) and part.value >= 0:
            return part.value
        self.expr(part)
        return -1

    def _subscript(self, node: ast.Subscript) -> int:
        obj = self.expr(node.value)
        index = node.slice
        if isinstance(index, ast.Slice):
            lower = self._slice_bound(index.lower, 0)
            upper = self._slice_bound(index.upper, None)
            self.expr(index.step)
            if obj < 0:
                return NO_VAR
            var = self.new_var()
            if lower is None or lower < 0 or (upper is not None and upper < 0) or index.step is not None:
                lower, upper = -1, None  # unknown bounds: any element
            self.ops.append(LoadSlice(var, obj, lower, upper, self.container_sites))
            self.container_sites += 1
            return var
        key, key_var = self.subscript_key(index)
        if obj < 0:
            return NO_VAR
        var = self.new_var()
        call = self.add_call(CallKind.IMPLICIT, "__getitem__", obj, self.span(node), dunder="__getitem__")
        self.ops.append(LoadItem(var, obj, key, key_var))
        self.ops.append(Copy(var, self.calls[call].result_var))
        return var

    # ---- calls ----

    def _call(self, node: ast.Call) -> int:
        func = node.func
        callee = self.expr(func)
        args: list[int] = []
        starred: list[int] = []
        for position, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                starred.append(position)
                args.append(self.expr(arg.value))
            else:
                args.append(self.expr(arg))
        keywords = [kw.arg for kw in node.keywords]
        keyword_vars = [self.expr(kw.value) for kw in node.keywords]
        call = self.add_call(
            CallKind.CALL,
            access_path(func),
            callee,
            self.span(node),
            args=args,
            starred=starred,
            keywords=keywords,
            keyword_vars=keyword_vars,
        )
        result = self.calls[call].result_var
        if isinstance(func, ast.Name) and func.id == "super":
            self.super_value(result, args)
        elif isinstance(func, ast.Name) and func.id == "eval" and node.args:
            evaluated = self.eval_constant(node.args[0])
            if evaluated >= 0:
                self.ops.append(Copy(result, evaluated))
        return result

    def eval_constant(self, source: ast.expr) -> int:
        """``eval("f(x)")`` of a constant string: the expression, walked where it stands.

        The string is parsed as an expression (never evaluated); its nodes take the span
        of the string literal.
        """
        if not isinstance(source, ast.Constant) or not isinstance(source.value, str):
            return NO_VAR
        if len(source.value) > MAX_EVAL_SOURCE:
            return NO_VAR
        try:
            with warnings.catch_warnings():  # the analysed code's warnings are not ours to print
                warnings.simplefilter("ignore")
                tree = ast.parse(source.value.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return NO_VAR
        for inner in ast.walk(tree):
            if "lineno" in inner._attributes:
                ast.copy_location(inner, source)
        return self.expr(tree.body)

    def super_value(self, result: int, args: list[int]) -> None:
        if len(args) >= 2:
            self.ops.append(SuperValue(result, -1, args[0], args[1]))
            return
        method = self.scope.named_scope()
        while method.kind is ScopeKind.LAMBDA and method.parent is not None:
            method = method.parent.named_scope()
        if method.method_class >= 0 and method.first_param_var >= 0:
            self.ops.append(SuperValue(result, method.method_class, NO_VAR, method.first_param_var))
