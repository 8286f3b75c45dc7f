"""DatasetSpec validation: every error names the dataset and the offending column."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from codeanatomy_core.errors import SpecError
from codeanatomy_core.specs import (
    BloomFilterSpec,
    ContractSpec,
    DatasetSpec,
    DeltaWritePolicy,
    Domain,
    FieldSpec,
    canonical_encode,
)
from codeanatomy_core.specs.types import INT64, STRING, list_of

FIELDS = (
    FieldSpec(name="item_id", dtype=INT64, nullable=False),
    FieldSpec(name="label", dtype=STRING),
    FieldSpec(name="tags", dtype=list_of(STRING), nullable=False),
)


def make(**overrides: Any) -> DatasetSpec:
    arguments: dict[str, Any] = {
        "name": "items",
        "domain": Domain.NORMALIZE,
        "description": "validation probe",
        "fields": FIELDS,
        "key": ("item_id",),
    }
    arguments.update(overrides)
    return DatasetSpec(**arguments)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "not-an-identifier"}, "dataset name 'not-an-identifier' is not an identifier"),
        ({"fields": ()}, "dataset 'items' declares no fields"),
        (
            {"fields": (*FIELDS, FieldSpec(name="label", dtype=INT64))},
            "dataset 'items': field 'label' is declared twice",
        ),
        ({"key": ("nope",)}, "dataset 'items': key column 'nope' is not a field"),
        ({"key": ("label",)}, "dataset 'items': key column 'label' must be non-nullable"),
        ({"ordering": ("item_id", "rank")}, "dataset 'items': ordering column 'rank' is not a field"),
        (
            {"write_policy": DeltaWritePolicy(partition_by=("shard",))},
            "dataset 'items': partition column 'shard' is not a field",
        ),
        (
            {"write_policy": DeltaWritePolicy(partition_by=("tags",))},
            "dataset 'items': partition column 'tags' is not scalar",
        ),
        (
            {"write_policy": DeltaWritePolicy(zorder_by=("where",))},
            "dataset 'items': z-order column 'where' is not a field",
        ),
        (
            {"write_policy": DeltaWritePolicy(stats_columns=("item_id", "count"))},
            "dataset 'items': statistics column 'count' is not a field",
        ),
        (
            {"write_policy": DeltaWritePolicy(bloom_filters=(BloomFilterSpec(column="title"),))},
            "dataset 'items': bloom filter column 'title' is not a field",
        ),
        (
            {"contract": ContractSpec(allowed_values={"colour": ("red",)})},
            "dataset 'items': allowed-values column 'colour' is not a field",
        ),
        (
            {"contract": ContractSpec(unique=(("label", "size"),))},
            "dataset 'items': unique column 'size' is not a field",
        ),
        ({"file_id_column": "file_id"}, "dataset 'items': file id column 'file_id' is not a field"),
        (
            {"write_policy": DeltaWritePolicy(max_stats_columns=0)},
            "dataset 'items': max_stats_columns must be at least 1",
        ),
    ],
)
def test_invalid_spec_error_names_dataset_and_column(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match=f"^{re.escape(message)}$"):
        make(**overrides)


def test_decoding_an_invalid_spec_is_validated_too() -> None:
    raw = msgspec.json.decode(canonical_encode(make()))
    raw["key"] = ["label"]
    message = "dataset 'items': key column 'label' must be non-nullable"
    with pytest.raises(SpecError, match=re.escape(message)):
        msgspec.convert(raw, DatasetSpec)


def test_spec_round_trips_through_its_canonical_encoding() -> None:
    spec = make(contract=ContractSpec(unique=(("label",),), allowed_values={"label": ("a", "b")}))
    assert msgspec.json.decode(canonical_encode(spec), type=DatasetSpec) == spec


def test_field_lookup_and_unique_column_sets() -> None:
    spec = make(contract=ContractSpec(unique=(("item_id",), ("label", "item_id"))))
    assert spec.field_names == ("item_id", "label", "tags")
    assert spec.field("label").dtype == STRING
    # The key comes first and a unique set equal to the key is listed once.
    assert spec.unique_column_sets() == (("item_id",), ("label", "item_id"))
    with pytest.raises(SpecError, match=re.escape("dataset 'items' has no field 'missing'")):
        spec.field("missing")


def test_specs_are_frozen() -> None:
    spec = make()
    with pytest.raises(AttributeError):
        spec.name = "other"  # type: ignore[misc]
