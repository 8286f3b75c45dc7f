"""cfg_blocks and cfg_edges: a golden function with a loop, if/else and try/except, and the
invariants of the graph on real standard-library files."""

from __future__ import annotations

import dis
import itertools
import sys
import sysconfig
from pathlib import Path

import pyarrow as pa
import pytest

from codeanatomy_core.extract.bytecode import BytecodeExtractor
from codeanatomy_core.extract.bytecode_datasets import (
    BYTECODE_INSTRUCTIONS,
    CFG_BLOCKS,
    CFG_EDGES,
    CODE_UNITS,
)
from codeanatomy_core.extract.file_pass import FileOutput, extract_file
from codeanatomy_core.extract.unit import FileTask

FLOW = """\
def flow(items):
    total = 0
    for item in items:
        if item > 0:
            total += item
        else:
            total -= 1
    try:
        result = 10 / total
    except ZeroDivisionError:
        result = 0
    return result
"""

STDLIB = Path(sysconfig.get_paths()["stdlib"])
REAL_FILES = ("json/decoder.py", "asyncio/locks.py", "contextlib.py", "tempfile.py", "ast.py")


def _extract_path(root: Path, path: str) -> FileOutput:
    task = FileTask(file_id=11, path=path, module_name="sample", root=str(root), max_bytes=1 << 22)
    output = extract_file(task, [BytecodeExtractor])
    assert output.errors == []
    return output


def _extract(tmp_path: Path, source: str) -> FileOutput:
    (tmp_path / "sample.py").write_text(source)
    return _extract_path(tmp_path, "sample.py")


def _unit_graph(output: FileOutput, qualname: str) -> tuple[list[tuple], list[tuple]]:
    units = output.batches[CODE_UNITS.name].to_pylist()
    unit_id = next(u["code_unit_id"] for u in units if u["qualname"] == qualname)
    blocks = [b for b in output.batches[CFG_BLOCKS.name].to_pylist() if b["code_unit_id"] == unit_id]
    ordinal = {b["block_id"]: b["ordinal"] for b in blocks}
    edges = [e for e in output.batches[CFG_EDGES.name].to_pylist() if e["code_unit_id"] == unit_id]
    block_rows = [
        (b["ordinal"], b["start_offset"], b["end_offset"], b["instruction_count"], b["start_line"])
        for b in blocks
    ]
    edge_rows = [(ordinal[e["src_block_id"]], ordinal[e["dst_block_id"]], e["edge_kind"]) for e in edges]
    return block_rows, edge_rows


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="golden offsets are CPython 3.11 bytecode")
def test_golden_blocks_and_edges_of_loop_if_else_try_except(tmp_path: Path) -> None:
    blocks, edges = _unit_graph(_extract(tmp_path, FLOW), "flow")
    assert blocks == [
        (0, 0, 10, 5, 1),  # RESUME .. GET_ITER
        (1, 10, 12, 1, 3),  # FOR_ITER
        (2, 12, 26, 5, 3),  # item = ...; if item > 0
        (3, 26, 38, 5, 5),  # total += item; JUMP_BACKWARD
        (4, 38, 50, 5, 7),  # total -= 1; JUMP_BACKWARD
        (5, 50, 52, 1, 8),  # NOP (try)
        (6, 52, 62, 4, 9),  # result = 10 / total (protected)
        (7, 62, 64, 1, 9),  # JUMP_FORWARD past the handler
        (8, 64, 82, 4, 10),  # PUSH_EXC_INFO .. except ZeroDivisionError
        (9, 82, 88, 3, 10),  # result = 0
        (10, 88, 92, 2, 11),  # POP_EXCEPT; JUMP_FORWARD
        (11, 92, 94, 1, 10),  # RERAISE 0
        (12, 94, 100, 3, None),  # cleanup: COPY, POP_EXCEPT, RERAISE 1 (no line)
        (13, 100, 104, 2, 12),  # return result
    ]
    assert edges == [
        (0, 1, "fall_through"),
        (1, 2, "fall_through"),
        (1, 5, "jump"),  # FOR_ITER exhausted
        (2, 3, "fall_through"),
        (2, 4, "jump"),  # else branch
        (3, 1, "jump"),
        (4, 1, "jump"),
        (5, 6, "fall_through"),
        (6, 7, "fall_through"),
        (6, 8, "exception"),
        (7, 13, "jump"),
        (8, 9, "fall_through"),
        (8, 11, "jump"),
        (8, 12, "exception"),
        (9, 10, "fall_through"),
        (9, 12, "exception"),
        (10, 13, "jump"),
        (11, 12, "exception"),
    ]


