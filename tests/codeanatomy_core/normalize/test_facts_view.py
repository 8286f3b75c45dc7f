"""LazyFacts: the facts the resolution reads, with references, call sites and flow
constraints decoded on first use; the whole-program passes' counts without decoding."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from codeanatomy_core.errors import PipelineError
from codeanatomy_core.extract.pyfacts import PY_FACTS, PyFactsExtractor
from codeanatomy_core.extract.pyfacts_model import decode_facts, encode_facts
from codeanatomy_core.extract.runner import run_extraction
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.normalize.facts_view import LazyFacts, _array_length, decoded

SOURCE = (
    "import os\n"
    "class C:\n"
    "    def m(self, x):\n"
    "        return os.path.join(x, 'a')\n"
    "def f(y):\n"
    "    global G\n"
    "    G = C().m(y)\n"
    "    return [v for v in y]\n"
)


def _encoded(root: Path, text: str) -> bytes:
    (root / "mod.py").write_text(text)
    task = FileTask(file_id=1, path="mod.py", module_name="mod", root=str(root), max_bytes=1 << 20)
    tables, _ = run_extraction([task], workers=1, extractors=(PyFactsExtractor,))
    return tables[PY_FACTS.name].column("facts")[0].as_py()


def test_lazy_facts_decode_to_the_extracted_facts(tmp_path: Path) -> None:
    data = _encoded(tmp_path, SOURCE)
    lazy = LazyFacts(data)
    assert decoded(lazy) == decode_facts(data)
    assert encode_facts(decoded(lazy)) == data


def test_counts_and_reference_scopes_are_read_without_decoding_the_rest(tmp_path: Path) -> None:
    data = _encoded(tmp_path, SOURCE)
    full, lazy = decode_facts(data), LazyFacts(data)
    assert (lazy.call_count, lazy.ref_scopes) == (full.call_count, full.refs.scope)
    assert lazy.call_count == 5  # os.path.join, C, C().m; the comprehension's __iter__, __next__
    assert {"refs", "calls", "ops"}.isdisjoint(vars(lazy))  # still encoded
    assert lazy.calls == full.calls and "calls" in vars(lazy)  # decoded once, then kept


@pytest.mark.parametrize("length", [0, 15, 16, 65535, 65536])
def test_array_lengths_are_read_off_every_msgpack_array_header(length: int) -> None:
    raw = msgspec.msgpack.decode(msgspec.msgpack.encode([0] * length), type=msgspec.Raw)
    assert _array_length(raw) == length


def test_a_deferred_field_that_does_not_decode_names_its_module(tmp_path: Path) -> None:
    full = decode_facts(_encoded(tmp_path, SOURCE))
    broken = msgspec.msgpack.encode({**msgspec.structs.asdict(full), "calls": [["not", "a", "call"]]})
    lazy = LazyFacts(broken)
    assert lazy.module == "mod"
    with pytest.raises(PipelineError, match=r"the calls of the py_facts of module 'mod'"):
        _ = lazy.calls
