"""Materialize the asset graph in process, on the Dagster instance of DAGSTER_HOME."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dagster as dg

from codeanatomy_core.source.config import DEFAULT_FLOW, FlowGranularity
from codeanatomy_dagster.definitions import defs


def run_config(
    *,
    repo: str,
    warehouse: str,
    force: bool,
    workers: int,
    progress_bar: bool = False,
    flow: FlowGranularity = DEFAULT_FLOW,
) -> dict[str, Any]:
    return {
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
        "resources": {
            "target": {"config": {"root": str(Path(repo).resolve()), "flow": flow.value}},
            "warehouse": {"config": {"root": warehouse}},
            "build": {"config": {"force": force, "workers": workers, "progress_bar": progress_bar}},
        },
    }


def materialize_all(
    *,
    repo: str,
    warehouse: str,
    force: bool,
    workers: int,
    select: str = "*",
    flow: FlowGranularity = DEFAULT_FLOW,
) -> int:
    """Run the selected assets; 0 on success. Uses DAGSTER_HOME's instance when set, so that
    materializations (and staleness) are kept; otherwise a throw-away instance."""
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    job = defs.resolve_implicit_global_asset_job_def()
    selection = dg.AssetSelection.from_coercible(select) if select != "*" else None
    with instance:
        result = job.execute_in_process(
            run_config=run_config(
                repo=repo,
                warehouse=warehouse,
                force=force,
                workers=workers,
                progress_bar=sys.stderr.isatty(),
                flow=flow,
            ),
            instance=instance,
            raise_on_error=False,
            asset_selection=None
            if selection is None
            else list(selection.resolve(defs.resolve_asset_graph())),
        )
    if not result.success:
        for event in result.all_events:
            failure = event.step_failure_data if event.is_failure else None
            if failure is not None and failure.error is not None:
                sys.stderr.write(f"step {event.step_key} failed: {failure.error.message}\n")
        return 1
    return 0
