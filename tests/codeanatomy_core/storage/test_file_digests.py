"""Per-file digests of nested columns (lists, structs): hashed through their children."""

from __future__ import annotations

import pyarrow as pa

from codeanatomy_core.storage.file_digests import file_digests

ITEM = pa.struct([("key", pa.string()), ("value", pa.int64())])
SCHEMA = pa.schema([("file_id", pa.int64()), ("words", pa.list_(pa.string())), ("props", pa.list_(ITEM))])


def _digests(rows: list[tuple[int, list[str] | None, list[dict[str, object]]]]) -> dict[int, str]:
    file_ids, words, props = zip(*rows, strict=True)
    table = pa.table({"file_id": file_ids, "words": words, "props": props}, schema=SCHEMA)
    return file_digests(table, file_id_column="file_id")


def test_a_file_digest_depends_on_its_own_nested_rows_only() -> None:
    base = _digests([(1, ["a", "b"], [{"key": "k", "value": 1}]), (2, ["c"], [])])
    other_changed = _digests([(1, ["a", "b"], [{"key": "k", "value": 1}]), (2, ["c", "d"], [])])
    alone = _digests([(1, ["a", "b"], [{"key": "k", "value": 1}])])
    assert base[1] == other_changed[1] == alone[1]
    assert base[2] != other_changed[2]


def test_nested_values_and_their_grouping_are_hashed() -> None:
    base = _digests([(1, ["a", "b"], [{"key": "k", "value": 1}])])
    assert _digests([(1, ["a", "c"], [{"key": "k", "value": 1}])]) != base
    assert _digests([(1, ["ab"], [{"key": "k", "value": 1}])]) != base
    assert _digests([(1, ["a", "b"], [{"key": "k", "value": 2}])]) != base
    assert _digests([(1, ["a", "b"], [{"key": "k", "value": None}])]) != base


def test_a_null_list_differs_from_an_empty_one() -> None:
    assert _digests([(1, None, [])]) != _digests([(1, [], [])])


def test_digests_do_not_depend_on_chunking() -> None:
    rows = [(1, ["a"], [{"key": "k", "value": 1}]), (2, ["b", "c"], []), (2, None, [])]
    file_ids, words, props = zip(*rows, strict=True)
    whole = pa.table({"file_id": file_ids, "words": words, "props": props}, schema=SCHEMA)
    chunked = pa.concat_tables([whole.slice(0, 1), whole.slice(1, 2)])
    assert file_digests(chunked, file_id_column="file_id") == file_digests(whole, file_id_column="file_id")
