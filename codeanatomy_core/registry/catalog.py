"""Every registry table of a pipeline, their rows and signatures, and the steps filling them.

Registry steps are ordinary pipeline steps (one per described domain, plus ``registry_catalog``
for ``registry_signatures`` and ``registry_diagnostics``). They read no repository data and
no tables: each output's signature covers its spec and its generated rows
(``Step.signature_sources``), so the pipeline's freshness rule skips an unchanged registry
(no new Delta version) and rewrites exactly the registries whose specs changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import msgspec
import pyarrow as pa

from codeanatomy_core.errors import CatalogError
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.registry.domain import domain_tables
from codeanatomy_core.registry.rows import DiagnosticRow, SignatureRow
from codeanatomy_core.registry.table import RegistryTable, SpecSources, check_unique_tables
from codeanatomy_core.specs.model import DatasetSpec, Domain
from codeanatomy_core.specs.named import NamedCollection

SIGNATURES_TABLE = "registry_signatures"
DIAGNOSTICS_TABLE = "registry_diagnostics"
SUMMARY_GROUP = "catalog"


@dataclass(frozen=True)
class _RegistryRunner:
    """The ``run`` of a registry step: encodes the generated rows of its tables."""

    registry: RegistryCatalog
    tables: tuple[str, ...]

    def __call__(self, ctx: StepContext) -> Mapping[str, DatasetOutput]:
        out = {}
        for name in self.tables:
            data = self.registry.encode(name)
            ctx.log(f"registry {name}: {data.num_rows} rows")
            out[name] = DatasetOutput(data=data, input_versions={})
        return out


class RegistryCatalog(NamedCollection[RegistryTable]):
    """The registry tables describing the datasets of ``base`` (a registry without them)."""

    __slots__ = ("_rows", "_step_of", "_steps", "extra", "sources")
    _what = "registry table"

    def __init__(self, base: Iterable[Step], *, extra: Iterable[RegistryTable] = ()) -> None:
        base = list(base)
        for step in base:
            if is_registry_step(step):
                raise CatalogError(f"step {step.name!r} is a registry step: pass the steps without them")
        self.extra = tuple(extra)
        # Steps may read the extra registry tables (defined here, after the steps they describe).
        self.sources = SpecSources.from_steps(base, external=[t.name for t in self.extra])
        described = [t for domain in self.sources.domains() for t in domain_tables(domain)]
        summaries = [
            RegistryTable(
                name=SIGNATURES_TABLE,
                describes=None,
                row_type=SignatureRow,
                rows=self._signature_rows,
                key=("registry",),
                description="The signature (asset code version) of every other registry table.",
            ),
            RegistryTable(
                name=DIAGNOSTICS_TABLE,
                describes=None,
                domain=Domain.DIAGNOSTICS,
                row_type=DiagnosticRow,
                rows=self._diagnostic_rows,
                key=("registry",),
                description="Row count and spec warnings of every registry table.",
            ),
        ]
        super().__init__({t.name: t for t in check_unique_tables([*described, *self.extra, *summaries])})
        self._rows: dict[str, tuple[msgspec.Struct, ...]] = {}
        groups: dict[str, list[RegistryTable]] = {}
        for table in self._by_name.values():
            groups.setdefault(SUMMARY_GROUP if table.describes is None else str(table.describes), []).append(
                table
            )
        self._steps = tuple(self._step(group, tables) for group, tables in sorted(groups.items()))
        self._step_of = {spec.name: step for step in self._steps for spec in step.outputs}

    def _step(self, group: str, tables: list[RegistryTable]) -> Step:
        about = "the registry tables" if group == SUMMARY_GROUP else f"the specs of the {group} domain"
        return Step(
            name=f"registry_{group}",
            description=f"Registry tables of {about}, generated from the specs (no repository data).",
            outputs=tuple(t.spec for t in tables),
            run=_RegistryRunner(self, tuple(t.name for t in tables)),
            signature_sources=self._signature_sources,
        )

    def table(self, name: str) -> RegistryTable:
        return self.get(name)

    def steps(self) -> tuple[Step, ...]:
        return self._steps

    def specs(self) -> tuple[DatasetSpec, ...]:
        return tuple(t.spec for t in self._by_name.values())

    def rows(self, name: str) -> tuple[msgspec.Struct, ...]:
        """The generated rows of one table, sorted by key (computed once)."""
        if name not in self._rows:
            self._rows[name] = self.table(name).generate(self.sources)
        return self._rows[name]

    def encode(self, name: str) -> pa.Table:
        return self.table(name).encode(self.rows(name))

    def _signature_sources(self, spec: DatasetSpec) -> object:
        return self.rows(spec.name)

    def signature(self, name: str) -> str:
        """Output signature of one registry table: its spec and its rows (the code version)."""
        table = self.table(name)
        return self._step_of[name].output_signature(table.spec)

    def signatures(self) -> dict[str, str]:
        return {name: self.signature(name) for name in self._by_name}

    def _signature_rows(self, sources: SpecSources) -> list[SignatureRow]:
        del sources
        return [
            SignatureRow(
                registry=t.name, describes=t.describes, signature=self.signature(t.name), source=t.source
            )
            for t in self._by_name.values()
            if t.name != SIGNATURES_TABLE
        ]

    def _diagnostic_rows(self, sources: SpecSources) -> list[DiagnosticRow]:
        out = []
        for table in self._by_name.values():
            if table.name in (SIGNATURES_TABLE, DIAGNOSTICS_TABLE):
                continue
            rows = self.rows(table.name)
            warnings = table.warnings(sources, rows)
            out.append(
                DiagnosticRow(
                    registry=table.name,
                    describes=table.describes,
                    row_count=len(rows),
                    warning_count=len(warnings),
                    warnings=warnings,
                )
            )
        return out


def is_registry_step(step: Step) -> bool:
    return isinstance(step.run, _RegistryRunner)


def registry_steps(base: Iterable[Step], *, extra: Iterable[RegistryTable] = ()) -> tuple[Step, ...]:
    """The registry steps describing every dataset of ``base``; ``extra`` adds registry tables."""
    return RegistryCatalog(base, extra=extra).steps()


def refresh_registry_steps(steps: Iterable[Step]) -> list[Step]:
    """``steps`` with their registry steps regenerated from the other steps (same extra
    tables): after a spec was replaced, the registry rows describe the new spec."""
    steps = list(steps)
    registries = [s.run.registry for s in steps if isinstance(s.run, _RegistryRunner)]
    if not registries:
        return steps
    base = [s for s in steps if not is_registry_step(s)]
    return [*base, *registry_steps(base, extra=registries[0].extra)]


def registry_of(steps: Iterable[Step]) -> RegistryCatalog:
    """The registry catalog behind the registry steps of a step registry."""
    for step in steps:
        if isinstance(step.run, _RegistryRunner):
            return step.run.registry
    raise CatalogError("the step registry has no registry steps")
