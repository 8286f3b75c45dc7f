"""The normalize step in the pipeline: it reads py_facts, writes every normalize table under
its contract, and follows a changed file."""

from __future__ import annotations

from pathlib import Path

from codeanatomy_core.normalize.datasets import CALLSITES, DEFINITIONS, ENTITY_DATASETS
from codeanatomy_core.normalize.datasets_resolution import CALL_TARGETS, RESOLUTION_DATASETS
from codeanatomy_core.normalize.step import NORMALIZE_STEP
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import FlowGranularity, RepositoryConfig
from codeanatomy_core.specs.model import Domain
from codeanatomy_core.storage.contract import check_contract
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import read_dataset, read_last_commit

STEPS = {"scan", "extract", "normalize"}


def test_step_declares_every_normalize_table():
    names = {spec.name for spec in NORMALIZE_STEP.outputs}
    assert names == {spec.name for spec in (*ENTITY_DATASETS, *RESOLUTION_DATASETS)}
    assert all(spec.domain is Domain.NORMALIZE for spec in NORMALIZE_STEP.outputs)
    assert NORMALIZE_STEP.inputs == ("py_facts",)
    assert "normalize" in {step.name for step in default_steps()}


def test_pipeline_writes_contract_checked_tables_and_follows_changes(
    tmp_path: Path, resolution_copy: Path, warehouse
):
    root = resolution_copy
    repository = RepositoryConfig(root=str(root))
    steps = default_steps()
    results = run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    for spec in NORMALIZE_STEP.outputs:
        assert results[spec.name].written, spec.name
        check_contract(spec, read_dataset(spec, warehouse=warehouse))
    assert _alias_targets(warehouse) == {"app.flows.target"}

    again = run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert not any(again[spec.name].written for spec in NORMALIZE_STEP.outputs)  # nothing changed

    flows = root / "app" / "flows.py"
    flows.write_text(flows.read_text().replace("    f = target\n", "    f = other\n"))
    changed = run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert changed[CALL_TARGETS.name].written
    assert _alias_targets(warehouse) == {"app.flows.other"}


def _alias_targets(warehouse) -> set[str]:
    """Targets of ``f()`` in app.flows.run_alias (``f = target``, edited to ``f = other``)."""
    sites = {
        r["callsite_id"]
        for r in read_dataset(CALLSITES, warehouse=warehouse).to_pylist()
        if r["callee_path"] == "f"
    }
    rows = read_dataset(CALL_TARGETS, warehouse=warehouse).to_pylist()
    return {r["target_name"] for r in rows if r["callsite_id"] in sites}


def test_per_file_tables_replace_only_changed_files(tmp_path: Path, resolution_copy: Path, warehouse):
    root = resolution_copy
    repository = RepositoryConfig(root=str(root))
    steps = default_steps()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    util = root / "app" / "util.py"
    util.write_text(util.read_text() + "\n\ndef added():\n    return helper(1)\n")
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    incremental = {
        spec.name: _sorted(read_dataset(spec, warehouse=warehouse)) for spec in NORMALIZE_STEP.outputs
    }
    assert "app.util.added" in {r["qualified_name"] for r in incremental["definitions"].to_pylist()}
    stamp = read_last_commit(DEFINITIONS, warehouse=warehouse)
    assert stamp is not None and stamp.write_mode == "replace_files"
    assert (stamp.details["files_changed"], stamp.details["files_untouched"]) == ("1", "5")
    assert stamp.row_count < incremental["definitions"].num_rows  # only app/util.py's rows were written

    fresh = Warehouse.at(tmp_path / "fresh")
    run_pipeline(steps, repository=repository, warehouse=fresh, workers=1, only=STEPS)
    for spec in NORMALIZE_STEP.outputs:
        assert incremental[spec.name].equals(_sorted(read_dataset(spec, warehouse=fresh))), spec.name


def _sorted(table):
    return table.sort_by([(key, "ascending") for key in table.schema.names if key.endswith("_id")][:1])


MODULAR_FILES = {
    "base.py": "def helper():\n    return 1\n",
    "left.py": "from base import helper\n\ndef run():\n    return helper()\n",
    "right.py": "from base import helper\n\ndef go():\n    f = helper\n    return f()\n",
}


