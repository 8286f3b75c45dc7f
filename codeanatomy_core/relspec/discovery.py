"""Bundle discovery: the built-in bundle modules, then extensions from entry points.

Built-in bundles are the :class:`RuleBundle` objects defined at module level in
:data:`BUILTIN_BUNDLE_MODULES` (imported once). Extensions register an entry point in the
group ``codeanatomy.relspec_bundles`` whose object is a bundle, a module holding bundles,
an iterable of bundles, or a function returning one of those::

    [project.entry-points."codeanatomy.relspec_bundles"]
    my_rules = "my_package.rules:BUNDLE"

The result is always sorted by bundle name; a bundle or rule name declared twice is an
error naming both places.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

import msgspec

from codeanatomy_core.relspec.bundles import RuleBundle, RuleRegistry
from codeanatomy_core.relspec.errors import BundleError

ENTRY_POINT_GROUP = "codeanatomy.relspec_bundles"

BUILTIN_BUNDLE_MODULES: tuple[str, ...] = (
    "codeanatomy_core.cpg.rules.bytecode",
    "codeanatomy_core.cpg.rules.lexical",
    "codeanatomy_core.cpg.rules.resolution",
    "codeanatomy_core.cpg.rules.source",
    "codeanatomy_core.cpg.rules.symtable",
    "codeanatomy_core.cpg.rules.syntax",
    "codeanatomy_core.cpg.rules.templates",
)

BUILTIN = "builtin"


class BundleSource(msgspec.Struct, frozen=True, kw_only=True):
    """Where a discovered bundle came from: ``builtin`` or ``entry_point:<name>``."""

    bundle: str
    origin: str
    module: str


def bundles_in(module: ModuleType) -> list[RuleBundle]:
    """The bundles defined at module level in ``module``."""
    return [value for value in vars(module).values() if isinstance(value, RuleBundle)]


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise BundleError(f"built-in rule bundle module {name!r} cannot be imported: {err}") from err


def _as_bundles(obj: object, where: str) -> list[RuleBundle]:
    if isinstance(obj, RuleBundle):
        return [obj]
    if isinstance(obj, ModuleType):
        return bundles_in(obj)
    if callable(obj):
        return _as_bundles(obj(), where)
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        items = list(obj)
        if all(isinstance(item, RuleBundle) for item in items):
            return items
    raise BundleError(f"{where} did not give rule bundles (got a {type(obj).__name__})")


def load_entry_point(point: EntryPoint) -> list[RuleBundle]:
    where = f"entry point {point.name!r} ({point.value}) of group {ENTRY_POINT_GROUP!r}"
    try:
        obj = point.load()
    except Exception as err:  # an extension may fail to import in any way
        raise BundleError(f"{where} cannot be loaded: {err}") from err
    return _as_bundles(obj, where)


@functools.cache
def _builtin(modules: tuple[str, ...]) -> tuple[tuple[RuleBundle, BundleSource], ...]:
    found = []
    for name in modules:
        for bundle in bundles_in(_import(name)):
            found.append((bundle, BundleSource(bundle=bundle.name, origin=BUILTIN, module=name)))
    return tuple(found)


def discover(
    *, modules: tuple[str, ...] = BUILTIN_BUNDLE_MODULES, extensions: bool = True
) -> tuple[RuleRegistry, tuple[BundleSource, ...]]:
    """The rule registry of the built-in bundles (and, with ``extensions``, the entry points')."""
    found = list(_builtin(modules))
    if extensions:
        for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
            for bundle in load_entry_point(point):
                source = BundleSource(
                    bundle=bundle.name, origin=f"entry_point:{point.name}", module=point.value
                )
                found.append((bundle, source))
    registry = RuleRegistry(bundle for bundle, _ in found)
    sources = tuple(sorted((s for _, s in found), key=lambda s: s.bundle))
    return registry, sources
