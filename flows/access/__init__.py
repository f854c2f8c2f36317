"""Access: how people get at published releases.

    catalog.json + releases/<id>/ ─► serve (HTTP, ranges, ETags) ─► download (verified, resumable)
                                └──► read (`open_catalog`, `open_dataset`: pyarrow tables, checksums checked)

    serve.py     `broadsheet serve`: a read-only HTTP server for an output folder
    download.py  `broadsheet download`: a release, file by file, verified and resumable
    read.py      the reading API for folders, http(s):// and s3:// (exported as `flows.open_dataset`)
"""

from __future__ import annotations
