"""Contract asset checks: declared per dataset, evaluated before every write."""

from __future__ import annotations

from typing import Any

import dagster as dg

from codeanatomy_core.errors import ContractViolation
from codeanatomy_core.specs.model import DatasetSpec

CONTRACT_CHECK = "contract"


def asset_key(spec: DatasetSpec) -> dg.AssetKey:
    return dg.AssetKey([str(spec.domain), spec.name])


def contract_check_spec(spec: DatasetSpec) -> dg.AssetCheckSpec:
    rules = [f"non-null: {', '.join(f.name for f in spec.fields if not f.nullable) or 'none'}"]
    rules += [f"unique: ({', '.join(cols)})" for cols in spec.unique_column_sets()]
    rules += [f"allowed values: {col}" for col in spec.contract.allowed_values]
    return dg.AssetCheckSpec(
        CONTRACT_CHECK,
        asset=asset_key(spec),
        description="Schema and contract of the dataset spec, checked before each write: " + "; ".join(rules),
        blocking=True,
    )


def contract_passed(spec: DatasetSpec, *, rows: int | None, when: str) -> dg.AssetCheckResult:
    metadata: dict[str, Any] = {"checked": when}
    if rows is not None:
        metadata["rows"] = rows
    return dg.AssetCheckResult(
        asset_key=asset_key(spec), check_name=CONTRACT_CHECK, passed=True, metadata=metadata
    )


def contract_failed(spec: DatasetSpec, violation: ContractViolation) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key(spec),
        check_name=CONTRACT_CHECK,
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        description=str(violation),
        metadata={"column": violation.column, "problem": violation.problem},
    )
