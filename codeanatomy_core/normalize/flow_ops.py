"""Flow constraints of the facts -> engine edges and watchers; containers and iteration."""

from __future__ import annotations

from collections.abc import Iterable

from codeanatomy_core.extract.pyfacts_model import (
    ClassAttr,
    Copy,
    CopyItems,
    GlobalLoad,
    GlobalStore,
    ImportValue,
    InstanceOf,
    Iterate,
    LoadAttr,
    LoadItem,
    LoadSlice,
    MakeClass,
    MakeConst,
    MakeContainer,
    MakeFunction,
    MakeTyped,
    StoreAttr,
    StoreItem,
    SuperValue,
)
from codeanatomy_core.normalize.facts_view import FactsView
from codeanatomy_core.normalize.flow_attrs import AttributeSemantics
from codeanatomy_core.normalize.flow_base import ALL, ANY
from codeanatomy_core.normalize.program import Program, ProgramFile
from codeanatomy_core.normalize.symbols import SourceKind
from codeanatomy_core.normalize.values import CONST_TYPES, ValueKind


def key_constants(facts: FactsView) -> set[str]:
    """The constants a file uses as container keys, or as attribute names given to
    getattr/setattr: only these keep their value in the flow (others become their type).
    Found when the file is extracted (``pyfacts_model.key_constants``)."""
    return set(facts.key_consts)


def program_key_constants(program: Program) -> frozenset[str]:
    """The key constants of every file of the program (see :func:`key_constants`)."""
    keys: set[str] = set()
    for entry in program.files:
        keys |= key_constants(entry.facts)
    return frozenset(keys)


class KeyedAccess:
    """``obj[key]`` where the key is a variable: constant keys select fields; any other
    key (or, after the first fixpoint, no key value at all) means every item."""

    __slots__ = ("dst", "keys", "load", "objects", "solver", "src", "unknown")

    def __init__(self, solver: FlowOps, *, load: bool, dst: int, src: int) -> None:
        self.solver = solver
        self.load = load
        self.dst = dst
        self.src = src
        self.objects: list[int] = []
        self.keys: list[str] = []
        self.unknown = False

    def _link(self, obj: int, key: str | None) -> None:
        solver, engine = self.solver, self.solver.engine
        if self.load:
            if key is None:
                engine.edge(solver.field(obj, ALL), self.dst)
            else:
                engine.edge(solver.field(obj, key), self.dst)
                engine.edge(solver.field(obj, ANY), self.dst)
        else:
            engine.edge(self.src, solver.field(obj, ANY if key is None else key))

    def on_objects(self, objects: Iterable[int]) -> None:
        kinds = self.solver.values.kind
        for obj in objects:
            if kinds[obj] != ValueKind.CONTAINER:
                continue
            self.objects.append(obj)
            if self.unknown:
                self._link(obj, None)
            for key in self.keys:
                self._link(obj, key)

    def on_keys(self, keys: Iterable[int]) -> None:
        values = self.solver.values
        for key in keys:
            if values.kind[key] == ValueKind.CONST:
                self.keys.append(values.a[key])
                for obj in self.objects:
                    self._link(obj, values.a[key])
            else:
                self.set_unknown()

    def set_unknown(self) -> None:
        if not self.unknown:
            self.unknown = True
            for obj in self.objects:
                self._link(obj, None)


