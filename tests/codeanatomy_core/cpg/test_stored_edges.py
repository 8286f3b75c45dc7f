"""The incremental build's checks against the stored edges: clashing ids, touched files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from deltalake import write_deltalake

from codeanatomy_core.cpg.incremental import _stored_edge_files
from codeanatomy_core.storage.location import TableHandle

# (edge_id, src, dst, file_id)
EDGES = [(101, 1, 2, 10), (102, 2, 3, 10), (201, 5, 2, 20), (202, 5, 6, 20), (301, 7, 8, 30)]


def _handle(tmp_path: Path) -> TableHandle:
    edge_id, src, dst, file_id = (pa.array(column, pa.int64()) for column in zip(*EDGES, strict=True))
    uri = str(tmp_path / "cpg_edges")
    write_deltalake(uri, pa.table({"edge_id": edge_id, "src": src, "dst": dst, "file_id": file_id}))
    return TableHandle(dataset="cpg_edges", uri=uri, version=0, data_version=0)


def _ids(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_new_edge_ids_stored_in_kept_files_are_counted(tmp_path: Path) -> None:
    handle = _handle(tmp_path)
    rebuilt = frozenset({10})

    def clashes(*new: int) -> tuple[frozenset[int], int]:
        return _stored_edge_files(handle, gone=_ids(), new_edges=_ids(*new), replaced=rebuilt)

    # 102 is file 10's own (rebuilt), 201 and 301 belong to kept files, 999 is new.
    assert clashes(102, 201, 301, 999) == (frozenset(), 2)
    assert clashes(101, 999) == (frozenset(), 0)
    assert clashes() == (frozenset(), 0)


def test_kept_files_with_edges_touching_gone_nodes_are_found(tmp_path: Path) -> None:
    handle = _handle(tmp_path)
    # Node 2 (file 10's) is gone: file 20's edge 201 points at it; file 10 is rebuilt anyway.
    found = _stored_edge_files(handle, gone=_ids(2), new_edges=_ids(301), replaced=frozenset({10}))
    assert found == (frozenset({20}), 1)
