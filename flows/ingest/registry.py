"""The one place where ingestors are found: built-ins and plugins, loaded the same way.

Built-ins are listed here as entry points of the group `broadsheet.ingestors`;
installed packages add theirs to the same group in their own metadata:

    [project.entry-points."broadsheet.ingestors"]
    jsonl = "my_package.module:MyIngestor"

Both kinds go through `importlib.metadata.EntryPoint.load` and the same checks.
A built-in name cannot be taken over by a plugin (the built-in wins and the plugin
is listed as shadowed); two plugins with one name are an error when it is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any, cast

from pydantic import BaseModel

from flows.errors import ConfigError
from flows.ingest.base import Ingestor

__all__ = ["BUILTINS", "GROUP", "Registered", "ingestor_names", "load_ingestor", "refresh", "registered"]

#: The entry-point group that plugins register their ingestors in.
GROUP = "broadsheet.ingestors"
#: The built-in ingestors, as entry points of `GROUP`.
BUILTINS: dict[str, str] = {
    "files": "flows.ingest.files:FilesIngestor",
    "http": "flows.ingest.http:HttpIngestor",
    "rss": "flows.ingest.rss:RssIngestor",
    "wordpress": "flows.ingest.wordpress:WordPressIngestor",
}
_NAME = re.compile(r"^[a-z][a-z0-9_\-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Registered:
    """An ingestor that is available by name.

    Attributes:
        name: the name sources.toml uses.
        entry_point: where it is loaded from.
        package: the distribution that provides it ("broadsheet" for built-ins).
        others: other packages that register the same name (ignored for built-ins).
    """

    name: str
    entry_point: EntryPoint
    package: str
    others: tuple[str, ...] = ()


def _package(entry_point: EntryPoint) -> str:
    dist = getattr(entry_point, "dist", None)
    return str(dist.name) if dist is not None else "broadsheet"


@cache
def registered() -> dict[str, Registered]:
    """Every available ingestor by name: the built-ins, then the installed plugins."""
    found: dict[str, Registered] = {}
    builtin = [EntryPoint(name, value, GROUP) for name, value in BUILTINS.items()]
    for entry_point in [*builtin, *entry_points(group=GROUP)]:
        name, package = entry_point.name, _package(entry_point)
        current = found.get(name)
        if current is None:
            found[name] = Registered(name, entry_point, package)
        elif current.package != package:
            found[name] = Registered(name, current.entry_point, current.package, (*current.others, package))
    return dict(sorted(found.items()))


def refresh() -> None:
    """Forget what was found, so that packages installed since are seen."""
    registered.cache_clear()
    _load.cache_clear()


def ingestor_names() -> list[str]:
    """The names of every available ingestor, sorted."""
    return list(registered())


def _check(cls: Any, name: str, package: str) -> type[Ingestor]:
    where = f"the ingestor {name!r} from {package}"
    if not isinstance(cls, type):
        raise ConfigError(f"{where} is not a class: its entry point must name the ingestor class")
    if getattr(cls, "name", None) != name:
        raise ConfigError(
            f"{where} calls itself {getattr(cls, 'name', None)!r}: its `name` must match the entry-point "
            "name; fix the package"
        )
    config = getattr(cls, "Config", None)
    if not (isinstance(config, type) and issubclass(config, BaseModel)):
        raise ConfigError(f"{where} has no pydantic `Config` model: fix the package")
    if not callable(getattr(cls, "fetch", None)):
        raise ConfigError(f"{where} has no `fetch` method: fix the package")
    return cast(type[Ingestor], cls)


@cache
def _load(name: str) -> type[Ingestor]:
    entry = registered()[name]
    non_builtin = [p for p in entry.others if entry.package != "broadsheet"]
    if non_builtin:
        raise ConfigError(
            f"the ingestor {name!r} is registered by several packages ({entry.package}, "
            f"{', '.join(non_builtin)}): uninstall all but one"
        )
    try:
        cls = entry.entry_point.load()
    except Exception as exc:  # a broken plugin must say so, not crash the run
        raise ConfigError(
            f"the ingestor {name!r} from {entry.package} cannot be loaded ({type(exc).__name__}: {exc}): "
            "reinstall that package, or remove the sources that use it"
        ) from exc
    return _check(cls, name, entry.package)


def load_ingestor(name: str) -> type[Ingestor]:
    """The ingestor class registered as `name`.

    Raises:
        ConfigError: no ingestor has that name (the message lists the known ones), or
            its package is broken.
    """
    if not _NAME.match(name) or name not in registered():
        known = ", ".join(ingestor_names())
        raise ConfigError(
            f"unknown ingestor {name!r}; the known ingestors are: {known} (install a plugin package "
            f"that registers it in the {GROUP!r} entry-point group to add one)"
        )
    return _load(name)
