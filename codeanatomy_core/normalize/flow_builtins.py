"""Flow through builtin functions (map, sorted, getattr, ...) and builtin-type methods."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from codeanatomy_core.extract.pyfacts_model import CallKind
from codeanatomy_core.normalize.builtin_models import (
    BUILTIN_MODELS,
    CONTAINER_OPS,
    SEQUENCE_TYPES,
    BuiltinModel,
    ContainerOp,
)
from codeanatomy_core.normalize.flow_base import ALL, ANY, CallInfo
from codeanatomy_core.normalize.flow_ops import FlowOps
from codeanatomy_core.normalize.values import ValueKind


class BuiltinSemantics(FlowOps, ABC):
    """Models of builtins; callbacks are dispatched like calls at the builtin's call site."""

    bound_calls: set[tuple[int, int, int, int, bool]]
    called_instances: set[tuple[int, int, int, int]]

    @abstractmethod
    def dispatch(self, gid: int, call: CallInfo, callees: Iterable[int], *, tag: int) -> None:
        """Call ``callees`` at call site ``gid`` (the call semantics implement it)."""

    def items(self, src: int) -> int:
        """A variable with every item (values, for mappings) of the containers in ``src``."""
        key = -2 - src
        found = self.element_vars.get(key)
        if found is not None:
            return found
        dst = self.element_vars[key] = self.engine.new_var()
        kinds = self.values.kind

        def on_containers(found: Iterable[int]) -> None:
            for value in found:
                if kinds[value] == ValueKind.CONTAINER:
                    self.engine.edge(self.field(value, ALL), dst)

        self.engine.watch(src, on_containers)
        return dst

    def holding(self, value: int) -> int:
        var = self.engine.new_var()
        self.engine.add_value(var, value)
        return var

    def callback(self, gid: int, call: CallInfo, callee: int, args: tuple[int, ...], result: int) -> None:
        """``callee(*args)`` made by a builtin on behalf of call site ``gid``."""
        if callee < 0:
            return
        synthetic = CallInfo(
            kind=CallKind.CALL,
            caller=call.caller,
            callee=callee,
            dunder=None,
            args=args,
            starred=frozenset(),
            keywords=(),
            keyword_vars=(),
            result=result,
        )
        self.engine.watch(callee, lambda found: self.dispatch(gid, synthetic, found, tag=1))

    def _new_container(self, gid: int, type_name: str, part: str = "") -> int:
        return self.values.container(type_name, ("builtin", gid, part))

    def builtin_model(self, gid: int, call: CallInfo, name: str) -> None:
        model = BUILTIN_MODELS.get(name)
        if model is None or call.result < 0:
            return
        engine = self.engine
        args, result = call.args, call.result
        arg = args[0] if args and args[0] >= 0 else -1
        if model is BuiltinModel.MAP or model is BuiltinModel.FILTER:
            self._map_model(gid, call, keep_results=model is BuiltinModel.MAP)
        elif model is BuiltinModel.SORTED or model is BuiltinModel.MIN_MAX:
            self._ordering_model(gid, call, arg, sort=model is BuiltinModel.SORTED)
        elif model is BuiltinModel.ITER or model is BuiltinModel.PASS_THROUGH:
            engine.edge(arg, result)
        elif model is BuiltinModel.NEXT:
            if arg >= 0:
                engine.edge(self.elements(arg), result)
            if len(args) > 1:
                engine.edge(args[1], result)
        elif model is BuiltinModel.SEQUENCE:
            container = self._new_container(gid, SEQUENCE_TYPES[name])
            engine.add_value(result, container)
            if arg >= 0:
                engine.edge(self.elements(arg), self.field(container, ANY))
        elif model is BuiltinModel.DICT:
            self._dict_model(gid, call, arg, dict(zip(call.keywords, call.keyword_vars, strict=True)))
        elif model is BuiltinModel.ENUMERATE or model is BuiltinModel.ZIP:
            sources = [(1, arg)] if model is BuiltinModel.ENUMERATE else list(enumerate(args))
            self._pairs_model(gid, call, sources)
        elif model is BuiltinModel.GETATTR or model is BuiltinModel.SETATTR:
            self._attr_model(call, model)
        elif model is BuiltinModel.TYPE and len(args) == 1 and arg >= 0:
            values = self.values
            engine.watch(
                arg,
                lambda found: engine.add(
                    result, [values.klass(values.a[v]) for v in found if values.kind[v] == ValueKind.INSTANCE]
                ),
            )

    def _map_model(self, gid: int, call: CallInfo, *, keep_results: bool) -> None:
        """map/filter: the callable is whichever argument holds functions (values decide,
        not positions); it is offered the elements of every argument."""
        engine = self.engine
        elements = engine.new_var()
        for source in call.args:
            if source >= 0:
                engine.edge(self.elements(source), elements)
        returned = engine.new_var()
        for source in call.args:
            self.callback(gid, call, source, (elements,), returned)
        container = self._new_container(gid, "list")
        engine.add_value(call.result, container)
        engine.edge(returned if keep_results else elements, self.field(container, ANY))

    def _ordering_model(self, gid: int, call: CallInfo, arg: int, *, sort: bool) -> None:
        """sorted/min/max: the key function is called with the elements."""
        if arg < 0:
            return
        engine = self.engine
        elements = self.elements(arg) if len(call.args) == 1 else arg
        key = dict(zip(call.keywords, call.keyword_vars, strict=True)).get("key", -1)
        if key >= 0:
            self.callback(gid, call, key, (elements,), engine.new_var())
        if sort:
            container = self._new_container(gid, "list")
            engine.add_value(call.result, container)
            engine.edge(elements, self.field(container, ANY))
            return
        engine.edge(elements, call.result)
        for other in call.args[1:]:
            engine.edge(other, call.result)

    def _pairs_model(self, gid: int, call: CallInfo, sources: list[tuple[int, int]]) -> None:
        """enumerate/zip: a list of tuples whose positions hold the sources' elements."""
        engine = self.engine
        container = self._new_container(gid, "list")
        pair = self._new_container(gid, "tuple", "item")
        engine.add_value(call.result, container)
        engine.add_value(self.field(container, ANY), pair)
        for position, source in sources:
            if source >= 0:
                engine.edge(self.elements(source), self.field(pair, f"i:{position}"))

    def _dict_model(self, gid: int, call: CallInfo, arg: int, keywords: dict[str | None, int]) -> None:
        container = self._new_container(gid, "dict")
        self.engine.add_value(call.result, container)
        if arg >= 0:
            self.copy_items(self.holding(container), arg)
        for name, var in keywords.items():
            if name is not None and var >= 0:
                self.engine.edge(var, self.field(container, f"s:{name}"))

    def _attr_model(self, call: CallInfo, model: BuiltinModel) -> None:
        args = call.args
        if len(args) < 2 or args[0] < 0 or args[1] < 0:
            return
        values = self.values
        seen: set[str] = set()
        obj, name_var = args[0], args[1]
        getter = model is BuiltinModel.GETATTR
        if getter and len(args) > 2:
            self.engine.edge(args[2], call.result)

        def on_names(found: Iterable[int]) -> None:
            for value in found:
                key = values.a[value]
                if values.kind[value] != ValueKind.CONST or not key.startswith("s:") or key in seen:
                    continue
                seen.add(key)
                if getter:
                    self.load_attr(call.result, obj, key[2:])
                elif len(args) > 2:
                    self.store_attr(obj, key[2:], args[2])

        self.engine.watch(name_var, on_names)

    def call_type_method(self, call: CallInfo, type_name: str, method: str, receiver: int) -> None:
        """Flow through builtin container and str methods (``items.append(f)``, ...)."""
        op = CONTAINER_OPS.get((type_name, method))
        if op is None:
            return
        engine, values = self.engine, self.values
        args, result = call.args, call.result
        arg = args[0] if args else -1
        if op is ContainerOp.STR_RESULT:
            engine.add_value(result, values.typed("str"))
            return
        if op is ContainerOp.STR_LIST:
            container = values.container("list", ("str-parts", call.caller))
            engine.add_value(self.field(container, ANY), values.typed("str"))
            engine.add_value(result, container)
            return
        if receiver < 0:
            return
        if op is ContainerOp.STORE_ARG0:
            engine.edge(arg, self.field(receiver, ANY))
        elif op is ContainerOp.STORE_ARG1 and len(args) > 1:
            engine.edge(args[1], self.field(receiver, ANY))
        elif op is ContainerOp.STORE_ELEMENTS and arg >= 0:
            engine.edge(self.elements(arg), self.field(receiver, ANY))
        elif op is ContainerOp.COPY_ITEMS:
            if arg >= 0:
                self.copy_items(self.holding(receiver), arg)
            for name, var in zip(call.keywords, call.keyword_vars, strict=True):
                if name is not None:
                    engine.edge(var, self.field(receiver, f"s:{name}"))
        elif op is ContainerOp.SET_DEFAULT or op is ContainerOp.GET_KEY:
            if arg >= 0:
                holder = self.holding(receiver)
                self.load_item(result, holder, None, arg)
                if op is ContainerOp.SET_DEFAULT and len(args) > 1:
                    self.store_item(holder, None, arg, args[1])
            if len(args) > 1:
                engine.edge(args[1], result)
        elif op is ContainerOp.ANY_ITEM:
            engine.edge(self.field(receiver, ALL), result)
        elif op is ContainerOp.VALUES:
            container = values.container("list", ("values", receiver, call.caller))
            engine.edge(self.field(receiver, ALL), self.field(container, ANY))
            engine.add_value(result, container)
        elif op is ContainerOp.ITEMS:
            container = values.container("list", ("items", receiver, call.caller))
            pair = values.container("tuple", ("item", receiver, call.caller))
            engine.edge(self.field(receiver, ALL), self.field(pair, "i:1"))
            engine.add_value(self.field(container, ANY), pair)
            engine.add_value(result, container)
        elif op is ContainerOp.SAME:
            engine.add_value(result, receiver)
