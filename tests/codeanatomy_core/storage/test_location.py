"""Warehouse locations: local folders resolved, object-store URIs kept as given."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeanatomy_core.extract.datasets import AST_NODES
from codeanatomy_core.storage import Warehouse


def test_local_root_is_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    warehouse = Warehouse.at("wh/../warehouse")
    assert warehouse.root == str(tmp_path.resolve() / "warehouse")
    assert warehouse.is_local
    assert warehouse.table_uri(AST_NODES) == str(tmp_path.resolve() / "warehouse" / "extract" / "ast_nodes")
    assert warehouse.options() is None


def test_file_uri_becomes_a_local_path(tmp_path: Path) -> None:
    warehouse = Warehouse.at(f"file://{tmp_path}/wh")
    assert warehouse.root == str(tmp_path.resolve() / "wh")
    assert warehouse.is_local


def test_object_store_uri_is_kept() -> None:
    warehouse = Warehouse.at("s3://bucket/warehouse/", storage_options={"AWS_REGION": "eu-west-1"})
    assert warehouse.root == "s3://bucket/warehouse/"
    assert not warehouse.is_local
    assert warehouse.table_uri(AST_NODES) == "s3://bucket/warehouse/extract/ast_nodes"
    assert warehouse.uri_for("source", "source_files") == "s3://bucket/warehouse/source/source_files"
    assert warehouse.options() == {"AWS_REGION": "eu-west-1"}
