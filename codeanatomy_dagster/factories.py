"""The one factory: pipeline steps and their dataset specs -> Dagster definitions.

Every step becomes one multi-asset (one execution fills all its datasets, e.g. one pass
over the files for every extract table); each dataset keeps its own asset key
``[domain, dataset]``, group (the domain), code version (its spec's signature) and
contract check, and can be materialized on its own.
"""

from collections.abc import Iterator
from dataclasses import replace

import dagster as dg

from codeanatomy_core.errors import ContractViolation
from codeanatomy_core.pipeline.execute import execute_step
from codeanatomy_core.pipeline.progress import TerminalBar, fan_out, throttled_log
from codeanatomy_core.pipeline.registry import StepRegistry
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.storage.location import TableHandle
from codeanatomy_core.storage.reader import read_last_commit
from codeanatomy_core.storage.writer import prepare
from codeanatomy_dagster.automation import automation_sensor, spec_automation
from codeanatomy_dagster.checks import (
    asset_key,
    contract_check_spec,
    contract_failed,
    contract_passed,
)
from codeanatomy_dagster.io_manager import DeltaIOManager, TablePayload
from codeanatomy_dagster.resources import BuildOptions, TargetRepository, WarehouseResource
from codeanatomy_dagster.schedules import maintenance_job, maintenance_schedule
from codeanatomy_dagster.schema import column_schema
from codeanatomy_dagster.sensors import repository_change_sensor

RESOURCE_KEYS = frozenset({"target", "warehouse", "build"})


def asset_out(step: Step, spec: DatasetSpec) -> dg.AssetOut:
    policy = spec.write_policy
    return dg.AssetOut(
        key=asset_key(spec),
        description=spec.description,
        group_name=str(spec.domain),
        code_version=step.output_signature(spec),
        kinds={"python", "delta"},
        io_manager_key="io_manager",
        automation_condition=spec_automation(),
        is_required=False,
        metadata={
            "dagster/column_schema": column_schema(spec),
            "dagster/table_name": spec.name,
            "key": ", ".join(spec.key),
            "ordering": ", ".join(spec.ordering),
            "partition_by": ", ".join(policy.partition_by),
            "bloom_filters": ", ".join(b.column for b in policy.bloom_filters),
            "spec_version": spec.version,
            "logic_version": spec.logic_version,
        },
    )


def step_assets(step: Step, catalog: SpecCatalog) -> dg.AssetsDefinition:
    """The multi-asset of one step."""
    name_by_key = {asset_key(spec): spec.name for spec in step.outputs}
    ins = {name: dg.AssetIn(key=asset_key(catalog.get(name))) for name in step.inputs}

    @dg.multi_asset(
        name=step.name,
        description=step.description,
        outs={spec.name: asset_out(step, spec) for spec in step.outputs},
        ins=ins,
        can_subset=True,
        check_specs=[contract_check_spec(spec) for spec in step.outputs],
        required_resource_keys=set(RESOURCE_KEYS),
        op_tags={"codeanatomy/step": step.name},
    )
    def compute(context: dg.AssetExecutionContext, **inputs: TableHandle) -> Iterator[object]:
        target: TargetRepository = context.resources.target
        warehouse = context.resources.warehouse.location()
        build: BuildOptions = context.resources.build
        selected = {name_by_key[k] for k in context.selected_asset_keys if k in name_by_key}
        ctx = StepContext(
            repository=target.config(),
            warehouse=warehouse,
            inputs=inputs,
            previous={
                s.name: read_last_commit(s, warehouse=warehouse) for s in step.outputs if s.name in selected
            },
            workers=build.workers,
            force=build.force,
            log=context.log.info,
            progress=fan_out(throttled_log(context.log.info), TerminalBar() if build.progress_bar else None),
        )
        results = dict(execute_step(step, ctx, selected=selected))
        # One output at a time, each contract-checked just before its write and dropped after
        # it: a step's outputs together may not fit in memory (the CPG step streams its tables
        # from disk), as in ``run_pipeline``.
        for name in sorted(results):
            spec = step.output(name)
            outcome = results.pop(name)
            signature = step.output_signature(spec)
            if not isinstance(outcome, DatasetOutput):
                payload = TablePayload(spec=spec, signature=signature, outcome=outcome)
                yield dg.Output(payload, output_name=name)
                yield contract_passed(spec, rows=None, when="before the stored version was written")
                continue
            try:
                prepared = prepare(spec, outcome.data)
            except ContractViolation as violation:
                yield contract_failed(spec, violation)
                raise
            rows = prepared.table.num_rows
            # The payload carries the prepared rows only (a stream is consumed by now).
            outcome = replace(outcome, data=prepared.table.schema.empty_table())
            yield dg.Output(
                TablePayload(spec=spec, signature=signature, outcome=outcome, prepared=prepared),
                output_name=name,
            )
            del outcome, prepared
            yield contract_passed(spec, rows=rows, when="before this write")

    return compute


def build_assets(steps: StepRegistry) -> list[dg.AssetsDefinition]:
    return [step_assets(step, steps.catalog) for step in steps]


def default_resources() -> dict[str, object]:
    # Configured at launch: the IO manager's nested warehouse then resolves to the top-level
    # "warehouse" resource and its run config (a plain instance would keep its defaults).
    warehouse = WarehouseResource.configure_at_launch()
    return {
        "target": TargetRepository(),
        "warehouse": warehouse,
        "build": BuildOptions(),
        "io_manager": DeltaIOManager(warehouse=warehouse),
    }


def build_definitions(steps: StepRegistry) -> dg.Definitions:
    """All assets, checks, jobs, sensors and schedules for ``steps``."""
    job = maintenance_job(steps.catalog)
    return dg.Definitions(
        assets=build_assets(steps),
        jobs=[job],
        sensors=[repository_change_sensor(), automation_sensor()],
        schedules=[maintenance_schedule(job)],
        resources=default_resources(),
        executor=dg.in_process_executor,
    )
