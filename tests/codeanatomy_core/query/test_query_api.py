"""The Python query API: SQL over the warehouse as Arrow tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from codeanatomy_core.engine.plans import plan_fingerprint
from codeanatomy_core.engine.session import run_sql
from codeanatomy_core.errors import QueryError
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.query.api import explain_sql, open_session, sql, tables
from codeanatomy_core.storage import Warehouse, read_dataset

PATHS = [
    "broken_syntax.py",
    "main.py",
    "pkg/__init__.py",
    "pkg/core.py",
    "pkg/legacy_latin1.py",
    "pkg/sub/__init__.py",
    "pkg/sub/deep.py",
    "pkg/unicode_names.py",
    "undecodable.py",
]


def test_sql_returns_an_arrow_table(built_warehouse: Warehouse) -> None:
    result = sql("SELECT path, is_package FROM source_files ORDER BY path", warehouse=built_warehouse)
    assert isinstance(result, pa.Table)
    assert result.schema.types == [pa.string(), pa.bool_()]  # plain types, not string views
    assert result.column("path").to_pylist() == PATHS
    assert result.column("is_package").to_pylist() == [p.endswith("__init__.py") for p in PATHS]


def test_warehouse_may_be_a_path_or_a_string(built_warehouse: Warehouse) -> None:
    text = "SELECT name FROM registry_source_datasets ORDER BY name"
    expected = [{"name": "source_files"}, {"name": "source_issues"}]
    assert sql(text, warehouse=Path(built_warehouse.root)).to_pylist() == expected
    assert sql(text, warehouse=built_warehouse.root).to_pylist() == expected
    assert sql(text, warehouse=built_warehouse, limit=1).to_pylist() == expected[:1]


def test_registry_tables_are_queryable(built_warehouse: Warehouse) -> None:
    catalog = default_steps().catalog
    result = sql(
        "SELECT dataset, count(*) AS fields, sum(CAST(nullable AS INT)) AS nullable "
        "FROM registry_source_fields GROUP BY dataset ORDER BY dataset",
        warehouse=built_warehouse,
    )
    expected = [
        {
            "dataset": name,
            "fields": len(catalog.get(name).fields),
            "nullable": sum(f.nullable for f in catalog.get(name).fields),
        }
        for name in ("source_files", "source_issues")
    ]
    assert result.to_pylist() == expected
    policies = sql(
        "SELECT dataset, policy['compression'] AS compression FROM registry_source_policies ORDER BY dataset",
        warehouse=built_warehouse,
    )
    assert policies.to_pylist() == [
        {"dataset": name, "compression": str(catalog.get(name).write_policy.compression)}
        for name in ("source_files", "source_issues")
    ]


def test_id_sets_are_joined_as_tables(built_warehouse: Warehouse) -> None:
    files = read_dataset(default_steps().catalog.get("source_files"), warehouse=built_warehouse)
    by_path = dict(zip(files.column("path").to_pylist(), files.column("file_id").to_pylist(), strict=True))
    wanted = [by_path["main.py"], by_path["pkg/sub/deep.py"], *range(1, 50_000)]
    result = sql(
        "SELECT f.path FROM source_files f JOIN wanted w ON f.file_id = w.id ORDER BY f.path",
        warehouse=built_warehouse,
        id_sets={"wanted": wanted},
    )
    assert result.column("path").to_pylist() == ["main.py", "pkg/sub/deep.py"]
    with pytest.raises(QueryError, match=r"id set 'ast_nodes' has the name of a dataset"):
        sql("SELECT 1", warehouse=built_warehouse, id_sets={"ast_nodes": [1]})


def test_explain_gives_the_session_fingerprint(built_warehouse: Warehouse) -> None:
    text = "SELECT kind, count(*) FROM ast_nodes GROUP BY kind"
    plan = explain_sql(text, warehouse=built_warehouse)
    session = open_session(warehouse=built_warehouse)
    assert plan.fingerprint == plan_fingerprint(run_sql(session, text))
    assert "Aggregate: groupBy=[[ast_nodes.kind]]" in plan.optimized


def test_tables_lists_what_is_stored(built_warehouse: Warehouse) -> None:
    listed = tables(warehouse=built_warehouse)
    catalog = default_steps().catalog
    assert listed.column_names == ["name", "domain", "version", "uri"]
    assert listed.column("name").to_pylist() == list(catalog.names())
    assert set(listed.column("version").to_pylist()) == {0}
    domains = dict(zip(listed.column("name").to_pylist(), listed.column("domain").to_pylist(), strict=True))
    assert domains["registry_signatures"] == "registry"
    assert domains["registry_diagnostics"] == "diagnostics"


def test_errors_are_query_errors(built_warehouse: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match=r"warehouse .*missing does not exist"):
        sql("SELECT 1", warehouse=tmp_path / "missing")
    with pytest.raises(QueryError, match=r"no table named 'nodes'"):
        sql("SELECT * FROM nodes", warehouse=built_warehouse)
    with pytest.raises(QueryError, match=r"SQL syntax error"):
        sql("SELECT path FROM source_files WHERE (", warehouse=built_warehouse)
    with pytest.raises(QueryError, match=r"Divide by zero"):
        sql("SELECT 1 / (count(*) - count(*)) FROM source_files", warehouse=built_warehouse)
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        QueryError, match=r"table 'source_files' is a dataset of the catalog but has not been built"
    ):
        sql("SELECT * FROM source_files", warehouse=tmp_path / "empty")
