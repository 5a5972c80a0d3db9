"""Settings and standards of the analysis: minimum needs, equipment norms, rates and limits.

Everything here is plain data with the defaults of ``DESIGN.md`` (*The analysis*, *Standards*).
Nothing is read at import: a regency overrides values with :meth:`AnalysisConfig.from_dict`
(for instance from a TOML file the caller has read) or :meth:`AnalysisConfig.replace`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

Frekuensi = Literal["weekly", "once"]
StatusStok = Literal["tersedia", "berisiko", "tidak_tersedia"]

#: Hazard classes from lowest to highest; a higher class wins where zones overlap.
KELAS: tuple[str, ...] = ("rendah", "sedang", "tinggi")
STATUS_STOK: tuple[str, ...] = ("tersedia", "berisiko", "tidak_tersedia")


@dataclass(frozen=True)
class Standar:
    """One need per displaced person (a minimum-needs standard or an equipment norm).

    Parameters
    ----------
    per_orang
        Amount per displaced person, in ``satuan`` (e.g. 2.8 kg of rice; 1/5 family kit;
        an equipment norm of 2 boats per 1,000 displaced is ``0.002``).
    frekuensi
        ``"weekly"``: the amount is needed every 7 days, so the need for ``hari`` days is
        ``per_orang × persons × hari / 7``; ``"once"``: ``per_orang × persons`` whatever the days.
    satuan
        Unit, used when the item catalogue (layer ``barang``) does not name one.
    ilustratif
        True for norms that have no national standard behind them (equipment): shown as such.
    """

    per_orang: float
    frekuensi: Frekuensi = "weekly"
    satuan: str = "unit"
    ilustratif: bool = False

    def kebutuhan(self, orang: float | np.ndarray | pd.Series, hari: float) -> Any:
        """Need for ``orang`` displaced persons over ``hari`` days (NaN persons → NaN need)."""
        if self.frekuensi == "weekly":
            return orang * self.per_orang * hari / 7.0
        return orang * self.per_orang


def _per_seribu(n: float) -> Standar:
    return Standar(per_orang=n / 1000.0, frekuensi="once", satuan="unit", ilustratif=True)


def _standar_bawaan() -> dict[str, Standar]:
    # BNPB Perka 7/2008 minimum needs, as InaSAFE ships them (BNPB_en.json).
    return {
        "beras": Standar(2.8, "weekly", "kg"),
        "air_minum": Standar(17.5, "weekly", "liter"),
        "air_bersih": Standar(67.0, "weekly", "liter"),
        "paket_keluarga": Standar(1 / 5, "weekly", "paket"),
        "toilet": Standar(1 / 20, "once", "unit"),
    }


def _norma_peralatan_bawaan() -> dict[str, Standar]:
    # ILLUSTRATIVE norms per 1,000 displaced persons: no national per-person standard was
    # found for equipment (DESIGN.md). Chosen so that a flood displacing a few thousand
    # people asks for a handful of each; every regency should set its own.
    return {
        "perahu_karet": _per_seribu(2),  # rubber boats
        "pompa_air": _per_seribu(2),  # water pumps
        "genset": _per_seribu(2),  # generators
        "tenda": _per_seribu(10),  # tents (family/shelter tents)
        "dapur_umum": _per_seribu(1),  # field kitchens
        "truk": _per_seribu(1),  # trucks
        "mobil_tangki_air": _per_seribu(1),  # water tankers
    }


JANGKAUAN: tuple[str, ...] = ("garis", "jalan")


def _kecepatan_bawaan() -> dict[str, float]:
    # Road speeds by OSM highway class, km/h (issue 17 defaults); any other class 15 km/h.
    return {
        "motorway": 60.0, "trunk": 50.0, "primary": 40.0, "secondary": 35.0, "tertiary": 30.0,
        "unclassified": 25.0, "residential": 20.0, "service": 15.0, "track": 10.0,
    }  # fmt: skip


@dataclass(frozen=True)
class AnalysisConfig:
    """All settings of one analysis run (defaults from DESIGN.md).

    Attributes
    ----------
    kebutuhan_minimum
        Minimum needs per item code (``barang.kode``) per displaced person.
    norma_peralatan
        Equipment norms per item code, per displaced person (illustrative defaults).
    laju_pengungsian
        Share of exposed persons displaced, per hazard class (0–1).
    ambang_berisiko
        A kecamatan is at risk (``berisiko``) when its flooded share reaches this (0–1).
    jarak_km
        Straight-line reach from a site to a kecamatan polygon, kilometres.
    hari
        Days of response the needs cover.
    periode_laporan_hari
        A member whose last stock report is older than this many days is stale (``usang``).
    kebijakan_lokasi
        Stock status of a site by the hazard class it lies in: ``tersedia`` (counts),
        ``berisiko`` (counts, flagged), ``tidak_tersedia`` (not allocated). Dry sites: ``tersedia``.
    ambang_indeks
        Index thresholds (0–1) that class a hazard index: rendah < t0 ≤ sedang < t1 ≤ tinggi.
    crs_metrik
        Metric CRS for areas and distances (e.g. ``"EPSG:32748"``); None = UTM zone estimated
        from the data.
    jangkauan
        Reach mode: ``"garis"`` (straight line, ``jarak_km``) or ``"jalan"`` (travel time on the
        ``jalan`` layer, ``menit``).
    menit
        Road reach: travel time limit, minutes.
    kecepatan_kelas
        Road speed per class (``jalan.kelas``, OSM highway values), km/h; a road's own
        ``kecepatan`` overrides it.
    kecepatan_lain
        Speed of any class not in ``kecepatan_kelas``, km/h.
    kecepatan_jalan_kaki
        Speed of the leg from a site to its nearest road point, km/h.
    jarak_jalan_maks_m
        A site farther than this from every road is cut off (``jauh dari jalan``), metres.
    potong
        Hazard classes whose road parts are impassable.
    lambat
        Hazard class → speed factor (0–1] for road parts in it (e.g. ``rendah`` 0.3).
    zona_waktu
        The regency's time zone for times shown and written: ``WIB`` (UTC+7, default),
        ``WITA`` (UTC+8) or ``WIT`` (UTC+9); see :mod:`geo_klaster.waktu`.
    """

    kebutuhan_minimum: Mapping[str, Standar] = field(default_factory=_standar_bawaan)
    norma_peralatan: Mapping[str, Standar] = field(default_factory=_norma_peralatan_bawaan)
    laju_pengungsian: Mapping[str, float] = field(
        default_factory=lambda: {"rendah": 0.01, "sedang": 0.03, "tinggi": 0.05}
    )
    ambang_berisiko: float = 0.05
    jarak_km: float = 15.0
    hari: int = 7
    periode_laporan_hari: int = 30
    kebijakan_lokasi: Mapping[str, str] = field(
        default_factory=lambda: {
            "rendah": "tersedia",
            "sedang": "berisiko",
            "tinggi": "tidak_tersedia",
        }
    )
    ambang_indeks: tuple[float, float] = (1 / 3, 2 / 3)
    crs_metrik: str | None = None
    jangkauan: str = "garis"
    menit: float = 60.0
    kecepatan_kelas: Mapping[str, float] = field(default_factory=_kecepatan_bawaan)
    kecepatan_lain: float = 15.0
    kecepatan_jalan_kaki: float = 5.0
    jarak_jalan_maks_m: float = 1000.0
    potong: tuple[str, ...] = ("tinggi", "sedang")
    lambat: Mapping[str, float] = field(default_factory=lambda: {"rendah": 0.3})
    zona_waktu: str = "WIB"

    def __post_init__(self) -> None:
        for kelas, status in self.kebijakan_lokasi.items():
            if kelas not in KELAS or status not in STATUS_STOK:
                raise ValueError(
                    f"kebijakan_lokasi: {kelas!r} → {status!r} tidak dikenal / unknown "
                    f"(kelas: {', '.join(KELAS)}; status: {', '.join(STATUS_STOK)})"
                )
        missing = [k for k in KELAS if k not in self.laju_pengungsian]
        if missing:
            raise ValueError(f"laju_pengungsian: kelas {missing} tidak ada / missing")
        if self.jangkauan not in JANGKAUAN:
            raise ValueError(
                f"jangkauan: pilih {' atau '.join(JANGKAUAN)}, bukan {self.jangkauan!r}"
            )
        if not self.menit > 0:
            raise ValueError(f"menit harus > 0 / must be > 0: {self.menit}")
        bad = sorted(set(self.potong) - set(KELAS)) + sorted(set(self.lambat) - set(KELAS))
        if bad:
            raise ValueError(
                f"potong/lambat: kelas tidak dikenal / unknown class: {', '.join(bad)}"
            )
        both = sorted(set(self.potong) & set(self.lambat))
        if both:
            raise ValueError(
                f"kelas {', '.join(both)} tidak bisa dipotong dan diperlambat sekaligus"
            )
        if any(not 0 < f <= 1 for f in self.lambat.values()):
            raise ValueError("lambat: faktor kecepatan harus 0 < f <= 1 / factor in (0, 1]")
        speeds = [*self.kecepatan_kelas.values(), self.kecepatan_lain, self.kecepatan_jalan_kaki]
        if any(not v > 0 for v in speeds):
            raise ValueError("kecepatan harus > 0 km/jam / speeds must be > 0 km/h")
        from geo_klaster.waktu import zona

        zona(self.zona_waktu)  # ValueError naming the choices
        if self.jarak_km < 0 or self.hari <= 0:
            raise ValueError("jarak_km harus >= 0 dan hari > 0 / jarak_km >= 0, hari > 0")

    @property
    def standar(self) -> dict[str, Standar]:
        """Minimum needs and equipment norms together, per item code."""
        return {**self.kebutuhan_minimum, **self.norma_peralatan}

    def status_untuk(self, kelas: str | None) -> str:
        """Stock status of a site in hazard class ``kelas`` (None or '' = dry → tersedia)."""
        if not kelas:
            return "tersedia"
        return self.kebijakan_lokasi.get(kelas, "tersedia")

    def replace(self, **changes: Any) -> AnalysisConfig:
        """A copy with some fields changed (same names as the attributes)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnalysisConfig:
        """Defaults overridden by ``data`` (e.g. a parsed TOML table).

        Standards may be given as mappings ``{"per_orang": .., "frekuensi": .., "satuan": ..}``;
        a ``kebutuhan_minimum`` or ``norma_peralatan`` table *updates* the defaults (add an
        item, or change one); ``laju_pengungsian`` and ``kebijakan_lokasi`` update likewise.
        """
        base = cls()
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"pengaturan tidak dikenal / unknown settings: {', '.join(unknown)}")
        changes: dict[str, Any] = {}
        for name, value in data.items():
            if name in ("kebutuhan_minimum", "norma_peralatan"):
                merged = dict(getattr(base, name))
                for kode, std in value.items():
                    merged[kode] = std if isinstance(std, Standar) else Standar(**std)
                changes[name] = merged
            elif name in ("laju_pengungsian", "kebijakan_lokasi", "kecepatan_kelas"):
                changes[name] = {**getattr(base, name), **value}
            elif name == "potong":
                changes[name] = tuple(value)
            elif name == "ambang_indeks":
                changes[name] = (float(value[0]), float(value[1]))
            else:
                changes[name] = value
        return dataclasses.replace(base, **changes)


def kelas_dari_indeks(indeks: pd.Series, ambang: tuple[float, float] = (1 / 3, 2 / 3)) -> pd.Series:
    """Hazard class from a hazard index 0–1: rendah < ambang[0] ≤ sedang < ambang[1] ≤ tinggi."""
    values = pd.to_numeric(indeks, errors="coerce").to_numpy(dtype=float)
    out = np.where(values >= ambang[1], "tinggi", np.where(values >= ambang[0], "sedang", "rendah"))
    result = pd.Series(out, index=indeks.index, dtype="str")
    return result.where(~np.isnan(values))
