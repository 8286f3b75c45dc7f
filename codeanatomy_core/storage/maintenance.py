"""Delta maintenance: compaction (with z-order where the policy asks) and vacuum."""

from __future__ import annotations

import msgspec
from deltalake.exceptions import DeltaError

from codeanatomy_core.errors import StorageError
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.properties import writer_properties
from codeanatomy_core.storage.reader import open_table


class MaintenanceReport(msgspec.Struct, frozen=True, kw_only=True):
    dataset: str
    files_added: int
    files_removed: int
    files_vacuumed: int
    version: int


def maintain_table(
    spec: DatasetSpec, *, warehouse: Warehouse, retention_hours: int = 168, dry_run: bool = False
) -> MaintenanceReport | None:
    """Compact small files (z-ordered by the policy's keys) and vacuum unreferenced ones.

    Returns None when the table does not exist yet.
    """
    table = open_table(warehouse.table_uri(spec), storage_options=warehouse.options())
    if table is None:
        return None
    policy = spec.write_policy
    try:
        if dry_run:
            metrics: dict[str, int] = {}
        elif policy.zorder_by:
            metrics = table.optimize.z_order(
                list(policy.zorder_by),
                target_size=policy.target_file_size,
                writer_properties=writer_properties(spec),
            )
        else:
            metrics = table.optimize.compact(
                target_size=policy.target_file_size, writer_properties=writer_properties(spec)
            )
        # A dry run first: vacuuming nothing would still commit (and report) a vacuum.
        vacuumed = table.vacuum(
            retention_hours=retention_hours, dry_run=True, enforce_retention_duration=False
        )
        if vacuumed and not dry_run:
            vacuumed = table.vacuum(
                retention_hours=retention_hours, dry_run=False, enforce_retention_duration=False
            )
    except (DeltaError, OSError) as err:
        raise StorageError(f"maintenance of dataset {spec.name!r} failed: {err}") from err
    return MaintenanceReport(
        dataset=spec.name,
        files_added=int(metrics.get("numFilesAdded", 0)),
        files_removed=int(metrics.get("numFilesRemoved", 0)),
        files_vacuumed=len(vacuumed),
        version=table.version(),
    )
