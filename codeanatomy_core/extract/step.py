"""The extract step: one pass over the (changed) files fills every extract dataset."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.extract.datasets import EXTRACT_ERRORS
from codeanatomy_core.extract.incremental import (
    FileChanges,
    file_hashes,
    full_details,
    plan_changes,
    rows_of_files,
)
from codeanatomy_core.extract.runner import (
    DEFAULT_EXTRACTORS,
    error_table,
    extractor_outputs,
    run_extraction,
)
from codeanatomy_core.extract.unit import ExtractError, FileTask
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.source.datasets import SOURCE_FILES, SOURCE_ISSUES
from codeanatomy_core.source.scan import file_id_for
from codeanatomy_core.storage.reader import current_handle, read_handle

_MANIFEST_COLUMNS = ["file_id", "path", "module_name", "content_sha256"]


def _tasks(ctx: StepContext, manifest: pa.Table) -> list[FileTask]:
    root = str(ctx.repository.root_path)
    rows = sorted(
        zip(*(manifest.column(c).to_pylist() for c in ("path", "file_id", "module_name")), strict=True)
    )
    return [
        FileTask(
            file_id=file_id, path=path, module_name=module, root=root, max_bytes=ctx.repository.max_file_bytes
        )
        for path, file_id, module in rows
    ]


def _scan_errors(ctx: StepContext) -> pa.Table:
    issues = read_handle(ctx.input(SOURCE_ISSUES.name)).to_pylist()
    repo_id = ctx.repository.resolved_repo_id
    return error_table(
        (
            file_id_for(repo_id, row["path"]),
            row["path"],
            ExtractError(stage="scan", kind=row["kind"], message=row["message"]),
        )
        for row in issues
    )


def _kept_errors(ctx: StepContext, dropped: frozenset[int]) -> pa.Table:
    """Errors of untouched files from the stored table (scan errors are recomputed)."""
    handle = current_handle(EXTRACT_ERRORS, warehouse=ctx.warehouse)
    if handle is None:
        return error_table([])
    stored = read_handle(handle)
    keep = pc.and_(
        pc.not_equal(stored.column("stage"), "scan"),
        pc.invert(pc.is_in(stored.column("file_id"), value_set=pa.array(sorted(dropped), pa.int64()))),
    )
    return stored.filter(keep)


def run_extract(ctx: StepContext) -> Mapping[str, DatasetOutput]:
    manifest = read_handle(ctx.input(SOURCE_FILES.name), columns=_MANIFEST_COLUMNS)
    tasks = _tasks(ctx, manifest)
    row_outputs = tuple(s.name for s in extractor_outputs(DEFAULT_EXTRACTORS))
    plans, reason = plan_changes(
        ctx,
        outputs=(*row_outputs, EXTRACT_ERRORS.name),
        manifest_input=SOURCE_FILES.name,
        current=file_hashes(manifest),
    )
    if plans is not None:
        wanted = frozenset().union(*(p.to_extract for p in plans.values()))
        tasks = [t for t in tasks if t.file_id in wanted]
        ctx.log(f"extract: incremental, {len(tasks)} changed files of {manifest.num_rows}")
    else:
        ctx.log(f"extract: full rebuild of {len(tasks)} files ({reason})")

    tables, errors = run_extraction(
        tasks, workers=ctx.workers, extractors=DEFAULT_EXTRACTORS, progress=ctx.progress_reporter()
    )
    outputs: dict[str, DatasetOutput] = {}
    for name, table in tables.items():
        if plans is None:
            outputs[name] = DatasetOutput(data=table, details=full_details(len(tasks), reason))
        else:
            changes: FileChanges = plans[name]
            outputs[name] = DatasetOutput(
                data=rows_of_files(table, changes.to_extract),
                replace_file_ids=changes.replaced,
                details=changes.details(),
            )
    error_parts = [_scan_errors(ctx), errors]
    if plans is not None:
        changes = plans[EXTRACT_ERRORS.name]
        error_parts.append(_kept_errors(ctx, changes.to_extract | changes.removed))
    outputs[EXTRACT_ERRORS.name] = DatasetOutput(
        data=pa.concat_tables(error_parts),
        details=plans[EXTRACT_ERRORS.name].details() if plans else full_details(len(tasks), reason),
    )
    return outputs


EXTRACT_STEP = Step(
    name="extract",
    description="Read, decode and parse every changed file once; all extractors share one traversal.",
    outputs=(*extractor_outputs(DEFAULT_EXTRACTORS), EXTRACT_ERRORS),
    run=run_extract,
)
