"""The py_facts extractor: one row per file from the shared parse, facts of a file depending
on that file only, errors recorded instead of raised."""

from __future__ import annotations

from pathlib import Path

from codeanatomy_core.extract.pyfacts import PY_FACTS, PyFactsExtractor
from codeanatomy_core.extract.pyfacts_model import (
    FACTS_VERSION,
    UNBOUND,
    BindKind,
    CallKind,
    RefScope,
    ScopeKind,
    decode_facts,
)
from codeanatomy_core.extract.registry import EXTRACTORS
from codeanatomy_core.extract.runner import run_extraction
from codeanatomy_core.extract.unit import FileTask


def _extract(root: Path, files: dict[str, str]):
    tasks = []
    for index, (path, text) in enumerate(sorted(files.items())):
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text)
        module = path[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        tasks.append(
            FileTask(file_id=index + 1, path=path, module_name=module, root=str(root), max_bytes=1 << 20)
        )
    tables, errors = run_extraction(tasks, workers=1, extractors=(PyFactsExtractor,))
    return tables[PY_FACTS.name], errors


def test_registered_with_the_shared_pass():
    assert PyFactsExtractor in EXTRACTORS


def test_one_row_per_parsed_file(tmp_path: Path):
    table, errors = _extract(tmp_path, {"pkg/__init__.py": "x = 1\n", "pkg/m.py": "def f():\n    return 1\n"})
    rows = table.to_pylist()
    assert [(r["path"], r["module_name"], r["is_package"]) for r in rows] == [
        ("pkg/__init__.py", "pkg", True),
        ("pkg/m.py", "pkg.m", False),
    ]
    assert all(r["facts_version"] == FACTS_VERSION for r in rows)
    assert errors.num_rows == 0


def test_facts_of_a_file_depend_on_that_file_only(tmp_path: Path):
    text = "from b import g\n\ndef f():\n    return g()\n"
    alone, _ = _extract(tmp_path / "one", {"a.py": text})
    together, _ = _extract(tmp_path / "two", {"a.py": text, "b.py": "def g():\n    pass\n"})
    assert alone.to_pylist()[0]["facts"] == together.to_pylist()[0]["facts"]


def test_unparsable_files_are_errors_not_facts(tmp_path: Path):
    table, errors = _extract(tmp_path, {"bad.py": "def (:\n", "good.py": "x = 1\n"})
    assert [r["path"] for r in table.to_pylist()] == ["good.py"]
    assert [(r["path"], r["stage"]) for r in errors.to_pylist()] == [("bad.py", "parse")]


def test_scopes_bindings_and_reaching_references(tmp_path: Path):
    text = "import os\nx = 1\nif os:\n    x = 2\nprint(x)\ndef f(a):\n    return [a for a in a]\n"
    table, _ = _extract(tmp_path, {"m.py": text})
    facts = decode_facts(table.to_pylist()[0]["facts"])
    assert [(s.kind, s.qualname) for s in facts.scopes] == [
        (ScopeKind.MODULE, ""),
        (ScopeKind.FUNCTION, "f"),
        (ScopeKind.COMPREHENSION, "f"),
    ]
    kinds = {(b.name, b.kind) for b in facts.bindings}
    assert {("os", BindKind.IMPORT), ("x", BindKind.ASSIGN), ("a", BindKind.PARAMETER)} <= kinds
    refs = facts.refs
    load = next(
        i for i, (n, line) in enumerate(zip(refs.name, refs.line, strict=True)) if n == "x" and line == 5
    )
    assert refs.lookup[load] == RefScope.NAME
    assert sorted(facts.bindings[b].bstart for b in refs.reaching[load]) == [10, 27]  # both assignments
    assert UNBOUND not in refs.reaching[load]
    calls = [(c.kind, c.callee_path) for c in facts.calls]
    assert (CallKind.CALL, "print") in calls


def test_deeply_nested_expressions_are_recorded_as_errors(tmp_path: Path):
    text = "x = " + "(" * 90 + "1" + ")" * 90 + "\ny = " + " + ".join(["a"] * 3000) + "\n"
    table, errors = _extract(tmp_path, {"deep.py": text})
    assert table.num_rows + errors.num_rows >= 1  # never raises out of the pass


def test_constants_that_are_not_utf8_text_are_not_keys(tmp_path: Path):
    table, errors = _extract(tmp_path, {"s.py": 'KEYS = {"\\ud800": 1}\n__all__ = ["ok", "\\udc80"]\n'})
    assert errors.num_rows == 0
    facts = decode_facts(table.to_pylist()[0]["facts"])
    assert facts.all_names == ["ok"]


def test_key_constants_are_found_when_the_file_is_extracted(tmp_path: Path):
    text = (
        "ROUTES = {'home': 1}\n"
        "ROUTES['about'] = 2\n"
        "name = 'colour'\n"
        "setattr(obj, name, 3)\n"
        "getattr(obj, 'size')\n"
        "label = 'plain'\n"
    )
    table, _ = _extract(tmp_path, {"keys.py": text})
    facts = decode_facts(table.to_pylist()[0]["facts"])
    assert facts.key_consts == ["s:about", "s:colour", "s:home", "s:size"]
