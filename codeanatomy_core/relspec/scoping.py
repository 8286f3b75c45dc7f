"""Which rules are file-local: their rows for a file depend only on that file's input rows.

A rule is file-local when its source dataset is scoped by file (``file_id_column``), every
join binds the joined dataset to the same file (one of its keys equates the joined
dataset's file-id column with the file-id column of an alias already bound), and the rows
it produces belong to that file (its ``file_id`` is a bound file-id column). Such a rule
could run on the inputs of changed files alone; every other rule is *global* (it reads
other files' rows, e.g. resolution targets, or makes rows of no file, e.g. external symbols).
"""

from __future__ import annotations

from codeanatomy_core.relspec.model import RuleDefinition
from codeanatomy_core.specs.catalog import SpecCatalog


def file_column(catalog: SpecCatalog, dataset: str) -> str | None:
    return catalog.get(dataset).file_id_column if dataset in catalog else None


def is_file_local(rule: RuleDefinition, catalog: SpecCatalog) -> bool:
    body = rule.body
    source_column = file_column(catalog, body.source.dataset)
    if source_column is None:
        return False
    bound = {body.source.alias: source_column}
    for join in body.joins:
        column = file_column(catalog, join.dataset)
        if column is None:
            return False
        anchors = {f"{alias}.{col}" for alias, col in bound.items()}
        if not any(key.right == column and key.left.strip() in anchors for key in join.keys):
            return False
        bound[join.alias] = column
    owner = {p.column: p.expr.strip() for p in body.projection}.get("file_id")
    return owner is None or owner in {f"{alias}.{col}" for alias, col in bound.items()}
