"""ast_nodes: golden rows, agreement with ast.walk / ast.get_source_segment, bad files,
and identical output whatever the worker count."""

from __future__ import annotations

import ast
import functools
import io
import sysconfig
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from codeanatomy_core.extract import runner
from codeanatomy_core.extract.datasets import AST_NODES, EXTRACT_ERRORS
from codeanatomy_core.extract.runner import run_extraction
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.ids import derive_id
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source import RepositoryConfig, scan_repository
from codeanatomy_core.source.scan import file_id_for
from codeanatomy_core.specs import arrow_schema
from codeanatomy_core.storage import Warehouse, read_dataset
from codeanatomy_core.storage.digest import content_hash

MAX_BYTES = 16 * 1024 * 1024


def tasks_for(root: Path, paths: list[str], *, repo_id: str = "tests") -> list[FileTask]:
    return [
        FileTask(
            file_id=file_id_for(repo_id, path),
            path=path,
            module_name=path.removesuffix(".py").replace("/", "."),
            root=str(root),
            max_bytes=MAX_BYTES,
        )
        for path in paths
    ]


def extract_ast(tasks: list[FileTask], *, workers: int = 1) -> tuple[pa.Table, pa.Table]:
    tables, errors = run_extraction(tasks, workers=workers)
    return tables[AST_NODES.name], errors


def rows_of(table: pa.Table, file_id: int) -> list[dict[str, Any]]:
    rows = [r for r in table.to_pylist() if r["file_id"] == file_id]
    return sorted(rows, key=lambda r: r["ordinal"])


