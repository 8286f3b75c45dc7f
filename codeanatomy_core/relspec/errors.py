"""Errors of the relationship-rule layer (all derive from CodeAnatomyError)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from codeanatomy_core.errors import CatalogError, CodeAnatomyError

if TYPE_CHECKING:
    from codeanatomy_core.relspec.validation import ValidationReport


class RuleError(CodeAnatomyError):
    """A rule is malformed, or cannot be compiled or run (the message names the rule)."""


class BundleError(CatalogError):
    """A bundle or rule name is declared twice, or a bundle cannot be loaded (names both places)."""


class RuleValidationError(RuleError):
    """Validation found errors: the build stops with the whole report."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(report.describe())
        self.report = report
