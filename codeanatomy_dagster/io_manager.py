"""The Delta IO manager: a thin adapter over ``codeanatomy_core.storage``.

Assets return a :class:`TablePayload` (the dataset's spec plus either new rows or an
``Unchanged`` marker). The IO manager writes new rows with the spec's write policy and
commit metadata, reports Dagster metadata, and hands downstream assets a
:class:`~codeanatomy_core.storage.TableHandle` (a pointer, never the rows themselves).
"""

from dataclasses import dataclass
from typing import Any

import dagster as dg
import pyarrow as pa

from codeanatomy_core.errors import StorageError
from codeanatomy_core.pipeline.step import DatasetOutput, Unchanged
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.storage.location import TableHandle
from codeanatomy_core.storage.reader import handle_at, open_table
from codeanatomy_core.storage.writer import PreparedTable, write_dataset
from codeanatomy_dagster.resources import WarehouseResource
from codeanatomy_dagster.schema import column_schema


@dataclass(kw_only=True)
class TablePayload:
    """What an asset hands the IO manager. ``prepared``: the rows to write, already checked
    (the outcome's own data is then left empty); the IO manager takes them, so that the
    payload no longer holds them once written: an in-process run keeps every output value
    until it ends, which would keep every table of the build in memory."""

    spec: DatasetSpec
    signature: str
    outcome: DatasetOutput | Unchanged
    prepared: PreparedTable | None = None

    def take_rows(self) -> pa.Table | PreparedTable:
        """The rows to write (once)."""
        rows = self.prepared
        self.prepared = None
        if rows is not None:
            return rows
        if isinstance(self.outcome, Unchanged):
            raise StorageError(f"dataset {self.spec.name!r} is unchanged: no rows to write")
        if isinstance(self.outcome.data, pa.RecordBatchReader):
            raise StorageError(f"dataset {self.spec.name!r}: a stream of rows must be prepared first")
        return self.outcome.data


class DeltaIOManager(dg.ConfigurableIOManager):
    warehouse: dg.ResourceDependency[WarehouseResource]

    def handle_output(self, context: dg.OutputContext, obj: TablePayload) -> None:
        warehouse = self.warehouse.location()
        spec, outcome = obj.spec, obj.outcome
        uri = warehouse.table_uri(spec)
        metadata: dict[str, Any] = {
            "dagster/uri": dg.MetadataValue.path(uri),
            "dagster/column_schema": column_schema(spec),
            "signature": obj.signature,
        }
        if isinstance(outcome, Unchanged):
            table = open_table(uri, storage_options=warehouse.options())
            if table is None:
                raise StorageError(f"dataset {spec.name!r} is marked unchanged but has no table at {uri}")
            metadata.update(
                {
                    "dagster/row_count": table.count(),
                    "delta_version": table.version(),
                    "written": False,
                    "skip_reason": outcome.reason,
                }
            )
        else:
            result = write_dataset(
                spec,
                warehouse=warehouse,
                data=obj.take_rows(),
                run_id=context.run_id,
                asset_key="/".join(context.asset_key.path),
                input_versions=outcome.input_versions or {},
                replace_file_ids=outcome.replace_file_ids,
                details=outcome.details,
                output_signature=obj.signature,
                changed_files_only=outcome.changed_files_only,
                plan_fingerprint=outcome.plan_fingerprint,
            )
            table = open_table(uri, storage_options=warehouse.options())
            metadata.update(
                {
                    "dagster/row_count": table.count() if table is not None else result.rows_written,
                    "delta_version": result.version,
                    "written": True,
                    "rows_written": result.rows_written,
                    "write_mode": result.stamp.write_mode,
                    "content_hash": result.stamp.content_hash,
                    "plan_fingerprint": result.stamp.plan_fingerprint or "",
                    "input_versions": dg.MetadataValue.json(dict(result.stamp.input_versions)),
                }
            )
            if result.reconciled_properties:
                metadata["reconciled_properties"] = dg.MetadataValue.json(result.reconciled_properties)
            for key, value in outcome.details.items():
                metadata[f"detail/{key}"] = value
        context.add_output_metadata(metadata)

    def load_input(self, context: dg.InputContext) -> TableHandle:
        key = context.asset_key.path
        warehouse = self.warehouse.location()
        handle = handle_at(
            warehouse.uri_for(key[0], key[-1]),
            dataset=key[-1],
            storage_options=warehouse.storage_options,
        )
        if handle is None:
            raise StorageError(f"dataset {key[-1]!r} has not been materialized in {warehouse.root}")
        return handle
