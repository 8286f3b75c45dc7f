"""SpecCatalog: name order, duplicates and unknown upstream datasets rejected."""

from __future__ import annotations

import re

import msgspec
import pytest

from codeanatomy_core.errors import CatalogError
from codeanatomy_core.pipeline.registry import default_steps
from codeanatomy_core.specs import DatasetSpec, Domain, FieldSpec, SpecCatalog, signature
from codeanatomy_core.specs.types import INT64


def spec(name: str, *, domain: Domain = Domain.EXTRACT, upstream: tuple[str, ...] = ()) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        domain=domain,
        description=f"the {name} table",
        fields=(FieldSpec(name="id", dtype=INT64, nullable=False),),
        key=("id",),
        upstream=upstream,
    )


def test_catalog_iterates_in_name_order_whatever_the_declaration_order() -> None:
    catalog = SpecCatalog(
        [spec("zebra", upstream=("alpha",)), spec("alpha", domain=Domain.SOURCE), spec("mango")]
    )
    assert catalog.names() == ("alpha", "mango", "zebra")
    assert [s.name for s in catalog] == ["alpha", "mango", "zebra"]
    assert len(catalog) == 3
    assert "mango" in catalog
    assert "kiwi" not in catalog
    assert [s.name for s in catalog.by_domain(Domain.EXTRACT)] == ["mango", "zebra"]
    assert list(catalog.signatures()) == ["alpha", "mango", "zebra"]
    assert catalog.signatures()["mango"] == signature(spec("mango"))


def test_duplicate_dataset_name_is_rejected() -> None:
    with pytest.raises(CatalogError, match=re.escape("dataset 'alpha' is declared twice: in domain")):
        SpecCatalog([spec("alpha"), spec("beta"), spec("alpha", domain=Domain.CPG)])


def test_unknown_upstream_is_rejected() -> None:
    message = "dataset 'beta' names unknown upstream dataset 'missing'"
    with pytest.raises(CatalogError, match=re.escape(message)):
        SpecCatalog([spec("alpha"), spec("beta", upstream=("alpha", "missing"))])


def test_get_unknown_dataset_names_it() -> None:
    catalog = SpecCatalog([spec("alpha")])
    assert catalog.get("alpha") == spec("alpha")
    with pytest.raises(CatalogError, match=re.escape("no dataset named 'omega'; known: ")):
        catalog.get("omega")


def test_replace_swaps_one_spec_and_keeps_the_rest() -> None:
    catalog = SpecCatalog([spec("alpha"), spec("beta")])
    bumped = msgspec.structs.replace(spec("beta"), logic_version=2)
    replaced = catalog.replace(bumped)
    assert replaced.get("beta").logic_version == 2
    assert replaced.get("alpha") is catalog.get("alpha")
    assert catalog.get("beta").logic_version == 1
    changed = {n for n, s in replaced.signatures().items() if s != catalog.signatures()[n]}
    assert changed == {"beta"}
    with pytest.raises(CatalogError, match=re.escape("no dataset named 'gamma'; known: ")):
        catalog.replace(spec("gamma"))


def test_builtin_catalog_holds_the_foundation_datasets() -> None:
    catalog = default_steps().catalog
    foundation = {"source_files", "source_issues", "ast_nodes", "extract_errors"}
    assert foundation <= set(catalog.names())
    assert list(catalog.names()) == sorted(catalog.names())
    assert catalog.get("ast_nodes").upstream == ("source_files",)
    assert catalog.get("extract_errors").upstream == ("source_files", "source_issues")
