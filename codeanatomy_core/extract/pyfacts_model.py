"""The per-file program facts ("summary") consumed by whole-program name and call resolution.

A file's facts depend on that file only (its text and its module name), so a changed file
re-extracts just itself. They describe, with file-local indices:

* scopes, definitions, parameters and bindings (which definition each binding site binds);
* name references with the bindings that reach them (flow-sensitive inside a scope);
* imports, call sites (explicit, decorator and implicit dunder calls), class bases and
  decorators, each with the byte span of its syntax;
* flow constraints (``ops``) over file-local value variables: the abstract data flow of
  assignments, parameters, returns, attributes, containers and iteration, which the
  whole-program solver links across files and solves to a fixpoint.

Variables are numbered ``0 .. var_count - 1``; ``-1`` means "no interesting value".
"""

from __future__ import annotations

from enum import IntEnum

import msgspec

FACTS_VERSION = 5
NO_VAR = -1
UNBOUND = -1  # a reaching-binding marker: the name may be unbound on some path


class ScopeKind(IntEnum):
    MODULE = 0
    CLASS = 1
    FUNCTION = 2
    LAMBDA = 3
    COMPREHENSION = 4


class DefKind(IntEnum):
    MODULE = 0
    CLASS = 1
    FUNCTION = 2
    ASYNC_FUNCTION = 3
    LAMBDA = 4
    PARAMETER = 5
    VARIABLE = 6
    ATTRIBUTE = 7


class DefFlag(IntEnum):
    """Bits of DefFact.flags."""

    METHOD = 1  # a function defined directly in a class body
    STATICMETHOD = 2
    CLASSMETHOD = 4
    PROPERTY = 8
    GENERATOR = 16
    ASYNC = 32


class RefContext(IntEnum):
    LOAD = 0
    STORE = 1
    DEL = 2


class RefScope(IntEnum):
    """Where a name reference looks its name up, by Python's scoping rules."""

    LOCAL = 0  # a local of the enclosing function (reaching bindings apply)
    NAME = 1  # module or class body: local bindings, then globals, then builtins
    ENCLOSING = 2  # a free variable of an enclosing function (all its bindings)
    GLOBAL = 3  # the module namespace, then builtins


class BindKind(IntEnum):
    ASSIGN = 0
    IMPORT = 1
    DEF = 2
    CLASS = 3
    PARAMETER = 4
    FOR = 5
    WITH = 6
    EXCEPT = 7
    DELETE = 8
    MATCH = 9
    COMPREHENSION = 10


class ParamKind(IntEnum):
    POSITIONAL_ONLY = 0
    POSITIONAL = 1
    VAR_POSITIONAL = 2
    KEYWORD_ONLY = 3
    VAR_KEYWORD = 4


class CallKind(IntEnum):
    CALL = 0  # an explicit call expression
    DECORATOR = 1  # a decorator applied to a definition
    IMPLICIT = 2  # a dunder call the syntax implies (with, for, operators, subscripts)
    RAISE = 3  # ``raise C``: instantiation of a raised class


class ScopeFact(msgspec.Struct, frozen=True, array_like=True):
    kind: ScopeKind
    name: str
    qualname: str  # dotted, relative to the module ("" for the module itself)
    parent: int
    definition: int  # the class/function/lambda definition opening it, -1 otherwise
    bstart: int
    bend: int
    line: int
    ret_var: int
    yield_var: int


class DefFact(msgspec.Struct, frozen=True, array_like=True):
    kind: DefKind
    name: str
    qualname: str  # relative to the module
    scope: int  # the scope the definition belongs to
    own_scope: int  # the scope it opens (class/function/lambda), else -1
    bstart: int
    bend: int
    line: int
    flags: int
    var: int  # variable holding the function/class object, else -1


class ParamFact(msgspec.Struct, frozen=True, array_like=True):
    function: int  # definition index of the function or lambda
    definition: int
    name: str
    position: int
    kind: ParamKind
    var: int


class BindingFact(msgspec.Struct, frozen=True, array_like=True):
    name: str
    scope: int
    definition: int  # the definition bound (variable, function, class, parameter)
    kind: BindKind
    ref: int  # the Name reference of the binding site, -1 when not a Name node
    import_index: int
    var: int
    bstart: int
    bend: int


class RefColumns(msgspec.Struct, frozen=True, array_like=True):
    """Name references (ast.Name nodes), column-wise."""

    name: list[str]
    ctx: list[int]
    scope: list[int]
    bstart: list[int]
    bend: list[int]
    line: list[int]
    col: list[int]
    lookup: list[int]  # RefScope
    binding: list[int]  # for stores/deletes: the binding index; for loads: -1
    reaching: list[list[int]]  # for loads: binding indices that may reach (UNBOUND: maybe none)
    owner: list[int]  # for ENCLOSING loads: the scope owning the variable, else -1


class ImportFact(msgspec.Struct, frozen=True, array_like=True):
    module: str | None
    name: str | None  # None for ``import a.b``
    alias: str | None
    level: int
    star: bool
    scope: int
    binding: int
    var: int
    bstart: int
    bend: int
    line: int


class CallFact(msgspec.Struct, frozen=True, array_like=True):
    kind: CallKind
    scope: int
    callee_path: str  # structured access path: self.helper, mod.func, Cls().m, <lambda>, ...
    callee_var: int  # explicit calls: the callee value; implicit calls: the receiver
    dunder: str | None  # implicit calls: the special method looked up on the receiver
    args: list[int]
    starred: list[int]  # positions in ``args`` that are ``*iterables``
    keywords: list[str | None]  # None for ``**mapping``
    keyword_vars: list[int]
    result_var: int
    bstart: int
    bend: int
    line: int


