"""Extractor of ``ast_nodes``: every syntax-tree node with structure and byte span."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import ClassVar

import numpy as np
import pyarrow as pa

from codeanatomy_core.extract.datasets import AST_NODES
from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.traversal import TreeIndex
from codeanatomy_core.ids import derive_ids
from codeanatomy_core.specs.schema import arrow_schema

AST_TAG = "ast"

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

_POSITIONED: dict[type, bool] = {}


def _has_position(cls: type) -> bool:
    known = _POSITIONED.get(cls)
    if known is None:
        known = _POSITIONED[cls] = "end_lineno" in cls._attributes  # type: ignore[attr-defined]
    return known


def node_name(node: ast.AST) -> str | None:
    attr = _NAME_ATTRS.get(type(node))
    if attr is not None:
        value = getattr(node, attr, None)
        return value if isinstance(value, str) else None
    if isinstance(node, _NAME_LISTS):
        return ",".join(node.names)
    return None


class AstNodesExtractor(Extractor):
    outputs = (AST_NODES,)
    stage: ClassVar[str] = "parse"

    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        starts = self.unit.line_index.starts
        n = len(index)
        kinds: list[str] = []
        names: list[str | None] = []
        bstart: list[int | None] = []
        bend: list[int | None] = []
        sline: list[int | None] = []
        scol: list[int | None] = []
        eline: list[int | None] = []
        ecol: list[int | None] = []
        for node in index.nodes:
            cls = type(node)
            kinds.append(cls.__name__)
            names.append(node_name(node))
            if _has_position(cls) and node.end_lineno is not None:  # type: ignore[attr-defined]
                line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
                end_line, end_col = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
                sline.append(line)
                scol.append(col)
                eline.append(end_line)
                ecol.append(end_col)
                bstart.append(starts[line - 1] + col)
                bend.append(starts[end_line - 1] + end_col)
            else:
                sline.append(None)
                scol.append(None)
                eline.append(None)
                ecol.append(None)
                bstart.append(None)
                bend.append(None)
        if n:
            # The Module node has no position attributes; it spans the whole text.
            size = len(self.unit.source.utf8)
            end_line, end_col = self.unit.line_index.position(size)
            sline[0], scol[0], eline[0], ecol[0], bstart[0], bend[0] = 1, 0, end_line, end_col, 0, size
        node_ids = derive_ids(self.unit.file_id, AST_TAG, np.arange(n))
        parents = np.frombuffer(index.parents, dtype=np.int64) if n else np.zeros(0, np.int64)
        parent_ids = pa.array(node_ids[np.maximum(parents, 0)], mask=parents < 0, type=pa.int64())
        schema = arrow_schema(AST_NODES)
        columns = [
            pa.array(node_ids, pa.int64()),
            pa.array(np.full(n, self.unit.file_id, dtype=np.int64)),
            pa.array(np.arange(n, dtype=np.int32)),
            parent_ids,
            pa.array(np.frombuffer(index.depths, dtype=np.int32) if n else [], pa.int32()),
            pa.array(kinds, pa.string()),
            pa.array(index.field_names, pa.string()),
            pa.array(index.field_indices, pa.int32()),
            pa.array(names, pa.string()),
            pa.array(bstart, pa.int64()),
            pa.array(bend, pa.int64()),
            pa.array(sline, pa.int32()),
            pa.array(scol, pa.int32()),
            pa.array(eline, pa.int32()),
            pa.array(ecol, pa.int32()),
        ]
        return {AST_NODES.name: pa.RecordBatch.from_arrays(columns, schema=schema)}
