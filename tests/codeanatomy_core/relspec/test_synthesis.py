"""Rules synthesized from dataset contracts: the intent in schema metadata produces the rule."""

from __future__ import annotations

import pytest

from codeanatomy_core.cpg.runtime import default_runtime
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.registry.catalog import is_registry_step
from codeanatomy_core.relspec.errors import RuleError
from codeanatomy_core.relspec.model import RuleDomain, RuleOutput
from codeanatomy_core.relspec.synthesis import COLUMN_KEY, INTENT_KEY, synthesize_rule, synthesize_rules
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.model import DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.types import INT64, STRING

TODOS = DatasetSpec(
    name="todo_comments",
    domain=Domain.EXTRACT,
    description="TODO comments",
    fields=(
        FieldSpec(name="todo_id", dtype=INT64, nullable=False, metadata={INTENT_KEY: "nodes:COMMENT"}),
        FieldSpec(name="file_id", dtype=INT64, nullable=False),
        FieldSpec(name="bstart", dtype=INT64, nullable=False, metadata={COLUMN_KEY: "bstart"}),
        FieldSpec(name="bend", dtype=INT64, nullable=False, metadata={COLUMN_KEY: "bend"}),
        FieldSpec(name="body", dtype=STRING, nullable=False, metadata={COLUMN_KEY: "text"}),
    ),
    key=("todo_id",),
    upstream=("source_files",),
    file_id_column="file_id",
)


def test_the_intent_produces_the_rule() -> None:
    rule = synthesize_rule(TODOS)
    assert rule.name == "todo_comments_comment"
    assert rule.domain is RuleDomain.CPG
    assert rule.inputs == ("todo_comments",)
    assert rule.output == RuleOutput(dataset="cpg_nodes", kind="COMMENT")
    assert {p.column: p.expr for p in rule.body.projection} == {
        "node_id": "t.todo_id",
        "file_id": "t.file_id",
        "bstart": "t.bstart",
        "bend": "t.bend",
        "text": "t.body",
    }
    builtin = synthesize_rule(default_steps().catalog.get("comments"))
    assert synthesize_rules([TODOS, *default_steps().catalog]) == (builtin, rule)


def test_the_builtin_comments_contract_declares_comment_nodes() -> None:
    rule = synthesize_rule(default_steps().catalog.get("comments"))
    assert rule.name == "comments_comment"
    assert rule.output == RuleOutput(dataset="cpg_nodes", kind="COMMENT")
    # one field (the line) fills two columns: start_line and end_line
    assert {p.column: p.expr for p in rule.body.projection} == {
        "node_id": "t.comment_id",
        "file_id": "t.file_id",
        "bstart": "t.bstart",
        "bend": "t.bend",
        "start_line": "t.line",
        "end_line": "t.line",
        "text": "t.text",
    }


def test_synthesized_rules_join_the_runtime_and_validate() -> None:
    base = StepRegistry(s for s in default_steps() if not is_registry_step(s) and s.name != "cpg")
    catalog = SpecCatalog([*base.catalog, TODOS])
    runtime = default_runtime(catalog)
    assert runtime.registry.bundle_of("todo_comments_comment") == "contracts"
    assert runtime.registry.bundle_of("comments_comment") == "contracts"
    assert "contracts" in {s.bundle for s in runtime.sources}
    assert runtime.validation().ok, runtime.validation().describe()


def test_a_malformed_intent_names_the_dataset() -> None:
    bad = DatasetSpec(
        name="bad_intent",
        domain=Domain.EXTRACT,
        description="",
        fields=(FieldSpec(name="x", dtype=INT64, nullable=False, metadata={INTENT_KEY: "vertices:COMMENT"}),),
    )
    with pytest.raises(RuleError, match=r"dataset 'bad_intent': rule intent 'vertices:COMMENT' is not"):
        synthesize_rule(bad)


def test_a_column_declared_by_two_fields_names_both() -> None:
    clash = DatasetSpec(
        name="clash",
        domain=Domain.EXTRACT,
        description="",
        fields=(
            FieldSpec(name="x", dtype=INT64, nullable=False, metadata={INTENT_KEY: "nodes:COMMENT"}),
            FieldSpec(name="a", dtype=INT64, nullable=False, metadata={COLUMN_KEY: "bstart,bend"}),
            FieldSpec(name="b", dtype=INT64, nullable=False, metadata={COLUMN_KEY: "bend"}),
        ),
    )
    with pytest.raises(RuleError, match=r"dataset 'clash': output column 'bend' is declared by two fields"):
        synthesize_rule(clash)
