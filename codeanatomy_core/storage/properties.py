"""Translate a dataset's write policy into deltalake writer properties and table properties."""

from __future__ import annotations

import deltalake
from deltalake import BloomFilterProperties, ColumnProperties, WriterProperties

from codeanatomy_core.errors import UnsupportedFeatureError
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.policy import TableFeature
from codeanatomy_core.specs.types import is_scalar

STATS_COLUMNS_PROPERTY = "delta.dataSkippingStatsColumns"
CHECKPOINT_INTERVAL_PROPERTY = "delta.checkpointInterval"
# Every incremental build adds a commit to each table it changes; opening a table replays
# the log since its last checkpoint (Delta's default: every 100 commits). Checkpoints every
# 10 commits keep opening a table with hundreds of files at about 10 ms instead of 50+.
CHECKPOINT_INTERVAL = 10

# Each opt-in feature: the table property that turns it on and the deltalake TableFeatures
# member that must exist for the installed deltalake to write tables that carry it.
_FEATURES: dict[TableFeature, tuple[str, str]] = {
    TableFeature.CHANGE_DATA_FEED: ("delta.enableChangeDataFeed", "ChangeDataFeed"),
    TableFeature.APPEND_ONLY: ("delta.appendOnly", "AppendOnly"),
    TableFeature.CHECK_CONSTRAINTS: ("", "CheckConstraints"),
}


def supported_features() -> frozenset[TableFeature]:
    """Features the installed deltalake knows how to write."""
    return frozenset(
        feature for feature, (_, member) in _FEATURES.items() if hasattr(deltalake.TableFeatures, member)
    )


def validate_features(spec: DatasetSpec) -> None:
    available = supported_features()
    for feature in spec.write_policy.features:
        if feature not in available:
            raise UnsupportedFeatureError(
                f"dataset {spec.name!r}: table feature {feature.value!r} is not supported by "
                f"deltalake {deltalake.__version__}"
            )


def stats_columns(spec: DatasetSpec) -> tuple[str, ...]:
    """Explicit statistics columns, or the automatic choice, capped by the policy."""
    policy = spec.write_policy
    if policy.stats_columns is not None:
        chosen = policy.stats_columns
    else:
        leading = spec.key + spec.ordering + policy.partition_by
        scalars = tuple(f.name for f in spec.fields if is_scalar(f.dtype))
        chosen = tuple(dict.fromkeys(c for c in leading + scalars if c in scalars))
    return chosen[: policy.max_stats_columns]


def table_configuration(spec: DatasetSpec) -> dict[str, str]:
    """The Delta table properties the policy asks for (reconciled on every write)."""
    validate_features(spec)
    config = {
        STATS_COLUMNS_PROPERTY: ",".join(stats_columns(spec)),
        CHECKPOINT_INTERVAL_PROPERTY: str(CHECKPOINT_INTERVAL),
    }
    enabled = set(spec.write_policy.features)
    for feature, (prop, _) in sorted(_FEATURES.items()):
        if prop and feature in enabled and feature in supported_features():
            config[prop] = "true"
    config.update(spec.write_policy.table_properties)
    return dict(sorted(config.items()))


def properties_to_reconcile(spec: DatasetSpec, existing: dict[str, str]) -> dict[str, str]:
    """Properties whose stored value differs from the policy; disabled features are unset."""
    desired = table_configuration(spec)
    for prop, _ in _FEATURES.values():
        if prop and prop not in desired and existing.get(prop) == "true":
            desired[prop] = "false"
    return {k: v for k, v in sorted(desired.items()) if existing.get(k) != v}


def writer_properties(spec: DatasetSpec) -> WriterProperties:
    policy = spec.write_policy
    column_properties = {
        bloom.column: ColumnProperties(
            dictionary_enabled=policy.dictionary_enabled,
            bloom_filter_properties=BloomFilterProperties(True, fpp=bloom.fpp, ndv=bloom.ndv),
        )
        for bloom in policy.bloom_filters
    }
    return WriterProperties(
        compression=policy.compression.value,
        compression_level=policy.compression_level,
        max_row_group_size=policy.max_row_group_size,
        default_column_properties=ColumnProperties(dictionary_enabled=policy.dictionary_enabled),
        column_properties=column_properties or None,
    )
