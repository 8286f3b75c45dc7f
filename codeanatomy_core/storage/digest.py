"""Content hashes of Arrow data, independent of how the data happens to be chunked."""

from __future__ import annotations

import hashlib

import pyarrow as pa


def _canonical_type(data_type: pa.DataType) -> pa.DataType:
    """The type with list item fields named ``item`` (Delta reads lists back as ``element``)."""
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        item = data_type.value_field
        return pa.list_(pa.field("item", _canonical_type(item.type), nullable=item.nullable))
    if pa.types.is_struct(data_type):
        return pa.struct([f.with_type(_canonical_type(f.type)) for f in data_type.fields])
    return data_type


def content_hash(table: pa.Table) -> str:
    """sha256 over the column names, types and values of ``table``.

    Each column is combined into one contiguous array before hashing, so the same rows give
    the same hash whatever the chunking (and therefore whatever the worker count); list item
    fields are renamed to one canonical name, so rows read back from Delta hash the same.
    """
    digest = hashlib.sha256()
    digest.update(str(table.num_rows).encode("ascii"))
    for name in table.column_names:
        column = table.column(name)
        array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        if pa.types.is_nested(array.type):  # type equality ignores item names: always cast
            array = array.cast(_canonical_type(array.type))
        batch = pa.RecordBatch.from_arrays([array], names=[name])
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        digest.update(sink.getvalue())
    return digest.hexdigest()
