"""Validation: one report of every problem (inputs, contracts, templates, coverage), before any build."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from codeanatomy_core.cpg.runtime import default_runtime
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.registry.catalog import is_registry_step
from codeanatomy_core.relspec.errors import RuleValidationError
from codeanatomy_core.relspec.model import DatasetRef, Projection
from codeanatomy_core.relspec.validation import validate


@pytest.fixture(scope="module")
def runtime() -> Any:
    base = StepRegistry(s for s in default_steps() if not is_registry_step(s) and s.name != "cpg")
    return default_runtime(base.catalog)


def test_the_builtin_rule_set_is_valid_and_covers_every_kind(runtime: Any) -> None:
    report = runtime.validation()
    assert report.ok, report.describe()
    assert report.uncovered() == ()
    assert {c.kind for c in report.coverage if c.output == "cpg_nodes"} == set(
        runtime.policies.declared_kinds["cpg_nodes"]
    )


def test_every_problem_is_reported_at_once(runtime: Any) -> None:
    registry = runtime.registry
    call = registry.get("call_nodes")
    unknown_input = msgspec.structs.replace(
        call,
        name="from_nowhere",
        inputs=("no_such_dataset",),
        body=msgspec.structs.replace(
            call.body, source=DatasetRef(alias="n", dataset="no_such_dataset"), joins=()
        ),
    )
    fn = registry.get("function_nodes")
    missing_prop = msgspec.structs.replace(
        fn,
        body=msgspec.structs.replace(
            fn.body, projection=tuple(p for p in fn.body.projection if p.column != "is_async")
        ),
    )
    extra = registry.get("file_nodes")
    stray = msgspec.structs.replace(
        extra,
        body=msgspec.structs.replace(
            extra.body, projection=(*extra.body.projection, Projection(column="colour", expr="'red'"))
        ),
    )
    changed = registry.replace(missing_prop).replace(stray).without(["lambda_nodes"])
    changed = changed.with_rules([unknown_input], bundle="broken", place="tests.broken")
    report = validate(changed, compiler=runtime.compiler, declared_kinds=runtime.policies.declared_kinds)
    assert not report.ok
    assert report.errors == (
        "rule 'file_nodes' (cpg_nodes FILE): columns ['colour'] are neither standard columns "
        "nor contract properties",
        "rule 'from_nowhere' (bundle 'broken'): inputs ['no_such_dataset'] are not datasets of the catalog",
        "rule 'function_nodes' (cpg_nodes FUNCTION): required columns ['is_async'] are not projected",
        "cpg_nodes kind 'LAMBDA' is declared but no rule produces it",
    )
    with pytest.raises(RuleValidationError, match=r"rule validation: 4 errors") as caught:
        report.raise_for_errors()
    assert caught.value.report is report


def test_a_kind_the_registry_does_not_declare_is_an_error(runtime: Any) -> None:
    rule = runtime.registry.get("lambda_nodes")
    odd = msgspec.structs.replace(rule, output=msgspec.structs.replace(rule.output, kind="GHOST"))
    report = validate(
        runtime.registry.replace(odd),
        compiler=runtime.compiler,
        declared_kinds=runtime.policies.declared_kinds,
    )
    assert (
        "rule 'lambda_nodes' (bundle 'cpg_syntax'): kind 'GHOST' is not declared for 'cpg_nodes'"
        in report.errors
    )
    assert "cpg_nodes kind 'LAMBDA' is declared but no rule produces it" in report.errors
