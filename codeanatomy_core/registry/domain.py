"""The built-in registry tables of one pipeline domain: datasets, fields, policies, templates.

For each domain that has datasets (queried from the step catalog, never listed here):
``registry_<domain>_datasets``, ``registry_<domain>_fields``,
``registry_<domain>_policies`` and ``registry_<domain>_templates``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial

import msgspec

from codeanatomy_core.errors import CatalogError
from codeanatomy_core.registry.rows import DatasetRow, FieldRow, PolicyRow, TemplateRow
from codeanatomy_core.registry.table import RegistryTable, SpecSources
from codeanatomy_core.specs.model import DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.signature import signature
from codeanatomy_core.specs.templates import declared_templates, field_template
from codeanatomy_core.specs.types import DataType, ListOf, MapOf, Scalar, StructOf
from codeanatomy_core.storage.properties import stats_columns

# DatasetSpec attributes carried by a DatasetRow (its fields are rows of the field catalog).
DATASET_ATTRS = tuple(f.name for f in msgspec.structs.fields(DatasetSpec) if f.name != "fields")
FIELD_ATTRS = tuple(f.name for f in msgspec.structs.fields(FieldSpec))

KINDS = ("datasets", "fields", "policies", "templates")


def table_name(domain: Domain, kind: str) -> str:
    return f"registry_{domain}_{kind}"


def type_label(dtype: DataType) -> str:
    """A readable, pyarrow-independent name of a spec type: ``list<struct<a: int64>>``."""
    if isinstance(dtype, Scalar):
        return str(dtype.kind)
    if isinstance(dtype, ListOf):
        return f"list<{type_label(dtype.item)}>"
    if isinstance(dtype, StructOf):
        return "struct<" + ", ".join(f"{m.name}: {type_label(m.dtype)}" for m in dtype.members) + ">"
    if isinstance(dtype, MapOf):
        return f"map<{type_label(dtype.key)}, {type_label(dtype.value)}>"
    raise CatalogError(f"unknown spec type {dtype!r}")


def dataset_rows(sources: SpecSources, *, domain: Domain) -> Iterator[DatasetRow]:
    for spec in sources.datasets(domain):
        attrs = {name: getattr(spec, name) for name in DATASET_ATTRS}
        try:
            yield DatasetRow(
                **attrs,
                producer=sources.producers[spec.name],
                field_count=len(spec.fields),
                templates=declared_templates(spec),
                spec_signature=signature(spec),
                signature=sources.signatures[spec.name],
            )
        except TypeError as err:
            raise CatalogError(f"DatasetRow does not carry every DatasetSpec attribute: {err}") from err


def field_rows(sources: SpecSources, *, domain: Domain) -> Iterator[FieldRow]:
    for spec in sources.datasets(domain):
        for position, spec_field in enumerate(spec.fields):
            attrs = {name: getattr(spec_field, name) for name in FIELD_ATTRS}
            try:
                yield FieldRow(
                    **attrs,
                    dataset=spec.name,
                    position=position,
                    type_label=type_label(spec_field.dtype),
                    template=field_template(spec_field),
                )
            except TypeError as err:
                raise CatalogError(f"FieldRow does not carry every FieldSpec attribute: {err}") from err


def policy_rows(sources: SpecSources, *, domain: Domain) -> Iterator[PolicyRow]:
    for spec in sources.datasets(domain):
        yield PolicyRow(
            dataset=spec.name, policy=spec.write_policy, effective_stats_columns=stats_columns(spec)
        )


def template_rows(sources: SpecSources, *, domain: Domain) -> Iterator[TemplateRow]:
    specs = sources.datasets(domain)
    for template in sources.templates:
        declared = tuple(s.name for s in specs if template.name in declared_templates(s))
        matched = tuple(s.name for s in specs if s.name not in declared and template.matches(s))
        yield TemplateRow(
            name=template.name,
            description=template.description,
            fields=template.fields,
            declared_by=declared,
            matched_by=matched,
        )


def dataset_warnings(sources: SpecSources, rows: Sequence[DatasetRow]) -> Iterator[str]:
    del sources
    for row in rows:
        if not row.key:
            yield f"dataset {row.name!r} has no key"
        if not row.description.strip():
            yield f"dataset {row.name!r} has no description"


def field_warnings(sources: SpecSources, rows: Sequence[FieldRow]) -> Iterator[str]:
    for row in rows:
        where = f"field {row.dataset}.{row.name}"
        if not row.description.strip():
            yield f"{where} has no description"
        if row.template is None:
            continue
        if row.template not in sources.templates:
            yield f"{where} names unknown template {row.template!r}"
            continue
        template = sources.templates.get(row.template)
        wanted = {f.name: f for f in template.fields}.get(row.name)
        if wanted is None:
            yield f"{where} is marked as template {row.template!r}, which has no such field"
        elif wanted.dtype != row.dtype:
            yield (
                f"{where} has type {type_label(row.dtype)}, "
                f"template {row.template!r} says {type_label(wanted.dtype)}"
            )


def template_warnings(sources: SpecSources, rows: Sequence[TemplateRow]) -> Iterator[str]:
    by_name = {spec.name: spec for spec in sources.catalog}
    for row in rows:
        for dataset in row.matched_by:
            yield f"dataset {dataset!r} has the fields of template {row.name!r} without declaring it"
        wanted = {f.name for f in row.fields}
        for dataset in row.declared_by:
            marked = {f.name for f in by_name[dataset].fields if field_template(f) == row.name}
            missing = sorted(wanted - marked)
            if missing:
                yield f"dataset {dataset!r} declares template {row.name!r} but lacks its fields {missing}"


def domain_tables(domain: Domain) -> tuple[RegistryTable, ...]:
    """The four registry tables describing the specs of ``domain``."""
    return (
        RegistryTable(
            name=table_name(domain, "datasets"),
            describes=domain,
            row_type=DatasetRow,
            rows=partial(dataset_rows, domain=domain),
            key=("name",),
            description=f"One row per dataset spec of the {domain} domain (fields in the field catalog).",
            checks=dataset_warnings,
        ),
        RegistryTable(
            name=table_name(domain, "fields"),
            describes=domain,
            row_type=FieldRow,
            rows=partial(field_rows, domain=domain),
            key=("dataset", "position"),
            description=f"One row per field of every dataset of the {domain} domain.",
            checks=field_warnings,
        ),
        RegistryTable(
            name=table_name(domain, "policies"),
            describes=domain,
            row_type=PolicyRow,
            rows=partial(policy_rows, domain=domain),
            key=("dataset",),
            description=f"The Delta write policy of every dataset of the {domain} domain.",
        ),
        RegistryTable(
            name=table_name(domain, "templates"),
            describes=domain,
            row_type=TemplateRow,
            rows=partial(template_rows, domain=domain),
            key=("name",),
            description=f"Every field template and the datasets of the {domain} domain that use it.",
            checks=template_warnings,
        ),
    )
