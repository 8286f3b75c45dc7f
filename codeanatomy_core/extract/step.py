"""The extract step: one pass over the files fills every extract dataset."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from codeanatomy_core.extract.datasets import EXTRACT_ERRORS
from codeanatomy_core.extract.runner import (
    DEFAULT_EXTRACTORS,
    Progress,
    error_table,
    extractor_outputs,
    run_extraction,
)
from codeanatomy_core.extract.unit import ExtractError, FileTask
from codeanatomy_core.pipeline.execute import input_versions_for
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.source.datasets import SOURCE_FILES, SOURCE_ISSUES
from codeanatomy_core.source.scan import file_id_for
from codeanatomy_core.storage.reader import read_handle


def _tasks(ctx: StepContext) -> list[FileTask]:
    files = read_handle(ctx.input(SOURCE_FILES.name), columns=["file_id", "path", "module_name"])
    root = str(ctx.repository.root_path)
    rows = sorted(
        zip(*(files.column(c).to_pylist() for c in ("path", "file_id", "module_name")), strict=True)
    )
    return [
        FileTask(
            file_id=file_id,
            path=path,
            module_name=module,
            root=root,
            max_bytes=ctx.repository.max_file_bytes,
        )
        for path, file_id, module in rows
    ]


def _scan_errors(ctx: StepContext) -> list[tuple[int, str, ExtractError]]:
    issues = read_handle(ctx.input(SOURCE_ISSUES.name)).to_pylist()
    repo_id = ctx.repository.resolved_repo_id
    return [
        (
            file_id_for(repo_id, row["path"]),
            row["path"],
            ExtractError(stage="scan", kind=row["kind"], message=row["message"]),
        )
        for row in issues
    ]


def run_extract(ctx: StepContext) -> Mapping[str, DatasetOutput]:
    tasks = _tasks(ctx)

    def report(p: Progress) -> None:
        ctx.log(f"extract: {p.done}/{p.total} files, {p.files_per_second:.0f} files/s, {p.errors} errors")

    tables, errors = run_extraction(
        tasks, workers=ctx.workers, extractors=DEFAULT_EXTRACTORS, progress=report
    )
    scan_errors = error_table(_scan_errors(ctx))
    tables[EXTRACT_ERRORS.name] = pa.concat_tables([scan_errors, errors])
    return {
        name: DatasetOutput(data=table, input_versions=input_versions_for(EXTRACT_STEP.output(name), ctx))
        for name, table in tables.items()
    }


EXTRACT_STEP = Step(
    name="extract",
    description="Read, decode and parse every file once; all extractors share one traversal.",
    outputs=(*extractor_outputs(DEFAULT_EXTRACTORS), EXTRACT_ERRORS),
    run=run_extract,
)
