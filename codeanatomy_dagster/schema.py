"""Dagster table schemas derived from dataset specs."""

from __future__ import annotations

import dagster as dg

from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.schema import arrow_field


def column_schema(spec: DatasetSpec) -> dg.TableSchema:
    columns = []
    for spec_field in spec.fields:
        field = arrow_field(spec_field)
        constraints = dg.TableColumnConstraints(
            nullable=spec_field.nullable, unique=(spec_field.name,) in spec.unique_column_sets()
        )
        columns.append(
            dg.TableColumn(
                name=spec_field.name,
                type=str(field.type),
                description=spec_field.description or None,
                constraints=constraints,
            )
        )
    return dg.TableSchema(columns=columns)
