"""The rule compiler: per-domain handlers turn rules into DataFusion plans.

A rule's final query is ``SELECT`` of its projection (rule templates' defaults filled in,
the confidence policy applied) from its source and joins under its filters, ranked by its
winner selection, then cast to the output columns its domain handler gives. Plans are made
on a *planning session* whose input tables are empty tables with the catalog's schemas, so
a plan's fingerprint (sha256 of the normalised optimized logical plan) depends on specs and
rules only, never on data. The set of fingerprints has one graph signature.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence

import datafusion
import msgspec
import pyarrow as pa

from codeanatomy_core.engine.plans import plan_fingerprint
from codeanatomy_core.engine.session import plain_types
from codeanatomy_core.errors import CatalogError
from codeanatomy_core.relspec.bundles import RuleRegistry
from codeanatomy_core.relspec.errors import RuleError
from codeanatomy_core.relspec.model import Projection, RuleDefinition, RuleDomain, RuleTemplate
from codeanatomy_core.relspec.sql import cast_sql, literal, select_sql, winner_sql
from codeanatomy_core.relspec.udfs import register_udfs
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.schema import arrow_schema, empty_table
from codeanatomy_core.specs.signature import combine_signatures

CONFIDENCE = "confidence"
ORIGIN = "origin"

_SQL_TYPES: dict[pa.DataType, str] = {
    pa.bool_(): "BOOLEAN",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INT",
    pa.int64(): "BIGINT",
    pa.uint32(): "INT UNSIGNED",
    pa.uint64(): "BIGINT UNSIGNED",
    pa.float32(): "REAL",
    pa.float64(): "DOUBLE",
    pa.string(): "VARCHAR",
}


class OutputColumn(msgspec.Struct, frozen=True, kw_only=True):
    """One column every rule of a target produces: name, SQL type, whether it may be null."""

    name: str
    sql_type: str
    nullable: bool = True


def sql_type(dtype: pa.DataType, *, where: str) -> str:
    try:
        return _SQL_TYPES[dtype]
    except KeyError:
        raise RuleError(f"{where}: type {dtype} has no SQL cast in rule outputs") from None


class DomainHandler(ABC):
    """Compiles the rules of one domain: their output columns and their contract checks."""

    domain: RuleDomain

    @abstractmethod
    def output_columns(self, rule: RuleDefinition, catalog: SpecCatalog) -> tuple[OutputColumn, ...]:
        """Columns (in order) of the rows the rule produces."""

    @abstractmethod
    def contract_problems(
        self, rule: RuleDefinition, projected: Sequence[str], catalog: SpecCatalog
    ) -> list[str]:
        """Why the rule's projected columns do not satisfy its target contract ([] if they do)."""


class DatasetHandler(DomainHandler):
    """Rules whose output is a catalog dataset of their own domain (extract, normalize)."""

    def __init__(self, domain: RuleDomain) -> None:
        self.domain = domain

    def output_columns(self, rule: RuleDefinition, catalog: SpecCatalog) -> tuple[OutputColumn, ...]:
        spec = catalog.get(rule.output.dataset)
        return tuple(
            OutputColumn(
                name=f.name, sql_type=sql_type(f.type, where=f"rule {rule.name!r}"), nullable=f.nullable
            )
            for f in arrow_schema(spec)
        )

    def contract_problems(
        self, rule: RuleDefinition, projected: Sequence[str], catalog: SpecCatalog
    ) -> list[str]:
        name = rule.output.dataset
        if name not in catalog:
            return [f"rule {rule.name!r}: output dataset {name!r} is not in the catalog"]
        spec = catalog.get(name)
        problems = []
        if str(spec.domain) != str(self.domain):
            problems.append(
                f"rule {rule.name!r}: output {name!r} is a {spec.domain} dataset, not {self.domain}"
            )
        unknown = sorted(set(projected) - set(spec.field_names))
        if unknown:
            problems.append(f"rule {rule.name!r}: columns {unknown} are not fields of {name!r}")
        missing = sorted(f.name for f in spec.fields if not f.nullable and f.name not in projected)
        if missing:
            problems.append(f"rule {rule.name!r}: required columns {missing} of {name!r} are not projected")
        return problems


class CompiledRule(msgspec.Struct, frozen=True, kw_only=True):
    rule: str
    domain: RuleDomain
    output: str
    kind: str | None
    priority: int
    inputs: tuple[str, ...]
    columns: tuple[str, ...]
    reads: dict[str, tuple[str, ...]]
    sql: str
    fingerprint: str


