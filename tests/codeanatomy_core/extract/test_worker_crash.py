"""A worker process that dies on one file costs that file only, never the others."""

import sys
from pathlib import Path

from codeanatomy_core.extract.runner import MIN_PARALLEL_FILES, run_extraction
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.source.scan import scan_repository

FIXTURES = Path(__file__).parents[2] / "fixtures" / "extractors"


def test_crashing_file_is_recorded_and_the_rest_extracted(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))  # spawned workers inherit sys.path
    from crashing_extractor import CRASH_MARKER, CrashingAstNodesExtractor

    count = MIN_PARALLEL_FILES + 16
    for i in range(count):
        (tmp_path / f"m{i:03}.py").write_text(f"def f{i}():\n    return {i}\n")
    (tmp_path / "m040.py").write_text(f"{CRASH_MARKER} = 1\n")
    scan = scan_repository(RepositoryConfig(root=str(tmp_path)))
    tasks = [
        FileTask(
            file_id=f.file_id, path=f.path, module_name=f.module_name, root=str(tmp_path), max_bytes=1 << 20
        )
        for f in scan.files
    ]
    tables, errors = run_extraction(tasks, workers=2, extractors=(CrashingAstNodesExtractor,))

    assert errors.select(["path", "stage", "error_kind"]).to_pylist() == [
        {"path": "m040.py", "stage": "extract", "error_kind": "worker_crashed"}
    ]
    # Every other file: Module, FunctionDef, arguments, Return, Constant = 5 nodes.
    assert tables["ast_nodes"].num_rows == (count - 1) * 5
    assert "crashing_extractor" in sys.modules
