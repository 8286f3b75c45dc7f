"""Kind contracts and derivations: what a node or edge of each kind carries, and which rule makes it.

A :class:`NodeContract` lists the properties of a node kind (required and optional, typed)
and whether its nodes need a source span; an :class:`EdgeContract` also names the node
kinds its endpoints may have and whether one winner is kept per ambiguity group. A
:class:`KindDerivation` (generated from the rules) says which rule produces a kind, from
which datasets, with which join keys and id recipe. The :class:`KindRegistry` holds the
contracts, sorted by kind, and is what the CPG compiler handler and builder consult.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import msgspec

from codeanatomy_core.cpg.kinds import EdgeKind, EntityKind, NodeKind, PropType
from codeanatomy_core.errors import CatalogError


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class PropSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, _doc("property key (a column of the producing rule)")]
    type: Annotated[PropType, _doc("value type: string, int, float or bool")]
    description: Annotated[str, _doc("what the value means")] = ""


class NodeContract(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    kind: Annotated[NodeKind, _doc("node kind")]
    description: Annotated[str, _doc("what one node of the kind is")]
    required: Annotated[tuple[PropSpec, ...], _doc("properties every rule must project")] = ()
    optional: Annotated[tuple[PropSpec, ...], _doc("properties rules may project")] = ()
    requires_span: Annotated[bool, _doc("nodes carry a byte span in their file")] = False

    @property
    def props(self) -> tuple[PropSpec, ...]:
        return (*self.required, *self.optional)


class EdgeContract(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    kind: Annotated[EdgeKind, _doc("edge kind")]
    description: Annotated[str, _doc("what one edge of the kind says")]
    src_kinds: Annotated[tuple[NodeKind, ...], _doc("node kinds a source may have")]
    dst_kinds: Annotated[tuple[NodeKind, ...], _doc("node kinds a destination may have")]
    required: Annotated[tuple[PropSpec, ...], _doc("properties every rule must project")] = ()
    optional: Annotated[tuple[PropSpec, ...], _doc("properties rules may project")] = ()
    select_winner: Annotated[bool, _doc("keep only the best candidate of each ambiguity group")] = False

    @property
    def props(self) -> tuple[PropSpec, ...]:
        return (*self.required, *self.optional)


class KindDerivation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one rule derives one kind."""

    entity: Annotated[EntityKind, _doc("node or edge")]
    kind: Annotated[str, _doc("the node or edge kind")]
    rule: Annotated[str, _doc("rule producing it")]
    bundle: Annotated[str, _doc("bundle declaring the rule")]
    datasets: Annotated[tuple[str, ...], _doc("datasets the rule reads")]
    join_keys: Annotated[tuple[str, ...], _doc("join conditions, alias.column = expression")]
    id_recipe: Annotated[str, _doc("how the entity id is made")]


def _check_props(kind: str, props: Iterable[PropSpec]) -> None:
    seen: set[str] = set()
    for prop in props:
        if not prop.name.isidentifier():
            raise CatalogError(f"kind {kind}: property name {prop.name!r} is not an identifier")
        if prop.name in seen:
            raise CatalogError(f"kind {kind}: property {prop.name!r} is declared twice")
        seen.add(prop.name)


class KindRegistry:
    """The node and edge contracts of the graph: one per declared kind, sorted by kind."""

    __slots__ = ("edges", "nodes")

    def __init__(self, *, nodes: Iterable[NodeContract], edges: Iterable[EdgeContract]) -> None:
        node_map: dict[NodeKind, NodeContract] = {}
        for contract in nodes:
            if contract.kind in node_map:
                raise CatalogError(f"node kind {contract.kind} has two contracts")
            _check_props(contract.kind, contract.props)
            node_map[contract.kind] = contract
        edge_map: dict[EdgeKind, EdgeContract] = {}
        for edge in edges:
            if edge.kind in edge_map:
                raise CatalogError(f"edge kind {edge.kind} has two contracts")
            _check_props(edge.kind, edge.props)
            unknown = sorted(set(edge.src_kinds + edge.dst_kinds) - set(node_map))
            if unknown:
                raise CatalogError(f"edge kind {edge.kind} names node kinds {unknown} without a contract")
            edge_map[edge.kind] = edge
        self.nodes = dict(sorted(node_map.items()))
        self.edges = dict(sorted(edge_map.items()))

    def node(self, kind: str) -> NodeContract:
        try:
            return self.nodes[NodeKind(kind)]
        except (KeyError, ValueError):
            raise CatalogError(f"no node contract for kind {kind!r}") from None

    def edge(self, kind: str) -> EdgeContract:
        try:
            return self.edges[EdgeKind(kind)]
        except (KeyError, ValueError):
            raise CatalogError(f"no edge contract for kind {kind!r}") from None

    def node_kinds(self) -> tuple[str, ...]:
        return tuple(str(k) for k in self.nodes)

    def edge_kinds(self) -> tuple[str, ...]:
        return tuple(str(k) for k in self.edges)

    def node_contracts(self) -> tuple[NodeContract, ...]:
        return tuple(self.nodes.values())

    def edge_contracts(self) -> tuple[EdgeContract, ...]:
        return tuple(self.edges.values())

    def missing_contracts(self) -> tuple[str, ...]:
        """Enum members without a contract (every declared kind must have one)."""
        return tuple(
            [f"node {k}" for k in NodeKind if k not in self.nodes]
            + [f"edge {k}" for k in EdgeKind if k not in self.edges]
        )
