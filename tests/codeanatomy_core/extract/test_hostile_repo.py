"""The hostile repository: every bad input ends in extract_errors, every good file is whole."""

import ast
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.source.text import decode_source
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import read_dataset

sys.path.insert(0, str(Path(__file__).parents[2] / "fixtures"))
from hostile_repo import (
    BROKEN,
    EXECUTION_MARKER_NAME,
    OUTSIDE_MARKER,
    build_hostile_repo,
    good_paths,
)

EARLY_STAGES = ("scan", "read", "decode", "parse")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Warehouse]:
    base = tmp_path_factory.mktemp("hostile")
    marker = Path("/tmp") / EXECUTION_MARKER_NAME
    marker.unlink(missing_ok=True)
    root = build_hostile_repo(base)
    warehouse = Warehouse.at(base / "warehouse")
    run_pipeline(default_steps(), repository=RepositoryConfig(root=str(root)), warehouse=warehouse, workers=2)
    return root, warehouse


def _table(warehouse: Warehouse, name: str) -> pa.Table:
    return read_dataset(default_steps().catalog.get(name), warehouse=warehouse)


def test_every_hostile_input_is_an_error_row(built: tuple[Path, Warehouse]) -> None:
    _, warehouse = built
    errors = _table(warehouse, "extract_errors")
    early = {
        (row["path"], row["stage"], row["error_kind"])
        for row in errors.to_pylist()
        if row["stage"] in EARLY_STAGES
    }
    assert early == {(path, stage, kind) for path, (stage, kind) in BROKEN.items()}


def test_every_good_file_is_fully_extracted(built: tuple[Path, Warehouse]) -> None:
    root, warehouse = built
    files = _table(warehouse, "source_files")
    nodes = _table(warehouse, "ast_nodes")
    by_path = dict(zip(files.column("path").to_pylist(), files.column("file_id").to_pylist(), strict=True))
    for path in good_paths():
        assert path in by_path, path
        decoded = decode_source((root / path).read_bytes())
        tree = ast.parse(decoded.text)
        rows = nodes.filter(pc.equal(nodes.column("file_id"), by_path[path]))
        assert rows.num_rows == sum(1 for _ in ast.walk(tree)), path
        utf8 = decoded.utf8
        big = len(utf8) >= 100_000
        if big:  # the sampled nodes (first in breadth-first order) are shallow
            rows = rows.filter(pc.less_equal(rows.column("depth"), 2))
        positioned = [n for n in ast.walk(tree) if getattr(n, "end_col_offset", None) is not None]
        spans = {
            (r["start_line"], r["start_col"], r["end_line"], r["end_col"], r["kind"]): utf8[
                r["bstart"] : r["bend"]
            ]
            for r in rows.to_pylist()
            if r["bstart"] is not None and r["kind"] != "Module"
        }
        # get_source_segment re-splits the whole text on every call: sample big files lightly.
        sample = 5 if big else 200
        for node in positioned[:sample]:
            segment = ast.get_source_segment(decoded.text, node)
            key = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, type(node).__name__)
            assert spans[key].decode("utf-8") == segment, (path, key)


def test_latin1_file_is_decoded_with_its_cookie(built: tuple[Path, Warehouse]) -> None:
    _, warehouse = built
    files = _table(warehouse, "source_files").to_pylist()
    row = next(r for r in files if r["path"] == "latin1_cookie.py")
    assert (row["encoding"], row["decode_status"], row["line_count"]) == ("iso-8859-1", "ok", 3)
    bom = next(r for r in files if r["path"] == "bom.py")
    assert (bom["encoding"], bom["decode_status"]) == ("utf-8-sig", "ok")


def test_nothing_outside_the_root_is_read_and_nothing_is_executed(built: tuple[Path, Warehouse]) -> None:
    _, warehouse = built
    files = _table(warehouse, "source_files")
    assert not any("secret" in p or "escape" in p for p in files.column("path").to_pylist())
    names = _table(warehouse, "ast_nodes").column("name").drop_null().to_pylist()
    assert OUTSIDE_MARKER not in names
    assert not (Path("/tmp") / EXECUTION_MARKER_NAME).exists()


def test_generated_and_long_files_are_extracted(built: tuple[Path, Warehouse]) -> None:
    _, warehouse = built
    files = _table(warehouse, "source_files").to_pylist()
    ids = {r["path"]: r["file_id"] for r in files}
    nodes = _table(warehouse, "ast_nodes")
    generated = nodes.filter(pc.equal(nodes.column("file_id"), ids["generated.py"]))
    assert pc.sum(pc.equal(generated.column("kind"), "FunctionDef")).as_py() == 50_000
    long_line = nodes.filter(pc.equal(nodes.column("file_id"), ids["long_line.py"])).to_pylist()
    constant = next(r for r in long_line if r["kind"] == "Constant")
    assert (constant["bstart"], constant["bend"]) == (7, 7 + 5 * 1024 * 1024 + 2)
