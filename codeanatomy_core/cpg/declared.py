"""The built-in kind registry: the contract of every declared node and edge kind."""

from __future__ import annotations

from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.declared_edges import EDGE_CONTRACTS
from codeanatomy_core.cpg.declared_nodes import NODE_CONTRACTS


def builtin_kinds() -> KindRegistry:
    return KindRegistry(nodes=NODE_CONTRACTS, edges=EDGE_CONTRACTS)
