"""Registry tables back into specs: the very same DatasetSpec, policy and template objects.

``decode_*`` work on decoded rows (from memory or from Delta); ``load_*`` read the stored
Delta tables of a warehouse first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

import msgspec

from codeanatomy_core.errors import CatalogError, StorageError
from codeanatomy_core.registry.catalog import RegistryCatalog
from codeanatomy_core.registry.domain import DATASET_ATTRS, FIELD_ATTRS, table_name
from codeanatomy_core.registry.rows import DatasetRow, FieldRow, PolicyRow, SignatureRow, TemplateRow
from codeanatomy_core.registry.table import RegistryTable
from codeanatomy_core.specs.model import DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.policy import DeltaWritePolicy
from codeanatomy_core.specs.templates import FieldTemplate
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import read_dataset

RowT = TypeVar("RowT", bound=msgspec.Struct)


def decode_fields(rows: Iterable[FieldRow]) -> dict[str, tuple[FieldSpec, ...]]:
    """Field specs per dataset, in schema order."""
    grouped: dict[str, list[FieldRow]] = {}
    for row in rows:
        grouped.setdefault(row.dataset, []).append(row)
    out = {}
    for dataset, group in grouped.items():
        group.sort(key=lambda r: r.position)
        if [r.position for r in group] != list(range(len(group))):
            raise CatalogError(f"field catalog of dataset {dataset!r} has gaps in its positions")
        out[dataset] = tuple(FieldSpec(**{a: getattr(r, a) for a in FIELD_ATTRS}) for r in group)
    return out


def decode_datasets(datasets: Iterable[DatasetRow], fields: Iterable[FieldRow]) -> tuple[DatasetSpec, ...]:
    """The dataset specs described by dataset rows and their field rows (sorted by name)."""
    by_dataset = decode_fields(fields)
    out = []
    for row in datasets:
        if row.name not in by_dataset:
            raise CatalogError(f"dataset {row.name!r} has no rows in the field catalog")
        attrs = {a: getattr(row, a) for a in DATASET_ATTRS}
        out.append(DatasetSpec(**attrs, fields=by_dataset.pop(row.name)))
    if by_dataset:
        raise CatalogError(f"the field catalog describes unknown datasets {sorted(by_dataset)}")
    return tuple(sorted(out, key=lambda s: s.name))


def decode_policies(rows: Iterable[PolicyRow]) -> dict[str, DeltaWritePolicy]:
    return {row.dataset: row.policy for row in rows}


def decode_templates(rows: Iterable[TemplateRow]) -> tuple[FieldTemplate, ...]:
    return tuple(FieldTemplate(name=r.name, description=r.description, fields=r.fields) for r in rows)


def decode_signatures(rows: Iterable[SignatureRow]) -> dict[str, str]:
    return {row.registry: row.signature for row in rows}


def load_rows(table: RegistryTable, *, warehouse: Warehouse) -> tuple[msgspec.Struct, ...]:
    """The rows stored in ``table``'s Delta table, decoded into its row Structs."""
    return table.decode(read_dataset(table.spec, warehouse=warehouse))


def typed_rows(rows: Sequence[msgspec.Struct], kind: type[RowT]) -> list[RowT]:
    """``rows`` as ``kind`` (for the type checker); a row of another type is an error."""
    for row in rows:
        if not isinstance(row, kind):
            raise CatalogError(f"expected {kind.__name__} rows, got a {type(row).__name__}")
    return [r for r in rows if isinstance(r, kind)]


def load_domain_specs(
    registry: RegistryCatalog, domain: Domain, *, warehouse: Warehouse
) -> tuple[DatasetSpec, ...]:
    """The dataset specs of ``domain`` as stored in the warehouse's registry tables."""
    try:
        datasets = load_rows(registry.table(table_name(domain, "datasets")), warehouse=warehouse)
        fields = load_rows(registry.table(table_name(domain, "fields")), warehouse=warehouse)
    except StorageError as err:
        raise CatalogError(
            f"the registry of domain {domain!s} is not stored in {warehouse.root}: {err}"
        ) from err
    return decode_datasets(typed_rows(datasets, DatasetRow), typed_rows(fields, FieldRow))
