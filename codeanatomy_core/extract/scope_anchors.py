"""Anchor symbol-table scopes and code objects to the syntax-tree nodes that own them.

Neither ``symtable`` nor code objects point back into the tree: they carry a name and a
line. An extractor collects the scope-owning nodes during the shared traversal (with their
pre-order ordinals, hence their ``ast_nodes`` ids), then matches each scope or code object,
parents first, to the first unused node with the same key inside its parent's node.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable, Sequence

from codeanatomy_core.source.text import LineIndex

SCOPE_NODE_TYPES: tuple[type[ast.AST], ...] = (
    ast.Module,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)

_ANONYMOUS: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda",
    ast.ListComp: "listcomp",
    ast.SetComp: "setcomp",
    ast.DictComp: "dictcomp",
    ast.GeneratorExp: "genexpr",
}

NodeKey = Callable[[ast.AST], Hashable]


def symtable_key(node: ast.AST) -> Hashable:
    """(scope type, name, line) as ``symtable`` reports the scope this node opens."""
    if isinstance(node, ast.ClassDef):
        return ("class", node.name, node.lineno)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return ("function", node.name, node.lineno)
    return ("function", _ANONYMOUS[type(node)], node.lineno)  # type: ignore[attr-defined]


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_CODE_NAMES = {cls: f"<{name}>" for cls, name in _ANONYMOUS.items()}


def code_key(node: ast.AST) -> Hashable:
    """(co_name, co_firstlineno) of the code object this node compiles to."""
    line: int = node.lineno  # type: ignore[attr-defined]
    if isinstance(node, _DEFINITIONS):
        for decorator in node.decorator_list:
            line = min(line, decorator.lineno)
        return (node.name, line)
    return (_CODE_NAMES[type(node)], line)


class ScopeNodes:
    """Scope-owning nodes of one file in pre-order, with ordinals and byte spans."""

    def __init__(self) -> None:
        self.nodes: list[ast.AST] = []
        self.ordinals: list[int] = []

    def add(self, node: ast.AST, ordinal: int) -> None:
        self.nodes.append(node)
        self.ordinals.append(ordinal)

    def spans(self, lines: LineIndex, size: int) -> list[tuple[int, int]]:
        """Byte span of every node; the Module spans the whole text."""
        starts = lines.starts
        spans = []
        for node in self.nodes:
            if isinstance(node, ast.Module):
                spans.append((0, size))
            else:
                start = starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
                end = starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
                spans.append((start, end))
        return spans

    def match(
        self,
        keys: Sequence[Hashable | None],
        parents: Sequence[int],
        node_key: NodeKey,
        spans: Sequence[tuple[int, int]],
    ) -> list[int]:
        """For each scope (pre-order; ``keys[0]`` the module), the index of its node or -1.

        A scope's node must lie inside its parent's node (when the parent is anchored):
        this keeps two lambdas on one line apart when they live in different functions.
        """
        candidates: dict[Hashable, list[int]] = {}
        for index, node in enumerate(self.nodes):
            if not isinstance(node, ast.Module):
                candidates.setdefault(node_key(node), []).append(index)
        used: set[int] = set()
        found: list[int] = []
        for scope, key in enumerate(keys):
            if scope == 0:
                module = 0 if self.nodes and isinstance(self.nodes[0], ast.Module) else -1
                found.append(module)
                continue
            parent = found[parents[scope]] if parents[scope] >= 0 else -1
            outer = spans[parent] if parent >= 0 else None
            choice = -1
            for index in candidates.get(key, ()) if key is not None else ():
                if index in used:
                    continue
                if outer is None or (outer[0] <= spans[index][0] and spans[index][1] <= outer[1]):
                    choice = index
                    break
            if choice >= 0:
                used.add(choice)
            found.append(choice)
        return found