class FlowOps(AttributeSemantics):
    """Instantiates each file's flow constraints."""

    keyed: list[tuple[KeyedAccess, int]]
    key_consts: frozenset[str]  # the constants that keep their value (see key_constants)

    def load_ops(self, entry: ProgramFile) -> None:
        base, def_base = entry.var_base, entry.def_base
        engine, values = self.engine, self.values
        module = entry.module
        # Variables made by MakeContainer hold that one container and nothing else (the
        # facts never copy into them): items stored into them need no watcher.
        fresh: dict[int, int] = {}
        # Branches roughly by frequency (attribute loads, item stores and copies lead).
        for op in entry.facts.ops:
            if isinstance(op, Copy):
                engine.edge(op.src + base, op.dst + base)
            elif isinstance(op, LoadAttr):
                self.load_attr(op.dst + base, op.obj + base, op.name)
            elif isinstance(op, StoreItem) and op.obj in fresh and op.key_var < 0:
                engine.edge(op.src + base, self.field(fresh[op.obj], ANY if op.key is None else op.key))
            elif isinstance(op, StoreItem):
                self.store_item(
                    op.obj + base, op.key, op.key_var + base if op.key_var >= 0 else -1, op.src + base
                )
            elif isinstance(op, LoadItem):
                self.load_item(
                    op.dst + base, op.obj + base, op.key, op.key_var + base if op.key_var >= 0 else -1
                )
            elif isinstance(op, GlobalLoad):
                self.load_global(op.dst + base, module, op.name, unbound=op.unbound)
            elif isinstance(op, GlobalStore):
                self.store_global(op.src + base, module, op.name, outside=op.declared)
            elif isinstance(op, MakeConst):
                # Only constants that can select an item or name an attribute keep their value.
                key = op.key
                value = values.const(key) if key in self.key_consts else values.typed(CONST_TYPES[key[0]])
                engine.add_value(op.dst + base, value)
            elif isinstance(op, MakeFunction):
                engine.add_value(op.dst + base, values.function(op.definition + def_base))
            elif isinstance(op, MakeClass):
                engine.add_value(op.dst + base, values.klass(op.definition + def_base))
            elif isinstance(op, MakeContainer):
                container = values.container(op.type_name, (entry.index, op.site))
                fresh[op.dst] = container
                engine.add_value(op.dst + base, container)
            elif isinstance(op, MakeTyped):
                engine.add_value(op.dst + base, values.typed(op.type_name))
            elif isinstance(op, StoreAttr):
                self.store_attr(op.obj + base, op.name, op.src + base)
            elif isinstance(op, ClassAttr):
                engine.edge(op.src + base, self.field(values.klass(op.class_def + def_base), op.name))
            elif isinstance(op, ImportValue):
                self.import_value(entry, op.dst + base, op.import_index)
            elif isinstance(op, Iterate):
                engine.edge(self.elements(op.src + base), op.dst + base)
            elif isinstance(op, LoadSlice):
                self.load_slice(
                    op.dst + base, op.obj + base, op.lower, op.upper, (entry.index, "slice", op.site)
                )
            elif isinstance(op, CopyItems):
                self.copy_items(op.dst + base, op.src + base)
            elif isinstance(op, SuperValue):
                class_def = op.class_def + def_base if op.class_def >= 0 else -1
                class_var = op.class_var + base if op.class_var >= 0 else -1
                self.super_value(op.dst + base, class_def, class_var, op.self_var + base)
            elif isinstance(op, InstanceOf):
                self.instance_of(op.dst + base, op.src + base)

    def import_value(self, entry: ProgramFile, dst: int, index: int) -> None:
        kind, first, name = self.symbols.import_source(entry, entry.facts.imports[index])
        if kind is SourceKind.MODULE:
            self.engine.add_value(dst, self.values.module(first))
        elif kind is SourceKind.EXTERNAL:
            self._add_external(dst, first)
        elif kind is SourceKind.GLOBAL:
            self.engine.edge(self.global_var(first, name), dst)

    # ---- containers ----

    def store_item(self, obj: int, key: str | None, key_var: int, src: int) -> None:
        if key_var >= 0:
            access = KeyedAccess(self, load=False, dst=-1, src=src)
            self.engine.watch(obj, access.on_objects)
            self.engine.watch(key_var, access.on_keys)
            self.keyed.append((access, key_var))
            return
        field_key = ANY if key is None else key
        kinds, engine = self.values.kind, self.engine

        def on_objects(objects: Iterable[int]) -> None:
            for value in objects:
                if kinds[value] == ValueKind.CONTAINER:
                    engine.edge(src, self.field(value, field_key))

        engine.watch(obj, on_objects)

    def load_item(self, dst: int, obj: int, key: str | None, key_var: int) -> None:
        if key_var >= 0:
            access = KeyedAccess(self, load=True, dst=dst, src=-1)
            self.engine.watch(obj, access.on_objects)
            self.engine.watch(key_var, access.on_keys)
            self.keyed.append((access, key_var))
            return
        kinds, engine = self.values.kind, self.engine

        def on_objects(objects: Iterable[int]) -> None:
            for value in objects:
                if kinds[value] != ValueKind.CONTAINER:
                    continue
                if key is None:
                    engine.edge(self.field(value, ALL), dst)
                else:
                    engine.edge(self.field(value, key), dst)
                    engine.edge(self.field(value, ANY), dst)

        engine.watch(obj, on_objects)

    def elements(self, src: int) -> int:
        """A variable with the elements of the iterables in ``src`` (memoized per source)."""
        found = self.element_vars.get(src)
        if found is not None:
            return found
        dst = self.element_vars[src] = self.engine.new_var()
        values, engine = self.values, self.engine
        kinds, first = values.kind, values.a

        def on_iterables(iterables: Iterable[int]) -> None:
            for value in iterables:
                kind = kinds[value]
                if kind == ValueKind.CONTAINER:
                    if first[value] != "dict":  # iterating a mapping yields its keys
                        engine.edge(self.field(value, ALL), dst)
                elif kind == ValueKind.GENERATOR:
                    signature = self.signatures.get(first[value])
                    if signature is not None:
                        engine.edge(signature.yield_var, dst)
                elif kind in (ValueKind.CONST, ValueKind.TYPED) and values.type_name(value) == "str":
                    engine.add_value(dst, values.typed("str"))

        engine.watch(src, on_iterables)
        return dst

    def load_slice(self, dst: int, obj: int, lower: int, upper: int | None, site: object) -> None:
        values, engine = self.values, self.engine
        kinds = values.kind

        def on_objects(objects: Iterable[int]) -> None:
            for value in objects:
                if kinds[value] != ValueKind.CONTAINER:
                    if values.type_name(value) == "str":
                        engine.add_value(dst, values.typed("str"))
                    continue
                part = values.container("list", site)
                engine.add_value(dst, part)
                if part == value:  # ``x = x[1:]`` in a loop: keep the items where they are
                    continue
                if lower < 0:
                    engine.edge(self.field(value, ALL), self.field(part, ANY))
                    continue

                def shift(key: str, source: int = value, target: int = part) -> None:
                    if key == ANY:
                        engine.edge(self.field(source, ANY), self.field(target, ANY))
                    elif key.startswith("i:"):
                        position = int(key[2:])
                        if position >= lower and (upper is None or position < upper):
                            engine.edge(self.field(source, key), self.field(target, f"i:{position - lower}"))

                self.on_fields(value, shift)

        engine.watch(obj, on_objects)

    def copy_items(self, dst: int, src: int) -> None:
        """Every item of the containers in ``src`` into the containers in ``dst``."""
        kinds, engine = self.values.kind, self.engine
        targets: list[int] = []
        sources: list[int] = []

        def link(target: int, source: int) -> None:
            def copy(key: str) -> None:
                if key != ALL:
                    engine.edge(self.field(source, key), self.field(target, key))

            self.on_fields(source, copy)

        def on_targets(found: Iterable[int]) -> None:
            for value in found:
                if kinds[value] == ValueKind.CONTAINER:
                    targets.append(value)
                    for source in list(sources):
                        link(value, source)

        def on_sources(found: Iterable[int]) -> None:
            for value in found:
                if kinds[value] == ValueKind.CONTAINER:
                    sources.append(value)
                    for target in list(targets):
                        link(target, value)

        engine.watch(dst, on_targets)
        engine.watch(src, on_sources)

    # ---- classes ----

    def super_value(self, dst: int, class_def: int, class_var: int, self_var: int) -> None:
        values, engine = self.values, self.engine
        kinds, first = values.kind, values.a
        classes: list[int] = [class_def] if class_def >= 0 else []
        receivers: list[int] = []

        def on_receivers(found: Iterable[int]) -> None:
            for value in found:
                if kinds[value] in (ValueKind.INSTANCE, ValueKind.CLASS):
                    receivers.append(value)
                    engine.add(dst, [values.super_of(cls, value) for cls in classes])

        def on_classes(found: Iterable[int]) -> None:
            for value in found:
                if kinds[value] == ValueKind.CLASS:
                    classes.append(first[value])
                    engine.add(dst, [values.super_of(first[value], r) for r in receivers])

        if class_var >= 0:
            engine.watch(class_var, on_classes)
        engine.watch(self_var, on_receivers)

    def instance_of(self, dst: int, src: int) -> None:
        """Instances of the classes in ``src``, or in the tuples in it (``except (A, B)``)."""
        values, engine = self.values, self.engine
        kinds = values.kind

        def on_classes(found: Iterable[int]) -> None:
            engine.add(dst, [values.instance(values.a[v]) for v in found if kinds[v] == ValueKind.CLASS])
            for value in found:
                if kinds[value] == ValueKind.CONTAINER and values.a[value] == "tuple":
                    self.instance_of(dst, self.field(value, ALL))

        engine.watch(src, on_classes)
