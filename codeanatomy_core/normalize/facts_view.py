"""A file's facts as the resolution reads them: the parts every whole-program pass needs
decoded at once, the bulky rest (references, call sites, flow constraints) on first use.

An incremental build decodes every file's facts (the symbol index and the module graph
are whole-program) but solves the flow of a few files only: the call sites
and constraints of the others are never read. They are about 60 % of the encoded facts
and of the objects decoding makes (on the standard library 0.16 s of 0.27 s to decode,
and 0.07 s of 0.1 s to free). What whole-program passes read of them, the call count
and the enclosing scope of each reference, is read without decoding the rest.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol, TypeVar, get_type_hints

import msgspec

from codeanatomy_core.errors import PipelineError
from codeanatomy_core.extract.pyfacts_model import (
    BaseFact,
    BindingFact,
    CallFact,
    DecoratorFact,
    DefFact,
    FileFacts,
    ImportFact,
    Op,
    ParamFact,
    RefColumns,
    ScopeFact,
)

_T = TypeVar("_T")


class FactsView(Protocol):
    """What the resolution reads of a file's facts (:class:`FileFacts` or :class:`LazyFacts`)."""

    @property
    def version(self) -> int: ...
    @property
    def module(self) -> str: ...
    @property
    def is_package(self) -> bool: ...
    @property
    def var_count(self) -> int: ...
    @property
    def scopes(self) -> list[ScopeFact]: ...
    @property
    def defs(self) -> list[DefFact]: ...
    @property
    def params(self) -> list[ParamFact]: ...
    @property
    def bindings(self) -> list[BindingFact]: ...
    @property
    def refs(self) -> RefColumns: ...
    @property
    def imports(self) -> list[ImportFact]: ...
    @property
    def calls(self) -> list[CallFact]: ...
    @property
    def bases(self) -> list[BaseFact]: ...
    @property
    def decorators(self) -> list[DecoratorFact]: ...
    @property
    def ops(self) -> list[Op]: ...
    @property
    def all_names(self) -> list[str] | None: ...
    @property
    def key_consts(self) -> list[str]: ...
    @property
    def call_count(self) -> int: ...
    @property
    def ref_scopes(self) -> list[int]: ...


# The fields left encoded until first read; the others are decoded with the header.
DEFERRED = ("refs", "calls", "ops")
# FileFacts with the deferred fields as raw msgpack (same names, so the same encoding).
_Eager = msgspec.defstruct(
    "_Eager",
    [(name, msgspec.Raw if name in DEFERRED else hint) for name, hint in get_type_hints(FileFacts).items()],
    frozen=True,
    kw_only=True,
)


class _RefScopes(msgspec.Struct, frozen=True, array_like=True):
    """The leading columns of :class:`RefColumns`, up to the enclosing scopes."""

    name: msgspec.Raw
    ctx: msgspec.Raw
    scope: list[int]


_EAGER: msgspec.msgpack.Decoder[Any] = msgspec.msgpack.Decoder(_Eager)
_REFS = msgspec.msgpack.Decoder(RefColumns)
_REF_SCOPES = msgspec.msgpack.Decoder(_RefScopes)
_CALLS = msgspec.msgpack.Decoder(list[CallFact])
_OPS = msgspec.msgpack.Decoder(list[Op])

# msgpack array headers: fixarray (0x90-0x9f), array 16 (0xdc), array 32 (0xdd).
_FIXARRAY, _ARRAY16, _ARRAY32 = 0x90, 0xDC, 0xDD


def _array_length(raw: msgspec.Raw) -> int:
    """The length of the msgpack array encoded in ``raw`` (read off its header)."""
    data = memoryview(raw)
    head = data[0]
    if _FIXARRAY <= head <= _FIXARRAY + 0x0F:
        return head - _FIXARRAY
    if head == _ARRAY16:
        return int.from_bytes(data[1:3], "big")
    if head == _ARRAY32:
        return int.from_bytes(data[1:5], "big")
    raise msgspec.DecodeError(f"expected a msgpack array, found the header byte 0x{head:02x}")


class LazyFacts:
    """One file's facts, decoded from its encoded :class:`FileFacts` as they are read.

    Decoding the eager part checks that every field is well-formed msgpack; the deferred
    fields' types are checked when first read, and a failure then names the module."""

    version: int
    module: str
    is_package: bool
    var_count: int
    scopes: list[ScopeFact]
    defs: list[DefFact]
    params: list[ParamFact]
    bindings: list[BindingFact]
    imports: list[ImportFact]
    bases: list[BaseFact]
    decorators: list[DecoratorFact]
    all_names: list[str] | None
    key_consts: list[str]

    def __init__(self, data: bytes) -> None:
        eager = _EAGER.decode(data)
        for name in _Eager.__struct_fields__:
            if name not in DEFERRED:
                setattr(self, name, getattr(eager, name))
        self.call_count = _array_length(eager.calls)
        self._refs, self._calls, self._ops = eager.refs, eager.calls, eager.ops

    # cached_property: once decoded, a field is a plain instance attribute (no call per read).
    @functools.cached_property
    def refs(self) -> RefColumns:
        return self._decode(_REFS, self._refs, "refs")

    @functools.cached_property
    def ref_scopes(self) -> list[int]:
        if "refs" in self.__dict__:
            return self.refs.scope
        return self._decode(_REF_SCOPES, self._refs, "refs").scope

    @functools.cached_property
    def calls(self) -> list[CallFact]:
        return self._decode(_CALLS, self._calls, "calls")

    @functools.cached_property
    def ops(self) -> list[Op]:
        return self._decode(_OPS, self._ops, "ops")

    def _decode(self, decoder: msgspec.msgpack.Decoder[_T], raw: msgspec.Raw, field: str) -> _T:
        try:
            return decoder.decode(raw)
        except msgspec.DecodeError as err:
            raise PipelineError(
                f"normalize: the {field} of the py_facts of module {self.module!r}: {err}"
            ) from err

    def decoded(self) -> FileFacts:
        """Every field decoded, as the :class:`FileFacts` the extract step encoded."""
        return FileFacts(**{name: getattr(self, name) for name in FileFacts.__struct_fields__})


def decoded(facts: FactsView) -> FileFacts:
    """``facts`` with every field decoded (for comparing two versions of a file's facts)."""
    if isinstance(facts, LazyFacts):
        return facts.decoded()
    if isinstance(facts, FileFacts):
        return facts
    raise TypeError(f"not a file's facts: {type(facts).__name__}")