class CompiledRuleSet(msgspec.Struct, frozen=True, kw_only=True):
    rules: tuple[CompiledRule, ...]
    graph_signature: str

    def get(self, name: str) -> CompiledRule:
        for rule in self.rules:
            if rule.rule == name:
                return rule
        raise RuleError(f"no compiled rule named {name!r}")

    def for_output(self, dataset: str) -> tuple[CompiledRule, ...]:
        return tuple(r for r in self.rules if r.output == dataset)

    def fingerprints(self) -> dict[str, str]:
        return {r.rule: r.fingerprint for r in self.rules}

    def reads(self) -> dict[str, tuple[str, ...]]:
        """The columns every rule together reads, per input dataset (what to load)."""
        out: dict[str, set[str]] = {}
        for rule in self.rules:
            for dataset, columns in rule.reads.items():
                out.setdefault(dataset, set()).update(columns)
        return {name: tuple(sorted(columns)) for name, columns in sorted(out.items())}


def graph_signature(fingerprints: Mapping[str, str]) -> str:
    """One signature over every rule's plan fingerprint (by rule name)."""
    return combine_signatures(fingerprints)


def effective_projection(rule: RuleDefinition, templates: Sequence[RuleTemplate]) -> tuple[Projection, ...]:
    """The rule's projections, then the defaults of its templates it does not override."""
    out = list(rule.body.projection)
    seen = {p.column for p in out}
    for template in templates:
        for default in template.defaults:
            if default.column not in seen:
                out.append(default)
                seen.add(default.column)
    return tuple(out)


_COLUMN_REF = re.compile(r'\b([A-Za-z_]\w*)\.(?:"([^"]+)"|([A-Za-z_]\w*))')


def columns_read(
    rule: RuleDefinition, projection: Sequence[Projection], catalog: SpecCatalog
) -> dict[str, tuple[str, ...]]:
    """The columns of each input the rule refers to (``alias.column`` in its expressions)."""
    body = rule.body
    datasets = {ref.alias: ref.dataset for ref in body.refs()}
    found: dict[str, set[str]] = {name: set() for name in datasets.values()}
    texts = [p.expr for p in projection] + list(body.filters) + [confidence_expr(rule)]
    for join in body.joins:
        texts += [key.left for key in join.keys]
        found[join.dataset].update(key.right for key in join.keys)
    for text in texts:
        for alias, quoted, plain_name in _COLUMN_REF.findall(text):
            if alias in datasets:
                found[datasets[alias]].add(quoted or plain_name)
    return {
        name: tuple(sorted(c for c in columns if name in catalog and c in catalog.get(name).field_names))
        for name, columns in sorted(found.items())
    }


def confidence_expr(rule: RuleDefinition) -> str:
    policy = rule.confidence
    base = literal(float(policy.base))
    return base if policy.expr is None else f"coalesce(CAST(({policy.expr}) AS DOUBLE), {base})"


def rule_context(*, target_partitions: int | None = None) -> datafusion.SessionContext:
    """A session for rules: SQL string types are plain Utf8 (not views, which every reader
    would convert back), and the rule UDFs are registered."""
    config = datafusion.SessionConfig().set("datafusion.sql_parser.map_string_types_to_utf8view", "false")
    if target_partitions:
        config = config.with_target_partitions(target_partitions)
    ctx = datafusion.SessionContext(config)
    register_udfs(ctx)
    return ctx


def planning_session(catalog: SpecCatalog, datasets: Iterable[str]) -> datafusion.SessionContext:
    """A session with an empty table (the catalog schema) per dataset, and the rule UDFs."""
    ctx = rule_context(target_partitions=1)
    for name in sorted(set(datasets)):
        table = empty_table(catalog.get(name))
        ctx.register_record_batches(name, [[pa.RecordBatch.from_pylist([], schema=table.schema)]])
    return ctx


