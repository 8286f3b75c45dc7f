"""Reading registry signatures, and detecting drift between stored tables and generators.

Three views of a registry table's signature:

* ``generated``: what the generator gives now (the asset's code version);
* ``recorded``: what the stored ``registry_signatures`` table lists for it;
* ``committed``: what the last CodeAnatomy commit of the table itself was stamped with
  (this one drives freshness: an equal signature means the table is not rewritten).

:func:`detect_drift` compares a stored table with its generator through its commit signature;
``deep=True`` (off by default: it reads every row) also hashes the stored rows, which
catches tables edited outside CodeAnatomy.
"""

from __future__ import annotations

import msgspec

from codeanatomy_core.registry.catalog import SIGNATURES_TABLE, RegistryCatalog
from codeanatomy_core.registry.decode import decode_signatures, typed_rows
from codeanatomy_core.registry.rows import SignatureRow
from codeanatomy_core.specs.signature import signature
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import current_handle, read_handle, read_last_commit


class SignatureStatus(msgspec.Struct, frozen=True, kw_only=True):
    registry: str
    generated: str
    recorded: str | None
    committed: str | None

    @property
    def current(self) -> bool:
        """The stored table was built from the specs as they are now."""
        return self.committed == self.generated


class DriftReport(msgspec.Struct, frozen=True, kw_only=True):
    """A stored registry table against its generator.

    ``generated_rows_hash``/``stored_rows_hash`` are signatures of the decoded rows (the
    stored one only with ``deep``): they compare content, not Arrow buffer layouts, which
    differ between an in-memory table and the same rows read back from Delta.
    """

    registry: str
    exists: bool
    signature_matches: bool
    generated_rows_hash: str
    stored_rows_hash: str | None = None

    @property
    def drifted(self) -> bool:
        if not self.exists or not self.signature_matches:
            return True
        return self.stored_rows_hash is not None and self.stored_rows_hash != self.generated_rows_hash


def generated_signatures(registry: RegistryCatalog) -> dict[str, str]:
    """Signature of every registry table from its generator, by table name."""
    return registry.signatures()


def recorded_signatures(registry: RegistryCatalog, *, warehouse: Warehouse) -> dict[str, str]:
    """Signatures listed in the stored ``registry_signatures`` table ({} if never built)."""
    table = registry.table(SIGNATURES_TABLE)
    handle = current_handle(table.spec, warehouse=warehouse)
    if handle is None:
        return {}
    return decode_signatures(typed_rows(table.decode(read_handle(handle)), SignatureRow))


def committed_signatures(registry: RegistryCatalog, *, warehouse: Warehouse) -> dict[str, str | None]:
    """The signature each registry table's last commit is stamped with (None: never built)."""
    out: dict[str, str | None] = {}
    for table in registry:
        stamp = read_last_commit(table.spec, warehouse=warehouse)
        out[table.name] = None if stamp is None else stamp.signature
    return out


def signature_status(registry: RegistryCatalog, *, warehouse: Warehouse) -> list[SignatureStatus]:
    """Generated, recorded and committed signature of every registry table (sorted by name)."""
    recorded = recorded_signatures(registry, warehouse=warehouse)
    committed = committed_signatures(registry, warehouse=warehouse)
    return [
        SignatureStatus(
            registry=name,
            generated=signature,
            recorded=recorded.get(name),
            committed=committed.get(name),
        )
        for name, signature in registry.signatures().items()
    ]


def stored_rows_hash(registry: RegistryCatalog, name: str, *, warehouse: Warehouse) -> str | None:
    """Signature of the rows stored now, decoded into the table's row Structs (None: never built)."""
    table = registry.table(name)
    handle = current_handle(table.spec, warehouse=warehouse)
    if handle is None:
        return None
    return signature(table.decode(read_handle(handle)))


def detect_drift(registry: RegistryCatalog, *, warehouse: Warehouse, deep: bool = False) -> list[DriftReport]:
    """For every registry table: was it built from the current generator, and (``deep``, off
    by default: reads every row) do its stored rows still equal the generator's?"""
    reports = []
    for table in registry:
        stamp = read_last_commit(table.spec, warehouse=warehouse)
        stored = stored_rows_hash(registry, table.name, warehouse=warehouse) if deep else None
        reports.append(
            DriftReport(
                registry=table.name,
                exists=stamp is not None,
                signature_matches=stamp is not None and stamp.signature == registry.signature(table.name),
                generated_rows_hash=signature(registry.rows(table.name)),
                stored_rows_hash=stored,
            )
        )
    return reports
