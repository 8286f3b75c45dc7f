"""The static normalize tables, built in a second process while this one solves the flow.

The flow fixpoint is one long single-threaded computation, and the tables that do not need
it (scopes, definitions, name references, imports, call sites, class bases, decorators,
reference bindings) are about a third of the step's work. A spawned process reads the same
``py_facts`` version, decodes it and builds those tables meanwhile. Both sides run the
same functions on the same facts, so the tables are the ones a single process would build.
"""

from __future__ import annotations

import gc
import multiprocessing
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc

from codeanatomy_core.extract.runner import MIN_PARALLEL_FILES, resolve_workers
from codeanatomy_core.normalize.resolve import collector_paused, decode_program, facts_rows
from codeanatomy_core.normalize.symbols import Symbols
from codeanatomy_core.normalize.tables import TableContext, static_tables
from codeanatomy_core.storage.location import TableHandle
from codeanatomy_core.storage.reader import read_handle

FACTS_COLUMNS = ["file_id", "path", "facts_version", "facts"]


def static_tables_of(
    handle: TableHandle,
    *,
    only: frozenset[int] | None,
    bindings_only: frozenset[int] | None,
    folder: str,
) -> dict[str, str]:
    """Read, decode and build the static tables of one ``py_facts`` version (in the worker).

    The tables go to Arrow IPC files in ``folder`` (their paths are returned): sending them
    back through the pool's pipe would make the parent unpickle a hundred megabytes while it
    is still solving, and hold its interpreter lock meanwhile.
    """
    with collector_paused():
        program, _ = decode_program(facts_rows(read_handle(handle, columns=FACTS_COLUMNS)))
        context = TableContext(program, Symbols(program))
        tables = static_tables(context, only=only, bindings_only=bindings_only)
        # Out of the collector's reach before it is enabled again: its first pass would scan
        # every object made meanwhile (a third of a second) just before this worker exits.
        gc.freeze()
    paths: dict[str, str] = {}
    for name, table in tables.items():
        path = paths[name] = str(Path(folder) / f"{name}.arrow")
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    return paths


def _read_ipc(path: str) -> pa.Table:
    # Mapped, not copied: the table's buffers are the file's pages (they outlive its
    # removal with the folder: the mapping keeps them until the table is freed).
    with pa.memory_map(path) as source:
        return pa.ipc.open_file(source).read_all()


class StaticTables:
    """The static tables of a normalize run: from a worker process, or built here."""

    def __init__(
        self,
        handle: TableHandle,
        *,
        only: frozenset[int] | None,
        bindings_only: frozenset[int] | None,
        files: int,
        workers: int,
        log: Callable[[str], None],
    ) -> None:
        """``only`` and ``bindings_only``: see :func:`static_tables`; ``files``: how many
        files' rows there are to build (a worker is started for many only)."""
        self._only = only
        self._bindings_only = bindings_only
        self._log = log
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[dict[str, str]] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        if files >= MIN_PARALLEL_FILES and resolve_workers(workers) > 1:
            self._folder = tempfile.TemporaryDirectory(prefix="codeanatomy-normalize-")
            # spawn, as for extraction: the worker must not inherit this process's threads.
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self._future = self._pool.submit(
                static_tables_of, handle, only=only, bindings_only=bindings_only, folder=self._folder.name
            )
            # No more work for it: the worker exits (and frees its heap) as soon as its tables
            # are written, not when this process asks for them after solving the flow.
            self._pool.shutdown(wait=False)

    @property
    def in_worker(self) -> bool:
        return self._future is not None

    def result(self, context: TableContext) -> dict[str, pa.Table]:
        """The tables; built here from ``context`` (of a program of the same facts) when
        there is no worker, or when it failed."""
        if self._future is not None:
            try:
                paths = self._future.result()
            except (BrokenProcessPool, OSError) as err:
                # The worker died, or could not write its tables (a full temporary disk):
                # nothing is lost, this process builds them.
                self._log(f"normalize: the static tables worker failed ({err!r}); building them here")
                self.close()
            else:
                tables = {name: _read_ipc(path) for name, path in paths.items()}
                self.close()
                return tables
        return static_tables(context, only=self._only, bindings_only=self._bindings_only)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