def test_module_without_branches_is_one_block_without_edges(tmp_path: Path) -> None:
    blocks, edges = _unit_graph(_extract(tmp_path, "x = 1\ny = x + 2\n"), "<module>")
    assert len(blocks) == 1
    assert blocks[0][:2] == (0, 0)
    assert edges == []


def _check_invariants(output: FileOutput) -> None:
    instructions = output.batches[BYTECODE_INSTRUCTIONS.name].to_pylist()
    blocks = output.batches[CFG_BLOCKS.name].to_pylist()
    edges = output.batches[CFG_EDGES.name].to_pylist()
    units = output.batches[CODE_UNITS.name].to_pylist()
    by_unit: dict[int, list[dict]] = {}
    for block in blocks:
        by_unit.setdefault(block["code_unit_id"], []).append(block)
    offsets: dict[int, list[int]] = {}
    for ins in instructions:
        offsets.setdefault(ins["code_unit_id"], []).append(ins["offset"])
    for unit in units:
        unit_blocks = by_unit[unit["code_unit_id"]]
        # Blocks tile the code unit and together hold every instruction exactly once.
        assert [b["ordinal"] for b in unit_blocks] == list(range(len(unit_blocks)))
        assert unit_blocks[0]["start_offset"] == 0
        assert unit_blocks[-1]["end_offset"] == unit["code_size"]
        for before, after in itertools.pairwise(unit_blocks):
            assert before["end_offset"] == after["start_offset"]
        assert sum(b["instruction_count"] for b in unit_blocks) == len(offsets[unit["code_unit_id"]])
    block = {b["block_id"]: b for b in blocks}
    labelled = {(i["code_unit_id"], i["offset"]) for i in instructions if i["is_jump_target"]}
    for edge in edges:
        src, dst = block[edge["src_block_id"]], block[edge["dst_block_id"]]
        assert src["code_unit_id"] == dst["code_unit_id"] == edge["code_unit_id"]
        if edge["edge_kind"] == "fall_through":
            assert dst["ordinal"] == src["ordinal"] + 1
        elif edge["edge_kind"] == "jump":
            assert (dst["code_unit_id"], dst["start_offset"]) in labelled


def _exception_edges_expected(path: Path) -> int:
    """Exception edges = protected blocks; checked against dis's own exception table."""
    code = compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    stack, entries = [code], 0
    while stack:
        current = stack.pop()
        entries += len(dis._parse_exception_table(current))  # type: ignore[attr-defined]
        stack.extend(c for c in current.co_consts if hasattr(c, "co_code"))
    return entries


@pytest.mark.parametrize("path", REAL_FILES)
def test_graph_invariants_on_real_files(path: str) -> None:
    output = _extract_path(STDLIB, path)
    _check_invariants(output)
    edges = output.batches[CFG_EDGES.name]
    kinds = set(edges.column("edge_kind").to_pylist())
    assert kinds == {"fall_through", "jump", "exception"}
    # Every exception-table entry yields at least one protected block.
    exception_edges = sum(1 for k in edges.column("edge_kind").to_pylist() if k == "exception")
    assert exception_edges >= _exception_edges_expected(STDLIB / path)
    ids = pa.chunked_array([edges.column("edge_id")]).unique()
    assert len(ids) == edges.num_rows
