"""Relationship rules: the model, bundles and discovery, the compiler, validation, snapshot.

Rules are data (:class:`~codeanatomy_core.relspec.model.RuleDefinition`), declared in named
bundles, compiled by per-domain handlers into DataFusion plans with stable fingerprints, and
validated (names, inputs, output contracts, kind coverage) before any build. A
:class:`~codeanatomy_core.relspec.runtime.RelspecRuntime` holds it all and is passed explicitly.
"""
