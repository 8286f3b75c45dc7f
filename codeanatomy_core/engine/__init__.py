"""The query engine: DataFusion sessions over the warehouse, id sets, plan fingerprints."""

from codeanatomy_core.engine.idsets import register_ids, semi_join_ids
from codeanatomy_core.engine.plans import PlanExplain, explain, normalize_plan_text, plan_fingerprint
from codeanatomy_core.engine.session import (
    EngineSession,
    RegisteredTable,
    collect,
    plain_types,
    run_sql,
    session_for,
)

__all__ = [
    "EngineSession",
    "PlanExplain",
    "RegisteredTable",
    "collect",
    "explain",
    "normalize_plan_text",
    "plain_types",
    "plan_fingerprint",
    "register_ids",
    "run_sql",
    "semi_join_ids",
    "session_for",
]
