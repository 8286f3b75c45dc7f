"""Extractor of ``symtable_scopes`` and ``symtable_symbols``: the interpreter's own scoping.

Scopes and symbols come from ``unit.symtable`` (one ``symtable.symtable`` call per file).
Symbol flags are decoded from the raw flag words for the whole file at once, with the
rules of the running interpreter's ``symtable.Symbol`` methods (the tests compare them).
"""

from __future__ import annotations

import _symtable
import ast
import symtable
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from codeanatomy_core.extract.ast_nodes import AST_TAG
from codeanatomy_core.extract.columns import int32s, minus_one_as_null, repeated, with_nulls
from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.scope_anchors import SCOPE_NODE_TYPES, ScopeNodes, symtable_key
from codeanatomy_core.extract.symtable_datasets import (
    SCOPE_TAG,
    SYMBOL_FLAG_COLUMNS,
    SYMBOL_TAG,
    SYMTABLE_SCOPES,
    SYMTABLE_SYMBOLS,
)
from codeanatomy_core.extract.traversal import TreeIndex
from codeanatomy_core.extract.unit import Artifact, ExtractError, FileUnit, StageFailure
from codeanatomy_core.ids import derive_ids
from codeanatomy_core.specs.schema import arrow_schema

# Built once per process: deriving a schema costs more than a small file's rows.
_SCHEMAS = {spec.name: arrow_schema(spec) for spec in (SYMTABLE_SCOPES, SYMTABLE_SYMBOLS)}
STAGE = "symtable"
_SYMTABLE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)
_SCOPE_NAMES = {
    _symtable.LOCAL: "local",
    _symtable.GLOBAL_EXPLICIT: "global_explicit",
    _symtable.GLOBAL_IMPLICIT: "global_implicit",
    _symtable.FREE: "free",
    _symtable.CELL: "cell",
}
_SCOPE_KINDS = pa.array([_SCOPE_NAMES.get(code) for code in range(_symtable.SCOPE_MASK + 1)], pa.string())
_TYPE_NAMES: dict[int, str] = {}


def _type_name(raw: Any) -> str:
    """The scope type as ``SymbolTable.get_type()`` reports it on this interpreter."""
    name = _TYPE_NAMES.get(raw.type)
    if name is None:
        name = _TYPE_NAMES[raw.type] = str(symtable.SymbolTable(raw, "").get_type())
    return name


