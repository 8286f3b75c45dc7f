"""The freshness rule of one step: a step's settings count like the versions of its inputs."""

from __future__ import annotations

from pathlib import Path

from codeanatomy_core.normalize.step import NORMALIZE_STEP
from codeanatomy_core.pipeline.execute import input_versions_for
from codeanatomy_core.pipeline.step import StepContext
from codeanatomy_core.source.config import FlowGranularity, RepositoryConfig
from codeanatomy_core.storage.location import Warehouse


def _context(tmp_path: Path, flow: FlowGranularity) -> StepContext:
    return StepContext(
        repository=RepositoryConfig(root=str(tmp_path), flow=flow),
        warehouse=Warehouse.at(tmp_path / "warehouse"),
        inputs={},
        previous={},
    )


def test_settings_are_recorded_beside_the_input_versions(tmp_path: Path) -> None:
    spec = NORMALIZE_STEP.outputs[0]
    assert input_versions_for(NORMALIZE_STEP, spec, _context(tmp_path, FlowGranularity.PROGRAM)) == {
        "setting:flow": "program"
    }
    assert input_versions_for(NORMALIZE_STEP, spec, _context(tmp_path, FlowGranularity.MODULES)) == {
        "setting:flow": "modules"
    }
