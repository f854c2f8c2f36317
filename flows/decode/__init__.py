"""Decode stage: a raw document's bytes to text.

    RawDocument (bytes, media type, charset) ─► text with `\\n` line endings, and the encoding it was read with

Plain text is decoded as it is (`flows.decode.charset`: byte-order marks, strict UTF-8,
then a statistical guess); HTML pages are decoded and rendered into text in the
conventions the layout parser reads (`flows.decode.html`). What is not text becomes a
`DecodeError` with a reason, which the pipeline turns into a reject.
"""

from __future__ import annotations

from flows.decode.charset import Decoded, decode_bytes, normalise_newlines
from flows.decode.html import HTML_MEDIA_TYPES, render_html, sniff_charset
from flows.errors import EmptyDocument, UnsupportedMediaType
from flows.ingest.base import RawDocument
from flows.settings import DEFAULT_LIMITS, Limits

__all__ = [
    "Decoded",
    "HTML_MEDIA_TYPES",
    "TEXT_MEDIA_TYPES",
    "decode_bytes",
    "decode_document",
    "normalise_newlines",
    "render_html",
]

#: Media types read as plain text.
TEXT_MEDIA_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})


def decode_document(raw: RawDocument, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str]:
    """The text of `raw` and the encoding it was read with: plain text as it is, HTML rendered
    into text in the conventions of the layout parser (`flows.decode.html`).

    Raises:
        DecodeError: the bytes are not text, or not a kind of document broadsheet reads.
    """
    if raw.media_type in HTML_MEDIA_TYPES:
        declared = raw.charset or sniff_charset(raw.data)
        decoded = decode_bytes(raw.data, uri=raw.uri, declared=declared, limits=limits)
        text = render_html(decoded.text)
        if not text.strip():
            raise EmptyDocument(
                "is a web page without readable text (after dropping scripts, menus and footers): check "
                "that the URL shows the article itself",
                uri=raw.uri,
            )
        return text, decoded.encoding
    if raw.media_type not in TEXT_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"is {raw.media_type}, not text: broadsheet reads plain-text and HTML pages (.txt, .html); "
            "remove the file or convert it to text",
            uri=raw.uri,
        )
    decoded = decode_bytes(raw.data, uri=raw.uri, declared=raw.charset, limits=limits)
    return decoded.text, decoded.encoding
