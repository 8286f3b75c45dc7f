"""Stored fed call edges: what an edit needs to remake the rows of the call sites it fed.

A component feeds call sites of the components it imports (callables passed to their
functions, see ``flow_summaries``); its ``feeds`` row in ``flow_states`` keeps the edges it
made there, and each component's ``sites`` rows keep its own edges at the call sites its
summaries name (the only ones anyone can feed). After an edit, a fed call site of a
component that is not solved again has its rows remade from its own stored edges, the
stored edges of the components feeding it that are not solved again either, and the edges
the solve feeds.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from codeanatomy_core.normalize.datasets_resolution import FLOW_STATES
from codeanatomy_core.normalize.flow_states import FedEdge, fed_edges
from codeanatomy_core.normalize.kinds import StateKind
from codeanatomy_core.normalize.module_graph import ModuleGraph
from codeanatomy_core.normalize.program import Program
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import read_dataset

KeptEdge = tuple[int, int | str, int]  # (call, definition or symbol name, method)
# The origin of the edges stored by a component whose files are gone: their sites' rows are
# remade without them.
REMOVED = -1


class StoredFeeds:
    """The ``feeds`` and ``sites`` rows of the stored flow states (read when first asked)."""

    def __init__(self, warehouse: Warehouse, program: Program, graph: ModuleGraph) -> None:
        self.warehouse = warehouse
        self.program = program
        self.graph = graph
        self._index_of = {entry.file_id: entry.index for entry in program.files}
        self._table: pa.Table | None = None
        self._feeds: list[tuple[int, list[FedEdge]]] | None = None  # (origin component, edges)
        self._sites: dict[int, bytes] = {}  # file id -> its sites row

    def table(self) -> pa.Table:
        """The stored ``flow_states`` table (read once per run: the restored states come from
        it too)."""
        if self._table is None:
            self._table = read_dataset(FLOW_STATES, warehouse=self.warehouse)
        return self._table

    def _read(self) -> list[tuple[int, list[FedEdge]]]:
        if self._feeds is None:
            table = self.table()
            wanted = pa.array([StateKind.FEEDS.value, StateKind.SITES.value])
            table = table.filter(pc.is_in(table.column("kind"), value_set=wanted))
            feeds = []
            component_of, index_of = self.graph.component_of, self._index_of
            columns = (table.column(name).to_pylist() for name in ("file_id", "kind", "values"))
            for file_id, kind, data in zip(*columns, strict=True):
                index = index_of.get(file_id)
                if kind == StateKind.SITES.value:
                    if index is not None:
                        self._sites[file_id] = data
                else:
                    origin = REMOVED if index is None else component_of[index]
                    feeds.append((origin, [edge for edge in fed_edges(data) if self._current(edge)]))
            self._feeds = feeds
        return self._feeds

    def _current(self, edge: FedEdge) -> bool:
        """Whether the edge's call site and target are in files of the program (an edge into
        a removed file is made by a component that imports it: one solved again)."""
        target = edge.target
        return edge.call_file_id in self._index_of and (
            isinstance(target, str) or target[0] in self._index_of
        )

    def _call(self, edge: FedEdge) -> int:
        return self.program.files[self._index_of[edge.call_file_id]].call_base + edge.call_index

    def _target(self, edge: FedEdge) -> int | str:
        named = edge.target
        if isinstance(named, str):
            return named
        return self.program.files[self._index_of[named[0]]].def_base + named[1]

    def fed_by(self, origins: frozenset[int]) -> frozenset[int]:
        """The call sites the components ``origins`` fed (and those the removed files fed)."""
        return frozenset(
            self._call(edge)
            for origin, edges in self._read()
            if origin in origins or origin == REMOVED
            for edge in edges
        )

    def fed_sites(self, components: frozenset[int]) -> frozenset[int]:
        """The call sites of ``components`` that any component fed."""
        component_of, file_of_call = self.graph.component_of, self.program.file_of_call
        return frozenset(
            call
            for _, edges in self._read()
            for call in map(self._call, edges)
            if component_of[file_of_call(call).index] in components
        )

    def kept(self, sites: frozenset[int], *, solved: frozenset[int]) -> tuple[KeptEdge, ...]:
        """The stored edges at ``sites`` of every component not in ``solved``: their own
        edges and those fed by the others."""
        found: list[KeptEdge] = []
        for origin, edges in self._read():
            if origin not in solved and origin != REMOVED:
                found.extend(self._kept(edges, sites))
        program = self.program
        files = sorted({program.file_of_call(call).file_id for call in sites})
        for file_id in files:
            data = self._sites.get(file_id)
            if data is not None:
                found.extend(self._kept(filter(self._current, fed_edges(data)), sites))
        return tuple(found)

    def _kept(self, edges: Iterable[FedEdge], sites: frozenset[int]) -> Iterable[KeptEdge]:
        for edge in edges:
            call = self._call(edge)
            if call in sites:
                yield (call, self._target(edge), edge.method)
