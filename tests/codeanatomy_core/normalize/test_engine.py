"""The flow engine: copy edges, watchers, and the order in which watchers see values."""

from __future__ import annotations

from codeanatomy_core.normalize.engine import Engine


def _engine(var_count: int) -> Engine:
    # Values 0..63 whose canonical keys order them as their ids do.
    return Engine(var_count, summary=[-1] * 64, rank=[(0, (0, v), (2,)) for v in range(64)])


def test_values_cross_copy_edges_to_a_fixpoint():
    engine = _engine(3)
    engine.edge(0, 1)
    engine.edge(1, 2)
    engine.edge(2, 0)
    engine.add(0, {5})
    engine.add(2, {7})
    assert engine.run()
    assert [engine.values(v) for v in range(3)] == [{5, 7}, {5, 7}, {5, 7}]


def test_watchers_see_each_delta_in_canonical_value_order():
    # In set order {40, 3, 17} iterates as 40, 17, 3 (slots by value modulo the table size):
    # the order would depend on the ids' absolute values, which unrelated edits shift.
    engine = _engine(2)
    seen: list[list[int]] = []
    engine.watch(1, lambda values: seen.append(list(values)))
    engine.edge(0, 1)
    engine.add(0, {40, 3, 17})
    engine.run()
    engine.add(0, {33, 9})
    engine.run()
    assert seen == [[3, 17, 40], [9, 33]]


def test_a_watcher_registered_late_first_sees_the_current_values_in_order():
    engine = _engine(1)
    engine.add(0, {40, 3, 17})
    engine.run()
    seen: list[list[int]] = []
    engine.watch(0, lambda values: seen.append(list(values)))
    engine.run()
    assert seen == [[3, 17, 40]]


def test_the_canonical_order_is_the_rank_not_the_id():
    engine = Engine(2, summary=[-1] * 3, rank=[(0, (1, "c"), (2,)), (0, (1, "a"), (2,)), (0, (1, "b"), (2,))])
    seen: list[list[int]] = []
    engine.watch(1, lambda values: seen.append(list(values)))
    engine.edge(0, 1)
    engine.add(0, {0, 1, 2})
    engine.run()
    assert seen == [[1, 2, 0]]


def test_a_frozen_variable_takes_no_more_values():
    engine = _engine(3)
    engine.add(0, {5})
    engine.run()
    engine.freeze_range(0, 1)
    engine.add(0, {6})
    engine.edge(1, 0)
    engine.add(1, {7})
    engine.edge(0, 2)  # a frozen variable still gives what it holds
    assert engine.run()
    assert [engine.values(v) for v in range(3)] == [{5}, {7}, {5}]


def test_a_deferred_variable_gets_its_values_when_first_read_and_takes_no_more():
    engine = _engine(4)
    made: list[int] = []

    def values_of() -> list[int]:
        made.append(1)
        return [5, 6]

    engine.defer(0, values_of)
    engine.add(0, {9})  # frozen meanwhile: ignored
    assert made == []
    seen: list[list[int]] = []
    engine.watch(0, lambda values: seen.append(list(values)))  # a read: the values are made
    engine.edge(0, 1)
    engine.edge(0, 2)
    assert engine.run()
    assert made == [1]  # once
    assert seen == [[5, 6]]
    assert [engine.values(v) for v in range(3)] == [{5, 6}, {5, 6}, {5, 6}]
    engine.defer(3, lambda: [7])
    assert engine.values(3) == {7}
