"""Which repository modules each module may read: the import graph, and its cycles, the
components the flow is solved in (or one component of every file, see ``FlowGranularity``).

A module reads another module's namespace through an import statement (``import a.b.c``
binds ``a``; ``from a import b`` may name the submodule ``a.b``): these are the edges.
A submodule reached as a package attribute without an import of its own (``import email``
then ``email.utils.x``) is no edge: the flow reads nothing of a module outside the reader's
dependencies (see ``flow_base``). Strongly connected groups of modules (import cycles) are
components; they come in dependency order, each after every component it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.symbols import import_base
from codeanatomy_core.source.config import FlowGranularity


def imported_modules(base: str, name: str | None) -> Iterator[str]:
    """The modules an import of ``name`` from ``base`` may consult: ``base``, its parent
    packages (``import a.b.c`` binds ``a``) and the submodule ``base.name``."""
    parts = base.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])
    if name is not None:
        yield f"{base}.{name}" if base else name


def module_dependencies(program: Program) -> dict[str, set[str]]:
    """Repository module -> the other repository modules it may read (sorted inputs give
    the same sets whatever the order of the files)."""
    modules = {entry.module for entry in program.files}
    depends: dict[str, set[str]] = {module: set() for module in modules}
    for entry in program.files:
        found = depends[entry.module]
        for imp in entry.facts.imports:
            base = import_base(entry, imp)
            if base is None:
                continue
            for module in imported_modules(base, None if imp.star else imp.name):
                if module in modules:
                    found.add(module)
        found.discard(entry.module)
    return depends


class ModuleGraph:
    """The program's files grouped into components, dependencies first: import cycles, or
    (``FlowGranularity.PROGRAM``) one component of every file."""

    def __init__(self, program: Program, *, granularity: FlowGranularity = FlowGranularity.PROGRAM) -> None:
        if granularity is FlowGranularity.MODULES:
            depends = module_dependencies(program)
            groups = _components(depends)
        else:
            modules = tuple(sorted({entry.module for entry in program.files}))
            depends = {module: set() for module in modules}
            groups = [modules] if modules else []
        files_of: dict[str, list[int]] = {}
        for entry in program.files:
            files_of.setdefault(entry.module, []).append(entry.index)
        component_of_module = {module: index for index, group in enumerate(groups) for module in group}
        self.components: tuple[tuple[int, ...], ...] = tuple(
            tuple(sorted(index for module in group for index in files_of[module])) for group in groups
        )
        self.component_of: list[int] = [0] * len(program.files)
        for index, files in enumerate(self.components):
            for file_index in files:
                self.component_of[file_index] = index
        self.depends: tuple[frozenset[int], ...] = tuple(
            frozenset(component_of_module[d] for module in group for d in depends[module]) - {index}
            for index, group in enumerate(groups)
        )
        importers: list[set[int]] = [set() for _ in groups]
        for index, found in enumerate(self.depends):
            for dependency in found:
                importers[dependency].add(index)
        self.importers: tuple[frozenset[int], ...] = tuple(frozenset(found) for found in importers)

    def importer_closure(self, components: Iterable[int]) -> frozenset[int]:
        """The components and every component reading them, directly or transitively."""
        return _closure(components, self.importers)

    def dependency_closure(self, components: Iterable[int]) -> frozenset[int]:
        """The components and every component they read, directly or transitively."""
        return _closure(components, self.depends)


def _closure(start: Iterable[int], edges: tuple[frozenset[int], ...]) -> frozenset[int]:
    reached = set(start)
    pending = list(reached)
    while pending:
        for other in edges[pending.pop()]:
            if other not in reached:
                reached.add(other)
                pending.append(other)
    return frozenset(reached)


def _components(depends: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Tarjan's strongly connected components over sorted modules: each component comes
    after the components it depends on (iterative, so deep chains cannot overflow)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []
    for root in sorted(depends):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(sorted(depends[root])))]
        while work:
            module, successors = work[-1]
            successor = next(successors, None)
            if successor is not None:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(depends[successor]))))
                elif successor in on_stack:
                    low[module] = min(low[module], index[successor])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                found.append(tuple(sorted(group)))
    return found
