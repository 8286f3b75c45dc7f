"""The extractor contract: declare outputs and needs, receive nodes, emit record batches."""

from __future__ import annotations

import ast
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

import pyarrow as pa

from codeanatomy_core.extract.traversal import TreeIndex
from codeanatomy_core.extract.unit import Artifact, FileUnit
from codeanatomy_core.specs.model import DatasetSpec


class Extractor(ABC):
    """Facts of one kind from one file, built during the file's shared traversal.

    Subclasses declare ``outputs`` (dataset specs), ``needs`` (shared artifacts), the
    ``stage`` named in extract_errors when they fail, and ``node_types`` whose nodes are
    passed to :meth:`visit` during the one traversal. A new instance serves each file.
    """

    outputs: ClassVar[tuple[DatasetSpec, ...]]
    needs: ClassVar[frozenset[Artifact]] = frozenset({Artifact.TREE})
    stage: ClassVar[str] = "extract"
    node_types: ClassVar[tuple[type[ast.AST], ...]] = ()

    def __init__(self, unit: FileUnit) -> None:
        self.unit = unit

    def visit(self, node: ast.AST, ordinal: int) -> None:  # noqa: B027 - optional hook
        """Called for every node whose type is in ``node_types``, in pre-order."""

    @abstractmethod
    def finish(self, index: TreeIndex) -> Mapping[str, pa.RecordBatch]:
        """The file's rows, one record batch per output dataset."""
