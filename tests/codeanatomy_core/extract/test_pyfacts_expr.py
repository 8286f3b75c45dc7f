"""py_facts expressions: eval() of a constant string is parsed quietly, never evaluated."""

from __future__ import annotations

import ast
import warnings

from codeanatomy_core.extract.pyfacts import build_facts
from codeanatomy_core.extract.unit import FileTask, FileUnit
from codeanatomy_core.source.text import decode_source

# "1if" makes the parser warn (SyntaxWarning: invalid decimal literal); the string is code
# of the analysed repository, so its warnings must not reach our output.
SOURCE = 'def f():\n    return 1\n\nvalue = eval("1if f() else 2")\n'


def unit_of(source: str) -> FileUnit:
    decoded = decode_source(source.encode())
    task = FileTask(file_id=1, path="m.py", module_name="m", root="/nonexistent", max_bytes=1 << 20)
    return FileUnit(task, decoded, ast.parse(source))


def test_eval_of_a_constant_string_warns_nothing() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        facts = build_facts(unit_of(SOURCE))
    assert [str(w.message) for w in caught] == []
    assert facts.module == "m"
