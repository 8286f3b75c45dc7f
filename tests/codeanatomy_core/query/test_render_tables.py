"""Rendering Arrow tables as aligned text, CSV and JSON lines."""

from __future__ import annotations

import pyarrow as pa

from codeanatomy_core.query.render import render_rows, render_table

TABLE = pa.table(
    {
        "name": ["a", "longer name", None],
        "n": [1, 22, None],
        "ratio": [0.5, 1 / 3, 2.0],
        "tags": [["x", "y"], [], None],
        "attrs": pa.array([[("k", "v")], [], None], pa.map_(pa.string(), pa.string())),
        "blob": [b"\x00\xff", None, b""],
        "flag": [True, False, None],
    }
)


def test_aligned_table() -> None:
    assert render_table(TABLE) == (
        "name          n     ratio  tags       attrs      blob  flag\n"
        "-----------  --  --------  ---------  ---------  ----  -----\n"
        'a             1       0.5  ["x","y"]  {"k":"v"}  00ff  True\n'
        "longer name  22  0.333333  []         {}               False\n"
        "                        2\n"
    )


def test_cells_are_cut_to_the_maximum_width() -> None:
    table = pa.table({"text": ["abcdefghij", "abc", "line\nbreak"]})
    assert render_table(table, max_width=5) == "text\n-----\nabcd…\nabc\nline…\n"


def test_csv_and_json_lines() -> None:
    assert render_table(TABLE.select(["name", "n", "tags"]), fmt="csv") == (
        'name,n,tags\na,1,"[""x"",""y""]"\nlonger name,22,[]\n,,\n'
    )
    assert render_table(TABLE.select(["name", "attrs", "blob"]).slice(0, 2), fmt="json") == (
        '{"name": "a", "attrs": {"k": "v"}, "blob": "00ff"}\n'
        '{"name": "longer name", "attrs": {}, "blob": null}\n'
    )


def test_duplicate_column_names_and_empty_results() -> None:
    table = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["id", "id"])
    assert render_table(table) == "id  id\n--  --\n 1   2\n"
    assert render_rows(("a", "b"), []) == "a  b\n-  -\n"
