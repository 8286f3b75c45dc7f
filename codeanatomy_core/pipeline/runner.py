"""Run every step in dependency order without an orchestrator (library use and tests).

Dagster runs the same steps through ``codeanatomy_dagster``; both write identical tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

import msgspec

from codeanatomy_core.errors import PipelineError
from codeanatomy_core.pipeline.execute import execute_step
from codeanatomy_core.pipeline.registry import StepRegistry
from codeanatomy_core.pipeline.step import DatasetOutput, LogFn, StepContext, no_log
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.storage.location import TableHandle, Warehouse
from codeanatomy_core.storage.reader import current_handle, read_last_commit
from codeanatomy_core.storage.writer import write_dataset


class DatasetRunResult(msgspec.Struct, frozen=True, kw_only=True):
    dataset: str
    written: bool
    version: int
    reason: str = ""


def run_pipeline(
    steps: StepRegistry,
    *,
    repository: RepositoryConfig,
    warehouse: Warehouse,
    force: bool = False,
    workers: int = 0,
    run_id: str | None = None,
    only: Collection[str] | None = None,
    log: LogFn = no_log,
) -> dict[str, DatasetRunResult]:
    """Build every (or every ``only``) step's stale outputs; returns what happened per dataset."""
    run_id = run_id or f"local-{uuid.uuid4()}"
    catalog = steps.catalog
    results: dict[str, DatasetRunResult] = {}
    for step in steps.topological():
        if only is not None and step.name not in only:
            continue
        inputs: dict[str, TableHandle] = {}
        for name in step.inputs:
            handle = current_handle(catalog.get(name), warehouse=warehouse)
            if handle is None:
                raise PipelineError(f"step {step.name!r}: input dataset {name!r} was never built")
            inputs[name] = handle
        ctx = StepContext(
            repository=repository,
            warehouse=warehouse,
            inputs=inputs,
            previous={s.name: read_last_commit(s, warehouse=warehouse) for s in step.outputs},
            workers=workers,
            force=force,
            log=log,
        )
        for name, outcome in execute_step(step, ctx).items():
            spec = catalog.get(name)
            if isinstance(outcome, DatasetOutput):
                written = write_dataset(
                    spec,
                    warehouse=warehouse,
                    data=outcome.data,
                    run_id=run_id,
                    asset_key=f"{spec.domain}/{spec.name}",
                    input_versions=outcome.input_versions or {},
                    replace_file_ids=outcome.replace_file_ids,
                    details=outcome.details,
                    output_signature=step.output_signature(spec),
                    changed_files_only=outcome.changed_files_only,
                    plan_fingerprint=outcome.plan_fingerprint,
                )
                results[name] = DatasetRunResult(dataset=name, written=True, version=written.version)
            else:
                handle = current_handle(spec, warehouse=warehouse)
                version = -1 if handle is None else handle.version
                results[name] = DatasetRunResult(
                    dataset=name, written=False, version=version, reason=outcome.reason
                )
    return results
