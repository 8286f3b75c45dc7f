"""Struct codecs: Arrow schemas derived from Struct types, exact round trips on tricky types."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

import msgspec
import pyarrow as pa
import pytest

from codeanatomy_core.errors import SpecError
from codeanatomy_core.extract.datasets import AST_NODES, EXTRACT_ERRORS
from codeanatomy_core.source.datasets import SOURCE_FILES, SOURCE_ISSUES
from codeanatomy_core.specs.codec import (
    CodecError,
    StructCodec,
    arrow_type_of,
    rows_from_pylist,
    rows_to_table,
    struct_fields,
)
from codeanatomy_core.specs.model import DatasetSpec, FieldSpec
from codeanatomy_core.specs.types import (
    INT64,
    STRING,
    DataType,
    ListOf,
    MapOf,
    Scalar,
    ScalarKind,
    StructMember,
    StructOf,
    list_of,
)


class Color(enum.Enum):
    RED = 1
    BLUE = 2


class Mode(enum.StrEnum):
    FAST = "fast"
    SAFE = "safe"


class Point(msgspec.Struct, frozen=True, kw_only=True):
    x: int
    label: str | None = None


class Tricky(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(description="the name")]
    count: int | None
    tags: tuple[str, ...]
    scores: list[float | None]
    attrs: dict[str, str]
    groups: dict[str, tuple[str, ...]]
    dtype: DataType
    maybe_dtype: DataType | None
    point: Point | None
    points: tuple[Point, ...]
    color: Color
    mode: Mode
    blob: bytes
    ratio: float
    flag: bool
    choice: Literal["a", "b"]
    either: int | str
    modes: tuple[Mode, ...] = ()


class Node(msgspec.Struct, frozen=True):
    children: tuple[Node, ...]


class Dangling(msgspec.Struct, frozen=True):
    ref: NotDefinedAnywhere  # type: ignore[name-defined]  # noqa: F821


NESTED_TYPE = StructOf(
    members=(
        StructMember(name="m", dtype=MapOf(key=STRING, value=list_of(INT64, item_nullable=False))),
        StructMember(name="s", dtype=STRING, nullable=False),
    )
)

ROWS = [
    Tricky(
        name="first",
        count=None,
        tags=("a", "b"),
        scores=[1.5, None, -0.0],
        attrs={"z": "1", "a": "2"},
        groups={"k": ("v", "w"), "e": ()},
        dtype=list_of(INT64),
        maybe_dtype=None,
        point=Point(x=1),
        points=(Point(x=2, label="two"), Point(x=3)),
        color=Color.BLUE,
        mode=Mode.SAFE,
        blob=b"\x00\xff\x10",
        ratio=0.25,
        flag=True,
        choice="b",
        either="3",
        modes=(Mode.FAST, Mode.SAFE),
    ),
    Tricky(
        name="",
        count=-(2**63),
        tags=(),
        scores=[],
        attrs={},
        groups={},
        dtype=NESTED_TYPE,
        maybe_dtype=Scalar(kind=ScalarKind.TIMESTAMP_US_UTC),
        point=None,
        points=(),
        color=Color.RED,
        mode=Mode.FAST,
        blob=b"",
        ratio=-1e300,
        flag=False,
        choice="a",
        either=3,
    ),
]


def test_tricky_rows_round_trip_exactly() -> None:
    codec = StructCodec(Tricky, name="tricky")
    table = codec.encode(ROWS)
    assert table.num_rows == 2
    assert codec.decode(table) == ROWS
    decoded = codec.decode(table)
    assert type(decoded[0].tags) is tuple
    assert type(decoded[0].scores) is list
    assert type(decoded[0].dtype) is ListOf
    assert decoded[0].either == "3"
    assert decoded[1].either == 3


def test_schema_is_derived_from_the_struct() -> None:
    schema = StructCodec(Tricky, name="tricky").schema
    assert schema.metadata == {
        b"spec_kind": b"tricky",
        b"codeanatomy.struct": f"{__name__}.Tricky".encode(),
    }
    types = {f.name: (f.type, f.nullable) for f in schema}
    text_list = pa.list_(pa.field("item", pa.string(), nullable=False))
    point = pa.struct([pa.field("x", pa.int64(), nullable=False), pa.field("label", pa.string())])
    assert types == {
        "name": (pa.string(), False),
        "count": (pa.int64(), True),
        "tags": (text_list, False),
        "scores": (pa.list_(pa.field("item", pa.float64(), nullable=True)), False),
        "attrs": (pa.map_(pa.string(), pa.string()), False),
        "groups": (pa.map_(pa.string(), text_list), False),
        "dtype": (pa.string(), False),
        "maybe_dtype": (pa.string(), True),
        "point": (point, True),
        "points": (pa.list_(pa.field("item", point, nullable=False)), False),
        "color": (pa.string(), False),
        "mode": (pa.string(), False),
        "blob": (pa.binary(), False),
        "ratio": (pa.float64(), False),
        "flag": (pa.bool_(), False),
        "choice": (pa.string(), False),
        "either": (pa.string(), False),
        "modes": (text_list, False),
    }
    assert schema.field("name").metadata == {b"description": b"the name"}
    assert schema.field("dtype").metadata == {b"codeanatomy.encoding": b"json"}
    # Nested nullability is part of the type: list items and struct members.
    assert schema.field("points").type.value_field.nullable is False
    assert schema.field("point").type.field("label").nullable is True


def test_values_are_stored_in_their_documented_form() -> None:
    table = StructCodec(Tricky, name="tricky").encode(ROWS)
    first = {name: table.column(name)[0].as_py() for name in table.column_names}
    assert first["color"] == "BLUE"  # non-string enums by member name
    assert first["mode"] == "safe"  # StrEnum by value
    assert first["attrs"] == [("a", "2"), ("z", "1")]  # map entries sorted by key
    assert first["dtype"] == '{"item":{"kind":"int64","type":"scalar"},"item_nullable":true,"type":"list"}'
    assert first["either"] == '"3"'
    assert table.column("either")[1].as_py() == "3"
    assert first["maybe_dtype"] is None
    assert first["point"] == {"x": 1, "label": None}


def test_equal_dicts_in_any_insertion_order_give_equal_tables() -> None:
    class Holder(msgspec.Struct, frozen=True):
        m: dict[str, str]

    holder = StructCodec(Holder, name="h")
    one = holder.encode([Holder(m={"a": "1", "b": "2"})])
    two = holder.encode([Holder(m={"b": "2", "a": "1"})])
    assert one.equals(two)


def test_dataset_specs_themselves_round_trip() -> None:
    specs = [SOURCE_FILES, SOURCE_ISSUES, AST_NODES, EXTRACT_ERRORS]
    codec = StructCodec(DatasetSpec, name="specs")
    assert codec.decode(codec.encode(specs)) == specs


def test_field_specs_match_the_arrow_schema() -> None:
    fields = struct_fields(Point)
    assert fields == (
        FieldSpec(name="x", dtype=INT64, nullable=False),
        FieldSpec(name="label", dtype=STRING, nullable=True),
    )
    assert arrow_type_of(tuple[Point, ...]) == pa.list_(
        pa.field(
            "item",
            pa.struct([pa.field("x", pa.int64(), nullable=False), pa.field("label", pa.string())]),
            nullable=False,
        )
    )


def test_renamed_fields_use_their_encode_names() -> None:
    class Renamed(msgspec.Struct, frozen=True, rename="camel"):
        file_id: int
        start_line: int | None = None

    codec = StructCodec(Renamed, name="renamed")
    assert codec.schema.names == ["fileId", "startLine"]
    rows = [Renamed(file_id=1, start_line=2), Renamed(file_id=3)]
    assert codec.decode(codec.encode(rows)) == rows


def test_missing_column_with_a_default_decodes_to_the_default() -> None:
    codec = StructCodec(Point, name="points")
    old = pa.table({"x": pa.array([5], pa.int64())})
    assert codec.decode(old) == [Point(x=5)]
    with pytest.raises(CodecError, match=r"table 'points': column 'x' is missing"):
        codec.decode(pa.table({"label": ["a"]}))


def test_unsupported_types_are_refused_naming_the_field() -> None:
    class WithSet(msgspec.Struct):
        values: set[int]

    class Pair(msgspec.Struct):
        pair: tuple[int, str]

    with pytest.raises(CodecError, match=r"WithSet\.values: type set\[int\] has no Arrow encoding"):
        StructCodec(WithSet, name="x")
    with pytest.raises(CodecError, match=r"Pair\.pair: only variable-length tuple"):
        StructCodec(Pair, name="x")
    with pytest.raises(CodecError, match=r"Node contains itself"):
        StructCodec(Node, name="x")
    with pytest.raises(CodecError, match=r"Dangling: the annotations of Dangling cannot be resolved"):
        StructCodec(Dangling, name="x")
    with pytest.raises(CodecError, match="is not a msgspec Struct"):
        StructCodec(int, name="x")  # type: ignore[type-var]
    assert issubclass(CodecError, SpecError)


def test_map_keys_must_be_scalar() -> None:
    class BadKeys(msgspec.Struct):
        m: dict[float, str]

    with pytest.raises(CodecError, match=r"BadKeys\.m: map keys must be"):
        StructCodec(BadKeys, name="x")


def test_bad_values_are_reported_with_table_field_and_row() -> None:
    codec = StructCodec(Point, name="points")
    with pytest.raises(CodecError, match=r"Point\.x: value is None but the type is not optional"):
        codec.encode([Point(x=None)])  # type: ignore[arg-type]
    with pytest.raises(CodecError, match=r"Point\.x: expected int, got str"):
        codec.encode([Point(x="1")])  # type: ignore[arg-type]
    with pytest.raises(CodecError, match=r"table 'points': row 1 is a Tricky, expected Point"):
        codec.encode([Point(x=1), ROWS[0]])  # type: ignore[list-item]
    with pytest.raises(CodecError, match=r"table 'points': column 'x' does not fit int64"):
        codec.encode([Point(x=2**64)])
    tricky = StructCodec(Tricky, name="tricky")
    broken = tricky.encode(ROWS).set_column(10, "color", pa.array(["GREEN", "RED"]))
    with pytest.raises(CodecError, match=r"Tricky\.color: 'GREEN' is not a Color member"):
        tricky.decode(broken)
    bad_json = tricky.encode(ROWS).set_column(6, "dtype", pa.array(['{"type":"nope"}', "{}"]))
    with pytest.raises(CodecError, match=r"Tricky\.dtype: stored JSON"):
        tricky.decode(bad_json)


def test_encode_with_a_richer_schema_keeps_its_metadata() -> None:
    codec = StructCodec(Point, name="points")
    richer = codec.schema.with_metadata({"spec_kind": "points", "extra": "1"})
    table = codec.encode([Point(x=1)], schema=richer)
    assert table.schema.metadata == {b"spec_kind": b"points", b"extra": b"1"}
    other = pa.schema([pa.field("x", pa.string())])
    with pytest.raises(CodecError, match="does not match the derived one"):
        codec.encode([Point(x=1)], schema=other)


def test_row_helpers_name_the_column() -> None:
    schema = pa.schema([pa.field("a", pa.int64(), nullable=False), pa.field("b", pa.string())])
    table = rows_from_pylist([{"a": 1}, {"a": 2, "b": "x"}], schema=schema, table="t")
    assert table.to_pylist() == [{"a": 1, "b": None}, {"a": 2, "b": "x"}]
    with pytest.raises(CodecError, match=r"table 't': column 'a' is non-nullable but has nulls"):
        rows_from_pylist([{"b": "x"}], schema=schema, table="t")
    with pytest.raises(CodecError, match=r"table 't': column 'a' does not fit int64"):
        rows_to_table({"a": ["x"], "b": [None]}, schema=schema, table="t")
    with pytest.raises(CodecError, match=r"rows carry columns \['c'\]"):
        rows_from_pylist([{"a": 1, "c": 2}], schema=schema, table="t")
