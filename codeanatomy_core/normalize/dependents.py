"""Which files' static resolution an edit can change: the files that import, directly or
along a chain of imports, a module whose file changed.

A reference's static candidates (``ref_bindings``) come from its own file's bindings and
from what its imports name: another module's namespace, which may itself import the name
from a third module, and so on. Nothing else of another file is consulted, so when the set
of files (and hence of modules) stays the same, a file outside the changed modules' importer
closure resolves exactly as before. The closure over every module a module may read (see
``module_graph``) is a superset of that: cheap to compute, never too small.
"""

from __future__ import annotations

from codeanatomy_core.normalize.module_graph import module_dependencies
from codeanatomy_core.normalize.program import Program


def import_dependents(program: Program, changed: frozenset[int]) -> frozenset[int]:
    """The file ids of the ``changed`` files and of every file importing one of their
    modules, directly or transitively (the program's files must be those the stored
    resolution was built from: an added or removed file changes which modules exist)."""
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
