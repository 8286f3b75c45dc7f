"""Argument texts of decoded instructions: dis's argval and argrepr, made deterministic.

Texts are built once per distinct source (a constant, a name, a local) and instructions
refer to them by index, so a file's texts cost a few numpy and Arrow calls, not one
Python call per instruction.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import CodeType
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.extract import opcodes
from codeanatomy_core.extract.columns import string_array
from codeanatomy_core.extract.linetable import TableFormatError
from codeanatomy_core.extract.opcodes import ArgKind

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


def flat_offsets(sizes: Sequence[int] | np.ndarray) -> np.ndarray:
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
    return [item for items in per_unit for item in items], sizes, flat_offsets(sizes)


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


class ArgTexts:
    """Indices of every instruction's argval and argrepr into segments of texts.

    Instructions are grouped by ArgKind (dis's branches): each branch touches only its own
    instructions, and kinds a file does not use cost nothing (most files are small, so
    the number of numpy calls matters more than their size).
    """

    def __init__(self, codes: Sequence[CodeType], unit: np.ndarray, op: np.ndarray, arg: np.ndarray,
                 target: np.ndarray) -> None:  # fmt: skip
        self.codes, self.unit, self.arg, self.target = codes, unit, arg, target
        self.kind = opcodes.ARG_KINDS[op]
        self.kind[arg < 0] = ArgKind.NONE
        self.order = np.argsort(self.kind, kind="stable")
        self.bounds = np.searchsorted(self.kind[self.order], np.arange(len(ArgKind) + 1)).tolist()
        self.value = np.full(len(op), -1, np.int64)
        self.shown = np.full(len(op), _EMPTY, np.int64)
        self.texts = _Texts()

    def of(self, *kinds: ArgKind) -> np.ndarray:
        parts = [self.order[self.bounds[k] : self.bounds[k + 1]] for k in kinds]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def constants(self) -> None:
        i, unit, arg = self.of(ArgKind.CONST, ArgKind.CONST_UNSHOWN), self.unit, self.arg
        if len(i):
            consts, sizes, base = _segment([code.co_consts for code in self.codes])
            values, reprs = _const_texts(consts)
            _check_bounds(arg[i], unit[i], sizes, "constant")
            self.value[i] = self.texts.add(values) + base[unit[i]] + arg[i]
            i = self.of(ArgKind.CONST)
            self.shown[i] = self.texts.add(reprs) + base[unit[i]] + arg[i]

    def names(self) -> None:
        i, unit, arg = self.of(ArgKind.NAME, ArgKind.GLOBAL), self.unit, self.arg
        if not len(i):
            return
        names, sizes, base = _segment([code.co_names for code in self.codes])
        texts = string_array(names)
        index = np.where(self.kind[i] == ArgKind.GLOBAL, arg[i] >> 1, arg[i])
        _check_bounds(index, unit[i], sizes, "name")
        self.value[i] = self.shown[i] = self.texts.add(texts) + base[unit[i]] + index
        i = self.of(ArgKind.GLOBAL)
        i = i[arg[i] & 1 == 1]
        if len(i):
            null_first = pc.binary_join_element_wise("NULL + ", texts, "")
            self.shown[i] = self.texts.add(null_first) + base[unit[i]] + (arg[i] >> 1)

    def locals(self) -> None:
        i, unit, arg = self.of(ArgKind.LOCAL), self.unit, self.arg
        if len(i):
            names, sizes, base = _segment([local_names(code) for code in self.codes])
            _check_bounds(arg[i], unit[i], sizes, "local variable")
            self.value[i] = self.shown[i] = self.texts.add(names) + base[unit[i]] + arg[i]

    def jumps(self) -> None:
        i = self.of(ArgKind.JUMP_ABSOLUTE, ArgKind.JUMP_RELATIVE)
        if len(i):
            targets = pa.array(self.target[i]).cast(pa.string())
            self.value[i] = self.texts.add(targets) + np.arange(len(i))
            self.shown[i] = self.texts.add(pc.binary_join_element_wise("to ", targets, "")) + np.arange(
                len(i)
            )

    def fixed_tables(self) -> None:
        arg, value, shown = self.arg, self.value, self.shown
        i = self.of(ArgKind.COMPARE)
        if len(i):
            _check_below(arg[i], len(opcodes.COMPARE_OPS), "comparison")
            value[i] = shown[i] = _COMPARE + arg[i]
        i = self.of(ArgKind.FORMAT_VALUE)
        if len(i):
            value[i], shown[i] = _FORMAT_VALUE + (arg[i] & 7), _FORMAT_REPR + (arg[i] & 7)
        i = self.of(ArgKind.MAKE_FUNCTION)
        if len(i):
            shown[i] = _MAKE_FUNCTION + (arg[i] & 15)
        i = self.of(ArgKind.BINARY_OP)
        if len(i):
            _check_below(arg[i], len(opcodes.BINARY_OPS), "binary operator")
            shown[i] = _BINARY_OP + arg[i]

    def integers(self) -> None:
        i = self.of(ArgKind.MAKE_FUNCTION, ArgKind.BINARY_OP, ArgKind.PLAIN)
        if len(i):
            self.value[i] = self.texts.add(pa.array(self.arg[i]).cast(pa.string())) + np.arange(len(i))

    def arrays(self) -> tuple[pa.Array, pa.Array]:
        for branch in (self.constants, self.names, self.locals, self.jumps, self.fixed_tables, self.integers):
            branch()
        return self.texts.take(self.value), self.texts.take(self.shown)
