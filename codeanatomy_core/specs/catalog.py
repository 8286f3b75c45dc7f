"""The dataset catalog: every spec once, in name order."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from codeanatomy_core.errors import CatalogError
from codeanatomy_core.specs.model import DatasetSpec, Domain
from codeanatomy_core.specs.named import NamedCollection, unique_by_name
from codeanatomy_core.specs.signature import signature


class SpecCatalog(NamedCollection[DatasetSpec]):
    """An immutable, name-sorted collection of dataset specs; duplicates are rejected.

    Every upstream dataset must be in the catalog, except the ``external`` names (datasets
    defined later, e.g. registry tables that describe this very catalog).
    """

    __slots__ = ()
    _what = "dataset"

    def __init__(self, specs: Iterable[DatasetSpec], *, external: Collection[str] = ()) -> None:
        super().__init__(
            unique_by_name(specs, what="dataset", where=lambda s: f"in domain {str(s.domain)!r}")
        )
        for spec in self._by_name.values():
            for upstream in spec.upstream:
                if upstream not in self._by_name and upstream not in external:
                    raise CatalogError(f"dataset {spec.name!r} names unknown upstream dataset {upstream!r}")

    def by_domain(self, domain: Domain) -> tuple[DatasetSpec, ...]:
        return tuple(s for s in self._by_name.values() if s.domain is domain)

    def signatures(self) -> dict[str, str]:
        return {name: signature(spec) for name, spec in self._by_name.items()}

    def replace(self, spec: DatasetSpec) -> SpecCatalog:
        """A new catalog with ``spec`` in place of the spec of the same name."""
        self.get(spec.name)
        return SpecCatalog([spec if s.name == spec.name else s for s in self])