def decode_symbol_flags(flags: np.ndarray, module_scope: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean columns of raw symbol flags, as ``symtable.Symbol``'s predicates answer."""
    scope = (flags >> _symtable.SCOPE_OFF) & _symtable.SCOPE_MASK
    bound_at_module = module_scope & ((flags & _symtable.DEF_BOUND) != 0)
    is_global = (scope == _symtable.GLOBAL_IMPLICIT) | (scope == _symtable.GLOBAL_EXPLICIT) | bound_at_module
    declared = scope == _symtable.GLOBAL_EXPLICIT
    return {
        "is_local": (scope == _symtable.LOCAL) | (scope == _symtable.CELL) | bound_at_module,
        "is_global": is_global,
        "is_declared_global": declared,
        "is_implicit_global": is_global & ~declared,
        "is_nonlocal": (flags & _symtable.DEF_NONLOCAL) != 0,
        "is_free": scope == _symtable.FREE,
        "is_cell": scope == _symtable.CELL,
        "is_parameter": (flags & _symtable.DEF_PARAM) != 0,
        "is_imported": (flags & _symtable.DEF_IMPORT) != 0,
        "is_assigned": (flags & _symtable.DEF_LOCAL) != 0,
        "is_referenced": (flags & _symtable.USE) != 0,
        "is_annotated": (flags & _symtable.DEF_ANNOT) != 0,
    }


class _Scopes:
    """The raw tables of a file in pre-order with their parents and qualified names."""

    def __init__(self, top: Any) -> None:
        self.tables: list[Any] = []
        self.parents: list[int] = []
        self.qualnames: list[str] = []
        stack: list[tuple[Any, int, str]] = [(top, -1, "")]
        while stack:
            table, parent, qualname = stack.pop()
            index = len(self.tables)
            self.tables.append(table)
            self.parents.append(parent)
            self.qualnames.append(qualname)
            prefix = f"{qualname}." if qualname else ""
            stack.extend((child, index, prefix + child.name) for child in reversed(table.children))


class SymtableExtractor(Extractor):
    outputs = (SYMTABLE_SCOPES, SYMTABLE_SYMBOLS)
    needs: ClassVar[frozenset[Artifact]] = frozenset({Artifact.TREE, Artifact.SYMTABLE})
    stage: ClassVar[str] = STAGE
    node_types = SCOPE_NODE_TYPES

    def __init__(self, unit: FileUnit) -> None:
        super().__init__(unit)
        self.scope_nodes = ScopeNodes()

    def visit(self, node: ast.AST, ordinal: int) -> None:
        self.scope_nodes.add(node, ordinal)

    def _top(self) -> Any:
        try:
            table = self.unit.symtable
        except _SYMTABLE_ERRORS as err:
            line = err.lineno if isinstance(err, SyntaxError) else None
            message = (err.msg if isinstance(err, SyntaxError) else str(err)) or type(err).__name__
            raise StageFailure(
                ExtractError(stage=STAGE, kind="symtable_error", message=message, line=line)
            ) from err
        # The raw table: the wrapper objects cost more than the analysis itself.
        return table._table  # type: ignore[attr-defined]

    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        scopes = _Scopes(self._top())
        scope_ids = derive_ids(self.unit.file_id, SCOPE_TAG, np.arange(len(scopes.tables)))
        return {
            SYMTABLE_SCOPES.name: self._scopes(scopes, scope_ids),
            SYMTABLE_SYMBOLS.name: self._symbols(scopes, scope_ids),
        }

    def _scopes(self, scopes: _Scopes, scope_ids: np.ndarray) -> pa.RecordBatch:
        tables = scopes.tables
        count = len(tables)
        types = [_type_name(t) for t in tables]
        keys = [(kind, t.name, t.lineno) for kind, t in zip(types, tables, strict=True)]
        spans = self.scope_nodes.spans(self.unit.line_index, len(self.unit.source.utf8))
        found = np.array(self.scope_nodes.match(keys, scopes.parents, symtable_key, spans), np.int64)
        anchored = found >= 0
        node_ids = np.full(count, -1, np.int64)
        ordinals = np.array(self.scope_nodes.ordinals, np.int64)[found[anchored]]
        node_ids[anchored] = derive_ids(self.unit.file_id, AST_TAG, ordinals)
        bounds = np.array(spans, np.int64).reshape(-1, 2)[np.maximum(found, 0)]
        bounds[~anchored] = -1
        parents = np.array(scopes.parents, np.int64)
        columns = [
            pa.array(scope_ids),
            repeated(self.unit.file_id, count),
            pa.array(np.arange(count, dtype=np.int32)),
            with_nulls(scope_ids[np.maximum(parents, 0)], parents < 0, pa.int64()),
            pa.array(types, pa.string()),
            pa.array([t.name for t in tables], pa.string()),
            pa.array(scopes.qualnames, pa.string()),
            int32s([t.lineno for t in tables]),
            with_nulls(node_ids, ~anchored, pa.int64()),
            minus_one_as_null(bounds[:, 0], pa.int64()),
            minus_one_as_null(bounds[:, 1], pa.int64()),
            pa.array([bool(t.nested) for t in tables], pa.bool_()),
            pa.array([bool(t.children) for t in tables], pa.bool_()),
            int32s([len(t.symbols) for t in tables]),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[SYMTABLE_SCOPES.name])

    def _symbols(self, scopes: _Scopes, scope_ids: np.ndarray) -> pa.RecordBatch:
        names: list[str] = []
        flags: list[int] = []
        sizes: list[int] = []
        namespaces: list[bool] = []
        for table in scopes.tables:
            # By name: the interpreter adds the free variables a scope only passes through to
            # nested scopes in set order, which follows the hash seed of each process.
            symbols = sorted(table.symbols.items())
            names.extend(name for name, _ in symbols)
            flags.extend(flag for _, flag in symbols)
            sizes.append(len(symbols))
            if table.children:
                children = {child.name for child in table.children}
                namespaces.extend(name in children for name, _ in symbols)
            else:
                namespaces.extend([False] * len(symbols))
        count = len(names)
        scope_of = np.repeat(np.arange(len(scopes.tables)), sizes)
        module = np.array([t.type == _symtable.TYPE_MODULE for t in scopes.tables], dtype=bool)
        raw = np.array(flags, dtype=np.int64)
        decoded = decode_symbol_flags(raw, module[scope_of])
        decoded["is_namespace"] = np.array(namespaces, dtype=bool)
        scope_codes = (raw >> _symtable.SCOPE_OFF) & _symtable.SCOPE_MASK
        columns = [
            pa.array(derive_ids(self.unit.file_id, SYMBOL_TAG, np.arange(count))),
            pa.array(scope_ids[scope_of]),
            repeated(self.unit.file_id, count),
            pa.array(np.arange(count, dtype=np.int32)),
            pa.array(names, pa.string()),
            int32s(raw),
            _SCOPE_KINDS.take(pa.array(scope_codes)),
            *(pa.array(decoded[column]) for column in SYMBOL_FLAG_COLUMNS),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=_SCHEMAS[SYMTABLE_SYMBOLS.name])
