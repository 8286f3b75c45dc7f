"""Properties: rule columns melted into typed ``cpg_props`` rows, and the per-node props map."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.cpg.contracts import PropSpec
from codeanatomy_core.cpg.datasets import PROP_VALUE
from codeanatomy_core.cpg.kinds import EntityKind, PropType
from codeanatomy_core.errors import CatalogError
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
            "entity_kind": pa.array(np.full(n, str(entity), dtype=object), pa.string()),
            "entity_id": ids,
            "kind": pa.array(np.full(n, kind, dtype=object), pa.string()),
            "key": pa.array(np.full(n, prop.name, dtype=object), pa.string()),
            "value_type": pa.array(np.full(n, str(prop.type), dtype=object), pa.string()),
        }
        for column, dtype in VALUE_TYPES.items():
            if column == target:
                columns[column] = values.filter(keep).cast(dtype)
            else:
                columns[column] = pa.nulls(n, dtype)
        out.append(pa.table(columns))
    return out


def props_map(nodes: pa.Table, props: pa.Table) -> pa.Table:
    """One row per node (sorted by id): its node properties as a list of structs (sorted by key)."""
    node_ids = nodes.column("node_id").to_numpy()
    order = np.argsort(node_ids, kind="stable")
    node_ids = node_ids[order]
    kinds = nodes.column("kind").take(pa.array(order))
    node_props = props.filter(pc.equal(props.column("entity_kind"), str(EntityKind.NODE)))
    node_props = node_props.sort_by([("entity_id", "ascending"), ("key", "ascending")])
    owners = node_props.column("entity_id").to_numpy()
    starts = np.searchsorted(owners, node_ids, side="left")
    ends = np.searchsorted(owners, node_ids, side="right")
    counts = ends - starts
    if int(counts.sum()) != len(owners):
        raise CatalogError("cpg_props has node properties of nodes that are not in cpg_nodes")
    offsets = np.zeros(len(node_ids) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    # Sorted by owner, the properties are already grouped in node order.
    chosen = node_props.combine_chunks()
    values = pa.StructArray.from_arrays(
        [_single(chosen.column(f.name), f.type) for f in PROP_STRUCT], fields=list(PROP_STRUCT)
    )
    item = pa.field("item", PROP_STRUCT, nullable=False)
    lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, type=pa.list_(item))
    return pa.table({"node_id": pa.array(node_ids, pa.int64()), "kind": kinds, "props": lists})


def _single(column: pa.ChunkedArray, dtype: pa.DataType) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else pa.array([], dtype)
