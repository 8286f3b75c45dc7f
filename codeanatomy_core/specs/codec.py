"""Struct codecs: Arrow schemas derived from msgspec Struct types, and exact row round-trips.

A :class:`StructCodec` turns a sequence of Struct instances into a pyarrow Table whose
schema is *derived* from the Struct definition (never written twice), and decodes such a
table back into the very same instances (``decode(encode(rows)) == rows``).

Type mapping (column type, and how values travel):

================================  =====================================================
``str`` ``int`` ``float``          string, int64, float64
``bool`` ``bytes``                 bool, binary
``Enum``                           string: the member's value for string-valued enums
                                   (``StrEnum``), the member's *name* for any other enum
``Literal["a", "b"]``              string (decoding checks the value is one of them)
``X | None``                       the column (or member, or list item) of X, nullable;
                                   every other type is non-nullable
``tuple[X, ...]`` / ``list[X]``    list<X>, decoded back to a tuple / a list
nested ``Struct``                  struct<...> of its fields (recursive Structs are refused)
``dict[K, V]``                     map<K, V>: K a str, int, bool or Enum; entries are
                                   written sorted by key, so equal dicts give equal rows
any other union, e.g. the tagged   string holding the canonical JSON of the value (msgspec,
union ``specs.types.DataType``     sorted keys): exact round-trip through the union's tags
``Annotated[X, Meta(...)]``        X; ``Meta(description=...)`` becomes the field description
================================  =====================================================

Columns are named by the fields' encode names. A column missing from a stored table
decodes to the field's default (older tables written before a field was added).
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin

import msgspec
import pyarrow as pa

from codeanatomy_core.errors import SpecError
from codeanatomy_core.specs.model import FieldSpec
from codeanatomy_core.specs.schema import SPEC_KIND_KEY, arrow_field
from codeanatomy_core.specs.signature import canonical_encode
from codeanatomy_core.specs.types import (
    BINARY,
    BOOL,
    FLOAT64,
    INT64,
    STRING,
    DataType,
    ListOf,
    MapOf,
    StructMember,
    StructOf,
    to_arrow_type,
)

STRUCT_KEY = "codeanatomy.struct"
ENCODING_KEY = "codeanatomy.encoding"
JSON_ENCODING = "json"

_SCALARS: dict[object, DataType] = {str: STRING, int: INT64, float: FLOAT64, bool: BOOL, bytes: BINARY}
_MAP_KEY_TYPES = (STRING, INT64, BOOL)

Convert = Callable[[Any], Any]
RowT = TypeVar("RowT", bound=msgspec.Struct)


class CodecError(SpecError):
    """A Struct type has no Arrow encoding, or a row or a stored value does not fit it."""


@dataclass(frozen=True, kw_only=True)
class _Node:
    """How one annotation maps to Arrow: its spec type, nullability and value converters."""

    dtype: DataType
    nullable: bool
    encode: Convert
    decode: Convert
    json: bool = False
    description: str = ""


def _identity(value: Any) -> Any:
    return value


def _not_none(where: str, convert: Convert) -> Convert:
    def run(value: Any) -> Any:
        if value is None:
            raise CodecError(f"{where}: value is None but the type is not optional")
        return convert(value)

    return run


def _or_none(convert: Convert) -> Convert:
    def run(value: Any) -> Any:
        return None if value is None else convert(value)

    return run


def _scalar(tp: type, where: str) -> _Node:
    def check(value: Any) -> Any:
        # bool is an int subclass; a float field accepts ints (msgspec does the same).
        ok = isinstance(value, tp) and not (tp is int and isinstance(value, bool))
        if not ok and not (tp is float and isinstance(value, int) and not isinstance(value, bool)):
            raise CodecError(f"{where}: expected {tp.__name__}, got {type(value).__name__} {value!r}")
        return value

    return _Node(dtype=_SCALARS[tp], nullable=False, encode=_not_none(where, check), decode=_identity)


def _enum(cls: type[enum.Enum], where: str) -> _Node:
    by_value = all(isinstance(m.value, str) for m in cls)

    def encode(value: Any) -> str:
        if not isinstance(value, cls):
            raise CodecError(f"{where}: expected a {cls.__name__} member, got {value!r}")
        return value.value if by_value else value.name

    def decode(text: str) -> enum.Enum:
        try:
            return cls(text) if by_value else cls[text]
        except (ValueError, KeyError) as err:
            raise CodecError(f"{where}: {text!r} is not a {cls.__name__} member") from err

    return _Node(dtype=STRING, nullable=False, encode=_not_none(where, encode), decode=decode)


def _literal(values: tuple[Any, ...], where: str) -> _Node:
    if not all(isinstance(v, str) for v in values):
        raise CodecError(f"{where}: only Literal types of strings have an Arrow encoding")

    def check(value: Any) -> Any:
        if value not in values:
            raise CodecError(f"{where}: {value!r} is not one of {list(values)}")
        return value

    return _Node(dtype=STRING, nullable=False, encode=_not_none(where, check), decode=check)


def _json(tp: Any, nullable: bool, where: str) -> _Node:
    def encode(value: Any) -> str:
        try:
            return canonical_encode(value).decode("utf-8")
        except (TypeError, msgspec.EncodeError) as err:
            raise CodecError(f"{where}: cannot encode {value!r} as JSON: {err}") from err

    def decode(text: str) -> Any:
        try:
            return msgspec.json.decode(text, type=tp)
        except (msgspec.DecodeError, msgspec.ValidationError) as err:
            raise CodecError(f"{where}: stored JSON {text!r} does not decode: {err}") from err

    wrap = _or_none if nullable else (lambda c: _not_none(where, c))
    return _Node(dtype=STRING, nullable=nullable, encode=wrap(encode), decode=_or_none(decode), json=True)


def _sequence(item_tp: Any, kind: type, where: str, stack: tuple[type, ...]) -> _Node:
    item = _node(item_tp, f"{where}[]", stack)

    def encode(value: Any) -> list[Any]:
        if not isinstance(value, (tuple, list)):
            raise CodecError(f"{where}: expected a {kind.__name__}, got {type(value).__name__}")
        return [item.encode(v) for v in value]

    def decode(values: Sequence[Any]) -> Any:
        return kind(item.decode(v) for v in values)

    dtype = ListOf(item=item.dtype, item_nullable=item.nullable)
    return _Node(dtype=dtype, nullable=False, encode=_not_none(where, encode), decode=decode)


def _mapping(key_tp: Any, value_tp: Any, where: str, stack: tuple[type, ...]) -> _Node:
    key = _node(key_tp, f"{where}{{key}}", stack)
    value = _node(value_tp, f"{where}{{value}}", stack)
    if key.dtype not in _MAP_KEY_TYPES or key.nullable:
        raise CodecError(f"{where}: map keys must be non-optional str, int, bool or Enum")

    def encode(mapping: Any) -> list[tuple[Any, Any]]:
        if not isinstance(mapping, Mapping):
            raise CodecError(f"{where}: expected a dict, got {type(mapping).__name__}")
        return sorted((key.encode(k), value.encode(v)) for k, v in mapping.items())

    def decode(entries: Any) -> dict[Any, Any]:
        pairs = entries.items() if isinstance(entries, Mapping) else entries
        return {key.decode(k): value.decode(v) for k, v in pairs}

    dtype = MapOf(key=key.dtype, value=value.dtype)
    return _Node(dtype=dtype, nullable=False, encode=_not_none(where, encode), decode=decode)


@dataclass(frozen=True, kw_only=True)
class _Member:
    attr: str
    column: str
    node: _Node
    default: Any


def _members(cls: type[msgspec.Struct], where: str, stack: tuple[type, ...]) -> tuple[_Member, ...]:
    out = []
    try:
        infos = msgspec.structs.fields(cls)
    except (NameError, TypeError) as err:
        raise CodecError(f"{where}: the annotations of {cls.__name__} cannot be resolved: {err}") from err
    for info in infos:
        if info.default is not msgspec.NODEFAULT:
            default = info.default
        elif info.default_factory is not msgspec.NODEFAULT:
            default = info.default_factory
        else:
            default = msgspec.NODEFAULT
        node = _node(info.type, f"{where}.{info.name}", (*stack, cls))
        out.append(_Member(attr=info.name, column=info.encode_name, node=node, default=default))
    return tuple(out)


def _struct(cls: type[msgspec.Struct], where: str, stack: tuple[type, ...]) -> _Node:
    if cls in stack:
        raise CodecError(
            f"{where}: {cls.__name__} contains itself; recursive types need a tagged union (JSON column)"
        )
    members = _members(cls, where, stack)

    def encode(value: Any) -> dict[str, Any]:
        if not isinstance(value, cls):
            raise CodecError(f"{where}: expected a {cls.__name__}, got {type(value).__name__}")
        return {m.column: m.node.encode(getattr(value, m.attr)) for m in members}

    def decode(values: Mapping[str, Any]) -> msgspec.Struct:
        return cls(**{m.attr: m.node.decode(values[m.column]) for m in members})

    dtype = StructOf(
        members=tuple(
            StructMember(name=m.column, dtype=m.node.dtype, nullable=m.node.nullable) for m in members
        )
    )
    return _Node(dtype=dtype, nullable=False, encode=_not_none(where, encode), decode=decode)


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def _node(tp: Any, where: str, stack: tuple[type, ...]) -> _Node:
    origin = get_origin(tp)
    if origin is Annotated:
        inner, *extras = get_args(tp)
        node = _node(inner, where, stack)
        text = next((m.description for m in extras if isinstance(m, msgspec.Meta) and m.description), "")
        return replace(node, description=text or node.description)
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        members = tuple(a for a in args if a is not type(None))
        nullable = len(members) < len(args)
        if len(members) == 1:
            node = _node(members[0], where, stack)
            encode = _or_none(node.encode) if nullable else node.encode
            decode = _or_none(node.decode) if nullable else node.decode
            return replace(node, nullable=nullable or node.nullable, encode=encode, decode=decode)
        return _json(Union[members], nullable, where)  # noqa: UP007 (a runtime union of types)
    if origin is Literal:
        return _literal(get_args(tp), where)
    if origin is tuple:
        args = get_args(tp)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise CodecError(f"{where}: only variable-length tuple[X, ...] has an Arrow encoding, not {tp}")
        return _sequence(args[0], tuple, where, stack)
    if origin is list:
        return _sequence(get_args(tp)[0], list, where, stack)
    if origin is dict:
        key_tp, value_tp = get_args(tp)
        return _mapping(key_tp, value_tp, where, stack)
    if tp in _SCALARS:
        return _scalar(tp, where)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum(tp, where)
    if _is_struct(tp):
        return _struct(tp, where, stack)
    raise CodecError(f"{where}: type {tp!r} has no Arrow encoding")


def _field_spec(member: _Member) -> FieldSpec:
    metadata = {ENCODING_KEY: JSON_ENCODING} if member.node.json else {}
    return FieldSpec(
        name=member.column,
        dtype=member.node.dtype,
        nullable=member.node.nullable,
        description=member.node.description,
        metadata=metadata,
    )


class StructCodec(Generic[RowT]):
    """Encode Struct instances of one type to an Arrow table named ``name``, and back."""

    __slots__ = ("_members", "fields", "name", "schema", "struct_type")

    def __init__(self, struct_type: type[RowT], *, name: str) -> None:
        if not _is_struct(struct_type):
            raise CodecError(f"table {name!r}: {struct_type!r} is not a msgspec Struct type")
        self.struct_type = struct_type
        self.name = name
        self._members = _members(struct_type, struct_type.__name__, ())
        self.fields: tuple[FieldSpec, ...] = tuple(_field_spec(m) for m in self._members)
        self.schema = pa.schema(
            [arrow_field(f) for f in self.fields],
            metadata={
                SPEC_KIND_KEY: name,
                STRUCT_KEY: f"{struct_type.__module__}.{struct_type.__qualname__}",
            },
        )

    def __repr__(self) -> str:
        return f"StructCodec({self.struct_type.__name__}, name={self.name!r})"

    def encode(self, rows: Iterable[RowT], *, schema: pa.Schema | None = None) -> pa.Table:
        """A table of ``rows`` with the derived schema (or ``schema``: same fields, other metadata)."""
        target = self.schema if schema is None else schema
        if [(f.name, f.type) for f in target] != [(f.name, f.type) for f in self.schema]:
            raise CodecError(f"table {self.name!r}: the given schema does not match the derived one")
        rows = list(rows)
        for index, row in enumerate(rows):
            if type(row) is not self.struct_type:
                raise CodecError(
                    f"table {self.name!r}: row {index} is a {type(row).__name__}, "
                    f"expected {self.struct_type.__name__}"
                )
        columns = {m.column: [m.node.encode(getattr(r, m.attr)) for r in rows] for m in self._members}
        return rows_to_table(columns, schema=target, table=self.name)

    def decode(self, table: pa.Table) -> list[RowT]:
        """The Struct instances stored in ``table`` (in row order)."""
        columns: dict[str, tuple[_Member, list[Any]]] = {}
        for member in self._members:
            if member.column in table.column_names:
                columns[member.attr] = (member, table.column(member.column).to_pylist())
            elif member.default is msgspec.NODEFAULT:
                raise CodecError(f"table {self.name!r}: column {member.column!r} is missing")
        out = []
        for index in range(table.num_rows):
            values = {}
            for attr, (member, data) in columns.items():
                try:
                    values[attr] = member.node.decode(data[index])
                except (TypeError, KeyError, ValueError) as err:
                    raise CodecError(
                        f"table {self.name!r}: row {index}, column {member.column!r} does not decode: {err}"
                    ) from err
            out.append(self.struct_type(**values))
        return out


def struct_fields(struct_type: type[msgspec.Struct]) -> tuple[FieldSpec, ...]:
    """The field specs (name, Arrow type, nullability, description) derived from a Struct type."""
    return StructCodec(struct_type, name=struct_type.__name__).fields


def rows_to_table(
    columns: Mapping[str, Sequence[Any]], *, schema: pa.Schema, table: str = "table"
) -> pa.Table:
    """A table from column-wise Python values, each column converted to its schema type.

    Raises CodecError naming the table and the column whose values do not fit, and for
    nulls in a non-nullable column (pyarrow does not check those itself).
    """
    arrays = []
    for spec_field in schema:
        if spec_field.name not in columns:
            raise CodecError(f"table {table!r}: column {spec_field.name!r} is missing")
        try:
            array = pa.array(columns[spec_field.name], type=spec_field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as err:
            raise CodecError(
                f"table {table!r}: column {spec_field.name!r} does not fit {spec_field.type}: {err}"
            ) from err
        if not spec_field.nullable and array.null_count:
            raise CodecError(f"table {table!r}: column {spec_field.name!r} is non-nullable but has nulls")
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def rows_from_pylist(
    rows: Iterable[Mapping[str, Any]], *, schema: pa.Schema, table: str = "table"
) -> pa.Table:
    """A table from row dicts (missing keys are nulls), via :func:`rows_to_table`."""
    rows = list(rows)
    columns = {f.name: [row.get(f.name) for row in rows] for f in schema}
    extra = sorted({k for row in rows for k in row} - set(columns))
    if extra:
        raise CodecError(f"table {table!r}: rows carry columns {extra} that the schema does not have")
    return rows_to_table(columns, schema=schema, table=table)


def arrow_type_of(tp: Any) -> pa.DataType:
    """The Arrow type of one annotation (for ad-hoc columns outside a Struct)."""
    return to_arrow_type(_node(tp, repr(tp), ()).dtype)
