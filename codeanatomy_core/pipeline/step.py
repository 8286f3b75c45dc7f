"""Pipeline steps: the code that fills one or more datasets, bound to their specs.

A step declares the datasets it outputs; its inputs are the upstream datasets of those
specs. Orchestrators (Dagster, or the plain runner) give it handles on its inputs and the
stamps of its previous outputs, and write what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from codeanatomy_core.pipeline.progress import ProgressFn, throttled_log
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.signature import combine_signatures, signature
from codeanatomy_core.storage.commit import CommitStamp
from codeanatomy_core.storage.location import TableHandle, Warehouse

LogFn = Callable[[str], None]


def no_log(message: str) -> None:
    del message


@dataclass(frozen=True, kw_only=True)
class StepContext:
    """Everything a step may use; built by the orchestrator for one execution."""

    repository: RepositoryConfig
    warehouse: Warehouse
    inputs: Mapping[str, TableHandle]
    previous: Mapping[str, CommitStamp | None]
    workers: int = 0
    force: bool = False
    log: LogFn = no_log
    output_signatures: Mapping[str, str] = field(default_factory=dict)
    selected: frozenset[str] | None = None
    progress: ProgressFn | None = None

    def input(self, name: str) -> TableHandle:
        return self.inputs[name]

    def is_selected(self, dataset: str) -> bool:
        return self.selected is None or dataset in self.selected

    def progress_reporter(self) -> ProgressFn:
        """Where a long step reports progress: the given reporter, else the log every 5 s."""
        return self.progress or throttled_log(self.log)


@dataclass(frozen=True, kw_only=True)
class DatasetOutput:
    """New rows for one dataset, and what they were built from.

    ``replace_file_ids`` set: only the rows of those files are replaced (incremental);
    otherwise ``data`` is the whole table; with ``changed_files_only`` only the files whose
    rows changed since the stored version are rewritten (of all files, or of the
    ``replace_file_ids`` files when both are set). ``plan_fingerprint`` identifies the
    compiled query plans that produced the rows (recorded in the commit metadata).
    ``input_versions`` is left None by steps whose inputs are tables: the executor records
    the versions of the spec's upstream datasets.
    """

    data: pa.Table | pa.RecordBatchReader
    input_versions: Mapping[str, str] | None = None
    replace_file_ids: Sequence[int] | None = None
    changed_files_only: bool = False
    plan_fingerprint: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Unchanged:
    """The stored table is current; nothing is written (no new Delta version)."""

    dataset: str
    reason: str


StepRun = Callable[[StepContext], Mapping[str, DatasetOutput]]
StepSettings = Callable[[StepContext], Mapping[str, str]]


def setting_key(name: str) -> str:
    """How a step setting is recorded beside the input versions of its outputs."""
    return f"setting:{name}"


SignatureSources = Callable[[DatasetSpec], object]


@dataclass(frozen=True, kw_only=True)
class Step:
    """A unit of work producing ``outputs``.

    ``reads_repository`` marks steps whose input is the target repository itself: they
    always run (cheaply) and their freshness token is a content fingerprint they compute.
    ``signature_sources`` returns, for an output, the specs other than its dataset spec that
    define its content (registry rows, rule definitions); they enter its signature.
    ``settings`` returns the run-time settings that change what the outputs hold (how the
    flow is solved, ...): they are recorded beside the input versions, so that changing one
    makes the outputs stale, as a new input version does.
    """

    name: str
    description: str
    outputs: tuple[DatasetSpec, ...]
    run: StepRun
    reads_repository: bool = False
    signature_sources: SignatureSources | None = None
    settings: StepSettings | None = None

    def output_signature(self, spec: DatasetSpec) -> str:
        """The signature (and Dagster code version) of one output."""
        base = signature(spec)
        if self.signature_sources is None:
            return base
        return combine_signatures({"spec": base, "sources": signature(self.signature_sources(spec))})

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.outputs)

    @property
    def inputs(self) -> tuple[str, ...]:
        """Upstream datasets of the outputs, minus the outputs themselves, sorted."""
        own = set(self.output_names)
        return tuple(sorted({u for spec in self.outputs for u in spec.upstream} - own))

    def output(self, name: str) -> DatasetSpec:
        for spec in self.outputs:
            if spec.name == name:
                return spec
        raise KeyError(name)
