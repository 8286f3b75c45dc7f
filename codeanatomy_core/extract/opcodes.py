"""Opcode lookup tables of the running interpreter, as numpy arrays indexed by opcode.

The vectorised bytecode decoder classifies every instruction of a file at once with these
tables; they restate what ``dis._get_instructions_bytes`` decides per instruction.
"""

from __future__ import annotations
import __future__

import dis
import functools
import opcode
import sys
from enum import IntEnum

import numpy as np

# The decoder reproduces the bytecode layout of exactly these versions (checked against
# dis by the tests); other versions take the dis-based path.
FAST_DECODE_VERSIONS = ((3, 11),)
FAST_DECODE = sys.version_info[:2] in FAST_DECODE_VERSIONS

OPCODE_SPACE = 256
CACHE = dis.opmap.get("CACHE", 0)
EXTENDED_ARG = dis.EXTENDED_ARG
HAVE_ARGUMENT = dis.HAVE_ARGUMENT
OPNAMES: tuple[str, ...] = tuple(dis.opname)


class ArgKind(IntEnum):
    """How an instruction's argument is resolved (the branches of dis, in its order)."""

    NONE = 0
    CONST = 1  # LOAD_CONST: argval is the constant
    CONST_UNSHOWN = 2  # other hasconst ops (KW_NAMES): dis leaves the value unresolved
    NAME = 3
    GLOBAL = 4  # LOAD_GLOBAL: name index is arg >> 1, low bit pushes NULL
    JUMP_ABSOLUTE = 5
    JUMP_RELATIVE = 6
    LOCAL = 7  # haslocal and hasfree: names of the fast locals, cells and free variables
    COMPARE = 8
    FORMAT_VALUE = 9
    MAKE_FUNCTION = 10
    BINARY_OP = 11
    PLAIN = 12  # argval is the argument itself


def _arg_kinds() -> np.ndarray:
    kinds = np.full(OPCODE_SPACE, ArgKind.PLAIN, dtype=np.int8)
    kinds[:HAVE_ARGUMENT] = ArgKind.NONE
    # Assigned in reverse priority so that dis's first matching branch wins.
    special = {
        "BINARY_OP": ArgKind.BINARY_OP,
        "MAKE_FUNCTION": ArgKind.MAKE_FUNCTION,
        "FORMAT_VALUE": ArgKind.FORMAT_VALUE,
    }
    for name, kind in special.items():
        if name in dis.opmap:
            kinds[dis.opmap[name]] = kind
    kinds[list(dis.hascompare)] = ArgKind.COMPARE
    kinds[list(dis.haslocal) + list(dis.hasfree)] = ArgKind.LOCAL
    kinds[list(dis.hasjrel)] = ArgKind.JUMP_RELATIVE
    kinds[list(dis.hasjabs)] = ArgKind.JUMP_ABSOLUTE
    kinds[list(dis.hasname)] = ArgKind.NAME
    if "LOAD_GLOBAL" in dis.opmap:
        kinds[dis.opmap["LOAD_GLOBAL"]] = ArgKind.GLOBAL
    kinds[list(dis.hasconst)] = ArgKind.CONST_UNSHOWN
    kinds[dis.opmap["LOAD_CONST"]] = ArgKind.CONST
    kinds[:HAVE_ARGUMENT] = ArgKind.NONE
    return kinds


def _inline_caches() -> np.ndarray:
    caches = np.zeros(OPCODE_SPACE, dtype=np.int64)
    entries = getattr(opcode, "_inline_cache_entries", None)
    if isinstance(entries, list | tuple):
        caches[: len(entries)] = entries
    return caches


def _flags_of(names: tuple[str, ...]) -> np.ndarray:
    flags = np.zeros(OPCODE_SPACE, dtype=bool)
    flags[[dis.opmap[n] for n in names if n in dis.opmap]] = True
    return flags


ARG_KINDS = _arg_kinds()
INLINE_CACHES = _inline_caches()
BACKWARD_JUMP = np.array(["JUMP_BACKWARD" in name for name in OPNAMES], dtype=bool)
IS_JUMP = np.isin(ARG_KINDS, (ArgKind.JUMP_ABSOLUTE, ArgKind.JUMP_RELATIVE))
# Jumps that never fall through, and instructions after which control never continues.
UNCONDITIONAL_JUMP = _flags_of(
    ("JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP_ABSOLUTE", "JUMP")
)
TERMINATOR = _flags_of(("RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE"))

COMPARE_OPS: tuple[str, ...] = tuple(dis.cmp_op)
_CONVERTERS = ((None, ""), (str, "str"), (repr, "repr"), (ascii, "ascii"))
# FORMAT_VALUE: argval (converter, has_format) and argrepr for each value of arg & 7.
FORMAT_VALUE_ARGVALS: tuple[str, ...] = tuple(
    repr((_CONVERTERS[arg & 3][0], bool(arg & 4))) for arg in range(8)
)
FORMAT_VALUE_ARGREPRS: tuple[str, ...] = tuple(
    ", ".join(part for part in (_CONVERTERS[arg & 3][1], "with format" if arg & 4 else "") if part)
    for arg in range(8)
)
_MAKE_FUNCTION_FLAGS = ("defaults", "kwdefaults", "annotations", "closure")
MAKE_FUNCTION_ARGREPRS: tuple[str, ...] = tuple(
    ", ".join(s for i, s in enumerate(_MAKE_FUNCTION_FLAGS) if arg & (1 << i)) for arg in range(16)
)
BINARY_OPS: tuple[str, ...] = tuple(symbol for _, symbol in getattr(opcode, "_nb_ops", ()))


def _code_flag_names() -> dict[int, str]:
    names = dict(dis.COMPILER_FLAG_NAMES)
    for feature in __future__.all_feature_names:
        bit = getattr(__future__, feature).compiler_flag
        # Old features reuse CO_NESTED or have no flag: only CO_FUTURE_* bits are named.
        if bit >= 0x20000:
            names.setdefault(bit, f"FUTURE_{feature.upper()}")
    return names


CODE_FLAG_NAMES = _code_flag_names()


@functools.cache
def code_flag_names(flags: int) -> tuple[str, ...]:
    """Names of the set bits of ``co_flags`` (unknown bits as hex), lowest bit first."""
    names: list[str] = []
    bit = 1
    while bit <= flags:
        if flags & bit:
            names.append(CODE_FLAG_NAMES.get(bit, hex(bit)))
        bit <<= 1
    return tuple(names)
