"""Arrow schemas derived from specs: types, nullability, field and schema metadata."""

from __future__ import annotations

import pyarrow as pa

from codeanatomy_core.extract.datasets import AST_NODES
from codeanatomy_core.source.datasets import SOURCE_FILES
from codeanatomy_core.specs import SPEC_KIND_KEY, DatasetSpec, Domain, FieldSpec, arrow_schema, empty_table
from codeanatomy_core.specs.types import (
    BOOL,
    FLOAT64,
    INT32,
    INT64,
    STRING,
    TIMESTAMP,
    MapOf,
    Scalar,
    ScalarKind,
    StructMember,
    StructOf,
    list_of,
)

EVERY_TYPE = DatasetSpec(
    name="every_type",
    domain=Domain.DIAGNOSTICS,
    description="one field per kind of type",
    version=3,
    logic_version=7,
    position_unit="utf8_byte",
    fields=(
        FieldSpec(name="id", dtype=INT64, nullable=False, description="row id"),
        FieldSpec(name="flag", dtype=BOOL),
        FieldSpec(name="small", dtype=Scalar(kind=ScalarKind.UINT8), nullable=False),
        FieldSpec(name="ratio", dtype=FLOAT64, metadata={"z": "last", "a": "first"}),
        FieldSpec(name="at", dtype=TIMESTAMP),
        FieldSpec(name="day", dtype=Scalar(kind=ScalarKind.DATE32)),
        FieldSpec(name="names", dtype=list_of(STRING, item_nullable=False)),
        FieldSpec(
            name="span",
            dtype=StructOf(
                members=(
                    StructMember(name="start", dtype=INT32, nullable=False),
                    StructMember(name="end", dtype=INT32),
                )
            ),
        ),
        FieldSpec(name="props", dtype=MapOf(key=STRING, value=list_of(INT64))),
    ),
    key=("id",),
)


def test_arrow_schema_types_nullability_and_metadata() -> None:
    expected = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False, metadata={"description": "row id"}),
            pa.field("flag", pa.bool_()),
            pa.field("small", pa.uint8(), nullable=False),
            pa.field("ratio", pa.float64(), metadata={"a": "first", "z": "last"}),
            pa.field("at", pa.timestamp("us", tz="UTC")),
            pa.field("day", pa.date32()),
            pa.field("names", pa.list_(pa.field("item", pa.string(), nullable=False))),
            pa.field(
                "span",
                pa.struct([pa.field("start", pa.int32(), nullable=False), pa.field("end", pa.int32())]),
            ),
            pa.field("props", pa.map_(pa.string(), pa.list_(pa.int64()))),
        ],
        metadata={
            SPEC_KIND_KEY: "every_type",
            "codeanatomy.domain": "diagnostics",
            "codeanatomy.version": "3",
            "codeanatomy.logic_version": "7",
            "codeanatomy.position_unit": "utf8_byte",
        },
    )
    schema = arrow_schema(EVERY_TYPE)
    assert schema.equals(expected, check_metadata=True), f"{schema}\n!=\n{expected}"
    # Field metadata keys are sorted, whatever order the spec declared them in.
    assert list(schema.field("ratio").metadata) == [b"a", b"z"]


def test_schema_metadata_of_builtin_specs() -> None:
    assert arrow_schema(SOURCE_FILES).metadata == {
        b"spec_kind": b"source_files",
        b"codeanatomy.domain": b"source",
        b"codeanatomy.version": b"1",
        b"codeanatomy.logic_version": b"1",
    }
    assert arrow_schema(AST_NODES).metadata[b"codeanatomy.position_unit"] == b"utf8_byte"
    nullability = {f.name: f.nullable for f in arrow_schema(SOURCE_FILES)}
    assert nullability == {
        "file_id": False,
        "repo_id": False,
        "path": False,
        "module_name": False,
        "is_package": False,
        "size_bytes": False,
        "content_sha256": False,
        "encoding": True,
        "line_count": True,
        "decode_status": False,
    }


def test_empty_table_has_the_spec_schema_and_no_rows() -> None:
    table = empty_table(EVERY_TYPE)
    assert table.num_rows == 0
    assert table.schema.equals(arrow_schema(EVERY_TYPE), check_metadata=True)
