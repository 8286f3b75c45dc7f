"""Registry tables of the cpg domain beyond the dataset/field/policy/template tables.

``registry_cpg_bundles`` (the bundle catalog), ``registry_cpg_node_contracts`` and
``registry_cpg_edge_contracts`` (each contract, with the rules covering its kind) and
``registry_cpg_kind_derivations`` (which rule derives which kind, from which datasets, with
which join keys and id recipe). The CPG build loads its contracts from these tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial

import msgspec

from codeanatomy_core.cpg.contracts import KindDerivation
from codeanatomy_core.cpg.derivations import (
    EdgeContractRow,
    NodeContractRow,
    derivations,
    edge_contract_rows,
    node_contract_rows,
)
from codeanatomy_core.cpg.runtime import kinds_of
from codeanatomy_core.registry.relspec_tables import SnapshotSource
from codeanatomy_core.registry.table import RegistryTable, SpecSources
from codeanatomy_core.relspec.rows import BundleRow
from codeanatomy_core.specs.model import Domain

BUNDLES_TABLE = "registry_cpg_bundles"
NODE_CONTRACTS_TABLE = "registry_cpg_node_contracts"
EDGE_CONTRACTS_TABLE = "registry_cpg_edge_contracts"
DERIVATIONS_TABLE = "registry_cpg_kind_derivations"

RowsOf = Callable[[SnapshotSource, SpecSources], Iterable[msgspec.Struct]]


def bundle_rows(source: SnapshotSource, sources: SpecSources) -> tuple[BundleRow, ...]:
    del sources
    return source.get().bundles


def node_contracts(source: SnapshotSource, sources: SpecSources) -> list[NodeContractRow]:
    del sources
    return node_contract_rows(source.runtime, kinds_of(source.runtime))


def edge_contracts(source: SnapshotSource, sources: SpecSources) -> list[EdgeContractRow]:
    del sources
    return edge_contract_rows(source.runtime, kinds_of(source.runtime))


def kind_derivations(source: SnapshotSource, sources: SpecSources) -> list[KindDerivation]:
    del sources
    return derivations(source.runtime)


def coverage_warnings(sources: SpecSources, rows: Sequence[msgspec.Struct]) -> list[str]:
    del sources
    return [
        f"kind {row.kind} is produced by no rule"
        for row in rows
        if isinstance(row, NodeContractRow | EdgeContractRow) and not row.rules
    ]


def cpg_tables(source: SnapshotSource) -> tuple[RegistryTable, ...]:
    def table(
        name: str, row_type: type[msgspec.Struct], rows: RowsOf, key: tuple[str, ...], text: str
    ) -> RegistryTable:
        return RegistryTable(
            name=name,
            describes=Domain.CPG,
            row_type=row_type,
            rows=partial(rows, source),
            key=key,
            description=text,
            checks=coverage_warnings if row_type in (NodeContractRow, EdgeContractRow) else None,
        )

    return (
        table(BUNDLES_TABLE, BundleRow, bundle_rows, ("bundle",), "Every rule bundle: origin, rules, kinds."),
        table(
            NODE_CONTRACTS_TABLE,
            NodeContractRow,
            node_contracts,
            ("kind",),
            "Every node kind: its properties, span requirement and covering rules.",
        ),
        table(
            EDGE_CONTRACTS_TABLE,
            EdgeContractRow,
            edge_contracts,
            ("kind",),
            "Every edge kind: endpoint kinds, properties, winner policy and covering rules.",
        ),
        table(
            DERIVATIONS_TABLE,
            KindDerivation,
            kind_derivations,
            ("entity", "kind", "rule"),
            "Which rule derives each kind, from which datasets, join keys and id recipe.",
        ),
    )
