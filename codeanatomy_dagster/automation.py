"""Declarative automation: rebuild a table when its spec changes or it is missing.

Source changes are the repository-change sensor's job (it sees files, not assets); code
changes are this condition's: a changed spec changes the asset's code version (its
signature), and the automation sensor then requests exactly the assets whose code version
moved. Both sensors start stopped; turn them on in the UI (Automation tab).
"""

import dagster as dg

SENSOR_NAME = "codeanatomy_automation"


def spec_automation() -> dg.AutomationCondition:
    """Missing, or its code version (spec signature) changed, and not already running."""
    changed = dg.AutomationCondition.code_version_changed() & ~dg.AutomationCondition.in_progress()
    return (dg.AutomationCondition.on_missing() | changed).with_label("spec changed or table missing")


def automation_sensor(*, interval_s: int = 60) -> dg.AutomationConditionSensorDefinition:
    return dg.AutomationConditionSensorDefinition(
        SENSOR_NAME,
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.STOPPED,
        minimum_interval_seconds=interval_s,
        description="Materialize the tables whose spec changed (new code version) or that are missing.",
    )
