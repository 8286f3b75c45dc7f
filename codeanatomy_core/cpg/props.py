"""Properties: rule columns melted into typed ``cpg_props`` rows, and the per-node props map.

``prop_id = combine_ids('prop:<entity kind>:<key>', entity_id)``: one property per entity
and key. Rows are ordered by entity id, then property id.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.columns import constant_strings, plain, take
from codeanatomy_core.cpg.contracts import PropSpec
from codeanatomy_core.cpg.datasets import PROP_VALUE
from codeanatomy_core.cpg.kinds import EntityKind, PropType
from codeanatomy_core.errors import CatalogError
from codeanatomy_core.ids import combine_ids
from codeanatomy_core.specs.types import to_arrow_type

VALUE_COLUMN = {
    PropType.STRING: "value_string",
    PropType.INT: "value_int",
    PropType.FLOAT: "value_float",
    PropType.BOOL: "value_bool",
}
VALUE_TYPES = {
    "value_string": pa.string(),
    "value_int": pa.int64(),
    "value_float": pa.float64(),
    "value_bool": pa.bool_(),
}
PROP_STRUCT = to_arrow_type(PROP_VALUE)


def melt(
    rows: pa.Table, *, entity: EntityKind, id_column: str, kind: str, props: Sequence[PropSpec]
) -> list[pa.Table]:
    """One table of property rows per property column of ``rows`` (nulls are no property)."""
    out = []
    for prop in props:
        if prop.name not in rows.column_names:
            continue
        values = rows.column(prop.name)
        keep = pc.is_valid(values)
        ids = rows.column(id_column).filter(keep)
        n = len(ids)
        if n == 0:
            continue
        target = VALUE_COLUMN[prop.type]
        columns: dict[str, pa.Array | pa.ChunkedArray] = {
            "prop_id": pa.array(combine_ids(f"prop:{entity}:{prop.name}", ids.to_numpy()), pa.int64()),
            "entity_kind": constant_strings(str(entity), n),
            "entity_id": ids,
            "kind": constant_strings(kind, n),
            "key": constant_strings(prop.name, n),
            "value_type": constant_strings(str(prop.type), n),
        }
        for column, dtype in VALUE_TYPES.items():
            columns[column] = values.filter(keep).cast(dtype) if column == target else pa.nulls(n, dtype)
        out.append(pa.table(columns))
    return out


def assemble_props(parts: Sequence[pa.Table], schema: pa.Schema) -> pa.Table:
    """All property rows, ordered by entity id, then property id."""
    if not parts:
        return schema.empty_table()
    table = pa.concat_tables([p.select(schema.names) for p in parts]).combine_chunks()
    order = np.lexsort((table.column("prop_id").to_numpy(), table.column("entity_id").to_numpy()))
    return plain(take(table, order)).cast(schema)


def props_map(node_ids: np.ndarray, kinds: pa.Array, props: pa.Table) -> pa.Table:
    """One row per node (``node_ids`` ascending): its properties as a list of structs."""
    node_props = props.filter(pc.equal(props.column("entity_kind"), str(EntityKind.NODE))).combine_chunks()
    owners = node_props.column("entity_id").to_numpy()
    starts = np.searchsorted(owners, node_ids, side="left")
    counts = np.searchsorted(owners, node_ids, side="right") - starts
    if int(counts.sum()) != len(owners):
        raise CatalogError("cpg_props has node properties of nodes that are not in cpg_nodes")
    offsets = np.zeros(len(node_ids) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    # Ordered by owner, the properties are already grouped in node order.
    arrays = [_single(node_props.column(f.name), f.type) for f in PROP_STRUCT]
    values = pa.StructArray.from_arrays(arrays, fields=list(PROP_STRUCT))
    item = pa.field("item", PROP_STRUCT, nullable=False)
    lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, type=pa.list_(item))
    return pa.table({"node_id": pa.array(node_ids, pa.int64()), "kind": kinds, "props": lists})


def _single(column: pa.ChunkedArray, dtype: pa.DataType) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else pa.array([], dtype)
