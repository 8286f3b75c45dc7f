"""Fixtures of the normalize tests: small repositories, their resolution and table views.

Tests import nothing from each other (pytest runs with --import-mode=importlib): helpers
are handed out as fixtures.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from codeanatomy_core.normalize.callgraph import call_graph, resolve_folder
from codeanatomy_core.normalize.resolve import Resolution
from codeanatomy_core.normalize.tables import normalize_tables

Tables = dict[str, pa.Table]
CallRow = tuple[str, str, str, str]  # caller qualified name, callee path, target, method
RefRow = tuple[int, str, str, str]  # line, name, target, method


class Resolved:
    """A resolved repository: the resolution, its tables and convenient views of them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.resolution: Resolution = resolve_folder(root)
        self.tables: Tables = normalize_tables(self.resolution)
        self.graph = call_graph(self.resolution)
        self.paths = {e.file_id: e.path for e in self.resolution.program.files}

    def rows(self, table: str) -> list[dict]:
        return self.tables[table].to_pylist()

    def qualified_names(self, kind: str | None = None) -> set[str]:
        return {r["qualified_name"] for r in self.rows("definitions") if kind is None or r["kind"] == kind}

    def calls(self, caller: str | None = None) -> set[CallRow]:
        """call_targets joined with callsites and the caller's qualified name."""
        defs = {r["def_id"]: r["qualified_name"] for r in self.rows("definitions")}
        sites = {r["callsite_id"]: r for r in self.rows("callsites")}
        out: set[CallRow] = set()
        for row in self.rows("call_targets"):
            name = defs[row["caller_def_id"]]
            if caller is None or name == caller:
                out.add((name, sites[row["callsite_id"]]["callee_path"], row["target_name"], row["method"]))
        return out

    def refs(self, path: str) -> list[RefRow]:
        """ref_bindings of the loads of one file: (line, name, target, method)."""
        refs = {r["ref_id"]: r for r in self.rows("name_refs")}
        out = []
        for row in self.rows("ref_bindings"):
            ref = refs[row["ref_id"]]
            if self.paths[ref["file_id"]] == path:
                out.append((ref["line"], ref["name"], row["target_name"], row["method"]))
        return sorted(out)

    def imports(self) -> dict[tuple[str, str | None], tuple[str, str | None]]:
        """(path, bound name or star module) -> (target kind, target name)."""
        out = {}
        for row in self.rows("imports"):
            key = (self.paths[row["file_id"]], row["bound_name"] or f"*{row['module']}")
            out[key] = (row["target_kind"], row["target_name"])
        return out


def write_repo(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def resolution_copy(tmp_path: Path, fixtures_dir: Path) -> Path:
    """A writable copy of the resolution fixture repository (for tests that edit it)."""
    root = tmp_path / "resolution_repo"
    shutil.copytree(fixtures_dir / "resolution_repo", root)
    return root


@pytest.fixture(scope="session")
def resolution_repo(fixtures_dir: Path) -> Resolved:
    """The committed golden repository, resolved once."""
    return Resolved(fixtures_dir / "resolution_repo")


@pytest.fixture
def resolve_files(tmp_path: Path) -> Callable[[dict[str, str]], Resolved]:
    """``resolve_files({"main.py": "..."})``: write a repository and resolve it."""

    def build(files: dict[str, str]) -> Resolved:
        return Resolved(write_repo(tmp_path / "repo", files))

    return build


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    def build(files: dict[str, str]) -> Path:
        return write_repo(tmp_path / "repo", files)

    return build
