"""Stores behind one interface (:class:`Store`): the embedded GeoPackage (default) and,
for a shared deployment, PostgreSQL/PostGIS chosen by a ``postgresql://`` URL."""

from __future__ import annotations

import os

from geo_klaster.store.base import Store, Writer
from geo_klaster.store.gpkg import GpkgStore

ENV_VAR = "GEO_KLASTER_STORE"
DEFAULT_LOCATION = "klaster.gpkg"

__all__ = ["GpkgStore", "Store", "Writer", "open_store", "resolve_location"]


def resolve_location(arg: str | None) -> str:
    """``--store`` if given, else $GEO_KLASTER_STORE, else ``./klaster.gpkg``."""
    return arg or os.environ.get(ENV_VAR) or DEFAULT_LOCATION


def open_store(location: str | os.PathLike[str]) -> Store:
    """Open the store at ``location``: a GeoPackage path, or a PostgreSQL URL
    (``postgresql://user@host/db``, optionally ``?schema=name``)."""
    loc = str(location)
    if loc.startswith(("postgresql://", "postgres://")):
        from geo_klaster.store.postgis import PostgisStore  # psycopg loaded only when used

        return PostgisStore(loc)
    return GpkgStore(loc)
