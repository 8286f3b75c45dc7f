"""Conform data to a dataset's schema and check its contract, before anything is written."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.errors import ContractViolation
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.schema import arrow_schema


def conform(spec: DatasetSpec, table: pa.Table) -> pa.Table:
    """``table`` with exactly the spec's columns, order and types (and schema metadata)."""
    schema = arrow_schema(spec)
    present = set(table.column_names)
    for name in spec.field_names:
        if name not in present:
            raise ContractViolation(spec.name, name, "is missing from the data")
    for name in table.column_names:
        if name not in spec.field_names:
            raise ContractViolation(spec.name, name, "is not a field of the spec")
    columns = []
    for spec_field in schema:
        column = table.column(spec_field.name)
        if column.type != spec_field.type:
            try:
                column = column.cast(spec_field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
                raise ContractViolation(
                    spec.name,
                    spec_field.name,
                    f"has type {column.type}, expected {spec_field.type}",
                ) from err
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def check_contract(spec: DatasetSpec, table: pa.Table) -> None:
    """Raise ContractViolation naming the dataset and column for the first broken rule."""
    for spec_field in spec.fields:
        if not spec_field.nullable and table.column(spec_field.name).null_count:
            count = table.column(spec_field.name).null_count
            raise ContractViolation(spec.name, spec_field.name, f"is non-nullable but has {count} nulls")
    for columns in spec.unique_column_sets():
        _check_unique(spec, table, columns)
    for column, allowed in spec.contract.allowed_values.items():
        values = table.column(column)
        bad = pc.filter(values, pc.invert(pc.is_in(values, value_set=pa.array(allowed))))
        bad = bad.drop_null()
        if len(bad):
            raise ContractViolation(
                spec.name, column, f"has value {bad[0].as_py()!r} outside {sorted(allowed)}"
            )


def _check_unique(spec: DatasetSpec, table: pa.Table, columns: tuple[str, ...]) -> None:
    if table.num_rows < 2:
        return
    if len(columns) == 1:
        distinct = pc.count_distinct(table.column(columns[0]), mode="all").as_py()
    else:
        distinct = table.select(list(columns)).group_by(list(columns)).aggregate([]).num_rows
    if distinct != table.num_rows:
        raise ContractViolation(
            spec.name,
            ",".join(columns),
            f"must be unique but has {table.num_rows - distinct} duplicate rows",
        )
