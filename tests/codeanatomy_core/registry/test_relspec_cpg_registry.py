"""The relspec and cpg registry tables: schemas, exact round trips, decoders, parity, freshness."""

from __future__ import annotations

from typing import Any

import pytest

from codeanatomy_core.cpg.contracts import KindDerivation
from codeanatomy_core.cpg.declared import builtin_kinds
from codeanatomy_core.cpg.derivations import EdgeContractRow, NodeContractRow, derivations
from codeanatomy_core.cpg.runtime import default_runtime
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.pipeline.runner import run_pipeline
from codeanatomy_core.registry.catalog import is_registry_step, registry_of
from codeanatomy_core.registry.cpg_tables import (
    BUNDLES_TABLE,
    DERIVATIONS_TABLE,
    EDGE_CONTRACTS_TABLE,
    NODE_CONTRACTS_TABLE,
)
from codeanatomy_core.registry.decode import load_rows, typed_rows
from codeanatomy_core.registry.normalize_tables import RULE_FAMILIES_TABLE, RuleFamilyRow
from codeanatomy_core.registry.relspec_decode import (
    decode_derivations,
    decode_edge_contracts,
    decode_kinds,
    decode_node_contracts,
    decode_rule_registry,
    decode_rules,
    decode_templates,
)
from codeanatomy_core.registry.relspec_tables import (
    INCREMENTAL_TABLE,
    RULE_DIAGNOSTICS_TABLE,
    RULE_TEMPLATES_TABLE,
    RULES_TABLE,
    TEMPLATE_DIAGNOSTICS_TABLE,
)
from codeanatomy_core.relspec.rows import IncrementalRow, RuleRow, TemplateRow
from codeanatomy_core.source.config import RepositoryConfig
from codeanatomy_core.specs.schema import SPEC_KIND_KEY
from codeanatomy_core.specs.signature import signature

NEW_TABLES = (
    BUNDLES_TABLE,
    RULE_FAMILIES_TABLE,
    DERIVATIONS_TABLE,
    EDGE_CONTRACTS_TABLE,
    INCREMENTAL_TABLE,
    NODE_CONTRACTS_TABLE,
    RULE_DIAGNOSTICS_TABLE,
    RULE_TEMPLATES_TABLE,
    RULES_TABLE,
    TEMPLATE_DIAGNOSTICS_TABLE,
)


@pytest.fixture(scope="module")
def steps() -> StepRegistry:
    return default_steps()


def base_catalog(steps: StepRegistry) -> Any:
    return StepRegistry(s for s in steps if not is_registry_step(s) and s.name != "cpg").catalog


@pytest.mark.parametrize("name", NEW_TABLES)
def test_tables_round_trip_exactly_with_spec_kind_metadata(steps: StepRegistry, name: str) -> None:
    registry = registry_of(steps)
    table = registry.table(name)
    rows = registry.rows(name)
    assert rows, name
    encoded = table.encode(rows)
    assert encoded.schema.metadata[SPEC_KIND_KEY.encode()] == name.encode()
    assert table.decode(encoded) == rows
    assert steps.catalog.get(name) == table.spec


def test_rules_and_templates_decode_into_the_same_objects(steps: StepRegistry) -> None:
    registry = registry_of(steps)
    runtime = default_runtime(base_catalog(steps))
    rules = [r for r in registry.rows(RULES_TABLE) if isinstance(r, RuleRow)]
    templates = [t for t in registry.rows(RULE_TEMPLATES_TABLE) if isinstance(t, TemplateRow)]
    assert decode_rules(rules) == tuple(runtime.registry)
    assert decode_templates(templates) == runtime.registry.templates()
    rebuilt = decode_rule_registry(rules, templates)
    assert tuple(rebuilt) == tuple(runtime.registry)
    assert [b.name for b in rebuilt.bundles()] == [b.name for b in runtime.registry.bundles()]
    assert all(rebuilt.declared[n] == runtime.registry.declared[n] for n in rebuilt.names())


def test_contracts_and_derivations_decode_into_the_same_objects(steps: StepRegistry) -> None:
    registry = registry_of(steps)
    kinds = builtin_kinds()
    nodes = [r for r in registry.rows(NODE_CONTRACTS_TABLE) if isinstance(r, NodeContractRow)]
    edges = [r for r in registry.rows(EDGE_CONTRACTS_TABLE) if isinstance(r, EdgeContractRow)]
    assert decode_node_contracts(nodes) == kinds.node_contracts()
    assert decode_edge_contracts(edges) == kinds.edge_contracts()
    decoded = decode_kinds(nodes, edges)
    assert (
        decoded.node_contracts() == kinds.node_contracts()
        and decoded.edge_contracts() == kinds.edge_contracts()
    )
    assert all(row.rules for row in nodes) and all(row.rules for row in edges), "every kind is covered"
    runtime = default_runtime(base_catalog(steps))
    stored = typed_rows(registry.rows(DERIVATIONS_TABLE), KindDerivation)
    assert decode_derivations(stored) == tuple(
        sorted(derivations(runtime), key=lambda d: (d.entity, d.kind, d.rule))
    )


