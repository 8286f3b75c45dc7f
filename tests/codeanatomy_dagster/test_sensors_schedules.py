"""The repository-change sensor and the Delta maintenance job."""

import shutil
from pathlib import Path

import dagster as dg

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import current_handle, open_table
from codeanatomy_dagster.resources import TargetRepository, WarehouseResource
from codeanatomy_dagster.schedules import maintenance_job, maintenance_schedule
from codeanatomy_dagster.sensors import repository_change_sensor

FIXTURE = Path(__file__).parents[1] / "fixtures" / "small_repo"


def _evaluate(sensor: dg.SensorDefinition, root: Path, cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(cursor=cursor, resources={"target": TargetRepository(root=str(root))})
    return sensor(context)


def test_sensor_requests_a_run_only_when_the_repository_changes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo, symlinks=True)
    sensor = repository_change_sensor()
    first = _evaluate(sensor, repo, None)
    assert isinstance(first, dg.SensorResult)
    assert len(first.run_requests or []) == 1
    cursor = first.cursor
    assert isinstance(_evaluate(sensor, repo, cursor), dg.SkipReason)
    (repo / "pkg" / "added.py").write_text("def added():\n    return 1\n")
    changed = _evaluate(sensor, repo, cursor)
    assert isinstance(changed, dg.SensorResult)
    assert changed.cursor != cursor
    assert [r.run_key for r in changed.run_requests or []] == [changed.cursor]


def test_maintenance_job_compacts_and_keeps_the_data_version(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo, symlinks=True)
    steps = default_steps()
    warehouse = Warehouse.at(tmp_path / "warehouse")
    run_pipeline(steps, repository=RepositoryConfig(root=str(repo)), warehouse=warehouse, only={"scan"})
    spec = steps.catalog.get("source_files")
    before = current_handle(spec, warehouse=warehouse)
    assert before is not None
    job = maintenance_job(steps.catalog)
    result = job.execute_in_process(
        resources={"warehouse": WarehouseResource(root=str(tmp_path / "warehouse"))},
        run_config={"ops": {"maintain_delta_tables": {"config": {"retention_hours": 0}}}},
    )
    assert result.success
    after = current_handle(spec, warehouse=warehouse)
    assert after is not None
    # Compaction commits a new table version but not new data: freshness keys on data versions.
    assert after.version >= before.version
    assert after.data_version == before.data_version
    table = open_table(after.uri)
    assert table is not None and table.count() == 9
    schedule = maintenance_schedule(job)
    assert (schedule.cron_schedule, schedule.job_name) == ("0 3 * * 0", "delta_maintenance")
