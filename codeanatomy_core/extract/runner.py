"""Run the per-file pass over many files, in a process pool, with deterministic output."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

import pyarrow as pa

from codeanatomy_core.extract.datasets import EXTRACT_ERRORS
from codeanatomy_core.extract.extractor import Extractor
from codeanatomy_core.extract.file_pass import FileOutput, extract_file
from codeanatomy_core.extract.registry import EXTRACTORS
from codeanatomy_core.extract.unit import ExtractError, FileTask
from codeanatomy_core.ids import stable_id
from codeanatomy_core.pipeline.progress import ProgressEvent, ProgressFn
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.schema import arrow_schema

MIN_PARALLEL_FILES = 64

DEFAULT_EXTRACTORS: tuple[type[Extractor], ...] = EXTRACTORS


def extractor_outputs(extractors: Sequence[type[Extractor]]) -> tuple[DatasetSpec, ...]:
    return tuple(spec for cls in extractors for spec in cls.outputs)


def resolve_workers(workers: int) -> int:
    """0 means one worker per core."""
    return workers if workers > 0 else (os.cpu_count() or 1)


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn: workers must not inherit the host's threads (Dagster, DataFusion) via fork.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _isolated(work: Callable[[FileTask], FileOutput], task: FileTask) -> FileOutput:
    """Run one file in a process of its own; a crash becomes an error row for that file."""
    try:
        with _pool(1) as pool:
            return pool.submit(work, task).result()
    except BrokenProcessPool:
        error = ExtractError(
            stage="extract",
            kind="worker_crashed",
            message="the extraction process died on this file (the interpreter crashed); "
            "no facts were extracted from it",
        )
        return FileOutput(file_id=task.file_id, path=task.path, batches={}, errors=[error])


def _outputs(
    tasks: Sequence[FileTask], extractors: Sequence[type[Extractor]], workers: int
) -> Iterator[FileOutput]:
    work = partial(extract_file, extractor_types=tuple(extractors))
    # Starting worker processes costs about a second: small repositories run in process.
    if workers == 1 or len(tasks) < MIN_PARALLEL_FILES:
        yield from map(work, tasks)
        return
    chunk = max(1, min(32, len(tasks) // (workers * 8)))
    start = 0
    while start < len(tasks):
        try:
            with _pool(workers) as pool:
                # map() yields in task order whatever finishes first: deterministic output.
                for output in pool.map(work, tasks[start:], chunksize=chunk):
                    yield output
                    start += 1
        except BrokenProcessPool:
            # A worker died: the first file not yet delivered runs alone (recorded as an
            # error if it is the culprit), then a fresh pool takes the rest.
            yield _isolated(work, tasks[start])
            start += 1


def _first_file_id(batch: pa.RecordBatch) -> int:
    return batch.column("file_id")[0].as_py() if "file_id" in batch.schema.names else 0


def error_row_id(path: str, stage: str, kind: str) -> int:
    """Parts: ("extract_error", path, stage, kind)."""
    return stable_id("extract_error", path, stage, kind)


def error_table(rows: Iterable[tuple[int, str, ExtractError]]) -> pa.Table:
    columns: dict[str, list[object]] = {name: [] for name in EXTRACT_ERRORS.field_names}
    for file_id, path, error in rows:
        columns["error_id"].append(error_row_id(path, error.stage, error.kind))
        columns["file_id"].append(file_id)
        columns["path"].append(path)
        columns["stage"].append(error.stage)
        columns["error_kind"].append(error.kind)
        columns["message"].append(error.message)
        columns["line"].append(error.line)
        columns["column"].append(error.column)
    return pa.table(columns, schema=arrow_schema(EXTRACT_ERRORS))


def run_extraction(
    tasks: Sequence[FileTask],
    *,
    workers: int = 0,
    extractors: Sequence[type[Extractor]] = DEFAULT_EXTRACTORS,
    progress: ProgressFn | None = None,
) -> tuple[dict[str, pa.Table], pa.Table]:
    """Tables of every extractor output (in task order) and the extract_errors table."""
    specs = extractor_outputs(extractors)
    batches: dict[str, list[pa.RecordBatch]] = {spec.name: [] for spec in specs}
    errors: list[tuple[int, str, ExtractError]] = []
    started = time.monotonic()
    for done, output in enumerate(_outputs(tasks, extractors, resolve_workers(workers)), start=1):
        for name, batch in output.batches.items():
            if batch.num_rows:
                batches[name].append(batch)
        errors.extend((output.file_id, output.path, e) for e in output.errors)
        if progress is not None:
            progress(
                ProgressEvent(
                    step="extract",
                    done=done,
                    total=len(tasks),
                    errors=len(errors),
                    elapsed_s=time.monotonic() - started,
                )
            )
    # Outputs are ordered by file id (then by position inside the file), which makes the
    # concatenation already sorted for specs ordered by (file_id, ...): no sort at write time.
    tables = {
        spec.name: pa.Table.from_batches(
            sorted(batches[spec.name], key=_first_file_id), schema=arrow_schema(spec)
        )
        for spec in specs
    }
    return tables, error_table(errors)
