"""Positions: who said what (placeholder until the extractor lands)."""

from __future__ import annotations

from typing import Any

from flows.layout import Block

__all__ = ["extract_positions"]


def extract_positions(blocks: list[Block], *, article_id: str, document_id: str) -> list[dict[str, Any]]:
    return []
