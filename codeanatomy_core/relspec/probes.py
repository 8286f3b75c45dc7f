"""Probe queries of owned rules: which files one file group of a rule connects.

An ``OWNED`` rule (see :mod:`codeanatomy_core.relspec.scoping`) joins rows of its owner's
file with rows another file group reaches through the group's root join. Two questions
drive an incremental build, each one query built from the rule's own parts:

* :func:`owner_probe_sql`: the owner files whose rows reach, through the root join's keys,
  one of the key tuples in a registered table (the root rows of changed files): those
  owners' rows may have changed although their own input rows did not;
* :func:`target_probe_sql`: the files of the root rows the rows of given owners (a
  registered id table) reach: the rows a restricted evaluation must load for that group.

Only the owner-group joins the keys need are kept, and filters are dropped: the answers
are supersets, which is what a file set to rebuild (or to load) may be.
"""

from __future__ import annotations

from codeanatomy_core.relspec.errors import RuleError
from codeanatomy_core.relspec.model import Join, RuleDefinition
from codeanatomy_core.relspec.scoping import FileGroup, RuleScope, ScopeKind, aliases_in
from codeanatomy_core.relspec.sql import join_clause, quote

KEY_PREFIX = "k"
PROBE_KEYS = "probe_keys"
PROBE_OWNERS = "probe_owners"


def _needed_joins(rule: RuleDefinition, scope: RuleScope, group: FileGroup) -> list[Join]:
    """Owner-group joins the group's keys and the owner column need (in body order)."""
    if scope.kind is not ScopeKind.OWNED or scope.owner is None:
        raise RuleError(f"rule {rule.name!r} is not an owned rule: no probe queries")
    joins = {j.alias: j for j in rule.body.joins if j.alias in scope.owner_aliases}
    owners = list(scope.owner_aliases)
    wanted = set().union(*(aliases_in(k.left, owners) for k in group.keys)) | {scope.owner}
    pending = list(wanted)
    while pending:
        join = joins.get(pending.pop())
        if join is None:
            continue
        for key in join.keys:
            for alias in aliases_in(key.left, owners) - wanted:
                wanted.add(alias)
                pending.append(alias)
    return [j for j in rule.body.joins if j.alias in wanted and j.alias in joins]


def _owner_from(rule: RuleDefinition, scope: RuleScope, group: FileGroup) -> list[str]:
    source = rule.body.source
    lines = [
        f"SELECT DISTINCT {scope.owner}.{quote(scope.owner_column or '')} AS file_id",
        f"FROM {quote(source.dataset)} AS {source.alias}",
    ]
    return lines + [join_clause(j) for j in _needed_joins(rule, scope, group)]


def key_columns(group: FileGroup) -> tuple[str, ...]:
    """Names of the key columns of a probe key table (one per root join key, in order)."""
    return tuple(f"{KEY_PREFIX}{i}" for i in range(len(group.keys)))


def key_rows_sql(group: FileGroup, *, dataset: str, files_table: str) -> str:
    """The distinct key tuples of ``dataset`` (the root's rows, of any version) in the files
    of ``files_table`` (column ``id``), named like :func:`key_columns`."""
    columns = ", ".join(
        f"r.{quote(k.right)} AS {name}" for k, name in zip(group.keys, key_columns(group), strict=True)
    )
    return (
        f"SELECT DISTINCT {columns} FROM {quote(dataset)} AS r "
        f"INNER JOIN {quote(files_table)} AS f ON f.id = r.{quote(group.file_column)}"
    )


def owner_probe_sql(rule: RuleDefinition, scope: RuleScope, group: FileGroup, *, keys_table: str) -> str:
    """Owner files (column ``file_id``) whose rows reach a key tuple of ``keys_table``."""
    names = key_columns(group)
    keys = " AND ".join(f"{PROBE_KEYS}.{n} = ({k.left})" for n, k in zip(names, group.keys, strict=True))
    lines = _owner_from(rule, scope, group)
    lines.append(f"INNER JOIN {quote(keys_table)} AS {PROBE_KEYS} ON {keys}")
    return "\n".join(lines)


def target_probe_sql(rule: RuleDefinition, scope: RuleScope, group: FileGroup, *, owners_table: str) -> str:
    """Files (column ``file_id``) of the root rows that rows of the owners in
    ``owners_table`` (column ``id``) reach through the group's root join."""
    lines = _owner_from(rule, scope, group)
    lines[0] = f"SELECT DISTINCT {group.root}.{quote(group.file_column)} AS file_id"
    owner = f"{scope.owner}.{quote(scope.owner_column or '')}"
    lines.append(f"INNER JOIN {quote(owners_table)} AS {PROBE_OWNERS} ON {PROBE_OWNERS}.id = {owner}")
    root = next(j for j in rule.body.joins if j.alias == group.root)
    lines.append(join_clause(Join(alias=root.alias, dataset=root.dataset, keys=root.keys)))
    return "\n".join(lines)
