"""Kind derivations and contract rows, generated from the rules and the kind registry.

Contract rows extend the contract Structs with the rules covering the kind, so they decode
back into the very same contracts (:func:`node_contract_of`, :func:`edge_contract_of`).
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from codeanatomy_core.cpg.contracts import EdgeContract, KindDerivation, KindRegistry, NodeContract
from codeanatomy_core.cpg.datasets import EDGES, NODES
from codeanatomy_core.cpg.kinds import EntityKind
from codeanatomy_core.relspec.compiler import effective_projection
from codeanatomy_core.relspec.runtime import RelspecRuntime

NODE_CONTRACT_ATTRS = tuple(f.name for f in msgspec.structs.fields(NodeContract))
EDGE_CONTRACT_ATTRS = tuple(f.name for f in msgspec.structs.fields(EdgeContract))
EDGE_ID_RECIPE = "edge_id = combine_ids('edge:{kind}', src, dst)"


class NodeContractRow(NodeContract, frozen=True, kw_only=True, forbid_unknown_fields=True):
    rules: Annotated[tuple[str, ...], msgspec.Meta(description="rules producing the kind (coverage)")]


class EdgeContractRow(EdgeContract, frozen=True, kw_only=True, forbid_unknown_fields=True):
    rules: Annotated[tuple[str, ...], msgspec.Meta(description="rules producing the kind (coverage)")]


def node_contract_of(row: NodeContractRow) -> NodeContract:
    return NodeContract(**{a: getattr(row, a) for a in NODE_CONTRACT_ATTRS})


def edge_contract_of(row: EdgeContractRow) -> EdgeContract:
    return EdgeContract(**{a: getattr(row, a) for a in EDGE_CONTRACT_ATTRS})


def _producers(runtime: RelspecRuntime, dataset: str, kind: str) -> tuple[str, ...]:
    return tuple(r.name for r in runtime.rules_for(dataset) if r.output.kind == kind)


def node_contract_rows(runtime: RelspecRuntime, kinds: KindRegistry) -> list[NodeContractRow]:
    return [
        NodeContractRow(
            **{a: getattr(c, a) for a in NODE_CONTRACT_ATTRS}, rules=_producers(runtime, NODES, str(c.kind))
        )
        for c in kinds.node_contracts()
    ]


def edge_contract_rows(runtime: RelspecRuntime, kinds: KindRegistry) -> list[EdgeContractRow]:
    return [
        EdgeContractRow(
            **{a: getattr(c, a) for a in EDGE_CONTRACT_ATTRS}, rules=_producers(runtime, EDGES, str(c.kind))
        )
        for c in kinds.edge_contracts()
    ]


def derivation_key(derivation: KindDerivation) -> tuple[str, str, str]:
    """The key of registry_cpg_kind_derivations (its stored row order)."""
    return (str(derivation.entity), derivation.kind, derivation.rule)


def derivations(runtime: RelspecRuntime) -> list[KindDerivation]:
    """One derivation per cpg rule: kind, rule, datasets, join keys and id recipe."""
    registry = runtime.registry
    out = []
    for rule in registry:
        if rule.output.dataset not in (NODES, EDGES) or rule.output.kind is None:
            continue
        templates = [
            registry.template(t) for t in rule.templates if t in {x.name for x in registry.templates()}
        ]
        exprs = {p.column: p.expr for p in effective_projection(rule, templates)}
        if rule.output.dataset == NODES:
            entity, recipe = EntityKind.NODE, f"node_id <- {exprs.get('node_id', '?')}"
        else:
            entity = EntityKind.EDGE
            recipe = (
                f"{EDGE_ID_RECIPE.format(kind=rule.output.kind)}; "
                f"src <- {exprs.get('src', '?')}; dst <- {exprs.get('dst', '?')}"
            )
        out.append(
            KindDerivation(
                entity=entity,
                kind=rule.output.kind,
                rule=rule.name,
                bundle=registry.bundle_of(rule.name),
                datasets=rule.inputs,
                join_keys=tuple(f"{j.alias}.{k.right} = {k.left}" for j in rule.body.joins for k in j.keys),
                id_recipe=recipe,
            )
        )
    return out
