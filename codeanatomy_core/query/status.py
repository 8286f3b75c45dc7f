"""What the warehouse holds: each dataset's rows, Delta version and signature."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.signature import signature
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import last_stamp, open_table


class TableStatus(msgspec.Struct, frozen=True, kw_only=True):
    dataset: str
    domain: str
    exists: bool
    rows: int | None
    version: int | None
    signature: str
    stored_signature: str | None
    run_id: str | None

    @property
    def current(self) -> bool:
        return self.exists and self.stored_signature == self.signature


def warehouse_status(
    catalog: SpecCatalog, *, warehouse: Warehouse, signatures: Mapping[str, str] | None = None
) -> list[TableStatus]:
    """One row per dataset; ``signatures`` (output signatures by name) default to the specs'."""
    out: list[TableStatus] = []
    for spec in catalog:
        table = open_table(warehouse.table_uri(spec), storage_options=warehouse.options())
        stamp = None if table is None else last_stamp(table)
        out.append(
            TableStatus(
                dataset=spec.name,
                domain=str(spec.domain),
                exists=table is not None,
                rows=None if table is None else table.count(),
                version=None if table is None else table.version(),
                signature=(signatures or {}).get(spec.name) or signature(spec),
                stored_signature=None if stamp is None else stamp.signature,
                run_id=None if stamp is None else stamp.run_id,
            )
        )
    return out
