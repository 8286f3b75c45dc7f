"""The relspec snapshot: everything about a rule set that later runs are driven by.

Rule and template tables, per-rule diagnostics (compiled SQL, plan fingerprint, problems),
template diagnostics, plan signatures and the graph signature, kind coverage, the bundle
inventory, and the incremental spec (which datasets are scoped by file id, their file-id
columns and keys), so incremental runs read this metadata rather than module constants.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from codeanatomy_core.relspec.compiler import graph_signature
from codeanatomy_core.relspec.errors import RuleError
from codeanatomy_core.relspec.model import RuleDefinition
from codeanatomy_core.relspec.rows import (
    BundleRow,
    IncrementalRow,
    RuleDiagnosticRow,
    TemplateDiagnosticRow,
    TemplateRow,
    rule_row,
)
from codeanatomy_core.relspec.rows import RuleRow as RuleRowType
from codeanatomy_core.relspec.runtime import RelspecRuntime
from codeanatomy_core.relspec.scoping import is_file_local
from codeanatomy_core.relspec.validation import KindCoverage
from codeanatomy_core.specs.model import DatasetSpec


class RelspecSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    rules: tuple[RuleRowType, ...]
    templates: tuple[TemplateRow, ...]
    diagnostics: tuple[RuleDiagnosticRow, ...]
    template_diagnostics: tuple[TemplateDiagnosticRow, ...]
    plan_signatures: dict[str, str]
    graph_signature: str
    coverage: tuple[KindCoverage, ...]
    bundles: tuple[BundleRow, ...]
    incremental: tuple[IncrementalRow, ...]


def _mentions(message: str, name: str) -> bool:
    return f"rule {name!r}" in message


def rule_diagnostics(runtime: RelspecRuntime) -> tuple[RuleDiagnosticRow, ...]:
    report = runtime.validation()
    try:
        compiled = {c.rule: (c.sql, c.fingerprint) for c in runtime.compiled().rules}
    except RuleError:
        compiled = {}
    rows = []
    for rule in runtime.registry:
        sql, fingerprint = compiled.get(rule.name) or _compile_one(runtime, rule)
        rows.append(
            RuleDiagnosticRow(
                rule=rule.name,
                bundle=runtime.registry.bundle_of(rule.name),
                output=rule.output.dataset,
                kind=rule.output.kind,
                sql=sql,
                fingerprint=fingerprint,
                errors=tuple(e for e in report.errors if _mentions(e, rule.name)),
                warnings=tuple(w for w in report.warnings if _mentions(w, rule.name)),
            )
        )
    return tuple(rows)


def _compile_one(runtime: RelspecRuntime, rule: RuleDefinition) -> tuple[str, str | None]:
    try:
        compiled = runtime.compiler.compile_rule(rule, runtime.registry)
    except RuleError:
        return "", None
    return compiled.sql, compiled.fingerprint


def template_rows(runtime: RelspecRuntime) -> tuple[TemplateRow, ...]:
    registry = runtime.registry
    rows = []
    for template in registry.templates():
        declared = registry.template_declared[template.name]
        rows.append(
            TemplateRow(
                **{f: getattr(template, f) for f in template.__struct_fields__},
                bundle=declared.bundle,
                place=declared.place,
                used_by=tuple(r.name for r in registry if template.name in r.templates),
            )
        )
    return tuple(rows)


def template_diagnostics(runtime: RelspecRuntime) -> tuple[TemplateDiagnosticRow, ...]:
    report = runtime.validation()
    rows = []
    for template in template_rows(runtime):
        needle = f"template {template.name!r}"
        rows.append(
            TemplateDiagnosticRow(
                template=template.name,
                used_by=len(template.used_by),
                errors=tuple(e for e in report.errors if needle in e),
                warnings=tuple(w for w in report.warnings if needle in w),
            )
        )
    return tuple(rows)


def bundle_rows(runtime: RelspecRuntime) -> tuple[BundleRow, ...]:
    sources = {s.bundle: s for s in runtime.sources}
    rows = []
    for bundle in runtime.registry.bundles():
        source = sources.get(bundle.name)
        rules = bundle.rules()
        rows.append(
            BundleRow(
                bundle=bundle.name,
                origin=source.origin if source else "unknown",
                module=source.module if source else bundle.place,
                description=bundle.description,
                rules=tuple(r.name for r in rules),
                templates=tuple(t.name for t in bundle.templates()),
                kinds=tuple(sorted({r.output.kind for r in rules if r.output.kind})),
            )
        )
    return tuple(rows)


def incremental_rows(
    runtime: RelspecRuntime, *, outputs: Iterable[DatasetSpec] = ()
) -> tuple[IncrementalRow, ...]:
    """Every dataset rules read (inputs) or write (outputs: their specs from ``outputs``)."""
    specs = {s.name: s for s in outputs} | {s.name: s for s in runtime.catalog}
    readers: dict[str, list[str]] = {}
    writers: dict[str, list[str]] = {}
    for rule in runtime.registry:
        for name in rule.inputs:
            readers.setdefault(name, []).append(rule.name)
        writers.setdefault(rule.output.dataset, []).append(rule.name)
    local = {r.name for r in runtime.registry if is_file_local(r, runtime.catalog)}
    rows = []
    for role, table in (("input", readers), ("output", writers)):
        for name, rules in sorted(table.items()):
            spec = specs.get(name)
            rows.append(
                IncrementalRow(
                    dataset=name,
                    role=role,
                    file_id_column=None if spec is None else spec.file_id_column,
                    key=() if spec is None else spec.key,
                    rules=tuple(sorted(rules)),
                    global_rules=tuple(sorted(set(rules) - local)),
                )
            )
    return tuple(rows)


def rule_rows(runtime: RelspecRuntime) -> tuple[RuleRowType, ...]:
    registry = runtime.registry
    return tuple(
        rule_row(rule, bundle=registry.bundle_of(rule.name), place=registry.declared[rule.name].place)
        for rule in registry
    )


def snapshot(runtime: RelspecRuntime, *, outputs: Iterable[DatasetSpec] = ()) -> RelspecSnapshot:
    """The snapshot of a runtime's rule set (compiles and validates it once); ``outputs`` are
    the specs of the datasets the rules write, for the incremental spec."""
    diagnostics = rule_diagnostics(runtime)
    fingerprints = {d.rule: d.fingerprint for d in diagnostics if d.fingerprint is not None}
    return RelspecSnapshot(
        rules=rule_rows(runtime),
        templates=template_rows(runtime),
        diagnostics=diagnostics,
        template_diagnostics=template_diagnostics(runtime),
        plan_signatures=fingerprints,
        graph_signature=graph_signature(fingerprints),
        coverage=runtime.validation().coverage,
        bundles=bundle_rows(runtime),
        incremental=incremental_rows(runtime, outputs=outputs),
    )
