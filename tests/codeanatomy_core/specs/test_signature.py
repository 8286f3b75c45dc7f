"""Signatures: canonical, stable across processes, sensitive to every spec field."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import msgspec
import pytest

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.specs import (
    BloomFilterSpec,
    BuildStamp,
    Compression,
    ContractSpec,
    DatasetSpec,
    DeltaWritePolicy,
    Domain,
    FieldSpec,
    SchemaMode,
    TableFeature,
    canonical_encode,
    combine_signatures,
    should_regenerate,
    signature,
)
from codeanatomy_core.specs.types import FLOAT64, INT32, INT64, STRING, list_of

replace = msgspec.structs.replace


def probe_spec(
    *,
    label_metadata: dict[str, str] | None = None,
    table_properties: dict[str, str] | None = None,
    allowed_values: dict[str, tuple[str, ...]] | None = None,
) -> DatasetSpec:
    """A spec touching every kind of spec field; mappings can be built in any order."""
    return DatasetSpec(
        name="probe",
        domain=Domain.DIAGNOSTICS,
        description="A table for signature tests.",
        fields=(
            FieldSpec(name="probe_id", dtype=INT64, nullable=False, description="the key"),
            FieldSpec(name="kind", dtype=STRING, nullable=False),
            FieldSpec(
                name="label",
                dtype=STRING,
                metadata={"origin": "test", "unit": "none"} if label_metadata is None else label_metadata,
            ),
            FieldSpec(name="score", dtype=FLOAT64),
        ),
        key=("probe_id",),
        ordering=("probe_id",),
        contract=ContractSpec(
            allowed_values={"kind": ("a", "b"), "label": ("x", "y")}
            if allowed_values is None
            else allowed_values
        ),
        write_policy=DeltaWritePolicy(
            bloom_filters=(BloomFilterSpec(column="label"),),
            table_properties={"delta.appendOnly": "false", "delta.logRetentionDuration": "interval 7 days"}
            if table_properties is None
            else table_properties,
        ),
    )


BASE = probe_spec()


def _with_field(spec: DatasetSpec, index: int, **changes: object) -> DatasetSpec:
    fields = list(spec.fields)
    fields[index] = replace(fields[index], **changes)
    return replace(spec, fields=tuple(fields))


def _with_policy(spec: DatasetSpec, **changes: object) -> DatasetSpec:
    return replace(spec, write_policy=replace(spec.write_policy, **changes))


# Each variant changes exactly one thing that defines the table.
VARIANTS: dict[str, DatasetSpec] = {
    "field type": _with_field(BASE, 3, dtype=INT32),
    "field type (list)": _with_field(BASE, 3, dtype=list_of(FLOAT64)),
    "field nullability": _with_field(BASE, 2, nullable=False),
    "field description": _with_field(BASE, 0, description="the primary key"),
    "field metadata value": _with_field(BASE, 2, metadata={"origin": "test", "unit": "some"}),
    "field name": _with_field(BASE, 3, name="points"),
    "field order": replace(BASE, fields=(BASE.fields[0], BASE.fields[1], BASE.fields[3], BASE.fields[2])),
    "dataset description": replace(BASE, description="Another description."),
    "domain": replace(BASE, domain=Domain.CPG),
    "version": replace(BASE, version=2),
    "logic_version": replace(BASE, logic_version=2),
    "key": replace(BASE, key=("probe_id", "kind")),
    "ordering": replace(BASE, ordering=("kind", "probe_id")),
    "upstream": replace(BASE, upstream=("source_files",)),
    "file id column": replace(BASE, file_id_column="probe_id"),
    "position unit": replace(BASE, position_unit="utf8_byte"),
    "contract unique": replace(BASE, contract=replace(BASE.contract, unique=(("kind", "label"),))),
    "contract allowed values": replace(
        BASE, contract=replace(BASE.contract, allowed_values={"kind": ("a", "b", "c"), "label": ("x", "y")})
    ),
    "bloom filter column": _with_policy(BASE, bloom_filters=(BloomFilterSpec(column="kind"),)),
    "bloom filter fpp": _with_policy(BASE, bloom_filters=(BloomFilterSpec(column="label", fpp=0.05),)),
    "bloom filter removed": _with_policy(BASE, bloom_filters=()),
    "stats columns": _with_policy(BASE, stats_columns=("probe_id",)),
    "max stats columns": _with_policy(BASE, max_stats_columns=2),
    "partitioning": _with_policy(BASE, partition_by=("kind",)),
    "z-order": _with_policy(BASE, zorder_by=("label",)),
    "compression": _with_policy(BASE, compression=Compression.SNAPPY),
    "compression level": _with_policy(BASE, compression_level=9),
    "schema mode": _with_policy(BASE, schema_mode=SchemaMode.STRICT),
    "features": _with_policy(BASE, features=(TableFeature.CHANGE_DATA_FEED,)),
    "table property value": _with_policy(
        BASE,
        table_properties={"delta.appendOnly": "true", "delta.logRetentionDuration": "interval 7 days"},
    ),
    "row group size": _with_policy(BASE, max_row_group_size=1024),
}


def test_signature_is_sha256_of_scheme_and_canonical_encoding() -> None:
    expected = hashlib.sha256(b"codeanatomy-sig-v1\x00" + canonical_encode(BASE)).hexdigest()
    assert signature(BASE) == expected


def test_canonical_encoding_sorts_keys_and_has_no_whitespace() -> None:
    spec_field = FieldSpec(name="n", dtype=INT64, nullable=False, metadata={"b": "2", "a": "1"})
    assert canonical_encode(spec_field) == (
        b'{"description":"","dtype":{"kind":"int64","type":"scalar"},'
        b'"metadata":{"a":"1","b":"2"},"name":"n","nullable":false}'
    )


@pytest.mark.parametrize("change", sorted(VARIANTS))
def test_signature_changes_with_each_spec_field(change: str) -> None:
    assert signature(VARIANTS[change]) != signature(BASE)


def test_every_variant_has_its_own_signature() -> None:
    signatures = {signature(spec) for spec in VARIANTS.values()} | {signature(BASE)}
    assert len(signatures) == len(VARIANTS) + 1


def test_signature_ignores_insertion_order_of_mappings() -> None:
    reordered = probe_spec(
        label_metadata={"unit": "none", "origin": "test"},
        table_properties={"delta.logRetentionDuration": "interval 7 days", "delta.appendOnly": "false"},
        allowed_values={"label": ("x", "y"), "kind": ("a", "b")},
    )
    assert list(reordered.fields[2].metadata) == ["unit", "origin"]
    assert list(reordered.write_policy.table_properties) != list(BASE.write_policy.table_properties)
    assert canonical_encode(reordered) == canonical_encode(BASE)
    assert signature(reordered) == signature(BASE)


def test_combine_signatures_ignores_name_order_but_not_values() -> None:
    forward = combine_signatures({"a": "1", "b": "2"})
    assert combine_signatures({"b": "2", "a": "1"}) == forward
    assert combine_signatures({"a": "2", "b": "1"}) != forward
    assert combine_signatures({"a": "1"}) != forward


# Prints every built-in dataset's signature, the probe spec's (its mappings built in an
# order that depends on a set, hence on the hash seed) and a combined signature.
_SIGNATURE_SCRIPT = textwrap.dedent(
    """
    import json
    from codeanatomy_core.pipeline.registry import default_steps
    from codeanatomy_core.specs import DatasetSpec, Domain, FieldSpec, combine_signatures, signature
    from codeanatomy_core.specs.types import STRING

    keys = {"zeta", "alpha", "mu", "beta", "omega", "kappa"}
    spec = DatasetSpec(
        name="seeded",
        domain=Domain.DIAGNOSTICS,
        description="mapping order follows set order",
        fields=(FieldSpec(name="v", dtype=STRING, metadata={k: k.upper() for k in keys}),),
    )
    out = default_steps().catalog.signatures()
    out["seeded"] = signature(spec)
    out["combined"] = combine_signatures({k: k for k in keys})
    print(json.dumps(out, sort_keys=True))
    """
)


def _expected_signatures() -> dict[str, str]:
    keys = ["alpha", "beta", "kappa", "mu", "omega", "zeta"]
    spec = DatasetSpec(
        name="seeded",
        domain=Domain.DIAGNOSTICS,
        description="mapping order follows set order",
        fields=(FieldSpec(name="v", dtype=STRING, metadata={k: k.upper() for k in keys}),),
    )
    out = default_steps().catalog.signatures()
    out["seeded"] = signature(spec)
    out["combined"] = combine_signatures({k: k for k in keys})
    return out


def test_signatures_are_stable_across_processes_and_hash_seeds() -> None:
    expected = _expected_signatures()
    seeds = ("0", "1", "4242", "random")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _SIGNATURE_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in seeds
    ]
    for seed, process in zip(seeds, processes, strict=True):
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert json.loads(stdout) == expected, f"PYTHONHASHSEED={seed}"


@pytest.mark.parametrize(
    ("current", "next_signature", "next_inputs", "force", "expected"),
    [
        pytest.param(None, "s1", {"a": "1"}, False, True, id="never built"),
        pytest.param(None, "s1", {"a": "1"}, True, True, id="never built, forced"),
        pytest.param(BuildStamp(signature="s1", input_versions={"a": "1"}), "s1", {"a": "1"}, False, False,
                     id="nothing changed"),
        pytest.param(BuildStamp(signature="s1", input_versions={"a": "1"}), "s1", {"a": "1"}, True, True,
                     id="nothing changed, forced"),
        pytest.param(BuildStamp(signature="s1", input_versions={"a": "1"}), "s2", {"a": "1"}, False, True,
                     id="signature changed"),
        pytest.param(BuildStamp(signature="s1", input_versions={"a": "1"}), "s1", {"a": "2"}, False, True,
                     id="input version changed"),
        pytest.param(BuildStamp(signature="s1", input_versions={"a": "1"}), "s1", {"a": "1", "b": "1"},
                     False, True, id="input added"),
        pytest.param(BuildStamp(signature="s1", input_versions={"a": "1", "b": "1"}), "s1", {"a": "1"},
                     False, True, id="input removed"),
        pytest.param(BuildStamp(signature="s1", input_versions={"a": "1", "b": "2"}), "s1",
                     {"b": "2", "a": "1"}, False, False, id="same inputs, other order"),
        pytest.param(BuildStamp(signature="s1"), "s1", {}, False, False, id="no inputs, unchanged"),
    ],
)  # fmt: skip
def test_should_regenerate_truth_table(
    current: BuildStamp | None,
    next_signature: str,
    next_inputs: dict[str, str],
    force: bool,
    expected: bool,
) -> None:
    decision = should_regenerate(
        current=current, next_signature=next_signature, next_inputs=next_inputs, force=force
    )
    assert decision is expected