class BaseFact(msgspec.Struct, frozen=True, array_like=True):
    class_def: int
    position: int
    path: str
    var: int
    keyword: str | None  # metaclass=... and other class keywords
    bstart: int
    bend: int


class DecoratorFact(msgspec.Struct, frozen=True, array_like=True):
    definition: int
    position: int
    path: str
    var: int
    call: int
    bstart: int
    bend: int


# ---- flow constraints (tagged array-like structs: compact, fast to decode) ----


class Copy(msgspec.Struct, frozen=True, array_like=True, tag=0):
    dst: int
    src: int


class MakeFunction(msgspec.Struct, frozen=True, array_like=True, tag=1):
    dst: int
    definition: int


class MakeClass(msgspec.Struct, frozen=True, array_like=True, tag=2):
    dst: int
    definition: int


class MakeConst(msgspec.Struct, frozen=True, array_like=True, tag=3):
    dst: int
    key: str  # canonical constant: "s:text", "i:42", "b:True"


class MakeTyped(msgspec.Struct, frozen=True, array_like=True, tag=4):
    dst: int
    type_name: str  # a builtin type whose exact value is unknown ("str")


class MakeContainer(msgspec.Struct, frozen=True, array_like=True, tag=5):
    dst: int
    type_name: str  # list, tuple, dict, set
    site: int


class StoreItem(msgspec.Struct, frozen=True, array_like=True, tag=6):
    obj: int
    key: str | None  # canonical constant key, None when unknown
    key_var: int  # a variable holding the key (when key is None), else -1
    src: int


class LoadItem(msgspec.Struct, frozen=True, array_like=True, tag=7):
    dst: int
    obj: int
    key: str | None
    key_var: int


class LoadSlice(msgspec.Struct, frozen=True, array_like=True, tag=8):
    dst: int  # a new list holding items lower..upper of the sequences in obj
    obj: int
    lower: int  # -1: unknown bounds (the new list may hold any item)
    upper: int | None
    site: int


class CopyItems(msgspec.Struct, frozen=True, array_like=True, tag=9):
    dst: int  # container receiving every item of the containers in src
    src: int


class LoadAttr(msgspec.Struct, frozen=True, array_like=True, tag=10):
    dst: int
    obj: int
    name: str


class StoreAttr(msgspec.Struct, frozen=True, array_like=True, tag=11):
    obj: int
    name: str
    src: int


class GlobalLoad(msgspec.Struct, frozen=True, array_like=True, tag=12):
    dst: int
    name: str
    unbound: bool  # a module-level load before any module-level binding reaches it


class GlobalStore(msgspec.Struct, frozen=True, array_like=True, tag=13):
    name: str
    src: int
    declared: bool  # written by a function through a ``global`` declaration


class ClassAttr(msgspec.Struct, frozen=True, array_like=True, tag=14):
    class_def: int
    name: str
    src: int


class ImportValue(msgspec.Struct, frozen=True, array_like=True, tag=15):
    dst: int
    import_index: int


class Iterate(msgspec.Struct, frozen=True, array_like=True, tag=16):
    dst: int  # receives the elements of the iterables in src
    src: int


class SuperValue(msgspec.Struct, frozen=True, array_like=True, tag=17):
    dst: int
    class_def: int  # -1: the class is in class_var
    class_var: int
    self_var: int


class InstanceOf(msgspec.Struct, frozen=True, array_like=True, tag=18):
    dst: int  # instances of the classes in src (``except E as e``)
    src: int


Op = (
    Copy
    | MakeFunction
    | MakeClass
    | MakeConst
    | MakeTyped
    | MakeContainer
    | StoreItem
    | LoadItem
    | LoadSlice
    | CopyItems
    | LoadAttr
    | StoreAttr
    | GlobalLoad
    | GlobalStore
    | ClassAttr
    | ImportValue
    | Iterate
    | SuperValue
    | InstanceOf
)


class FileFacts(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    module: str
    is_package: bool
    var_count: int
    scopes: list[ScopeFact]
    defs: list[DefFact]
    params: list[ParamFact]
    bindings: list[BindingFact]
    refs: RefColumns
    imports: list[ImportFact]
    calls: list[CallFact]
    bases: list[BaseFact]
    decorators: list[DecoratorFact]
    ops: list[Op]
    all_names: list[str] | None  # a literal module-level __all__, if any
    key_consts: list[str]  # sorted: see key_constants

    # The counts and columns whole-program passes read of every file (see
    # normalize/facts_view.py, which reads them without decoding the rest).
    @property
    def call_count(self) -> int:
        return len(self.calls)

    @property
    def ref_scopes(self) -> list[int]:
        return self.refs.scope


_ATTRIBUTE_BUILTINS = frozenset({"getattr", "setattr", "hasattr", "delattr"})


def key_constants(ops: list[Op], calls: list[CallFact]) -> list[str]:
    """The constants a file uses as container keys, or as attribute names given to
    getattr/setattr, sorted: only these keep their value in the flow (others become their
    type). Kept in the facts, so that the program's set is known without reading every
    file's flow constraints."""
    keys: set[str] = set()
    constants: dict[int, str] = {}
    for op in ops:
        if isinstance(op, (StoreItem, LoadItem)):
            if op.key is not None:
                keys.add(op.key)
        elif isinstance(op, MakeConst):
            constants[op.dst] = op.key
    for call in calls:
        if call.callee_path in _ATTRIBUTE_BUILTINS and len(call.args) > 1 and call.args[1] in constants:
            keys.add(constants[call.args[1]])
    return sorted(keys)


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(FileFacts)


def encode_facts(facts: FileFacts) -> bytes:
    return _ENCODER.encode(facts)


def decode_facts(data: bytes) -> FileFacts:
    return _DECODER.decode(data)
