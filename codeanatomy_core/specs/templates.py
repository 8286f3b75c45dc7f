"""Field templates: reusable groups of fields that dataset specs are built from.

A template is a named tuple of field specs (``file_scoped``: ``file_id``; ``byte_span``:
``bstart``, ``bend``; ``line_span``: ``start_line``, ``start_col``, ``end_line``,
``end_col``). A spec adopts one through :func:`build_fields`, which marks every field it
takes from a template with the field metadata ``codeanatomy.template = <name>``; that
marker is how the registry knows which datasets use which template (it is ordinary spec
data: it enters the Arrow field metadata and the spec's signature).

    fields=build_fields(
        FieldSpec(name="node_id", dtype=INT64, nullable=False),
        FILE_SCOPED,
        BYTE_SPAN.apply(nullable=True, descriptions={"bstart": "null if no position"}),
        FieldSpec(name="kind", dtype=STRING, nullable=False),
    )
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from codeanatomy_core.errors import SpecError
from codeanatomy_core.specs.model import DatasetSpec, FieldSpec
from codeanatomy_core.specs.named import NamedCollection, unique_by_name
from codeanatomy_core.specs.types import INT32, INT64

TEMPLATE_KEY = "codeanatomy.template"


class FieldTemplate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A named group of fields that several datasets share with the same meaning."""

    name: str
    description: str
    fields: tuple[FieldSpec, ...]

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if not self.fields or len(set(names)) != len(names):
            raise SpecError(f"template {self.name!r} must declare distinct fields, got {names}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def apply(
        self, *, nullable: bool | None = None, descriptions: Mapping[str, str] | None = None
    ) -> tuple[FieldSpec, ...]:
        """The template's fields, marked as taken from it; optionally all nullable (or not)
        and with dataset-specific descriptions."""
        descriptions = dict(descriptions or {})
        unknown = sorted(set(descriptions) - set(self.field_names))
        if unknown:
            raise SpecError(f"template {self.name!r} has no fields {unknown}")
        return tuple(
            msgspec.structs.replace(
                f,
                nullable=f.nullable if nullable is None else nullable,
                description=descriptions.get(f.name, f.description),
                metadata={**f.metadata, TEMPLATE_KEY: self.name},
            )
            for f in self.fields
        )

    def matches(self, spec: DatasetSpec) -> bool:
        """True when ``spec`` has every template field by name and type (declared or not)."""
        by_name = {f.name: f for f in spec.fields}
        return all(f.name in by_name and by_name[f.name].dtype == f.dtype for f in self.fields)


FieldPart = FieldSpec | FieldTemplate | Iterable[FieldSpec]


def build_fields(*parts: FieldPart) -> tuple[FieldSpec, ...]:
    """Fields of a spec from plain fields, templates (applied as declared) and field groups.

    A field name given twice is an error naming both parts it came from.
    """
    out: list[FieldSpec] = []
    origin: dict[str, str] = {}
    for part in parts:
        if isinstance(part, FieldTemplate):
            fields, where = part.apply(), f"template {part.name!r}"
        elif isinstance(part, FieldSpec):
            fields, where = (part,), "the spec"
        else:
            fields = tuple(part)
            where = "the spec"
        for spec_field in fields:
            source = spec_field.metadata.get(TEMPLATE_KEY)
            here = f"template {source!r}" if source else where
            if spec_field.name in origin:
                raise SpecError(
                    f"field {spec_field.name!r} is declared twice: by {origin[spec_field.name]} and by {here}"
                )
            origin[spec_field.name] = here
            out.append(spec_field)
    return tuple(out)


def declared_templates(spec: DatasetSpec) -> tuple[str, ...]:
    """Names of the templates ``spec`` takes fields from (by the field marker), sorted."""
    return tuple(sorted({f.metadata[TEMPLATE_KEY] for f in spec.fields if TEMPLATE_KEY in f.metadata}))


def field_template(spec_field: FieldSpec) -> str | None:
    return spec_field.metadata.get(TEMPLATE_KEY)


class TemplateCatalog(NamedCollection[FieldTemplate]):
    """Templates by name, sorted; a name declared twice is an error naming both."""

    __slots__ = ()
    _what = "field template"

    def __init__(self, templates: Iterable[FieldTemplate]) -> None:
        super().__init__(
            unique_by_name(templates, what="template", where=lambda t: f"with fields {t.field_names}")
        )


FILE_SCOPED = FieldTemplate(
    name="file_scoped",
    description="Rows belong to one source file (the column per-file incremental writes replace by).",
    fields=(
        FieldSpec(
            name="file_id",
            dtype=INT64,
            nullable=False,
            description="stable_id('file', repo_id, path) of the file the row belongs to",
        ),
    ),
)

BYTE_SPAN = FieldTemplate(
    name="byte_span",
    description="A span of the file's UTF-8 bytes, end exclusive.",
    fields=(
        FieldSpec(name="bstart", dtype=INT64, nullable=False, description="start byte offset"),
        FieldSpec(name="bend", dtype=INT64, nullable=False, description="end byte offset (exclusive)"),
    ),
)

LINE_SPAN = FieldTemplate(
    name="line_span",
    description="The same span as 1-based lines and 0-based UTF-8 byte columns.",
    fields=(
        FieldSpec(name="start_line", dtype=INT32, nullable=False, description="1-based start line"),
        FieldSpec(
            name="start_col", dtype=INT32, nullable=False, description="0-based start column, UTF-8 bytes"
        ),
        FieldSpec(name="end_line", dtype=INT32, nullable=False, description="1-based end line"),
        FieldSpec(name="end_col", dtype=INT32, nullable=False, description="0-based end column, UTF-8 bytes"),
    ),
)

TEMPLATES = TemplateCatalog([BYTE_SPAN, FILE_SCOPED, LINE_SPAN])
