"""Find the comments of a file without tokenizing it.

``tokenize`` is pure Python and costs more than parsing. A comment starts at a ``#`` that
is not inside a string literal and runs to the end of its line. String literals are known
from the syntax tree: ``Constant`` str/bytes nodes whose value holds a ``#`` and
``JoinedStr`` nodes. A ``#`` outside all of them starts a comment. A ``#`` inside one is
rare (``"#"``, doctest examples in docstrings, a comment between the parts of an implicitly
concatenated string); only then is that literal's text tokenized, which is exact. The tests
compare the result with ``tokenize`` on real files.
"""

from __future__ import annotations

import io
import re
import tokenize
from bisect import bisect_right
from collections.abc import Sequence

_LINE_END = re.compile(rb"[\r\n]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# One complete str/bytes literal (tokenize's patterns; f-strings excluded, as their fields
# may hold comments on newer interpreters): a "#" in it is never a comment.
_ONE_STRING = re.compile(
    rb"(?:[rRuU]|[bB][rR]?|[rR][bB])?"
    rb"(?:'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    rb'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    rb"|'[^\n'\\]*(?:\\.[^\n'\\]*)*'"
    rb'|"[^\n"\\]*(?:\\.[^\n"\\]*)*")'
)


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Disjoint spans covering ``spans`` (nested literals merge into their outer literal)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _comments_in_literal(utf8: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """Comments inside the source of one literal expression (tokenized in parentheses)."""
    if _ONE_STRING.fullmatch(utf8, start, end):
        return []  # one string token: tokenizing it would find no comment
    text = utf8[start:end].decode("utf-8", "surrogatepass")
    line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    found: list[tuple[int, int]] = []
    tokens = tokenize.generate_tokens(io.StringIO("(" + text + ")").readline)
    try:
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            row, col = token.start
            col -= 1 if row == 1 else 0  # the opening parenthesis
            head = text[line_starts[row - 1] : line_starts[row - 1] + col]
            offset = start + len(text[: line_starts[row - 1]].encode("utf-8", "surrogatepass"))
            offset += len(head.encode("utf-8", "surrogatepass"))
            found.append((offset, offset + len(token.string.encode("utf-8", "surrogatepass"))))
    except (tokenize.TokenError, SyntaxError):
        return found  # not a standalone expression: no comment is reported inside it
    return found


def find_comments(utf8: bytes, literal_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Byte spans of all comments, in order; ``literal_spans`` from the tree, merged."""
    starts = [start for start, _ in literal_spans]
    comments: list[tuple[int, int]] = []
    position = utf8.find(b"#")
    while position >= 0:
        i = bisect_right(starts, position) - 1
        if i >= 0 and position < literal_spans[i][1]:
            start, end = literal_spans[i]
            comments.extend(_comments_in_literal(utf8, start, end))
            position = utf8.find(b"#", end)
            continue
        line_end = _LINE_END.search(utf8, position)
        end = line_end.start() if line_end else len(utf8)
        comments.append((position, end))
        position = utf8.find(b"#", end)
    return comments
