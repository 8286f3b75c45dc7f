"""Relationship rules as data: a rule joins input datasets into rows of one output.

A :class:`RuleDefinition` is a frozen Struct: its parts (inputs with aliases, joins with
keys, filters, projections, winner selection over an ambiguity group) are plain data that
the compiler turns into one DataFusion query. Expressions are SQL expression texts over
the aliases (``n.kind = 'Call'``, ``coalesce(d.name, '')``). The rule tables of the
registry are derived from these Structs by :class:`~codeanatomy_core.specs.codec.StructCodec`
and decode back into the very same objects.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

from codeanatomy_core.relspec.errors import RuleError


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class RuleDomain(StrEnum):
    """Which layer a rule writes into (each has its own compiler handler)."""

    EXTRACT = "extract"
    NORMALIZE = "normalize"
    CPG = "cpg"


class JoinType(StrEnum):
    INNER = "inner"
    LEFT = "left"
    SEMI = "semi"
    ANTI = "anti"


class DatasetRef(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An input dataset under an alias."""

    alias: Annotated[str, _doc("name the expressions use for the dataset")]
    dataset: Annotated[str, _doc("catalog dataset read")]


class JoinKey(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``left`` (an expression over earlier aliases) equals column ``right`` of the joined dataset."""

    left: Annotated[str, _doc("expression over the aliases joined so far, e.g. n.parent_id")]
    right: Annotated[str, _doc("column of the joined dataset")]


class Join(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    alias: Annotated[str, _doc("alias of the joined dataset")]
    dataset: Annotated[str, _doc("catalog dataset joined")]
    keys: Annotated[tuple[JoinKey, ...], _doc("equality keys (all must hold)")]
    how: Annotated[JoinType, _doc("inner, left, semi or anti")] = JoinType.INNER


class Projection(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Output column ``column`` <- SQL expression ``expr``."""

    column: Annotated[str, _doc("output column")]
    expr: Annotated[str, _doc("SQL expression over the aliases")]


class OrderKey(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    column: Annotated[str, _doc("output column to order by")]
    descending: Annotated[bool, _doc("largest first")] = False


class WinnerSelection(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Keep one row per ambiguity group: the first by ``order_by`` (ties must be broken by it)."""

    partition_by: Annotated[tuple[str, ...], _doc("output columns forming the ambiguity group")]
    order_by: Annotated[tuple[OrderKey, ...], _doc("best first; must make the choice unique")]


class RelationalBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    source: Annotated[DatasetRef, _doc("the driving dataset")]
    projection: Annotated[tuple[Projection, ...], _doc("output columns and their expressions")]
    joins: Annotated[tuple[Join, ...], _doc("joined datasets, in order")] = ()
    filters: Annotated[tuple[str, ...], _doc("SQL predicates, all must hold")] = ()
    winner: Annotated[WinnerSelection | None, _doc("winner selection; null keeps all rows")] = None

    def refs(self) -> tuple[DatasetRef, ...]:
        return (self.source, *(DatasetRef(alias=j.alias, dataset=j.dataset) for j in self.joins))

    def datasets(self) -> tuple[str, ...]:
        """Datasets read, sorted and distinct."""
        return tuple(sorted({ref.dataset for ref in self.refs()}))

    def columns(self) -> tuple[str, ...]:
        return tuple(p.column for p in self.projection)


class RuleOutput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    dataset: Annotated[str, _doc("dataset the rows go to")]
    kind: Annotated[str | None, _doc("node or edge kind the rows are (cpg rules)")] = None


class ConfidencePolicy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How confident a produced row is: ``expr`` (SQL over the aliases) or the constant ``base``.

    Rows below ``minimum`` are dropped. ``origin`` says what kind of evidence the rule uses.
    """

    base: Annotated[float, _doc("confidence when expr is null")] = 1.0
    expr: Annotated[str | None, _doc("SQL expression giving the confidence per row")] = None
    minimum: Annotated[float, _doc("rows with a lower confidence are dropped")] = 0.0
    origin: Annotated[str, _doc("evidence: syntax, symtable, bytecode, resolution, ...")] = "syntax"


class RuleDefinition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One relationship rule."""

    name: Annotated[str, _doc("unique rule name (an identifier)")]
    domain: Annotated[RuleDomain, _doc("extract, normalize or cpg")]
    inputs: Annotated[tuple[str, ...], _doc("datasets the body reads, sorted")]
    output: Annotated[RuleOutput, _doc("target dataset and kind")]
    body: Annotated[RelationalBody, _doc("joins, filters, projection, winner selection")]
    priority: Annotated[int, _doc("lower wins when rules produce the same row")] = 100
    confidence: Annotated[ConfidencePolicy, _doc("confidence of the produced rows")] = ConfidencePolicy()
    templates: Annotated[tuple[str, ...], _doc("rule templates applied (default projections)")] = ()
    description: Annotated[str, _doc("what the rule derives")] = ""

    def __post_init__(self) -> None:
        check_rule(self)


class RuleTemplate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Projections shared by rules of one shape: required columns and defaults."""

    name: Annotated[str, _doc("template name")]
    description: Annotated[str, _doc("what rules using it produce")]
    output: Annotated[str, _doc("dataset the rules write to")]
    required: Annotated[tuple[str, ...], _doc("columns every rule using it must project")] = ()
    defaults: Annotated[tuple[Projection, ...], _doc("projections added when a rule omits them")] = ()


def _identifier(rule: str, role: str, name: str) -> None:
    if not name.isidentifier():
        raise RuleError(f"rule {rule!r}: {role} {name!r} is not an identifier")


def check_rule(rule: RuleDefinition) -> None:
    """Raise RuleError naming the rule when its parts are inconsistent."""
    _identifier(rule.name, "name", rule.name)
    body = rule.body
    aliases: set[str] = set()
    for ref in body.refs():
        _identifier(rule.name, "alias", ref.alias)
        if ref.alias in aliases:
            raise RuleError(f"rule {rule.name!r}: alias {ref.alias!r} is used twice")
        aliases.add(ref.alias)
    for join in body.joins:
        if not join.keys:
            raise RuleError(f"rule {rule.name!r}: join of {join.dataset!r} as {join.alias!r} has no keys")
    if rule.inputs != body.datasets():
        raise RuleError(
            f"rule {rule.name!r}: inputs {list(rule.inputs)} differ from the datasets the body reads "
            f"{list(body.datasets())}"
        )
    columns = body.columns()
    seen: set[str] = set()
    for column in columns:
        _identifier(rule.name, "output column", column)
        if column in seen:
            raise RuleError(f"rule {rule.name!r}: output column {column!r} is projected twice")
        seen.add(column)
    if body.winner is not None and not body.winner.order_by:
        raise RuleError(f"rule {rule.name!r}: winner selection needs an order")
