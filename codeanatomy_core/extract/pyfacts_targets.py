"""Assignment targets: names, destructuring (exact for literal tuples/lists), attributes
(``self.x = ...`` defines an attribute of the class) and subscripts."""

from __future__ import annotations

import ast

from codeanatomy_core.extract.pyfacts_expr import ExpressionWalker
from codeanatomy_core.extract.pyfacts_model import (
    NO_VAR,
    BindKind,
    DefKind,
    InstanceOf,
    Iterate,
    LoadItem,
    StoreAttr,
    StoreItem,
)


class TargetWalker(ExpressionWalker):
    """Binds assignment targets to value variables."""

    def target_names(self, target: ast.expr, out: list[str]) -> None:
        if isinstance(target, ast.Name):
            out.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.target_names(elt, out)
        elif isinstance(target, ast.Starred):
            self.target_names(target.value, out)

    def assign(self, target: ast.expr, value: int, kind: BindKind, elements: list[int] | None = None) -> None:
        """Bind ``target`` to ``value``; ``elements`` are the element variables of a literal
        tuple/list value (for exact pairwise destructuring)."""
        if isinstance(target, ast.Name):
            self.bind(target.id, kind, value, self.span(target), node=target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._destructure(target.elts, value, kind, elements)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, kind)
        elif isinstance(target, ast.Attribute):
            obj = self.expr(target.value)
            if obj >= 0 and value >= 0:
                self.ops.append(StoreAttr(obj, target.attr, value))
            self.attribute_binding(target, obj)
        elif isinstance(target, ast.Subscript):
            obj = self.expr(target.value)
            key, key_var = (
                self.subscript_key(target.slice)
                if not isinstance(target.slice, ast.Slice)
                else (
                    None,
                    self.expr(target.slice),
                )
            )
            if obj >= 0:
                self.implicit(obj, "__setitem__", target, [key_var, value])
                if value >= 0:
                    self.ops.append(StoreItem(obj, key, key_var, value))
        else:
            self.expr(target)

    def attribute_binding(self, target: ast.Attribute, obj: int) -> None:
        """``self.x = ...`` in a method defines the attribute ``x`` of its class."""
        method = self.scope.named_scope()
        if method.method_class < 0 or obj != method.first_param_var or obj < 0:
            return
        class_scope = self.def_rows[method.method_class][4]
        key = (class_scope, target.attr)
        if key not in self.attribute_defs:
            qual = f"{self.scope_rows[class_scope][2]}.{target.attr}"
            self.attribute_defs[key] = self.add_def(
                DefKind.ATTRIBUTE, target.attr, qual, scope=class_scope, span=self.span(target)
            )

    def _destructure(
        self, targets: list[ast.expr], value: int, kind: BindKind, elements: list[int] | None
    ) -> None:
        star = next((i for i, t in enumerate(targets) if isinstance(t, ast.Starred)), -1)
        after = len(targets) - star - 1 if star >= 0 else 0
        exact = elements is not None and (
            len(elements) == len(targets) if star < 0 else len(elements) >= len(targets) - 1
        )
        for position, target in enumerate(targets):
            if exact:
                assert elements is not None
                if position == star:
                    rest = self.container("list")
                    for offset, item in enumerate(elements[star : len(elements) - after]):
                        if item >= 0:
                            self.ops.append(StoreItem(rest, f"i:{offset}", NO_VAR, item))
                    self.assign(target, rest, kind)
                else:
                    index = (
                        position if star < 0 or position < star else len(elements) - (len(targets) - position)
                    )
                    self.assign(target, elements[index], kind)
                continue
            if value < 0:
                self.assign(target, NO_VAR, kind)
                continue
            item = self.new_var()
            if position == star:
                rest = self.container("list")
                self.ops.append(Iterate(item, value))
                self.ops.append(StoreItem(rest, None, NO_VAR, item))
                self.assign(target, rest, kind)
                continue
            key = f"i:{position}" if star < 0 or position < star else None
            self.ops.append(LoadItem(item, value, key, NO_VAR))
            self.assign(target, item, kind)

    def instance_of(self, classes: int) -> int:
        if classes < 0:
            return NO_VAR
        var = self.new_var()
        self.ops.append(InstanceOf(var, classes))
        return var
