"""The runtime of the built-in graph: discovered rules, the kind registry and the compiler."""

from __future__ import annotations

from codeanatomy_core.cpg.contracts import KindRegistry
from codeanatomy_core.cpg.datasets import EDGES, NODES
from codeanatomy_core.cpg.declared import builtin_kinds
from codeanatomy_core.cpg.handler import CpgHandler
from codeanatomy_core.errors import CatalogError
from codeanatomy_core.relspec.compiler import DatasetHandler
from codeanatomy_core.relspec.model import RuleDomain
from codeanatomy_core.relspec.runtime import DEFAULT_CONFIG, RelspecConfig, RelspecRuntime, build_runtime
from codeanatomy_core.specs.catalog import SpecCatalog


def default_runtime(
    catalog: SpecCatalog, *, config: RelspecConfig = DEFAULT_CONFIG, kinds: KindRegistry | None = None
) -> RelspecRuntime:
    """Rules of every domain over ``catalog`` (the datasets rules may read), built once."""
    kinds = kinds or builtin_kinds()
    return build_runtime(
        catalog,
        handlers=[
            DatasetHandler(RuleDomain.EXTRACT),
            DatasetHandler(RuleDomain.NORMALIZE),
            CpgHandler(kinds),
        ],
        declared_kinds={NODES: kinds.node_kinds(), EDGES: kinds.edge_kinds()},
        config=config,
    )


def kinds_of(runtime: RelspecRuntime) -> KindRegistry:
    """The kind registry the runtime's cpg handler checks rules against."""
    handler = runtime.compiler.handlers.get(RuleDomain.CPG)
    if not isinstance(handler, CpgHandler):
        raise CatalogError("the runtime has no cpg handler")
    return handler.kinds
