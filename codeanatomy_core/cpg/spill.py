"""Finished tables parked in Arrow IPC files until their writer reads them.

A full build makes its tables a batch of files at a time; each finished chunk is appended
to its table's uncompressed Arrow IPC file in a temporary folder and leaves memory, so the
build holds one batch's rows at a time. The step returns a :class:`pyarrow.RecordBatchReader`
per table: when read, it memory-maps the file, joins the chunks into one (the writer wants
one chunk per column), releases the mapping and deletes the file. The folder goes with the
last reader.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pyarrow as pa

from codeanatomy_core.errors import StorageError


class Spill:
    """Tables appended chunk by chunk to IPC files, each read back once."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="codeanatomy-cpg-")
        self._writers: dict[str, tuple[pa.OSFile, pa.ipc.RecordBatchFileWriter]] = {}
        self.schemas: dict[str, pa.Schema] = {}
        self.rows: dict[str, int] = {}

    def _path(self, name: str) -> str:
        return os.path.join(self._folder.name, f"{name}.arrow")

    def append(self, name: str, table: pa.Table) -> None:
        """Append ``table``'s rows to table ``name`` (every chunk has the first one's schema)."""
        try:
            if name not in self._writers:
                sink = pa.OSFile(self._path(name), "wb")
                self._writers[name] = (sink, pa.ipc.new_file(sink, table.schema))
                self.schemas[name] = table.schema
                self.rows[name] = 0
            if table.num_rows:
                self._writers[name][1].write_table(table, max_chunksize=table.num_rows)
        except (OSError, pa.ArrowInvalid) as err:
            raise StorageError(f"cpg: cannot park table {name!r} in {self._folder.name}: {err}") from err
        self.rows[name] += table.num_rows

    def abandon(self) -> None:
        """Close every file still open (the folder goes with this spill)."""
        for name in list(self._writers):
            self.close(name)

    def close(self, name: str) -> None:
        sink, writer = self._writers.pop(name)
        writer.close()
        sink.close()

    def _read(self, name: str) -> pa.Table:
        """The rows of a closed table in one chunk per column; its file is deleted."""
        if name in self._writers:
            self.close(name)
        path = self._path(name)
        try:
            mapped = pa.ipc.open_file(pa.memory_map(path)).read_all()
            table = mapped.combine_chunks() if mapped.num_rows else self.schemas[name].empty_table()
            del mapped  # the mapping goes with the last buffer referencing it
            return table
        finally:
            os.unlink(path)

    def take(self, name: str) -> pa.Table:
        """Read back (once) a table parked for later in the build."""
        table = self._read(name)
        del self.schemas[name], self.rows[name]
        return table

    def reader(self, name: str) -> pa.RecordBatchReader:
        """The rows of table ``name``, read from its file when first read."""

        def batches(spill: Spill = self) -> Iterator[pa.RecordBatch]:
            yield from spill._read(name).to_batches()

        return pa.RecordBatchReader.from_batches(self.schemas[name], batches())
