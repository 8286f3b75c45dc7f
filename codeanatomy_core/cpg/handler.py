"""The compiler handler of the cpg domain: rule rows for cpg_nodes and cpg_edges.

A node rule projects ``node_id`` and any of the standard node columns, plus the properties
its kind's contract declares; an edge rule projects ``src`` and ``dst`` and any of the
standard edge columns plus the edge contract's properties. The handler fixes the column
order and SQL types of those rows; the builder adds kind, rule, path and ids.
"""

from __future__ import annotations

from collections.abc import Sequence

from codeanatomy_core.cpg.contracts import KindRegistry, PropSpec
from codeanatomy_core.cpg.datasets import EDGES, NODES
from codeanatomy_core.cpg.kinds import PropType
from codeanatomy_core.errors import CatalogError
from codeanatomy_core.relspec.compiler import CONFIDENCE, ORIGIN, DomainHandler, OutputColumn
from codeanatomy_core.relspec.model import RuleDefinition, RuleDomain
from codeanatomy_core.specs.catalog import SpecCatalog

PROP_SQL = {
    PropType.STRING: "VARCHAR",
    PropType.INT: "BIGINT",
    PropType.FLOAT: "DOUBLE",
    PropType.BOOL: "BOOLEAN",
}

NODE_COLUMNS = (
    OutputColumn(name="node_id", sql_type="BIGINT", nullable=False),
    OutputColumn(name="file_id", sql_type="BIGINT"),
    OutputColumn(name="bstart", sql_type="BIGINT"),
    OutputColumn(name="bend", sql_type="BIGINT"),
    OutputColumn(name="start_line", sql_type="INT"),
    OutputColumn(name="end_line", sql_type="INT"),
    OutputColumn(name="name", sql_type="VARCHAR"),
    OutputColumn(name="qualified_name", sql_type="VARCHAR"),
)

EDGE_COLUMNS = (
    OutputColumn(name="src", sql_type="BIGINT", nullable=False),
    OutputColumn(name="dst", sql_type="BIGINT", nullable=False),
    OutputColumn(name="file_id", sql_type="BIGINT"),
    OutputColumn(name=ORIGIN, sql_type="VARCHAR", nullable=False),
    OutputColumn(name="resolution_method", sql_type="VARCHAR", nullable=False),
    OutputColumn(name=CONFIDENCE, sql_type="DOUBLE", nullable=False),
    OutputColumn(name="score", sql_type="DOUBLE"),
    OutputColumn(name="ambiguity_group", sql_type="BIGINT"),
)

SPAN = ("bstart", "bend")


def prop_columns(props: Sequence[PropSpec]) -> tuple[OutputColumn, ...]:
    return tuple(OutputColumn(name=p.name, sql_type=PROP_SQL[p.type]) for p in props)


class CpgHandler(DomainHandler):
    """Rules of the cpg domain, checked against the kind registry's contracts."""

    domain = RuleDomain.CPG

    def __init__(self, kinds: KindRegistry) -> None:
        self.kinds = kinds

    def _standard_and_props(
        self, rule: RuleDefinition
    ) -> tuple[tuple[OutputColumn, ...], tuple[PropSpec, ...]]:
        kind = rule.output.kind or ""
        if rule.output.dataset == NODES:
            return NODE_COLUMNS, self.kinds.node(kind).props
        if rule.output.dataset == EDGES:
            return EDGE_COLUMNS, self.kinds.edge(kind).props
        raise CatalogError(
            f"rule {rule.name!r}: cpg rules write to {NODES} or {EDGES}, not {rule.output.dataset!r}"
        )

    def output_columns(self, rule: RuleDefinition, catalog: SpecCatalog) -> tuple[OutputColumn, ...]:
        del catalog
        standard, props = self._standard_and_props(rule)
        return standard + prop_columns(props)

    def contract_problems(
        self, rule: RuleDefinition, projected: Sequence[str], catalog: SpecCatalog
    ) -> list[str]:
        del catalog
        where = f"rule {rule.name!r} ({rule.output.dataset} {rule.output.kind})"
        try:
            standard, props = self._standard_and_props(rule)
        except CatalogError as err:
            return [str(err)]
        have = set(projected)
        problems = []
        required = [c.name for c in standard if not c.nullable and c.name not in (CONFIDENCE, ORIGIN)]
        required += [p.name for p in self._required(rule)]
        if rule.output.dataset == NODES and self.kinds.node(rule.output.kind or "").requires_span:
            required += list(SPAN)
        missing = sorted(set(required) - have)
        if missing:
            problems.append(f"{where}: required columns {missing} are not projected")
        unknown = sorted(have - {c.name for c in standard} - {p.name for p in props} - {CONFIDENCE, ORIGIN})
        if unknown:
            problems.append(
                f"{where}: columns {unknown} are neither standard columns nor contract properties"
            )
        return problems

    def _required(self, rule: RuleDefinition) -> tuple[PropSpec, ...]:
        kind = rule.output.kind or ""
        if rule.output.dataset == NODES:
            return self.kinds.node(kind).required
        return self.kinds.edge(kind).required
