"""Print Arrow tables as aligned text, CSV or JSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

import pyarrow as pa


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def render_rows(header: Sequence[str], rows: Sequence[Sequence[object]], *, fmt: str = "table") -> str:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        return buffer.getvalue()
    if fmt == "json":
        return "".join(json.dumps(dict(zip(header, row, strict=True)), default=str) + "\n" for row in rows)
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"


def render_table(table: pa.Table, *, fmt: str = "table") -> str:
    rows = [tuple(row.values()) for row in table.to_pylist()]
    return render_rows(table.column_names, rows, fmt=fmt)
