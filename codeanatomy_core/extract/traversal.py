"""One pre-order traversal of a syntax tree, shared by every extractor of a file.

The traversal records, once, what most extractors need: each node's pre-order ordinal,
parent, field and index in the parent, depth, kind, identifier and position. Nodes are
also dispatched to the extractors that asked for their types, like LibCST's batchable
visitors. It is iterative, so deep trees cannot overflow the interpreter's stack.
"""

from __future__ import annotations

import ast
from array import array
from collections.abc import Callable, Mapping, Sequence

NodeCallback = Callable[[ast.AST, int], None]

NO_POSITION = -1

_NAME_ATTRS: dict[type, str] = {
    ast.Name: "id",
    ast.FunctionDef: "name",
    ast.AsyncFunctionDef: "name",
    ast.ClassDef: "name",
    ast.arg: "arg",
    ast.alias: "name",
    ast.Attribute: "attr",
    ast.keyword: "arg",
    ast.ImportFrom: "module",
    ast.ExceptHandler: "name",
    ast.MatchAs: "name",
    ast.MatchStar: "name",
    ast.MatchMapping: "rest",
}
for _optional in ("TypeVar", "ParamSpec", "TypeVarTuple"):  # Python >= 3.12
    if hasattr(ast, _optional):
        _NAME_ATTRS[getattr(ast, _optional)] = "name"
_NAME_LISTS = (ast.Global, ast.Nonlocal)


class _NodeClass:
    """What the traversal needs to know about one ast class (computed once per class)."""

    __slots__ = ("fields", "kind", "name_attr", "name_list", "positioned")

    def __init__(self, cls: type) -> None:
        self.fields: tuple[str, ...] = tuple(cls._fields)  # type: ignore[attr-defined]
        self.kind = cls.__name__
        self.positioned = "end_lineno" in cls._attributes  # type: ignore[attr-defined]
        self.name_attr = _NAME_ATTRS.get(cls)
        self.name_list = issubclass(cls, _NAME_LISTS)


_CLASSES: dict[type, _NodeClass] = {}


def node_name(node: ast.AST) -> str | None:
    """The identifier a node carries (Global/Nonlocal: its names joined by commas)."""
    info = _CLASSES.get(type(node)) or _CLASSES.setdefault(type(node), _NodeClass(type(node)))
    return _name_of(node, info)


def _name_of(node: ast.AST, info: _NodeClass) -> str | None:
    if info.name_attr is not None:
        value = getattr(node, info.name_attr, None)
        return value if isinstance(value, str) else None
    if info.name_list:
        return ",".join(node.names)  # type: ignore[attr-defined]
    return None


class TreeIndex:
    """The nodes of a tree in pre-order with their structure and positions (parallel arrays).

    Positions are the parser's: 1-based lines and 0-based UTF-8 byte columns; nodes without
    a position (contexts, operators, ``arguments``, ...) hold ``NO_POSITION`` (-1).
    """

    __slots__ = (
        "depths",
        "end_cols",
        "end_lines",
        "field_indices",
        "field_names",
        "kinds",
        "names",
        "nodes",
        "parents",
        "start_cols",
        "start_lines",
    )

    def __init__(self) -> None:
        self.nodes: list[ast.AST] = []
        self.parents = array("q")
        self.depths = array("i")
        self.field_names: list[str | None] = []
        self.field_indices: list[int | None] = []
        self.kinds: list[str] = []
        self.names: list[str | None] = []
        self.start_lines = array("i")
        self.start_cols = array("i")
        self.end_lines = array("i")
        self.end_cols = array("i")

    def __len__(self) -> int:
        return len(self.nodes)


def traverse(  # noqa: PLR0915 - one flat hot loop: a call per node would cost 20 %
    tree: ast.AST, dispatch: Mapping[type, Sequence[NodeCallback]] | None = None
) -> TreeIndex:
    """Walk ``tree`` once, recording every node (as ``ast.walk`` yields them) in pre-order."""
    index = TreeIndex()
    nodes, parents, depths = index.nodes, index.parents, index.depths
    field_names, field_indices = index.field_names, index.field_indices
    kinds, names = index.kinds, index.names
    start_lines, start_cols = index.start_lines, index.start_cols
    end_lines, end_cols = index.end_lines, index.end_cols
    classes = _CLASSES
    dispatch = dispatch or {}
    stack: list[tuple[ast.AST, int, int, str | None, int | None]] = [(tree, -1, 0, None, None)]
    pop = stack.pop
    AST = ast.AST  # local alias: global and attribute lookups dominate this loop
    while stack:
        node, parent, depth, field, position = pop()
        cls = node.__class__
        info = classes.get(cls)
        if info is None:
            info = classes[cls] = _NodeClass(cls)
        ordinal = len(nodes)
        nodes.append(node)
        parents.append(parent)
        depths.append(depth)
        field_names.append(field)
        field_indices.append(position)
        kinds.append(info.kind)
        names.append(_name_of(node, info) if info.name_attr or info.name_list else None)
        if info.positioned and node.end_lineno is not None:  # type: ignore[attr-defined]
            start_lines.append(node.lineno)  # type: ignore[attr-defined]
            start_cols.append(node.col_offset)  # type: ignore[attr-defined]
            end_lines.append(node.end_lineno)  # type: ignore[attr-defined]
            end_cols.append(node.end_col_offset)  # type: ignore[attr-defined]
        else:
            start_lines.append(NO_POSITION)
            start_cols.append(NO_POSITION)
            end_lines.append(NO_POSITION)
            end_cols.append(NO_POSITION)
        if dispatch:
            callbacks = dispatch.get(cls)
            if callbacks:
                for callback in callbacks:
                    callback(node, ordinal)
        child_depth = depth + 1
        children: list[tuple[ast.AST, int, int, str | None, int | None]] = []
        for name in info.fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for i, item in enumerate(value):
                    if isinstance(item, AST):
                        children.append((item, ordinal, child_depth, name, i))
            elif isinstance(value, AST):
                children.append((value, ordinal, child_depth, name, None))
        if children:
            children.reverse()
            stack.extend(children)
    return index
