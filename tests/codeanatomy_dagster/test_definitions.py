"""The Dagster definitions built from the steps: keys, groups, code versions."""

from __future__ import annotations

import dagster as dg
import msgspec

from codeanatomy_core.extract.datasets import AST_NODES, EXTRACT_ERRORS
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.source.datasets import SOURCE_FILES, SOURCE_ISSUES
from codeanatomy_core.specs import signature
from codeanatomy_dagster.factories import build_assets

FOUNDATION = (SOURCE_FILES, SOURCE_ISSUES, AST_NODES, EXTRACT_ERRORS)


def code_versions(steps: StepRegistry) -> dict[dg.AssetKey, str | None]:
    versions: dict[dg.AssetKey, str | None] = {}
    for assets_def in build_assets(steps):
        versions.update(assets_def.code_versions_by_key)
    return versions


def test_definitions_module_loads() -> None:
    from codeanatomy_dagster.definitions import defs

    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {key.path[-1]: key for key in graph.get_all_asset_keys()}
    assert set(keys) == set(default_steps().catalog.names())
    assert {s.name for s in FOUNDATION} <= set(keys)
    assert defs.resolve_job_def("delta_maintenance").name == "delta_maintenance"
    assert defs.resolve_sensor_def("repository_change_sensor").name == "repository_change_sensor"
    assert defs.resolve_schedule_def("weekly_delta_maintenance").cron_schedule == "0 3 * * 0"


def test_one_multi_asset_per_step_with_keys_groups_and_code_versions() -> None:
    steps = default_steps()
    assets = {a.node_def.name: a for a in build_assets(steps)}
    assert sorted(assets) == sorted(step.name for step in steps)
    for step in steps:
        assets_def = assets[step.name]
        expected_keys = {dg.AssetKey([str(spec.domain), spec.name]) for spec in step.outputs}
        assert set(assets_def.keys) == expected_keys
        for spec in step.outputs:
            key = dg.AssetKey([str(spec.domain), spec.name])
            assert assets_def.group_names_by_key[key] == str(spec.domain)
            assert assets_def.code_versions_by_key[key] == step.output_signature(spec)
            if step.signature_sources is None:
                assert assets_def.code_versions_by_key[key] == signature(spec)
        assert {check.name for check in assets_def.check_specs} == {"contract"}
        assert {check.asset_key for check in assets_def.check_specs} == expected_keys


def test_foundation_code_versions_are_the_spec_signatures() -> None:
    versions = code_versions(default_steps())
    assert {spec.name: versions[dg.AssetKey([str(spec.domain), spec.name])] for spec in FOUNDATION} == {
        spec.name: signature(spec) for spec in FOUNDATION
    }


def test_extract_step_reads_the_manifest_asset() -> None:
    [extract] = [a for a in build_assets(default_steps()) if a.node_def.name == "extract"]
    assert set(extract.keys_by_input_name.values()) == {
        dg.AssetKey(["source", "source_files"]),
        dg.AssetKey(["source", "source_issues"]),
    }


def test_changing_one_spec_changes_exactly_that_code_version() -> None:
    steps = default_steps()
    before = code_versions(steps)
    bumped = msgspec.structs.replace(steps.catalog.get("ast_nodes"), logic_version=2)
    after = code_versions(steps.with_spec(bumped))
    assert set(after) == set(before)
    # Steps with signature sources (the registry tables) describe other specs; every other
    # asset's code version is its own spec's signature and must not move.
    plain = {
        dg.AssetKey([str(spec.domain), spec.name])
        for step in steps
        if step.signature_sources is None
        for spec in step.outputs
    }
    assert {dg.AssetKey([str(s.domain), s.name]) for s in FOUNDATION} <= plain
    changed = {key for key in plain if before[key] != after[key]}
    assert changed == {dg.AssetKey(["extract", "ast_nodes"])}
    assert after[dg.AssetKey(["extract", "ast_nodes"])] == signature(bumped)
