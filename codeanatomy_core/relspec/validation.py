"""Rule validation and kind coverage: one report (errors, warnings) before any build.

Checks: rule and template names are unique (the registry guarantees it), every template a
rule names exists, every input is a catalog dataset, every output satisfies its target
contract (the domain handler's check: required properties present as columns), every rule
plans, and every declared kind of every target is produced by at least one rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from codeanatomy_core.relspec.bundles import RuleRegistry
from codeanatomy_core.relspec.compiler import RuleCompiler, planning_session
from codeanatomy_core.relspec.errors import RuleError, RuleValidationError


class KindCoverage(msgspec.Struct, frozen=True, kw_only=True):
    """Which rules produce one declared kind of one output dataset."""

    output: str
    kind: str
    rules: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.rules)


class ValidationReport(msgspec.Struct, frozen=True, kw_only=True):
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    coverage: tuple[KindCoverage, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def uncovered(self) -> tuple[KindCoverage, ...]:
        return tuple(c for c in self.coverage if not c.covered)

    def describe(self) -> str:
        lines = [f"rule validation: {len(self.errors)} errors, {len(self.warnings)} warnings"]
        lines += [f"  error: {e}" for e in self.errors]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def raise_for_errors(self) -> None:
        if self.errors:
            raise RuleValidationError(self)


def coverage(
    registry: RuleRegistry, *, declared_kinds: Mapping[str, Sequence[str]]
) -> tuple[KindCoverage, ...]:
    """For every declared (output, kind): the rules producing it (sorted)."""
    out = []
    for output, kinds in sorted(declared_kinds.items()):
        for kind in sorted(kinds):
            rules = tuple(r.name for r in registry if r.output.dataset == output and r.output.kind == kind)
            out.append(KindCoverage(output=output, kind=kind, rules=rules))
    return tuple(out)


def validate(
    registry: RuleRegistry, *, compiler: RuleCompiler, declared_kinds: Mapping[str, Sequence[str]]
) -> ValidationReport:
    """Every problem of the rule set at once (nothing raised; see ``raise_for_errors``)."""
    errors: list[str] = []
    warnings: list[str] = []
    templates = {t.name for t in registry.templates()}
    used_templates: set[str] = set()
    ctx = planning_session(compiler.catalog, {d for r in registry for d in r.inputs if d in compiler.catalog})
    for rule in registry:
        where = f"rule {rule.name!r} (bundle {registry.bundle_of(rule.name)!r})"
        unknown_templates = sorted(set(rule.templates) - templates)
        used_templates.update(rule.templates)
        if unknown_templates:
            errors.append(f"{where}: unknown rule templates {unknown_templates}")
            continue
        missing = [name for name in rule.inputs if name not in compiler.catalog]
        if missing:
            errors.append(f"{where}: inputs {missing} are not datasets of the catalog")
            continue
        kinds = declared_kinds.get(rule.output.dataset)
        if kinds is not None and rule.output.kind not in kinds:
            errors.append(f"{where}: kind {rule.output.kind!r} is not declared for {rule.output.dataset!r}")
            continue
        try:
            handler = compiler.handler(rule)
            projected = [p.column for p in compiler.projection(rule, registry)]
            errors.extend(handler.contract_problems(rule, projected, compiler.catalog))
            compiler.compile_rule(rule, registry, ctx=ctx)
        except RuleError as err:
            errors.append(str(err))
        for template in rule.templates:
            required = registry.template(template).required
            absent = sorted(set(required) - {p.column for p in rule.body.projection})
            if absent:
                errors.append(f"{where}: template {template!r} requires columns {absent}")
        if not rule.description.strip():
            warnings.append(f"{where} has no description")
    for name in sorted(templates - used_templates):
        warnings.append(f"rule template {name!r} is used by no rule")
    covered = coverage(registry, declared_kinds=declared_kinds)
    for entry in covered:
        if not entry.covered:
            errors.append(f"{entry.output} kind {entry.kind!r} is declared but no rule produces it")
    return ValidationReport(errors=tuple(errors), warnings=tuple(sorted(warnings)), coverage=covered)
