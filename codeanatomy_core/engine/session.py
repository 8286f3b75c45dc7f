"""DataFusion sessions over a warehouse: every stored dataset registered under its name.

deltalake's ``DeltaTable`` is a DataFusion table provider, so a registered dataset is read
in place (projection and filter push-down, file skipping with the Delta statistics).
DataFusion reports planning errors as ``ValueError`` and execution errors as a bare
``Exception``; :func:`run_sql` turns both into a :class:`QueryError` naming the table or
the SQL problem.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field

import datafusion
import msgspec
import pyarrow as pa

from codeanatomy_core.errors import QueryError
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import open_table

_MISSING_TABLE = re.compile(r"table '(?:[^'.]+\.)*([^'.]+)' not found")
_SNIPPET = 120


class RegisteredTable(msgspec.Struct, frozen=True, kw_only=True):
    """One dataset registered in a session: the Delta version it reads."""

    name: str
    domain: str
    uri: str
    version: int


def new_context(*, target_partitions: int | None = None) -> datafusion.SessionContext:
    """A session with ``information_schema`` on (``SHOW TABLES``, column listings)."""
    config = datafusion.SessionConfig().with_information_schema(True)
    if target_partitions:
        config = config.with_target_partitions(target_partitions)
    return datafusion.SessionContext(config)


@dataclass(kw_only=True)
class EngineSession:
    """A DataFusion session over one warehouse, with the catalog it was built from."""

    ctx: datafusion.SessionContext
    catalog: SpecCatalog
    warehouse: Warehouse
    registered: dict[str, RegisteredTable] = field(default_factory=dict)

    def register(self, names: Collection[str] | None = None) -> list[RegisteredTable]:
        """Register the stored datasets among ``names`` (default: all); returns the new ones."""
        added = []
        for spec in self.catalog:
            if (names is not None and spec.name not in names) or spec.name in self.registered:
                continue
            uri = self.warehouse.table_uri(spec)
            table = open_table(uri, storage_options=self.warehouse.options())
            if table is None:
                continue
            self.ctx.register_table(spec.name, table)
            entry = RegisteredTable(name=spec.name, domain=str(spec.domain), uri=uri, version=table.version())
            self.registered[spec.name] = entry
            added.append(entry)
        return added

    def stored_names(self) -> list[str]:
        """Datasets of the catalog stored in the warehouse (registered or not)."""
        names = []
        for spec in self.catalog:
            uri = self.warehouse.table_uri(spec)
            if spec.name in self.registered or (
                os.path.isdir(os.path.join(uri, "_delta_log"))
                if self.warehouse.is_local
                else open_table(uri, storage_options=self.warehouse.options()) is not None
            ):
                names.append(spec.name)
        return names

    def sql(self, text: str) -> datafusion.DataFrame:
        return run_sql(self, text)


def session_for(
    catalog: SpecCatalog,
    *,
    warehouse: Warehouse,
    names: Collection[str] | None = None,
    target_partitions: int | None = None,
) -> EngineSession:
    """A session where every dataset of ``catalog`` stored in ``warehouse`` (or every one
    of ``names``) is a table under its dataset name; datasets never built are left out."""
    session = EngineSession(
        ctx=new_context(target_partitions=target_partitions), catalog=catalog, warehouse=warehouse
    )
    session.register(names)
    return session


def referenced_datasets(text: str, catalog: SpecCatalog) -> set[str]:
    """Catalog datasets whose name appears as a word in ``text`` (a superset is harmless)."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text.lower()))
    return {name for name in catalog.names() if name in words}


def snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SNIPPET else flat[: _SNIPPET - 3] + "..."


def query_error(session: EngineSession, text: str, err: Exception) -> QueryError:
    """A QueryError naming the missing table or the SQL problem of ``text``."""
    message = str(err).strip().removeprefix("DataFusion error: ")
    missing = _MISSING_TABLE.search(message)
    if missing:
        name = missing.group(1)
        if name in session.catalog:
            return QueryError(
                f"table {name!r} is a dataset of the catalog but has not been built in "
                f"{session.warehouse.root} (run `codeanatomy materialize`)"
            )
        stored = sorted(session.stored_names())
        close = difflib.get_close_matches(name, stored, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        listed = ", ".join(stored) or "none"
        return QueryError(f"no table named {name!r} in {session.warehouse.root}; {hint}tables: {listed}")
    if message.startswith("SQL error"):
        return QueryError(f"SQL syntax error in {snippet(text)!r}: {message.removeprefix('SQL error: ')}")
    return QueryError(f"query {snippet(text)!r} failed: {message}")


def run_sql(session: EngineSession, text: str) -> datafusion.DataFrame:
    """Plan ``text``; tables it names are registered on demand. Raises QueryError."""
    if not text.strip():
        raise QueryError("the query is empty")
    session.register(referenced_datasets(text, session.catalog))
    try:
        return session.ctx.sql(text)
    except Exception as err:  # DataFusion raises ValueError or a bare Exception
        raise query_error(session, text, err) from err


def collect(session: EngineSession, frame: datafusion.DataFrame, *, text: str = "") -> pa.Table:
    """Run a planned query; execution errors become a QueryError naming the query."""
    try:
        result = frame.to_arrow_table()
    except Exception as err:  # DataFusion raises a bare Exception at execution
        raise query_error(session, text or "<dataframe>", err) from err
    return plain_types(result)


def _plain(data_type: pa.DataType) -> pa.DataType:
    if pa.types.is_string_view(data_type) or pa.types.is_large_string(data_type):
        return pa.string()
    if pa.types.is_binary_view(data_type) or pa.types.is_large_binary(data_type):
        return pa.binary()
    if pa.types.is_map(data_type):
        return pa.map_(
            data_type.key_field.with_type(_plain(data_type.key_type)),
            data_type.item_field.with_type(_plain(data_type.item_type)),
        )
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type) or pa.types.is_list_view(data_type):
        item = data_type.value_field
        return pa.list_(item.with_type(_plain(item.type)))
    if pa.types.is_struct(data_type):
        return pa.struct([f.with_type(_plain(f.type)) for f in data_type.fields])
    return data_type


def plain_types(table: pa.Table) -> pa.Table:
    """``table`` with view/large string, binary and list types turned into the plain ones."""
    schema = pa.schema([f.with_type(_plain(f.type)) for f in table.schema], metadata=table.schema.metadata)
    return table if schema.equals(table.schema) else table.cast(schema)
