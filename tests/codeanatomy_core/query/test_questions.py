"""The common questions over a built warehouse: exact answers, and agreement with the
call-graph export."""

import shutil
from pathlib import Path

import pytest

from codeanatomy_core.normalize.callgraph import call_graph, resolve_folder
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.query import questions
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_dagster.cli import main

FIXTURE = Path(__file__).parents[2] / "fixtures" / "resolution_repo"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("questions")
    repo = base / "repo"
    shutil.copytree(FIXTURE, repo)
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "app"\n[project.scripts]\napp-run = "app.flows:run_alias"\n'
    )
    warehouse = base / "warehouse"
    run_pipeline(
        default_steps(),
        repository=RepositoryConfig(root=str(repo)),
        warehouse=Warehouse.at(warehouse),
        only={"scan", "extract", "normalize"},
    )
    return repo, warehouse


def _pairs(table) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return set(zip(table.column("caller").to_pylist(), table.column("callee").to_pylist(), strict=True))


def test_callers_of_a_function_called_four_ways(built: tuple[Path, Path]) -> None:
    _, warehouse = built
    # Through an alias, a dict of handlers, a parameter, and an attribute holding handlers.
    assert _pairs(questions.callers("app.flows.target", warehouse=warehouse)) == {
        ("app.flows.apply", "app.flows.target"),
        ("app.flows.run_alias", "app.flows.target"),
        ("app.flows.run_dict", "app.flows.target"),
        ("app.util.Registry.run", "app.flows.target"),
    }
    # A dotted suffix names the same definition.
    assert _pairs(questions.callers("flows.target", warehouse=warehouse)) == _pairs(
        questions.callers("app.flows.target", warehouse=warehouse)
    )


def test_callers_and_callees_agree_with_the_call_graph_export(built: tuple[Path, Path]) -> None:
    repo, warehouse = built
    graph = call_graph(resolve_folder(repo))
    for caller, callees in graph.items():
        if not caller.startswith("app."):
            continue
        answer = questions.callees(caller, warehouse=warehouse)
        own = {c for c_, c in _pairs(answer) if c_ == caller}
        assert own == set(callees), caller
        for callee in callees:
            assert (caller, callee) in _pairs(questions.callers(callee, warehouse=warehouse)), (
                caller,
                callee,
            )


def test_refs_and_imports(built: tuple[Path, Path]) -> None:
    _, warehouse = built
    refs = questions.refs("app.flows.target", warehouse=warehouse)
    assert sorted(
        set(zip(refs.column("path").to_pylist(), refs.column("line").to_pylist(), strict=True))
    ) == [
        ("app/flows.py", 26),
        ("app/flows.py", 30),
        ("app/flows.py", 50),
        ("app/flows.py", 64),
    ]
    imported = questions.imports("app.flows", warehouse=warehouse)
    assert imported.select(["imported", "target_kind"]).to_pylist() == [
        {"imported": "app.util", "target_kind": "definition"},  # the module app/util.py
        {"imported": "app.models.Model", "target_kind": "definition"},
    ]


def test_unused_leaves_out_entry_points_tests_and_dunders(built: tuple[Path, Path]) -> None:
    repo, warehouse = built
    names = set(questions.unused(warehouse=warehouse, root=str(repo)).column("definition").to_pylist())
    assert "app.flows.run_alias" not in names  # a console script
    assert not any(n.rsplit(".", 1)[-1].startswith("__") for n in names)
    assert "app.flows.target" not in names  # called
    assert "app.util._private" in names


def test_command_prints_aligned_tables_csv_and_json(built: tuple[Path, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    _, warehouse = built
    assert main(["callers", "app.flows.target", "--warehouse", str(warehouse), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "caller,callee,path,line,method,confidence"
    assert len(lines) == 5
    assert main(["callees", "app.flows.run_dict", "--warehouse", str(warehouse)]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split() == ["caller", "callee", "path", "line", "method", "confidence"]
    assert "app.flows.target" in text
