"""code_units and bytecode_instructions: golden rows, agreement with dis on real files, the
vectorised table decoders, deterministic texts and compile-error isolation."""

from __future__ import annotations

import dis
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import CodeType

import numpy as np
import pytest

from codeanatomy_core.extract.bytecode import BytecodeExtractor
from codeanatomy_core.extract.bytecode_args import constant_repr, local_names
from codeanatomy_core.extract.bytecode_datasets import BYTECODE_INSTRUCTIONS, CODE_UNITS
from codeanatomy_core.extract.bytecode_decode import collect_code_units, decode_instructions
from codeanatomy_core.extract.file_pass import FileOutput, extract_file
from codeanatomy_core.extract.linetable import decode_exception_tables, decode_locations
from codeanatomy_core.extract.opcodes import FAST_DECODE
from codeanatomy_core.extract.registry import EXTRACTORS
from codeanatomy_core.extract.unit import FileTask

STDLIB = Path(sysconfig.get_paths()["stdlib"])
REAL_FILES = (
    "json/decoder.py",
    "asyncio/base_events.py",
    "dataclasses.py",
    "typing.py",
    "re/_parser.py",
    "email/_header_value_parser.py",
)
INSTRUCTION_FIELDS = (
    "offset",
    "opname",
    "opcode",
    "arg",
    "argval",
    "argrepr",
    "jump_target",
    "is_jump_target",
)

UNITS_SOURCE = """\
import functools


@functools.cache
def add(a, b=2):
    return a + b


class Shape:
    sides = [n for n in range(3)]

    def area(self):
        return lambda: self
"""


def _extract(tmp_path: Path, source: str, extractors: tuple = (BytecodeExtractor,)) -> FileOutput:
    (tmp_path / "sample.py").write_text(source)
    task = FileTask(file_id=5, path="sample.py", module_name="sample", root=str(tmp_path), max_bytes=1 << 20)
    return extract_file(task, extractors)


def _compile_file(path: Path) -> CodeType:
    return compile(path.read_bytes(), str(path), "exec", dont_inherit=True)


def _all_codes(code: CodeType) -> list[CodeType]:
    return list(collect_code_units(code).codes)


def test_code_units_golden(tmp_path: Path) -> None:
    output = _extract(tmp_path, UNITS_SOURCE)
    assert output.errors == []
    rows = output.batches[CODE_UNITS.name].to_pylist()
    ids = {row["code_unit_id"]: row["ordinal"] for row in rows}
    summary = [
        (
            row["ordinal"],
            None if row["parent_code_unit_id"] is None else ids[row["parent_code_unit_id"]],
            row["qualname"],
            row["name"],
            row["first_line"],
            row["flag_names"],
            row["argcount"],
            row["varnames"],
            row["freevars"],
            row["cellvars"],
        )
        for row in rows
    ]
    assert summary == [
        (0, None, "<module>", "<module>", 1, [], 0, [], [], []),
        (1, 0, "add", "add", 4, ["OPTIMIZED", "NEWLOCALS"], 2, ["a", "b"], [], []),
        (2, 0, "Shape", "Shape", 9, [], 0, [], [], []),
        (3, 2, "Shape.<listcomp>", "<listcomp>", 10, ["OPTIMIZED", "NEWLOCALS"], 1, [".0", "n"], [], []),
        (4, 2, "Shape.area", "area", 12, ["OPTIMIZED", "NEWLOCALS"], 1, ["self"], [], ["self"]),
        (
            5,
            4,
            "Shape.area.<locals>.<lambda>",
            "<lambda>",
            13,
            ["OPTIMIZED", "NEWLOCALS", "NESTED"],
            0,
            [],
            ["self"],
            [],
        ),
    ]
    assert rows[0]["names"] == ["functools", "cache", "add", "Shape"]
    # Spans are the anchored syntax-tree nodes (a def starts at "def", after its decorators).
    spans = [UNITS_SOURCE[row["bstart"] : row["bend"]] for row in rows]
    assert spans[0] == UNITS_SOURCE
    assert spans[1] == "def add(a, b=2):\n    return a + b"
    assert spans[2].startswith("class Shape:") and spans[2].endswith("return lambda: self")
    assert spans[3] == "[n for n in range(3)]"
    assert spans[4].startswith("def area(self):")
    assert spans[5] == "lambda: self"
    assert all(row["ast_node_id"] is not None for row in rows)
    node_ids = {row["ast_node_id"] for row in rows}
    ast_rows = _extract(tmp_path, UNITS_SOURCE, tuple(EXTRACTORS)).batches["ast_nodes"].to_pylist()
    kinds = {row["node_id"]: row["kind"] for row in ast_rows}
    assert sorted(kinds[i] for i in node_ids) == [
        "ClassDef",
        "FunctionDef",
        "FunctionDef",
        "Lambda",
        "ListComp",
        "Module",
    ]


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="golden bytecode is CPython 3.11")
def test_instructions_of_a_tiny_function_golden(tmp_path: Path) -> None:
    source = "def add(a, b=2):\n    return a + b\n"
    output = _extract(tmp_path, source)
    units = output.batches[CODE_UNITS.name].to_pylist()
    rows = [
        row
        for row in output.batches[BYTECODE_INSTRUCTIONS.name].to_pylist()
        if row["code_unit_id"] == units[1]["code_unit_id"]
    ]
    got = [
        (
            r["offset"],
            r["opname"],
            r["arg"],
            r["argval"],
            r["argrepr"],
            r["start_line"],
            r["start_col"],
            r["end_col"],
        )
        for r in rows
    ]
    assert got == [
        (0, "RESUME", 0, "0", "", 1, 0, 0),
        (2, "LOAD_FAST", 0, "a", "a", 2, 11, 12),
        (4, "LOAD_FAST", 1, "b", "b", 2, 15, 16),
        (6, "BINARY_OP", 0, "0", "+", 2, 11, 16),  # one inline cache follows
        (10, "RETURN_VALUE", None, None, "", 2, 4, 16),
    ]
    assert [(r["bstart"], r["bend"]) for r in rows[1:]] == [(28, 29), (32, 33), (28, 33), (21, 33)]
    assert source[28:33] == "a + b"


