"""Registry tables in the warehouse: freshness, parity with the generators, decoding from
Delta, signature status and drift detection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from deltalake import DeltaTable, write_deltalake

from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.pipeline.runner import DatasetRunResult, run_pipeline
from codeanatomy_core.registry import RegistryCatalog, registry_of
from codeanatomy_core.registry.decode import load_domain_specs, load_rows
from codeanatomy_core.registry.signatures import (
    committed_signatures,
    detect_drift,
    recorded_signatures,
    signature_status,
)
from codeanatomy_core.source import RepositoryConfig
from codeanatomy_core.specs.model import Domain
from codeanatomy_core.storage import Warehouse, read_dataset
from codeanatomy_core.storage.reader import schemas_match
from codeanatomy_core.storage.writer import prepare


def build(
    repo: Path, warehouse: Warehouse, steps: StepRegistry | None = None, **options: Any
) -> dict[str, DatasetRunResult]:
    return run_pipeline(
        steps or default_steps(),
        repository=RepositoryConfig(root=str(repo)),
        warehouse=warehouse,
        workers=1,
        **options,
    )


def registry_results(
    results: dict[str, DatasetRunResult], registry: RegistryCatalog
) -> dict[str, DatasetRunResult]:
    return {name: results[name] for name in registry.names()}


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, small_repo_src: Path
) -> tuple[Warehouse, RegistryCatalog]:
    warehouse = Warehouse.at(tmp_path_factory.mktemp("registry") / "warehouse")
    build(small_repo_src, warehouse)
    return warehouse, registry_of(default_steps())


def test_materializing_twice_writes_no_new_registry_version(
    small_repo: Path, warehouse: Warehouse, version_probe: Any
) -> None:
    steps = default_steps()
    registry = registry_of(steps)
    first = registry_results(build(small_repo, warehouse, steps), registry)
    assert {r.written for r in first.values()} == {True}
    specs = registry.specs()
    assert version_probe(warehouse, specs) == {spec.name: 0 for spec in specs}
    second = registry_results(build(small_repo, warehouse, default_steps()), registry)
    assert {name: (r.written, r.reason) for name, r in second.items()} == dict.fromkeys(
        registry.names(), (False, "signature and inputs unchanged")
    )
    assert version_probe(warehouse, specs) == {spec.name: 0 for spec in specs}
    forced = registry_results(build(small_repo, warehouse, steps, force=True), registry)
    assert {r.written for r in forced.values()} == {True}
    assert version_probe(warehouse, specs) == {spec.name: 1 for spec in specs}


def test_stored_tables_equal_the_generators(built: tuple[Warehouse, RegistryCatalog]) -> None:
    warehouse, registry = built
    for table in registry:
        delta = DeltaTable(warehouse.table_uri(table.spec))
        # Delta keeps names, types, nullability and field metadata (descriptions), not the
        # Arrow schema metadata; the table's name and description are Delta metadata.
        assert schemas_match(delta, table.schema()), table.name
        assert (delta.metadata().name, delta.metadata().description) == (table.name, table.spec.description)
        stored = read_dataset(table.spec, warehouse=warehouse)
        assert stored.column_names == table.schema().names
        assert table.decode(stored) == registry.rows(table.name), table.name
        generated = prepare(table.spec, registry.encode(table.name)).table
        conformed = prepare(table.spec, stored).table
        assert conformed.equals(generated), table.name
        assert conformed.schema.equals(generated.schema, check_metadata=True), table.name


def test_specs_decode_from_the_stored_registry(built: tuple[Warehouse, RegistryCatalog]) -> None:
    warehouse, registry = built
    catalog = default_steps().catalog
    for domain in registry.sources.domains():
        assert load_domain_specs(registry, domain, warehouse=warehouse) == catalog.by_domain(domain)
    for table in registry:
        assert load_rows(table, warehouse=warehouse) == registry.rows(table.name)


def test_signature_views_agree_after_a_build(built: tuple[Warehouse, RegistryCatalog]) -> None:
    warehouse, registry = built
    generated = registry.signatures()
    recorded = recorded_signatures(registry, warehouse=warehouse)
    assert recorded == {name: sig for name, sig in generated.items() if name != "registry_signatures"}
    assert committed_signatures(registry, warehouse=warehouse) == generated
    statuses = signature_status(registry, warehouse=warehouse)
    assert [s.registry for s in statuses] == list(registry.names())
    assert all(s.current for s in statuses)
    assert recorded_signatures(registry, warehouse=Warehouse.at(warehouse.root + "-empty")) == {}


def test_a_spec_change_rewrites_only_the_affected_registries(
    small_repo: Path, warehouse: Warehouse, version_probe: Any
) -> None:
    steps = default_steps()
    build(small_repo, warehouse, steps)
    edited = msgspec.structs.replace(steps.catalog.get("ast_nodes"), description="Syntax tree nodes, anew.")
    what_if = steps.with_spec(edited)  # the registry steps are regenerated from the new spec
    registry = registry_of(what_if)
    before = {s.registry: s.current for s in signature_status(registry, warehouse=warehouse)}
    assert {name for name, current in before.items() if not current} == {
        "registry_extract_datasets",
        "registry_signatures",
    }
    versions = version_probe(warehouse, registry.specs())
    results = build(small_repo, warehouse, what_if)
    assert {name for name, r in registry_results(results, registry).items() if r.written} == {
        "registry_extract_datasets",
        "registry_signatures",
    }
    assert version_probe(warehouse, registry.specs()) == {
        **versions,
        "registry_extract_datasets": 1,
        "registry_signatures": 1,
    }
    assert all(s.current for s in signature_status(registry, warehouse=warehouse))
    stored = {s.name: s for s in load_domain_specs(registry, Domain.EXTRACT, warehouse=warehouse)}
    assert stored["ast_nodes"] == edited


def test_drift_detection_is_cheap_by_default_and_deep_on_request(
    small_repo: Path, warehouse: Warehouse
) -> None:
    steps = default_steps()
    build(small_repo, warehouse, steps)
    registry = registry_of(steps)
    assert not any(r.drifted for r in detect_drift(registry, warehouse=warehouse, deep=True))
    assert {r.stored_rows_hash for r in detect_drift(registry, warehouse=warehouse)} == {None}
    # Someone rewrites a registry table behind CodeAnatomy's back (no commit stamp).
    table = registry.table("registry_source_policies")
    tampered = registry.encode(table.name).slice(0, 1)
    write_deltalake(warehouse.table_uri(table.spec), tampered, mode="overwrite")
    cheap = {r.registry: r for r in detect_drift(registry, warehouse=warehouse)}
    assert not cheap[table.name].drifted  # the last stamped commit still matches its signature
    deep = {r.registry: r for r in detect_drift(registry, warehouse=warehouse, deep=True)}
    assert deep[table.name].drifted
    assert deep[table.name].stored_rows_hash != deep[table.name].generated_rows_hash
    assert {name for name, r in deep.items() if r.drifted} == {table.name}
    # A forced build repairs it.
    build(small_repo, warehouse, steps, force=True)
    assert not any(r.drifted for r in detect_drift(registry, warehouse=warehouse, deep=True))


def test_a_missing_table_is_drift(warehouse: Warehouse, tiny: Any) -> None:
    registry = RegistryCatalog(tiny.base())
    reports = detect_drift(registry, warehouse=warehouse, deep=True)
    assert [(r.exists, r.drifted, r.stored_rows_hash) for r in reports] == [(False, True, None)] * len(
        registry
    )
