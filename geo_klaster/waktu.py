"""Local time of a regency: WIB, WITA or WIT (Indonesia keeps no daylight saving time).

Times are stored in UTC; they are shown in the regency's zone (``zona_waktu`` in the
analysis configuration, WIB by default) and written to GeoJSON/CSV as ISO 8601 with the
zone's offset (``2026-11-27T14:05:00+07:00``). Dates stay dates (``2027-08-05``).
"""

from __future__ import annotations

import datetime as dt
import math
from contextvars import ContextVar, Token
from typing import Any

__all__ = ["ZONA", "iso", "kolom_iso", "reset_zona", "set_zona", "tampil", "zona"]

ZONA: dict[str, int] = {"WIB": 7, "WITA": 8, "WIT": 9}
"""Indonesia's three zones and their offset from UTC, hours."""
_IANA = {
    "asia/jakarta": "WIB",
    "asia/pontianak": "WIB",
    "asia/makassar": "WITA",
    "asia/ujung_pandang": "WITA",
    "asia/jayapura": "WIT",
}


_zona_kini: ContextVar[str] = ContextVar("geo_klaster_zona", default="WIB")


def set_zona(nama: str) -> Token[str]:
    """Make ``nama`` the zone used when none is named (the web app sets the regency's zone
    for each request); returns a token for :func:`reset_zona`."""
    zona(nama)  # ValueError naming the choices
    return _zona_kini.set(nama)


def reset_zona(token: Token[str]) -> None:
    _zona_kini.reset(token)


def zona(nama: str | None = None) -> dt.timezone:
    """The zone named ``nama`` (``WIB``, ``WITA``, ``WIT`` or its IANA name such as
    ``Asia/Makassar``; None = the current zone, :func:`set_zona`, else WIB). Raises
    ``ValueError`` naming the choices otherwise."""
    key = (nama or _zona_kini.get()).strip()
    singkat = key.upper() if key.upper() in ZONA else _IANA.get(key.lower())
    if singkat is None:
        raise ValueError(
            f"zona_waktu {nama!r} tidak dikenal; pilihan: WIB, WITA, WIT "
            "(atau Asia/Jakarta, Asia/Makassar, Asia/Jayapura)"
        )
    return dt.timezone(dt.timedelta(hours=ZONA[singkat]), singkat)


def _as_datetime(value: Any) -> dt.datetime | None:
    """A timezone-aware UTC datetime from a stored value (naive values are UTC)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if hasattr(value, "to_pydatetime"):
        if value != value:  # noqa: PLR0124 -- NaT is the only value unequal to itself
            return None
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return None


def tampil(value: Any, nama_zona: str | None = None, *, detik: bool = False) -> str:
    """A stored (UTC) time for people: ``2026-11-27 14:05 WIB`` (empty for no value)."""
    t = _as_datetime(value)
    if t is None:
        return "" if not isinstance(value, dt.date) else value.isoformat()
    z = zona(nama_zona)
    return (
        t.astimezone(z).strftime("%Y-%m-%d %H:%M:%S" if detik else "%Y-%m-%d %H:%M")
        + " "
        + str(z.tzname(None))
    )


def iso(value: Any, nama_zona: str | None = None) -> str | None:
    """A stored time as ISO 8601 with the zone's offset (``2026-11-27T14:05:00+07:00``);
    a date as a date (``2027-08-05``); None for no value."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    t = _as_datetime(value)
    if t is None:
        return None
    return t.astimezone(zona(nama_zona)).isoformat(timespec="seconds")


def kolom_iso(values: Any, nama_zona: str | None = None, *, tanggal: bool = False) -> list[Any]:
    """A column of stored values as ISO 8601 text for files (GeoJSON, CSV): times in the zone
    with its offset (``2026-11-27T14:05:00+07:00``), a date column (``tanggal``) as dates
    (``2027-08-05``), missing values as None; other values as they are."""
    import pandas as pd

    s = pd.Series(values) if not isinstance(values, pd.Series) else values
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        missing = s.isna().to_numpy()
        if tanggal:
            text = s.dt.strftime("%Y-%m-%d")
        else:
            utc = s.dt.tz_localize("UTC") if s.dt.tz is None else s
            raw = utc.dt.tz_convert(zona(nama_zona)).dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            text = raw.str[:-2] + ":" + raw.str[-2:]
        return [None if m else t for m, t in zip(missing, text.tolist(), strict=True)]
    out = []
    for v in s.tolist():
        if isinstance(v, dt.datetime):  # pandas Timestamp and NaT included
            t = _as_datetime(v)
            out.append(
                None if t is None else (t.date().isoformat() if tanggal else iso(t, nama_zona))
            )
        elif isinstance(v, dt.date):
            out.append(v.isoformat())
        else:
            out.append(v)
    return out
