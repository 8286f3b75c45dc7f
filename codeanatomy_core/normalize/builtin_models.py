"""What the analysis knows about builtins: names, builtin-type methods, a few semantics.

Builtin types are named like PyCG names them (``<**PyStr**>.join``); their methods are
the interpreter's own (``dir(str)``), read from this interpreter, never from analysed code.
"""

from __future__ import annotations

from enum import IntEnum

BUILTIN_LABEL = "<builtin>"

TYPE_LABELS: dict[str, str] = {
    "str": "<**PyStr**>",
    "list": "<**PyList**>",
    "dict": "<**PyDict**>",
    "set": "<**PySet**>",
    "tuple": "<**PyTuple**>",
}

_TYPES: dict[str, type] = {"str": str, "list": list, "dict": dict, "set": set, "tuple": tuple}
TYPE_METHODS: dict[str, frozenset[str]] = {
    name: frozenset(m for m in dir(cls) if not m.startswith("_")) for name, cls in _TYPES.items()
}

# Builtins used as decorators declare a kind of method: no call edge, the function passes through.
DECLARING_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})


# Implicit dunder calls whose operands are not bound to parameters (see flow_calls).
OPERAND_FREE_DUNDERS = frozenset(
    {
        "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__contains__",
        "__add__", "__sub__", "__mul__", "__matmul__", "__truediv__", "__floordiv__", "__mod__",
        "__pow__", "__lshift__", "__rshift__", "__or__", "__xor__", "__and__",
        "__iadd__", "__isub__", "__imul__", "__imatmul__", "__itruediv__", "__ifloordiv__", "__imod__",
        "__ipow__", "__ilshift__", "__irshift__", "__ior__", "__ixor__", "__iand__",
    }
)  # fmt: skip


class ContainerOp(IntEnum):
    """Effects of builtin container methods on the flow (receiver = the container)."""

    STORE_ARG0 = 0  # list.append(x), set.add(x)
    STORE_ARG1 = 1  # list.insert(i, x)
    STORE_ELEMENTS = 2  # list.extend(it), set.update(it)
    COPY_ITEMS = 3  # dict.update(m, **kw)
    SET_DEFAULT = 4  # dict.setdefault(k, v)
    GET_KEY = 5  # dict.get(k, d), dict.pop(k, d)
    ANY_ITEM = 6  # list.pop(), set.pop()
    VALUES = 7  # dict.values()
    ITEMS = 8  # dict.items()
    SAME = 9  # list.copy(), dict.copy()
    STR_RESULT = 10  # most str methods
    STR_LIST = 11  # str.split(), ...


CONTAINER_OPS: dict[tuple[str, str], ContainerOp] = {
    ("list", "append"): ContainerOp.STORE_ARG0,
    ("set", "add"): ContainerOp.STORE_ARG0,
    ("list", "insert"): ContainerOp.STORE_ARG1,
    ("list", "extend"): ContainerOp.STORE_ELEMENTS,
    ("set", "update"): ContainerOp.STORE_ELEMENTS,
    ("dict", "update"): ContainerOp.COPY_ITEMS,
    ("dict", "setdefault"): ContainerOp.SET_DEFAULT,
    ("dict", "get"): ContainerOp.GET_KEY,
    ("dict", "pop"): ContainerOp.GET_KEY,
    ("list", "pop"): ContainerOp.ANY_ITEM,
    ("set", "pop"): ContainerOp.ANY_ITEM,
    ("dict", "values"): ContainerOp.VALUES,
    ("dict", "items"): ContainerOp.ITEMS,
    ("list", "copy"): ContainerOp.SAME,
    ("dict", "copy"): ContainerOp.SAME,
    ("set", "copy"): ContainerOp.SAME,
}
for _method in ("split", "rsplit", "splitlines", "partition", "rpartition"):
    CONTAINER_OPS["str", _method] = ContainerOp.STR_LIST
for _method in TYPE_METHODS["str"]:
    CONTAINER_OPS.setdefault(("str", _method), ContainerOp.STR_RESULT)


class BuiltinModel(IntEnum):
    """Semantics of builtin functions beyond "a call happens"."""

    MAP = 0
    FILTER = 1
    SORTED = 2
    MIN_MAX = 3
    ITER = 4
    NEXT = 5
    SEQUENCE = 6  # list(it), tuple(it), set(it), frozenset(it), reversed(it)
    DICT = 7
    ENUMERATE = 8
    ZIP = 9
    GETATTR = 10
    SETATTR = 11
    TYPE = 12
    PASS_THROUGH = 13  # staticmethod(f), classmethod(f), property(f)


BUILTIN_MODELS: dict[str, BuiltinModel] = {
    "map": BuiltinModel.MAP,
    "filter": BuiltinModel.FILTER,
    "sorted": BuiltinModel.SORTED,
    "min": BuiltinModel.MIN_MAX,
    "max": BuiltinModel.MIN_MAX,
    "iter": BuiltinModel.ITER,
    "next": BuiltinModel.NEXT,
    "list": BuiltinModel.SEQUENCE,
    "tuple": BuiltinModel.SEQUENCE,
    "set": BuiltinModel.SEQUENCE,
    "frozenset": BuiltinModel.SEQUENCE,
    "reversed": BuiltinModel.SEQUENCE,
    "dict": BuiltinModel.DICT,
    "enumerate": BuiltinModel.ENUMERATE,
    "zip": BuiltinModel.ZIP,
    "getattr": BuiltinModel.GETATTR,
    "setattr": BuiltinModel.SETATTR,
    "type": BuiltinModel.TYPE,
    "staticmethod": BuiltinModel.PASS_THROUGH,
    "classmethod": BuiltinModel.PASS_THROUGH,
    "property": BuiltinModel.PASS_THROUGH,
}

SEQUENCE_TYPES = {"list": "list", "tuple": "tuple", "set": "set", "frozenset": "set", "reversed": "list"}

# Library functions whose result calls their first argument when it is called: the flow
# gives the result that callable (the arguments bound to the partial are not applied).
PASSING_EXTERNALS = frozenset({"functools.partial"})

# Builtins that call a special method of their argument's class: the first one the class
# has (along its MRO) runs, and what it returns is the builtin's result (str() of a class
# without __str__ runs its __repr__; bool() without __bool__, its __len__).
PROTOCOL_DUNDERS: dict[str, tuple[str, ...]] = {
    "len": ("__len__",),
    "abs": ("__abs__",),
    "hash": ("__hash__",),
    "bool": ("__bool__", "__len__"),
    "str": ("__str__", "__repr__"),
    "repr": ("__repr__",),
    "format": ("__format__",),
    "int": ("__int__",),
    "float": ("__float__",),
    "complex": ("__complex__",),
    "bytes": ("__bytes__",),
    "round": ("__round__",),
    "dir": ("__dir__",),
    "iter": ("__iter__",),
    "next": ("__next__",),
    "reversed": ("__reversed__",),
}


def type_method_label(type_name: str, method: str) -> str:
    return f"{TYPE_LABELS[type_name]}.{method}"


def builtin_label(name: str) -> str:
    return f"{BUILTIN_LABEL}.{name}"
