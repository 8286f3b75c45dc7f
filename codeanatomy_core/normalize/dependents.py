"""Which files' static resolution an edit can change: the files that import, directly or
along a chain of imports, a module whose file changed.

A reference's static candidates (``ref_bindings``) come from its own file's bindings and
from what its imports name: another module's namespace, which may itself import the name
from a third module, and so on. Nothing else of another file is consulted, so when the set
of files (and hence of modules) stays the same, a file outside the changed modules' importer
closure resolves exactly as before. The closure over every module a module may read (see
``module_graph``) is a superset of that: cheap to compute, never too small.

A module that appears or disappears (a file added, removed or renamed) also changes what
the files importing it, or a package above it, resolve: whether a name of a package's
namespace is its submodule depends on the submodule's existence, and an import of a module
that is gone names an external one. Those files are found by the names their imports
consult (``files_importing``), and their importers through the graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from codeanatomy_core.normalize.module_graph import imported_modules, module_dependencies
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.normalize.symbols import import_base


def files_importing(program: Program, modules: Iterable[str]) -> frozenset[int]:
    """The file ids of the files with an import consulting one of ``modules`` or a package
    above one of them."""
    wanted: set[str] = set()
    for module in modules:
        parts = module.split(".")
        wanted.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    found: set[int] = set()
    if not wanted:
        return frozenset()
    for entry in program.files:
        for imp in entry.facts.imports:
            base = import_base(entry, imp)
            if base is not None and not wanted.isdisjoint(
                imported_modules(base, None if imp.star else imp.name)
            ):
                found.add(entry.file_id)
                break
    return frozenset(found)


def import_dependents(program: Program, changed: frozenset[int]) -> frozenset[int]:
    """The file ids of the ``changed`` files and of every file importing one of their
    modules, directly or transitively. When modules appeared or disappeared, ``changed``
    must hold the files importing them too (see ``files_importing``)."""
    importers: dict[str, set[str]] = {}
    for module, depends in module_dependencies(program).items():
        for dependency in depends:
            importers.setdefault(dependency, set()).add(module)
    reached = {entry.module for entry in program.files if entry.file_id in changed}
    pending = sorted(reached)
    while pending:
        for importer in importers.get(pending.pop(), ()):
            if importer not in reached:
                reached.add(importer)
                pending.append(importer)
    return frozenset(entry.file_id for entry in program.files if entry.module in reached)
