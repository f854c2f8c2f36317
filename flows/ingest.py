"""Ingest stage (compatibility module): the names that lived here before `flows.ingestors`.

New code imports from `flows.ingestors` (the extension point and the registry) and
`flows.ingestors.files` (the local-folder ingestor).
"""

from __future__ import annotations

from flows.ingestors.base import RawDocument
from flows.ingestors.files import iter_files, media_type_for

__all__ = ["RawDocument", "iter_files", "media_type_for"]
