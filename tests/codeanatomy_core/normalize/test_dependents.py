"""The files an edit can change the static resolution of: the changed files and their
importers, transitively (through re-exports, star imports and relative imports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeanatomy_core.normalize import parallel
from codeanatomy_core.normalize.callgraph import resolve_folder
from codeanatomy_core.normalize.datasets import CLASS_BASES, IMPORTS
from codeanatomy_core.normalize.datasets_resolution import REF_BINDINGS
from codeanatomy_core.normalize.dependents import import_dependents
from codeanatomy_core.normalize.step import NORMALIZE_STEP
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import read_dataset, read_last_commit

STEPS = {"scan", "extract", "normalize"}
ALL = {"app/__init__.py", "app/flows.py", "app/models.py", "app/scoping.py", "app/util.py", "main.py"}


def _dependents(fixtures_dir: Path, *changed: str) -> set[str]:
    program = resolve_folder(fixtures_dir / "resolution_repo").program
    ids = {entry.path: entry.file_id for entry in program.files}
    paths = {entry.file_id: entry.path for entry in program.files}
    return {paths[f] for f in import_dependents(program, frozenset(ids[p] for p in changed))}


def test_a_module_imported_by_no_one_changes_only_itself(fixtures_dir):
    assert _dependents(fixtures_dir, "main.py") == {"main.py"}


def test_importers_are_followed_transitively(fixtures_dir):
    # scoping is imported by main only; util by the package (star import), models
    # (relative), flows (``from app import util``) and, through the package, main.
    assert _dependents(fixtures_dir, "app/scoping.py") == {"app/scoping.py", "main.py"}
    assert _dependents(fixtures_dir, "app/util.py") == ALL - {"app/scoping.py"}


@pytest.mark.parametrize("workers", [1, 2])
def test_incremental_ref_bindings_equal_a_full_build(
    tmp_path: Path, resolution_copy: Path, warehouse, monkeypatch, workers: int
):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 1)  # with 2 workers: from the worker
    root = resolution_copy
    repository = RepositoryConfig(root=str(root))
    steps = default_steps()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    util = root / "app" / "util.py"
    # util no longer exports helper: main.py's ``from app import helper``, which the package
    # star-imports from util, resolves differently; scoping.py's references stay as they are.
    util.write_text(util.read_text().replace('__all__ = ["helper", "Registry"]', '__all__ = ["Registry"]'))
    logged: list[str] = []
    run_pipeline(
        steps, repository=repository, warehouse=warehouse, workers=workers, only=STEPS, log=logged.append
    )

    fresh = Warehouse.at(tmp_path / "fresh")
    run_pipeline(steps, repository=repository, warehouse=fresh, workers=1, only=STEPS)
    for spec in NORMALIZE_STEP.outputs:  # replace-files writes append: compare in spec order
        order = [(column, "ascending") for column in spec.ordering]
        incremental = read_dataset(spec, warehouse=warehouse).sort_by(order)
        assert incremental.equals(read_dataset(spec, warehouse=fresh).sort_by(order)), spec.name
    message = (
        "normalize: ref_bindings, imports and class_bases resolved again "
        "for 5 files importing a changed module"
    )
    assert message in logged
    for spec in (REF_BINDINGS, IMPORTS, CLASS_BASES):
        stamp = read_last_commit(spec, warehouse=warehouse)
        assert stamp is not None and stamp.details["mode"] == "changed_files", spec.name
