"""Declarative automation: a changed spec requests exactly the assets whose code version moved."""

import shutil
from pathlib import Path

import dagster as dg
import msgspec

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_dagster.automation import SENSOR_NAME
from codeanatomy_dagster.factories import build_definitions

from .test_materialize import materialize

FIXTURE = Path(__file__).parents[1] / "fixtures" / "small_repo"


def code_versions(defs: dg.Definitions) -> dict[dg.AssetKey, str | None]:
    graph = defs.resolve_asset_graph()
    return {key: graph.get(key).code_version for key in graph.get_all_asset_keys()}


def requested(result: dg.EvaluateAutomationConditionsResult, keys: set[dg.AssetKey]) -> set[dg.AssetKey]:
    return {key for key in keys if result.get_num_requested(key)}


def test_every_asset_has_the_condition_and_the_sensor_starts_stopped() -> None:
    defs = build_definitions(default_steps())
    graph = defs.resolve_asset_graph()
    labels = {graph.get(key).automation_condition.get_label() for key in graph.get_all_asset_keys()}
    assert labels == {"spec changed or table missing"}
    sensor = defs.resolve_sensor_def(SENSOR_NAME)
    assert sensor.default_status is dg.DefaultSensorStatus.STOPPED


def test_a_changed_spec_requests_exactly_the_assets_whose_code_version_moved(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo, symlinks=True)
    steps = default_steps()
    instance = dg.DagsterInstance.ephemeral()
    assert materialize(steps, repo, tmp_path / "warehouse", instance=instance).success
    before = build_definitions(steps)
    first = dg.evaluate_automation_conditions(defs=before, instance=instance)
    assert requested(first, set(code_versions(before))) == set()  # everything materialized, nothing changed
    bumped = msgspec.structs.replace(steps.catalog.get("ast_nodes"), logic_version=2)
    after = build_definitions(steps.with_spec(bumped))
    second = dg.evaluate_automation_conditions(defs=after, instance=instance, cursor=first.cursor)
    old, new = code_versions(before), code_versions(after)
    moved = {key for key in new if new[key] != old[key]}
    assert dg.AssetKey(["extract", "ast_nodes"]) in moved
    assert len(moved) < len(new) // 4
    assert requested(second, set(new)) == moved
    third = dg.evaluate_automation_conditions(defs=after, instance=instance, cursor=second.cursor)
    assert requested(third, set(new)) == set()  # requested once, not on every tick
