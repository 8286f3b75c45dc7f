"""Shared fixtures: the small fixture repository, throw-away warehouses, Delta version probes.

pytest runs with ``--import-mode=importlib``, so test modules cannot import each other or
this file; shared helpers are handed out as fixtures instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.storage.location import Warehouse

FIXTURES_DIR = Path(__file__).parent / "fixtures"

# Table name -> latest Delta version (None when the table was never written).
VersionMap = dict[str, int | None]
VersionProbe = Callable[[Warehouse, Iterable[DatasetSpec]], VersionMap]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES_DIR


@pytest.fixture(scope="session")
def small_repo_src() -> Path:
    """The committed fixture repository (read-only: copy it before changing anything)."""
    return FIXTURES_DIR / "small_repo"


def copy_small_repo(destination: Path) -> Path:
    """A copy of small_repo at ``destination/small_repo``, links kept as links.

    outside_target.py is copied next to it, so the committed relative link pkg/escape.py
    (``../../outside_target.py``) still points at an existing file outside the root.
    """
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(FIXTURES_DIR / "outside_target.py", destination / "outside_target.py")
    repo = destination / "small_repo"
    shutil.copytree(FIXTURES_DIR / "small_repo", repo, symlinks=True)
    return repo


@pytest.fixture(scope="session")
def small_repo_copier() -> Callable[[Path], Path]:
    """``copy(destination)`` -> a fresh copy of small_repo (for module-scoped fixtures)."""
    return copy_small_repo


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    """A private, writable copy of small_repo (its folder name, hence repo_id, is kept)."""
    return copy_small_repo(tmp_path / "repo")


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse.at(tmp_path / "warehouse")


def delta_versions(warehouse: Warehouse, specs: Iterable[DatasetSpec]) -> VersionMap:
    versions: VersionMap = {}
    for spec in specs:
        try:
            versions[spec.name] = DeltaTable(warehouse.table_uri(spec)).version()
        except TableNotFoundError:
            versions[spec.name] = None
    return versions


@pytest.fixture(scope="session")
def version_probe() -> VersionProbe:
    """``probe(warehouse, specs)`` -> latest Delta version of each dataset's table."""
    return delta_versions
