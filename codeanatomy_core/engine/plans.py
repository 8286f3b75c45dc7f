"""Plan fingerprints and explain records.

A plan fingerprint is the sha256 of a DataFrame's *optimized logical plan* text after
normalisation, so the same query over the same tables gives the same fingerprint in any
run, session or process:

* names DataFusion invents per session (subquery aliases such as ``__correlated_sq_3``,
  ``__common_expr_2``, ``__scalar_sq_1``) are renumbered by first appearance;
* auto-generated table names (``c`` + 32 hex digits, from registering a DataFrame) and
  memory addresses become placeholders;
* trailing whitespace is dropped.

Physical plans name files and partitions of this machine: they are shown by
:func:`explain`, never hashed.
"""

from __future__ import annotations

import hashlib
import re

import datafusion
import msgspec

from codeanatomy_core.errors import QueryError

FINGERPRINT_SCHEME = "codeanatomy-plan-v1"

_GENERATED_ALIAS = re.compile(r"\b(__[a-z][a-z_]*?_)(\d+)\b")
_GENERATED_TABLE = re.compile(r"\bc[0-9a-f]{32}\b")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


class PlanExplain(msgspec.Struct, frozen=True, kw_only=True):
    """The plans of one query and its fingerprint (for diagnostics and commit metadata)."""

    logical: str
    optimized: str
    physical: str
    fingerprint: str


def normalize_plan_text(text: str) -> str:
    """Plan text with per-session generated names and addresses made canonical."""
    aliases: dict[str, str] = {}

    def alias(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in aliases:
            prefix = match.group(1)
            count = sum(1 for seen in aliases if seen.startswith(prefix))
            aliases[key] = f"{prefix}{count + 1}"
        return aliases[key]

    tables: dict[str, str] = {}

    def table(match: re.Match[str]) -> str:
        return tables.setdefault(match.group(0), f"<table{len(tables) + 1}>")

    text = _GENERATED_ALIAS.sub(alias, text)
    text = _GENERATED_TABLE.sub(table, text)
    text = _ADDRESS.sub("<addr>", text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def optimized_plan_text(frame: datafusion.DataFrame) -> str:
    try:
        return frame.optimized_logical_plan().display_indent()
    except Exception as err:  # DataFusion raises a bare Exception when optimisation fails
        raise QueryError(f"cannot optimise the query plan: {err}") from err


def fingerprint_text(plan_text: str) -> str:
    digest = hashlib.sha256(FINGERPRINT_SCHEME.encode("ascii"))
    digest.update(b"\x00")
    digest.update(normalize_plan_text(plan_text).encode("utf-8"))
    return digest.hexdigest()


def plan_fingerprint(frame: datafusion.DataFrame) -> str:
    """Stable sha256 of the normalised optimized logical plan of ``frame``."""
    return fingerprint_text(optimized_plan_text(frame))


def explain(frame: datafusion.DataFrame) -> PlanExplain:
    """Logical, optimized and physical plan texts of ``frame``, and its fingerprint."""
    optimized = optimized_plan_text(frame)
    try:
        logical = frame.logical_plan().display_indent()
        physical = frame.execution_plan().display_indent()
    except Exception as err:  # DataFusion raises a bare Exception when planning fails
        raise QueryError(f"cannot plan the query: {err}") from err
    return PlanExplain(
        logical=logical,
        optimized=optimized,
        physical=physical,
        fingerprint=fingerprint_text(optimized),
    )
