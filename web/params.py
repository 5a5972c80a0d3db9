"""Request parameters: parsed and checked before anything is computed.

A bad value raises :class:`ParameterError` naming the parameter (HTTP 400); an unknown
kecamatan code or layer raises :class:`TidakDitemukan` (HTTP 404). The API answers both as
JSON ``{"error": ..., "parameter": ...}``, the pages as an error page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

from geo_klaster.web.cache import Parameter, Snapshot

JARAK_KM_MAKS = 200.0
HARI_MAKS = 90
_TANGGAL = re.compile(r"\d{4}-\d{2}-\d{2}")


class WebError(Exception):
    """An error answered with ``status`` and a message for the user."""

    status = 400

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter

    def as_json(self) -> dict[str, str | None]:
        return {"error": self.message, "parameter": self.parameter}


class ParameterError(WebError):
    """A query parameter with a bad value (HTTP 400)."""

    status = 400


class TidakDitemukan(WebError):
    """An unknown kecamatan, layer or item named in the path (HTTP 404)."""

    status = 404


class StoreBelumAda(WebError):
    """The store does not exist or cannot be read (HTTP 503)."""

    status = 503


def _float(args: Mapping[str, str], name: str, default: float, *, low: float, high: float) -> float:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ParameterError(f"{name} harus angka, bukan '{raw}'", name) from None
    if not math.isfinite(value) or not low < value <= high:
        raise ParameterError(f"{name} harus lebih dari {low:g} dan paling banyak {high:g}", name)
    return value


def _int(args: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParameterError(f"{name} harus bilangan bulat, bukan '{raw}'", name) from None
    if not low <= value <= high:
        raise ParameterError(f"{name} harus antara {low} dan {high}", name)
    return value


MENIT_MAKS = 24 * 60.0  # road reach: at most a day's travel


def analisis(
    args: Mapping[str, str],
    snap: Snapshot,
    *,
    skenario: str | None,
    jarak_km: float,
    hari: int,
    tanggal: dt.date,
) -> Parameter:
    """The analysis parameters of a request (``skenario``, ``jarak_km``, ``hari``, ``per``,
    ``jangkauan`` = ``garis``/``jalan`` and ``menit``, the road reach in minutes).

    Defaults come from the application's configuration; ``skenario`` must be one of the
    store's scenarios (default: the configured one, else the first by name).
    """
    if not snap.skenario:
        raise StoreBelumAda(
            "Belum ada zona banjir di penyimpanan: impor lapisan zona_banjir "
            "(atau bangun data contoh dengan `geo-klaster demo`).",
            None,
        )
    name = args.get("skenario") or skenario or snap.skenario[0]
    if name not in snap.skenario:
        raise ParameterError(
            f"skenario '{name}' tidak ada; pilihan: {', '.join(snap.skenario)}", "skenario"
        )
    tanggal_per = per(args.get("per"), hari_ini=tanggal)
    mode = args.get("jangkauan") or "garis"
    if mode not in ("garis", "jalan"):
        raise ParameterError(f"jangkauan harus garis atau jalan, bukan '{mode[:40]}'", "jangkauan")
    if mode == "jalan" and not snap.ada_jalan:
        raise ParameterError(
            "jangkauan=jalan: lapisan jalan kosong; impor dulu: geo-klaster import jalan BERKAS",
            "jangkauan",
        )
    return Parameter(
        skenario=name,
        jarak_km=_float(args, "jarak_km", jarak_km, low=0.0, high=JARAK_KM_MAKS),
        hari=_int(args, "hari", hari, low=1, high=HARI_MAKS),
        tanggal=tanggal_per or tanggal,
        per=tanggal_per,
        jangkauan=mode,
        menit=_float(args, "menit", 60.0, low=1.0, high=MENIT_MAKS),
    )


def per(raw: str | None, *, hari_ini: dt.date) -> dt.date | None:
    """``?per=YYYY-MM-DD``: the state at the end of that day (UTC), or None when absent.

    A date after ``hari_ini`` (the analysis day) is refused: history, not forecast.
    """
    if raw is None or raw == "":
        return None
    try:
        if not _TANGGAL.fullmatch(raw):
            raise ValueError(raw)
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise ParameterError(f"per harus tanggal YYYY-MM-DD, bukan '{raw[:40]}'", "per") from None
    if value > hari_ini:
        raise ParameterError(
            f"per ({value.isoformat()}) tidak boleh setelah hari ini ({hari_ini.isoformat()})",
            "per",
        )
    return value


def bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` (WGS84 degrees) or None when absent."""
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise ParameterError("bbox harus empat angka: minlon,minlat,maxlon,maxlat", "bbox")
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError:
        raise ParameterError(f"bbox harus angka: '{raw}'", "bbox") from None
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise ParameterError("bbox harus angka terhingga", "bbox")
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ParameterError(
            "bbox di luar WGS84 atau terbalik (urutan: minlon,minlat,maxlon,maxlat)", "bbox"
        )
    return minx, miny, maxx, maxy


def tanggal(value: object | None) -> dt.date:
    """The configured analysis date (``TODAY``: a date or ISO text) or today (UTC).

    Today is the UTC date, the calendar stock reports are stamped and counted in: the
    analysis of "today" then includes every report stored so far.
    """
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
