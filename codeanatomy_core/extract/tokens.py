"""Extractors of the lexical tables: comments, docstrings and the line index."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Mapping
from typing import ClassVar

import numpy as np
import pyarrow as pa

from codeanatomy_core.extract.ast_nodes import AST_TAG
from codeanatomy_core.extract.columns import int32s, int64s, repeated, string_array
from codeanatomy_core.extract.comments import find_comments, merge_spans
from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.tokens_datasets import (
    COMMENT_TAG,
    COMMENTS,
    DOCSTRING_TAG,
    DOCSTRINGS,
    LINE_INDEX,
    LINE_TAG,
    TERMINATORS,
)
from codeanatomy_core.extract.traversal import TreeIndex
from codeanatomy_core.extract.unit import Artifact, FileUnit
from codeanatomy_core.ids import derive_ids
from codeanatomy_core.specs.schema import arrow_schema

# Built once per process: deriving a schema costs more than a small file's rows.
_SCHEMAS = {spec.name: arrow_schema(spec) for spec in (COMMENTS, DOCSTRINGS, LINE_INDEX)}
STAGE = "tokens"
_LF, _CR = 10, 13
_TERMINATORS = pa.array(TERMINATORS, pa.string())
_LITERALS = frozenset({ast.Constant, ast.JoinedStr})


class CommentsExtractor(Extractor):
    """Comments, from the ``#`` bytes outside the string literals the tree knows about."""

    outputs = (COMMENTS,)
    stage: ClassVar[str] = STAGE

    def _literal_spans(self, index: TreeIndex) -> list[tuple[int, int]]:
        # One pass over the pre-order node list costs a third of dispatching every
        # Constant during the traversal.
        starts = self.unit.line_index.starts
        nodes, parents = index.nodes, index.parents
        spans = []
        for ordinal in [o for o, node in enumerate(nodes) if type(node) in _LITERALS]:
            node = nodes[ordinal]
            if type(node) is ast.Constant:
                value = node.value
                # A literal whose value has no "#" has none in its source either (escapes
                # only remove characters): a "#" in its span is a comment between its parts.
                if not ((type(value) is str and "#" in value) or (type(value) is bytes and b"#" in value)):
                    continue
                # The parts of an f-string carry approximate positions; its span covers them.
                if parents[ordinal] >= 0 and type(nodes[parents[ordinal]]) is ast.JoinedStr:
                    continue
            start = starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
            end = starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
            spans.append((start, end))
        return merge_spans(spans)

    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        utf8 = self.unit.source.utf8
        spans = find_comments(utf8, self._literal_spans(index)) if b"#" in utf8 else []
        count = len(spans)
        bounds = np.array(spans, dtype=np.int64).reshape(-1, 2)
        line_starts = np.frombuffer(self.unit.line_index.starts, dtype=np.int64)
        lines = np.searchsorted(line_starts, bounds[:, 0], side="right")
        texts = [utf8[start:end].decode("utf-8", "replace") for start, end in spans]
        columns = [
            pa.array(derive_ids(self.unit.file_id, COMMENT_TAG, np.arange(count))),
            repeated(self.unit.file_id, count),
            pa.array(np.arange(count, dtype=np.int32)),
            pa.array(bounds[:, 0]),
            pa.array(bounds[:, 1]),
            int32s(lines),
            int32s(bounds[:, 0] - line_starts[lines - 1] if count else []),
            pa.array(texts, pa.string()),
        ]
        return {COMMENTS.name: pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[COMMENTS.name])}


class DocstringsExtractor(Extractor):
    """Docstrings of the module, classes and functions, as ``ast.get_docstring`` finds them."""

    outputs = (DOCSTRINGS,)
    stage: ClassVar[str] = STAGE
    node_types = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)

    def __init__(self, unit: FileUnit) -> None:
        super().__init__(unit)
        self.found: list[tuple[ast.AST, int, ast.Constant]] = []

    def visit(self, node: ast.AST, ordinal: int) -> None:
        body = node.body  # type: ignore[attr-defined]
        if body and isinstance(body[0], ast.Expr):
            literal = body[0].value
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                self.found.append((node, ordinal, literal))

    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        starts = self.unit.line_index.starts
        count = len(self.found)
        ordinals = np.array([ordinal for _, ordinal, _ in self.found], dtype=np.int64)
        literals = [literal for _, _, literal in self.found]
        owners = [owner for owner, _, _ in self.found]
        bstart = [starts[c.lineno - 1] + c.col_offset for c in literals]
        bend = [starts[c.end_lineno - 1] + c.end_col_offset for c in literals]  # type: ignore[operator]
        columns = [
            pa.array(derive_ids(self.unit.file_id, DOCSTRING_TAG, ordinals)),
            repeated(self.unit.file_id, count),
            pa.array(derive_ids(self.unit.file_id, AST_TAG, ordinals)),
            int32s(ordinals),
            pa.array([type(owner).__name__ for owner in owners], pa.string()),
            pa.array([getattr(owner, "name", None) for owner in owners], pa.string()),
            int64s(bstart),
            int64s(bend),
            int32s([c.lineno for c in literals]),
            int32s([c.lineno if c.end_lineno is None else c.end_lineno for c in literals]),
            string_array([inspect.cleandoc(str(c.value)) for c in literals]),
        ]
        return {DOCSTRINGS.name: pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[DOCSTRINGS.name])}


class LineIndexExtractor(Extractor):
    """One row per line, from the file's LineIndex (the positions every table uses)."""

    outputs = (LINE_INDEX,)
    needs: ClassVar[frozenset[Artifact]] = frozenset({Artifact.TEXT})
    stage: ClassVar[str] = STAGE

    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        utf8 = self.unit.source.utf8
        size = len(utf8)
        lines = self.unit.line_index
        count = lines.line_count
        starts = np.frombuffer(lines.starts, dtype=np.int64)[:count]
        following = np.append(starts[1:], size)[:count]  # where the next line starts (or the end)
        data = np.frombuffer(utf8, dtype=np.uint8)
        last = data[np.maximum(following - 1, 0)] if size else np.zeros(0, np.uint8)
        before_last = data[np.maximum(following - 2, 0)] if size else np.zeros(0, np.uint8)
        crlf = (last == _LF) & (following - 2 >= starts) & (before_last == _CR)
        # Terminator codes index TERMINATORS: "\n", "\r\n", "\r", "".
        code = np.where(crlf, 1, np.where(last == _LF, 0, np.where(last == _CR, 2, 3)))
        width = np.array([1, 2, 1, 0])[code]
        line_no = np.arange(1, count + 1)
        columns = [
            pa.array(derive_ids(self.unit.file_id, LINE_TAG, line_no)),
            repeated(self.unit.file_id, count),
            int32s(line_no),
            pa.array(starts),
            pa.array(following - width),
            _TERMINATORS.take(pa.array(code)),
        ]
        return {LINE_INDEX.name: pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[LINE_INDEX.name])}
