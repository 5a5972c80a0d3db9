"""The store interface: what every backend (GeoPackage now, PostGIS later) provides.

Frames in and out follow the layer schemas exactly: a GeoDataFrame in EPSG:4326 with a
``geometry`` column for geometry layers, a DataFrame for attribute tables (``stok``,
``barang``); the index is the store's feature id (``fid``). Types: str → object/str,
int → Int64, float → float64 (NaN = unknown), bool → bool, date → datetime64 (midnight),
datetime → datetime64 (naive UTC).

Writes go through :meth:`Store.transaction`: everything inside commits together or not at all.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Sequence

import pandas as pd


class Writer(abc.ABC):
    """Write operations available inside one transaction."""

    @abc.abstractmethod
    def append(self, layer: str, frame: pd.DataFrame) -> int:
        """Insert rows; returns the number inserted."""

    @abc.abstractmethod
    def delete(self, layer: str, *, field: str | None = None, values: Sequence[object] = ()) -> int:
        """Delete all rows of ``layer`` (or those whose ``field`` is in ``values``)."""

    @abc.abstractmethod
    def update(self, layer: str, frame: pd.DataFrame, *, key: str, columns: Sequence[str]) -> int:
        """Set ``columns`` of the rows whose ``key`` matches a row of ``frame``."""

    @abc.abstractmethod
    def set_meta(self, name: str, value: str) -> None:
        """Store a small named value (e.g. ``demo``) in the store's metadata."""


class Store(abc.ABC):
    """A geo_klaster store."""

    location: str

    @abc.abstractmethod
    def exists(self) -> bool:
        """Whether the store has been initialised."""

    @abc.abstractmethod
    def init(self) -> None:
        """Create the store with every layer empty (idempotent)."""

    @abc.abstractmethod
    def read(self, layer: str) -> pd.DataFrame:
        """The whole layer, typed per its schema."""

    @abc.abstractmethod
    def count(self, layer: str) -> int:
        """Number of rows in ``layer``."""

    @abc.abstractmethod
    def distinct(self, layer: str, field: str) -> set[object]:
        """Distinct non-null values of ``field`` in ``layer`` (keys, references, scenarios)."""

    @abc.abstractmethod
    def extent(self, layer: str) -> tuple[float, float, float, float] | None:
        """(minlon, minlat, maxlon, maxlat) of ``layer``, None when empty or no geometry."""

    @abc.abstractmethod
    def version(self) -> int:
        """A counter raised by every committed write (for caches keyed by data version)."""

    @abc.abstractmethod
    def get_meta(self, name: str) -> str | None:
        """A value stored with :meth:`Writer.set_meta`."""

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[Writer]:
        """A write transaction: commits on normal exit, rolls back on any exception."""

    def read_all(self) -> dict[str, pd.DataFrame]:
        from geo_klaster.schema import layer_names

        return {name: self.read(name) for name in layer_names()}
