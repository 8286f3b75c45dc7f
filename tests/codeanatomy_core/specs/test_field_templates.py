"""Field templates: building spec fields from reusable groups, markers, matching, the catalog."""

from __future__ import annotations

import pytest

from codeanatomy_core.errors import CatalogError, SpecError
from codeanatomy_core.extract.datasets import AST_NODES
from codeanatomy_core.source.datasets import SOURCE_FILES
from codeanatomy_core.specs.model import DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.templates import (
    BYTE_SPAN,
    FILE_SCOPED,
    LINE_SPAN,
    TEMPLATE_KEY,
    TEMPLATES,
    FieldTemplate,
    TemplateCatalog,
    build_fields,
    declared_templates,
    field_template,
)
from codeanatomy_core.specs.types import INT32, INT64, STRING


def test_builtin_templates_are_sorted_by_name() -> None:
    assert TEMPLATES.names() == ("byte_span", "file_scoped", "line_span")
    assert FILE_SCOPED.field_names == ("file_id",)
    assert BYTE_SPAN.field_names == ("bstart", "bend")
    assert LINE_SPAN.field_names == ("start_line", "start_col", "end_line", "end_col")
    assert {f.dtype for f in LINE_SPAN.fields} == {INT32}
    assert {f.dtype for f in BYTE_SPAN.fields + FILE_SCOPED.fields} == {INT64}


def test_build_fields_marks_template_fields_in_order() -> None:
    fields = build_fields(
        FieldSpec(name="token_id", dtype=INT64, nullable=False),
        FILE_SCOPED,
        BYTE_SPAN.apply(nullable=True, descriptions={"bstart": "null if no position"}),
        FieldSpec(name="kind", dtype=STRING),
    )
    assert [f.name for f in fields] == ["token_id", "file_id", "bstart", "bend", "kind"]
    assert [field_template(f) for f in fields] == [None, "file_scoped", "byte_span", "byte_span", None]
    assert fields[1] == FieldSpec(
        name="file_id",
        dtype=INT64,
        nullable=False,
        description="stable_id('file', repo_id, path) of the file the row belongs to",
        metadata={TEMPLATE_KEY: "file_scoped"},
    )
    assert fields[2].nullable is True
    assert fields[2].description == "null if no position"
    assert fields[3].description == "end byte offset (exclusive)"
    spec = DatasetSpec(name="tokens", domain=Domain.EXTRACT, description="t", fields=fields)
    assert declared_templates(spec) == ("byte_span", "file_scoped")


def test_a_field_given_twice_names_both_origins() -> None:
    with pytest.raises(
        SpecError, match=r"field 'file_id' is declared twice: by template 'file_scoped' and by the spec"
    ):
        build_fields(FILE_SCOPED, FieldSpec(name="file_id", dtype=INT64))
    with pytest.raises(SpecError, match=r"template 'byte_span' has no fields \['start'\]"):
        BYTE_SPAN.apply(descriptions={"start": "x"})


def test_matching_is_by_name_and_type_whatever_the_marker() -> None:
    assert FILE_SCOPED.matches(AST_NODES)
    assert BYTE_SPAN.matches(AST_NODES)
    assert LINE_SPAN.matches(AST_NODES)
    assert FILE_SCOPED.matches(SOURCE_FILES)
    assert not BYTE_SPAN.matches(SOURCE_FILES)
    # the built-in specs declare the templates they are built from
    assert declared_templates(AST_NODES) == ("byte_span", "file_scoped", "line_span")
    assert declared_templates(SOURCE_FILES) == ("file_scoped",)
    wrong_type = DatasetSpec(
        name="w",
        domain=Domain.EXTRACT,
        description="w",
        fields=(FieldSpec(name="bstart", dtype=INT32), FieldSpec(name="bend", dtype=INT64)),
    )
    assert not BYTE_SPAN.matches(wrong_type)


def test_template_catalog_rejects_duplicates_naming_both() -> None:
    other = FieldTemplate(name="byte_span", description="x", fields=(FieldSpec(name="b", dtype=INT64),))
    with pytest.raises(
        CatalogError,
        match=r"template 'byte_span' is declared twice: with fields \('bstart', 'bend'\) "
        r"and with fields \('b',\)",
    ):
        TemplateCatalog([BYTE_SPAN, other])
    with pytest.raises(CatalogError, match=r"no field template named 'nope'"):
        TEMPLATES.get("nope")
    with pytest.raises(SpecError, match=r"template 'empty' must declare distinct fields"):
        FieldTemplate(name="empty", description="", fields=())
