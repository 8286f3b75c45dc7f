"""Per-file digests of a dataset's rows, kept beside the table, for minimal rewrites.

A step that recomputes a whole-program table (resolution, CPG) usually changes the rows of
a few files only. ``file_digests`` hashes each file's rows (vectorised per column); the
digests of the stored version live in a small companion Delta table under
``<warehouse>/_state/file_digests/<dataset>``, tagged with the table version they describe,
so a write can replace exactly the files whose rows differ. A companion that does not
describe the current table version is ignored (the write is then a full one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, write_deltalake
from deltalake.exceptions import DeltaError

from codeanatomy_core.errors import StorageError
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.storage.location import Warehouse
from codeanatomy_core.storage.reader import open_table, scan_table

_STATE_KEY = "codeanatomy_file_digests"
_SCHEMA = pa.schema([("file_id", pa.int64()), ("digest", pa.string())])


class DigestState(msgspec.Struct, frozen=True, kw_only=True):
    """Digests of every file's rows in one version of a dataset's table."""

    dataset: str
    table_version: int
    digests: dict[int, str]


RangeHasher = Callable[[Any, int, int], None]


def _range_hasher(array: pa.Array) -> RangeHasher:
    """A function feeding a hasher the content of rows ``[start, end)`` of ``array``,
    vectorised: flat buffers are hashed in place, lists and structs through their children."""
    validity = None if array.null_count == 0 else np.asarray(array.is_valid())
    kind = array.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        list_offsets = np.asarray(array.offsets)
        items = _range_hasher(array.values)

        def list_rows(hasher: Any, start: int, end: int) -> None:
            hasher.update((list_offsets[start : end + 1] - list_offsets[start]).data)
            items(hasher, int(list_offsets[start]), int(list_offsets[end]))

        return _with_validity(list_rows, validity)
    if pa.types.is_struct(kind):
        fields = [_range_hasher(child) for child in array.flatten()]

        def struct_rows(hasher: Any, start: int, end: int) -> None:
            for field in fields:
                field(hasher, start, end)

        return _with_validity(struct_rows, validity)
    values, offsets = _flat_bytes(array, validity)

    def flat_rows(hasher: Any, start: int, end: int) -> None:
        # Slices of 1-D arrays are contiguous: hash them in place, without copies.
        if offsets is None:
            hasher.update(values[start:end].data)
        else:
            hasher.update((offsets[start : end + 1] - offsets[start]).data)
            hasher.update(values[offsets[start] : offsets[end]].data)

    return _with_validity(flat_rows, validity)


def _flat_bytes(array: pa.Array, validity: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """(values addressable per row, offsets for variable width) of a flat array."""
    if pa.types.is_string(array.type) or pa.types.is_binary(array.type):
        buffers = array.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int32)[array.offset : array.offset + len(array) + 1]
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
        return data, offsets
    if pa.types.is_boolean(array.type):
        return np.asarray(array.fill_null(False)).astype(np.uint8), None
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        return np.asarray(array.fill_null(0) if validity is not None else array), None
    # Maps and other rare types (registry tables): canonical JSON of each row.
    texts = pa.array([msgspec.json.encode(v).decode() for v in array.to_pylist()], pa.string())
    return _flat_bytes(texts, None)


def _with_validity(rows: RangeHasher, validity: np.ndarray | None) -> RangeHasher:
    if validity is None:
        return rows

    def checked(hasher: Any, start: int, end: int) -> None:
        rows(hasher, start, end)
        # Null positions only where the rows have nulls: a file's digest must not depend
        # on whether some other file has nulls in this column.
        if not validity[start:end].all():
            hasher.update(validity[start:end].data)

    return checked


def file_digests(table: pa.Table, *, file_id_column: str) -> dict[int, str]:
    """file_id -> digest of that file's rows (in table order), over every column."""
    if table.num_rows == 0:
        return {}
    file_ids = table.column(file_id_column).to_numpy()
    if np.any(file_ids[1:] < file_ids[:-1]):
        order = np.argsort(file_ids, kind="stable")
        table = table.take(pa.array(order))
        file_ids = file_ids[order]
    bounds = np.flatnonzero(np.diff(file_ids)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(file_ids)]))
    hashers = [hashlib.blake2b(digest_size=16) for _ in starts]
    for name in table.column_names:
        column = table.column(name)
        rows = _range_hasher(column.combine_chunks() if column.num_chunks != 1 else column.chunk(0))
        for hasher, start, end in zip(hashers, starts, ends, strict=True):
            hasher.update(name.encode())
            rows(hasher, int(start), int(end))
    return {int(file_ids[s]): h.hexdigest() for s, h in zip(starts, hashers, strict=True)}


def _state_uri(warehouse: Warehouse, spec: DatasetSpec) -> str:
    return warehouse.uri_for("_state/file_digests", spec.name)


def read_digest_state(spec: DatasetSpec, *, warehouse: Warehouse) -> DigestState | None:
    table = open_table(_state_uri(warehouse, spec), storage_options=warehouse.options())
    if table is None:
        return None
    history = table.history(1)
    tag = history[0].get(_STATE_KEY) if history else None
    if not isinstance(tag, dict) or not isinstance(tag.get("table_version"), int):
        return None
    rows = scan_table(table)
    digests = dict(zip(rows.column("file_id").to_pylist(), rows.column("digest").to_pylist(), strict=True))
    return DigestState(dataset=spec.name, table_version=tag["table_version"], digests=digests)


def write_digest_state(state: DigestState, spec: DatasetSpec, *, warehouse: Warehouse) -> None:
    ids = sorted(state.digests)
    rows = pa.table(
        {"file_id": pa.array(ids, pa.int64()), "digest": pa.array([state.digests[i] for i in ids])},
        schema=_SCHEMA,
    )
    uri = _state_uri(warehouse, spec)
    existing = open_table(uri, storage_options=warehouse.options())
    try:
        write_deltalake(
            uri if existing is None else existing,  # the kept table: not opened again
            rows,
            mode="overwrite",
            storage_options=warehouse.options(),
            commit_properties=CommitProperties(
                custom_metadata={_STATE_KEY: {"dataset": spec.name, "table_version": state.table_version}}
            ),
        )
    except (DeltaError, OSError, ValueError) as err:
        raise StorageError(f"dataset {spec.name!r}: cannot store its file digests: {err}") from err


def rows_of(table: pa.Table, file_ids: set[int] | frozenset[int], *, file_id_column: str) -> pa.Table:
    if not file_ids:
        return table.slice(0, 0)
    mask = pc.is_in(table.column(file_id_column), value_set=pa.array(sorted(file_ids), pa.int64()))
    return table.filter(mask)
