"""Schedules: weekly Delta maintenance (compaction, z-order, vacuum) of every table."""

import dagster as dg

from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.storage.maintenance import maintain_table


class MaintenanceConfig(dg.Config):
    retention_hours: int = 168
    dry_run: bool = False


def maintenance_job(catalog: SpecCatalog) -> dg.JobDefinition:
    @dg.op(name="maintain_delta_tables", required_resource_keys={"warehouse"})
    def maintain(context: dg.OpExecutionContext, config: MaintenanceConfig) -> None:
        warehouse = context.resources.warehouse.location()
        for spec in catalog:
            report = maintain_table(
                spec,
                warehouse=warehouse,
                retention_hours=config.retention_hours,
                dry_run=config.dry_run,
            )
            if report is not None:
                context.log.info(
                    f"{spec.name}: +{report.files_added}/-{report.files_removed} files, "
                    f"{report.files_vacuumed} vacuumed, version {report.version}"
                )

    @dg.job(name="delta_maintenance", executor_def=dg.in_process_executor)
    def job() -> None:
        maintain()

    return job


def maintenance_schedule(job: dg.JobDefinition) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="weekly_delta_maintenance",
        job=job,
        cron_schedule="0 3 * * 0",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Compact (z-order where the policy asks) and vacuum every Delta table.",
    )
