"""Registry table of the normalize domain beyond its dataset/field/policy/template tables.

``registry_normalize_rule_families``: one row per normalize dataset that relationship rules
read, the family of those rules: what they derive (kinds), and the vocabulary of the
dataset's resolution ``method`` column (from its contract), so a reader sees how each
normalize table reaches the graph and with which resolution methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Annotated

import msgspec

from codeanatomy_core.registry.relspec_tables import SnapshotSource
from codeanatomy_core.registry.table import RegistryTable, SpecSources
from codeanatomy_core.specs.model import Domain

RULE_FAMILIES_TABLE = "registry_normalize_rule_families"
METHOD_COLUMN = "method"


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class RuleFamilyRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    family: Annotated[str, _doc("the normalize dataset the rules of the family read")]
    description: Annotated[str, _doc("what one row of that dataset is")]
    rules: Annotated[tuple[str, ...], _doc("rules reading it, sorted")]
    kinds: Annotated[tuple[str, ...], _doc("node and edge kinds those rules produce, sorted")]
    methods: Annotated[tuple[str, ...], _doc("resolution methods its rows may carry (contract vocabulary)")]
    file_id_column: Annotated[str | None, _doc("column scoping its rows to a file")]


def rule_family_rows(source: SnapshotSource, sources: SpecSources) -> list[RuleFamilyRow]:
    runtime = source.runtime
    rows = []
    for spec in sources.datasets(Domain.NORMALIZE):
        rules = [r for r in runtime.registry if spec.name in r.inputs]
        if not rules:
            continue
        rows.append(
            RuleFamilyRow(
                family=spec.name,
                description=spec.description,
                rules=tuple(r.name for r in rules),
                kinds=tuple(sorted({r.output.kind for r in rules if r.output.kind})),
                methods=tuple(spec.contract.allowed_values.get(METHOD_COLUMN, ())),
                file_id_column=spec.file_id_column,
            )
        )
    return rows


def unread_warnings(sources: SpecSources, rows: Sequence[msgspec.Struct]) -> list[str]:
    read = {row.family for row in rows if isinstance(row, RuleFamilyRow)}
    return [
        f"normalize dataset {spec.name!r} is read by no relationship rule"
        for spec in sources.datasets(Domain.NORMALIZE)
        if spec.name not in read
    ]


def normalize_tables(source: SnapshotSource) -> tuple[RegistryTable, ...]:
    return (
        RegistryTable(
            name=RULE_FAMILIES_TABLE,
            describes=Domain.NORMALIZE,
            row_type=RuleFamilyRow,
            rows=partial(rule_family_rows, source),
            key=("family",),
            description="Every normalize dataset rules read: the rules, the kinds they derive, the "
            "resolution methods its rows carry.",
            checks=unread_warnings,
        ),
    )
