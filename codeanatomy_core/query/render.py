"""Print Arrow tables as aligned text, CSV or JSON lines.

Nested values (lists, structs, maps) print as compact JSON, bytes as hex; in aligned
tables numbers are right-aligned and cells longer than ``max_width`` are cut with ``…``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

FORMATS = ("table", "csv", "json")


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        # A map column arrives as a list of (key, value) tuples.
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return {str(k): _jsonable(v) for k, v in value}
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(_jsonable(value), separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _cut(text: str, width: int | None) -> str:
    text = text.replace("\n", "\\n")
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def _is_number(values: Sequence[object]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)


def render_rows(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    fmt: str = "table",
    max_width: int | None = None,
) -> str:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        return buffer.getvalue()
    if fmt == "json":
        return "".join(
            json.dumps({h: _jsonable(v) for h, v in zip(header, row, strict=True)}, ensure_ascii=False) + "\n"
            for row in rows
        )
    numeric = [_is_number([row[i] for row in rows]) for i in range(len(header))]
    cells = [[_cut(_cell(v), max_width) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in cells]
    return "\n".join(lines) + "\n"


def _column_values(column: pa.ChunkedArray) -> list[Any]:
    values = column.to_pylist()
    if pa.types.is_map(column.type):  # entries arrive as (key, value) tuples
        return [None if v is None else dict(v) for v in values]
    return values


def render_table(table: pa.Table, *, fmt: str = "table", max_width: int | None = None) -> str:
    columns = [_column_values(table.column(i)) for i in range(table.num_columns)]
    rows = list(zip(*columns, strict=True)) if columns else []
    return render_rows(table.column_names, rows, fmt=fmt, max_width=max_width)
