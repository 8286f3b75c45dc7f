"""Id sets: registered as tables and joined on, never a literal IN list."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from codeanatomy_core.engine.idsets import free_name, id_table, register_ids, semi_join_ids
from codeanatomy_core.engine.plans import optimized_plan_text, plan_fingerprint
from codeanatomy_core.engine.session import collect, run_sql, session_for
from codeanatomy_core.errors import QueryError
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.storage import Warehouse, read_dataset


def test_id_table_is_distinct_sorted_int64() -> None:
    table = id_table([5, 3, 5, -1])
    assert table.schema == pa.schema([pa.field("id", pa.int64(), nullable=False)])
    assert table.column("id").to_pylist() == [-1, 3, 5]
    assert id_table(np.array([2, 2], dtype=np.int32)).column("id").to_pylist() == [2]
    assert id_table(pa.array([7, 1])).column("id").to_pylist() == [1, 7]
    assert id_table(iter(range(3)), column="node_id").column_names == ["node_id"]
    with pytest.raises(QueryError, match=r"id set for column 'id' holds values that are not 64-bit integers"):
        id_table(["x"])
    with pytest.raises(QueryError, match=r"must be non-null integers, got int64"):
        id_table(pa.array([1, None]))
    with pytest.raises(QueryError, match="not 64-bit integers"):
        id_table([1.5])
    with pytest.raises(QueryError, match="not 64-bit integers"):
        id_table([2**64])
    assert id_table([]).num_rows == 0


def test_large_id_set_joins_without_a_literal_list(built_warehouse: Warehouse) -> None:
    catalog = default_steps().catalog
    nodes = read_dataset(catalog.get("ast_nodes"), warehouse=built_warehouse)
    wanted = sorted(nodes.column("node_id").to_pylist())[::3]
    noise = list(range(10**9, 10**9 + 200_000))  # ids that match nothing
    session = session_for(catalog, warehouse=built_warehouse, names=())
    name = register_ids(session.ctx, wanted + noise + wanted)
    assert name == "id_set_1"
    text = f"SELECT count(*) AS n FROM ast_nodes a JOIN {name} s ON a.node_id = s.id"
    frame = run_sql(session, text)
    plan = optimized_plan_text(frame)
    assert "TableScan: id_set_1" in plan
    assert str(wanted[0]) not in plan
    assert len(plan) < 2_000
    assert collect(session, frame).to_pylist() == [{"n": len(wanted)}]
    # The fingerprint depends on the query, not on the ids.
    register_ids(session.ctx, wanted[:5], name=name)
    again = run_sql(session, text)
    assert plan_fingerprint(again) == plan_fingerprint(frame)
    assert collect(session, again).to_pylist() == [{"n": 5}]
    assert free_name(session.ctx) == "id_set_2"


def test_semi_join_keeps_the_frame_columns(built_warehouse: Warehouse) -> None:
    catalog = default_steps().catalog
    session = session_for(catalog, warehouse=built_warehouse, names=())
    files = read_dataset(catalog.get("source_files"), warehouse=built_warehouse)
    by_path = dict(zip(files.column("path").to_pylist(), files.column("file_id").to_pylist(), strict=True))
    frame = run_sql(session, "SELECT path, file_id FROM source_files")
    joined = semi_join_ids(
        frame, session.ctx, [by_path["main.py"], by_path["pkg/core.py"], 12345], on="file_id"
    )
    result = collect(session, joined)
    assert result.column_names == ["path", "file_id"]
    assert sorted(result.column("path").to_pylist()) == ["main.py", "pkg/core.py"]
    empty = semi_join_ids(frame, session.ctx, [], on="file_id")
    assert collect(session, empty).num_rows == 0
    with pytest.raises(QueryError, match=r"id set name 'bad name' is not an identifier"):
        register_ids(session.ctx, [1], name="bad name")
