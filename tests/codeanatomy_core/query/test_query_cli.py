"""``codeanatomy query``: SQL from the command line, without importing Dagster."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.storage import Warehouse, read_dataset
from codeanatomy_dagster.cli import main

LITERAL = "SELECT * FROM (VALUES ('a', 1), ('bbb', 22)) AS t(name, n) ORDER BY n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["query", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_aligned_table_by_default(built_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, LITERAL, "--warehouse", built_warehouse.root) == (
        0,
        "name   n\n----  --\na      1\nbbb   22\n",
        "",
    )


def test_csv_and_json(built_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(capsys, LITERAL, "--warehouse", built_warehouse.root, "--format", "csv")[1]
        == "name,n\na,1\nbbb,22\n"
    )
    _, out, _ = run(capsys, LITERAL, "--warehouse", built_warehouse.root, "--format", "json")
    assert [json.loads(line) for line in out.splitlines()] == [
        {"name": "a", "n": 1},
        {"name": "bbb", "n": 22},
    ]


def test_queries_the_warehouse_tables(built_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    text = "SELECT name, producer FROM registry_source_datasets ORDER BY name"
    assert run(capsys, text, "--warehouse", built_warehouse.root)[1] == (
        "name           producer\n-------------  --------\nsource_files   scan\nsource_issues  scan\n"
    )
    _, out, _ = run(
        capsys,
        "SELECT path FROM source_files ORDER BY path",
        "--warehouse",
        built_warehouse.root,
        "--limit",
        "2",
    )
    assert out == "path\n----------------\nbroken_syntax.py\nmain.py\n"


def test_sql_from_stdin(
    built_warehouse: Warehouse, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT count(*) AS n FROM source_issues"))
    assert run(capsys, "-", "--warehouse", built_warehouse.root, "--format", "csv")[1] == "n\n1\n"


def test_no_sql_lists_the_tables(built_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--warehouse", built_warehouse.root, "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "name,domain,version,uri"
    assert [line.split(",")[0] for line in lines[1:]] == list(default_steps().catalog.names())


def test_id_sets_from_files(
    built_warehouse: Warehouse, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    files = read_dataset(default_steps().catalog.get("source_files"), warehouse=built_warehouse)
    by_path = dict(zip(files.column("path").to_pylist(), files.column("file_id").to_pylist(), strict=True))
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{by_path['main.py']}\n{by_path['pkg/core.py']} 42\n")
    text = "SELECT f.path FROM source_files f JOIN picked p ON f.file_id = p.id ORDER BY f.path"
    args = (text, "--warehouse", built_warehouse.root, "--ids", f"picked={ids}", "--format", "csv")
    assert run(capsys, *args)[1] == "path\nmain.py\npkg/core.py\n"
    bad = tmp_path / "bad.txt"
    bad.write_text("1 two\n")
    code, _, err = run(capsys, "SELECT 1", "--warehouse", built_warehouse.root, "--ids", f"x={bad}")
    assert code == 2
    assert err.startswith(f"codeanatomy: --ids 'x={bad}': cannot read integer ids from")


def test_explain_prints_plans_and_fingerprint(
    built_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "SELECT count(*) FROM ast_nodes", "--warehouse", built_warehouse.root, "--explain"
    )
    assert code == 0
    sections = [line for line in out.splitlines() if line.startswith("== ")]
    assert sections == ["== logical plan", "== optimized plan", "== physical plan"]
    assert out.splitlines()[-1].startswith("fingerprint ")
    assert len(out.splitlines()[-1].split()[1]) == 64


def test_errors_exit_2_with_a_message(
    built_warehouse: Warehouse, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "SELECT * FROM source_filez", "--warehouse", built_warehouse.root)
    assert (code, out) == (2, "")
    assert err.startswith(
        f"codeanatomy: no table named 'source_filez' in {built_warehouse.root}; did you mean 'source_files'?"
    )
    code, _, err = run(capsys, "SELECT 1", "--warehouse", str(tmp_path / "nowhere"))
    assert code == 2
    missing = tmp_path / "nowhere"
    assert err == f"codeanatomy: warehouse {missing} does not exist (run `codeanatomy materialize` first)\n"


def test_query_command_does_not_import_dagster(built_warehouse: Warehouse) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from codeanatomy_dagster.cli import main
        text = "SELECT count(*) AS n FROM source_files"
        code = main(["query", text, "--warehouse", {built_warehouse.root!r}])
        loaded = sorted(m for m in sys.modules if m == "dagster" or m.startswith("dagster."))
        print("dagster modules:", loaded)
        raise SystemExit(code)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout == "n\n-\n9\ndagster modules: []\n"
