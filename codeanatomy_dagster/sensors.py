"""Sensors: rebuild what went stale when the target repository changes."""

import dagster as dg

from codeanatomy_core.source.scan import scan_repository
from codeanatomy_dagster.resources import TargetRepository


def repository_change_sensor(*, interval_s: int = 60) -> dg.SensorDefinition:
    """Requests a run of every asset when the repository's file fingerprint changes.

    Unchanged datasets are skipped by the assets themselves (no new Delta version), so the
    run only rebuilds what the change made stale.
    """

    @dg.sensor(
        name="repository_change_sensor",
        target=dg.AssetSelection.all(),
        minimum_interval_seconds=interval_s,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Materialize stale assets when the target repository's Python files change.",
    )
    def sensor(
        context: dg.SensorEvaluationContext, target: TargetRepository
    ) -> dg.SensorResult | dg.SkipReason:
        fingerprint = scan_repository(target.config()).fingerprint()
        if context.cursor == fingerprint:
            return dg.SkipReason("repository unchanged since the last requested run")
        return dg.SensorResult(run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint)

    return sensor
