"""Release stage: parsed batches published as an immutable, verifiable release, named by the catalog.

    encoded batches ─► staged files (Parquet + JSON Lines, sealed with SHA-256) ─► datapackage.json, card
                   ─► releases/<id>/ ─► catalog.json (written last, atomically)

    publish.py      the staged release (`ReleaseWriter`) and its publication (`publish_release`)
    catalog.py      catalog.json: read, write atomically, rebuild from the releases on disk
    card.py         the dataset card (README.md of a release) and the field tables, from the models
    incremental.py  what changed since the previous release; unchanged inputs carried forward
    storage.py      where a release goes: a folder or an s3:// prefix, and the publishing lock
    docs.py         the README's field tables of every dataset (`make docs`)
"""

from __future__ import annotations
