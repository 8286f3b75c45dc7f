"""In-process adapter of ``score_callgraph.py --py``: the call graph of one case folder."""

from __future__ import annotations

from codeanatomy_core.normalize.callgraph import call_graph_of_folder


def callgraph(case_dir: str, main_py: str, py_files: list[str]) -> dict[str, list[str]]:
    del main_py, py_files  # the whole folder is the program, as for the command
    return call_graph_of_folder(case_dir)
