"""One registry table: a name, the domain it describes, a row generator and its Struct type.

Adding a registry is a few lines::

    NODE_KINDS = RegistryTable(
        name="registry_cpg_node_kinds",
        describes=Domain.CPG,
        row_type=NodeKindRow,  # a frozen msgspec Struct: the schema is derived from it
        rows=lambda sources: [NodeKindRow(kind=k.value, ...) for k in NodeKind],
        key=("kind",),
        description="Every node kind of the CPG and its contract.",
    )

and passing it to ``registry_steps(base, extra=(NODE_KINDS,))`` in
``pipeline/registry.py``. The table's signature (its asset's code version) covers its spec
and the generated rows; its rows decode back into the very Structs the generator made.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pyarrow as pa

from codeanatomy_core.errors import CatalogError
from codeanatomy_core.pipeline.step import Step
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.codec import StructCodec
from codeanatomy_core.specs.model import DatasetSpec, Domain
from codeanatomy_core.specs.named import unique_by_name
from codeanatomy_core.specs.schema import arrow_schema
from codeanatomy_core.specs.templates import TEMPLATES, TemplateCatalog

REGISTRY_PREFIX = "registry_"


@dataclass(frozen=True, kw_only=True)
class SpecSources:
    """What registry generators read: the specs of every non-registry dataset."""

    catalog: SpecCatalog
    producers: Mapping[str, str]
    signatures: Mapping[str, str]
    templates: TemplateCatalog = TEMPLATES

    @classmethod
    def from_steps(
        cls, steps: Iterable[Step], *, templates: TemplateCatalog = TEMPLATES, external: Collection[str] = ()
    ) -> SpecSources:
        """The specs output by ``steps`` (a StepRegistry or any steps), with their producers
        and output signatures; ``external`` upstream names may be absent (see SpecCatalog)."""
        steps = list(steps)
        return cls(
            catalog=SpecCatalog((spec for step in steps for spec in step.outputs), external=external),
            producers={spec.name: step.name for step in steps for spec in step.outputs},
            signatures={spec.name: step.output_signature(spec) for step in steps for spec in step.outputs},
            templates=templates,
        )

    def domains(self) -> tuple[Domain, ...]:
        """Domains that have datasets (the registry domain itself excluded), sorted by name."""
        found = {spec.domain for spec in self.catalog if spec.domain is not Domain.REGISTRY}
        return tuple(sorted(found, key=str))

    def datasets(self, domain: Domain) -> tuple[DatasetSpec, ...]:
        return self.catalog.by_domain(domain)


RowsFn = Callable[[SpecSources], Iterable[msgspec.Struct]]
ChecksFn = Callable[[SpecSources, Sequence[Any]], Iterable[str]]


def callable_name(fn: Callable[..., object]) -> str:
    """``module.qualname`` of a function (through functools.partial)."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


@dataclass(frozen=True, kw_only=True)
class RegistryTable:
    """A registry table: rows generated from specs, schema derived from ``row_type``."""

    name: str
    describes: Domain | None
    row_type: type[msgspec.Struct]
    rows: RowsFn
    key: tuple[str, ...]
    description: str
    domain: Domain = Domain.REGISTRY
    checks: ChecksFn | None = None
    codec: StructCodec[Any] = field(init=False, repr=False, compare=False)
    spec: DatasetSpec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (self.name.startswith(REGISTRY_PREFIX) and self.name.isidentifier()):
            raise CatalogError(
                f"registry table name {self.name!r} must be an identifier starting with 'registry_'"
            )
        if not self.key:
            raise CatalogError(f"registry table {self.name!r} declares no key")
        codec = StructCodec(self.row_type, name=self.name)
        spec = DatasetSpec(
            name=self.name,
            domain=self.domain,
            description=self.description,
            fields=codec.fields,
            key=self.key,
            ordering=self.key,
        )
        object.__setattr__(self, "codec", codec)
        object.__setattr__(self, "spec", spec)

    @property
    def source(self) -> str:
        """Where the rows come from (the generator's module and name)."""
        return callable_name(self.rows)

    def sort_key(self, row: msgspec.Struct) -> tuple[Any, ...]:
        return tuple(getattr(row, column) for column in self.key)

    def generate(self, sources: SpecSources) -> tuple[msgspec.Struct, ...]:
        """The generator's rows, sorted by key; wrong types and duplicate keys are errors."""
        rows = list(self.rows(sources))
        for row in rows:
            if type(row) is not self.row_type:
                raise CatalogError(
                    f"registry {self.name!r}: {self.source} yielded a {type(row).__name__}, "
                    f"expected {self.row_type.__name__}"
                )
        rows.sort(key=self.sort_key)
        for before, after in itertools.pairwise(rows):
            if self.sort_key(before) == self.sort_key(after):
                raise CatalogError(
                    f"registry {self.name!r}: key {dict(zip(self.key, self.sort_key(after), strict=True))} "
                    f"is generated twice by {self.source}"
                )
        return tuple(rows)

    def warnings(self, sources: SpecSources, rows: Sequence[msgspec.Struct]) -> tuple[str, ...]:
        return () if self.checks is None else tuple(sorted(set(self.checks(sources, rows))))

    def schema(self) -> pa.Schema:
        return arrow_schema(self.spec)

    def encode(self, rows: Iterable[msgspec.Struct]) -> pa.Table:
        """The rows as a table with the spec's schema (``spec_kind`` = the table name)."""
        return self.codec.encode(rows, schema=self.schema())

    def decode(self, table: pa.Table) -> tuple[msgspec.Struct, ...]:
        return tuple(self.codec.decode(table))


def check_unique_tables(tables: Iterable[RegistryTable]) -> tuple[RegistryTable, ...]:
    """Tables sorted by name; a name declared twice is an error naming both generators."""
    return tuple(unique_by_name(tables, what="registry table", where=lambda t: f"by {t.source}").values())
