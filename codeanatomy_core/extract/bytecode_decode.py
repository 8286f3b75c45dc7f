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
from collections.abc import Sequence
from types import CodeType
from typing import TypeVar

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.extract import opcodes
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
        children = [c for c in code.co_consts if isinstance(c, CodeType)]
        stack.extend((child, index) for child in reversed(children))
    return CodeUnits(codes=tuple(codes), parents=np.array(parents, dtype=np.int64))


# Types whose repr is already deterministic (int: unless too long for repr, see below).
_PLAIN_CONSTANTS = frozenset({str, int, bool, float, bytes, complex, type(None), type(...)})


def constant_repr(value: object) -> str:
    """``repr`` of a constant, made deterministic: code objects without their address and
    frozensets (whose order follows the per-process string hash) with sorted members."""
    if type(value) in _PLAIN_CONSTANTS and type(value) is not int:
        return repr(value)
    if isinstance(value, CodeType):
        return f'<code object {value.co_name}, file "{value.co_filename}", line {value.co_firstlineno}>'
    if isinstance(value, frozenset):
        return "frozenset({" + ", ".join(sorted(map(constant_repr, value))) + "})" if value else "frozenset()"
    if isinstance(value, tuple) and any(isinstance(v, CodeType | frozenset | tuple) for v in value):
        items = [constant_repr(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    try:
        return repr(value)
    except ValueError:  # an int too long for str(); keep it exact in hex
        return hex(value) if isinstance(value, int) else type(value).__name__


def argval_text(value: object) -> str:
    """The text of a resolved argument: strings as they are, other values by constant_repr."""
    return value if type(value) is str else constant_repr(value)


_BASE_TEXTS: tuple[str, ...] = (
    "",
    *opcodes.COMPARE_OPS,
    *opcodes.FORMAT_VALUE_ARGVALS,
    *opcodes.FORMAT_VALUE_ARGREPRS,
    *opcodes.MAKE_FUNCTION_ARGREPRS,
    *opcodes.BINARY_OPS,
)
_BASE_ARRAY = pa.array(_BASE_TEXTS, pa.string())
_EMPTY = 0
_COMPARE = 1
_FORMAT_VALUE = _COMPARE + len(opcodes.COMPARE_OPS)
_FORMAT_REPR = _FORMAT_VALUE + 8
_MAKE_FUNCTION = _FORMAT_REPR + 8
_BINARY_OP = _MAKE_FUNCTION + 16


class _Texts:
    """Segments of argument texts; instructions pick theirs by index into the concatenation."""

    def __init__(self) -> None:
        self.segments: list[pa.Array] = [_BASE_ARRAY]
        self.size = len(_BASE_TEXTS)

    def add(self, texts: pa.Array | Sequence[str]) -> int:
        """Append a segment; returns the index of its first text."""
        array = texts if isinstance(texts, pa.Array) else string_array(texts)
        base = self.size
        self.segments.append(array)
        self.size += len(array)
        return base

    def take(self, indices: np.ndarray) -> pa.Array:
        return pa.concat_arrays(self.segments).take(pa.array(indices, mask=indices < 0))


def _flat_offsets(sizes: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))


def _check_bounds(index: np.ndarray, unit: np.ndarray, sizes: np.ndarray, what: str) -> None:
    if len(index) and ((index < 0) | (index >= sizes[unit])).any():
        raise TableFormatError(f"{what} index out of range")


def _check_below(index: np.ndarray, size: int, what: str) -> None:
    if len(index) and int(index.max()) >= size:
        raise TableFormatError(f"{what} index out of range")


_Item = TypeVar("_Item")


def local_names(code: CodeType) -> tuple[str, ...]:
    """Names of the fast locals, cells and free variables, by LOAD_FAST/LOAD_DEREF argument.

    Arguments that are also cells appear once, among the locals (the layout of
    ``co_localsplusnames``, which 3.11 does not expose; the tests compare it with
    ``_varname_from_oparg``).
    """
    if not code.co_cellvars:
        return code.co_varnames + code.co_freevars
    own = set(code.co_varnames)
    cells = tuple(c for c in code.co_cellvars if c not in own)
    return code.co_varnames + cells + code.co_freevars


def _segment(per_unit: Sequence[Sequence[_Item]]) -> tuple[list[_Item], np.ndarray, np.ndarray]:
    sizes = np.array([len(items) for items in per_unit], np.int64)
    return [item for items in per_unit for item in items], sizes, _flat_offsets(sizes)


def _const_texts(consts: Sequence[object]) -> tuple[list[str], list[str]]:
    """(argval text, argrepr) of every constant; plain values skip the general path."""
    plain = _PLAIN_CONSTANTS
    try:
        shown = [repr(c) if type(c) in plain else constant_repr(c) for c in consts]
    except ValueError:  # an int too long for repr(): constant_repr handles it
        shown = [constant_repr(c) for c in consts]
    # Only strings read differently as values (unquoted); everything else is its repr.
    values = [c if type(c) is str else text for c, text in zip(consts, shown, strict=True)]
    return values, shown


def _arg_texts(codes: Sequence[CodeType], unit: np.ndarray, op: np.ndarray, arg: np.ndarray,
               target: np.ndarray) -> tuple[pa.Array, pa.Array]:  # fmt: skip
    """argval text and argrepr of every instruction, following dis's branches."""
    kind = opcodes.ARG_KINDS[op]
    kind[arg < 0] = ArgKind.NONE
    # Instructions grouped by kind: each branch touches only its own instructions.
    order = np.argsort(kind, kind="stable")
    bounds = np.searchsorted(kind[order], np.arange(len(ArgKind) + 1))

    def of(*kinds: ArgKind) -> np.ndarray:
        parts = [order[bounds[k] : bounds[k + 1]] for k in kinds]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    value = np.full(len(op), -1, np.int64)
    shown = np.full(len(op), _EMPTY, np.int64)
    texts = _Texts()

    consts, sizes, base = _segment([code.co_consts for code in codes])
    const_values, const_reprs = _const_texts(consts)
    i = of(ArgKind.CONST, ArgKind.CONST_UNSHOWN)
    _check_bounds(arg[i], unit[i], sizes, "constant")
    value[i] = texts.add(const_values) + base[unit[i]] + arg[i]
    i = of(ArgKind.CONST)
    shown[i] = texts.add(const_reprs) + base[unit[i]] + arg[i]

    names, sizes, base = _segment([code.co_names for code in codes])
    name_texts = string_array(names)
    i = of(ArgKind.NAME, ArgKind.GLOBAL)
    index = np.where(kind[i] == ArgKind.GLOBAL, arg[i] >> 1, arg[i])
    _check_bounds(index, unit[i], sizes, "name")
    value[i] = shown[i] = texts.add(name_texts) + base[unit[i]] + index
    i = of(ArgKind.GLOBAL)
    i = i[arg[i] & 1 == 1]
    if len(i):
        null_first = pc.binary_join_element_wise("NULL + ", name_texts, "")
        shown[i] = texts.add(null_first) + base[unit[i]] + (arg[i] >> 1)

    i = of(ArgKind.LOCAL)
    if len(i):
        locals_, sizes, base = _segment([local_names(code) for code in codes])
        _check_bounds(arg[i], unit[i], sizes, "local variable")
        value[i] = shown[i] = texts.add(locals_) + base[unit[i]] + arg[i]

    i = of(ArgKind.JUMP_ABSOLUTE, ArgKind.JUMP_RELATIVE)
    targets = pa.array(target[i]).cast(pa.string())
    value[i] = texts.add(targets) + np.arange(len(i))
    shown[i] = texts.add(pc.binary_join_element_wise("to ", targets, "")) + np.arange(len(i))
    i = of(ArgKind.COMPARE)
    _check_below(arg[i], len(opcodes.COMPARE_OPS), "comparison")
    value[i] = shown[i] = _COMPARE + arg[i]
    i = of(ArgKind.FORMAT_VALUE)
    value[i], shown[i] = _FORMAT_VALUE + (arg[i] & 7), _FORMAT_REPR + (arg[i] & 7)
    i = of(ArgKind.MAKE_FUNCTION)
    shown[i] = _MAKE_FUNCTION + (arg[i] & 15)
    i = of(ArgKind.BINARY_OP)
    _check_below(arg[i], len(opcodes.BINARY_OPS), "binary operator")
    shown[i] = _BINARY_OP + arg[i]
    i = of(ArgKind.MAKE_FUNCTION, ArgKind.BINARY_OP, ArgKind.PLAIN)
    value[i] = texts.add(pa.array(arg[i]).cast(pa.string())) + np.arange(len(i))
    return texts.take(value), texts.take(shown)


def _decode_fast(units: CodeUnits) -> Instructions:
    codes = units.codes
    word_counts = units.word_counts
    word_start = _flat_offsets(word_counts)
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
    argval, argrepr = _arg_texts(codes, unit, op, arg, target)
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
