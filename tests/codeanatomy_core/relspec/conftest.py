"""A tiny catalog (items and links, plus a normalize output) and rules over it."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pytest

from codeanatomy_core.relspec.bundles import RuleBundle, RuleRegistry
from codeanatomy_core.relspec.compiler import DatasetHandler, RuleCompiler
from codeanatomy_core.relspec.model import (
    DatasetRef,
    Join,
    JoinKey,
    OrderKey,
    Projection,
    RelationalBody,
    RuleDefinition,
    RuleDomain,
    RuleOutput,
    WinnerSelection,
)
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.model import DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.types import FLOAT64, INT64, STRING

ITEMS = DatasetSpec(
    name="items",
    domain=Domain.EXTRACT,
    description="items",
    fields=(
        FieldSpec(name="item_id", dtype=INT64, nullable=False),
        FieldSpec(name="file_id", dtype=INT64, nullable=False),
        FieldSpec(name="name", dtype=STRING),
    ),
    key=("item_id",),
    file_id_column="file_id",
)
LINKS = DatasetSpec(
    name="links",
    domain=Domain.EXTRACT,
    description="candidate links between items",
    fields=(
        FieldSpec(name="src", dtype=INT64, nullable=False),
        FieldSpec(name="dst", dtype=INT64, nullable=False),
        FieldSpec(name="score", dtype=FLOAT64, nullable=False),
    ),
)
PAIRS = DatasetSpec(
    name="pairs",
    domain=Domain.NORMALIZE,
    description="named pairs",
    fields=(
        FieldSpec(name="src_name", dtype=STRING, nullable=False),
        FieldSpec(name="dst_name", dtype=STRING),
        FieldSpec(name="confidence", dtype=FLOAT64, nullable=False),
        FieldSpec(name="origin", dtype=STRING, nullable=False),
    ),
)


def pairs_rule(**changes: object) -> RuleDefinition:
    """links joined to items on both ends; the best link per source wins."""
    body = RelationalBody(
        source=DatasetRef(alias="l", dataset="links"),
        joins=(
            Join(alias="a", dataset="items", keys=(JoinKey(left="l.src", right="item_id"),)),
            Join(alias="b", dataset="items", keys=(JoinKey(left="l.dst", right="item_id"),)),
        ),
        filters=("l.score > 0",),
        projection=(
            Projection(column="src_name", expr="a.name"),
            Projection(column="dst_name", expr="b.name"),
            Projection(column="score", expr="l.score"),
        ),
        winner=WinnerSelection(
            partition_by=("src_name",),
            order_by=(OrderKey(column="score", descending=True), OrderKey(column="dst_name")),
        ),
    )
    fields: dict[str, object] = {
        "name": "best_pairs",
        "domain": RuleDomain.NORMALIZE,
        "inputs": ("items", "links"),
        "output": RuleOutput(dataset="pairs"),
        "body": body,
        "description": "the best link of every item, by name",
    }
    fields.update(changes)
    return RuleDefinition(**fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Tiny:
    catalog: SpecCatalog

    def rule(self, **changes: object) -> RuleDefinition:
        return pairs_rule(**changes)

    def compiler(self) -> RuleCompiler:
        return RuleCompiler(catalog=self.catalog, handlers=[DatasetHandler(RuleDomain.NORMALIZE)])

    def registry(self, *rules: RuleDefinition) -> RuleRegistry:
        bundle = RuleBundle("tiny", place="tests.tiny")
        for rule in rules or (pairs_rule(),):
            bundle.add(rule, place=f"tests.tiny.{rule.name}")
        return RuleRegistry([bundle])

    def data(self) -> dict[str, pa.Table]:
        return {
            "items": pa.table({"item_id": [1, 2, 3], "file_id": [10, 10, 11], "name": ["a", "b", "c"]}),
            "links": pa.table({"src": [1, 1, 2, 3], "dst": [2, 3, 3, 1], "score": [0.5, 0.9, 0.4, 0.0]}),
        }


@pytest.fixture(scope="session")
def tiny() -> Tiny:
    return Tiny(catalog=SpecCatalog([ITEMS, LINKS, PAIRS]))
