"""State of the whole-program flow analysis: engine, values, heap fields, namespaces.

The heap is field-based: an abstract object (a value id) has one variable per field key
(attribute name, constant container key, ``ANY`` for items stored at unknown positions
and ``ALL`` for every item of a container). Module namespaces are variables per
(module, name), shared by every file that imports from the module.

Every object and namespace has an owner file: where the function, class, container or
module is. Once the owner's component is solved (see ``solver``), a field or namespace
variable made later is frozen as it is made: what a reader writes into its dependencies
is not seen. A namespace of a module outside the reader's dependencies reads as empty.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from codeanatomy_core.extract.pyfacts_model import DefFlag, DefKind, ParamKind
from codeanatomy_core.normalize.builtin_models import builtin_label
from codeanatomy_core.normalize.engine import Engine
from codeanatomy_core.normalize.program import Program, file_callers
from codeanatomy_core.normalize.symbols import BUILTIN_NAMES, Symbols
from codeanatomy_core.normalize.values import DEFINED_KINDS, RECEIVER_SITES, ValueKind, ValueTable

ANY = "*any"  # items stored at an unknown position
ALL = "*all"  # every item of a container

FieldListener = Callable[[str], None]


class Signature(msgspec.Struct, frozen=True, kw_only=True):
    """A function's parameters as flow variables (global ids)."""

    positional: tuple[int, ...]
    positional_names: tuple[str, ...]
    named: dict[str, int]  # parameters that may be passed by keyword
    var_positional: int
    var_keyword: int
    first: int  # the receiver parameter of a method, else -1
    ret_var: int
    yield_var: int
    flags: int


class CallInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A call site with global variable ids."""

    kind: int
    caller: int
    callee: int
    dunder: str | None
    args: tuple[int, ...]
    starred: frozenset[int]
    keywords: tuple[str | None, ...]
    keyword_vars: tuple[int, ...]
    result: int


_NO_STARRED: frozenset[int] = frozenset()


_UNLOADED = CallInfo(
    kind=0,
    caller=-1,
    callee=-1,
    dunder=None,
    args=(),
    starred=_NO_STARRED,
    keywords=(),
    keyword_vars=(),
    result=-1,
)


def without_arguments(call: CallInfo) -> CallInfo:
    """The call site ``call`` with no arguments bound (its receiver and result only)."""
    return msgspec.structs.replace(call, args=(), starred=frozenset(), keywords=(), keyword_vars=())


def add_edge(edges: dict[int, dict[int, int]], call: int, target: int, method: int) -> None:
    targets = edges.get(call)
    if targets is None:
        edges[call] = {target: method}
    else:  # the most direct way wins, whatever the propagation order
        current = targets.get(target)
        targets[target] = method if current is None else min(current, method)


def _global(var: int, base: int) -> int:
    return var + base if var >= 0 else -1


class FlowBase:
    """Engine, value table, fields, namespaces and the recorded call edges."""

    def __init__(
        self, program: Program, symbols: Symbols, *, max_steps: int, files: frozenset[int] | None = None
    ) -> None:
        self.program = program
        self.symbols = symbols
        self.values = ValueTable()
        self.engine = Engine(
            program.var_count, summary=self.values.summary, rank=self.values.rank, max_steps=max_steps
        )
        self.fields: dict[tuple[int, str], int] = {}
        self.field_keys: dict[int, list[str]] = {}
        # Makes the fields of an object restored from a stored state (see flow_states) the
        # first time the solve touches the object; the objects already asked about.
        self.pending_fields: Callable[[int], None] | None = None
        self._fields_asked: set[int] = set()
        self.field_listeners: dict[int, list[FieldListener]] = {}
        self._field_events: list[tuple[int, str]] = []
        self._field_waiters: dict[tuple[int, str], list[Callable[[int], None]]] = {}
        self._notifying = False
        self.globals: dict[tuple[str, str], int] = {}
        self.attr_cache: dict[tuple[int, int, str], int] = {}
        self.element_vars: dict[int, int] = {}
        # call gid -> target -> method flags; target >= 0: def gid, < 0: ~symbol index
        self.call_edges: dict[int, dict[int, int]] = {}
        # Call edges made at a solved component's call sites by the component being solved
        # (callables passed to its functions, see flow_summaries): component -> call -> ...
        self.fed_edges: dict[int, dict[int, dict[int, int]]] = {}
        self.component = -1  # the component being solved
        self.symbol_names: list[str] = []
        self._symbol_ids: dict[str, int] = {}
        self.signatures: dict[int, Signature] = {}
        self.own_receivers: dict[int, int] = {}  # a method's first parameter -> its class's receiver
        self.def_flags: dict[int, int] = {}
        self.calls: list[CallInfo] = []
        # Files whose component is solved, and the files the component being solved reads.
        # (Both matter only once a component is solved and another one is being solved.)
        self.solved = bytearray(len(program.files))
        self.readable = bytearray(b"\x01") * len(program.files)
        self.after_first = False
        self._unreadable = -1
        # Fields and namespace variables made while a component is solved, in order, when its
        # state is recorded (see flow_states).
        self.made_fields: list[tuple[int, str, int]] | None = None
        self.made_globals: list[tuple[str, str, int]] | None = None
        self._load_definitions(files)

    # ---- static program data ----

    def _load_definitions(self, files: frozenset[int] | None) -> None:
        """Signatures and call sites of the ``files`` (file indices; all by default): the
        others' call sites are placeholders, never loaded (no component of theirs is solved)."""
        values, engine = self.values, self.engine
        for entry in self.program.files:
            if files is not None and entry.index not in files:
                self.calls.extend([_UNLOADED] * entry.facts.call_count)
                continue
            callers = file_callers(entry)
            facts = entry.facts
            base, def_base = entry.var_base, entry.def_base
            by_function: dict[int, list] = {}
            for param in facts.params:
                by_function.setdefault(param.function, []).append(param)
            for local, definition in enumerate(facts.defs):
                if definition.kind not in (DefKind.FUNCTION, DefKind.ASYNC_FUNCTION, DefKind.LAMBDA):
                    continue
                gid = def_base + local
                scope = facts.scopes[definition.own_scope]
                params = by_function.get(local, [])
                positional = [p for p in params if p.kind <= ParamKind.POSITIONAL]
                extra = {p.kind: p.var + base for p in params if p.kind in (2, 4)}
                first = -1
                flags = definition.flags
                if flags & DefFlag.METHOD and not flags & DefFlag.STATICMETHOD and positional:
                    first = positional[0].var + base
                    class_def = def_base + facts.scopes[definition.scope].definition
                    receiver = (
                        values.klass(class_def) if flags & DefFlag.CLASSMETHOD else values.instance(class_def)
                    )
                    engine.add_value(first, receiver)  # a method may run on any instance of its class
                    self.own_receivers[first] = receiver
                signature = Signature(
                    positional=tuple(p.var + base for p in positional),
                    positional_names=tuple(p.name for p in positional),
                    named={p.name: p.var + base for p in params if p.kind in (1, 3)},
                    var_positional=extra.get(ParamKind.VAR_POSITIONAL, -1),
                    var_keyword=extra.get(ParamKind.VAR_KEYWORD, -1),
                    first=first,
                    ret_var=_global(scope.ret_var, base),
                    yield_var=_global(scope.yield_var, base),
                    flags=flags,
                )
                self.signatures[gid] = signature
                self.def_flags[gid] = flags
                if signature.var_positional >= 0:
                    engine.add_value(signature.var_positional, values.container("tuple", ("varargs", gid)))
                if signature.var_keyword >= 0:
                    engine.add_value(signature.var_keyword, values.container("dict", ("kwargs", gid)))
            calls = self.calls
            for local, call in enumerate(facts.calls):
                # Comprehensions, not _global() per item: this runs once per call site.
                calls.append(
                    CallInfo(
                        kind=call.kind,
                        caller=callers[local],
                        callee=_global(call.callee_var, base),
                        dunder=call.dunder,
                        args=tuple([a + base if a >= 0 else -1 for a in call.args]),
                        starred=frozenset(call.starred) if call.starred else _NO_STARRED,
                        keywords=tuple(call.keywords),
                        keyword_vars=tuple([v + base if v >= 0 else -1 for v in call.keyword_vars]),
                        result=_global(call.result_var, base),
                    )
                )

    # ---- heap fields ----

    def _restored_fields(self, obj: int) -> None:
        if self.pending_fields is not None and obj not in self._fields_asked:
            self._fields_asked.add(obj)
            self.pending_fields(obj)

    def field(self, obj: int, key: str) -> int:
        """The variable of field ``key`` of abstract object ``obj`` (created on demand)."""
        found = self.fields.get((obj, key))
        if found is not None:
            return found
        if self.pending_fields is not None:
            self._restored_fields(obj)
            found = self.fields.get((obj, key))
            if found is not None:
                return found
        var = self.engine.new_var()
        self.fields[obj, key] = var
        if self.made_fields is not None:
            self.made_fields.append((obj, key, var))
        if self.after_first:
            owner = self.owner_file(obj)
            if owner >= 0 and self.solved[owner]:
                self.engine.freeze(var)
        if key != ALL and self.values.kind[obj] == ValueKind.CONTAINER:
            self.engine.edge(var, self.field(obj, ALL))
        self.field_keys.setdefault(obj, []).append(key)
        for waiter in self._field_waiters.pop((obj, key), ()):
            waiter(var)
        if obj in self.field_listeners:
            # Listeners may create fields themselves: notify from a queue, not recursively.
            self._field_events.append((obj, key))
            if not self._notifying:
                self._notify_fields()
        return var

    def owner_file(self, value: int) -> int:
        """The index of the file that owns an object's fields, or -1 (no fields)."""
        values, program = self.values, self.program
        kind = values.kind[value]
        if kind in DEFINED_KINDS:
            return program.file_of_def(values.a[value]).index
        if kind != ValueKind.CONTAINER:
            return -1
        site = values.b[value]
        head = site[0]
        if type(head) is int:  # (file index, site) of a container display
            return head
        if head == "builtin":  # (, call site, part): made by a builtin's call
            return program.file_of_call(site[1]).index
        # (, receiver, enclosing definition) or (, definition): varargs, kwargs, str parts
        return program.file_of_def(site[2] if head in RECEIVER_SITES else site[1]).index

    def _notify_fields(self) -> None:
        self._notifying = True
        try:
            events = self._field_events
            while events:
                obj, key = events.pop()
                for listener in list(self.field_listeners.get(obj, ())):
                    listener(key)
        finally:
            self._notifying = False

    def when_field(self, obj: int, key: str, waiter: Callable[[int], None]) -> None:
        """Call ``waiter`` with the variable of field ``key`` of ``obj`` once it exists."""
        self._restored_fields(obj)
        found = self.fields.get((obj, key))
        if found is not None:
            waiter(found)
        else:
            self._field_waiters.setdefault((obj, key), []).append(waiter)

    def on_fields(self, obj: int, listener: FieldListener) -> None:
        """Call ``listener`` with every field key of ``obj``, now and when created."""
        self._restored_fields(obj)
        self.field_listeners.setdefault(obj, []).append(listener)
        for key in list(self.field_keys.get(obj, ())):
            listener(key)

    # ---- namespaces ----

    def global_var(self, module: str, name: str, *, outside: bool = False) -> int:
        """The binding of ``name`` in repository module ``module`` (all its values).

        ``outside``: only what is bound from outside the module's own top-level statements
        (``global`` writes of functions, attribute stores, star imports): what module-level
        code sees before its own statements bind the name.
        """
        owner = self.program.modules.get(module) if self.after_first else None
        if owner is not None and not self.readable[owner.index]:
            return self._unreadable_var()
        key = (module, f"\0{name}" if outside else name)
        found = self.globals.get(key)
        if found is not None:
            return found
        var = self.engine.new_var()
        self.globals[key] = var
        if self.made_globals is not None:
            self.made_globals.append((key[0], key[1], var))
        symbols = self.symbols
        if outside or not symbols.namespaces.get(module, {}).get(name):
            for source in symbols.star_sources.get(module, ()):
                if name in symbols.exports(source):
                    self.engine.edge(self.global_var(source, name), var)
            for star in symbols.external_stars.get(module, ()):
                self._add_external(var, f"{star}.{name}")
            if not outside and symbols.is_module(f"{module}.{name}"):
                self.engine.add_value(var, self.values.module(f"{module}.{name}"))
        if owner is not None and self.solved[owner.index]:
            self.engine.freeze(var)
        return var

    def _unreadable_var(self) -> int:
        """An empty variable that takes nothing: a namespace the reader cannot depend on."""
        if self._unreadable < 0:
            self._unreadable = self.engine.new_var()
            self.engine.freeze(self._unreadable)
        return self._unreadable

    def store_global(self, src: int, module: str, name: str, *, outside: bool) -> None:
        self.engine.edge(src, self.global_var(module, name))
        if outside:
            self.engine.edge(src, self.global_var(module, name, outside=True))

    def load_global(self, dst: int, module: str, name: str, *, unbound: bool = False) -> None:
        """A name the module namespace provides, else a builtin of that name."""
        symbols = self.symbols
        if unbound:
            provided = (
                name in symbols.star_names.get(module, ()) or (module, name) in symbols.declared_globals
            )
        else:
            provided = symbols.binds(module, name)
        if provided or name not in BUILTIN_NAMES:
            self.engine.edge(self.global_var(module, name, outside=unbound), dst)
        else:
            self.engine.add_value(dst, self.values.builtin(name))

    def _add_external(self, var: int, path: str) -> None:
        value = self.values.external(path)
        if value is not None:
            self.engine.add_value(var, value)

    # ---- call edges ----

    def symbol(self, name: str) -> int:
        """A negative target id naming a builtin or external callee."""
        index = self._symbol_ids.get(name)
        if index is None:
            index = self._symbol_ids[name] = len(self.symbol_names)
            self.symbol_names.append(name)
        return ~index

    def give_receiver(self, param: int, receiver: int) -> None:
        """``receiver`` is the first parameter of a method (see flow_summaries)."""
        self.engine.add_value(param, receiver)

    def record(self, call: int, target: int, method: int) -> None:
        edges = self.call_edges
        if self.after_first and self.solved[self.program.file_of_call(call).index]:
            edges = self.fed_edges.setdefault(self.component, {})
        add_edge(edges, call, target, method)

    def record_builtin(self, call: int, name: str, method: int) -> None:
        self.record(call, self.symbol(builtin_label(name)), method)
