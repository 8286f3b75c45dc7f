"""The query API: SQL over the warehouse's tables, returning Arrow tables.

    from codeanatomy_core.query.api import sql
    sql("SELECT kind, count(*) AS n FROM ast_nodes GROUP BY kind ORDER BY n DESC",
        warehouse=".codeanatomy/warehouse")

Every dataset of the catalog that has been built is a table under its dataset name (the
ones a query names are registered on demand, so a query opens only the tables it reads).
Large id sets are passed as ``id_sets={"wanted": ids}`` and joined on as table
``wanted`` (column ``id``), never spelled out as an ``IN (...)`` list.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa

from codeanatomy_core.engine.idsets import register_ids
from codeanatomy_core.engine.plans import PlanExplain, explain
from codeanatomy_core.engine.session import EngineSession, collect, new_context, run_sql
from codeanatomy_core.errors import QueryError
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.storage.location import Warehouse

WarehouseLike = Warehouse | str | os.PathLike[str]
IdSets = Mapping[str, Iterable[int]]


@functools.cache
def default_catalog() -> SpecCatalog:
    """The catalog of every built-in dataset (pipeline and registry tables)."""
    return default_steps().catalog


def as_warehouse(warehouse: WarehouseLike) -> Warehouse:
    """A Warehouse from a path or URI; a local folder must exist."""
    found = warehouse if isinstance(warehouse, Warehouse) else Warehouse.at(Path(warehouse))
    if found.is_local and not Path(found.root).is_dir():
        raise QueryError(f"warehouse {found.root} does not exist (run `codeanatomy materialize` first)")
    return found


def open_session(
    *, warehouse: WarehouseLike, catalog: SpecCatalog | None = None, id_sets: IdSets | None = None
) -> EngineSession:
    """A session over ``warehouse`` whose datasets are registered when a query names them."""
    session = EngineSession(
        ctx=new_context(), catalog=catalog or default_catalog(), warehouse=as_warehouse(warehouse)
    )
    for name, ids in sorted((id_sets or {}).items()):
        if name in session.catalog:
            raise QueryError(f"id set {name!r} has the name of a dataset; choose another name")
        register_ids(session.ctx, ids, name=name)
    return session


def sql(
    text: str,
    *,
    warehouse: WarehouseLike,
    catalog: SpecCatalog | None = None,
    id_sets: IdSets | None = None,
    limit: int | None = None,
) -> pa.Table:
    """The result of one SQL query as an Arrow table (plain string/list types)."""
    session = open_session(warehouse=warehouse, catalog=catalog, id_sets=id_sets)
    frame = run_sql(session, text)
    if limit is not None:
        frame = frame.limit(limit)
    return collect(session, frame, text=text)


def explain_sql(
    text: str, *, warehouse: WarehouseLike, catalog: SpecCatalog | None = None, id_sets: IdSets | None = None
) -> PlanExplain:
    """Logical, optimized and physical plans of one query, and its plan fingerprint."""
    session = open_session(warehouse=warehouse, catalog=catalog, id_sets=id_sets)
    return explain(run_sql(session, text))


def tables(*, warehouse: WarehouseLike, catalog: SpecCatalog | None = None) -> pa.Table:
    """The datasets stored in ``warehouse``: name, domain, Delta version, URI."""
    session = open_session(warehouse=warehouse, catalog=catalog)
    session.register()
    rows = [
        {"name": t.name, "domain": t.domain, "version": t.version, "uri": t.uri}
        for t in sorted(session.registered.values(), key=lambda t: t.name)
    ]
    schema = pa.schema(
        [("name", pa.string()), ("domain", pa.string()), ("version", pa.int64()), ("uri", pa.string())]
    )
    return pa.Table.from_pylist(rows, schema=schema)
