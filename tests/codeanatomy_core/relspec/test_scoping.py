"""Rule scopes (local, owned, full) and the probe queries of owned rules, on a small catalog."""

from __future__ import annotations

import msgspec
import pyarrow as pa
import pytest

from codeanatomy_core.relspec.compiler import rule_session
from codeanatomy_core.relspec.model import (
    DatasetRef,
    Join,
    JoinKey,
    JoinType,
    OrderKey,
    Projection,
    RelationalBody,
    RuleDefinition,
    RuleDomain,
    RuleOutput,
    WinnerSelection,
)
from codeanatomy_core.relspec.probes import key_rows_sql, owner_probe_sql, target_probe_sql
from codeanatomy_core.relspec.scoping import RuleScope, ScopeKind, is_file_local, rule_scope
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.model import DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.types import INT64, STRING


def _spec(name: str, columns: tuple[str, ...], *, file_column: str | None = "file_id") -> DatasetSpec:
    fields = tuple(FieldSpec(name=c, dtype=STRING if c == "name" else INT64) for c in columns)
    return DatasetSpec(
        name=name,
        domain=Domain.NORMALIZE,
        description=name,
        fields=fields,
        file_id_column=file_column,
    )


CATALOG = SpecCatalog(
    [
        _spec("calls", ("call_id", "file_id", "target_id")),
        _spec("defs", ("def_id", "file_id", "bstart", "name")),
        _spec("nodes", ("node_id", "file_id", "bstart")),
        _spec("notes", ("note_id", "file_id", "name"), file_column=None),
    ]
)


def _rule(
    source: DatasetRef, joins: tuple[Join, ...], projection: dict[str, str], **body: object
) -> RuleDefinition:
    relational = RelationalBody(
        source=source,
        joins=joins,
        projection=tuple(Projection(column=c, expr=e) for c, e in projection.items()),
        **body,  # type: ignore[arg-type]
    )
    return RuleDefinition(
        name="probe_me",
        domain=RuleDomain.NORMALIZE,
        inputs=relational.datasets(),
        output=RuleOutput(dataset="calls"),
        body=relational,
    )


def _key(left: str, right: str) -> JoinKey:
    return JoinKey(left=left, right=right)


TARGET = Join(alias="t", dataset="defs", keys=(_key("c.target_id", "def_id"),), how=JoinType.LEFT)
ANCHOR = Join(
    alias="n",
    dataset="nodes",
    keys=(_key("t.file_id", "file_id"), _key("t.bstart", "bstart")),
    how=JoinType.LEFT,
)
OWNED = _rule(
    DatasetRef(alias="c", dataset="calls"),
    (TARGET, ANCHOR),
    {"call_id": "c.call_id", "file_id": "c.file_id", "target_id": "n.node_id"},
)


def scope(rule: RuleDefinition) -> RuleScope:
    return rule_scope(rule, CATALOG, projection=rule.body.projection)


def test_a_rule_over_its_own_file_is_local() -> None:
    local = _rule(
        DatasetRef(alias="c", dataset="calls"), (), {"call_id": "c.call_id", "file_id": "c.file_id"}
    )
    found = scope(local)
    assert (found.kind, found.owner, found.owner_column, found.groups) == (
        ScopeKind.LOCAL,
        "c",
        "file_id",
        (),
    )
    assert is_file_local(local, CATALOG)


def test_a_join_reaching_any_file_starts_a_group_with_what_is_bound_to_it() -> None:
    found = scope(OWNED)
    assert found.kind is ScopeKind.OWNED
    assert found.owner_datasets == ("calls",)
    (group,) = found.groups
    assert (group.root, group.dataset, group.aliases, group.datasets) == (
        "t",
        "defs",
        ("t", "n"),
        ("defs", "nodes"),
    )
    assert [(k.right, k.left) for k in group.keys] == [("def_id", "c.target_id")]
    assert not is_file_local(OWNED, CATALOG)


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        (
            _rule(DatasetRef(alias="c", dataset="calls"), (), {"call_id": "c.call_id", "file_id": "0"}),
            "is not a file column of its source",
        ),
        (
            _rule(DatasetRef(alias="x", dataset="notes"), (), {"call_id": "x.note_id"}),
            "is not scoped by file",
        ),
        (
            _rule(
                DatasetRef(alias="c", dataset="calls"),
                (TARGET, Join(alias="u", dataset="defs", keys=(_key("t.name", "name"),))),
                {"call_id": "c.call_id", "file_id": "c.file_id"},
            ),
            "keyed on another file group",
        ),
        (
            _rule(
                DatasetRef(alias="c", dataset="calls"),
                (),
                {"call_id": "c.call_id", "file_id": "c.file_id", "target_id": "c.target_id"},
                winner=WinnerSelection(partition_by=("target_id",), order_by=(OrderKey(column="call_id"),)),
            ),
            "not partitioned by file",
        ),
    ],
)
def test_other_rules_are_evaluated_over_every_file(rule: RuleDefinition, reason: str) -> None:
    found = scope(rule)
    assert found.kind is ScopeKind.FULL
    assert reason in found.reason


def _data() -> dict[str, pa.Table]:
    # file 1 calls a definition of file 2 and one of file 3; file 4 calls file 3; file 5 calls nothing known
    return {
        "calls": pa.table(
            {"call_id": [10, 11, 12, 13], "file_id": [1, 1, 4, 5], "target_id": [20, 30, 31, 99]}
        ),
        "defs": pa.table(
            {"def_id": [20, 30, 31], "file_id": [2, 3, 3], "bstart": [0, 5, 9], "name": ["f", "g", "h"]}
        ),
        "nodes": pa.table({"node_id": [200, 300, 310], "file_id": [2, 3, 3], "bstart": [0, 5, 9]}),
    }


def _files(ctx: object, sql: str) -> set[int]:
    return set(ctx.sql(sql).to_arrow_table().column("file_id").to_pylist())  # type: ignore[attr-defined]


def test_owner_probe_finds_the_files_whose_rows_reach_changed_rows() -> None:
    found = scope(OWNED)
    (group,) = found.groups
    ctx = rule_session(_data())
    ctx.register_record_batches("changed", [[pa.record_batch({"id": pa.array([3], pa.int64())})]])
    keys = ctx.sql(key_rows_sql(group, dataset="defs", files_table="changed")).to_arrow_table()
    assert sorted(keys.column("k0").to_pylist()) == [30, 31]
    ctx.register_record_batches("keys", [keys.to_batches()])
    assert _files(ctx, owner_probe_sql(OWNED, found, group, keys_table="keys")) == {1, 4}


def test_target_probe_finds_the_files_rebuilt_owners_reach() -> None:
    found = scope(OWNED)
    (group,) = found.groups
    ctx = rule_session(_data())
    ctx.register_record_batches("owners", [[pa.record_batch({"id": pa.array([1, 5], pa.int64())})]])
    assert _files(ctx, target_probe_sql(OWNED, found, group, owners_table="owners")) == {2, 3}


def test_scopes_are_plain_data() -> None:
    found = scope(OWNED)
    assert msgspec.json.decode(msgspec.json.encode(found), type=RuleScope) == found
