"""Limits and settings shared by the stages.

Every limit has a default that suits news pages and can be raised for unusual
inputs; a document over a limit becomes a reject that names the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one document may hold.

    Attributes:
        max_document_bytes: raw inputs larger than this are rejected at decode.
        max_comments: documents with more reader comments are rejected at parse.
        max_depth: comment threads nested deeper are rejected at parse.
        max_line_chars: documents with a longer line are rejected at parse (a pasted
            blob, not a page; it would only cost time).
    """

    max_document_bytes: int = 20 * 1024 * 1024
    max_comments: int = 100_000
    max_depth: int = 1_000
    max_line_chars: int = 1_000_000


#: The default limits.
DEFAULT_LIMITS = Limits()
