from __future__ import annotations

import codecs

import pytest

from flows.decode.charset import decode_bytes
from flows.errors import BinaryDocument, DocumentTooLarge, EmptyDocument, UndecodableDocument
from flows.settings import Limits

TEXT = "Sherman said the demand is a “non-starter” – café.\r\nRyabkov\u00a0said no.\rEnd"
EXPECTED = "Sherman said the demand is a “non-starter” – café.\nRyabkov\u00a0said no.\nEnd"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-32-bom", "cp1252"],
)
def test_text_in_common_encodings_is_decoded(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data, uri="x")
    assert decoded.text == EXPECTED
    assert decoded.encoding == encoding


def test_central_european_code_page_is_not_forced_to_cp1252() -> None:
    text = "Minister Sikorski powiedział, że Polska zażąda pilnych rozmów. Zażółć gęślą jaźń w Warszawie."
    assert decode_bytes(text.encode("cp1250"), uri="x").text == text


def test_declared_charset_is_used_when_it_fits_and_ignored_when_it_does_not() -> None:
    assert decode_bytes("naïve".encode("latin-1"), uri="x", declared="latin-1").text == "naïve"
    assert decode_bytes("naïve €".encode(), uri="x", declared="ascii").text == "naïve €"


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", EmptyDocument, "empty"),
        (b"  \n\t\n  ", EmptyDocument, "white space"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), BinaryDocument, "binary"),
        (b"text with a NUL\x00 in the middle of it", BinaryDocument, "NUL"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8\x00", UndecodableDocument, "byte-order mark"),
    ],
    ids=["empty", "blank", "png", "nul", "broken-utf16"],
)
def test_non_text_is_rejected_with_a_reason(data: bytes, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as caught:
        decode_bytes(data, uri="file:///raw/x.txt")
    assert words in str(caught.value)
    assert "file:///raw/x.txt" in str(caught.value)


def test_size_limit_names_the_limit_and_the_setting() -> None:
    with pytest.raises(DocumentTooLarge, match="--max-document-bytes"):
        decode_bytes(b"a" * 101, uri="x", limits=Limits(max_document_bytes=100))
