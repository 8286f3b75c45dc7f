"""A warehouse built once from the fixture repository (read-only for the tests here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source import RepositoryConfig
from codeanatomy_core.storage import Warehouse


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory, small_repo_src: Path) -> Warehouse:
    warehouse = Warehouse.at(tmp_path_factory.mktemp("built") / "warehouse")
    run_pipeline(
        default_steps(), repository=RepositoryConfig(root=str(small_repo_src)), warehouse=warehouse, workers=1
    )
    return warehouse
