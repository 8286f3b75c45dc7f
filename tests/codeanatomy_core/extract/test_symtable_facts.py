"""symtable_scopes and symtable_symbols: a golden scope tree with global / nonlocal / free /
cell / comprehension / class-body symbols, and agreement with symtable.Symbol on real files."""

from __future__ import annotations

import os
import subprocess
import symtable
import sys
import sysconfig
from pathlib import Path

import pytest

from codeanatomy_core.extract.file_pass import FileOutput, extract_file
from codeanatomy_core.extract.registry import EXTRACTORS
from codeanatomy_core.extract.symtable_datasets import SYMBOL_FLAG_COLUMNS, SYMTABLE_SCOPES, SYMTABLE_SYMBOLS
from codeanatomy_core.extract.symtable_facts import SymtableExtractor
from codeanatomy_core.extract.unit import FileTask

SOURCE = """\
import os
counter = 0


def outer(a, *, b=1):
    global counter
    total = [x * a for x in range(3)]

    def inner():
        nonlocal total
        return total, a

    return inner


class Box:
    size: int = 1

    def grow(self):
        return __class__
"""

STDLIB = Path(sysconfig.get_paths()["stdlib"])
REAL_FILES = ("dataclasses.py", "functools.py", "asyncio/tasks.py", "collections/__init__.py", "typing.py")


def _extract(tmp_path: Path, source: str, extractors: tuple = (SymtableExtractor,)) -> FileOutput:
    (tmp_path / "sample.py").write_text(source)
    task = FileTask(file_id=3, path="sample.py", module_name="sample", root=str(tmp_path), max_bytes=1 << 20)
    return extract_file(task, extractors)


def _span(start: str, end: str) -> tuple[int, int]:
    begin = SOURCE.index(start)
    return begin, SOURCE.index(end, begin) + len(end)


def test_scope_tree_golden(tmp_path: Path) -> None:
    output = _extract(tmp_path, SOURCE)
    assert output.errors == []
    rows = output.batches[SYMTABLE_SCOPES.name].to_pylist()
    ordinal = {row["scope_id"]: row["ordinal"] for row in rows}
    got = [
        (
            row["ordinal"],
            None if row["parent_scope_id"] is None else ordinal[row["parent_scope_id"]],
            row["scope_type"],
            row["name"],
            row["qualified_name"],
            row["lineno"],
            row["is_nested"],
            row["has_children"],
            row["symbol_count"],
            (row["bstart"], row["bend"]),
        )
        for row in rows
    ]
    assert got == [
        (0, None, "module", "top", "", 0, False, True, 4, (0, len(SOURCE))),
        (1, 0, "function", "outer", "outer", 5, False, True, 6, _span("def outer", "return inner")),
        (2, 1, "function", "listcomp", "outer.listcomp", 7, True, False, 3, _span("[x * a", "range(3)]")),
        (3, 1, "function", "inner", "outer.inner", 9, True, False, 2, _span("def inner", "return total, a")),
        (4, 0, "class", "Box", "Box", 16, False, True, 3, _span("class Box", "return __class__")),
        (5, 4, "function", "grow", "Box.grow", 19, False, False, 2, _span("def grow", "return __class__")),
    ]


def _flags(row: dict) -> set[str]:
    return {column for column in SYMBOL_FLAG_COLUMNS if row[column]}


def test_symbol_flags_golden(tmp_path: Path) -> None:
    output = _extract(tmp_path, SOURCE)
    scopes = {
        row["scope_id"]: row["qualified_name"] for row in output.batches[SYMTABLE_SCOPES.name].to_pylist()
    }
    got = {
        (scopes[row["scope_id"]], row["name"]): (row["scope_kind"], _flags(row))
        for row in output.batches[SYMTABLE_SYMBOLS.name].to_pylist()
    }
    module_bound = {"is_local", "is_global", "is_implicit_global", "is_assigned"}
    assert got == {
        ("", "os"): ("local", {"is_local", "is_global", "is_implicit_global", "is_imported"}),
        # Declared global in outer: the module's own symbol is explicit too.
        ("", "counter"): ("global_explicit", {"is_local", "is_global", "is_declared_global", "is_assigned"}),
        ("", "outer"): ("local", module_bound | {"is_namespace"}),
        ("", "Box"): ("local", module_bound | {"is_namespace"}),
        ("outer", "a"): ("cell", {"is_local", "is_cell", "is_parameter"}),
        ("outer", "b"): ("local", {"is_local", "is_parameter"}),
        ("outer", "counter"): ("global_explicit", {"is_global", "is_declared_global"}),
        ("outer", "total"): ("cell", {"is_local", "is_cell", "is_assigned"}),
        ("outer", "range"): ("global_implicit", {"is_global", "is_implicit_global", "is_referenced"}),
        ("outer", "inner"): ("local", {"is_local", "is_assigned", "is_referenced", "is_namespace"}),
        ("outer.listcomp", ".0"): ("local", {"is_local", "is_parameter"}),
        ("outer.listcomp", "x"): ("local", {"is_local", "is_assigned", "is_referenced"}),
        ("outer.listcomp", "a"): ("free", {"is_free", "is_referenced"}),
        ("outer.inner", "total"): ("free", {"is_free", "is_nonlocal", "is_referenced"}),
        ("outer.inner", "a"): ("free", {"is_free", "is_referenced"}),
        ("Box", "size"): ("local", {"is_local", "is_assigned", "is_annotated"}),
        ("Box", "int"): ("global_implicit", {"is_global", "is_implicit_global", "is_referenced"}),
        ("Box", "grow"): ("local", {"is_local", "is_assigned", "is_namespace"}),
        ("Box.grow", "self"): ("local", {"is_local", "is_parameter"}),
        ("Box.grow", "__class__"): ("free", {"is_free", "is_referenced"}),
    }


