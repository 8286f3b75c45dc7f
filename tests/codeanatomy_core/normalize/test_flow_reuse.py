"""An edit that only moves code (comments, blank lines) or changes plain constants keeps the
stored call targets; any other edit solves the flow again; either way the tables equal a
fresh full build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codeanatomy_core.extract.pyfacts import PY_FACTS, PyFactsExtractor
from codeanatomy_core.extract.pyfacts_model import decode_facts
from codeanatomy_core.extract.runner import run_extraction
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.normalize.datasets_resolution import CALL_TARGETS
from codeanatomy_core.normalize.flow_reuse import _changed_constants, without_positions
from codeanatomy_core.normalize.step import NORMALIZE_STEP
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import read_dataset, read_last_commit

STEPS = {"scan", "extract", "normalize"}
SOURCE = "def helper(x):\n    return x\n\n\ndef run():\n    return helper(run)\n"


def _facts(root: Path, text: str):
    (root / "mod.py").write_text(text)
    task = FileTask(file_id=1, path="mod.py", module_name="mod", root=str(root), max_bytes=1 << 20)
    tables, _ = run_extraction([task], workers=1, extractors=(PyFactsExtractor,))
    return decode_facts(tables[PY_FACTS.name].column("facts")[0].as_py())


def test_moved_code_has_the_same_position_free_facts(tmp_path: Path):
    base = _facts(tmp_path, SOURCE)
    moved = _facts(tmp_path, "# a comment\n\n" + SOURCE.replace("\n\n\n", "\n\n\n\n# another\n"))
    assert moved != base  # spans and lines moved
    assert without_positions(moved) == without_positions(base)
    assert without_positions(base).calls[0].bstart == 0 and without_positions(base).refs.line == []


@pytest.mark.parametrize(
    "edit",
    [
        "helper(run)",  # a different argument
        "helper(helper)",
    ],
)
def test_changed_code_has_different_position_free_facts(tmp_path: Path, edit: str):
    base = _facts(tmp_path, SOURCE)
    changed = _facts(tmp_path, SOURCE.replace("helper(run)", edit).replace("return x", "return [x]"))
    assert without_positions(changed) != without_positions(base)


def test_changed_plain_constants_are_found_other_changes_are_not(tmp_path: Path):
    base = without_positions(_facts(tmp_path, SOURCE + 'print("hello", 42)\n'))
    message = without_positions(_facts(tmp_path, SOURCE + 'print("goodbye", 43)\n'))
    assert _changed_constants(base, message) == {"s:hello", "s:goodbye", "i:42", "i:43"}
    keyed = without_positions(_facts(tmp_path, SOURCE + 'd = {}\nd["hello"] = 1\n'))
    rekeyed = without_positions(_facts(tmp_path, SOURCE + 'd = {}\nd["other"] = 1\n'))
    assert _changed_constants(keyed, rekeyed) is None  # a container key is more than its type
    retyped = without_positions(_facts(tmp_path, SOURCE + "print(1, 42)\n"))
    assert _changed_constants(base, retyped) is None  # "hello" -> 1: another type


def _tables(warehouse: Warehouse) -> dict:
    return {spec.name: read_dataset(spec, warehouse=warehouse) for spec in NORMALIZE_STEP.outputs}


def _build(root: Path, warehouse: Warehouse, *, force: bool = False) -> None:
    run_pipeline(
        default_steps(),
        repository=RepositoryConfig(root=str(root)),
        warehouse=warehouse,
        workers=1,
        only=STEPS,
        force=force,
    )


EDITS = {
    "comment": ("app/flows.py", lambda text: "# moved down by a comment\n\n" + text, True),
    "plain constant": (
        "app/flows.py",
        lambda text: text.replace('Model("x")', 'Model("a longer name")'),
        True,
    ),
    "container key": ("app/flows.py", lambda text: text.replace('handlers["a"]()', 'handlers["b"]()'), False),
    "assignment": ("app/flows.py", lambda text: text.replace("    f = target\n", "    f = other\n"), False),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_keeps_or_solves_and_the_tables_equal_a_full_build(
    tmp_path: Path, fixtures_dir: Path, edit: str
):
    root = tmp_path / "resolution_repo"
    shutil.copytree(fixtures_dir / "resolution_repo", root)
    warehouse = Warehouse.at(tmp_path / "incremental")
    _build(root, warehouse)
    before = _rows(read_dataset(CALL_TARGETS, warehouse=warehouse))

    path, change, kept = EDITS[edit]
    edited = root / path
    edited.write_text(change(edited.read_text()))
    assert edited.read_text() != (fixtures_dir / "resolution_repo" / path).read_text()
    _build(root, warehouse)
    stamp = read_last_commit(CALL_TARGETS, warehouse=warehouse)
    assert stamp is not None
    assert (stamp.details.get("flow") == "kept (flow input unchanged)") is kept
    fresh = Warehouse.at(tmp_path / "fresh")
    _build(root, fresh, force=True)
    incremental, full = _tables(warehouse), _tables(fresh)
    for name, table in full.items():
        assert _rows(incremental[name]) == _rows(table), name
    assert (_rows(incremental[CALL_TARGETS.name]) == before) is kept  # a real edit changes a target


def _rows(table) -> list[str]:
    """Rows in a canonical order (an incremental write may store files in another order)."""
    return sorted(repr(sorted(row.items())) for row in table.to_pylist())
