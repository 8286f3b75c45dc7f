"""Which rules are file-local: their rows for a file depend only on that file's input rows.

A rule is file-local when its source dataset is scoped by file (``file_id_column``), every
join binds the joined dataset to the same file (one of its keys equates the joined
dataset's file-id column with the file-id column of an alias already bound), and the rows
it produces belong to that file (its ``file_id`` is a bound file-id column). Such a rule
could run on the inputs of changed files alone; every other rule is *global* (it reads
other files' rows, e.g. resolution targets, or makes rows of no file, e.g. external symbols).

:func:`rule_scope` refines this for incremental builds. The aliases of a rule fall into
*file groups*: the source alias and every alias bound to it (directly or through other
bound aliases) form the owner group; a join that binds to no alias already joined starts
a group of its own (e.g. the definition a resolution candidate names, in any file, and
the syntax node bound to that definition's file). A rule is

* ``LOCAL`` when it has only the owner group and its rows belong to the owner's file;
* ``OWNED`` when its rows belong to the owner's file but other groups are joined, each
  through keys computed from the owner group alone: its rows for a file can be rebuilt
  from that file's owner rows plus the rows those keys reach in other files;
* ``FULL`` otherwise (rows of no file, ownership by an expression, winners chosen across
  files, chained groups): it is evaluated over every file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

import msgspec

from codeanatomy_core.relspec.model import Projection, RuleDefinition
from codeanatomy_core.specs.catalog import SpecCatalog

FILE_ID = "file_id"
_COLUMN_REF = re.compile(r'\b([A-Za-z_]\w*)\.(?:"[^"]+"|[A-Za-z_]\w*)')


class ScopeKind(StrEnum):
    LOCAL = "local"
    OWNED = "owned"
    FULL = "full"


class JoinKeyRef(msgspec.Struct, frozen=True, kw_only=True):
    """One equality key of a group's root join: ``right`` (its column) = ``left`` (SQL)."""

    right: str
    left: str


class FileGroup(msgspec.Struct, frozen=True, kw_only=True):
    """Aliases bound to the file of one root alias (a join reaching another file)."""

    root: str  # alias of the root join
    dataset: str  # dataset of the root join
    file_column: str  # the root dataset's file-id column
    keys: tuple[JoinKeyRef, ...]  # the root join's keys
    aliases: tuple[str, ...]  # root first, then the aliases bound to it
    datasets: tuple[str, ...]  # datasets of those aliases, sorted


class RuleScope(msgspec.Struct, frozen=True, kw_only=True):
    """How one rule's rows depend on the files of its input rows."""

    rule: str
    kind: ScopeKind
    reason: str  # why the rule is FULL ('' otherwise)
    owner: str | None  # owner-group alias whose file-id column is the rows' file
    owner_column: str | None  # its file-id column
    owner_aliases: tuple[str, ...]
    owner_datasets: tuple[str, ...]
    groups: tuple[FileGroup, ...]

    @property
    def group_datasets(self) -> tuple[str, ...]:
        return tuple(sorted({d for g in self.groups for d in g.datasets}))


def file_column(catalog: SpecCatalog, dataset: str) -> str | None:
    return catalog.get(dataset).file_id_column if dataset in catalog else None


def aliases_in(expr: str, aliases: Sequence[str]) -> set[str]:
    """The aliases ``expr`` refers to as ``alias.column``."""
    known = set(aliases)
    return {alias for alias in _COLUMN_REF.findall(expr) if alias in known}


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


def _full(rule: RuleDefinition, reason: str) -> RuleScope:
    return RuleScope(
        rule=rule.name,
        kind=ScopeKind.FULL,
        reason=reason,
        owner=None,
        owner_column=None,
        owner_aliases=(),
        owner_datasets=(),
        groups=(),
    )


def rule_scope(rule: RuleDefinition, catalog: SpecCatalog, *, projection: Sequence[Projection]) -> RuleScope:
    """The scope of ``rule`` whose effective ``projection`` (templates applied) is given."""
    body = rule.body
    source = body.source
    source_column = file_column(catalog, source.dataset)
    if source_column is None:
        return _full(rule, f"source {source.dataset!r} is not scoped by file")
    files = {source.alias: source_column}  # alias -> its dataset's file-id column
    group_of = {source.alias: 0}
    roots: list[tuple[str, str, str, tuple[JoinKeyRef, ...]]] = []
    for join in body.joins:
        column = file_column(catalog, join.dataset)
        if column is None:
            return _full(rule, f"joined dataset {join.dataset!r} is not scoped by file")
        anchors = {f"{alias}.{col}": alias for alias, col in files.items()}
        bound = [
            anchors[k.left.strip()] for k in join.keys if k.right == column and k.left.strip() in anchors
        ]
        files[join.alias] = column
        if bound:
            group_of[join.alias] = group_of[bound[0]]
            continue
        keys = tuple(JoinKeyRef(right=k.right, left=k.left) for k in join.keys)
        referenced = set().union(*(aliases_in(k.left, list(files)) for k in keys))
        if any(group_of[a] != 0 for a in referenced):
            return _full(rule, f"join {join.alias!r} is keyed on another file group")
        group_of[join.alias] = len(roots) + 1
        roots.append((join.alias, join.dataset, column, keys))
    owner_expr = {p.column: p.expr.strip() for p in projection}.get(FILE_ID)
    owner = next((a for a, c in files.items() if owner_expr == f"{a}.{c}" and group_of[a] == 0), None)
    if owner is None:
        return _full(rule, f"its rows' file ({owner_expr or 'none'}) is not a file column of its source")
    winner = body.winner
    if winner is not None and FILE_ID not in winner.partition_by:
        return _full(rule, "its winner selection is not partitioned by file")
    datasets = {ref.alias: ref.dataset for ref in body.refs()}
    groups = tuple(
        FileGroup(
            root=alias,
            dataset=dataset,
            file_column=column,
            keys=keys,
            aliases=tuple(a for a in files if group_of[a] == index),
            datasets=tuple(sorted({datasets[a] for a in files if group_of[a] == index})),
        )
        for index, (alias, dataset, column, keys) in enumerate(roots, start=1)
    )
    owners = tuple(a for a in files if group_of[a] == 0)
    return RuleScope(
        rule=rule.name,
        kind=ScopeKind.OWNED if groups else ScopeKind.LOCAL,
        reason="",
        owner=owner,
        owner_column=files[owner],
        owner_aliases=owners,
        owner_datasets=tuple(sorted({datasets[a] for a in owners})),
        groups=groups,
    )
