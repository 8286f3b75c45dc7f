"""The compiler: one query per rule, stable plan fingerprints, winner selection, confidence."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import msgspec
import pytest

from codeanatomy_core.relspec.compiler import graph_signature, rule_session, run_compiled
from codeanatomy_core.relspec.errors import RuleError
from codeanatomy_core.relspec.model import ConfidencePolicy, OrderKey, RuleDomain, WinnerSelection

FINGERPRINT_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from codeanatomy_core.cpg.runtime import default_runtime
from codeanatomy_core.pipeline.registry import default_steps
print(default_runtime(default_steps().catalog).compiled().graph_signature)
"""


def run(tiny: Any, *rules: Any) -> list[dict[str, object]]:
    registry = tiny.registry(*rules)
    compiled = tiny.compiler().compile_all(registry)
    table = run_compiled(compiled.rules[0], rule_session(tiny.data()))
    return table.sort_by([(c, "ascending") for c in table.column_names]).to_pylist()


def test_winner_selection_keeps_the_best_candidate_of_each_group(tiny: Any) -> None:
    rows = run(tiny)
    # a -> c (0.9) beats a -> b (0.5); b -> c; c -> a has score 0 and is filtered out.
    assert rows == [
        {"src_name": "a", "dst_name": "c", "confidence": 1.0, "origin": "syntax"},
        {"src_name": "b", "dst_name": "c", "confidence": 1.0, "origin": "syntax"},
    ]


def test_without_winner_selection_every_candidate_is_kept(tiny: Any) -> None:
    body = msgspec.structs.replace(tiny.rule().body, winner=None)
    assert [(r["src_name"], r["dst_name"]) for r in run(tiny, tiny.rule(body=body))] == [
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
    ]


def test_confidence_policy_gives_the_column_and_drops_weak_rows(tiny: Any) -> None:
    policy = ConfidencePolicy(expr="l.score", minimum=0.45, origin="resolution")
    body = msgspec.structs.replace(tiny.rule().body, winner=None)
    rows = run(tiny, tiny.rule(body=body, confidence=policy))
    assert [(r["src_name"], r["dst_name"], r["confidence"], r["origin"]) for r in rows] == [
        ("a", "b", 0.5, "resolution"),
        ("a", "c", 0.9, "resolution"),
    ]


def test_fingerprints_are_stable_and_follow_the_rule(tiny: Any) -> None:
    registry = tiny.registry()
    first = tiny.compiler().compile_all(registry)
    second = tiny.compiler().compile_all(registry)
    assert first == second
    assert len(first.rules[0].fingerprint) == 64
    assert first.graph_signature == graph_signature({"best_pairs": first.rules[0].fingerprint})
    changed = tiny.registry(
        tiny.rule(body=msgspec.structs.replace(tiny.rule().body, filters=("l.score > 1",)))
    )
    other = tiny.compiler().compile_all(changed)
    assert other.rules[0].fingerprint != first.rules[0].fingerprint
    assert other.graph_signature != first.graph_signature


def test_graph_signature_is_the_same_in_another_process() -> None:
    from codeanatomy_core.cpg.runtime import default_runtime
    from codeanatomy_core.pipeline.registry import default_steps

    here = default_runtime(default_steps().catalog).compiled().graph_signature
    root = str(__import__("pathlib").Path(__file__).resolve().parents[3])
    out = subprocess.run(
        [sys.executable, "-c", FINGERPRINT_SCRIPT.format(root=root)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == here


def test_planning_errors_name_the_rule(tiny: Any) -> None:
    body = msgspec.structs.replace(tiny.rule().body, filters=("l.no_such_column > 0",))
    with pytest.raises(RuleError, match=r"rule 'best_pairs' does not plan"):
        tiny.compiler().compile_all(tiny.registry(tiny.rule(body=body)))
    winner = WinnerSelection(partition_by=("nope",), order_by=(OrderKey(column="score"),))
    body = msgspec.structs.replace(tiny.rule().body, winner=winner)
    with pytest.raises(
        RuleError, match=r"rule 'best_pairs': winner selection names unknown columns \['nope'\]"
    ):
        tiny.compiler().compile_all(tiny.registry(tiny.rule(body=body)))


def test_a_domain_without_handler_is_an_error(tiny: Any) -> None:
    rule = tiny.rule(domain=RuleDomain.EXTRACT)
    with pytest.raises(RuleError, match=r"rule 'best_pairs': no compiler handler for domain extract"):
        tiny.compiler().compile_all(tiny.registry(rule))
