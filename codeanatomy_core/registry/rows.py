"""Row types of the built-in registry tables (their Arrow schemas are derived by the codec).

The spec attributes are carried with the spec's own types (nested Structs, Enums, the
``DataType`` union), so a row decodes back into the very same spec objects; the extra
columns (producer, signatures, templates, effective statistics columns) are derived from
the specs and exist for querying.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from codeanatomy_core.specs.model import ContractSpec, Domain, FieldSpec
from codeanatomy_core.specs.policy import DeltaWritePolicy
from codeanatomy_core.specs.types import DataType


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class DatasetRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One dataset spec (without its fields, which are rows of the field catalog)."""

    name: Annotated[str, _doc("dataset name (the table name)")]
    domain: Annotated[Domain, _doc("pipeline domain")]
    description: Annotated[str, _doc("what one row of the dataset is")]
    version: Annotated[int, _doc("spec version")]
    logic_version: Annotated[int, _doc("bumped when the code filling the table changes meaning")]
    key: Annotated[tuple[str, ...], _doc("key columns")]
    ordering: Annotated[tuple[str, ...], _doc("sort order of the stored rows")]
    contract: Annotated[ContractSpec, _doc("unique column sets and allowed values")]
    upstream: Annotated[tuple[str, ...], _doc("datasets this one is built from")]
    file_id_column: Annotated[str | None, _doc("column scoping rows to a source file")]
    write_policy: Annotated[DeltaWritePolicy, _doc("Delta layout and Parquet properties")]
    position_unit: Annotated[str | None, _doc("unit of the position columns")]
    producer: Annotated[str, _doc("pipeline step that fills the dataset")]
    field_count: Annotated[int, _doc("number of fields")]
    templates: Annotated[tuple[str, ...], _doc("field templates the dataset declares")]
    spec_signature: Annotated[str, _doc("signature of the dataset spec alone")]
    signature: Annotated[str, _doc("output signature: the asset's code version")]


class FieldRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One field of one dataset."""

    dataset: Annotated[str, _doc("dataset the field belongs to")]
    position: Annotated[int, _doc("0-based position in the dataset's schema")]
    name: Annotated[str, _doc("column name")]
    dtype: Annotated[DataType, _doc("spec type (canonical JSON of the DataType union)")]
    type_label: Annotated[str, _doc("readable Arrow type, e.g. list<string>")]
    nullable: Annotated[bool, _doc("whether nulls are allowed")]
    description: Annotated[str, _doc("what the column holds")]
    metadata: Annotated[dict[str, str], _doc("field metadata")]
    template: Annotated[str | None, _doc("template the field is taken from")]


class PolicyRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The Delta write policy of one dataset, with what it resolves to."""

    dataset: Annotated[str, _doc("dataset the policy applies to")]
    policy: Annotated[DeltaWritePolicy, _doc("the declared write policy")]
    effective_stats_columns: Annotated[tuple[str, ...], _doc("statistics columns actually configured")]


class TemplateRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One field template and the datasets of the described domain that use it."""

    name: Annotated[str, _doc("template name")]
    description: Annotated[str, _doc("what the field group means")]
    fields: Annotated[tuple[FieldSpec, ...], _doc("the template's fields")]
    declared_by: Annotated[tuple[str, ...], _doc("datasets built from the template")]
    matched_by: Annotated[tuple[str, ...], _doc("datasets having its fields without declaring it")]


class SignatureRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The signature (and Dagster code version) of one registry table."""

    registry: Annotated[str, _doc("registry table name")]
    describes: Annotated[Domain | None, _doc("domain whose specs the registry holds")]
    signature: Annotated[str, _doc("signature of the table's spec and generated rows")]
    source: Annotated[str, _doc("generator of the rows (module.function)")]


class DiagnosticRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What one registry table holds, and what looks wrong in the specs behind it."""

    registry: Annotated[str, _doc("registry table name")]
    describes: Annotated[Domain | None, _doc("domain whose specs the registry holds")]
    row_count: Annotated[int, _doc("rows the generator produced")]
    warning_count: Annotated[int, _doc("number of warnings")]
    warnings: Annotated[tuple[str, ...], _doc("spec problems worth a look (sorted)")]
