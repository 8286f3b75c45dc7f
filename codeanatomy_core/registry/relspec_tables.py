"""Registry tables of the relspec domain: rules, rule templates, diagnostics, incremental spec.

Generated from a :class:`~codeanatomy_core.relspec.runtime.RelspecRuntime` (its snapshot,
computed once), never from repository data. ``registry_relspec_rules`` and
``registry_relspec_rule_templates`` decode back into the very same rule definitions and
templates (:mod:`codeanatomy_core.registry.relspec_decode`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

import msgspec

from codeanatomy_core.registry.table import RegistryTable, SpecSources
from codeanatomy_core.relspec.rows import (
    IncrementalRow,
    RuleDiagnosticRow,
    RuleRow,
    TemplateDiagnosticRow,
    TemplateRow,
)
from codeanatomy_core.relspec.runtime import RelspecRuntime
from codeanatomy_core.relspec.snapshot import RelspecSnapshot, snapshot
from codeanatomy_core.specs.model import DatasetSpec, Domain

RowsOf = Callable[["SnapshotSource", SpecSources], Iterable[msgspec.Struct]]

RULES_TABLE = "registry_relspec_rules"
RULE_TEMPLATES_TABLE = "registry_relspec_rule_templates"
RULE_DIAGNOSTICS_TABLE = "registry_relspec_rule_diagnostics"
TEMPLATE_DIAGNOSTICS_TABLE = "registry_relspec_template_diagnostics"
INCREMENTAL_TABLE = "registry_relspec_incremental"


@dataclass(eq=False)
class SnapshotSource:
    """The snapshot of one runtime, computed on first use."""

    runtime: RelspecRuntime
    outputs: tuple[DatasetSpec, ...] = ()
    _snapshot: RelspecSnapshot | None = field(default=None, init=False)

    def get(self) -> RelspecSnapshot:
        if self._snapshot is None:
            self._snapshot = snapshot(self.runtime, outputs=self.outputs)
        return self._snapshot


def rule_rows(source: SnapshotSource, sources: SpecSources) -> tuple[RuleRow, ...]:
    del sources
    return source.get().rules


def rule_template_rows(source: SnapshotSource, sources: SpecSources) -> tuple[TemplateRow, ...]:
    del sources
    return source.get().templates


def rule_diagnostic_rows(source: SnapshotSource, sources: SpecSources) -> tuple[RuleDiagnosticRow, ...]:
    del sources
    return source.get().diagnostics


def template_diagnostic_rows(
    source: SnapshotSource, sources: SpecSources
) -> tuple[TemplateDiagnosticRow, ...]:
    del sources
    return source.get().template_diagnostics


def incremental_rows(source: SnapshotSource, sources: SpecSources) -> tuple[IncrementalRow, ...]:
    del sources
    return source.get().incremental


def diagnostic_warnings(sources: SpecSources, rows: Sequence[msgspec.Struct]) -> list[str]:
    del sources
    out = []
    for row in rows:
        assert isinstance(row, RuleDiagnosticRow | TemplateDiagnosticRow)
        out += [*row.errors, *row.warnings]
    return out


def relspec_tables(source: SnapshotSource) -> tuple[RegistryTable, ...]:
    """The registry tables describing the rules of ``source``'s runtime."""

    def table(
        name: str, row_type: type[msgspec.Struct], rows: RowsOf, key: tuple[str, ...], text: str
    ) -> RegistryTable:
        return RegistryTable(
            name=name,
            describes=Domain.RELSPEC,
            row_type=row_type,
            rows=partial(rows, source),
            key=key,
            description=text,
            checks=diagnostic_warnings if row_type in (RuleDiagnosticRow, TemplateDiagnosticRow) else None,
        )

    return (
        table(
            RULES_TABLE, RuleRow, rule_rows, ("name",), "Every relationship rule, with its bundle and place."
        ),
        table(
            RULE_TEMPLATES_TABLE,
            TemplateRow,
            rule_template_rows,
            ("name",),
            "Every rule template and its users.",
        ),
        table(
            RULE_DIAGNOSTICS_TABLE,
            RuleDiagnosticRow,
            rule_diagnostic_rows,
            ("rule",),
            "Every rule compiled: its SQL, plan fingerprint, validation errors and warnings.",
        ),
        table(
            TEMPLATE_DIAGNOSTICS_TABLE,
            TemplateDiagnosticRow,
            template_diagnostic_rows,
            ("template",),
            "Every rule template: how many rules use it, validation errors and warnings.",
        ),
        table(
            INCREMENTAL_TABLE,
            IncrementalRow,
            incremental_rows,
            ("dataset", "role"),
            "Datasets read and written by rules: file-id column and key (drives incremental builds).",
        ),
    )