def source_text(data: bytes) -> str:
    """The text the interpreter would compile (cookie/BOM honoured; BOM dropped)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding).removeprefix("\ufeff")


def preorder(tree: ast.AST) -> list[ast.AST]:
    """Nodes in pre-order, children in field order (an independent reimplementation)."""
    out: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return out


# ---------------------------------------------------------------------------- golden rows

GOLDEN_SOURCE = 'def f(a):\n    return "é" + a\nf(1, x)\n'

# (ordinal, kind, parent ordinal, depth, field_name, field_index, name,
#  bstart, bend, start_line, start_col, end_line, end_col). Columns count UTF-8 bytes:
#  "é" is two bytes, so everything after it on line 2 sits one column further right than
#  its character index.
NO_SPAN = (None,) * 6
GOLDEN_ROWS = [
    (0, "Module", None, 0, None, None, None, 0, 38, 1, 0, 3, 8),
    (1, "FunctionDef", 0, 1, "body", 0, "f", 0, 29, 1, 0, 2, 19),
    (2, "arguments", 1, 2, "args", None, None, *NO_SPAN),
    (3, "arg", 2, 3, "args", 0, "a", 6, 7, 1, 6, 1, 7),
    (4, "Return", 1, 2, "body", 0, None, 14, 29, 2, 4, 2, 19),
    (5, "BinOp", 4, 3, "value", None, None, 21, 29, 2, 11, 2, 19),
    (6, "Constant", 5, 4, "left", None, None, 21, 25, 2, 11, 2, 15),
    (7, "Add", 5, 4, "op", None, None, *NO_SPAN),
    (8, "Name", 5, 4, "right", None, "a", 28, 29, 2, 18, 2, 19),
    (9, "Load", 8, 5, "ctx", None, None, *NO_SPAN),
    (10, "Expr", 0, 1, "body", 1, None, 30, 37, 3, 0, 3, 7),
    (11, "Call", 10, 2, "value", None, None, 30, 37, 3, 0, 3, 7),
    (12, "Name", 11, 3, "func", None, "f", 30, 31, 3, 0, 3, 1),
    (13, "Load", 12, 4, "ctx", None, None, *NO_SPAN),
    (14, "Constant", 11, 3, "args", 0, None, 32, 33, 3, 2, 3, 3),
    (15, "Name", 11, 3, "args", 1, "x", 35, 36, 3, 5, 3, 6),
    (16, "Load", 15, 4, "ctx", None, None, *NO_SPAN),
]


def test_golden_rows(tmp_path: Path) -> None:
    (tmp_path / "golden.py").write_text(GOLDEN_SOURCE, encoding="utf-8")
    [task] = tasks_for(tmp_path, ["golden.py"])
    table, errors = extract_ast([task])
    assert errors.num_rows == 0
    assert table.schema.equals(arrow_schema(AST_NODES), check_metadata=True)
    rows = rows_of(table, task.file_id)
    ordinal_of = {r["node_id"]: r["ordinal"] for r in rows}
    observed = [
        (
            r["ordinal"],
            r["kind"],
            None if r["parent_id"] is None else ordinal_of[r["parent_id"]],
            r["depth"],
            r["field_name"],
            r["field_index"],
            r["name"],
            r["bstart"],
            r["bend"],
            r["start_line"],
            r["start_col"],
            r["end_line"],
            r["end_col"],
        )
        for r in rows
    ]
    assert observed == GOLDEN_ROWS
    # Ids are derive_ids(file_id, "ast", ordinal): the same on every run and machine.
    assert [r["node_id"] for r in rows] == [derive_id(task.file_id, "ast", i) for i in range(len(rows))]
    assert {r["file_id"] for r in rows} == {task.file_id}
    utf8 = GOLDEN_SOURCE.encode()
    assert utf8[rows[6]["bstart"] : rows[6]["bend"]].decode() == '"é"'


def test_names_carried_by_nodes(tmp_path: Path) -> None:
    source = (
        "from os import path as p\n"
        "import json\n"
        "class K(Base, metaclass=M):\n"
        "    def m(self, *args, key=None, **kw):\n"
        "        global g1, g2\n"
        "        try:\n"
        "            return obj.attr\n"
        "        except E as err:\n"
        "            pass\n"
        "async def h(): pass\n"
        "match v:\n"
        "    case {'k': 1, **rest}: pass\n"
        "    case [*others] | (other as alias): pass\n"
    )
    (tmp_path / "names.py").write_text(source)
    [task] = tasks_for(tmp_path, ["names.py"])
    table, _ = extract_ast([task])
    named = [(r["kind"], r["name"]) for r in rows_of(table, task.file_id) if r["name"] is not None]
    assert named == [
        ("ImportFrom", "os"),
        ("alias", "path"),
        ("alias", "json"),
        ("ClassDef", "K"),
        ("Name", "Base"),
        ("keyword", "metaclass"),
        ("Name", "M"),
        ("FunctionDef", "m"),
        ("arg", "self"),
        ("arg", "args"),
        ("arg", "key"),
        ("arg", "kw"),
        ("Global", "g1,g2"),
        ("Attribute", "attr"),
        ("Name", "obj"),
        ("ExceptHandler", "err"),
        ("Name", "E"),
        ("AsyncFunctionDef", "h"),
        ("Name", "v"),
        ("MatchMapping", "rest"),
        ("MatchStar", "others"),
        ("MatchAs", "alias"),
        ("MatchAs", "other"),
    ]


# ----------------------------------------------- agreement with ast.walk / get_source_segment


@pytest.fixture
def fast_source_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """ast.get_source_segment splits the whole source on every call (a per-character Python
    loop in 3.11); memoise the split so that checking every node of a large file stays fast.
    The function's own logic is unchanged."""
    split = getattr(ast, "_splitlines_no_ff", None)
    if split is not None:
        monkeypatch.setattr(ast, "_splitlines_no_ff", functools.lru_cache(maxsize=4)(split))


def assert_rows_match_tree(rows: list[dict[str, Any]], data: bytes, label: str) -> int:
    """Check every row against the node it stands for; returns the number of spans checked."""
    text = source_text(data)
    tree = ast.parse(text)
    nodes = preorder(tree)
    assert len(rows) == len(list(ast.walk(tree))) == len(nodes), label
    utf8 = text.encode("utf-8")
    checked = 0
    for row, node in zip(rows, nodes, strict=True):
        assert row["kind"] == type(node).__name__, (label, row["ordinal"])
        if isinstance(node, ast.Module):
            assert (row["bstart"], row["bend"]) == (0, len(utf8)), label
            continue
        segment = ast.get_source_segment(text, node)
        if segment is None:
            assert row["bstart"] is None and row["bend"] is None, (label, row)
            continue
        position = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        assert (row["start_line"], row["start_col"], row["end_line"], row["end_col"]) == position, label
        assert utf8[row["bstart"] : row["bend"]].decode("utf-8") == segment, (label, row)
        checked += 1
    return checked


