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
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Account:
    """A person or system that may write: the coordinator, or one member's account."""

    nama: str
    peran: str  # "koordinator" or "anggota"
    anggota_id: str | None
    sandi_hash: str | None
    dibuat: str
    aktif: bool = True

    def row(self) -> tuple[object, ...]:
        return (
            self.nama,
            self.peran,
            self.anggota_id,
            self.sandi_hash,
            self.dibuat,
            int(self.aktif),
        )

    @classmethod
    def from_row(cls, row: Sequence[object]) -> Account:
        nama, peran, anggota_id, sandi_hash, dibuat, aktif = row
        return cls(str(nama), str(peran), anggota_id, sandi_hash, str(dibuat), bool(aktif))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Token:
    """An API token: only its SHA-256 is stored."""

    token_hash: str
    akun: str
    label: str | None
    dibuat: str
    dicabut: str | None = None

    def row(self) -> tuple[object, ...]:
        return (self.token_hash, self.akun, self.label, self.dibuat, self.dicabut)


@dataclass(frozen=True)
class AuditEntry:
    """One recorded write: who, when, through what, what changed."""

    waktu: str  # ISO 8601 UTC
    akun: str
    saluran: str  # "web", "unggah" (upload), "api", "cli"
    aksi: str  # e.g. "laporan_stok", "impor", "lokasi", "demo", "akun"
    lapisan: str | None = None
    jumlah: int | None = None
    rincian: dict[str, object] = field(default_factory=dict)

    def row(self) -> tuple[object, ...]:
        detail = json.dumps(self.rincian, ensure_ascii=False, default=str)
        return (self.waktu, self.akun, self.saluran, self.aksi, self.lapisan, self.jumlah, detail)


class Writer(abc.ABC):
    """Write operations available inside one transaction."""

    @abc.abstractmethod
    def append(self, layer: str, frame: pd.DataFrame, *, keep_fid: bool = False) -> int:
        """Insert rows; returns the number inserted.

        ``keep_fid``: the frame's index becomes the rows' feature ids (a copy of a store keeps
        the ids OGC links and QGIS use); rows appended later continue after the largest.
        """

    @abc.abstractmethod
    def delete(self, layer: str, *, field: str | None = None, values: Sequence[object] = ()) -> int:
        """Delete all rows of ``layer`` (or those whose ``field`` is in ``values``)."""

    @abc.abstractmethod
    def update(self, layer: str, frame: pd.DataFrame, *, key: str, columns: Sequence[str]) -> int:
        """Set ``columns`` of the rows whose ``key`` matches a row of ``frame``."""

    @abc.abstractmethod
    def set_meta(self, name: str, value: str) -> None:
        """Store a small named value (e.g. ``demo``) in the store's metadata."""

    @abc.abstractmethod
    def audit(self, entry: AuditEntry, *, entry_id: int | None = None) -> None:
        """Record one write in the audit trail (same transaction as the write).

        ``entry_id``: keep this entry number (a copy of a store); None numbers it next.
        """

    @abc.abstractmethod
    def save_account(self, account: Account) -> None:
        """Create or change an account."""

    @abc.abstractmethod
    def add_token(self, token: Token) -> None:
        """Store a new API token (its hash)."""

    @abc.abstractmethod
    def revoke_token(self, token_hash_prefix: str, when: str) -> int:
        """Revoke the active tokens whose hash starts with the prefix; returns how many."""


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
    def layer_versions(self) -> dict[str, int]:
        """Per layer, the :meth:`version` of the last write that changed it (layers not
        written since per-layer versions exist are absent: read them as 0). A cache reloads
        only the layers whose number moved."""

    @abc.abstractmethod
    def get_meta(self, name: str) -> str | None:
        """A value stored with :meth:`Writer.set_meta`."""

    @abc.abstractmethod
    def account(self, name: str) -> Account | None:
        """The account called ``name``."""

    @abc.abstractmethod
    def accounts(self) -> list[Account]:
        """Every account."""

    @abc.abstractmethod
    def token(self, token_hash: str) -> Token | None:
        """The token with this hash."""

    @abc.abstractmethod
    def tokens(self) -> list[Token]:
        """Every API token (hashes only), active and revoked."""

    @abc.abstractmethod
    def read_audit(self, *, limit: int | None = None) -> pd.DataFrame:
        """The audit trail, newest first."""

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[Writer]:
        """A write transaction: commits on normal exit, rolls back on any exception."""

    def features(
        self,
        layer: str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[pd.DataFrame, int]:
        """A page of ``layer``: rows whose geometry intersects ``bbox`` (lon/lat, WGS84),
        ordered by feature id, and the number matched before paging.

        This default filters in memory; a database backend overrides it with an indexed query.
        """
        import shapely

        frame = self.read(layer)
        if bbox is not None:
            if "geometry" not in frame.columns:
                raise ValueError(f"layer {layer} has no geometry: bbox does not apply")
            frame = frame[shapely.intersects(frame.geometry.values, shapely.box(*bbox))]
        matched = len(frame)
        end = None if limit is None else offset + limit
        return frame.iloc[offset:end], matched

    def read_all(self) -> dict[str, pd.DataFrame]:
        from geo_klaster.schema import layer_names

        return {name: self.read(name) for name in layer_names()}


LAYER_VERSION_PREFIX = "versi_lapisan:"  # klaster_meta rows: versi_lapisan:<layer> -> version


def layer_versions_from(rows: Sequence[tuple[str, str]]) -> dict[str, int]:
    """``klaster_meta`` rows ``(versi_lapisan:<layer>, version)`` -> ``{layer: version}``."""
    return {str(name)[len(LAYER_VERSION_PREFIX) :]: int(value) for name, value in rows}
