"""Abstract values of the flow analysis, interned to ints.

A value is a kind plus a small payload; equal (kind, payload) pairs share one id, so
points-to sets are plain sets of ints. Payloads use global ids (definitions, call sites)
or strings (external paths, constant keys, builtin names).

Ids follow the order values were first met. ``rank`` gives each value a key made of its
content instead (nested values by their own keys), comparable across kinds: the order
the engine uses wherever order matters, the same whatever was interned before.
"""

from __future__ import annotations

from enum import IntEnum

MAX_EXTERNAL_DEPTH = 8


class ValueKind(IntEnum):
    FUNCTION = 0  # a function or lambda definition (payload: def gid)
    CLASS = 1  # a class definition (def gid)
    INSTANCE = 2  # any instance of a class (class def gid)
    BOUND_METHOD = 3  # (function def gid, Via of the lookup): receivers go to the parameter
    MODULE = 4  # a repository module (module name)
    EXTERNAL = 5  # a symbol outside the repository (dotted import path)
    BUILTIN = 6  # a builtin function or class (name)
    CONST = 7  # a constant (canonical key "s:text" / "i:42")
    TYPED = 8  # a value of a builtin type, exact value unknown (type name)
    CONTAINER = 9  # a list/tuple/dict/set/generator-expression allocation (type, site key)
    GENERATOR = 10  # the generator returned by calling a generator function (def gid)
    SUPER = 11  # super() inside class (class def gid, receiver value id)
    TYPE_METHOD = 12  # a method of a builtin type (type name, method name, receiver or -1)


CONST_TYPES = {"s": "str", "i": "int"}
# Values whose payload is a definition (global id): a function, class, instance, generator.
DEFINED_KINDS = frozenset({ValueKind.FUNCTION, ValueKind.CLASS, ValueKind.INSTANCE, ValueKind.GENERATOR})
# Container sites made from a receiver value: ("values" | "items" | "item", receiver id,
# the enclosing definition of the call that made it).
RECEIVER_SITES = frozenset({"values", "items", "item"})


class ValueTable:
    """Interning of values: ``id = table.intern(kind, a, b)``; payload by id."""

    __slots__ = ("a", "b", "ids", "kind", "rank", "summary")

    def __init__(self) -> None:
        self.ids: dict[tuple[int, object, object], int] = {}
        self.kind: list[int] = []
        self.a: list = []
        self.b: list = []
        # For data values (constants, containers): the TYPED value summarizing them, else -1.
        self.summary: list[int] = []
        self.rank: list[tuple] = []

    def __len__(self) -> int:
        return len(self.kind)

    def intern(self, kind: ValueKind, a: object, b: object = None) -> int:
        key = (kind, a, b)
        value = self.ids.get(key)
        if value is None:
            summary = -1
            if kind in (ValueKind.CONST, ValueKind.CONTAINER):
                type_name = CONST_TYPES.get(a[0]) if kind == ValueKind.CONST else a  # type: ignore[index]
                summary = self.intern(ValueKind.TYPED, type_name or "object")
            elif kind == ValueKind.EXTERNAL:
                # External symbols beget more (attributes, call results): widened to "unknown".
                summary = self.intern(ValueKind.TYPED, "external")
            value = self.ids[key] = len(self.kind)
            self.kind.append(kind)
            self.a.append(a)
            self.b.append(b)
            self.summary.append(summary)
            self.rank.append((kind, self._key(kind, a, 0), self._key(kind, b, 1)))
        return value

    def _key(self, kind: ValueKind, part: object, position: int) -> tuple:
        """A comparable key of one payload part: tagged by type, nested values by rank."""
        if isinstance(part, int):
            if position == 1 and kind in (ValueKind.SUPER, ValueKind.TYPE_METHOD):
                return (4, self.rank[part]) if part >= 0 else (0, part)  # a receiver value
            return (0, part)
        if isinstance(part, str):
            return (1, part)
        if isinstance(part, tuple):
            if kind == ValueKind.CONTAINER and part and part[0] in RECEIVER_SITES:
                return (3, (1, part[0]), (4, self.rank[part[1]]), (0, part[2]))  # of a receiver
            return (3, *(self._key(kind, item, 2) for item in part))
        return (2,)  # None

    def function(self, definition: int) -> int:
        return self.intern(ValueKind.FUNCTION, definition)

    def klass(self, definition: int) -> int:
        return self.intern(ValueKind.CLASS, definition)

    def instance(self, class_def: int) -> int:
        return self.intern(ValueKind.INSTANCE, class_def)

    def bound(self, function: int, via: int) -> int:
        """A method looked up on an instance or class. Receiver-insensitive: the lookup
        itself adds the receiver to the method's first parameter (few values per method)."""
        return self.intern(ValueKind.BOUND_METHOD, function, via)

    def module(self, name: str) -> int:
        return self.intern(ValueKind.MODULE, name)

    def external(self, path: str) -> int | None:
        if path.count(".") >= MAX_EXTERNAL_DEPTH:
            return None
        return self.intern(ValueKind.EXTERNAL, path)

    def builtin(self, name: str) -> int:
        return self.intern(ValueKind.BUILTIN, name)

    def const(self, key: str) -> int:
        return self.intern(ValueKind.CONST, key)

    def typed(self, type_name: str) -> int:
        return self.intern(ValueKind.TYPED, type_name)

    def container(self, type_name: str, site: object) -> int:
        return self.intern(ValueKind.CONTAINER, type_name, site)

    def generator(self, definition: int) -> int:
        return self.intern(ValueKind.GENERATOR, definition)

    def super_of(self, class_def: int, receiver: int) -> int:
        return self.intern(ValueKind.SUPER, class_def, receiver)

    def type_method(self, type_name: str, method: str, receiver: int) -> int:
        return self.intern(ValueKind.TYPE_METHOD, (type_name, method), receiver)

    def type_name(self, value: int) -> str | None:
        """The builtin type of a constant, typed value or container, else None."""
        kind = self.kind[value]
        if kind == ValueKind.CONST:
            return CONST_TYPES.get(self.a[value][0])
        if kind in (ValueKind.TYPED, ValueKind.CONTAINER):
            return self.a[value]
        return None
