"""Materializing the asset graph with Dagster: freshness, force, contract failures."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pytest

from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.specs import DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.types import INT64, STRING
from codeanatomy_core.storage import CommitStamp, Warehouse, read_dataset, read_last_commit
from codeanatomy_dagster.factories import build_definitions
from codeanatomy_dagster.io_manager import DeltaIOManager
from codeanatomy_dagster.resources import BuildOptions, TargetRepository, WarehouseResource


def resources_for(repo: Path, warehouse_root: Path, *, force: bool = False) -> dict[str, Any]:
    warehouse = WarehouseResource(root=str(warehouse_root))
    return {
        "target": TargetRepository(root=str(repo)),
        "warehouse": warehouse,
        "build": BuildOptions(force=force, workers=1),
        "io_manager": DeltaIOManager(warehouse=warehouse),
    }


def materialize(
    steps: StepRegistry,
    repo: Path,
    warehouse_root: Path,
    *,
    force: bool = False,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    defs = build_definitions(steps)
    return dg.materialize(
        [a for a in defs.assets or () if isinstance(a, dg.AssetsDefinition)],
        resources=resources_for(repo, warehouse_root, force=force),
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def materialization_metadata(result: dg.ExecuteInProcessResult) -> dict[str, Mapping[str, Any]]:
    """Dataset name -> metadata of its materialization (values unwrapped)."""
    out: dict[str, Mapping[str, Any]] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        out[materialization.asset_key.path[-1]] = {k: v.value for k, v in materialization.metadata.items()}
    return out


@dataclass(frozen=True)
class ThreeRuns:
    """Everything materialized three times: plain, plain again, forced."""

    steps: StepRegistry
    warehouse: Warehouse
    results: tuple[dg.ExecuteInProcessResult, ...]
    versions: tuple[dict[str, int | None], ...]
    stamps: tuple[dict[str, CommitStamp | None], ...]


@pytest.fixture(scope="module")
def three_runs(
    tmp_path_factory: pytest.TempPathFactory,
    small_repo_copier: Any,
    version_probe: Any,
) -> ThreeRuns:
    base = tmp_path_factory.mktemp("dagster")
    repo = small_repo_copier(base / "repo")
    warehouse_root = base / "warehouse"
    steps = default_steps()
    warehouse = Warehouse.at(warehouse_root)
    instance = dg.DagsterInstance.ephemeral()
    results, versions, stamps = [], [], []
    for force in (False, False, True):
        results.append(materialize(steps, repo, warehouse_root, force=force, instance=instance))
        versions.append(version_probe(warehouse, steps.catalog))
        stamps.append({spec.name: read_last_commit(spec, warehouse=warehouse) for spec in steps.catalog})
    return ThreeRuns(
        steps=steps,
        warehouse=warehouse,
        results=tuple(results),
        versions=tuple(versions),
        stamps=tuple(stamps),
    )


def test_every_run_succeeds(three_runs: ThreeRuns) -> None:
    assert [r.success for r in three_runs.results] == [True, True, True]


def test_first_run_writes_every_table_with_dagster_metadata(three_runs: ThreeRuns) -> None:
    catalog = three_runs.steps.catalog
    assert three_runs.versions[0] == dict.fromkeys(catalog.names(), 0)
    metadata = materialization_metadata(three_runs.results[0])
    assert set(metadata) == set(catalog.names())
    signatures = three_runs.steps.signatures()
    for name, values in metadata.items():
        assert values["written"] is True, name
        assert values["delta_version"] == 0, name
        assert values["signature"] == signatures[name], name
        stamp = three_runs.stamps[0][name]
        assert stamp is not None
        assert values["dagster/row_count"] == stamp.row_count, name
        assert values["content_hash"] == stamp.content_hash, name
        assert stamp.run_id == three_runs.results[0].run_id
        assert stamp.asset_key == f"{catalog.get(name).domain}/{name}"
        assert stamp.signature == signatures[name]
    assert metadata["source_files"]["dagster/row_count"] == 9
    assert metadata["source_issues"]["dagster/row_count"] == 1


def test_second_run_creates_no_delta_version(three_runs: ThreeRuns) -> None:
    assert three_runs.versions[1] == three_runs.versions[0]
    metadata = materialization_metadata(three_runs.results[1])
    assert set(metadata) == set(three_runs.steps.catalog.names())
    assert {name: values["written"] for name, values in metadata.items()} == dict.fromkeys(metadata, False)
    assert {values["skip_reason"] for values in metadata.values()} == {"signature and inputs unchanged"}
    assert three_runs.stamps[1] == three_runs.stamps[0]


def test_forced_run_writes_a_new_version_of_every_table(three_runs: ThreeRuns) -> None:
    assert three_runs.versions[2] == {name: v + 1 for name, v in three_runs.versions[1].items()}  # type: ignore[operator]
    metadata = materialization_metadata(three_runs.results[2])
    assert {name: values["written"] for name, values in metadata.items()} == dict.fromkeys(metadata, True)
    forced_run = three_runs.results[2].run_id
    assert {name: s.run_id if s else None for name, s in three_runs.stamps[2].items()} == dict.fromkeys(
        metadata, forced_run
    )
    # Same repository, same specs: the forced rewrite stores the very same rows.
    assert {n: s.content_hash if s else None for n, s in three_runs.stamps[2].items()} == {
        n: s.content_hash if s else None for n, s in three_runs.stamps[0].items()
    }


def test_contract_checks_pass_on_every_run(three_runs: ThreeRuns) -> None:
    for result in three_runs.results:
        evaluations = result.get_asset_check_evaluations()
        assert {e.asset_key.path[-1] for e in evaluations} == set(three_runs.steps.catalog.names())
        assert all(e.passed for e in evaluations)


# ----------------------------------------------------------------- contract violation


PROBE = DatasetSpec(
    name="probe_rows",
    domain=Domain.DIAGNOSTICS,
    description="rows returned by a test step",
    fields=(
        FieldSpec(name="probe_id", dtype=INT64, nullable=False),
        FieldSpec(name="label", dtype=STRING),
    ),
    key=("probe_id",),
)


def error_chain(error: Any) -> str:
    """The messages of a Dagster error and of every error that caused it."""
    messages = []
    while error is not None:
        messages.append(error.message.strip())
        error = error.cause
    return "\n".join(messages)


def probe_steps(rows: dict[str, list[Any]]) -> StepRegistry:
    def run(ctx: StepContext) -> dict[str, DatasetOutput]:
        del ctx
        return {PROBE.name: DatasetOutput(data=pa.table(rows), input_versions={})}

    return StepRegistry([Step(name="probe", description="emits fixed rows", outputs=(PROBE,), run=run)])


def test_contract_violation_fails_the_asset_and_keeps_the_table(tmp_path: Path, version_probe: Any) -> None:
    warehouse_root = tmp_path / "warehouse"
    warehouse = Warehouse.at(warehouse_root)
    good: dict[str, list[Any]] = {"probe_id": [1, 2, 3], "label": ["a", "b", "c"]}
    first = materialize(probe_steps(good), tmp_path, warehouse_root)
    assert first.success
    assert version_probe(warehouse, [PROBE]) == {"probe_rows": 0}

    duplicated: dict[str, list[Any]] = {"probe_id": [1, 2, 2], "label": ["a", "b", "x"]}
    failed = materialize(probe_steps(duplicated), tmp_path, warehouse_root, force=True)
    assert not failed.success
    messages = [
        error_chain(event.step_failure_data.error)
        for event in failed.all_events
        if event.is_step_failure and event.step_failure_data is not None
    ]
    problem = "dataset 'probe_rows': column 'probe_id' must be unique but has 1 duplicate rows"
    assert len(messages) == 1
    assert re.search(re.escape(problem), messages[0]), messages[0]
    [evaluation] = failed.get_asset_check_evaluations()
    assert (evaluation.asset_key, evaluation.passed) == (dg.AssetKey(["diagnostics", "probe_rows"]), False)
    assert evaluation.metadata["column"].value == "probe_id"

    # The previous version stays current, rows and commit untouched.
    assert version_probe(warehouse, [PROBE]) == {"probe_rows": 0}
    assert read_dataset(PROBE, warehouse=warehouse).to_pylist() == [
        {"probe_id": 1, "label": "a"},
        {"probe_id": 2, "label": "b"},
        {"probe_id": 3, "label": "c"},
    ]
    stamp = read_last_commit(PROBE, warehouse=warehouse)
    assert stamp is not None
    assert stamp.run_id == first.run_id


def test_an_output_holds_no_rows_once_written(tmp_path: Path) -> None:
    # An in-process run keeps every output value until it ends (the result returns them):
    # a payload still holding its table would keep the whole build in memory.
    rows: dict[str, list[Any]] = {"probe_id": [2, 1], "label": ["b", "a"]}
    result = materialize(probe_steps(rows), tmp_path, tmp_path / "warehouse")
    assert result.success
    payload = result.output_for_node("probe", PROBE.name)
    assert payload.prepared is None
    assert payload.outcome.data.num_rows == 0
    assert read_dataset(PROBE, warehouse=Warehouse.at(tmp_path / "warehouse")).to_pylist() == [
        {"probe_id": 2, "label": "b"},
        {"probe_id": 1, "label": "a"},
    ]
