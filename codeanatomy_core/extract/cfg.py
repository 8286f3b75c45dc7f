"""Basic blocks and control-flow edges of every code unit of a file, from decoded bytecode.

A block starts at a unit's first instruction, at every jump target, after every jump or
terminator (return, raise, re-raise) and at the bounds and targets of exception-table
ranges, so each block lies wholly inside or outside every protected range. Edges:
``fall_through`` to the next block (unless the block ends in an unconditional jump or a
terminator), ``jump`` to the target of the block's final jump, and ``exception`` from each
block of a protected range to the handler block. Computed for the whole file at once.
"""

from __future__ import annotations

from enum import IntEnum

import msgspec
import numpy as np

from codeanatomy_core.extract import opcodes
from codeanatomy_core.extract.bytecode_decode import Instructions
from codeanatomy_core.extract.linetable import ExceptionEntries, TableFormatError


class EdgeKind(IntEnum):
    """Kinds of control-flow edges (the stored value is the lower-case name)."""

    FALL_THROUGH = 0
    JUMP = 1
    EXCEPTION = 2

    @property
    def label(self) -> str:
        return self.name.lower()


EDGE_KIND_LABELS: tuple[str, ...] = tuple(kind.label for kind in EdgeKind)


class ControlFlow(msgspec.Struct, frozen=True, kw_only=True):
    """Blocks (in unit then offset order) and edges (by source, kind, target) of a file."""

    block_unit: np.ndarray
    block_ordinal: np.ndarray  # position of the block inside its code unit
    block_start: np.ndarray  # byte offsets in the unit's co_code, end exclusive
    block_end: np.ndarray
    block_instructions: np.ndarray
    block_line: np.ndarray  # first source line of the block's instructions, -1 if none
    edge_src: np.ndarray  # file-level block indices
    edge_dst: np.ndarray
    edge_kind: np.ndarray


def _instruction_at(keys: np.ndarray, wanted: np.ndarray, *, may_end: bool = False) -> np.ndarray:
    """Indices of the instructions at file word positions ``wanted`` (``keys`` is sorted).

    With ``may_end``, a position at the end of a code unit gives the next unit's first
    instruction (or ``len(keys)``): the exclusive end of an exception-table range.
    """
    found = np.searchsorted(keys, wanted)
    inside = found < len(keys)
    if (not may_end and not inside.all()) or (keys[found[inside]] != wanted[inside]).any():
        raise TableFormatError("a jump or exception-table offset is not an instruction boundary")
    return found


class _Layout(msgspec.Struct, frozen=True, kw_only=True):
    keys: np.ndarray  # word position of each instruction in the file
    word_start: np.ndarray  # word position of each code unit in the file
    handler_ranges: tuple[np.ndarray, np.ndarray, np.ndarray]  # start, end, handler instructions


def _layout(ins: Instructions, word_counts: np.ndarray, handlers: ExceptionEntries) -> _Layout:
    word_start = np.concatenate(([0], np.cumsum(word_counts)))
    keys = word_start[ins.unit] + ins.offset // 2
    base = word_start[handlers.unit]
    ranges = (
        _instruction_at(keys, base + handlers.start // 2),
        _instruction_at(keys, base + handlers.end // 2, may_end=True),
        _instruction_at(keys, base + handlers.target // 2),
    )
    return _Layout(keys=keys, word_start=word_start, handler_ranges=ranges)


def _leaders(ins: Instructions, layout: _Layout) -> np.ndarray:
    n = len(ins)
    leader = np.zeros(n + 1, dtype=bool)
    leader[:n][ins.is_jump_target] = True
    if n:
        leader[0] = True
        leader[1:n][ins.unit[1:] != ins.unit[:-1]] = True
    leader[1:][opcodes.IS_JUMP[ins.opcode] | opcodes.TERMINATOR[ins.opcode]] = True
    for bound in layout.handler_ranges:
        leader[bound] = True
    return leader[:n]


def _edges(
    ins: Instructions, layout: _Layout, first: np.ndarray, block_unit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, count = len(ins), len(first)
    block_at = np.zeros(n + 1, np.int64)  # block of each instruction; one past the end: count
    block_at[first] = 1
    block_at = np.cumsum(block_at) - 1
    block_at[n] = count
    last = np.append(first[1:], n) - 1
    last_op = ins.opcode[last]
    same_unit_next = np.append(block_unit[1:] == block_unit[:-1], False)

    jumps = np.flatnonzero(opcodes.IS_JUMP[last_op] & (ins.jump_target[last] >= 0))
    wanted = layout.word_start[block_unit[jumps]] + ins.jump_target[last[jumps]] // 2
    jump_to = block_at[_instruction_at(layout.keys, wanted)]

    falls = np.flatnonzero(
        same_unit_next & ~opcodes.UNCONDITIONAL_JUMP[last_op] & ~opcodes.TERMINATOR[last_op]
    )

    start, end, handler = (block_at[bound] for bound in layout.handler_ranges)
    spans = end - start
    steps = np.arange(int(spans.sum())) - np.repeat(np.cumsum(spans) - spans, spans)
    protected = np.repeat(start, spans) + steps

    src = np.concatenate((jumps, falls, protected)).astype(np.int64)
    dst = np.concatenate((jump_to, falls + 1, np.repeat(handler, spans))).astype(np.int64)
    kind = np.repeat(
        [EdgeKind.JUMP, EdgeKind.FALL_THROUGH, EdgeKind.EXCEPTION], [len(jumps), len(falls), len(steps)]
    )
    order = np.lexsort((dst, kind, src))
    src, dst, kind = src[order], dst[order], kind[order]
    distinct = np.ones(len(src), dtype=bool)
    distinct[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1]) | (kind[1:] != kind[:-1])
    return src[distinct], dst[distinct], kind[distinct]


def build_control_flow(ins: Instructions, word_counts: np.ndarray, handlers: ExceptionEntries) -> ControlFlow:
    """Blocks and edges of every code unit (raises TableFormatError on inconsistent tables)."""
    n = len(ins)
    layout = _layout(ins, word_counts, handlers)
    first = np.flatnonzero(_leaders(ins, layout))
    count = len(first)
    block_unit = ins.unit[first]
    after = np.append(first[1:], n)
    same_unit_next = np.append(block_unit[1:] == block_unit[:-1], False)
    block_start = ins.offset[first]
    block_end = np.where(same_unit_next, np.append(block_start[1:], 0), 2 * word_counts[block_unit])
    unit_first_block = np.searchsorted(block_unit, np.arange(len(word_counts)))

    with_line = np.where(ins.line >= 0, np.arange(n), n)
    first_lined = np.minimum.reduceat(with_line, first) if count else np.zeros(0, np.int64)
    block_line = np.where(first_lined < after, ins.line[np.minimum(first_lined, max(n - 1, 0))], -1)

    src, dst, kind = _edges(ins, layout, first, block_unit)
    return ControlFlow(
        block_unit=block_unit,
        block_ordinal=np.arange(count) - unit_first_block[block_unit],
        block_start=block_start,
        block_end=block_end,
        block_instructions=after - first,
        block_line=block_line,
        edge_src=src,
        edge_dst=dst,
        edge_kind=kind,
    )
