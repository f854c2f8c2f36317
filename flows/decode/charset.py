"""Decode stage: raw bytes to text with `\\n` line endings.

The order of evidence, strongest first: a byte-order mark (UTF-8, UTF-16, UTF-32),
strict UTF-8, then a statistical guess (charset-normalizer) that prefers
Windows-1252 over its look-alikes unless another code page reads clearly better;
this is what browsers do with pages labelled "latin-1". A charset named by the
source (an HTTP header, an HTML `<meta>` tag) is tried first but not trusted blindly:
bytes that do not decode with it fall through to the guess, and bytes labelled with
a single-byte Western code page (the common default "ISO-8859-1") that are valid
UTF-8 with multi-byte sequences are read as UTF-8, the usual mislabel.

Inputs that are not text are rejected with a reason: empty or blank, NUL bytes or
many control characters (binary data), no encoding that fits, over the size limit.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from flows.errors import BinaryDocument, DocumentTooLarge, EmptyDocument, UndecodableDocument
from flows.settings import DEFAULT_LIMITS, Limits

__all__ = ["Decoded", "decode_bytes", "normalise_newlines"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than tab, newline, vertical tab, form feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_OTHER_NEWLINES = ("\u2028", "\u2029", "\x85")
# Single-byte Western code pages that charset-normalizer cannot tell from cp1252 on short text.
_LATIN_LOOKALIKES = frozenset(
    {"cp1252", "latin_1", "iso8859_15", "cp1250", "cp1257", "cp775", "cp852", "cp850", "cp437",
     "mac_roman", "mac_latin2", "mac_iceland", "iso8859_2", "iso8859_4", "iso8859_10", "iso8859_13",
     "iso8859_14", "iso8859_16", "cp860", "cp863", "cp865", "cp1258"}
)


# Labels servers send by default while the bytes are often UTF-8.
_WESTERN_LABELS = frozenset({"latin-1", "iso8859-1", "cp1252", "iso8859-15", "ascii"})


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from raw bytes, and the encoding it was read with."""

    text: str
    encoding: str


def normalise_newlines(text: str) -> str:
    """Turn CRLF, CR and Unicode line separators into `\\n`."""
    if "\r" not in text and (text.isascii() or not any(sep in text for sep in _OTHER_NEWLINES)):
        return text  # nothing to replace (the scan for one is faster than the substitution)
    return _NEWLINES.sub("\n", text)


def _mislabelled_utf8(data: bytes, declared: str) -> bool:
    """Whether bytes labelled with a Western single-byte code page are really UTF-8."""
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return False
    if name not in _WESTERN_LABELS or data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _guess(data: bytes) -> tuple[str, str] | None:
    results = charset_normalizer.from_bytes(data)
    best = results.best()
    try:
        western: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if best is None:
        return (western, "cp1252") if western is not None else None
    if western is not None and str(best) == western:
        return western, "cp1252"
    if western is not None and best.encoding in _LATIN_LOOKALIKES:
        rival = next((r for r in results if r.encoding == "cp1252"), None)
        rival_coherence = rival.coherence if rival is not None else 0.0
        if best.coherence <= rival_coherence + 0.05:
            return western, "cp1252"
    return str(best), best.encoding


def decode_bytes(
    data: bytes, *, uri: str, declared: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Decoded:
    """Decode `data` to text, or raise a `DecodeError` that says why it is not text.

    Args:
        data: the raw bytes.
        uri: where the bytes came from, for error messages.
        declared: a charset named by the source (e.g. an HTTP Content-Type), if any.
        limits: size limits.
    """
    if len(data) > limits.max_document_bytes:
        raise DocumentTooLarge(
            f"input is {len(data):,} bytes, over the limit of {limits.max_document_bytes:,}: "
            "split it, or raise the limit with --max-document-bytes",
            uri=uri,
        )
    if not data:
        raise EmptyDocument("file is empty: put an article's text in it or remove it", uri=uri)
    text: str | None = None
    encoding = ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text, encoding = data.decode(codec), codec.removesuffix("-sig")
            except UnicodeDecodeError as exc:
                raise UndecodableDocument(
                    f"starts with a {codec} byte-order mark but is not valid {codec} "
                    f"(byte {exc.start}): save it again as UTF-8",
                    uri=uri,
                ) from None
            break
    if text is None and declared and _mislabelled_utf8(data, declared):
        text, encoding = data.decode("utf-8"), "utf-8"
    if text is None and declared:
        try:
            text, encoding = data.decode(declared), codecs.lookup(declared).name
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if b"\x00" in data[:4096] and data.count(b"\x00") * 4 < len(data):
                raise BinaryDocument(
                    "holds NUL bytes: this looks like binary data, not text", uri=uri
                ) from None
            guess = _guess(data)
            if guess is None:
                raise UndecodableDocument(
                    "no character encoding fits these bytes: save the file as UTF-8", uri=uri
                ) from None
            text, encoding = guess
    text = normalise_newlines(text.removeprefix("\ufeff"))
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 1000):
        raise BinaryDocument(
            f"holds {controls:,} control characters (NUL or other): this looks like binary data, not text",
            uri=uri,
        )
    if not text.strip():
        raise EmptyDocument("holds only white space: put an article's text in it or remove it", uri=uri)
    return Decoded(text=text, encoding=encoding)