def test_per_module_flow_solves_only_what_an_edit_reaches(tmp_path: Path, make_repo, warehouse):
    root = make_repo(MODULAR_FILES)
    repository = RepositoryConfig(root=str(root), flow=FlowGranularity.MODULES)
    steps = default_steps()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    left = root / "left.py"
    left.write_text(left.read_text().replace("    return helper()\n", "    g = helper\n    return g()\n"))
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    stamp = read_last_commit(CALL_TARGETS, warehouse=warehouse)
    assert stamp is not None and stamp.details["flow_files_solved"] == "1"  # left.py
    assert stamp.details["flow_files_restored"] == "1"  # base.py, from its stored flow states
    assert _run_targets(warehouse) == {("g", "base.helper")}

    fresh = Warehouse.at(tmp_path / "fresh")
    run_pipeline(steps, repository=repository, warehouse=fresh, workers=1, only=STEPS)
    for spec in NORMALIZE_STEP.outputs:
        incremental = _sorted(read_dataset(spec, warehouse=warehouse))
        assert incremental.equals(_sorted(read_dataset(spec, warehouse=fresh))), spec.name


def test_per_module_flow_remakes_the_call_sites_an_edit_fed(tmp_path: Path, make_repo, warehouse):
    files = {
        **MODULAR_FILES,
        "base.py": MODULAR_FILES["base.py"] + "\ndef apply(fn):\n    return fn()\n\ndef call(g):\n    g()\n",
        "left.py": "from base import apply\n\ndef one():\n    pass\n\ndef two():\n    pass\n\napply(one)\n",
        "right.py": MODULAR_FILES["right.py"] + "\nfrom base import apply\n\napply(go)\n",
    }
    root = make_repo(files)
    repository = RepositoryConfig(root=str(root), flow=FlowGranularity.MODULES)
    steps = default_steps()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert _targets_in(warehouse, "base.apply") == {"left.one", "right.go"}
    left = root / "left.py"
    left.write_text(left.read_text().replace("apply(one)", "apply(two)"))
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    # left fed base's call site before the edit: that site's rows are made again, of base's
    # stored own edges there, right's stored edge and what left feeds now. Only left is solved.
    stamp = read_last_commit(CALL_TARGETS, warehouse=warehouse)
    assert stamp is not None and stamp.details["flow_files_solved"] == "1"
    assert _targets_in(warehouse, "base.apply") == {"left.two", "right.go"}
    _assert_same_as_fresh(tmp_path / "fresh", repository, warehouse)

    # A call site no one fed before: found by the solve, its rows are remade too.
    left.write_text(left.read_text().replace("apply(two)", "from base import call\n\ncall(one)"))
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    stamp = read_last_commit(CALL_TARGETS, warehouse=warehouse)
    assert stamp is not None and stamp.details["flow_files_solved"] == "1"
    assert _targets_in(warehouse, "base.apply") == {"right.go"}
    assert _targets_in(warehouse, "base.call") == {"left.one"}
    _assert_same_as_fresh(tmp_path / "fresh2", repository, warehouse)


def _assert_same_as_fresh(path: Path, repository: RepositoryConfig, warehouse: Warehouse) -> None:
    fresh = Warehouse.at(path)
    run_pipeline(default_steps(), repository=repository, warehouse=fresh, workers=1, only=STEPS)
    for spec in NORMALIZE_STEP.outputs:
        incremental = _sorted(read_dataset(spec, warehouse=warehouse))
        assert incremental.equals(_sorted(read_dataset(spec, warehouse=fresh))), spec.name


def _targets_in(warehouse: Warehouse, caller: str) -> set[str]:
    """The targets of the calls in ``caller``."""
    defs = {
        r["def_id"]: r["qualified_name"] for r in read_dataset(DEFINITIONS, warehouse=warehouse).to_pylist()
    }
    return {
        r["target_name"]
        for r in read_dataset(CALL_TARGETS, warehouse=warehouse).to_pylist()
        if defs[r["caller_def_id"]] == caller
    }


def test_changing_the_flow_setting_makes_the_normalize_tables_stale(make_repo, warehouse):
    root = make_repo(MODULAR_FILES)
    steps = default_steps()
    for flow in (FlowGranularity.PROGRAM, FlowGranularity.MODULES):
        repository = RepositoryConfig(root=str(root), flow=flow)
        first = run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
        assert first[CALL_TARGETS.name].written
        stamp = read_last_commit(CALL_TARGETS, warehouse=warehouse)
        assert stamp is not None and stamp.input_versions["setting:flow"] == flow.value
        again = run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
        assert not again[CALL_TARGETS.name].written


