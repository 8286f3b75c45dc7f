"""comments, docstrings and line_index: golden rows, and comments compared with tokenize."""

from __future__ import annotations

import io
import sysconfig
import tokenize
from pathlib import Path

import pytest

from codeanatomy_core.extract.comments import merge_spans
from codeanatomy_core.extract.file_pass import FileOutput, extract_file
from codeanatomy_core.extract.registry import EXTRACTORS
from codeanatomy_core.extract.tokens import CommentsExtractor, LineIndexExtractor
from codeanatomy_core.extract.tokens_datasets import COMMENTS, DOCSTRINGS, LINE_INDEX
from codeanatomy_core.extract.unit import FileTask
from codeanatomy_core.source.text import LineIndex

STDLIB = Path(sysconfig.get_paths()["stdlib"])
HASHY_FILES = (
    "re/_parser.py",
    "doctest.py",
    "argparse.py",
    "string.py",
    "tokenize.py",
    "pydoc.py",
    "email/_header_value_parser.py",
    "configparser.py",
)

COMMENT_SOURCE = (
    "# header comment\n"
    'x = "not # a comment"  # trailing\n'
    "y = f'{x!r:#>10} # nor this'  # after f-string\n"
    'z = b"#bytes"\n'
    'joined = ("a#"  # between parts\n'
    '          "b")\n'
    "def f():\n"
    '    """Doc with # hash.\n'
    "    # not a comment either\n"
    '    """\n'
    '    return "é"  # après\n'
    "w = {'#': 1}  ## double #\r\n"
    's = "\\\\"  # after an escaped backslash\n'
    "t = '''\n# inside triple quotes\n'''  # last, no newline"
)


def _extract(tmp_path: Path, source: str | bytes, extractors: tuple) -> FileOutput:
    data = source.encode("utf-8") if isinstance(source, str) else source
    (tmp_path / "sample.py").write_bytes(data)
    task = FileTask(file_id=2, path="sample.py", module_name="sample", root=str(tmp_path), max_bytes=1 << 22)
    output = extract_file(task, extractors)
    assert output.errors == []
    return output


def test_comments_golden(tmp_path: Path) -> None:
    rows = _extract(tmp_path, COMMENT_SOURCE, (CommentsExtractor,)).batches[COMMENTS.name].to_pylist()
    got = [(row["line"], row["col"], row["text"]) for row in rows]
    assert got == [
        (1, 0, "# header comment"),
        (2, 23, "# trailing"),
        (3, 30, "# after f-string"),
        (5, 16, "# between parts"),
        (11, 17, "# après"),  # "é" is two bytes: the column counts bytes (16 characters)
        (12, 14, "## double #"),  # the "\r\n" terminator is not part of it
        (13, 10, "# after an escaped backslash"),
        (16, 5, "# last, no newline"),
    ]
    data = COMMENT_SOURCE.encode("utf-8")
    assert all(data[r["bstart"] : r["bend"]].decode() == r["text"] for r in rows)
    assert [r["ordinal"] for r in rows] == list(range(len(rows)))


def _tokenize_comments(text: str) -> list[tuple[int, str]]:
    """(byte offset, text) of every COMMENT token (lines split on "\\n" like tokenize)."""
    starts, offset = [], 0
    for line in io.StringIO(text).readlines():
        starts.append(offset)
        offset += len(line.encode("utf-8"))
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            found.append((starts[row - 1] + len(token.line[:col].encode("utf-8")), token.string))
    return found


def test_comments_golden_equals_tokenize(tmp_path: Path) -> None:
    rows = _extract(tmp_path, COMMENT_SOURCE, (CommentsExtractor,)).batches[COMMENTS.name].to_pylist()
    assert [(r["bstart"], r["text"]) for r in rows] == _tokenize_comments(COMMENT_SOURCE)


@pytest.mark.parametrize("path", HASHY_FILES)
def test_comments_equal_tokenize_on_real_files(path: str) -> None:
    task = FileTask(file_id=2, path=path, module_name="m", root=str(STDLIB), max_bytes=1 << 22)
    output = extract_file(task, [CommentsExtractor])
    assert output.errors == []
    rows = output.batches[COMMENTS.name].to_pylist()
    text = (STDLIB / path).read_text("utf-8")
    assert [(r["bstart"], r["text"]) for r in rows] == _tokenize_comments(text)


def test_merge_spans_keeps_outer_literals() -> None:
    assert merge_spans([(10, 20), (0, 5), (12, 15), (18, 25), (30, 31)]) == [(0, 5), (10, 25), (30, 31)]


DOC_SOURCE = '''\
"""Module doc.

    Indented more.
"""
import os


class Widget:
    """Class doc."""

    def method(self):
        \'\'\'Method doc.\'\'\'
        return 1

    async def run(self):
        r"""Raw \\d doc."""


def plain():
    x = "not a docstring"
    return x


def fstring():
    f"not a docstring {plain}"
'''


def test_docstrings_golden(tmp_path: Path) -> None:
    output = _extract(tmp_path, DOC_SOURCE, tuple(EXTRACTORS))
    rows = output.batches[DOCSTRINGS.name].to_pylist()
    got = [(r["owner_kind"], r["owner_name"], r["text"], r["start_line"], r["end_line"]) for r in rows]
    assert got == [
        ("Module", None, "Module doc.\n\nIndented more.", 1, 4),
        ("ClassDef", "Widget", "Class doc.", 9, 9),
        ("FunctionDef", "method", "Method doc.", 12, 12),
        ("AsyncFunctionDef", "run", "Raw \\d doc.", 16, 16),
    ]
    literals = [DOC_SOURCE.encode()[r["bstart"] : r["bend"]].decode() for r in rows]
    assert literals == [
        '"""Module doc.\n\n    Indented more.\n"""',
        '"""Class doc."""',
        "'''Method doc.'''",
        'r"""Raw \\d doc."""',
    ]
    # The owner ids are the ast_nodes ids of the owning nodes.
    kinds = {r["node_id"]: (r["kind"], r["name"]) for r in output.batches["ast_nodes"].to_pylist()}
    assert [kinds[r["owner_node_id"]] for r in rows] == [
        ("Module", None),
        ("ClassDef", "Widget"),
        ("FunctionDef", "method"),
        ("AsyncFunctionDef", "run"),
    ]


def _lines(tmp_path: Path, data: bytes) -> list[tuple]:
    rows = _extract(tmp_path, data, (LineIndexExtractor,)).batches[LINE_INDEX.name].to_pylist()
    return [(r["line_no"], r["bstart"], r["bend"], r["terminator"]) for r in rows]


def test_line_index_golden(tmp_path: Path) -> None:
    data = b"a\r\nbb\rccc\n\nlast"
    assert _lines(tmp_path, data) == [
        (1, 0, 1, "\r\n"),
        (2, 3, 5, "\r"),
        (3, 6, 9, "\n"),
        (4, 10, 10, "\n"),
        (5, 11, 15, ""),  # no trailing newline
    ]
    assert [b for _, b, _, _ in _lines(tmp_path, data)] == list(LineIndex(data).starts)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", []),
        (b"x = 1\n", [(1, 0, 5, "\n")]),
        (b"x = 1\r\n\r\n", [(1, 0, 5, "\r\n"), (2, 7, 7, "\r\n")]),
        (b"\r", [(1, 0, 0, "\r")]),
    ],
)
def test_line_index_edges(tmp_path: Path, data: bytes, expected: list[tuple]) -> None:
    assert _lines(tmp_path, data) == expected
