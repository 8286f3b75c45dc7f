"""Entity ids of a resolved program, vectorised: ``derive_ids(file_id, tag, ordinal)``.

Global ids (definitions, scopes, call sites) index the concatenated per-file arrays, so
``ids.defs[gid]`` is the ``def_id`` of global definition ``gid``.
"""

from __future__ import annotations

import numpy as np

from codeanatomy_core.ids import derive_ids, stable_id
from codeanatomy_core.normalize.program import Program

DEF_TAG = "def"
SCOPE_TAG = "scope"
REF_TAG = "ref"
CALL_TAG = "call"
IMPORT_TAG = "import"
BASE_TAG = "base"
DECORATOR_TAG = "decorator"

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


class ProgramIds:
    """Per-entity-kind id arrays of every file, concatenated in program order."""

    def __init__(self, program: Program) -> None:
        files = program.files
        self.defs = _concat([derive_ids(f.file_id, DEF_TAG, np.arange(len(f.facts.defs))) for f in files])
        self.scopes = _concat(
            [derive_ids(f.file_id, SCOPE_TAG, np.arange(len(f.facts.scopes))) for f in files]
        )
        self.calls = _concat([derive_ids(f.file_id, CALL_TAG, np.arange(f.facts.call_count)) for f in files])
        self.refs = [derive_ids(f.file_id, REF_TAG, np.arange(len(f.facts.ref_scopes))) for f in files]


def symbol_id(name: str) -> int:
    """Id of a target outside the repository (external path or builtin), for mixing."""
    return stable_id("symbol", name)


def mix_ids(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Row-wise mix of two int64 id columns (splitmix64 finaliser): ids of candidate rows."""
    a = np.asarray(first, dtype=np.int64).view(np.uint64)
    b = np.asarray(second, dtype=np.int64).view(np.uint64)
    with np.errstate(over="ignore"):
        x = a * np.uint64(0x9E3779B97F4A7C15) ^ b
        x = (x ^ (x >> np.uint64(30))) * _MIX_1
        x = (x ^ (x >> np.uint64(27))) * _MIX_2
        x = x ^ (x >> np.uint64(31))
    return x.view(np.int64)