GOOD_FIXTURE_FILES = [
    "main.py",
    "pkg/__init__.py",
    "pkg/core.py",
    "pkg/legacy_latin1.py",
    "pkg/sub/__init__.py",
    "pkg/sub/deep.py",
    "pkg/unicode_names.py",
]


def test_rows_match_the_tree_for_every_good_fixture_file(
    small_repo_src: Path, fast_source_segments: None
) -> None:
    scan = scan_repository(RepositoryConfig(root=str(small_repo_src)))
    good = [f for f in scan.files if f.path in GOOD_FIXTURE_FILES]
    assert [f.path for f in good] == GOOD_FIXTURE_FILES
    tasks = tasks_for(small_repo_src, [f.path for f in good], repo_id=scan.repo_id)
    table, errors = extract_ast(tasks)
    assert errors.num_rows == 0
    spans = 0
    for task in tasks:
        data = (small_repo_src / task.path).read_bytes()
        spans += assert_rows_match_tree(rows_of(table, task.file_id), data, task.path)
    # Every positioned node of the fixture was compared (a golden count for the fixture).
    assert spans == 415


TRICKY_SOURCES: dict[str, bytes] = {
    "crlf.py": b"def f(x):\r\n    return (x +\r\n            1)\r\n",
    "lone_cr.py": b"a = 1\rb = (a,\r     2)\rc = b\r",
    "bom.py": b"\xef\xbb\xbfs = '\xc3\xa9'\nt = s\n",
    "tabs_ff.py": "if True:\n\tx = 1\n\x0c\ndef g():\n\treturn '☃'\n".encode(),
    "continuation.py": b"total = 1 + \\\n    2\n",
    "fstrings.py": 'y = f"{x!r:>{10}} é {x+1}"\nz = f"""{\n  y\n}"""\n'.encode(),
    "multiline_unicode.py": 'doc = """ünï\ncødé 😀"""; z = doc\n'.encode(),
    "no_final_newline.py": b"x = [1,\n 2]",
    "cp1252.py": b"# coding: cp1252\nname = '\x80\xe9'; other = name\n",
}


def test_rows_match_the_tree_for_tricky_texts(tmp_path: Path, fast_source_segments: None) -> None:
    for name, data in TRICKY_SOURCES.items():
        (tmp_path / name).write_bytes(data)
    tasks = tasks_for(tmp_path, sorted(TRICKY_SOURCES))
    table, errors = extract_ast(tasks)
    assert errors.num_rows == 0
    for task in tasks:
        assert_rows_match_tree(rows_of(table, task.file_id), TRICKY_SOURCES[task.path], task.path)


STDLIB_MODULES = ["textwrap.py", "json/decoder.py", "dataclasses.py", "ast.py"]


def test_rows_match_the_tree_for_stdlib_modules(fast_source_segments: None) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    tasks = tasks_for(stdlib, STDLIB_MODULES)
    table, errors = extract_ast(tasks)
    assert errors.num_rows == 0
    for task in tasks:
        data = (stdlib / task.path).read_bytes()
        assert_rows_match_tree(rows_of(table, task.file_id), data, task.path)


# ------------------------------------------------------------------ bad files, whole pipeline


def test_run_extraction_records_bad_files_and_goes_on(small_repo_src: Path) -> None:
    scan = scan_repository(RepositoryConfig(root=str(small_repo_src)))
    tasks = tasks_for(small_repo_src, [f.path for f in scan.files], repo_id=scan.repo_id)
    table, errors = extract_ast(tasks)
    assert [(e["path"], e["stage"], e["error_kind"]) for e in errors.to_pylist()] == [
        ("broken_syntax.py", "parse", "SyntaxError"),
        ("undecodable.py", "decode", "decode_error"),
    ]
    with_rows = {f.path for f in scan.files if f.file_id in set(table.column("file_id").to_pylist())}
    assert with_rows == set(GOOD_FIXTURE_FILES)  # the empty __init__.py too: its Module node


