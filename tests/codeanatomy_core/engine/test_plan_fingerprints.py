"""Plan fingerprints: stable across sessions and processes, sensitive to the query."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from codeanatomy_core.engine.plans import (
    explain,
    fingerprint_text,
    normalize_plan_text,
    plan_fingerprint,
)
from codeanatomy_core.engine.session import run_sql, session_for
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.storage import Warehouse

QUERY = (
    "SELECT f.path, count(*) AS n FROM ast_nodes a JOIN source_files f USING (file_id) "
    "WHERE a.file_id IN (SELECT file_id FROM source_files WHERE is_package) GROUP BY f.path"
)


def fingerprint(warehouse: Warehouse, text: str) -> str:
    session = session_for(default_steps().catalog, warehouse=warehouse, names=())
    return plan_fingerprint(run_sql(session, text))


def test_normalisation_renumbers_generated_names() -> None:
    text = (
        "LeftSemi Join: x.id = __correlated_sq_7.id  \n"
        "  SubqueryAlias: __correlated_sq_7\n"
        "    TableScan: c0123456789abcdef0123456789abcdef projection=[id]\n"
        "  SubqueryAlias: __correlated_sq_9\n"
        "    Projection: __common_expr_4 AS e, ptr=0x7f00deadbeef\n"
    )
    assert normalize_plan_text(text) == (
        "LeftSemi Join: x.id = __correlated_sq_1.id\n"
        "  SubqueryAlias: __correlated_sq_1\n"
        "    TableScan: <table1> projection=[id]\n"
        "  SubqueryAlias: __correlated_sq_2\n"
        "    Projection: __common_expr_1 AS e, ptr=<addr>"
    )
    assert fingerprint_text(text) == fingerprint_text(text.replace("_7", "_3").replace("_9", "_5"))
    assert fingerprint_text(text) != fingerprint_text(text.replace("x.id", "y.id"))


def test_same_query_same_fingerprint_across_sessions(built_warehouse: Warehouse) -> None:
    first = fingerprint(built_warehouse, QUERY)
    session = session_for(default_steps().catalog, warehouse=built_warehouse, names=())
    for _ in range(3):  # DataFusion numbers subquery aliases per session
        run_sql(session, QUERY).optimized_logical_plan()
    assert plan_fingerprint(run_sql(session, QUERY)) == first
    assert fingerprint(built_warehouse, QUERY) == first
    assert fingerprint(built_warehouse, QUERY.replace("count(*)", "min(a.depth)")) != first
    assert len(first) == 64


def test_same_fingerprint_in_another_process(built_warehouse: Warehouse) -> None:
    script = textwrap.dedent(
        f"""
        from codeanatomy_core.engine.plans import plan_fingerprint
        from codeanatomy_core.engine.session import run_sql, session_for
        from codeanatomy_core.pipeline.registry import default_steps
        from codeanatomy_core.storage import Warehouse
        session = session_for(default_steps().catalog, warehouse=Warehouse.at({built_warehouse.root!r}))
        print(plan_fingerprint(run_sql(session, {QUERY!r})))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == fingerprint(built_warehouse, QUERY)


def test_explain_shows_every_plan(built_warehouse: Warehouse) -> None:
    session = session_for(default_steps().catalog, warehouse=built_warehouse, names=())
    plan = explain(run_sql(session, QUERY))
    assert "TableScan: ast_nodes" in plan.logical
    assert "TableScan: ast_nodes projection=[file_id]" in plan.optimized
    assert "LeftSemi Join" in plan.optimized
    assert "DeltaScan" in plan.physical
    assert plan.fingerprint == fingerprint(built_warehouse, QUERY)
