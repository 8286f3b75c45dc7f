"""Write a dataset as a Delta table with its write policy and commit metadata."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import DeltaError

from codeanatomy_core.errors import ContractViolation, StorageError
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.policy import SchemaMode
from codeanatomy_core.specs.schema import arrow_schema
from codeanatomy_core.specs.signature import signature
from codeanatomy_core.storage.commit import CommitStamp, to_commit_metadata
from codeanatomy_core.storage.contract import check_contract, conform, is_ordered
from codeanatomy_core.storage.digest import content_hash
from codeanatomy_core.storage.file_digests import (
    DigestState,
    file_digests,
    read_digest_state,
    rows_of,
    write_digest_state,
)
from codeanatomy_core.storage.location import TableHandle, Warehouse
from codeanatomy_core.storage.properties import (
    properties_to_reconcile,
    table_configuration,
    writer_properties,
)
from codeanatomy_core.storage.reader import last_data_commit, open_table, scan_table, schemas_match

SchemaModeArg = Literal["merge", "overwrite"] | None


class WriteResult(msgspec.Struct, frozen=True, kw_only=True):
    uri: str
    version: int
    rows_written: int
    stamp: CommitStamp
    reconciled_properties: dict[str, str] = {}

    def handle(self, *, storage_options: Mapping[str, str] | None = None) -> TableHandle:
        return TableHandle(
            dataset=self.stamp.dataset,
            uri=self.uri,
            version=self.version,
            data_version=self.version,
            storage_options=dict(storage_options or {}),
        )


class PreparedTable(msgspec.Struct, frozen=True, kw_only=True):
    """Data already conformed, ordered and contract-checked for one dataset."""

    dataset: str
    table: pa.Table


def prepare(spec: DatasetSpec, data: pa.Table | pa.RecordBatchReader | PreparedTable) -> PreparedTable:
    """Conform, order and contract-check data; raises before anything is written."""
    if isinstance(data, PreparedTable):
        if data.dataset != spec.name:
            raise StorageError(f"data prepared for {data.dataset!r} given to dataset {spec.name!r}")
        return data
    table = data.read_all() if isinstance(data, pa.RecordBatchReader) else data
    table = conform(spec, table)
    if spec.ordering and table.num_rows > 1 and not is_ordered(table, spec.ordering):
        table = table.sort_by([(c, "ascending") for c in spec.ordering])
    check_contract(spec, table)
    return PreparedTable(dataset=spec.name, table=table)


def _file_predicate(spec: DatasetSpec, table: pa.Table, file_ids: Sequence[int]) -> str:
    column = spec.file_id_column
    if column is None:
        raise StorageError(f"dataset {spec.name!r} has no file id column: cannot replace files")
    ids = pa.array(sorted(set(file_ids)), pa.int64())
    outside = pc.invert(pc.is_in(table.column(column), value_set=ids))
    if table.num_rows and pc.any(outside).as_py():
        raise ContractViolation(spec.name, column, "has rows of files outside the replaced set")
    return f"{column} IN ({','.join(str(i) for i in ids.to_pylist())})" if len(ids) else "false"


def write_dataset(
    spec: DatasetSpec,
    *,
    warehouse: Warehouse,
    data: pa.Table | pa.RecordBatchReader | PreparedTable,
    run_id: str,
    asset_key: str,
    input_versions: Mapping[str, str],
    replace_file_ids: Sequence[int] | None = None,
    plan_fingerprint: str | None = None,
    details: Mapping[str, str] | None = None,
    output_signature: str | None = None,
    changed_files_only: bool = False,
) -> WriteResult:
    """Write ``data`` as the new version of ``spec``'s table, in one Delta commit.

    With ``replace_file_ids`` the rows of those files are replaced (and rows of files that
    no longer have data removed); otherwise the whole table is overwritten. The contract is
    checked first: on any error the previous table version stays current.
    ``output_signature`` overrides the spec's own signature when more than the spec defines
    the table (see ``Step.output_signature``). With ``changed_files_only``, ``data`` is the
    whole table but only the files whose rows differ from the stored version are rewritten
    (per-file digests kept beside the table; a full write when they are not available).
    With both, ``data`` holds the rows of the ``replace_file_ids`` files, and only those of
    them whose rows changed are rewritten.
    """
    uri = warehouse.table_uri(spec)
    table = prepare(spec, data).table
    existing = open_table(uri, storage_options=warehouse.options())
    digests: dict[int, str] | None = None
    if changed_files_only:
        digests, table, replace_file_ids, details = _only_changed_files(
            spec, table, warehouse=warehouse, existing=existing, details=details, covering=replace_file_ids
        )
    # deltalake writes the batches of a multi-chunk table in a racy order (the stored rows
    # would differ from run to run): one chunk keeps the spec's ordering. Combined once
    # here, the content hash below hashes the same buffers without combining them again.
    table = table.combine_chunks()
    predicate = None
    if replace_file_ids is not None:
        predicate = _file_predicate(spec, table, replace_file_ids)
    stamp = CommitStamp(
        run_id=run_id,
        asset_key=asset_key,
        dataset=spec.name,
        signature=output_signature or signature(spec),
        input_versions=dict(sorted(input_versions.items())),
        row_count=table.num_rows,
        content_hash=content_hash(table),
        write_mode="full" if predicate is None else "replace_files",
        plan_fingerprint=plan_fingerprint,
        details=dict(sorted((details or {}).items())),
    )
    reconciled: dict[str, str] = {}
    schema_mode: SchemaModeArg = None
    if existing is not None:
        # Decide the schema mode first: a write it refuses must not commit property changes.
        schema_mode = _schema_mode(spec, existing, partial=predicate is not None)
        reconciled = _reconcile(spec, existing, stamp)
    try:
        write_deltalake(
            # The opened table, not its URI: deltalake then neither opens it again nor
            # needs a third open for the new version (the object is updated in place).
            uri if existing is None else existing,
            table,
            mode="overwrite",
            predicate=predicate,
            partition_by=list(spec.write_policy.partition_by) or None,
            name=spec.name,
            description=spec.description,
            configuration=table_configuration(spec),
            schema_mode=schema_mode,
            storage_options=warehouse.options(),
            target_file_size=spec.write_policy.target_file_size,
            writer_properties=writer_properties(spec),
            commit_properties=CommitProperties(custom_metadata=to_commit_metadata(stamp)),
        )
        written = existing if existing is not None else open_table(uri, storage_options=warehouse.options())
        if written is None:
            raise StorageError(f"dataset {spec.name!r}: no Delta table at {uri} after writing it")
        version = written.version()
    except (DeltaError, OSError, ValueError) as err:
        raise StorageError(f"writing dataset {spec.name!r} to {uri} failed: {err}") from err
    if digests is not None:
        write_digest_state(
            DigestState(dataset=spec.name, table_version=version, digests=digests), spec, warehouse=warehouse
        )
    return WriteResult(
        uri=uri,
        version=version,
        rows_written=table.num_rows,
        stamp=stamp,
        reconciled_properties=reconciled,
    )


def _only_changed_files(
    spec: DatasetSpec,
    table: pa.Table,
    *,
    warehouse: Warehouse,
    existing: DeltaTable | None,
    details: Mapping[str, str] | None,
    covering: Sequence[int] | None,
) -> tuple[dict[int, str] | None, pa.Table, Sequence[int] | None, Mapping[str, str] | None]:
    """(every file's digest, rows to write, files to replace, details) of a changed-files
    write. ``covering``: ``table`` holds the rows of these files only, the stored rows of
    the others stay. Without a stored table, the whole table is written. Without stored
    digests of its current version (a forced or an interrupted build wrote it last), they
    are taken from the stored rows first: otherwise every later write would replace all
    the files it covers, and every step reading the table would rebuild them."""
    column = spec.file_id_column
    if column is None:
        raise StorageError(f"dataset {spec.name!r} has no file id column: cannot write changed files only")
    digests = file_digests(table, file_id_column=column)
    found = None if existing is None else last_data_commit(existing)
    if existing is None or found is None:
        if covering is not None:
            return None, table, covering, {**(details or {}), "mode": "files"}
        return digests, table, None, {**(details or {}), "mode": "full"}
    state = read_digest_state(spec, warehouse=warehouse)
    if state is None or state.table_version != found[1]:
        stored = file_digests(scan_table(existing), file_id_column=column)
        state = DigestState(dataset=spec.name, table_version=found[1], digests=stored)
    covered = set(digests) | set(state.digests) if covering is None else set(covering)
    changed = {f for f in covered if digests.get(f) != state.digests.get(f)}
    removed = {f for f in changed if f not in digests}
    changed -= removed
    digests = {**{f: d for f, d in state.digests.items() if f not in covered}, **digests}
    counts = {
        "mode": "changed_files",
        "files_changed": str(len(changed)),
        "files_removed": str(len(removed)),
        "files_untouched": str(len(digests) - len(changed)),
    }
    rows = rows_of(table, changed, file_id_column=column)
    return digests, rows, sorted(changed | removed), {**(details or {}), **counts}


def _reconcile(spec: DatasetSpec, table: DeltaTable, stamp: CommitStamp) -> dict[str, str]:
    """Bring an existing table's properties in line with the policy (deltalake applies
    ``configuration=`` only when a table is created)."""
    changes = properties_to_reconcile(spec, dict(table.metadata().configuration))
    if changes:
        meta = to_commit_metadata(msgspec.structs.replace(stamp, write_mode="reconcile_properties"))
        try:
            table.alter.set_table_properties(
                changes,
                raise_if_not_exists=False,
                commit_properties=CommitProperties(custom_metadata=meta),
            )
        except (DeltaError, ValueError) as err:
            raise StorageError(
                f"dataset {spec.name!r}: cannot set table properties {sorted(changes)}: {err}"
            ) from err
    return changes


def _schema_mode(spec: DatasetSpec, table: DeltaTable, *, partial: bool) -> SchemaModeArg:
    wanted = arrow_schema(spec)
    same_partitions = list(table.metadata().partition_columns) == list(spec.write_policy.partition_by)
    if schemas_match(table, wanted) and same_partitions:
        return None
    mode = spec.write_policy.schema_mode
    if mode is SchemaMode.STRICT:
        raise StorageError(
            f"dataset {spec.name!r}: stored schema or partitioning differs from the spec and "
            "the write policy's schema mode is strict"
        )
    if mode is SchemaMode.OVERWRITE and not partial:
        return "overwrite"
    if not same_partitions:
        raise StorageError(f"dataset {spec.name!r}: partitioning changed; a full write is needed to apply it")
    return "merge"
