"""Building blocks of incremental builds: replace predicates, per-file digests, file order,
and the scopes of the built-in rules."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from codeanatomy_core.cpg.columns import file_order
from codeanatomy_core.cpg.digests import file_digests
from codeanatomy_core.cpg.fileset import rows_moved
from codeanatomy_core.cpg.history import ChangeKind, InputChange, predicate_files
from codeanatomy_core.cpg.runtime import default_runtime
from codeanatomy_core.pipeline.registry import StepRegistry, default_steps
from codeanatomy_core.registry.catalog import is_registry_step
from codeanatomy_core.relspec.scoping import ScopeKind, rule_scope


@pytest.mark.parametrize(
    ("predicate", "files"),
    [
        ("false", frozenset()),
        ("file_id = -81", frozenset({-81})),
        ("file_id = 1 OR file_id = -2", frozenset({1, -2})),
        ("file_id IN (1, 2,-3)", frozenset({1, 2, -3})),
        ('"file_id" = 7', frozenset({7})),
        ("path = 'x'", None),
        ("file_id = 1 OR path = 'x'", None),
        ("other_id = 1", None),
    ],
)
def test_replace_predicates_name_their_files(predicate: str, files: frozenset[int] | None) -> None:
    assert predicate_files(predicate, "file_id") == files


def test_file_digests_ignore_row_order_and_see_every_value() -> None:
    table = pa.table(
        {
            "file_id": pa.array([1, 1, 2, 2, 3], pa.int64()),
            "name": ["a", None, "bb", "", "c"],
            "value": pa.array([1.5, 2.0, None, 0.0, 7.0]),
        }
    )
    digests = file_digests(table, file_column="file_id")
    assert file_digests(table.take([4, 3, 1, 0, 2]), file_column="file_id") == digests
    changed = table.set_column(1, "name", pa.array(["a", None, "bb", None, "c"]))  # '' -> null
    after = file_digests(changed, file_column="file_id")
    assert {f for f in digests if digests[f] != after[f]} == {2}
    moved = table.set_column(2, "value", pa.array([2.0, 1.5, None, 0.0, 7.0]))  # values swapped
    after = file_digests(moved, file_column="file_id")
    assert {f for f in digests if digests[f] != after[f]} == {1}


def test_file_order_sorts_by_file_then_id() -> None:
    rng = np.random.default_rng(7)
    files = rng.choice(np.array([-5, 3, 9], dtype=np.int64), 500)
    ids = rng.permutation(500).astype(np.int64) - 250
    order = file_order(files, ids)
    assert np.array_equal(order, np.lexsort((ids, files)))
    tiebreak = rng.permutation(500).astype(np.int64)
    same_ids = ids % 7
    order = file_order(files, same_ids, tiebreak)
    assert np.array_equal(order, np.lexsort((tiebreak, same_ids, files)))


def test_resolution_rules_are_owned_and_external_symbols_are_full() -> None:
    base = StepRegistry(s for s in default_steps() if not is_registry_step(s) and s.name != "cpg")
    runtime = default_runtime(base.catalog)
    kinds = {
        rule.name: rule_scope(
            rule, runtime.catalog, projection=runtime.compiler.projection(rule, runtime.registry)
        )
        for rule in runtime.registry
    }
    assert kinds["calls_edges"].kind is ScopeKind.OWNED
    assert kinds["calls_edges"].groups[0].datasets == ("ast_nodes", "definitions")
    assert kinds["references_edges"].kind is ScopeKind.OWNED
    assert kinds["ast_child_edges"].kind is ScopeKind.LOCAL
    assert kinds["imports_external_edges"].kind is ScopeKind.LOCAL  # reads imports rows of its file only
    assert kinds["external_call_targets"].kind is ScopeKind.FULL  # rows of no file


def test_an_input_whose_commits_replaced_no_file_has_not_moved() -> None:
    def change(kind: ChangeKind, files: frozenset[int] = frozenset()) -> InputChange:
        return InputChange(dataset="call_targets", old_version=3, new_version=4, kind=kind, files=files)

    assert not rows_moved(change(ChangeKind.UNCHANGED))
    assert not rows_moved(change(ChangeKind.REPLACED))  # committed, no file's rows replaced
    assert rows_moved(change(ChangeKind.REPLACED, frozenset({7})))
    assert rows_moved(change(ChangeKind.REWRITTEN))
