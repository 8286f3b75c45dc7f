"""DataFusion sessions over a warehouse: registration under dataset names, clear errors."""

from __future__ import annotations

import pyarrow as pa
import pytest

from codeanatomy_core.engine.session import (
    collect,
    plain_types,
    referenced_datasets,
    run_sql,
    session_for,
)
from codeanatomy_core.errors import QueryError
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.storage import Warehouse


def test_every_stored_dataset_is_registered_under_its_name(built_warehouse: Warehouse) -> None:
    catalog = default_steps().catalog
    session = session_for(catalog, warehouse=built_warehouse)
    assert sorted(session.registered) == list(catalog.names())
    entry = session.registered["source_files"]
    assert (entry.domain, entry.uri, entry.version) == (
        "source",
        built_warehouse.table_uri(catalog.get("source_files")),
        0,
    )
    shown = {row["table_name"] for row in session.ctx.sql("SHOW TABLES").to_pylist()}
    assert set(catalog.names()) <= shown
    result = collect(session, session.sql("SELECT count(*) AS n FROM source_files"))
    assert result.to_pylist() == [{"n": 9}]


def test_only_named_datasets_and_only_stored_ones(built_warehouse: Warehouse, tmp_path: object) -> None:
    catalog = default_steps().catalog
    session = session_for(catalog, warehouse=built_warehouse, names={"source_issues", "ast_nodes"})
    assert sorted(session.registered) == ["ast_nodes", "source_issues"]
    empty = session_for(catalog, warehouse=Warehouse.at(f"{tmp_path}/empty"))
    assert empty.registered == {}
    assert empty.stored_names() == []


def test_queries_register_the_tables_they_name(built_warehouse: Warehouse) -> None:
    catalog = default_steps().catalog
    session = session_for(catalog, warehouse=built_warehouse, names=())
    assert session.registered == {}
    frame = run_sql(session, "SELECT s.path FROM source_issues s")
    assert sorted(session.registered) == ["source_issues"]
    assert collect(session, frame).to_pylist() == [{"path": "pkg/escape.py"}]
    assert referenced_datasets("select * from AST_NODES join source_files using(file_id)", catalog) == {
        "ast_nodes",
        "source_files",
    }


def test_errors_name_the_table_or_the_sql_problem(built_warehouse: Warehouse, tmp_path: object) -> None:
    catalog = default_steps().catalog
    session = session_for(catalog, warehouse=built_warehouse, names=())
    with pytest.raises(
        QueryError, match=r"no table named 'source_file' in .*did you mean 'source_files'\? tables: "
    ):
        run_sql(session, "SELECT * FROM source_file")
    with pytest.raises(QueryError, match=r"SQL syntax error in 'SELEC 1': ParserError"):
        run_sql(session, "SELEC 1")
    with pytest.raises(
        QueryError, match=r"query 'SELECT nope FROM source_files' failed: Schema error: No field named nope"
    ):
        run_sql(session, "SELECT nope FROM source_files")
    with pytest.raises(QueryError, match=r"query 'SELECT 1 / 0' failed: .*Divide by zero"):
        collect(session, run_sql(session, "SELECT 1 / 0"), text="SELECT 1 / 0")
    with pytest.raises(QueryError, match="the query is empty"):
        run_sql(session, "  ")
    unbuilt = session_for(catalog, warehouse=Warehouse.at(f"{tmp_path}/empty"))
    with pytest.raises(
        QueryError, match=r"table 'ast_nodes' is a dataset of the catalog but has not been built in"
    ):
        run_sql(unbuilt, "SELECT * FROM ast_nodes")


def test_results_have_plain_arrow_types() -> None:
    table = pa.table(
        {
            "s": pa.array(["a"], pa.string_view()),
            "l": pa.array([["x"]], pa.large_list(pa.large_string())),
            "m": pa.array([[("k", "v")]], pa.map_(pa.string_view(), pa.string_view())),
            "st": pa.array([{"b": b"\x00"}], pa.struct([pa.field("b", pa.binary_view())])),
        }
    )
    plain = plain_types(table)
    assert plain.schema.types == [
        pa.string(),
        pa.list_(pa.string()),
        pa.map_(pa.string(), pa.string()),
        pa.struct([pa.field("b", pa.binary())]),
    ]
    assert plain.to_pylist() == table.to_pylist()