def _dis_rows(code: CodeType) -> list[tuple]:
    rows = []
    for ins in dis.get_instructions(code):
        value = ins.argval
        if ins.opcode in dis.hasconst and ins.arg is not None:
            value = code.co_consts[ins.arg]  # dis leaves KW_NAMES unresolved
        argval = None if ins.arg is None else value if isinstance(value, str) else constant_repr(value)
        argrepr = constant_repr(value) if ins.opname == "LOAD_CONST" else ins.argrepr
        jump = ins.argval if ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs else None
        rows.append((ins.offset, ins.opname, ins.opcode, ins.arg, argval, argrepr, jump, ins.is_jump_target))
    return rows


def test_instructions_match_dis(tmp_path: Path) -> None:
    many_names = ", ".join(f"name_{i}" for i in range(300))  # > 256 names: EXTENDED_ARG
    source = (
        "import os\n"
        "def f(x, *args, key=None, **kw):\n"
        "    y = [i for i in x if i in {'a', 'b', 'c'}]\n"
        "    try:\n"
        "        z = f'{x!r:>{key}}' + os.sep\n"
        "    except (OSError, ValueError) as err:\n"
        "        raise RuntimeError(err) from None\n"
        "    while x:\n"
        "        x -= 1\n"
        "    return g(y, z, a=1, b=2), lambda: x\n"
        f"def many():\n    return [{many_names}]\n"
    )
    output = _extract(tmp_path, source)
    assert output.errors == []
    rows = output.batches[BYTECODE_INSTRUCTIONS.name].to_pylist()
    got = [tuple(row[f] for f in INSTRUCTION_FIELDS) for row in rows]
    module = compile(source, "sample.py", "exec", dont_inherit=True)
    expected = [row for code in _all_codes(module) for row in _dis_rows(code)]
    assert got == expected
    assert "EXTENDED_ARG" in {row[1] for row in got}


@pytest.mark.parametrize("path", REAL_FILES)
def test_real_files_match_dis_and_positions(path: str) -> None:
    module = _compile_file(STDLIB / path)
    codes = _all_codes(module)
    decoded = decode_instructions(collect_code_units(module))
    got = list(
        zip(
            decoded.offset.tolist(),
            decoded.opcode.tolist(),
            decoded.arg.tolist(),
            decoded.argval.to_pylist(),
            decoded.argrepr.to_pylist(),
            decoded.jump_target.tolist(),
            decoded.is_jump_target.tolist(),
            strict=True,
        )
    )
    expected = [
        (off, op, -1 if arg is None else arg, val, rep, -1 if jump is None else jump, label)
        for code in codes
        for off, _, op, arg, val, rep, jump, label in _dis_rows(code)
    ]
    assert got == expected
    positions = [
        tuple(-1 if p is None else p for p in ins.positions or (None,) * 4)
        for c in codes
        for ins in dis.get_instructions(c)
    ]
    got_positions = list(
        zip(
            *(a.tolist() for a in (decoded.line, decoded.end_line, decoded.col, decoded.end_col)), strict=True
        )
    )
    assert got_positions == positions