def _run_targets(warehouse) -> set[tuple[str, str]]:
    """(callee path, target) of the calls in left.run."""
    defs = {
        r["def_id"]: r["qualified_name"] for r in read_dataset(DEFINITIONS, warehouse=warehouse).to_pylist()
    }
    sites = {
        r["callsite_id"]: r["callee_path"] for r in read_dataset(CALLSITES, warehouse=warehouse).to_pylist()
    }
    return {
        (sites[r["callsite_id"]], r["target_name"])
        for r in read_dataset(CALL_TARGETS, warehouse=warehouse).to_pylist()
        if defs[r["caller_def_id"]] == "left.run"
    }


def test_per_module_flow_solves_everything_when_an_edit_may_reach_further(make_repo, warehouse):
    root = make_repo(MODULAR_FILES)
    repository = RepositoryConfig(root=str(root), flow=FlowGranularity.MODULES)
    steps = default_steps()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    left = root / "left.py"
    # A new container key is a key constant: every component reads them.
    left.write_text(left.read_text() + '\nTABLE = {"k": 1}\n')
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    stamp = read_last_commit(CALL_TARGETS, warehouse=warehouse)
    assert stamp is not None and (
        stamp.details["flow_files_solved"],
        stamp.details["flow_files_restored"],
    ) == (
        "3",
        "0",
    )


def _solved(warehouse: Warehouse) -> tuple[str, str]:
    stamp = read_last_commit(CALL_TARGETS, warehouse=warehouse)
    assert stamp is not None
    return stamp.details["flow_files_solved"], stamp.details["flow_files_restored"]


def test_per_module_flow_solves_again_what_reads_a_file_added_or_removed(
    tmp_path: Path, make_repo, warehouse
):
    files = {
        **MODULAR_FILES,
        # imports a module that does not exist yet: an external name until extra.py appears
        "right.py": "from extra import spare\n\ndef go():\n    return spare()\n",
        "pkg/__init__.py": "",
        "user.py": "import pkg\n\ndef use():\n    return pkg.sub.work()\n",
    }
    root = make_repo(files)
    repository = RepositoryConfig(root=str(root), flow=FlowGranularity.MODULES)
    steps = default_steps()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)

    # A file no one imports: solved alone, over base restored.
    (root / "alone.py").write_text("from base import helper\n\nhelper()\n")
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert _solved(warehouse) == ("1", "1")
    _assert_same_as_fresh(tmp_path / "fresh1", repository, warehouse)

    # A module right.py imported before it existed: right.py is solved again with it.
    (root / "extra.py").write_text("def spare():\n    return 2\n")
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert _solved(warehouse) == ("2", "0")
    assert _targets_in(warehouse, "right.go") == {"extra.spare"}
    _assert_same_as_fresh(tmp_path / "fresh2", repository, warehouse)

    # A submodule of a package user.py imports: user.py reads the package's names again.
    (root / "pkg" / "sub.py").write_text("def work():\n    return 3\n")
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert _solved(warehouse) == ("2", "1")  # pkg/sub.py and user.py, over pkg restored
    _assert_same_as_fresh(tmp_path / "fresh3", repository, warehouse)

    # Removed and renamed modules: their importers are solved again, their rows dropped.
    (root / "extra.py").rename(root / "extras.py")
    (root / "alone.py").unlink()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert _targets_in(warehouse, "right.go") == {"extra.spare"}  # an external name again
    _assert_same_as_fresh(tmp_path / "fresh4", repository, warehouse)
    (root / "base.py").unlink()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert _targets_in(warehouse, "left.run") == {"base.helper"}  # external now
    _assert_same_as_fresh(tmp_path / "fresh5", repository, warehouse)


def test_removing_a_file_no_one_imports_solves_nothing(tmp_path: Path, make_repo, warehouse):
    root = make_repo({**MODULAR_FILES, "lonely.py": "def alone():\n    pass\n\nalone()\n"})
    repository = RepositoryConfig(root=str(root), flow=FlowGranularity.MODULES)
    steps = default_steps()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    (root / "lonely.py").unlink()
    run_pipeline(steps, repository=repository, warehouse=warehouse, workers=1, only=STEPS)
    assert _solved(warehouse) == ("0", "0")
    _assert_same_as_fresh(tmp_path / "fresh", repository, warehouse)