class RuleCompiler:
    """Compiles rules of every domain with its handler; one entry point for all of them."""

    __slots__ = ("catalog", "handlers")

    def __init__(self, *, catalog: SpecCatalog, handlers: Iterable[DomainHandler]) -> None:
        self.catalog = catalog
        by_domain: dict[RuleDomain, DomainHandler] = {}
        for handler in handlers:
            if handler.domain in by_domain:
                raise CatalogError(f"two compiler handlers for domain {handler.domain!s}")
            by_domain[handler.domain] = handler
        self.handlers = by_domain

    def handler(self, rule: RuleDefinition) -> DomainHandler:
        try:
            return self.handlers[rule.domain]
        except KeyError:
            raise RuleError(f"rule {rule.name!r}: no compiler handler for domain {rule.domain!s}") from None

    def projection(self, rule: RuleDefinition, registry: RuleRegistry) -> tuple[Projection, ...]:
        """Everything the rule projects, before the handler's NULL fill and casts."""
        templates = [registry.template(name) for name in rule.templates]
        projected = list(effective_projection(rule, templates))
        names = {p.column for p in projected}
        if CONFIDENCE not in names:
            projected.append(Projection(column=CONFIDENCE, expr=confidence_expr(rule)))
        if ORIGIN not in names:
            projected.append(Projection(column=ORIGIN, expr=literal(rule.confidence.origin)))
        return tuple(projected)

    def sql(self, rule: RuleDefinition, registry: RuleRegistry) -> tuple[str, tuple[str, ...]]:
        """The rule's query and its output column names."""
        columns = self.handler(rule).output_columns(rule, self.catalog)
        projected = list(self.projection(rule, registry))
        have = {p.column for p in projected}
        projected += [Projection(column=c.name, expr="NULL") for c in columns if c.name not in have]
        filters = list(rule.body.filters)
        if rule.confidence.minimum > 0:
            filters.append(f"{confidence_expr(rule)} >= {literal(float(rule.confidence.minimum))}")
        text = select_sql(rule.body, projected, filters)
        if rule.body.winner is not None:
            unknown = sorted(
                {*rule.body.winner.partition_by, *(o.column for o in rule.body.winner.order_by)}
                - {p.column for p in projected}
            )
            if unknown:
                raise RuleError(f"rule {rule.name!r}: winner selection names unknown columns {unknown}")
            text = winner_sql(text, [p.column for p in projected], rule.body.winner)
        text = cast_sql(text, [(c.name, c.sql_type) for c in columns])
        return text, tuple(c.name for c in columns)

    def compile_rule(
        self, rule: RuleDefinition, registry: RuleRegistry, *, ctx: datafusion.SessionContext | None = None
    ) -> CompiledRule:
        missing = [name for name in rule.inputs if name not in self.catalog]
        if missing:
            raise RuleError(f"rule {rule.name!r}: inputs {missing} are not datasets of the catalog")
        text, columns = self.sql(rule, registry)
        ctx = ctx or planning_session(self.catalog, rule.inputs)
        try:
            frame = ctx.sql(text)
            fingerprint = plan_fingerprint(frame)
        except Exception as err:  # DataFusion raises ValueError or a bare Exception
            raise RuleError(f"rule {rule.name!r} does not plan: {err}") from err
        return CompiledRule(
            rule=rule.name,
            domain=rule.domain,
            output=rule.output.dataset,
            kind=rule.output.kind,
            priority=rule.priority,
            inputs=rule.inputs,
            columns=columns,
            reads=columns_read(rule, self.projection(rule, registry), self.catalog),
            sql=text,
            fingerprint=fingerprint,
        )

    def compile_all(self, registry: RuleRegistry) -> CompiledRuleSet:
        """Every rule of every domain, sorted by name, and the graph signature of the set."""
        inputs = {name for rule in registry for name in rule.inputs if name in self.catalog}
        ctx = planning_session(self.catalog, inputs)
        compiled = tuple(self.compile_rule(rule, registry, ctx=ctx) for rule in registry)
        return CompiledRuleSet(
            rules=compiled, graph_signature=graph_signature({r.rule: r.fingerprint for r in compiled})
        )


def rule_session(tables: Mapping[str, pa.Table]) -> datafusion.SessionContext:
    """A session holding ``tables`` (in memory, read once) and the rule UDFs, to run rules on."""
    ctx = rule_context()
    for name, table in sorted(tables.items()):
        batches = table.to_batches() or [pa.RecordBatch.from_pylist([], schema=table.schema)]
        ctx.register_record_batches(name, [batches])
    return ctx


def run_compiled(rule: CompiledRule, ctx: datafusion.SessionContext) -> pa.Table:
    """Execute one compiled rule on a session holding its input tables."""
    try:
        return plain_types(ctx.sql(rule.sql).to_arrow_table())
    except Exception as err:  # DataFusion raises ValueError or a bare Exception
        raise RuleError(f"rule {rule.rule!r} failed to run: {err}") from err