@pytest.mark.skipif(not FAST_DECODE, reason="the vectorised decoder is off on this interpreter")
@pytest.mark.parametrize("path", REAL_FILES)
def test_fast_decoder_equals_dis_decoder(path: str) -> None:
    units = collect_code_units(_compile_file(STDLIB / path))
    fast, slow = decode_instructions(units, fast=True), decode_instructions(units, fast=False)
    for name in (
        "unit",
        "offset",
        "opcode",
        "arg",
        "jump_target",
        "is_jump_target",
        "line",
        "end_line",
        "col",
        "end_col",
    ):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    assert fast.argval.equals(slow.argval)
    assert fast.argrepr.equals(slow.argrepr)


@pytest.mark.parametrize("path", REAL_FILES)
def test_table_decoders_match_the_interpreter(path: str) -> None:
    units = collect_code_units(_compile_file(STDLIB / path))
    codes = units.codes
    where = decode_locations(codes, units.word_counts).at(np.arange(int(units.word_counts.sum())))
    got = [
        tuple(None if v == -1 else v for v in row) for row in zip(*(a.tolist() for a in where), strict=True)
    ]
    assert got == [p for code in codes for p in code.co_positions()]
    table = decode_exception_tables(codes)
    got_entries = list(
        zip(
            *(getattr(table, f).tolist() for f in ("unit", "start", "end", "target", "depth", "lasti")),
            strict=True,
        )
    )
    expected_entries = [
        (u, e.start, e.end, e.target, e.depth, e.lasti)
        for u, code in enumerate(codes)
        for e in dis._parse_exception_table(code)  # type: ignore[attr-defined]
    ]
    assert got_entries == expected_entries
    for code in codes:
        names = local_names(code)
        assert names == tuple(code._varname_from_oparg(i) for i in range(len(names)))  # type: ignore[attr-defined]


def test_constant_texts_are_deterministic() -> None:
    code = compile("def f(): pass", "m.py", "exec")
    inner = code.co_consts[0]
    assert constant_repr(inner) == '<code object f, file "m.py", line 1>'
    assert constant_repr(frozenset({"b", "a", "c"})) == "frozenset({'a', 'b', 'c'})"
    assert constant_repr(("x", frozenset({2, 1}))) == "('x', frozenset({1, 2}))"
    assert constant_repr((inner,)) == '(<code object f, file "m.py", line 1>,)'
    assert constant_repr(-0.0) == "-0.0"


_HASH_SEED_SCRIPT = """
import json, sys
from pathlib import Path
from codeanatomy_core.extract.bytecode import BytecodeExtractor
from codeanatomy_core.extract.file_pass import extract_file
from codeanatomy_core.extract.unit import FileTask
task = FileTask(file_id=1, path="sample.py", module_name="sample", root=sys.argv[1], max_bytes=1 << 20)
batch = extract_file(task, [BytecodeExtractor]).batches["bytecode_instructions"]
print(json.dumps([batch.column("argval").to_pylist(), batch.column("argrepr").to_pylist()]))
"""


def test_texts_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    source = "def f(x):\n    return x in {'alpha', 'beta', 'gamma', 'delta'}, (lambda: 1)\n"
    (tmp_path / "sample.py").write_text(source)
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _HASH_SEED_SCRIPT, str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1]
    assert "frozenset({'alpha', 'beta', 'delta', 'gamma'})" in outputs[0][0]


def test_compile_error_is_isolated_to_the_bytecode_stage(tmp_path: Path) -> None:
    # ast.parse accepts a module-level return; the compiler rejects it.
    output = _extract(tmp_path, "x = 1\nreturn x\n", tuple(EXTRACTORS))
    assert [(e.stage, e.kind, e.line) for e in output.errors] == [("bytecode", "compile_error", 2)]
    assert CODE_UNITS.name not in output.batches
    assert output.batches["ast_nodes"].num_rows > 0
    assert output.batches["line_index"].num_rows == 2
