"""The exception hierarchy: every error raised by CodeAnatomy derives from CodeAnatomyError.

Messages always name what they are about (dataset, file, column or rule) so that a user
reading a Dagster run log knows where to look without a traceback.
"""

from __future__ import annotations


class CodeAnatomyError(Exception):
    """Root of all CodeAnatomy errors."""


class SpecError(CodeAnatomyError):
    """A dataset, field or policy spec is malformed (names the dataset and the field)."""


class CatalogError(CodeAnatomyError):
    """A catalog or registry is inconsistent: duplicate names, unknown references."""


class StorageError(CodeAnatomyError):
    """A Delta table could not be read or written (names the table)."""


class ContractViolation(StorageError):
    """Data does not satisfy its dataset contract; raised before any write happens."""

    def __init__(self, dataset: str, column: str, problem: str) -> None:
        super().__init__(f"dataset {dataset!r}: column {column!r} {problem}")
        self.dataset = dataset
        self.column = column
        self.problem = problem


class UnsupportedFeatureError(StorageError):
    """A write policy asks for a Delta table feature the installed deltalake cannot write."""


class SourceError(CodeAnatomyError):
    """The target repository cannot be scanned (missing root, not a directory)."""


class PipelineError(CodeAnatomyError):
    """A pipeline step failed or was wired inconsistently (names the step)."""


class QueryError(CodeAnatomyError):
    """A query could not be planned or run (names the table or the question)."""
