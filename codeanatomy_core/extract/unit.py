"""The per-file unit of extraction: one read, one decode, one parse, shared by extractors."""

from __future__ import annotations

import ast
import symtable
import warnings
from enum import StrEnum
from functools import cached_property
from types import CodeType

import msgspec

from codeanatomy_core.source.text import DecodedSource, LineIndex


class Artifact(StrEnum):
    """What an extractor needs from the shared per-file pass."""

    TREE = "tree"
    SYMTABLE = "symtable"
    CODE = "code"
    TEXT = "text"


class ExtractError(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    kind: str
    message: str
    line: int | None = None
    column: int | None = None


class StageFailure(Exception):
    """Raised inside the per-file pass to record an error for one stage and go on."""

    def __init__(self, error: ExtractError) -> None:
        super().__init__(error.message)
        self.error = error


class FileTask(msgspec.Struct, frozen=True, kw_only=True):
    """What a worker needs to extract one file (picklable, small)."""

    file_id: int
    path: str
    module_name: str
    root: str
    max_bytes: int


class FileUnit:
    """One decoded file and its lazily built shared artifacts (each built at most once)."""

    def __init__(self, task: FileTask, source: DecodedSource, tree: ast.Module) -> None:
        self.task = task
        self.source = source
        self.tree = tree
        self.errors: list[ExtractError] = []

    @property
    def file_id(self) -> int:
        return self.task.file_id

    @cached_property
    def line_index(self) -> LineIndex:
        return LineIndex(self.source.utf8)

    @cached_property
    def code(self) -> CodeType:
        """The module's code object, compiled from the tree (never executed)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compile(self.tree, self.task.path, "exec", dont_inherit=True)

    @cached_property
    def symtable(self) -> symtable.SymbolTable:
        """The module's symbol table (the interpreter's own scoping analysis)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return symtable.symtable(self.source.text, self.task.path, "exec")
