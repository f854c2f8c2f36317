"""Stable record ids: the same input gives the same id on every run and every machine."""

from __future__ import annotations

import hashlib

__all__ = ["stable_id"]


def stable_id(kind: str, *parts: object) -> str:
    """A 32-hex-digit id for a record of `kind` identified by `parts` (a document id, offsets, a name)."""
    key = "\x1f".join([kind, *(str(p) for p in parts)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
