"""Version of the package and fingerprint of the pipeline that produced a release."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata, resources

__all__ = ["package_version", "pipeline_fingerprint", "pipeline_version"]


@cache
def package_version() -> str:
    """The installed version of broadsheet."""
    try:
        return metadata.version("broadsheet")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


@cache
def pipeline_fingerprint() -> str:
    """Hash of the code and data that turn text into records.

    Part of each release's input fingerprint: rerunning unchanged input with a
    changed parser or lexicon publishes a new release; with the same pipeline, nothing.
    """
    digest = hashlib.sha256(package_version().encode())
    root = resources.files("flows")
    for package in ("", "layout", "extract", "data"):
        folder = root / package if package else root
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if entry.is_file() and entry.name.endswith((".py", ".csv", ".txt", ".toml")):
                digest.update(entry.name.encode())
                digest.update(entry.read_bytes())
    schemas = resources.files("schemas")
    for entry in sorted(schemas.iterdir(), key=lambda p: p.name):
        if entry.is_file() and entry.name.endswith(".py"):
            digest.update(entry.read_bytes())
    return digest.hexdigest()


def pipeline_version() -> str:
    """`<package version>+<first 8 hex digits of the pipeline fingerprint>`."""
    return f"{package_version()}+{pipeline_fingerprint()[:8]}"
