"""Rule definitions: consistency checks and exact round trips through the derived Arrow schema."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from codeanatomy_core.relspec.errors import RuleError
from codeanatomy_core.relspec.model import (
    ConfidencePolicy,
    DatasetRef,
    Join,
    JoinType,
    Projection,
    RelationalBody,
    RuleDefinition,
    RuleTemplate,
)
from codeanatomy_core.relspec.rows import RuleRow, TemplateRow, rule_of, rule_row, template_of
from codeanatomy_core.specs.codec import StructCodec


def test_rule_rows_round_trip_through_the_derived_schema(tiny: Any) -> None:
    rules = [
        tiny.rule(),
        tiny.rule(name="scored", confidence=ConfidencePolicy(expr="l.score", minimum=0.5, origin="test")),
        tiny.rule(
            name="plain",
            priority=3,
            templates=("t",),
            body=msgspec.structs.replace(tiny.rule().body, winner=None),
        ),
    ]
    codec = StructCodec(RuleRow, name="registry_relspec_rules")
    rows = [rule_row(r, bundle="b", place=f"m.{r.name}") for r in rules]
    table = codec.encode(rows)
    assert table.schema.field("body").type.num_fields == 5  # derived, never written by hand
    decoded = codec.decode(table)
    assert decoded == rows
    assert [rule_of(row) for row in decoded] == rules


def test_template_rows_round_trip() -> None:
    template = RuleTemplate(
        name="t",
        description="d",
        output="pairs",
        required=("a",),
        defaults=(Projection(column="b", expr="1"),),
    )
    codec = StructCodec(TemplateRow, name="registry_relspec_rule_templates")
    row = TemplateRow(**msgspec.structs.asdict(template), bundle="b", place="m", used_by=("r",))
    assert codec.decode(codec.encode([row])) == [row]
    assert template_of(row) == template


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"inputs": ("items",)},
            r"rule 'best_pairs': inputs \['items'\] differ from the datasets the body reads",
        ),
        ({"name": "not a name"}, r"name 'not a name' is not an identifier"),
    ],
)
def test_inconsistent_rules_are_refused_naming_the_rule(
    tiny: Any, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(RuleError, match=message):
        tiny.rule(**changes)


def test_body_checks_name_the_rule(tiny: Any) -> None:
    body = tiny.rule().body
    twice = msgspec.structs.replace(body, joins=(Join(alias="l", dataset="items", keys=body.joins[0].keys),))
    with pytest.raises(RuleError, match=r"rule 'best_pairs': alias 'l' is used twice"):
        tiny.rule(body=twice)
    keyless = msgspec.structs.replace(
        body, joins=(Join(alias="a", dataset="items", keys=(), how=JoinType.LEFT),)
    )
    with pytest.raises(RuleError, match=r"join of 'items' as 'a' has no keys"):
        tiny.rule(body=keyless)
    doubled = msgspec.structs.replace(body, projection=body.projection + body.projection[:1])
    with pytest.raises(RuleError, match=r"output column 'src_name' is projected twice"):
        tiny.rule(body=doubled)


def test_rules_are_frozen_and_compare_by_value(tiny: Any) -> None:
    rule = tiny.rule()
    assert rule == tiny.rule()
    assert hash(rule.output) == hash(tiny.rule().output)
    with pytest.raises(AttributeError):
        rule.name = "other"
    assert isinstance(rule, RuleDefinition)
    assert RelationalBody(source=DatasetRef(alias="x", dataset="items"), projection=()).datasets() == (
        "items",
    )
