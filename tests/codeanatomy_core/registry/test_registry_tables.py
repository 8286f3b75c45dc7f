"""Registry tables in memory: exact rows, derived schemas, round trips and decoders."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from codeanatomy_core.errors import CatalogError
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.registry import (
    RegistryCatalog,
    RegistryTable,
    is_registry_step,
    refresh_registry_steps,
    registry_of,
    registry_steps,
)
from codeanatomy_core.registry.decode import (
    decode_datasets,
    decode_policies,
    decode_signatures,
    decode_templates,
    typed_rows,
)
from codeanatomy_core.registry.domain import DATASET_ATTRS, FIELD_ATTRS, type_label
from codeanatomy_core.registry.rows import (
    DatasetRow,
    DiagnosticRow,
    FieldRow,
    PolicyRow,
    SignatureRow,
    TemplateRow,
)
from codeanatomy_core.specs.model import Domain
from codeanatomy_core.specs.signature import signature
from codeanatomy_core.specs.templates import TEMPLATE_KEY, TEMPLATES
from codeanatomy_core.specs.types import INT64, STRING, MapOf, StructMember, StructOf, list_of

TINY_TABLES = (
    "registry_diagnostics",
    "registry_extract_datasets",
    "registry_extract_fields",
    "registry_extract_policies",
    "registry_extract_templates",
    "registry_signatures",
    "registry_source_datasets",
    "registry_source_fields",
    "registry_source_policies",
    "registry_source_templates",
)


@pytest.fixture(scope="module")
def registry(tiny: Any) -> RegistryCatalog:
    return RegistryCatalog(tiny.base())


def test_one_table_per_kind_and_domain_sorted_by_name(registry: RegistryCatalog) -> None:
    assert registry.names() == TINY_TABLES
    counts = {name: len(registry.rows(name)) for name in registry.names()}
    assert counts == {
        "registry_diagnostics": 8,
        "registry_extract_datasets": 2,
        "registry_extract_fields": 9,
        "registry_extract_policies": 2,
        "registry_extract_templates": 3,
        "registry_signatures": 9,
        "registry_source_datasets": 1,
        "registry_source_fields": 2,
        "registry_source_policies": 1,
        "registry_source_templates": 3,
    }


def test_steps_group_tables_by_described_domain(registry: RegistryCatalog) -> None:
    steps = {step.name: step.output_names for step in registry.steps()}
    assert steps == {
        "registry_catalog": ("registry_diagnostics", "registry_signatures"),
        "registry_extract": tuple(n for n in TINY_TABLES if n.startswith("registry_extract_")),
        "registry_source": tuple(n for n in TINY_TABLES if n.startswith("registry_source_")),
    }
    for step in registry.steps():
        assert step.inputs == ()
        assert not step.reads_repository


def test_specs_and_schemas_are_derived_from_the_row_structs(registry: RegistryCatalog) -> None:
    for table in registry:
        schema = table.schema()
        assert schema.metadata[b"spec_kind"] == table.name.encode()
        assert table.spec.name == table.name
        assert table.spec.ordering == table.key
        assert [f.name for f in schema] == [f.name for f in msgspec.structs.fields(table.row_type)]
        expected = Domain.DIAGNOSTICS if table.name == "registry_diagnostics" else Domain.REGISTRY
        assert table.spec.domain is expected
        assert all(f.description for f in table.spec.fields), table.name
    fields = registry.table("registry_extract_fields").spec
    assert fields.key == ("dataset", "position")
    assert fields.field("dtype").metadata == {"codeanatomy.encoding": "json"}


def test_dataset_rows_carry_the_spec_and_its_signatures(registry: RegistryCatalog, tiny: Any) -> None:
    base = tiny.base()
    [loose, tokens] = typed_rows(registry.rows("registry_extract_datasets"), DatasetRow)
    assert tokens == DatasetRow(
        name="tokens",
        domain=Domain.EXTRACT,
        description="One row per token.",
        version=1,
        logic_version=1,
        key=("token_id",),
        ordering=("file_id", "bstart"),
        contract=tiny.tokens.contract,
        upstream=("files",),
        file_id_column="file_id",
        write_policy=tiny.tokens.write_policy,
        position_unit="utf8_byte",
        producer="extract",
        field_count=7,
        templates=("byte_span", "file_scoped"),
        spec_signature=signature(tiny.tokens),
        signature=base.signatures()["tokens"],
    )
    assert loose.name == "loose"
    assert loose.templates == ()
    assert set(DATASET_ATTRS) <= {f.name for f in msgspec.structs.fields(DatasetRow)}
    assert set(FIELD_ATTRS) <= {f.name for f in msgspec.structs.fields(FieldRow)}


def test_field_rows_in_schema_order(registry: RegistryCatalog) -> None:
    rows = typed_rows(registry.rows("registry_extract_fields"), FieldRow)
    assert [(r.dataset, r.position, r.name, r.template) for r in rows] == [
        ("loose", 0, "file_id", None),
        ("loose", 1, "start_line", None),
        ("tokens", 0, "token_id", None),
        ("tokens", 1, "file_id", "file_scoped"),
        ("tokens", 2, "bstart", "byte_span"),
        ("tokens", 3, "bend", "byte_span"),
        ("tokens", 4, "kind", None),
        ("tokens", 5, "parts", None),
        ("tokens", 6, "attrs", None),
    ]
    assert rows[6] == FieldRow(
        dataset="tokens",
        position=4,
        name="kind",
        dtype=STRING,
        type_label="string",
        nullable=False,
        description="token kind",
        metadata={},
        template=None,
    )
    assert rows[3].metadata == {TEMPLATE_KEY: "file_scoped"}
    assert [r.type_label for r in rows[7:]] == ["list<string>", "map<string, string>"]


def test_type_labels() -> None:
    nested = StructOf(
        members=(StructMember(name="a", dtype=list_of(INT64)), StructMember(name="b", dtype=STRING))
    )
    assert type_label(nested) == "struct<a: list<int64>, b: string>"
    assert type_label(MapOf(key=STRING, value=nested)) == "map<string, struct<a: list<int64>, b: string>>"


def test_policy_rows_resolve_statistics_columns(registry: RegistryCatalog, tiny: Any) -> None:
    [files] = typed_rows(registry.rows("registry_source_policies"), PolicyRow)
    assert files == PolicyRow(
        dataset="files", policy=tiny.files.write_policy, effective_stats_columns=("file_id", "path")
    )
    loose, tokens = typed_rows(registry.rows("registry_extract_policies"), PolicyRow)
    assert tokens.effective_stats_columns == ("token_id", "file_id", "bstart", "bend", "kind")
    assert loose.effective_stats_columns == ("file_id", "start_line")


def test_template_rows_list_declared_and_matching_datasets(registry: RegistryCatalog) -> None:
    rows = typed_rows(registry.rows("registry_extract_templates"), TemplateRow)
    assert [(r.name, r.declared_by, r.matched_by) for r in rows] == [
        ("byte_span", ("tokens",), ()),
        ("file_scoped", ("tokens",), ("loose",)),
        ("line_span", (), ()),
    ]
    source = typed_rows(registry.rows("registry_source_templates"), TemplateRow)
    assert [(r.name, r.declared_by, r.matched_by) for r in source] == [
        ("byte_span", (), ()),
        ("file_scoped", (), ("files",)),
        ("line_span", (), ()),
    ]


def test_diagnostics_count_rows_and_warn_about_the_specs(registry: RegistryCatalog) -> None:
    rows = {r.registry: r for r in typed_rows(registry.rows("registry_diagnostics"), DiagnosticRow)}
    assert set(rows) == set(TINY_TABLES) - {"registry_diagnostics", "registry_signatures"}
    assert rows["registry_extract_datasets"] == DiagnosticRow(
        registry="registry_extract_datasets",
        describes=Domain.EXTRACT,
        row_count=2,
        warning_count=2,
        warnings=("dataset 'loose' has no description", "dataset 'loose' has no key"),
    )
    assert rows["registry_extract_fields"].warnings == ("field loose.file_id has no description",)
    assert rows["registry_extract_templates"].warnings == (
        "dataset 'loose' has the fields of template 'file_scoped' without declaring it",
    )
    assert rows["registry_source_templates"].warnings == (
        "dataset 'files' has the fields of template 'file_scoped' without declaring it",
    )
    assert rows["registry_source_datasets"].warnings == ()
    assert rows["registry_extract_policies"].row_count == 2


def test_signature_rows_list_every_other_registry(registry: RegistryCatalog) -> None:
    rows = typed_rows(registry.rows("registry_signatures"), SignatureRow)
    assert [r.registry for r in rows] == [n for n in TINY_TABLES if n != "registry_signatures"]
    by_name = {r.registry: r for r in rows}
    assert by_name["registry_extract_fields"] == SignatureRow(
        registry="registry_extract_fields",
        describes=Domain.EXTRACT,
        signature=registry.signature("registry_extract_fields"),
        source="codeanatomy_core.registry.domain.field_rows",
    )
    assert by_name["registry_diagnostics"].describes is None
    assert decode_signatures(rows) == {
        n: s for n, s in registry.signatures().items() if n != "registry_signatures"
    }


@pytest.mark.parametrize("which", ["tiny", "default"])
def test_every_table_round_trips_through_arrow(which: str, tiny: Any) -> None:
    registry = RegistryCatalog(tiny.base()) if which == "tiny" else registry_of(default_steps())
    for table in registry:
        rows = registry.rows(table.name)
        encoded = registry.encode(table.name)
        assert encoded.schema.equals(table.schema(), check_metadata=True)
        assert table.decode(encoded) == rows, table.name


@pytest.mark.parametrize("which", ["tiny", "default"])
def test_registry_tables_decode_into_the_same_spec_objects(which: str, tiny: Any) -> None:
    if which == "tiny":
        base = tiny.base()
        registry = RegistryCatalog(base)
    else:
        steps = default_steps()
        registry = registry_of(steps)
        base = StepRegistry(s for s in steps if not is_registry_step(s))
    domains = sorted({spec.domain for spec in base.catalog}, key=str)
    assert registry.sources.domains() == tuple(domains)
    for domain in domains:
        decoded = {}
        for kind in ("datasets", "fields", "policies", "templates"):
            table = registry.table(f"registry_{domain}_{kind}")
            decoded[kind] = table.decode(table.encode(registry.rows(table.name)))
        specs = decode_datasets(
            typed_rows(decoded["datasets"], DatasetRow), typed_rows(decoded["fields"], FieldRow)
        )
        assert specs == base.catalog.by_domain(domain)
        assert decode_policies(typed_rows(decoded["policies"], PolicyRow)) == {
            s.name: s.write_policy for s in base.catalog.by_domain(domain)
        }
        assert decode_templates(typed_rows(decoded["templates"], TemplateRow)) == tuple(TEMPLATES)


def test_default_pipeline_describes_every_domain_that_has_datasets() -> None:
    steps = default_steps()
    registry = registry_of(steps)
    described = {str(s.domain) for s in steps.catalog if not s.name.startswith("registry_")}
    assert {str(d) for d in registry.sources.domains()} == described
    assert {"source", "extract"} <= described
    for domain in described:
        for kind in ("datasets", "fields", "policies", "templates"):
            assert f"registry_{domain}_{kind}" in steps.catalog
    assert steps.producer("registry_signatures").name == "registry_catalog"
    with pytest.raises(CatalogError, match=r"step 'registry_catalog' is a registry step"):
        registry_steps(steps)


class KindRow(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    arity: int


def test_adding_a_registry_is_a_few_lines(tiny: Any) -> None:
    kinds = RegistryTable(
        name="registry_cpg_kinds",
        describes=Domain.CPG,
        row_type=KindRow,
        rows=lambda sources: [KindRow(kind="CALLS", arity=2), KindRow(kind="ARG", arity=1)],
        key=("kind",),
        description="Edge kinds.",
    )
    registry = RegistryCatalog(tiny.base(), extra=(kinds,))
    assert "registry_cpg" in {s.name for s in registry.steps()}
    assert registry.rows("registry_cpg_kinds") == (
        KindRow(kind="ARG", arity=1),
        KindRow(kind="CALLS", arity=2),
    )
    assert "registry_cpg_kinds" in {r.registry for r in registry.rows("registry_signatures")}  # type: ignore[attr-defined]
    full = StepRegistry([*tiny.base(), *registry.steps()])
    assert full.catalog.get("registry_cpg_kinds").domain is Domain.REGISTRY


def test_bad_registries_are_refused_naming_the_generators(tiny: Any) -> None:
    def first(sources: Any) -> list[KindRow]:
        return [KindRow(kind="A", arity=1), KindRow(kind="A", arity=2)]

    def second(sources: Any) -> list[Any]:
        return [object()]

    dup = RegistryTable(
        name="registry_x", describes=None, row_type=KindRow, rows=first, key=("kind",), description="x"
    )
    other = RegistryTable(
        name="registry_x", describes=None, row_type=KindRow, rows=second, key=("kind",), description="y"
    )
    with pytest.raises(
        CatalogError, match=r"registry table 'registry_x' is declared twice: by .*first and by .*second"
    ):
        RegistryCatalog(tiny.base(), extra=(dup, other))
    registry = RegistryCatalog(tiny.base(), extra=(dup,))
    with pytest.raises(
        CatalogError, match=r"registry 'registry_x': key \{'kind': 'A'\} is generated twice by .*first"
    ):
        registry.rows("registry_x")
    wrong = RegistryTable(
        name="registry_y", describes=None, row_type=KindRow, rows=second, key=("kind",), description="y"
    )
    with pytest.raises(
        CatalogError, match=r"registry 'registry_y': .*second yielded a object, expected KindRow"
    ):
        RegistryCatalog(tiny.base(), extra=(wrong,)).rows("registry_y")
    with pytest.raises(CatalogError, match=r"must be an identifier starting with 'registry_'"):
        RegistryTable(
            name="kinds", describes=None, row_type=KindRow, rows=first, key=("kind",), description=""
        )


def test_what_if_registries_describe_the_replaced_spec(tiny: Any) -> None:
    kinds = RegistryTable(
        name="registry_cpg_kinds",
        describes=Domain.CPG,
        row_type=KindRow,
        rows=lambda sources: [KindRow(kind="CALLS", arity=2)],
        key=("kind",),
        description="Edge kinds.",
    )
    base = tiny.base()
    steps = StepRegistry([*base, *registry_steps(base, extra=(kinds,))])
    edited = msgspec.structs.replace(tiny.tokens, logic_version=7)
    what_if = steps.with_spec(edited)
    registry = registry_of(what_if)
    [_, tokens] = typed_rows(registry.rows("registry_extract_datasets"), DatasetRow)
    assert tokens.logic_version == 7
    assert "registry_cpg_kinds" in registry.names()  # extra tables survive the refresh
    before, after = registry_of(steps).signatures(), registry.signatures()
    moved = {n for n in before if before[n] != after[n]}
    assert moved == {"registry_extract_datasets", "registry_signatures"}
    assert refresh_registry_steps(list(base)) == list(base)
    # Replacing a registry table's own spec keeps the registry steps as they are.
    spec = msgspec.structs.replace(registry.table("registry_cpg_kinds").spec, description="Kinds.")
    assert what_if.with_spec(spec).catalog.get("registry_cpg_kinds").description == "Kinds."
    assert [is_registry_step(s) for s in what_if] == [False, True, True, True, True, False]
