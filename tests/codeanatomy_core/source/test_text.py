"""decode_source and LineIndex: encodings the way the interpreter reads them, exact lines."""

from __future__ import annotations

import pytest

from codeanatomy_core.source.text import DecodedSource, DecodeFailure, LineIndex, decode_source


@pytest.mark.parametrize(
    ("text", "starts", "line_count"),
    [
        pytest.param(b"", [0], 0, id="empty"),
        pytest.param(b"x", [0], 1, id="one line, no terminator"),
        pytest.param(b"\n", [0], 1, id="one empty line"),
        pytest.param(b"\n\n", [0, 1], 2, id="two empty lines"),
        pytest.param(b"a = 1\nb = 2\n", [0, 6], 2, id="LF"),
        pytest.param(b"a = 1\nb = 2", [0, 6], 2, id="LF, last line unterminated"),
        pytest.param(b"a = 1\r\nb = 2\r\n", [0, 7], 2, id="CRLF"),
        pytest.param(b"a\rb\rc", [0, 2, 4], 3, id="lone CR"),
        pytest.param(b"a\r\nb\rc\nd", [0, 3, 5, 7], 4, id="mixed"),
        pytest.param(b"a\r\r\nb", [0, 2, 4], 3, id="CR then CRLF"),
        pytest.param(b"a\x0cb\x0bc\n", [0], 1, id="form feed and vertical tab do not split"),
    ],
)
def test_line_index_splits_like_the_tokenizer(text: bytes, starts: list[int], line_count: int) -> None:
    index = LineIndex(text)
    assert list(index.starts) == starts
    assert index.line_count == line_count


def test_line_index_converts_between_offsets_and_positions() -> None:
    text = "ab\r\ncé\rd\n".encode()
    index = LineIndex(text)
    assert list(index.starts) == [0, 4, 8]
    assert index.position(0) == (1, 0)
    assert index.position(2) == (1, 2)  # the \r of the CRLF still belongs to line 1
    assert index.position(4) == (2, 0)
    assert index.position(6) == (2, 2)  # "é" is two bytes: columns count bytes
    assert index.position(8) == (3, 0)
    assert index.position(len(text)) == (3, 2)
    for offset in range(len(text) + 1):
        assert index.offset(*index.position(offset)) == offset
    assert index.line_start(3) == 8
    assert index.line_start(4) == len(text)


def test_plain_utf8_is_kept_byte_for_byte() -> None:
    data = "naïve = '☃'\r\n".encode()
    decoded = decode_source(data)
    assert decoded == DecodedSource(text="naïve = '☃'\r\n", encoding="utf-8", utf8=data)


def test_utf8_bom_is_dropped_from_text_and_positions() -> None:
    data = b"\xef\xbb\xbfx = '\xc3\xa9'\n"
    decoded = decode_source(data)
    assert decoded == DecodedSource(text="x = 'é'\n", encoding="utf-8-sig", utf8=data[3:])


def test_latin1_cookie_is_honoured_and_positions_are_utf8() -> None:
    data = b"# -*- coding: latin-1 -*-\nx = '\xe9\xe0'\n"
    decoded = decode_source(data)
    assert isinstance(decoded, DecodedSource)
    assert decoded.encoding == "iso-8859-1"
    assert decoded.text == "# -*- coding: latin-1 -*-\nx = 'éà'\n"
    assert decoded.utf8 == decoded.text.encode("utf-8")
    assert len(decoded.utf8) == len(data) + 2


def test_cookie_on_second_line_is_honoured() -> None:
    data = b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ns = '\x80'\n"
    decoded = decode_source(data)
    assert isinstance(decoded, DecodedSource)
    assert (decoded.encoding, decoded.text[-4:]) == ("cp1252", "'€'\n")


def test_nul_bytes_mean_binary() -> None:
    assert decode_source(b"x = 1\n\x00\x01\x02") == DecodeFailure(
        kind="binary", message="file contains NUL bytes: not Python source"
    )


def test_invalid_utf8_without_cookie_is_a_decode_error_with_its_position() -> None:
    failure = decode_source(b"x = 1\ny = '\xff'\n")
    assert isinstance(failure, DecodeFailure)
    assert (failure.kind, failure.line, failure.column) == ("decode_error", 2, 5)
    assert failure.message.startswith("cannot decode as utf-8: ")


def test_unknown_cookie_is_a_bad_encoding_declaration() -> None:
    failure = decode_source(b"# coding: no-such-codec\nx = 1\n")
    assert isinstance(failure, DecodeFailure)
    assert (failure.kind, failure.line) == ("bad_encoding_declaration", None)
    assert "no-such-codec" in failure.message


def test_bom_contradicting_the_cookie_is_a_bad_encoding_declaration() -> None:
    failure = decode_source(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    assert isinstance(failure, DecodeFailure)
    assert failure.kind == "bad_encoding_declaration"
