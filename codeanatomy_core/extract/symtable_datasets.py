"""Specs of the symbol-table tables: scopes and the symbols of each scope, with their flags."""

from __future__ import annotations

from codeanatomy_core.extract.datasets import file_dataset
from codeanatomy_core.specs import FieldSpec
from codeanatomy_core.specs.templates import BYTE_SPAN, FILE_SCOPED
from codeanatomy_core.specs.types import BOOL, INT32, INT64, STRING

SCOPE_TAG = "symtable_scope"
SYMBOL_TAG = "symtable_symbol"

(_FILE_ID,) = FILE_SCOPED.apply()

SYMTABLE_SCOPES = file_dataset(
    "symtable_scopes",
    description="Every scope (symbol table) the interpreter's symtable module reports for a file, "
    "anchored to the syntax-tree node that opens it.",
    fields=(
        FieldSpec(
            name="scope_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {SCOPE_TAG!r}, ordinal)",
        ),
        _FILE_ID,
        FieldSpec(
            name="ordinal",
            dtype=INT32,
            nullable=False,
            description="pre-order index in the file (children in symtable order)",
        ),
        FieldSpec(name="parent_scope_id", dtype=INT64, description="null for the module scope"),
        FieldSpec(
            name="scope_type",
            dtype=STRING,
            nullable=False,
            description="SymbolTable.get_type() of the running Python: module, class, function, ...",
        ),
        FieldSpec(
            name="name",
            dtype=STRING,
            nullable=False,
            description="SymbolTable.get_name(): 'top' for the module, 'lambda', 'listcomp', ...",
        ),
        FieldSpec(
            name="qualified_name",
            dtype=STRING,
            nullable=False,
            description="dotted names from the module down, e.g. Outer.method.inner; '' for the module",
        ),
        FieldSpec(name="lineno", dtype=INT32, nullable=False, description="SymbolTable.get_lineno()"),
        FieldSpec(
            name="ast_node_id",
            dtype=INT64,
            description="the Module/FunctionDef/ClassDef/Lambda/comprehension node (ast_nodes) "
            "opening the scope, matched by type, name and line; null if not anchored",
        ),
        *BYTE_SPAN.apply(nullable=True, descriptions={"bstart": "byte span of that node (module: the file)"}),
        FieldSpec(name="is_nested", dtype=BOOL, nullable=False, description="SymbolTable.is_nested()"),
        FieldSpec(name="has_children", dtype=BOOL, nullable=False, description="SymbolTable.has_children()"),
        FieldSpec(name="symbol_count", dtype=INT32, nullable=False),
    ),
    key="scope_id",
    bloom="qualified_name",
)

SYMBOL_FLAG_COLUMNS: tuple[str, ...] = (
    "is_local",
    "is_global",
    "is_declared_global",
    "is_implicit_global",
    "is_nonlocal",
    "is_free",
    "is_cell",
    "is_parameter",
    "is_imported",
    "is_assigned",
    "is_referenced",
    "is_annotated",
    "is_namespace",
)

_FLAG_DESCRIPTIONS = {
    "is_declared_global": "declared with a global statement (Symbol.is_declared_global)",
    "is_implicit_global": "global but not declared: is_global and not is_declared_global",
    "is_cell": "a local captured by a nested scope (scope CELL)",
    "is_namespace": "bound by a def/class/lambda/comprehension scope of this name (Symbol.is_namespace)",
}

SYMTABLE_SYMBOLS = file_dataset(
    "symtable_symbols",
    description="Every symbol of every symtable scope, with the interpreter's flags as booleans.",
    fields=(
        FieldSpec(
            name="symbol_id",
            dtype=INT64,
            nullable=False,
            description=f"derive_ids(file_id, {SYMBOL_TAG!r}, ordinal)",
        ),
        FieldSpec(name="scope_id", dtype=INT64, nullable=False, description="the scope (symtable_scopes)"),
        _FILE_ID,
        FieldSpec(
            name="ordinal",
            dtype=INT32,
            nullable=False,
            description="index in the file: scopes in pre-order, each scope's symbols by name",
        ),
        FieldSpec(name="name", dtype=STRING, nullable=False),
        FieldSpec(name="flags", dtype=INT32, nullable=False, description="raw symtable flag word"),
        FieldSpec(
            name="scope_kind",
            dtype=STRING,
            description="local / global_explicit / global_implicit / free / cell; null if unresolved",
        ),
        *(
            FieldSpec(
                name=column,
                dtype=BOOL,
                nullable=False,
                description=_FLAG_DESCRIPTIONS.get(column, f"Symbol.{column}()"),
            )
            for column in SYMBOL_FLAG_COLUMNS
        ),
    ),
    key="symbol_id",
    spans=False,
    bloom="name",
)

DATASETS = (SYMTABLE_SCOPES, SYMTABLE_SYMBOLS)
