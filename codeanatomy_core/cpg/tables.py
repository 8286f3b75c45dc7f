"""The six CPG tables from assembled nodes, edges and property rows, in their spec order.

Nodes, edges and properties are ordered by file (then id), the accelerators by file and
endpoint, the props map by file and node: the writer need not sort them, and the tables
are the same whether they were built for all files or for some (each file's rows are a
contiguous run in the same order). Every table leaves here with exactly its spec's schema.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.columns import file_order, int_column, plain, take
from codeanatomy_core.cpg.datasets import PROP_FIELDS
from codeanatomy_core.specs.schema import arrow_field

PATHS_DATASET = "source_files"
PROPS_SCHEMA = pa.schema([arrow_field(f) for f in PROP_FIELDS])


def conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly ``schema``'s columns (in order) and types, one chunk each."""
    arrays = []
    for field in schema:
        column = table.column(field.name)
        if pa.types.is_dictionary(column.type) and not pa.types.is_dictionary(field.type):
            column = column.cast(column.type.value_type)
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        arrays.append(column if column.type == field.type else column.cast(field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def attach_paths(nodes: pa.Table, files: pa.Table) -> pa.Table:
    """Nodes with the path of their file (dictionary-coded; null for rows of no file)."""
    index = pc.index_in(nodes.column("file_id"), value_set=files.column("file_id"))
    paths = pc.dictionary_encode(files.column("path").combine_chunks()).take(index)
    return nodes.add_column(nodes.column_names.index("file_id") + 1, "path", paths)


def node_table(raw: pa.Table, files: pa.Table) -> pa.Table:
    """Assembled nodes (ordered by file and node id) with their paths."""
    return attach_paths(raw, files)


def edge_table(raw: pa.Table) -> pa.Table:
    """Assembled edges (ordered by file and edge id)."""
    return raw


def adjacency(edges: pa.Table, first: str) -> pa.Table:
    """Edges by ``first`` endpoint within each file: ordering ``(file_id, first, edge_id)``."""
    second = "dst" if first == "src" else "src"
    table = edges.select([first, "kind", second, "edge_id", "file_id", "confidence"])
    order = file_order(int_column(table, "file_id"), int_column(table, first), int_column(table, "edge_id"))
    return take(table, order)


def prop_table(parts: Sequence[pa.Table]) -> pa.Table:
    """All property rows, ordered by file, entity id and property id."""
    if not parts:
        return PROPS_SCHEMA.empty_table()
    plain_parts = [plain(p.select(PROPS_SCHEMA.names)).cast(PROPS_SCHEMA) for p in parts]
    table = pa.concat_tables(plain_parts).combine_chunks()
    files, entities, props = (int_column(table, n) for n in ("file_id", "entity_id", "prop_id"))
    return plain(take(table, file_order(files, entities, props))).cast(PROPS_SCHEMA)
