"""Incremental CPG builds: the same tables as a full build, file sets, commit details.

One fixture repository goes through a sequence of edits (each rebuilt incrementally by
the plain pipeline runner); after each, a copy of the warehouse is rebuilt in full from
the very same inputs (``force``) and the six tables are compared row for row.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from codeanatomy_core.cpg.datasets import EDGES, NODES
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.storage.commit import CommitStamp
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import current_handle, read_dataset, read_last_commit

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "cpg_repo"
CPG_TABLES = ("cpg_edges", "cpg_edges_by_dst", "cpg_edges_by_src", "cpg_nodes", "cpg_props", "cpg_props_map")


@dataclass
class Repo:
    steps: StepRegistry
    root: Path
    warehouse: Warehouse
    tmp: Path

    @property
    def repository(self) -> RepositoryConfig:
        return RepositoryConfig(root=str(self.root), repo_id="cpg_repo")

    def build(self, *, force: bool = False, warehouse: Warehouse | None = None) -> None:
        only = {"cpg"} if force else None
        run_pipeline(
            self.steps,
            repository=self.repository,
            warehouse=warehouse or self.warehouse,
            force=force,
            only=only,
        )

    def table(self, name: str, warehouse: Warehouse | None = None) -> pa.Table:
        spec = self.steps.catalog.get(name)
        table = read_dataset(spec, warehouse=warehouse or self.warehouse)
        return table.sort_by([(c, "ascending") for c in spec.ordering])

    def stamp(self, name: str) -> CommitStamp:
        stamp = read_last_commit(self.steps.catalog.get(name), warehouse=self.warehouse)
        assert stamp is not None
        return stamp

    def version(self, name: str) -> int:
        handle = current_handle(self.steps.catalog.get(name), warehouse=self.warehouse)
        assert handle is not None
        return handle.version

    def full_copy(self, label: str) -> Warehouse:
        """A copy of the warehouse whose CPG tables are rebuilt in full from the same inputs."""
        target = self.tmp / f"full-{label}"
        shutil.copytree(self.warehouse.root, target)
        copy = Warehouse.at(target)
        self.build(force=True, warehouse=copy)
        return copy

    def assert_same_as_full(self, label: str) -> None:
        full = self.full_copy(label)
        for name in CPG_TABLES:
            incremental, rebuilt = self.table(name), self.table(name, full)
            assert incremental.num_rows == rebuilt.num_rows, name
            assert incremental.equals(rebuilt), f"{name} differs from a full build after {label}"

    def calls(self) -> set[tuple[str, str]]:
        """CALLS edges as (caller path:line, callee qualified name or name)."""
        nodes = {n["node_id"]: n for n in self.table(NODES).to_pylist()}
        out = set()
        for edge in self.table(EDGES).to_pylist():
            if edge["kind"] != "CALLS":
                continue
            src, dst = nodes[edge["src"]], nodes[edge["dst"]]
            out.add((f"{src['path']}:{src['start_line']}", dst["qualified_name"] or dst["name"]))
        return out


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repo]:
    tmp = tmp_path_factory.mktemp("incremental")
    root = tmp / "cpg_repo"
    shutil.copytree(FIXTURE, root)
    state = Repo(steps=default_steps(), root=root, warehouse=Warehouse.at(tmp / "warehouse"), tmp=tmp)
    state.build()
    yield state


def test_the_first_build_is_full(repo: Repo) -> None:
    details = repo.stamp(NODES).details
    assert details["mode"] == "full"
    assert details["files_changed"] == details["files_removed"] == "0"
    assert all(repo.stamp(name).write_mode == "full" for name in CPG_TABLES)


def test_renaming_a_called_function_rebuilds_its_callers(repo: Repo) -> None:
    before = repo.calls()
    assert ("app/models.py:20", "app.util.shout") in before
    assert ("app/sub/helpers.py:5", "app.util.shout") in before
    versions = {name: repo.version(name) for name in CPG_TABLES}
    _edit(repo.root / "app" / "util.py", "def shout(text):", "def yell(text):")
    repo.build()
    after = repo.calls()
    # The callers' files did not change, but their CALLS edges did: they were rebuilt.
    assert ("app/models.py:20", "app.util.shout") not in after
    assert ("app/sub/helpers.py:5", "app.util.shout") not in after
    for name in CPG_TABLES:
        stamp = repo.stamp(name)
        assert stamp.write_mode == "replace_files", name
        assert stamp.details["mode"] == "incremental", name
        assert repo.version(name) == versions[name] + 1, f"{name}: one commit per table"
    details = repo.stamp(EDGES).details
    assert details["files_changed_content"] == "1"  # app/util.py
    assert int(details["files_changed"]) >= 3  # and at least models.py and helpers.py
    assert details["files_added"] == details["files_removed"] == "0"
    total = len(list(repo.root.rglob("*.py")))
    assert int(details["files_untouched"]) + int(details["files_changed"]) == total
    repo.assert_same_as_full("rename")


def test_an_added_file_is_built_and_links_to_other_files(repo: Repo) -> None:
    (repo.root / "app" / "extra.py").write_text(
        "from app import util\n\n\ndef again(word):\n    return util.twice(util.parse, word)\n"
    )
    repo.build()
    details = repo.stamp(NODES).details
    assert (details["mode"], details["files_added"], details["files_removed"]) == ("incremental", "1", "0")
    assert ("app/extra.py:5", "app.util.twice") in repo.calls()
    paths = set(repo.table(NODES).column("path").to_pylist())
    assert "app/extra.py" in paths
    repo.assert_same_as_full("add")


def test_a_removed_file_loses_its_rows(repo: Repo) -> None:
    nodes = repo.table(NODES)
    gone = {n["file_id"] for n in nodes.to_pylist() if n["path"] == "app/sub/helpers.py"}
    assert len(gone) == 1
    (repo.root / "app" / "sub" / "helpers.py").unlink()
    repo.build()
    details = repo.stamp("cpg_props_map").details
    assert (details["mode"], details["files_added"], details["files_removed"]) == ("incremental", "0", "1")
    for name in CPG_TABLES:
        assert not gone & set(repo.table(name).column("file_id").to_pylist()), name
    assert not any(caller.startswith("app/sub/helpers.py") for caller, _ in repo.calls())
    repo.assert_same_as_full("remove")


def test_nothing_changed_writes_nothing(repo: Repo) -> None:
    versions = {name: repo.version(name) for name in CPG_TABLES}
    repo.build()
    assert {name: repo.version(name) for name in CPG_TABLES} == versions


def test_a_forced_build_is_full(repo: Repo) -> None:
    run_pipeline(repo.steps, repository=repo.repository, warehouse=repo.warehouse, force=True, only={"cpg"})
    details = repo.stamp(EDGES).details
    assert (details["mode"], details["reason"]) == ("full", "forced")
    assert all(repo.stamp(name).write_mode == "full" for name in CPG_TABLES)
