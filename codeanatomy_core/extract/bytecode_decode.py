"""Decode every code object of one file into parallel instruction arrays (never executed).

``dis.get_instructions`` costs about 2 µs per instruction, more than parsing the file.
On the interpreter versions in ``opcodes.FAST_DECODE_VERSIONS`` the instructions of all
code objects of a file are decoded at once with numpy from ``co_code``, the location
table and the opcode tables, and argument texts are built once per distinct value. Other
versions, and any code whose layout surprises the fast decoder, go through ``dis``; the
tests check that both paths give the same arrays.
"""

from __future__ import annotations

import dis
from types import CodeType

import msgspec
import numpy as np
import pyarrow as pa

from codeanatomy_core.extract import opcodes
from codeanatomy_core.extract.bytecode_args import ArgTexts, argval_text, constant_repr, flat_offsets
from codeanatomy_core.extract.columns import string_array
from codeanatomy_core.extract.linetable import TableFormatError, decode_locations
from codeanatomy_core.extract.opcodes import ArgKind


class CodeUnits(msgspec.Struct, frozen=True, kw_only=True):
    """The code objects of a module in pre-order (a code object before its co_consts')."""

    codes: tuple[CodeType, ...]
    parents: np.ndarray  # index of the enclosing code unit, -1 for the module

    @property
    def word_counts(self) -> np.ndarray:
        return np.array([len(co.co_code) // 2 for co in self.codes], dtype=np.int64)


class Instructions(msgspec.Struct, frozen=True, kw_only=True):
    """One entry per instruction of a file's code units, in unit then offset order.

    Integer arrays use -1 for "none" (no argument, no jump, no position).
    """

    unit: np.ndarray
    offset: np.ndarray
    opcode: np.ndarray
    arg: np.ndarray
    jump_target: np.ndarray
    is_jump_target: np.ndarray
    line: np.ndarray
    end_line: np.ndarray
    col: np.ndarray
    end_col: np.ndarray
    argval: pa.Array
    argrepr: pa.Array

    def __len__(self) -> int:
        return len(self.offset)


def collect_code_units(module: CodeType) -> CodeUnits:
    codes: list[CodeType] = []
    parents: list[int] = []
    stack: list[tuple[CodeType, int]] = [(module, -1)]
    while stack:
        code, parent = stack.pop()
        index = len(codes)
        codes.append(code)
        parents.append(parent)
        children = [c for c in code.co_consts if type(c) is CodeType]
        stack.extend((child, index) for child in reversed(children))
    return CodeUnits(codes=tuple(codes), parents=np.array(parents, dtype=np.int64))


def _decode_fast(units: CodeUnits) -> Instructions:
    codes = units.codes
    word_counts = units.word_counts
    word_start = flat_offsets(word_counts)
    words = np.frombuffer(b"".join(co.co_code for co in codes), dtype=np.uint8)
    all_ops, all_args = words[0::2], words[1::2]
    index = np.flatnonzero(all_ops != opcodes.CACHE)
    op = all_ops[index].astype(np.int64)
    # co_code holds zeroed inline caches: each instruction must be followed by its own.
    following = np.diff(np.append(index, len(all_ops)))
    if not np.array_equal(following, 1 + opcodes.INLINE_CACHES[op]):
        raise TableFormatError("inline caches do not match the opcode table")
    unit = np.repeat(np.arange(len(codes)), np.diff(np.searchsorted(index, word_start)))
    offset = (index - word_start[unit]) * 2

    raw = all_args[index].astype(np.int64)
    arg = raw.copy()
    extended = op == opcodes.EXTENDED_ARG
    if extended.any():
        for _ in range(4):  # at most three prefixes feed one instruction
            arg[1:] = raw[1:] | np.where(extended[:-1], arg[:-1] << 8, 0)
    arg[op < opcodes.HAVE_ARGUMENT] = -1

    kind = opcodes.ARG_KINDS[op]
    target = np.full(len(op), -1, np.int64)
    m = (kind == ArgKind.JUMP_ABSOLUTE) & (arg >= 0)
    target[m] = arg[m] * 2
    m = (kind == ArgKind.JUMP_RELATIVE) & (arg >= 0)
    target[m] = offset[m] + 2 + np.where(opcodes.BACKWARD_JUMP[op[m]], -arg[m], arg[m]) * 2
    jumped = target >= 0
    if ((target[jumped] >= 2 * word_counts[unit[jumped]]) | (target[jumped] & 1 == 1)).any():
        raise TableFormatError("jump target outside its code object")
    is_target_word = np.zeros(len(all_ops), dtype=bool)
    is_target_word[word_start[unit[jumped]] + target[jumped] // 2] = True

    line, end_line, col, end_col = decode_locations(codes, word_counts).at(index)
    argval, argrepr = ArgTexts(codes, unit, op, arg, target).arrays()
    return Instructions(
        unit=unit,
        offset=offset,
        opcode=op,
        arg=arg,
        jump_target=target,
        is_jump_target=is_target_word[index],
        line=line,
        end_line=end_line,
        col=col,
        end_col=end_col,
        argval=argval,
        argrepr=argrepr,
    )


def _decode_with_dis(units: CodeUnits) -> Instructions:
    columns: dict[str, list[int]] = {
        name: [] for name in ("unit", "offset", "opcode", "arg", "target", "labelled", "positions")
    }
    argvals: list[str | None] = []
    argreprs: list[str] = []
    positions: list[int] = []
    for u, code in enumerate(units.codes):
        for ins in dis.get_instructions(code):
            columns["unit"].append(u)
            columns["offset"].append(ins.offset)
            columns["opcode"].append(ins.opcode)
            columns["arg"].append(-1 if ins.arg is None else ins.arg)
            jump = getattr(ins, "jump_target", None)
            if jump is None and opcodes.IS_JUMP[ins.opcode]:
                jump = ins.argval
            columns["target"].append(-1 if jump is None else jump)
            columns["labelled"].append(ins.is_jump_target)
            positions.extend(-1 if p is None else p for p in tuple(ins.positions or (None,) * 4))
            value = ins.argval
            if ins.opcode in dis.hasconst and ins.arg is not None:
                value = code.co_consts[ins.arg]
            argvals.append(None if ins.arg is None else argval_text(value))
            const_shown = ins.opname == "LOAD_CONST" or (
                ins.opcode in dis.hasconst and ins.argrepr and ins.arg is not None
            )
            argreprs.append(constant_repr(value) if const_shown else ins.argrepr)
    where = np.array(positions, dtype=np.int64).reshape(-1, 4)
    return Instructions(
        unit=np.array(columns["unit"], np.int64),
        offset=np.array(columns["offset"], np.int64),
        opcode=np.array(columns["opcode"], np.int64),
        arg=np.array(columns["arg"], np.int64),
        jump_target=np.array(columns["target"], np.int64),
        is_jump_target=np.array(columns["labelled"], dtype=bool),
        line=where[:, 0],
        end_line=where[:, 1],
        col=where[:, 2],
        end_col=where[:, 3],
        argval=string_array(argvals),
        argrepr=string_array(argreprs),
    )


def decode_instructions(units: CodeUnits, *, fast: bool = opcodes.FAST_DECODE) -> Instructions:
    """The instructions of every code unit (dis's values, with deterministic texts)."""
    if fast:
        try:
            return _decode_fast(units)
        except (TableFormatError, IndexError):
            pass  # an unexpected layout or index: dis decides
    return _decode_with_dis(units)