def test_derivations_document_the_id_recipes(steps: StepRegistry) -> None:
    derived = typed_rows(registry_of(steps).rows(DERIVATIONS_TABLE), KindDerivation)
    rows = {(d.kind, d.rule): d for d in derived}
    module = rows[("MODULE", "module_nodes")]
    assert module.id_recipe == "node_id <- derive_id(f.file_id, 'ast', 0)"
    assert module.join_keys == ("m.file_id = f.file_id", "m.ordinal = 0")
    assert module.datasets == ("ast_nodes", "source_files")
    calls = rows[("AST_CHILD", "ast_child_edges")]
    assert (
        calls.id_recipe
        == "edge_id = combine_ids('edge:AST_CHILD', src, dst); src <- n.parent_id; dst <- n.node_id"
    )


def test_incremental_spec_lists_file_scoped_inputs(steps: StepRegistry) -> None:
    rows = {
        (r.dataset, r.role): r for r in typed_rows(registry_of(steps).rows(INCREMENTAL_TABLE), IncrementalRow)
    }
    assert rows[("ast_nodes", "input")].file_id_column == "file_id"
    assert "ast_child_edges" in rows[("ast_nodes", "input")].rules
    assert rows[("cpg_nodes", "output")].key == ("node_id",)
    syntax = {"ast_child_edges", "name_ref_nodes", "has_parameter_edges", "call_nodes"}
    assert not syntax & set(rows[("ast_nodes", "input")].global_rules)  # joins bound to the file
    edges = rows[("cpg_edges", "output")]
    assert {"calls_edges", "package_contains_module", "references_edges"} <= set(edges.global_rules)
    assert "ast_child_edges" in edges.rules and "ast_child_edges" not in edges.global_rules
    externals = rows[("cpg_nodes", "output")].global_rules
    assert "external_call_targets" in externals  # rows of no file


def test_stored_tables_equal_the_generators_and_are_not_rewritten(
    steps: StepRegistry, warehouse: Any, version_probe: Any, tmp_path: Any
) -> None:
    registry = registry_of(steps)
    names = {s.name for s in steps if is_registry_step(s)}
    repository = RepositoryConfig(root=str(tmp_path))
    first = run_pipeline(steps, repository=repository, warehouse=warehouse, only=names)
    assert all(r.written for r in first.values())
    for table in registry:
        assert load_rows(table, warehouse=warehouse) == registry.rows(table.name), table.name
    specs = [registry.table(n).spec for n in registry.names()]
    before = version_probe(warehouse, specs)
    again = run_pipeline(steps, repository=repository, warehouse=warehouse, only=names)
    assert not any(r.written for r in again.values())
    assert version_probe(warehouse, specs) == before
    forced = run_pipeline(steps, repository=repository, warehouse=warehouse, only=names, force=True)
    assert all(r.written for r in forced.values())
    after = version_probe(warehouse, specs)
    assert all(after[n] == (before[n] or 0) + 1 for n in registry.names())


def test_registry_signatures_list_the_new_tables(steps: StepRegistry) -> None:
    registry = registry_of(steps)
    listed = {row.registry: row.signature for row in registry.rows("registry_signatures")}  # type: ignore[attr-defined]
    for name in NEW_TABLES:
        assert listed[name] == registry.signature(name) == steps.signatures()[name]
    assert signature(registry.rows(RULES_TABLE)) != signature(registry.rows(RULE_DIAGNOSTICS_TABLE))


def test_rule_families_show_how_normalize_tables_reach_the_graph(steps: StepRegistry) -> None:
    registry = registry_of(steps)
    rows = {r.family: r for r in registry.rows(RULE_FAMILIES_TABLE) if isinstance(r, RuleFamilyRow)}
    assert {"call_targets", "class_bases", "definitions", "imports", "name_refs", "ref_bindings"} <= set(rows)
    calls = rows["call_targets"]
    assert "calls_edges" in calls.rules and "CALLS" in calls.kinds
    assert {"import", "flow", "builtin", "external"} <= set(calls.methods)
    assert rows["definitions"].file_id_column == "file_id"
    assert registry.table(RULE_FAMILIES_TABLE).describes == "normalize"
