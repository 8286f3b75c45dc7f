"""Properties: rule columns melted into typed ``cpg_props`` rows, and the per-node props map.

``prop_id = combine_ids('prop:<entity kind>:<key>', entity_id)``: one property per entity
and key. Rows are ordered by entity id, then property id.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.columns import constant_strings
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
            "file_id": rows.column("file_id").filter(keep),
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


def props_map(nodes: pa.Table, props: pa.Table) -> pa.Table:
    """One row per node (in the order of ``nodes``): its properties as a list of structs.

    ``props`` is ordered by file and entity, like ``nodes`` by file and node id, so the
    properties of each node are one run, and the runs come in node order.
    """
    node_props = props.filter(pc.equal(props.column("entity_kind"), str(EntityKind.NODE))).combine_chunks()
    index = pc.index_in(node_props.column("entity_id"), value_set=nodes.column("node_id"))
    if index.null_count:
        raise CatalogError("cpg_props has node properties of nodes that are not in cpg_nodes")
    position = index.to_numpy(zero_copy_only=False).astype(np.int64)
    if len(position) > 1 and np.any(np.diff(position) < 0):
        raise CatalogError("cpg_props is not in the order of cpg_nodes")
    counts = np.bincount(position, minlength=nodes.num_rows)
    offsets = np.zeros(nodes.num_rows + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    arrays = [_single(node_props.column(f.name), f.type) for f in PROP_STRUCT]
    values = pa.StructArray.from_arrays(arrays, fields=list(PROP_STRUCT))
    item = pa.field("item", PROP_STRUCT)
    lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, type=pa.list_(item))
    columns = {
        "node_id": nodes.column("node_id"),
        "file_id": nodes.column("file_id"),
        "kind": nodes.column("kind"),
    }
    return pa.table({**columns, "props": lists})


def _single(column: pa.ChunkedArray, dtype: pa.DataType) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else pa.array([], dtype)
