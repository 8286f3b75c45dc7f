"""Relspec and cpg registry tables back into specs: rules, templates, contracts, derivations.

``decode_*`` work on decoded rows (from memory or Delta) and give the very same objects the
generators were made from: rule definitions and templates (and a rule registry grouping them
by bundle), node and edge contracts (and a kind registry), kind derivations.
"""

from __future__ import annotations

from collections.abc import Iterable

from codeanatomy_core.cpg.contracts import EdgeContract, KindDerivation, KindRegistry, NodeContract
from codeanatomy_core.cpg.derivations import (
    EdgeContractRow,
    NodeContractRow,
    edge_contract_of,
    node_contract_of,
)
from codeanatomy_core.relspec.bundles import RuleBundle, RuleRegistry
from codeanatomy_core.relspec.model import RuleDefinition, RuleTemplate
from codeanatomy_core.relspec.rows import RuleRow, TemplateRow, rule_of, template_of


def decode_rules(rows: Iterable[RuleRow]) -> tuple[RuleDefinition, ...]:
    return tuple(rule_of(row) for row in rows)


def decode_templates(rows: Iterable[TemplateRow]) -> tuple[RuleTemplate, ...]:
    return tuple(template_of(row) for row in rows)


def decode_rule_registry(rules: Iterable[RuleRow], templates: Iterable[TemplateRow]) -> RuleRegistry:
    """The rule registry the rows describe: bundles rebuilt with each rule at its place."""
    bundles: dict[str, RuleBundle] = {}

    def bundle(name: str, place: str) -> RuleBundle:
        if name not in bundles:
            bundles[name] = RuleBundle(name, place=place.rpartition(".")[0] or place)
        return bundles[name]

    for template in templates:
        bundle(template.bundle, template.place).template(template_of(template), place=template.place)
    for row in rules:
        bundle(row.bundle, row.place).add(rule_of(row), place=row.place)
    return RuleRegistry(bundles.values())


def decode_node_contracts(rows: Iterable[NodeContractRow]) -> tuple[NodeContract, ...]:
    return tuple(node_contract_of(row) for row in rows)


def decode_edge_contracts(rows: Iterable[EdgeContractRow]) -> tuple[EdgeContract, ...]:
    return tuple(edge_contract_of(row) for row in rows)


def decode_kinds(nodes: Iterable[NodeContractRow], edges: Iterable[EdgeContractRow]) -> KindRegistry:
    return KindRegistry(nodes=decode_node_contracts(nodes), edges=decode_edge_contracts(edges))


def decode_derivations(rows: Iterable[KindDerivation]) -> tuple[KindDerivation, ...]:
    return tuple(rows)
