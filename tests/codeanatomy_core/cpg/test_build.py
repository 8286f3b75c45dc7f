"""The CPG build as a pipeline step: freshness, determinism, parity, validation, code versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pytest

from codeanatomy_core.cpg.build import build_cpg
from codeanatomy_core.cpg.datasets import EDGES, NODES, PROPS, PROPS_MAP
from codeanatomy_core.cpg.pipeline import graph_steps_for
from codeanatomy_core.cpg.runtime import default_runtime, kinds_of
from codeanatomy_core.cpg.step import rule_inputs
from codeanatomy_core.errors import PipelineError
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps, with_registries
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.registry.catalog import is_registry_step
from codeanatomy_core.relspec.errors import RuleValidationError
from codeanatomy_core.relspec.runtime import RelspecRuntime
from codeanatomy_core.storage.digest import content_hash
from codeanatomy_core.storage.reader import read_last_commit

CPG_TABLES = ("cpg_edges", "cpg_edges_by_dst", "cpg_edges_by_src", "cpg_nodes", "cpg_props", "cpg_props_map")


def base_steps() -> StepRegistry:
    return StepRegistry(s for s in default_steps() if not is_registry_step(s) and s.name != "cpg")


def steps_for(runtime: RelspecRuntime) -> StepRegistry:
    return with_registries(base_steps(), graph_steps_for(runtime))


def test_rematerializing_with_nothing_changed_writes_no_new_version(built: Any, version_probe: Any) -> None:
    specs = [s for s in built.steps.catalog if s.name.startswith(("registry_", "cpg_"))]
    before = version_probe(built.warehouse, specs)
    assert {s.name for s in specs} >= set(CPG_TABLES)
    results = run_pipeline(built.steps, repository=built.repository, warehouse=built.warehouse)
    assert [name for name, r in results.items() if r.written] == []
    assert version_probe(built.warehouse, specs) == before


def test_the_build_stamps_the_graph_signature(built: Any) -> None:
    runtime = default_runtime(base_steps().catalog)
    for name in CPG_TABLES:
        stamp = read_last_commit(built.steps.catalog.get(name), warehouse=built.warehouse)
        assert stamp is not None
        assert stamp.details["graph_signature"] == runtime.compiled().graph_signature
        assert stamp.details["dangling_edges"] == "0"


def test_pipeline_and_on_demand_generation_give_identical_tables(built: Any) -> None:
    runtime = default_runtime(base_steps().catalog)
    inputs = {name: built.table(name) for name in rule_inputs(runtime)}
    fresh = build_cpg(runtime.compiled(), kinds=kinds_of(runtime), inputs=inputs)
    for name in CPG_TABLES:
        stored = built.table(name)
        generated = fresh.tables[name].sort_by(
            [(c, "ascending") for c in built.steps.catalog.get(name).ordering]
        )
        assert stored.select(generated.column_names).to_pylist() == generated.to_pylist(), name


def test_tables_are_identical_whatever_the_worker_count(cpg_repo: Path, tmp_path: Path, builder: Any) -> None:
    hashes = []
    for workers in (1, 2):
        result = builder(cpg_repo, tmp_path / f"w{workers}", workers=workers)
        hashes.append({name: content_hash(result.table(name)) for name in CPG_TABLES})
    assert hashes[0] == hashes[1]


def test_validation_stops_a_build_that_leaves_a_kind_uncovered(
    cpg_repo: Path, tmp_path: Path, builder: Any
) -> None:
    runtime = default_runtime(base_steps().catalog)
    partial = runtime.with_registry(runtime.registry.without(["lambda_nodes"]))
    report = partial.validation()
    assert not report.ok
    assert "cpg_nodes kind 'LAMBDA' is declared but no rule produces it" in report.errors
    with pytest.raises(RuleValidationError) as caught:
        builder(cpg_repo, tmp_path / "warehouse", steps=steps_for(partial))
    message = str(caught.value)
    assert message.startswith("rule validation: 1 errors")
    assert "error: cpg_nodes kind 'LAMBDA' is declared but no rule produces it" in message
    assert caught.value.report == report


def test_changing_one_rule_changes_exactly_the_dependent_code_versions() -> None:
    runtime = default_runtime(base_steps().catalog)
    before = steps_for(runtime).signatures()
    rule = runtime.registry.get("decorated_by_edges")
    changed = msgspec.structs.replace(
        rule, body=msgspec.structs.replace(rule.body, filters=rule.body.filters[:1])
    )
    after = steps_for(runtime.with_rule(changed)).signatures()
    moved = sorted(name for name in before if before[name] != after[name])
    assert moved == [
        "cpg_edges",
        "cpg_edges_by_dst",
        "cpg_edges_by_src",
        "cpg_props",
        "registry_cpg_datasets",  # lists the CPG tables' signatures
        "registry_relspec_rule_diagnostics",  # its SQL and plan fingerprint
        "registry_relspec_rules",
        "registry_signatures",
    ]  # not registry_cpg_kind_derivations: the rule's datasets and join keys are unchanged
    assert before[NODES] == after[NODES] and before[PROPS_MAP] == after[PROPS_MAP]
    assert {EDGES, PROPS} <= set(moved)


def test_duplicate_candidates_keep_the_best_deterministically(built: Any) -> None:
    runtime = default_runtime(base_steps().catalog)
    rule = runtime.registry.get("decorated_by_edges")
    weaker = msgspec.structs.replace(rule, name="decorated_by_weak", priority=rule.priority + 1)
    stronger = msgspec.structs.replace(rule, name="decorated_by_zz_first", priority=rule.priority - 1)
    registry = runtime.registry.with_rules([weaker, stronger], bundle="test_dupes", place=__name__)
    inputs = {name: built.table(name) for name in rule_inputs(runtime)}
    baseline = build_cpg(
        runtime.compiled(), kinds=kinds_of(runtime), inputs=inputs
    ).stats.merged_edge_candidates
    kept = []
    for order in (list(inputs), list(reversed(inputs))):
        compiled = runtime.with_registry(registry).compiled()
        result = build_cpg(compiled, kinds=kinds_of(runtime), inputs={n: inputs[n] for n in order})
        edges = result.tables[EDGES]
        decorated = edges.filter(pa.compute.equal(edges.column("kind"), "DECORATED_BY"))
        kept.append(decorated.column("rule_name").to_pylist())
        assert result.stats.merged_edge_candidates == baseline + 2 * decorated.num_rows
    assert kept[0] == kept[1] == ["decorated_by_zz_first"]


def test_a_stale_registry_stops_the_build_naming_the_table(built: Any, tmp_path: Path) -> None:
    runtime = default_runtime(base_steps().catalog)
    rule = runtime.registry.get("decorated_by_edges")
    changed = steps_for(runtime.with_rule(msgspec.structs.replace(rule, priority=rule.priority + 1)))
    with pytest.raises(
        PipelineError, match=r"registry table 'registry_relspec_rules' does not hold the current"
    ):
        run_pipeline(changed, repository=built.repository, warehouse=built.warehouse, only={"cpg"})
