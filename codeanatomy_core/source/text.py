"""Decoding Python source bytes the way the interpreter does, and exact position maps.

Positions in CodeAnatomy are byte offsets into the file's UTF-8 text: the decoded source
re-encoded as UTF-8 (for a UTF-8 file without BOM, exactly the file's bytes). Lines are
split like Python's tokenizer splits them: on ``\\r\\n``, ``\\r`` and ``\\n`` only.
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from array import array
from bisect import bisect_right

import msgspec
import numpy as np

_LF, _CR = 10, 13
# PEP 263: a coding declaration in a comment on one of the first two lines.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.MULTILINE)


class DecodeFailure(msgspec.Struct, frozen=True, kw_only=True):
    """Why a file's bytes are not Python source text (kind is a short stable token)."""

    kind: str
    message: str
    line: int | None = None
    column: int | None = None


class LineIndex:
    """Start offsets of every line of a UTF-8 text (line numbers are 1-based)."""

    __slots__ = ("_length", "starts")

    def __init__(self, utf8: bytes) -> None:
        # Line ends found with numpy: one regex match object per line cost ~10x as much.
        data = np.frombuffer(utf8, dtype=np.uint8)
        ends = data == _LF
        if b"\r" in utf8:
            lone_cr = data == _CR
            lone_cr[:-1] &= ~ends[1:]  # "\r\n" ends at its "\n"
            ends |= lone_cr
        starts = array("q", [0])
        starts.frombytes((np.flatnonzero(ends) + 1).astype(np.int64).tobytes())
        self._length = len(utf8)
        # A trailing terminator does not open a new (empty) line.
        if len(starts) > 1 and starts[-1] == self._length:
            starts.pop()
        self.starts = starts

    @property
    def line_count(self) -> int:
        return 0 if self._length == 0 else len(self.starts)

    def line_start(self, line: int) -> int:
        """Byte offset where 1-based ``line`` starts (the text's end past the last line)."""
        if line - 1 < len(self.starts):
            return self.starts[line - 1]
        return self._length

    def offset(self, line: int, column: int) -> int:
        """Byte offset of (1-based line, 0-based UTF-8 byte column)."""
        return self.line_start(line) + column

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 0-based byte column) of a byte offset."""
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]


class DecodedSource(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    encoding: str
    utf8: bytes


def _has_binary_content(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def detect_encoding(data: bytes) -> str:
    """PEP 263 / BOM detection, exactly as the interpreter reads a source file."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return encoding


def decode_source(data: bytes) -> DecodedSource | DecodeFailure:
    """Decode source bytes (BOM, coding cookie, default UTF-8) or say why it cannot be."""
    if _has_binary_content(data):
        return DecodeFailure(kind="binary", message="file contains NUL bytes: not Python source")
    try:
        encoding = detect_encoding(data)
    except SyntaxError as err:
        first_lines = b"\n".join(data.removeprefix(codecs.BOM_UTF8).splitlines()[:2])
        if _COOKIE.search(first_lines):
            return DecodeFailure(kind="bad_encoding_declaration", message=str(err), line=err.lineno)
        # No declaration: the file is simply not valid UTF-8; say where.
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as err:
        line = column = None
        if isinstance(err, UnicodeDecodeError):
            line = data.count(b"\n", 0, err.start) + 1
            column = err.start - (data.rfind(b"\n", 0, err.start) + 1)
        return DecodeFailure(
            kind="decode_error",
            message=f"cannot decode as {encoding}: {err}",
            line=line,
            column=column,
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    utf8 = data if encoding == "utf-8" else text.encode("utf-8", "surrogatepass")
    return DecodedSource(text=text, encoding=encoding, utf8=utf8)