def test_bad_files_become_errors_and_good_files_keep_their_rows(
    small_repo: Path, warehouse: Warehouse
) -> None:
    run_pipeline(
        default_steps(), repository=RepositoryConfig(root=str(small_repo)), warehouse=warehouse, workers=1
    )
    errors = read_dataset(EXTRACT_ERRORS, warehouse=warehouse).to_pylist()
    observed = [(e["path"], e["stage"], e["error_kind"], e["line"], e["column"]) for e in errors]
    assert observed == [
        ("broken_syntax.py", "parse", "SyntaxError", 7, 11),
        ("pkg/escape.py", "scan", "symlink_outside_root", None, None),
        ("undecodable.py", "decode", "decode_error", 4, 11),
    ]
    by_path = {e["path"]: e for e in errors}
    assert by_path["broken_syntax.py"]["message"] == "invalid syntax"
    assert by_path["undecodable.py"]["message"].startswith("cannot decode as utf-8: ")
    assert {e["path"]: e["file_id"] for e in errors} == {
        path: file_id_for("small_repo", path) for path in by_path
    }

    nodes = read_dataset(AST_NODES, warehouse=warehouse)
    counts: dict[int, int] = {}
    for file_id in nodes.column("file_id").to_pylist():
        counts[file_id] = counts.get(file_id, 0) + 1
    expected = {
        file_id_for("small_repo", path): len(
            list(ast.walk(ast.parse(source_text((small_repo / path).read_bytes()))))
        )
        for path in GOOD_FIXTURE_FILES
    }
    # Files that failed to decode or parse have no rows; every good file has all of its nodes.
    assert counts == expected


# ------------------------------------------------------------------------ worker determinism


def write_many_files(root: Path, count: int) -> list[str]:
    """``count`` small but varied modules (and one broken one), enough for the process pool."""
    paths = []
    for i in range(count):
        path = f"gen/pkg_{i % 4}/mod_{i:03d}.py"
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        body = (
            f"'''Module {i} — généré.'''\n"
            f"import os  # a comment for the comment extractor\n\n"
            f"class C{i}:\n"
            f"    def m(self, x={i}):\n"
            f"        return [x * k for k in range({i % 7})] + [os.sep]\n"
        )
        if i == count // 2:
            body += "def broken(:\n"
        target.write_text(body * (1 + i % 3), encoding="utf-8")
        paths.append(path)
    return paths


def _iter_tables(tables: dict[str, pa.Table], errors: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    yield from sorted(tables.items())
    yield "extract_errors", errors


def test_worker_count_does_not_change_the_tables(tmp_path: Path) -> None:
    paths = write_many_files(tmp_path, 70)
    tasks = tasks_for(tmp_path, sorted(paths))
    # Fewer tasks would run in process whatever the worker count.
    assert len(tasks) >= runner.MIN_PARALLEL_FILES
    serial = run_extraction(tasks, workers=1)
    parallel = run_extraction(tasks, workers=2)
    serial_tables = dict(_iter_tables(*serial))
    parallel_tables = dict(_iter_tables(*parallel))
    assert list(serial_tables) == list(parallel_tables)
    for name, table in serial_tables.items():
        assert parallel_tables[name].equals(table, check_metadata=True), name
        assert content_hash(parallel_tables[name]) == content_hash(table), name
    # Every extractor's table is compared; these two must not be vacuously empty.
    assert serial_tables["ast_nodes"].num_rows > 70 * 10
    broken = serial_tables["extract_errors"].to_pylist()
    assert [(e["path"], e["stage"], e["error_kind"]) for e in broken] == [
        ("gen/pkg_3/mod_035.py", "parse", "SyntaxError")
    ]
