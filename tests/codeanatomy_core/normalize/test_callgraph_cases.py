"""Golden call graphs of small programs in the PyCG micro-benchmark's style.

Each folder under ``tests/fixtures/callgraph_cases/<category>/<case>/`` is a program (its
``main.py`` and helper modules, each runnable) with the call graph it makes when it runs,
in PyCG's simple format (``callgraph.json``; its ``README.md`` says what it exercises).
They were written apart from the micro-benchmark the resolution is scored on, as unseen
cases of the same kinds: the exporter must give exactly these graphs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeanatomy_core.normalize.callgraph import call_graph_of_folder

CASES = Path(__file__).parents[2] / "fixtures" / "callgraph_cases"
CASE_DIRS = sorted(path.parent for path in CASES.glob("*/*/callgraph.json"))


def test_the_cases_cover_the_kinds_of_the_benchmark():
    categories = {case.parent.name for case in CASE_DIRS}
    assert len(CASE_DIRS) == 115
    assert len(categories) == 17  # no dynamic case: eval and getattr of built names are not followed


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda case: f"{case.parent.name}/{case.name}")
def test_call_graph_of_the_case(case: Path):
    expected = json.loads((case / "callgraph.json").read_text())
    assert call_graph_of_folder(case) == expected
