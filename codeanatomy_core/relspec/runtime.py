"""The composition root of the rule layer: config, rule registry, compiler and policies.

A :class:`RelspecRuntime` is built once (``codeanatomy_core.cpg.runtime.default_runtime``
for the built-in graph) and passed explicitly to whatever compiles, validates, snapshots or
runs rules; nothing here is global. Compiling and validating are done once per runtime.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import msgspec

from codeanatomy_core.relspec.bundles import RuleRegistry
from codeanatomy_core.relspec.compiler import CompiledRuleSet, DomainHandler, RuleCompiler
from codeanatomy_core.relspec.discovery import BUILTIN_BUNDLE_MODULES, BundleSource, discover
from codeanatomy_core.relspec.model import RuleDefinition
from codeanatomy_core.relspec.synthesis import SYNTHESIZED_BUNDLE, synthesize_rules
from codeanatomy_core.relspec.validation import ValidationReport, validate
from codeanatomy_core.specs.catalog import SpecCatalog


class RelspecConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where rules come from: built-in modules, entry-point extensions, dataset contracts."""

    modules: tuple[str, ...] = BUILTIN_BUNDLE_MODULES
    extensions: bool = True
    synthesize: bool = True


DEFAULT_CONFIG = RelspecConfig()


class RulePolicies(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the rule set must satisfy: the kinds each output declares (coverage)."""

    declared_kinds: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True, kw_only=True, eq=False)
class RelspecRuntime:
    config: RelspecConfig
    registry: RuleRegistry
    sources: tuple[BundleSource, ...]
    compiler: RuleCompiler
    policies: RulePolicies
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def catalog(self) -> SpecCatalog:
        return self.compiler.catalog

    def compiled(self) -> CompiledRuleSet:
        """Every rule compiled (once), with plan fingerprints and the graph signature."""
        if "compiled" not in self._cache:
            self._cache["compiled"] = self.compiler.compile_all(self.registry)
        result = self._cache["compiled"]
        assert isinstance(result, CompiledRuleSet)
        return result

    def validation(self) -> ValidationReport:
        if "validation" not in self._cache:
            self._cache["validation"] = validate(
                self.registry, compiler=self.compiler, declared_kinds=self.policies.declared_kinds
            )
        result = self._cache["validation"]
        assert isinstance(result, ValidationReport)
        return result

    def require_valid(self) -> None:
        """Raise RuleValidationError (with the whole report) when validation found errors."""
        self.validation().raise_for_errors()

    def with_registry(self, registry: RuleRegistry) -> RelspecRuntime:
        """The same runtime over another rule set (rules loaded from registry tables, what-ifs)."""
        return RelspecRuntime(
            config=self.config,
            registry=registry,
            sources=self.sources,
            compiler=self.compiler,
            policies=self.policies,
        )

    def with_rule(self, rule: RuleDefinition) -> RelspecRuntime:
        return self.with_registry(self.registry.replace(rule))

    def rules_for(self, dataset: str) -> tuple[RuleDefinition, ...]:
        return tuple(r for r in self.registry if r.output.dataset == dataset)


def synthesized_source() -> BundleSource:
    return BundleSource(bundle=SYNTHESIZED_BUNDLE, origin="contracts", module=__name__)


def build_runtime(
    catalog: SpecCatalog,
    *,
    handlers: Iterable[DomainHandler],
    declared_kinds: Mapping[str, Iterable[str]],
    config: RelspecConfig = DEFAULT_CONFIG,
) -> RelspecRuntime:
    """Discover the bundles, add the rules dataset contracts declare, set up the compiler."""
    registry, sources = _discovered(config.modules, config.extensions)
    if config.synthesize:
        synthesized = synthesize_rules(catalog)
        if synthesized:
            registry = registry.with_rules(synthesized, bundle=SYNTHESIZED_BUNDLE, place=__name__)
            sources = tuple(sorted((*sources, synthesized_source()), key=lambda s: s.bundle))
    return RelspecRuntime(
        config=config,
        registry=registry,
        sources=sources,
        compiler=RuleCompiler(catalog=catalog, handlers=handlers),
        policies=RulePolicies(
            declared_kinds={k: tuple(sorted(v)) for k, v in sorted(declared_kinds.items())}
        ),
    )


@functools.cache
def _discovered(modules: tuple[str, ...], extensions: bool) -> tuple[RuleRegistry, tuple[BundleSource, ...]]:
    return discover(modules=modules, extensions=extensions)
