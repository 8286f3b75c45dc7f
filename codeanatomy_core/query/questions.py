"""The common questions, answered from the resolution tables of the warehouse.

``callers`` and ``callees`` read the same resolved call edges (``call_targets``) that the
call-graph export prints, so both always agree; ``refs`` reads ``ref_bindings``,
``imports`` the ``imports`` table, and ``unused`` every definition that nothing
references, calls or imports. A NAME matches a qualified name exactly or as its dotted
suffix (``helper`` matches ``pkg.mod.helper`` and ``pkg.mod.Class.helper``).
"""

from __future__ import annotations

from enum import StrEnum

import pyarrow as pa

from codeanatomy_core.query.api import WarehouseLike, sql
from codeanatomy_core.query.entry_points import entry_point_names


class Question(StrEnum):
    CALLERS = "callers"
    CALLEES = "callees"
    REFS = "refs"
    IMPORTS = "imports"
    UNUSED = "unused"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _matches(column: str, name: str) -> str:
    # ends_with rather than LIKE: '_' in Python names is a LIKE wildcard.
    return f"({column} = {_literal(name)} OR ends_with({column}, {_literal('.' + name)}))"


_CALL_ROWS = """
SELECT DISTINCT caller.qualified_name AS caller, t.target_name AS callee, f.path AS path,
       c.line AS line, t.method AS method, t.confidence AS confidence
FROM call_targets t
JOIN definitions caller ON caller.def_id = t.caller_def_id
JOIN callsites c ON c.callsite_id = t.callsite_id
JOIN source_files f ON f.file_id = t.file_id
WHERE {where}
ORDER BY caller, line, callee
"""


def callers(name: str, *, warehouse: WarehouseLike) -> pa.Table:
    """Every resolved call of ``name``: caller, callee, where, how, confidence."""
    return sql(_CALL_ROWS.format(where=_matches("t.target_name", name)), warehouse=warehouse)


def callees(name: str, *, warehouse: WarehouseLike) -> pa.Table:
    """Everything ``name`` calls (its own body; nested functions are callers of their own)."""
    return sql(_CALL_ROWS.format(where=_matches("caller.qualified_name", name)), warehouse=warehouse)


def refs(name: str, *, warehouse: WarehouseLike) -> pa.Table:
    """Every name reference resolved to ``name``."""
    text = f"""
    SELECT DISTINCT b.target_name AS definition, r.name AS name, r.context AS context, f.path AS path,
           r.line AS line, r.col AS col, b.method AS method, b.confidence AS confidence
    FROM ref_bindings b
    JOIN name_refs r ON r.ref_id = b.ref_id
    JOIN source_files f ON f.file_id = b.file_id
    WHERE {_matches("b.target_name", name)}
    ORDER BY path, line, col, definition
    """
    return sql(text, warehouse=warehouse)


def imports(module: str, *, warehouse: WarehouseLike) -> pa.Table:
    """What ``module`` imports, resolved to repository definitions or external symbols."""
    text = f"""
    SELECT f.module_name AS module, i.target_name AS imported, i.target_kind AS target_kind,
           i.bound_name AS bound_name, i.is_star AS is_star, i.line AS line
    FROM imports i
    JOIN source_files f ON f.file_id = i.file_id
    WHERE {_matches("f.module_name", module)}
    ORDER BY module, line, imported
    """
    return sql(text, warehouse=warehouse)


_UNUSED = """
WITH used AS (
    SELECT target_def_id AS def_id FROM call_targets WHERE target_def_id IS NOT NULL
    UNION SELECT target_def_id FROM ref_bindings WHERE target_def_id IS NOT NULL
    UNION SELECT target_def_id FROM imports WHERE target_def_id IS NOT NULL
    UNION SELECT def_id FROM decorators
),
-- Conservative: a name used as an attribute anywhere may reach the definition through a
-- receiver resolution could not type (parameters, containers); it is not reported.
attribute_names AS (SELECT DISTINCT name FROM ast_nodes WHERE kind = 'Attribute'),
-- Methods of classes with a base outside the repository may be hooks the framework calls.
hook_scopes AS (
    SELECT DISTINCT s.scope_id
    FROM class_bases b JOIN scopes s ON s.definition_id = b.class_def_id
    WHERE b.keyword IS NULL AND b.target_kind <> 'definition'
)
SELECT d.qualified_name AS definition, d.kind AS kind, f.path AS path, d.line AS line
FROM definitions d
JOIN source_files f ON f.file_id = d.file_id
LEFT JOIN used u ON u.def_id = d.def_id
LEFT JOIN attribute_names a ON a.name = d.name
LEFT JOIN hook_scopes h ON d.is_method AND h.scope_id = d.scope_id
WHERE u.def_id IS NULL AND a.name IS NULL AND h.scope_id IS NULL
  AND d.kind IN ('class', 'function', 'async_function')
  AND NOT (d.name LIKE '\\_\\_%' ESCAPE '\\' AND d.name LIKE '%\\_\\_' ESCAPE '\\')
  AND NOT d.is_property
ORDER BY path, line
"""


def unused(*, warehouse: WarehouseLike, root: str | None = None) -> pa.Table:
    """Classes and functions nothing calls, references, imports or decorates, and whose name
    is never used as an attribute (``obj.name``) anywhere.

    Left out as entry points: dunder methods, methods of classes with a base outside the
    repository (framework hooks), test functions and classes (``test_*`` /
    ``Test*``), and the console scripts and entry points declared in ``root``'s
    ``pyproject.toml`` when ``root`` is given.
    """
    table = sql(_UNUSED, warehouse=warehouse)
    declared = entry_point_names(root) if root is not None else frozenset()
    keep = []
    for definition, path in zip(
        table.column("definition").to_pylist(), table.column("path").to_pylist(), strict=True
    ):
        short = definition.rsplit(".", 1)[-1]
        is_test = short.startswith(("test_", "Test")) and "test" in path.rsplit("/", 1)[-1]
        keep.append(not is_test and definition not in declared)
    return table.filter(pa.array(keep, pa.bool_()))
