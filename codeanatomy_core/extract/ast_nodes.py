"""Extractor of ``ast_nodes``: every syntax-tree node with structure and byte span."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from typing import ClassVar

import numpy as np
import pyarrow as pa

from codeanatomy_core.extract.datasets import AST_NODES
from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.traversal import TreeIndex, node_name
from codeanatomy_core.ids import derive_ids
from codeanatomy_core.specs.schema import arrow_schema

__all__ = ["AST_TAG", "AstNodesExtractor", "node_name"]

AST_TAG = "ast"
_SCHEMA = arrow_schema(AST_NODES)


def _int32(values: array[int]) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32) if len(values) else np.zeros(0, np.int32)


class AstNodesExtractor(Extractor):
    outputs = (AST_NODES,)
    stage: ClassVar[str] = "parse"

    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        n = len(index)
        starts = np.frombuffer(self.unit.line_index.starts, dtype=np.int64)
        sline, scol = _int32(index.start_lines), _int32(index.start_cols)
        eline, ecol = _int32(index.end_lines), _int32(index.end_cols)
        positioned = sline >= 1
        bstart = np.where(positioned, starts[np.maximum(sline - 1, 0)] + scol, 0)
        bend = np.where(positioned, starts[np.maximum(eline - 1, 0)] + ecol, 0)
        missing = ~positioned
        if n:
            # The Module node has no position attributes; it spans the whole text.
            size = len(self.unit.source.utf8)
            end_line, end_col = self.unit.line_index.position(size)
            sline, scol, eline, ecol = sline.copy(), scol.copy(), eline.copy(), ecol.copy()
            sline[0], scol[0], eline[0], ecol[0], bstart[0], bend[0] = 1, 0, end_line, end_col, 0, size
            missing[0] = False
        node_ids = derive_ids(self.unit.file_id, AST_TAG, np.arange(n))
        parents = np.frombuffer(index.parents, dtype=np.int64) if n else np.zeros(0, np.int64)
        columns = [
            pa.array(node_ids, pa.int64()),
            pa.array(np.full(n, self.unit.file_id, dtype=np.int64)),
            pa.array(np.arange(n, dtype=np.int32)),
            pa.array(node_ids[np.maximum(parents, 0)], mask=parents < 0, type=pa.int64()),
            pa.array(_int32(index.depths), pa.int32()),
            pa.array(index.kinds, pa.string()),
            pa.array(index.field_names, pa.string()),
            pa.array(index.field_indices, pa.int32()),
            pa.array(index.names, pa.string()),
            pa.array(bstart, pa.int64(), mask=missing),
            pa.array(bend, pa.int64(), mask=missing),
            pa.array(sline, pa.int32(), mask=missing),
            pa.array(scol, pa.int32(), mask=missing),
            pa.array(eline, pa.int32(), mask=missing),
            pa.array(ecol, pa.int32(), mask=missing),
        ]
        return {AST_NODES.name: pa.RecordBatch.from_arrays(columns, schema=_SCHEMA)}
