"""The scan step: source_files and source_issues from the target repository."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.source.datasets import SOURCE_FILES, SOURCE_ISSUES
from codeanatomy_core.source.scan import ScanResult, scan_repository
from codeanatomy_core.specs.schema import arrow_schema

REPOSITORY_INPUT = "repository"


def scan_tables(scan: ScanResult) -> dict[str, pa.Table]:
    files = pa.Table.from_pylist(
        [
            {
                "file_id": f.file_id,
                "repo_id": scan.repo_id,
                "path": f.path,
                "module_name": f.module_name,
                "is_package": f.is_package,
                "size_bytes": f.size_bytes,
                "content_sha256": f.content_sha256,
                "encoding": f.encoding,
                "line_count": f.line_count,
                "decode_status": f.decode_status,
            }
            for f in scan.files
        ],
        schema=arrow_schema(SOURCE_FILES),
    )
    issues = pa.Table.from_pylist(
        [{"path": i.path, "kind": i.kind, "message": i.message} for i in scan.issues],
        schema=arrow_schema(SOURCE_ISSUES),
    )
    return {SOURCE_FILES.name: files, SOURCE_ISSUES.name: issues}


def run_scan(ctx: StepContext) -> Mapping[str, DatasetOutput]:
    scan = scan_repository(ctx.repository)
    ctx.log(f"scanned {ctx.repository.root_path}: {len(scan.files)} files, {len(scan.issues)} skipped paths")
    tables = scan_tables(scan)
    return {
        SOURCE_FILES.name: DatasetOutput(
            data=tables[SOURCE_FILES.name], input_versions={REPOSITORY_INPUT: scan.files_fingerprint()}
        ),
        SOURCE_ISSUES.name: DatasetOutput(
            data=tables[SOURCE_ISSUES.name], input_versions={REPOSITORY_INPUT: scan.issues_fingerprint()}
        ),
    }


SCAN_STEP = Step(
    name="scan",
    description="Walk the target repository and fingerprint its Python files.",
    outputs=(SOURCE_FILES, SOURCE_ISSUES),
    run=run_scan,
    reads_repository=True,
)
