"""A tiny pipeline of known specs (two domains) for exact registry expectations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from codeanatomy_core.pipeline.registry import StepRegistry
from codeanatomy_core.pipeline.step import DatasetOutput, Step, StepContext
from codeanatomy_core.specs.model import ContractSpec, DatasetSpec, Domain, FieldSpec
from codeanatomy_core.specs.policy import (
    BloomFilterSpec,
    Compression,
    DeltaWritePolicy,
    TableFeature,
)
from codeanatomy_core.specs.templates import BYTE_SPAN, FILE_SCOPED, build_fields
from codeanatomy_core.specs.types import INT32, INT64, STRING, MapOf, list_of

FILES = DatasetSpec(
    name="files",
    domain=Domain.SOURCE,
    description="One row per file.",
    fields=(
        FieldSpec(name="file_id", dtype=INT64, nullable=False, description="file id"),
        FieldSpec(name="path", dtype=STRING, nullable=False, description="relative path"),
    ),
    key=("file_id",),
    ordering=("path",),
    contract=ContractSpec(unique=(("path",),)),
    file_id_column="file_id",
    write_policy=DeltaWritePolicy(
        bloom_filters=(BloomFilterSpec(column="path", ndv=1000),),
        compression=Compression.SNAPPY,
        compression_level=None,
        features=(TableFeature.CHANGE_DATA_FEED,),
        table_properties={"delta.logRetentionDuration": "interval 7 days"},
    ),
)

TOKENS = DatasetSpec(
    name="tokens",
    domain=Domain.EXTRACT,
    description="One row per token.",
    fields=build_fields(
        FieldSpec(name="token_id", dtype=INT64, nullable=False, description="token id"),
        FILE_SCOPED,
        BYTE_SPAN,
        FieldSpec(name="kind", dtype=STRING, nullable=False, description="token kind"),
        FieldSpec(name="parts", dtype=list_of(STRING, item_nullable=False), description="pieces"),
        FieldSpec(name="attrs", dtype=MapOf(key=STRING, value=STRING), description="attributes"),
    ),
    key=("token_id",),
    ordering=("file_id", "bstart"),
    upstream=("files",),
    file_id_column="file_id",
    position_unit="utf8_byte",
    contract=ContractSpec(allowed_values={"kind": ("NAME", "OP")}),
)

LOOSE = DatasetSpec(
    name="loose",
    domain=Domain.EXTRACT,
    description="",
    fields=(
        FieldSpec(name="file_id", dtype=INT64),
        FieldSpec(name="start_line", dtype=INT32, description="line"),
    ),
)


def _nothing(ctx: StepContext) -> Mapping[str, DatasetOutput]:
    del ctx
    return {}


@dataclass(frozen=True)
class Tiny:
    """The tiny pipeline's specs and its steps without registry steps."""

    files: DatasetSpec = FILES
    tokens: DatasetSpec = TOKENS
    loose: DatasetSpec = LOOSE

    def base(self, *specs: DatasetSpec) -> StepRegistry:
        """Steps producing the tiny specs (``specs`` replace those of the same name)."""
        by_name = {s.name: s for s in (self.files, self.tokens, self.loose)}
        by_name.update({s.name: s for s in specs})
        return StepRegistry(
            [
                Step(
                    name="scan",
                    description="scan",
                    outputs=(by_name["files"],),
                    run=_nothing,
                    reads_repository=True,
                ),
                Step(
                    name="extract",
                    description="extract",
                    outputs=(by_name["loose"], by_name["tokens"]),
                    run=_nothing,
                ),
            ]
        )


@pytest.fixture(scope="session")
def tiny() -> Tiny:
    return Tiny()
