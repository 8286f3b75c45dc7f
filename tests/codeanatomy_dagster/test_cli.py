"""The ``codeanatomy`` command: status of the warehouse, and materialize."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source import RepositoryConfig
from codeanatomy_core.storage import Warehouse, read_dataset
from codeanatomy_dagster.cli import main

HEADER = ["domain", "dataset", "rows", "delta_version", "signature", "state"]


def status_rows(capsys: pytest.CaptureFixture[str], warehouse_root: Path) -> list[list[str]]:
    assert main(["status", "--warehouse", str(warehouse_root), "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert rows[0] == HEADER
    return rows[1:]


def test_status_of_an_empty_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = default_steps()
    signatures = steps.signatures()
    assert status_rows(capsys, tmp_path / "empty") == [
        [str(spec.domain), spec.name, "-", "-", signatures[spec.name][:16], "missing"]
        for spec in steps.catalog
    ]


def test_status_table_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--warehouse", str(tmp_path / "empty")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == HEADER
    assert set(lines[1]) == {"-", " "}
    source_files = next(line for line in lines if " source_files " in line)
    assert source_files.split()[0] == "source"
    assert source_files.split()[-1] == "missing"
    assert len(lines) == 2 + len(default_steps().catalog)


def test_status_after_a_build(small_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = default_steps()
    warehouse = Warehouse.at(tmp_path / "warehouse")
    repository = RepositoryConfig(root=str(small_repo))
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1)
    signatures = steps.signatures()
    expected = [
        [
            str(spec.domain),
            spec.name,
            str(read_dataset(spec, warehouse=warehouse).num_rows),
            "0",
            signatures[spec.name][:16],
            "current",
        ]
        for spec in steps.catalog
    ]
    rows = status_rows(capsys, tmp_path / "warehouse")
    assert rows == expected
    by_name = {row[1]: row for row in rows}
    assert (by_name["source_files"][2], by_name["source_issues"][2], by_name["extract_errors"][2]) == (
        "9",
        "1",
        "3",
    )

    # A table built from another version of its spec is reported stale.
    bumped = msgspec.structs.replace(steps.catalog.get("ast_nodes"), logic_version=2)
    run_pipeline(steps.with_spec(bumped), repository=repository, warehouse=warehouse, workers=1)
    states = {row[1]: (row[3], row[5]) for row in status_rows(capsys, tmp_path / "warehouse")}
    assert states["ast_nodes"] == ("1", "stale")
    assert states["source_files"] == ("0", "current")


def test_status_reports_a_broken_table_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "warehouse" / "source" / "source_files" / "_delta_log"
    log.mkdir(parents=True)
    (log / "00000000000000000000.json").write_text("this is not a Delta log\n")
    assert main(["status", "--warehouse", str(tmp_path / "warehouse")]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("codeanatomy: cannot open Delta table at ")
    assert "source_files" in captured.err


def test_materialize_command_builds_everything(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    warehouse_root = tmp_path / "warehouse"
    arguments: list[Any] = ["--repo", str(small_repo), "--warehouse", str(warehouse_root), "--workers", "1"]
    assert main(["materialize", *arguments]) == 0
    capsys.readouterr()
    assert {row[5] for row in status_rows(capsys, warehouse_root)} == {"current"}


def test_callgraph_flow_option_chooses_what_is_solved_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_files(
        {
            "lib.py": "def helper():\n    pass\n\ndef run():\n    helper()\n",
            "main.py": "import lib\n\ndef fake():\n    pass\n\nlib.helper = fake\nlib.run()\n",
        },
        tmp_path / "repo",
    )
    graphs = {}
    for flow in ("program", "modules"):
        assert main(["callgraph", str(root), "--format", "pycg", "--flow", flow]) == 0
        graphs[flow] = json.loads(capsys.readouterr().out)
    # What main writes into lib is not seen by lib when lib is solved first.
    assert graphs["program"]["lib.run"] == ["lib.helper", "main.fake"]
    assert graphs["modules"]["lib.run"] == ["lib.helper"]


def write_files(files: dict[str, str], root: Path) -> Path:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root
