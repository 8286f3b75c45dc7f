"""Specs: datasets, fields, write policies, Arrow schema derivation and signatures."""

from codeanatomy_core.specs.catalog import SpecCatalog
from codeanatomy_core.specs.model import ContractSpec, DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.policy import (
    BloomFilterSpec,
    Compression,
    DeltaWritePolicy,
    SchemaMode,
    TableFeature,
)
from codeanatomy_core.specs.schema import SPEC_KIND_KEY, arrow_schema, empty_table
from codeanatomy_core.specs.signature import (
    BuildStamp,
    canonical_encode,
    combine_signatures,
    should_regenerate,
    signature,
)

__all__ = [
    "SPEC_KIND_KEY",
    "BloomFilterSpec",
    "BuildStamp",
    "Compression",
    "ContractSpec",
    "DatasetSpec",
    "DeltaWritePolicy",
    "Domain",
    "FieldSpec",
    "SchemaMode",
    "SpecCatalog",
    "TableFeature",
    "arrow_schema",
    "canonical_encode",
    "combine_signatures",
    "empty_table",
    "should_regenerate",
    "signature",
]
