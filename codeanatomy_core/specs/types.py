"""Arrow data types as spec data: a tagged union that encodes canonically and maps to pyarrow.

Types are data (not pyarrow objects) so that specs can be encoded, hashed into signatures
and stored in registry tables, then decoded back into the very same objects.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec
import pyarrow as pa


class ScalarKind(StrEnum):
    BOOL = "bool"
    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    UINT8 = "uint8"
    UINT32 = "uint32"
    UINT64 = "uint64"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    STRING = "string"
    BINARY = "binary"
    DATE32 = "date32"
    TIMESTAMP_US_UTC = "timestamp_us_utc"


_SCALAR_TO_ARROW: dict[ScalarKind, pa.DataType] = {
    ScalarKind.BOOL: pa.bool_(),
    ScalarKind.INT8: pa.int8(),
    ScalarKind.INT16: pa.int16(),
    ScalarKind.INT32: pa.int32(),
    ScalarKind.INT64: pa.int64(),
    ScalarKind.UINT8: pa.uint8(),
    ScalarKind.UINT32: pa.uint32(),
    ScalarKind.UINT64: pa.uint64(),
    ScalarKind.FLOAT32: pa.float32(),
    ScalarKind.FLOAT64: pa.float64(),
    ScalarKind.STRING: pa.string(),
    ScalarKind.BINARY: pa.binary(),
    ScalarKind.DATE32: pa.date32(),
    ScalarKind.TIMESTAMP_US_UTC: pa.timestamp("us", tz="UTC"),
}


class Scalar(msgspec.Struct, frozen=True, kw_only=True, tag="scalar", forbid_unknown_fields=True):
    kind: ScalarKind


class ListOf(msgspec.Struct, frozen=True, kw_only=True, tag="list", forbid_unknown_fields=True):
    item: DataType
    item_nullable: bool = True


class StructMember(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    dtype: DataType
    nullable: bool = True


class StructOf(msgspec.Struct, frozen=True, kw_only=True, tag="struct", forbid_unknown_fields=True):
    members: tuple[StructMember, ...]


class MapOf(msgspec.Struct, frozen=True, kw_only=True, tag="map", forbid_unknown_fields=True):
    key: DataType
    value: DataType


DataType = Scalar | ListOf | StructOf | MapOf

BOOL = Scalar(kind=ScalarKind.BOOL)
INT8 = Scalar(kind=ScalarKind.INT8)
INT16 = Scalar(kind=ScalarKind.INT16)
INT32 = Scalar(kind=ScalarKind.INT32)
INT64 = Scalar(kind=ScalarKind.INT64)
UINT32 = Scalar(kind=ScalarKind.UINT32)
FLOAT64 = Scalar(kind=ScalarKind.FLOAT64)
STRING = Scalar(kind=ScalarKind.STRING)
BINARY = Scalar(kind=ScalarKind.BINARY)
TIMESTAMP = Scalar(kind=ScalarKind.TIMESTAMP_US_UTC)


def list_of(item: DataType, *, item_nullable: bool = True) -> ListOf:
    return ListOf(item=item, item_nullable=item_nullable)


def to_arrow_type(dtype: DataType) -> pa.DataType:
    """The pyarrow type a spec type stands for."""
    if isinstance(dtype, Scalar):
        return _SCALAR_TO_ARROW[dtype.kind]
    if isinstance(dtype, ListOf):
        return pa.list_(pa.field("item", to_arrow_type(dtype.item), nullable=dtype.item_nullable))
    if isinstance(dtype, StructOf):
        return pa.struct(
            [pa.field(m.name, to_arrow_type(m.dtype), nullable=m.nullable) for m in dtype.members]
        )
    return pa.map_(to_arrow_type(dtype.key), to_arrow_type(dtype.value))


def is_scalar(dtype: DataType) -> bool:
    return isinstance(dtype, Scalar)
