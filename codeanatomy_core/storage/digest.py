"""Content hashes of Arrow data, independent of how the data happens to be chunked."""

from __future__ import annotations

import hashlib

import pyarrow as pa


def content_hash(table: pa.Table) -> str:
    """sha256 over the column names, types and values of ``table``.

    Each column is combined into one contiguous array before hashing, so the same rows give
    the same hash whatever the chunking (and therefore whatever the worker count).
    """
    digest = hashlib.sha256()
    digest.update(str(table.num_rows).encode("ascii"))
    for name in table.column_names:
        column = table.column(name)
        array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        batch = pa.RecordBatch.from_arrays([array], names=[name])
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        digest.update(sink.getvalue())
    return digest.hexdigest()
