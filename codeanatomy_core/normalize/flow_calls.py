"""Call semantics: functions, bound methods, instantiation, implicit dunders, builtins.

Calls are resolved on the fly: each new callee value of a call site adds a call edge and
binds the site's arguments to the callee's parameters (once per site and callee) and the
callee's returns to the site's result, which may feed further calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from codeanatomy_core.extract.pyfacts_model import CallKind, DefFlag
from codeanatomy_core.normalize.builtin_models import (
    DECLARING_DECORATORS,
    OPERAND_FREE_DUNDERS,
    PASSING_EXTERNALS,
    PROTOCOL_DUNDERS,
    type_method_label,
)
from codeanatomy_core.normalize.external_names import names_a_class
from codeanatomy_core.normalize.flow_base import ALL, ANY, CallInfo, without_arguments
from codeanatomy_core.normalize.flow_builtins import BuiltinSemantics
from codeanatomy_core.normalize.flow_summaries import ParamSummaries
from codeanatomy_core.normalize.kinds import Via
from codeanatomy_core.normalize.values import ValueKind

_NEXT_DUNDERS = frozenset({"__next__", "__anext__"})
_CONCATENATED = frozenset({"list", "tuple"})


class CallSemantics(BuiltinSemantics, ParamSummaries):
    """Resolves call sites as their callee variables gain values."""

    def load_calls(self, gids: Iterable[int]) -> None:
        engine, calls = self.engine, self.calls
        for gid in gids:
            call = calls[gid]
            if call.callee < 0:
                continue
            if call.kind == CallKind.IMPLICIT:
                engine.watch(call.callee, partial(self.on_implicit, gid))
            elif call.kind == CallKind.RAISE:
                engine.watch(call.callee, partial(self.on_raise, gid))
            else:
                engine.watch(call.callee, partial(self.on_call, gid))

    def on_call(self, gid: int, callees: Iterable[int]) -> None:
        self.dispatch(gid, self.calls[gid], callees, tag=0)

    def dispatch(self, gid: int, call: CallInfo, callees: Iterable[int], *, tag: int) -> None:
        """Call each callee value at site ``gid`` (``tag`` > 0: a callback of a builtin)."""
        values = self.values
        kinds, first, second = values.kind, values.a, values.b
        decorator = call.kind == CallKind.DECORATOR
        for value in callees:
            kind = kinds[value]
            if kind == ValueKind.FUNCTION:
                via = Via.CALLBACK if tag else Via.DECORATOR if decorator else Via.VALUE
                self.invoke(gid, call, first[value], via, tag=tag)
            elif kind == ValueKind.BOUND_METHOD:
                via = Via.CALLBACK if tag else Via(second[value])
                self.invoke(gid, call, first[value], via, bound=True, tag=tag)
            elif kind == ValueKind.CLASS:
                self.instantiate(gid, call, first[value], with_result=True, tag=tag)
            elif kind == ValueKind.INSTANCE:
                # Once per site, class and component (a component feeding a solved one's call
                # site calls what it passes whatever that one called there): __call__ may cycle.
                key = (gid, tag, first[value], self.component)
                if key not in self.called_instances:
                    self.called_instances.add(key)
                    callable_var = self.instance_attr(first[value], "__call__")
                    self.engine.watch(callable_var, partial(self.dispatch, gid, call, tag=tag))
            elif tag:
                continue  # builtins and externals given as callbacks: not followed
            elif kind == ValueKind.BUILTIN:
                self.call_builtin(gid, call, first[value])
            elif kind == ValueKind.EXTERNAL:
                if not decorator and names_a_class(first[value]):
                    self.engine.add_value(call.result, value)  # an instance: ``ext.Cls().m`` is ``ext.Cls.m``
                self.record(gid, self.symbol(first[value]), Via.EXTERNAL)
                if call.args and (decorator or first[value] in PASSING_EXTERNALS):
                    self.engine.edge(call.args[0], call.result)
            elif kind == ValueKind.TYPE_METHOD:
                type_name, method = first[value]
                self.record(gid, self.symbol(type_method_label(type_name, method)), Via.TYPE_METHOD)
                self.call_type_method(call, type_name, method, second[value])

    def invoke(
        self,
        gid: int,
        call: CallInfo,
        function: int,
        via: Via,
        *,
        receiver: int = -1,
        bound: bool = False,
        tag: int = 0,
        with_result: bool = True,
    ) -> None:
        """Edge ``gid -> function``; arguments to parameters, returns to the result.

        ``bound``: a method whose receiver was given at lookup; ``receiver``: one given
        here (implicit dunder calls, instantiation). Either fills the first parameter.
        """
        self.record(gid, function, via)
        signature = self.signatures.get(function)
        if signature is None:
            return
        positional = signature.positional
        offset = 0
        if (bound or receiver >= 0) and positional and not signature.flags & DefFlag.STATICMETHOD:
            if receiver >= 0:
                self.give_receiver(positional[0], receiver)
            offset = 1
        key = (gid, function, tag, offset, with_result)
        if key in self.bound_calls:
            return
        self.bound_calls.add(key)
        generator = signature.flags & DefFlag.GENERATOR
        # Where a summarized parameter's argument returns to (see flow_summaries).
        result = call.result if with_result and not generator else -1
        self._bind_positional(call, function, positional, offset, signature.var_positional, result=result)
        self._bind_keywords(call, function, signature.named, signature.var_keyword, result=result)
        if with_result and call.result >= 0:
            if generator:
                self.engine.add_value(call.result, self.values.generator(function))
            else:
                self.engine.edge(signature.ret_var, call.result)

    def _bind_positional(
        self,
        call: CallInfo,
        function: int,
        positional: Sequence[int],
        offset: int,
        var_positional: int,
        *,
        result: int,
    ) -> None:
        engine, pass_arg = self.engine, self.pass_arg
        extra = (
            self.field(self.values.container("tuple", ("varargs", function)), ANY)
            if var_positional >= 0
            else -1
        )
        position = offset
        spread = False
        for index, arg in enumerate(call.args):
            if arg < 0:
                position += 1
                continue
            if index in call.starred or spread:
                spread = True
                source = self.elements(arg) if index in call.starred else arg
                for param in positional[position:]:
                    pass_arg(source, param, result)
                engine.edge(source, extra)
                continue
            if position < len(positional):
                pass_arg(arg, positional[position], result)
            else:
                engine.edge(arg, extra)
            position += 1

    def _bind_keywords(
        self, call: CallInfo, function: int, named: dict[str, int], var_keyword: int, *, result: int
    ) -> None:
        engine, pass_arg = self.engine, self.pass_arg
        kwargs = self.values.container("dict", ("kwargs", function)) if var_keyword >= 0 else -1
        for name, var in zip(call.keywords, call.keyword_vars, strict=True):
            if var < 0:
                continue
            if name is None:  # **mapping: a parameter takes the item under its name
                for param_name, param in named.items():
                    item = engine.new_var()
                    self.load_item(item, var, f"s:{param_name}", -1)
                    pass_arg(item, param, result)
                if kwargs >= 0:
                    engine.edge(self.items(var), self.field(kwargs, ANY))
            elif name in named:
                pass_arg(var, named[name], result)
            elif kwargs >= 0:
                engine.edge(var, self.field(kwargs, f"s:{name}"))

    def instantiate(self, gid: int, call: CallInfo, cls: int, *, with_result: bool, tag: int = 0) -> None:
        """``Cls(...)``: an instance, and calls of ``__init__`` (and ``__new__``) along the MRO."""
        values, symbols = self.values, self.symbols
        if with_result and call.result >= 0:
            self.engine.add_value(call.result, values.instance(cls))
        instance = values.instance(cls)
        definer = symbols.definer(cls, "__init__")
        if definer >= 0:
            self._call_member(gid, call, definer, "__init__", receiver=instance, via=Via.INIT, tag=tag)
        else:
            external = symbols.external_bases(cls)
            if external:
                self.record(gid, self.symbol(f"{external[0]}.__init__"), Via.INIT)
        definer = symbols.definer(cls, "__new__")
        if definer >= 0:
            self._call_member(
                gid, call, definer, "__new__", receiver=values.klass(cls), via=Via.INIT, tag=tag
            )

    def _call_member(
        self, gid: int, call: CallInfo, definer: int, name: str, *, receiver: int, via: Via, tag: int
    ) -> None:
        kinds, first = self.values.kind, self.values.a

        def on_members(found: Iterable[int]) -> None:
            for value in found:
                if kinds[value] == ValueKind.FUNCTION:
                    self.invoke(gid, call, first[value], via, receiver=receiver, tag=tag, with_result=False)

        self.engine.watch(self.field(self.values.klass(definer), name), on_members)

    def on_implicit(self, gid: int, receivers: Iterable[int]) -> None:
        """A dunder the syntax implies, on instances of repository classes."""
        call = self.calls[gid]
        dunder = call.dunder or ""
        kinds, first = self.values.kind, self.values.a
        for value in receivers:
            kind = kinds[value]
            if kind == ValueKind.GENERATOR:
                # The iterator a generator ``__iter__`` returned: the loop gets what it yields.
                if dunder in _NEXT_DUNDERS and call.result >= 0:
                    signature = self.signatures.get(first[value])
                    if signature is not None:
                        self.engine.edge(signature.yield_var, call.result)
                continue
            if kind == ValueKind.CONTAINER:
                if dunder == "__add__" and call.result >= 0 and first[value] in _CONCATENATED:
                    self._concatenation(gid, call, value)
                continue
            if kind != ValueKind.INSTANCE:
                continue
            definer = self.symbols.definer(first[value], dunder)
            if definer < 0:
                continue
            engine_var = self.field(self.values.klass(definer), dunder)
            self.engine.watch(engine_var, partial(self._implicit_members, gid, call, value))

    def _concatenation(self, gid: int, call: CallInfo, left: int) -> None:
        """``a + b`` of a list or tuple: a new one holding the items of both."""
        joined = self._new_container(gid, self.values.a[left], "+")
        self.engine.add_value(call.result, joined)
        items = self.field(joined, ANY)
        self.engine.edge(self.field(left, ALL), items)
        if call.args and call.args[0] >= 0:
            self.engine.edge(self.elements(call.args[0]), items)

    def _implicit_members(self, gid: int, call: CallInfo, receiver: int, found: Iterable[int]) -> None:
        kinds, first = self.values.kind, self.values.a
        # Operands of operators (``a == b``) are not bound to the dunder's parameters: every
        # comparison in a program would flow into every ``__eq__`` (a precision sink).
        if call.dunder in OPERAND_FREE_DUNDERS:
            call = without_arguments(call)
        for value in found:
            if kinds[value] == ValueKind.FUNCTION:
                self.invoke(gid, call, first[value], Via.IMPLICIT, receiver=receiver)

    def on_raise(self, gid: int, raised: Iterable[int]) -> None:
        """``raise Cls``: the class is instantiated (its ``__init__`` runs)."""
        call = self.calls[gid]
        kinds, first = self.values.kind, self.values.a
        for value in raised:
            if kinds[value] == ValueKind.CLASS:
                self.instantiate(gid, call, first[value], with_result=False)

    def call_builtin(self, gid: int, call: CallInfo, name: str) -> None:
        if call.kind == CallKind.DECORATOR:
            if name not in DECLARING_DECORATORS:
                self.record_builtin(gid, name, Via.BUILTIN)
            if call.args:
                self.engine.edge(call.args[0], call.result)
            return
        self.record_builtin(gid, name, Via.BUILTIN)
        self.builtin_model(gid, call, name)
        if name in PROTOCOL_DUNDERS and call.args and call.args[0] >= 0:
            self._protocol_call(gid, call, PROTOCOL_DUNDERS[name])

    def _protocol_call(self, gid: int, call: CallInfo, dunders: tuple[str, ...]) -> None:
        """``len(x)`` and the like: the special method of the classes of ``x``'s instances."""
        plain = without_arguments(call)  # the argument is the receiver, not a parameter
        kinds, first, symbols = self.values.kind, self.values.a, self.symbols

        def on_receivers(found: Iterable[int]) -> None:
            for value in found:
                if kinds[value] != ValueKind.INSTANCE:
                    continue
                for dunder in dunders:
                    definer = symbols.definer(first[value], dunder)
                    if definer >= 0:
                        members = self.field(self.values.klass(definer), dunder)
                        self.engine.watch(members, partial(self._implicit_members, gid, plain, value))
                        break

        self.engine.watch(call.args[0], on_receivers)
