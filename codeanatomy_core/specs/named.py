"""Name-keyed collections: sorted by name, a name given twice is an error naming both.

Every registry of the project (datasets, field templates, registry tables, rule bundles)
follows the same rule, so they share :func:`unique_by_name` and, where they are read-only
mappings, :class:`NamedCollection`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, Protocol, TypeVar

from codeanatomy_core.errors import CatalogError, CodeAnatomyError


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


def unique_by_name(
    items: Iterable[T],
    *,
    what: str,
    where: Callable[[T], str],
    error: type[CodeAnatomyError] = CatalogError,
) -> dict[str, T]:
    """``items`` by name, sorted; a second item of a name raises ``error`` naming both
    (``where`` describes an item: where it is declared, or what it holds)."""
    by_name: dict[str, T] = {}
    for item in items:
        first = by_name.get(item.name)
        if first is not None:
            raise error(f"{what} {item.name!r} is declared twice: {where(first)} and {where(item)}")
        by_name[item.name] = item
    return dict(sorted(by_name.items()))


class NamedCollection(Generic[T]):
    """An immutable collection of named items in name order (iteration, lookup by name)."""

    __slots__ = ("_by_name",)
    _what = "item"

    def __init__(self, by_name: dict[str, T]) -> None:
        self._by_name = by_name

    def __iter__(self) -> Iterator[T]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def get(self, name: str) -> T:
        try:
            return self._by_name[name]
        except KeyError:
            raise CatalogError(f"no {self._what} named {name!r}; known: {self.names()}") from None
