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


# Field types of the grammar that never hold a node (ast class docstrings name them).
_SCALAR_TYPES = frozenset({"identifier", "int", "string", "constant"})
_SINGLE, _MANY, _ANY = 0, 1, 2


def _child_plan(cls: type) -> tuple[tuple[str, int], ...]:
    """(field, how) of the fields that may hold nodes, last field first.

    ``how`` is _SINGLE (a node or None), _MANY (a list of nodes or None), or _ANY when the
    class's signature is unknown (the value is tested as it comes).
    """
    fields: tuple[str, ...] = tuple(cls._fields)  # type: ignore[attr-defined]
    doc = cls.__doc__ or ""
    head, _, rest = doc.partition("(")
    declared = [part.split() for part in rest.rstrip(")").split(",")] if rest else []
    if head != cls.__name__ or [p[-1] for p in declared if p] != list(fields):
        return tuple((name, _ANY) for name in reversed(fields))
    plan: list[tuple[str, int]] = []
    for kind, name in declared:
        base = kind.rstrip("*?")
        if base not in _SCALAR_TYPES:
            plan.append((name, _MANY if kind.endswith("*") else _SINGLE))
    return tuple(reversed(plan))


class _NodeClass:
    """What the traversal needs to know about one ast class (computed once per class)."""

    __slots__ = ("kind", "name_attr", "name_list", "named", "plan", "positioned")

    def __init__(self, cls: type) -> None:
        self.kind = cls.__name__
        self.positioned = "end_lineno" in cls._attributes  # type: ignore[attr-defined]
        self.name_attr = _NAME_ATTRS.get(cls)
        self.name_list = issubclass(cls, _NAME_LISTS)
        self.named = self.name_attr is not None or self.name_list
        self.plan = _child_plan(cls)


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
    nodes = index.nodes
    # Bound appends: this loop runs once per node, attribute lookups are a good part of it.
    add_node, add_parent, add_depth = nodes.append, index.parents.append, index.depths.append
    add_field, add_position = index.field_names.append, index.field_indices.append
    add_kind, add_name = index.kinds.append, index.names.append
    add_sline, add_scol = index.start_lines.append, index.start_cols.append
    add_eline, add_ecol = index.end_lines.append, index.end_cols.append
    classes = _CLASSES
    dispatch = dispatch or {}
    stack: list[tuple[ast.AST, int, int, str | None, int | None]] = [(tree, -1, 0, None, None)]
    pop, push = stack.pop, stack.append
    AST = ast.AST  # local alias: global and attribute lookups dominate this loop
    ordinal = -1
    while stack:
        node, parent, depth, field, position = pop()
        cls = node.__class__
        info = classes.get(cls)
        if info is None:
            info = classes[cls] = _NodeClass(cls)
        ordinal += 1
        add_node(node)
        add_parent(parent)
        add_depth(depth)
        add_field(field)
        add_position(position)
        add_kind(info.kind)
        add_name(_name_of(node, info) if info.named else None)
        if info.positioned and node.end_lineno is not None:  # type: ignore[attr-defined]
            add_sline(node.lineno)  # type: ignore[attr-defined]
            add_scol(node.col_offset)  # type: ignore[attr-defined]
            add_eline(node.end_lineno)  # type: ignore[attr-defined]
            add_ecol(node.end_col_offset)  # type: ignore[attr-defined]
        else:
            add_sline(NO_POSITION)
            add_scol(NO_POSITION)
            add_eline(NO_POSITION)
            add_ecol(NO_POSITION)
        if dispatch:
            callbacks = dispatch.get(cls)
            if callbacks:
                for callback in callbacks:
                    callback(node, ordinal)
        # Children are pushed last first, so that they pop in field and list order.
        child_depth = depth + 1
        for name, how in info.plan:
            value = getattr(node, name, None)
            if value is None:
                continue
            if how == _SINGLE:
                push((value, ordinal, child_depth, name, None))
            elif how == _MANY:
                for i in range(len(value) - 1, -1, -1):
                    item = value[i]
                    if item is not None:
                        push((item, ordinal, child_depth, name, i))
            elif value.__class__ is list:
                for i in range(len(value) - 1, -1, -1):
                    item = value[i]
                    if isinstance(item, AST):
                        push((item, ordinal, child_depth, name, i))
            elif isinstance(value, AST):
                push((value, ordinal, child_depth, name, None))
    return index
