"""Rows of the relspec snapshot (and of its registry tables); schemas derived by the codec.

:class:`RuleRow` and :class:`TemplateRow` *extend* the spec Structs (every rule or template
field is a column, declared once) with where they were declared, so a row decodes back into
the very same :class:`RuleDefinition` or :class:`RuleTemplate` with :func:`rule_of` and
:func:`template_of`.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from codeanatomy_core.relspec.model import RuleDefinition, RuleTemplate


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


RULE_ATTRS = tuple(f.name for f in msgspec.structs.fields(RuleDefinition))
TEMPLATE_ATTRS = tuple(f.name for f in msgspec.structs.fields(RuleTemplate))


class RuleRow(RuleDefinition, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One rule definition and where it was declared."""

    bundle: Annotated[str, _doc("bundle declaring the rule")]
    place: Annotated[str, _doc("module.function declaring the rule")]


class TemplateRow(RuleTemplate, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One rule template, where it was declared and the rules using it."""

    bundle: Annotated[str, _doc("bundle declaring the template")]
    place: Annotated[str, _doc("module declaring the template")]
    used_by: Annotated[tuple[str, ...], _doc("rules applying the template")]


class RuleDiagnosticRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The compiled form of one rule, and what validation says about it."""

    rule: Annotated[str, _doc("rule name")]
    bundle: Annotated[str, _doc("bundle declaring the rule")]
    output: Annotated[str, _doc("dataset the rule writes")]
    kind: Annotated[str | None, _doc("kind the rule produces")]
    sql: Annotated[str, _doc("the compiled query")]
    fingerprint: Annotated[str | None, _doc("sha256 of the optimized logical plan; null if it does not plan")]
    errors: Annotated[tuple[str, ...], _doc("validation errors about the rule")]
    warnings: Annotated[tuple[str, ...], _doc("validation warnings about the rule")]


class TemplateDiagnosticRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    template: Annotated[str, _doc("template name")]
    used_by: Annotated[int, _doc("number of rules applying it")]
    errors: Annotated[tuple[str, ...], _doc("validation errors naming the template")]
    warnings: Annotated[tuple[str, ...], _doc("validation warnings naming the template")]


class BundleRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One discovered rule bundle."""

    bundle: Annotated[str, _doc("bundle name")]
    origin: Annotated[str, _doc("builtin, entry_point:<name> or contracts")]
    module: Annotated[str, _doc("module (or entry point value) it came from")]
    description: Annotated[str, _doc("what the bundle's rules derive")]
    rules: Annotated[tuple[str, ...], _doc("its rules, sorted")]
    templates: Annotated[tuple[str, ...], _doc("its rule templates, sorted")]
    kinds: Annotated[tuple[str, ...], _doc("kinds its rules produce, sorted")]


class IncrementalRow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one dataset read or written by rules is scoped by file (drives incremental builds)."""

    dataset: Annotated[str, _doc("dataset name")]
    role: Annotated[str, _doc("input (read by rules) or output (written by the build)")]
    file_id_column: Annotated[str | None, _doc("column scoping rows to a file; null if not file-scoped")]
    key: Annotated[tuple[str, ...], _doc("the dataset's key columns (its output contract)")]
    rules: Annotated[tuple[str, ...], _doc("rules reading (input) or producing (output) it")]
    global_rules: Annotated[tuple[str, ...], _doc("those of the rules that are not file-local")]


def rule_of(row: RuleRow) -> RuleDefinition:
    """The rule definition a row stores (equal to the one it was made from)."""
    return RuleDefinition(**{a: getattr(row, a) for a in RULE_ATTRS})


def template_of(row: TemplateRow) -> RuleTemplate:
    return RuleTemplate(**{a: getattr(row, a) for a in TEMPLATE_ATTRS})


def rule_row(rule: RuleDefinition, *, bundle: str, place: str) -> RuleRow:
    return RuleRow(**{a: getattr(rule, a) for a in RULE_ATTRS}, bundle=bundle, place=place)
