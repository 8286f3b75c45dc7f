"""The CPG of the cpg_repo fixture, built once through the plain pipeline runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from codeanatomy_core.cpg.datasets import EDGES, NODES
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.pipeline.runner import DatasetRunResult, run_pipeline
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import read_dataset

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "cpg_repo"


@dataclass
class Built:
    steps: StepRegistry
    repository: RepositoryConfig
    warehouse: Warehouse
    results: dict[str, DatasetRunResult]

    def table(self, name: str) -> pa.Table:
        return read_dataset(self.steps.catalog.get(name), warehouse=self.warehouse)

    def nodes(self) -> list[dict[str, object]]:
        return self.table(NODES).to_pylist()

    def edges(self) -> list[dict[str, object]]:
        return self.table(EDGES).to_pylist()

    def label(self) -> dict[int, str]:
        """node id -> 'KIND qualified_name' or 'KIND name@line' (readable endpoints for exact sets)."""
        out: dict[int, str] = {}
        for n in self.nodes():
            name = n["qualified_name"] or f"{n['name']}@{n['start_line']}"
            out[n["node_id"]] = f"{n['kind']} {name}"  # type: ignore[index]
        return out

    def edge_labels(self, kind: str) -> set[tuple[str, str]]:
        return set(self.edge_list(kind))

    def edge_list(self, kind: str) -> list[tuple[str, str]]:
        """Every edge of ``kind`` as (source label, destination label), sorted (a multiset)."""
        label = self.label()
        return sorted((label[e["src"]], label[e["dst"]]) for e in self.edges() if e["kind"] == kind)  # type: ignore[index]


def build(root: Path, warehouse: Path, *, workers: int = 0, steps: StepRegistry | None = None) -> Built:
    steps = steps or default_steps()
    repository = RepositoryConfig(root=str(root), repo_id="cpg_repo")
    store = Warehouse.at(warehouse)
    results = run_pipeline(steps, repository=repository, warehouse=store, workers=workers)
    return Built(steps=steps, repository=repository, warehouse=store, results=results)


@pytest.fixture(scope="module")
def cpg_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cpg") / "cpg_repo"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture(scope="module")
def built(cpg_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(cpg_repo, tmp_path_factory.mktemp("warehouse"))


@pytest.fixture(scope="session")
def builder() -> Callable[..., Built]:
    """``build(root, warehouse, workers=..., steps=...)`` -> Built (for tests needing their own)."""
    return build
