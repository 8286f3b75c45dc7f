"""Dataset and field specs: the single declaration of every table CodeAnatomy writes."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from codeanatomy_core.errors import SpecError
from codeanatomy_core.specs.policy import DeltaWritePolicy
from codeanatomy_core.specs.types import DataType, is_scalar


class Domain(StrEnum):
    SOURCE = "source"
    EXTRACT = "extract"
    NORMALIZE = "normalize"
    RELSPEC = "relspec"
    CPG = "cpg"
    REGISTRY = "registry"
    DIAGNOSTICS = "diagnostics"


class FieldSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    dtype: DataType
    nullable: bool = True
    description: str = ""
    metadata: dict[str, str] = {}


class ContractSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Checks enforced before every write (in addition to the schema and non-null fields).

    ``unique`` lists column sets that must be unique (the dataset key is always one of them);
    ``allowed_values`` restricts string columns to a closed vocabulary.
    """

    unique: tuple[tuple[str, ...], ...] = ()
    allowed_values: dict[str, tuple[str, ...]] = {}


UTF8_BYTES = "utf8_byte"  # position_unit of spans given as offsets into a file's UTF-8 bytes


class DatasetSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One table: its schema, identity, contract, lineage and write policy.

    ``logic_version`` is bumped when the code that fills the table changes meaning, so the
    signature (and Dagster's code version) changes with it. ``file_id_column`` names the
    column that scopes rows to a source file, for per-file incremental replacement.
    """

    name: str
    domain: Domain
    description: str
    fields: tuple[FieldSpec, ...]
    version: int = 1
    logic_version: int = 1
    key: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    contract: ContractSpec = ContractSpec()
    upstream: tuple[str, ...] = ()
    file_id_column: str | None = None
    write_policy: DeltaWritePolicy = DeltaWritePolicy()
    position_unit: str | None = None

    def __post_init__(self) -> None:
        validate_dataset_spec(self)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for spec_field in self.fields:
            if spec_field.name == name:
                return spec_field
        raise SpecError(f"dataset {self.name!r} has no field {name!r}")

    def unique_column_sets(self) -> tuple[tuple[str, ...], ...]:
        sets = ((self.key,) if self.key else ()) + self.contract.unique
        return tuple(dict.fromkeys(sets))


def _require_columns(spec: DatasetSpec, role: str, columns: tuple[str, ...], known: set[str]) -> None:
    for column in columns:
        if column not in known:
            raise SpecError(f"dataset {spec.name!r}: {role} column {column!r} is not a field")


def validate_dataset_spec(spec: DatasetSpec) -> None:
    """Raise SpecError naming the dataset and column when a spec is inconsistent."""
    if not spec.name.isidentifier():
        raise SpecError(f"dataset name {spec.name!r} is not an identifier")
    if not spec.fields:
        raise SpecError(f"dataset {spec.name!r} declares no fields")
    names = [f.name for f in spec.fields]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SpecError(f"dataset {spec.name!r}: field {name!r} is declared twice")
        seen.add(name)
    policy = spec.write_policy
    _require_columns(spec, "key", spec.key, seen)
    _require_columns(spec, "ordering", spec.ordering, seen)
    _require_columns(spec, "partition", policy.partition_by, seen)
    _require_columns(spec, "z-order", policy.zorder_by, seen)
    _require_columns(spec, "statistics", policy.stats_columns or (), seen)
    _require_columns(spec, "bloom filter", tuple(b.column for b in policy.bloom_filters), seen)
    _require_columns(spec, "allowed-values", tuple(spec.contract.allowed_values), seen)
    for unique in spec.contract.unique:
        _require_columns(spec, "unique", unique, seen)
    if spec.file_id_column is not None:
        _require_columns(spec, "file id", (spec.file_id_column,), seen)
    for column in spec.key:
        if spec.field(column).nullable:
            raise SpecError(f"dataset {spec.name!r}: key column {column!r} must be non-nullable")
    for column in policy.partition_by:
        if not is_scalar(spec.field(column).dtype):
            raise SpecError(f"dataset {spec.name!r}: partition column {column!r} is not scalar")
    if policy.max_stats_columns < 1:
        raise SpecError(f"dataset {spec.name!r}: max_stats_columns must be at least 1")
