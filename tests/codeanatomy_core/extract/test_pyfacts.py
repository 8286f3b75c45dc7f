"""The py_facts table: one row per file, stored in ranges of file ids."""

from __future__ import annotations

from pathlib import Path

from deltalake import DeltaTable

from codeanatomy_core.extract.pyfacts import PY_FACTS, PyFactsExtractor
from codeanatomy_core.extract.runner import run_extraction
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import read_dataset
from codeanatomy_core.storage.writer import write_dataset

# Two ids in the lowest range (-8), one in range 0 and one in range 7.
FILE_IDS = {"a.py": -(1 << 63), "b.py": -(1 << 63) + 5, "c.py": 12, "d.py": (1 << 63) - 1}


def _facts(root: Path, texts: dict[str, str]):  # type: ignore[no-untyped-def]
    for path, text in texts.items():
        (root / path).write_text(text)
    tasks = [
        FileTask(file_id=FILE_IDS[path], path=path, module_name=path[:-3], root=str(root), max_bytes=1 << 20)
        for path in sorted(texts)
    ]
    tables, _ = run_extraction(tasks, workers=1, extractors=(PyFactsExtractor,))
    return tables[PY_FACTS.name]


def _write(warehouse: Warehouse, table, replace: list[int] | None = None):  # type: ignore[no-untyped-def]
    return write_dataset(
        PY_FACTS,
        warehouse=warehouse,
        data=table,
        run_id="r",
        asset_key="extract/py_facts",
        input_versions={},
        replace_file_ids=replace,
    )


def test_rows_carry_the_range_of_their_file_id(tmp_path: Path) -> None:
    table = _facts(tmp_path, dict.fromkeys(FILE_IDS, "x = 1\n"))
    ranges = zip(table.column("path").to_pylist(), table.column("file_range").to_pylist(), strict=True)
    assert dict(ranges) == {
        "a.py": -8,
        "b.py": -8,
        "c.py": 0,
        "d.py": 7,
    }


def test_replacing_a_files_row_rewrites_its_range_only(tmp_path: Path) -> None:
    warehouse = Warehouse.at(tmp_path / "warehouse")
    repo = tmp_path / "repo"
    repo.mkdir()
    _write(warehouse, _facts(repo, dict.fromkeys(FILE_IDS, "x = 1\n")))
    table = DeltaTable(warehouse.table_uri(PY_FACTS))
    assert table.metadata().partition_columns == ["file_range"]
    before = set(table.file_uris())
    assert len(before) == 3

    _write(warehouse, _facts(repo, {"c.py": "def f():\n    return 2\n"}), replace=[FILE_IDS["c.py"]])
    table = DeltaTable(warehouse.table_uri(PY_FACTS))
    after = set(table.file_uris())
    assert len(before - after) == 1 and "file_range=0" in next(iter(before - after))
    assert len(after - before) == 1
    stored = read_dataset(PY_FACTS, warehouse=warehouse)
    assert sorted(stored.column("path").to_pylist()) == sorted(FILE_IDS)
