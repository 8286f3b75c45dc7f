"""One SQL SELECT from the parts of a rule body (joins, filters, projection, winner selection)."""

from __future__ import annotations

from collections.abc import Sequence

from codeanatomy_core.relspec.model import Join, JoinType, Projection, RelationalBody, WinnerSelection

WINNER_RANK = "__winner_rank"

_JOIN_SQL = {
    JoinType.INNER: "INNER JOIN",
    JoinType.LEFT: "LEFT JOIN",
    JoinType.SEMI: "LEFT SEMI JOIN",
    JoinType.ANTI: "LEFT ANTI JOIN",
}


def quote(name: str) -> str:
    """A double-quoted SQL identifier (names keep their case)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str | float | bool | None) -> str:
    """A SQL literal for a constant."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return "'" + value.replace("'", "''") + "'"


def join_clause(join: Join, *, dataset: str | None = None) -> str:
    """``<how> JOIN <dataset> AS <alias> ON <keys>`` (``dataset`` overrides the join's)."""
    keys = " AND ".join(f"{join.alias}.{quote(k.right)} = ({k.left})" for k in join.keys)
    return f"{_JOIN_SQL[join.how]} {quote(dataset or join.dataset)} AS {join.alias} ON {keys}"


def from_clause(body: RelationalBody) -> str:
    parts = [f"FROM {quote(body.source.dataset)} AS {body.source.alias}"]
    parts += [join_clause(join) for join in body.joins]
    return "\n".join(parts)


def where_clause(filters: Sequence[str]) -> str:
    return "WHERE " + " AND ".join(f"({f})" for f in filters) if filters else ""


def select_sql(body: RelationalBody, projection: Sequence[Projection], filters: Sequence[str]) -> str:
    """``SELECT <projection> FROM <source> <joins> WHERE <filters>``."""
    columns = ",\n  ".join(f"{p.expr} AS {quote(p.column)}" for p in projection)
    lines = [f"SELECT\n  {columns}", from_clause(body), where_clause(filters)]
    return "\n".join(line for line in lines if line)


def winner_sql(inner: str, columns: Sequence[str], winner: WinnerSelection) -> str:
    """Rows of ``inner`` ranked first in their ambiguity group (``row_number() = 1``)."""
    listed = ", ".join(quote(c) for c in columns)
    partition = ", ".join(quote(c) for c in winner.partition_by)
    order = ", ".join(f"{quote(o.column)} {'DESC' if o.descending else 'ASC'}" for o in winner.order_by)
    over = f"PARTITION BY {partition} ORDER BY {order}" if partition else f"ORDER BY {order}"
    rank = quote(WINNER_RANK)
    ranked = f"SELECT {listed}, row_number() OVER ({over}) AS {rank} FROM (\n{inner}\n) AS candidates"
    return f"SELECT {listed} FROM (\n{ranked}\n) AS ranked WHERE {rank} = 1"


def cast_sql(inner: str, columns: Sequence[tuple[str, str]]) -> str:
    """``inner`` with each column cast to its SQL type (``(name, sql_type)`` pairs, in order)."""
    listed = ",\n  ".join(f"CAST({quote(name)} AS {sql_type}) AS {quote(name)}" for name, sql_type in columns)
    return f"SELECT\n  {listed}\nFROM (\n{inner}\n) AS rule_rows"
