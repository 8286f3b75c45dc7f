"""Arrow schemas derived from dataset specs (the only place a schema is built)."""

from __future__ import annotations

import pyarrow as pa

from codeanatomy_core.specs.model import DatasetSpec, FieldSpec
from codeanatomy_core.specs.types import to_arrow_type

SPEC_KIND_KEY = "spec_kind"


def arrow_field(spec_field: FieldSpec) -> pa.Field:
    metadata = dict(sorted(spec_field.metadata.items()))
    if spec_field.description:
        metadata["description"] = spec_field.description
    return pa.field(
        spec_field.name,
        to_arrow_type(spec_field.dtype),
        nullable=spec_field.nullable,
        metadata=metadata or None,
    )


def arrow_schema(spec: DatasetSpec) -> pa.Schema:
    """The schema of ``spec`` with ``spec_kind``/domain/version schema metadata."""
    metadata = {
        SPEC_KIND_KEY: spec.name,
        "codeanatomy.domain": str(spec.domain),
        "codeanatomy.version": str(spec.version),
        "codeanatomy.logic_version": str(spec.logic_version),
    }
    if spec.position_unit:
        metadata["codeanatomy.position_unit"] = spec.position_unit
    return pa.schema([arrow_field(f) for f in spec.fields], metadata=metadata)


def empty_table(spec: DatasetSpec) -> pa.Table:
    return arrow_schema(spec).empty_table()
