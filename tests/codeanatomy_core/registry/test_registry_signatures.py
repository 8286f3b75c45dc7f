"""Registry signatures: deterministic, covering the rows, and moving only where specs moved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import msgspec
import pytest

from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.registry import RegistryCatalog, registry_of
from codeanatomy_core.specs.model import DatasetSpec
from codeanatomy_core.specs.policy import Compression
from codeanatomy_core.specs.signature import combine_signatures, signature


def changed(tiny: Any, *specs: DatasetSpec) -> set[str]:
    before = RegistryCatalog(tiny.base()).signatures()
    after = RegistryCatalog(tiny.base(*specs)).signatures()
    assert set(before) == set(after)
    return {name for name in before if before[name] != after[name]}


def test_signatures_are_deterministic_and_cover_spec_and_rows(tiny: Any) -> None:
    one, two = RegistryCatalog(tiny.base()), RegistryCatalog(tiny.base())
    assert one.signatures() == two.signatures()
    assert len(set(one.signatures().values())) == len(one)
    for table in one:
        expected = combine_signatures(
            {"spec": signature(table.spec), "sources": signature(one.rows(table.name))}
        )
        assert one.signature(table.name) == expected
    step = {s.name: s for s in one.steps()}["registry_extract"]
    spec = one.table("registry_extract_fields").spec
    assert step.output_signature(spec) == one.signature("registry_extract_fields")


def test_nothing_changed_means_no_signature_changed(tiny: Any) -> None:
    assert changed(tiny) == set()


def test_dataset_description_moves_only_the_datasets_registry(tiny: Any) -> None:
    edited = msgspec.structs.replace(tiny.tokens, description="Tokens, differently.")
    assert changed(tiny, edited) == {"registry_extract_datasets", "registry_signatures"}


def test_field_description_moves_datasets_and_fields(tiny: Any) -> None:
    fields = tuple(
        msgspec.structs.replace(f, description="the kind") if f.name == "kind" else f
        for f in tiny.tokens.fields
    )
    edited = msgspec.structs.replace(tiny.tokens, fields=fields)
    # The dataset rows carry each dataset's signature, which covers its fields.
    assert changed(tiny, edited) == {
        "registry_extract_datasets",
        "registry_extract_fields",
        "registry_signatures",
    }


def test_write_policy_moves_datasets_and_policies_of_its_domain_only(tiny: Any) -> None:
    policy = msgspec.structs.replace(tiny.files.write_policy, compression=Compression.ZSTD)
    edited = msgspec.structs.replace(tiny.files, write_policy=policy)
    assert changed(tiny, edited) == {
        "registry_source_datasets",
        "registry_source_policies",
        "registry_signatures",
    }


def test_fixing_a_warning_moves_the_diagnostics(tiny: Any) -> None:
    edited = msgspec.structs.replace(tiny.loose, description="Loose rows.")
    assert changed(tiny, edited) == {
        "registry_extract_datasets",
        "registry_diagnostics",
        "registry_signatures",
    }


_SCRIPT = textwrap.dedent(
    """
    import json
    from codeanatomy_core.pipeline.registry import default_steps
    from codeanatomy_core.registry import registry_of
    steps = default_steps()
    print(json.dumps({"registry": registry_of(steps).signatures(), "all": steps.signatures()}))
    """
)


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_signatures_are_the_same_in_another_process(seed: str) -> None:
    steps = default_steps()
    expected = {"registry": registry_of(steps).signatures(), "all": steps.signatures()}
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == expected
