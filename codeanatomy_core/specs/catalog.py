"""The dataset catalog: every spec once, in name order."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from codeanatomy_core.errors import CatalogError
from codeanatomy_core.specs.model import DatasetSpec, Domain
from codeanatomy_core.specs.signature import signature


class SpecCatalog:
    """An immutable, name-sorted collection of dataset specs; duplicates are rejected.

    Every upstream dataset must be in the catalog, except the ``external`` names (datasets
    defined later, e.g. registry tables that describe this very catalog).
    """

    __slots__ = ("_by_name",)

    def __init__(self, specs: Iterable[DatasetSpec], *, external: Collection[str] = ()) -> None:
        by_name: dict[str, DatasetSpec] = {}
        for spec in specs:
            if spec.name in by_name:
                raise CatalogError(f"dataset {spec.name!r} is declared twice in the catalog")
            by_name[spec.name] = spec
        self._by_name = dict(sorted(by_name.items()))
        for spec in self._by_name.values():
            for upstream in spec.upstream:
                if upstream not in self._by_name and upstream not in external:
                    raise CatalogError(f"dataset {spec.name!r} names unknown upstream dataset {upstream!r}")

    def __iter__(self) -> Iterator[DatasetSpec]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def get(self, name: str) -> DatasetSpec:
        try:
            return self._by_name[name]
        except KeyError:
            raise CatalogError(f"no dataset named {name!r} in the catalog") from None

    def by_domain(self, domain: Domain) -> tuple[DatasetSpec, ...]:
        return tuple(s for s in self._by_name.values() if s.domain is domain)

    def signatures(self) -> dict[str, str]:
        return {name: signature(spec) for name, spec in self._by_name.items()}

    def replace(self, spec: DatasetSpec) -> SpecCatalog:
        """A new catalog with ``spec`` in place of the spec of the same name."""
        self.get(spec.name)
        return SpecCatalog([spec if s.name == spec.name else s for s in self])