def test_scopes_are_anchored_to_ast_nodes(tmp_path: Path) -> None:
    output = _extract(tmp_path, SOURCE, tuple(EXTRACTORS))
    kinds = {row["node_id"]: row["kind"] for row in output.batches["ast_nodes"].to_pylist()}
    scopes = output.batches[SYMTABLE_SCOPES.name].to_pylist()
    assert [kinds[row["ast_node_id"]] for row in scopes] == [
        "Module",
        "FunctionDef",
        "ListComp",
        "FunctionDef",
        "ClassDef",
        "FunctionDef",
    ]


def test_two_lambdas_on_one_line_get_their_own_nodes(tmp_path: Path) -> None:
    source = "pair = (lambda: 1, lambda: 2)\n"
    scopes = _extract(tmp_path, source).batches[SYMTABLE_SCOPES.name].to_pylist()
    spans = [source[row["bstart"] : row["bend"]] for row in scopes[1:]]
    assert spans == ["lambda: 1", "lambda: 2"]


def _symbol_methods(symbol: symtable.Symbol) -> dict[str, bool]:
    """The flags this interpreter's Symbol answers (is_cell only where it exists)."""
    values = {
        column: bool(getattr(symbol, column)()) for column in SYMBOL_FLAG_COLUMNS if hasattr(symbol, column)
    }
    values["is_implicit_global"] = symbol.is_global() and not symbol.is_declared_global()
    return values


@pytest.mark.parametrize("path", REAL_FILES)
def test_flags_match_symtable_symbols_on_real_files(path: str) -> None:
    task = FileTask(file_id=9, path=path, module_name="m", root=str(STDLIB), max_bytes=1 << 22)
    output = extract_file(task, [SymtableExtractor])
    assert output.errors == []
    rows = output.batches[SYMTABLE_SYMBOLS.name].to_pylist()
    scope_rows = output.batches[SYMTABLE_SCOPES.name].to_pylist()
    expected_scopes, expected_symbols = [], []
    stack = [symtable.symtable((STDLIB / path).read_text("utf-8"), path, "exec")]
    while stack:
        table = stack.pop()
        expected_scopes.append((table.get_type(), table.get_name(), table.get_lineno()))
        for symbol in sorted(table.get_symbols(), key=lambda s: s.get_name()):  # rows: by name
            expected_symbols.append((symbol.get_name(), _symbol_methods(symbol)))
        stack.extend(reversed(table.get_children()))
    assert [(str(r["scope_type"]), r["name"], r["lineno"]) for r in scope_rows] == [
        (str(t), n, line) for t, n, line in expected_scopes
    ]
    got = [
        (row["name"], {column: row[column] for column in expected})
        for row, (_, expected) in zip(rows, expected_symbols, strict=True)
    ]
    assert got == expected_symbols
    assert sum(r["ast_node_id"] is not None for r in scope_rows) == len(scope_rows)


def test_symtable_error_keeps_other_tables(tmp_path: Path) -> None:
    output = _extract(tmp_path, "nonlocal x\n", tuple(EXTRACTORS))
    stages = {(e.stage, e.kind) for e in output.errors}
    assert ("symtable", "symtable_error") in stages
    assert SYMTABLE_SCOPES.name not in output.batches
    assert output.batches["ast_nodes"].num_rows > 0
    assert output.batches["line_index"].num_rows == 1


def test_ids_are_unique_and_deterministic(tmp_path: Path) -> None:
    first = _extract(tmp_path, SOURCE).batches[SYMTABLE_SYMBOLS.name].column("symbol_id").to_pylist()
    second = _extract(tmp_path, SOURCE).batches[SYMTABLE_SYMBOLS.name].column("symbol_id").to_pylist()
    assert first == second
    assert len(set(first)) == len(first)


# ``middle`` only passes these names through to the lambda: the interpreter adds them to its
# table in set order, which follows the hash seed of the process.
PASS_THROUGH = """\
def outer():
    alpha = beta = gamma = delta = epsilon = zeta = eta = theta = 1
    def middle():
        return lambda: (alpha, beta, gamma, delta, epsilon, zeta, eta, theta)
    return middle
"""

_ROWS_SCRIPT = """
import sys
from codeanatomy_core.extract.file_pass import extract_file
from codeanatomy_core.extract.symtable_facts import SymtableExtractor
from codeanatomy_core.extract.unit import FileTask
task = FileTask(file_id=3, path="sample.py", module_name="sample", root=sys.argv[1], max_bytes=1 << 20)
batch = extract_file(task, (SymtableExtractor,)).batches["symtable_symbols"]
print(batch.select(["symbol_id", "ordinal", "name", "flags"]).to_pylist())
"""


def test_symbol_rows_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(PASS_THROUGH)
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _ROWS_SCRIPT, str(tmp_path)],
            check=False,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
    middle = [
        row["name"]
        for row in _extract(tmp_path, PASS_THROUGH).batches["symtable_symbols"].to_pylist()
        if row["name"] in ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")
    ]
    # outer's cells, then middle's pass-through frees, then the lambda's frees: each by name
    by_name = sorted(["alpha", "beta", "delta", "epsilon", "eta", "gamma", "theta", "zeta"])
    assert middle == by_name * 3
