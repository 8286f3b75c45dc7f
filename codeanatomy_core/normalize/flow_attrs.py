"""Attribute semantics: instances, classes (along the MRO), super(), modules, externals.

``obj.name`` on an instance of ``C`` is the instance field ``name`` plus the class
attribute found along ``C``'s method resolution order, with functions bound to the
instance (``staticmethod``: unbound; ``classmethod``: bound to the class; ``property``:
the getter's return values). Results are cached per (object kind, class, name).
"""

from __future__ import annotations

from collections.abc import Iterable

from codeanatomy_core.extract.pyfacts_model import DefFlag
from codeanatomy_core.normalize.builtin_models import TYPE_METHODS
from codeanatomy_core.normalize.external_names import has_known_attributes
from codeanatomy_core.normalize.flow_base import FlowBase
from codeanatomy_core.normalize.kinds import Via
from codeanatomy_core.normalize.values import ValueKind

_INSTANCE, _CLASS, _SUPER = 0, 1, 2


class AttributeSemantics(FlowBase):
    """Loads and stores of attributes on every kind of abstract value."""

    def load_attr(self, dst: int, obj: int, name: str) -> None:
        values = self.values
        kinds, first, second = values.kind, values.a, values.b
        engine = self.engine

        def on_objects(objects: Iterable[int]) -> None:
            for value in objects:
                kind = kinds[value]
                if kind == ValueKind.INSTANCE:
                    engine.edge(self.instance_attr(first[value], name), dst)
                elif kind == ValueKind.CLASS:
                    engine.edge(self.class_attr(first[value], name), dst)
                elif kind == ValueKind.MODULE:
                    engine.edge(self.global_var(first[value], name), dst)
                elif kind == ValueKind.EXTERNAL:
                    if has_known_attributes(first[value]):
                        self._add_external(dst, f"{first[value]}.{name}")
                elif kind == ValueKind.SUPER:
                    engine.edge(self.super_attr(first[value], second[value], name), dst)
                elif kind == ValueKind.FUNCTION:
                    engine.edge(self.field(value, name), dst)
                elif kind in (ValueKind.CONST, ValueKind.TYPED, ValueKind.CONTAINER):
                    type_name = values.type_name(value)
                    if type_name in TYPE_METHODS and name in TYPE_METHODS[type_name]:
                        receiver = value if kind == ValueKind.CONTAINER else -1
                        engine.add_value(dst, values.type_method(type_name, name, receiver))

        engine.watch(obj, on_objects)

    def store_attr(self, obj: int, name: str, src: int) -> None:
        kinds, first = self.values.kind, self.values.a
        engine = self.engine

        def on_objects(objects: Iterable[int]) -> None:
            for value in objects:
                kind = kinds[value]
                if kind in (ValueKind.INSTANCE, ValueKind.CLASS, ValueKind.FUNCTION):
                    engine.edge(src, self.field(value, name))
                elif kind == ValueKind.MODULE:
                    self.store_global(src, first[value], name, outside=True)

        engine.watch(obj, on_objects)

    # ---- cached attribute variables ----

    def instance_attr(self, cls: int, name: str) -> int:
        key = (_INSTANCE, cls, name)
        var = self.attr_cache.get(key)
        if var is None:
            var = self.attr_cache[key] = self.engine.new_var()
            receiver = self.values.instance(cls)
            self.engine.edge(self.field(receiver, name), var)
            self._class_lookup(
                var, self.symbols.mro(cls), name, receiver=receiver, owner=cls, via=Via.OWN_METHOD
            )
        return var

    def class_attr(self, cls: int, name: str) -> int:
        key = (_CLASS, cls, name)
        var = self.attr_cache.get(key)
        if var is None:
            var = self.attr_cache[key] = self.engine.new_var()
            receiver = self.values.klass(cls)
            self.engine.edge(self.field(receiver, name), var)
            self._class_lookup(
                var, self.symbols.mro(cls), name, receiver=receiver, owner=cls, via=Via.OWN_METHOD
            )
        return var

    def super_attr(self, cls: int, receiver: int, name: str) -> int:
        """``super(cls, receiver).name``: the MRO of the receiver's class after ``cls``."""
        key = (_SUPER, self.values.super_of(cls, receiver), name)
        var = self.attr_cache.get(key)
        if var is None:
            var = self.attr_cache[key] = self.engine.new_var()
            owner = self.values.a[receiver]
            order = self.symbols.mro(owner)
            after = order[order.index(cls) + 1 :] if cls in order else self.symbols.mro(cls)[1:]
            self._class_lookup(var, after, name, receiver=receiver, owner=owner, via=Via.SUPER)
        return var

    def _class_lookup(
        self, var: int, order: list[int], name: str, *, receiver: int, owner: int, via: Via
    ) -> None:
        """The class attribute ``name`` found first along ``order``, bound to ``receiver``."""
        members = self.symbols.class_members
        definer = next((cls for cls in order if name in members.get(cls, ())), -1)
        if via == Via.OWN_METHOD and definer >= 0 and definer != owner:
            via = Via.INHERITED
        values, engine = self.values, self.engine
        on_instance = values.kind[receiver] == ValueKind.INSTANCE
        kinds, first = values.kind, values.a
        flags = self.def_flags
        owner_class = values.klass(owner)

        def bind(found: Iterable[int]) -> None:
            out: list[int] = []
            for value in found:
                if kinds[value] != ValueKind.FUNCTION:
                    out.append(value)
                    continue
                function = first[value]
                flag = flags.get(function, 0)
                if flag & DefFlag.STATICMETHOD:
                    out.append(value)
                elif flag & DefFlag.CLASSMETHOD:
                    self.receive(function, owner_class)
                    out.append(values.bound(function, via))
                elif on_instance and flag & DefFlag.PROPERTY:
                    self.property_get(function, receiver, var)
                elif on_instance:
                    self.receive(function, receiver)
                    out.append(values.bound(function, via))
                else:
                    out.append(value)
            if out:
                engine.add(var, out)

        if definer >= 0:
            engine.watch(self.field(values.klass(definer), name), bind)
            return
        # No class body binds it: attributes set on the classes later (``Cls.x = f``,
        # ``cls.x = f`` in a class decorator), else what external bases may provide.
        for cls in order:
            self.when_field(values.klass(cls), name, lambda field: engine.watch(field, bind))
        for path in self.symbols.external_bases(order[0]) if order else ():
            self._add_external(var, f"{path}.{name}")
            break

    def receive(self, function: int, receiver: int) -> None:
        """A method looked up on ``receiver`` may run with it as its first parameter."""
        signature = self.signatures.get(function)
        if signature is not None and signature.positional:
            self.give_receiver(signature.positional[0], receiver)

    def property_get(self, function: int, receiver: int, dst: int) -> None:
        """Reading a property runs its getter on the instance: its return values flow."""
        signature = self.signatures.get(function)
        if signature is None:
            return
        if signature.first >= 0:
            self.give_receiver(signature.first, receiver)
        self.engine.edge(signature.ret_var, dst)
