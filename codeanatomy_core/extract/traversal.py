"""One pre-order traversal of a syntax tree, shared by every extractor of a file.

The traversal records the structure every extractor needs (pre-order ordinal, parent,
field, index, depth) once, and dispatches nodes to the extractors that asked for their
types, like LibCST's batchable visitors.
"""

from __future__ import annotations

import ast
from array import array
from collections.abc import Callable, Mapping, Sequence

NodeCallback = Callable[[ast.AST, int], None]

_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = tuple(cls._fields)  # type: ignore[attr-defined]
    return fields


class TreeIndex:
    """The nodes of a tree in pre-order with their structural links (parallel arrays)."""

    __slots__ = ("depths", "field_indices", "field_names", "nodes", "parents")

    def __init__(self) -> None:
        self.nodes: list[ast.AST] = []
        self.parents = array("q")
        self.depths = array("i")
        self.field_names: list[str | None] = []
        self.field_indices: list[int | None] = []

    def __len__(self) -> int:
        return len(self.nodes)


def traverse(tree: ast.AST, dispatch: Mapping[type, Sequence[NodeCallback]] | None = None) -> TreeIndex:
    """Walk ``tree`` once (iteratively: deep trees cannot overflow the stack)."""
    index = TreeIndex()
    nodes, parents, depths = index.nodes, index.parents, index.depths
    field_names, field_indices = index.field_names, index.field_indices
    dispatch = dispatch or {}
    stack: list[tuple[ast.AST, int, int, str | None, int | None]] = [(tree, -1, 0, None, None)]
    pop, push = stack.pop, stack.append
    while stack:
        node, parent, depth, field, position = pop()
        ordinal = len(nodes)
        nodes.append(node)
        parents.append(parent)
        depths.append(depth)
        field_names.append(field)
        field_indices.append(position)
        callbacks = dispatch.get(type(node))
        if callbacks:
            for callback in callbacks:
                callback(node, ordinal)
        children: list[tuple[ast.AST, int, int, str | None, int | None]] = []
        for name in _fields(type(node)):
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                children.append((value, ordinal, depth + 1, name, None))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        children.append((item, ordinal, depth + 1, name, i))
        for child in reversed(children):
            push(child)
    return index
