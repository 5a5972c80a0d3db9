"""Stock: current state from the append-only history, what is committable, and stale members.

The ``stok`` layer is history: a report appends lines and never overwrites. The current
stock of a site is, per item, its latest line by ``dilaporkan``; when two lines share a
report time, the one stored later (higher row position) wins. Times without a time zone
are read as UTC (the schema stores UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

KUNCI = ["lokasi_id", "barang"]


def _utc(values: pd.Series) -> pd.Series:
    """Report times as tz-aware UTC timestamps (naive values are taken as UTC)."""
    return pd.to_datetime(values, utc=True, errors="coerce")


_NAT = np.iinfo(np.int64).min


def _utc_ns(values: pd.Series) -> np.ndarray:
    """Report times as int64 nanoseconds since the epoch, UTC (NaT: :data:`_NAT`)."""
    return _ns(_utc(values))


def _ns(waktu: pd.Series) -> np.ndarray:
    return waktu.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)


def _batas(as_of: dt.date | dt.datetime) -> tuple[pd.Timestamp, bool]:
    """(limit, inclusive): a date means the whole of that day (UTC)."""
    if isinstance(as_of, dt.datetime):
        ts = pd.Timestamp(as_of)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return ts, True
    return pd.Timestamp(as_of, tz="UTC") + pd.Timedelta(days=1), False


def current_stock(
    stok: pd.DataFrame, *, as_of: dt.date | dt.datetime | None = None
) -> pd.DataFrame:
    """The current line per (``lokasi_id``, ``barang``).

    Parameters
    ----------
    stok
        Stock history with the schema's columns (at least ``lokasi_id``, ``barang``,
        ``dilaporkan``); row order is storage order.
    as_of
        Only lines reported up to this moment count: a ``date`` includes that whole day
        (UTC), a ``datetime`` is inclusive. None: all lines.

    Returns
    -------
    pandas.DataFrame
        One row per site and item, the columns of ``stok``, sorted by site and item.
    """
    return _current(stok, as_of).baris


@dataclass(frozen=True)
class _Kode:
    """A key column of the current lines as codes into its sorted distinct values."""

    codes: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class _Kini:
    """The current lines (:func:`current_stock`) and what finding them worked out: the site
    and item of each line as codes, and each site's latest report time (int64 ns)."""

    baris: pd.DataFrame
    lokasi: _Kode
    barang: _Kode
    terakhir: np.ndarray  # per lokasi.values: the latest report time (ns) of its lines


def _current(stok: pd.DataFrame, as_of: dt.date | dt.datetime | None) -> _Kini:
    """:func:`current_stock`, with the codes of its keys (see :class:`_Kini`)."""
    ns = _utc_ns(stok["dilaporkan"])
    mask = ns != _NAT
    if as_of is not None:
        limit, inclusive = _batas(as_of)
        mask &= ns <= limit.value if inclusive else ns < limit.value
    rows = np.flatnonzero(mask)
    every = len(rows) == len(stok)  # usually: no copy of the key columns
    # One integer key per (site, item), in string order of both; the latest line of a key is
    # the one with the latest time, then the highest storage position.
    lokasi, barang = stok["lokasi_id"].array, stok["barang"].array
    site, sites = _sorted_codes(lokasi if every else lokasi.take(rows))
    item, items = _sorted_codes(barang if every else barang.take(rows))
    n_item = max(len(items), 1)
    key = site.astype(np.int64) * n_item + item
    n_key = int(key.max()) + 1 if len(key) else 0
    if n_key <= 8 * len(key) + 1024:
        # no sort: the latest time per key, then the last row among the lines at that time
        when = ns if every else ns[rows]
        latest = np.full(n_key, _NAT)
        np.maximum.at(latest, key, when)
        tie = when == latest[key]
        pick = np.full(n_key, -1)
        np.maximum.at(pick, key[tie], rows[tie])
        keys = np.flatnonzero(pick >= 0)  # in key order
        chosen = pick[keys]
    else:  # keys too sparse for a table: one lexsort
        order = np.lexsort((rows, ns[rows], key))
        key = key[order]
        last = np.ones(len(key), dtype=bool)
        last[:-1] = key[1:] != key[:-1]
        keys, chosen = key[last], rows[order[last]]
    site_of, item_of = keys // n_item, keys % n_item
    terakhir = np.full(len(sites), _NAT)
    np.maximum.at(terakhir, site_of, ns[chosen])
    return _Kini(
        stok.iloc[chosen].reset_index(drop=True),
        _Kode(site_of, np.asarray(sites, dtype=object)),
        _Kode(item_of, np.asarray(items, dtype=object)),
        terakhir,
    )


def _sorted_codes(values: pd.api.extensions.ExtensionArray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, sort=True, use_na_sentinel=False)`` of a column's array, faster:
    the array's own factorize (pandas' text arrays skip the checks ``pd.factorize`` makes on
    an object array), then only the distinct values sorted, text as fixed-width unicode (code
    point order, as Python's) rather than compared as objects; anything else (or text that
    ties that way: trailing NULs) by pandas."""
    codes, uniq = values.factorize(use_na_sentinel=False)
    uniq = np.asarray(uniq, dtype=object)
    if len(uniq) > 1 and infer_dtype(uniq, skipna=False) == "string":
        fixed = uniq.astype("U")
        order = np.argsort(fixed, kind="stable")
        ranked = fixed[order]
        if np.all(ranked[1:] > ranked[:-1]):
            rank = np.empty(len(uniq), dtype=codes.dtype)
            rank[order] = np.arange(len(uniq))
            return rank[codes], uniq[order]
    rank, ranked = pd.factorize(uniq, sort=True, use_na_sentinel=False)
    return rank[codes], ranked


def _lookup(
    keys: pd.Series | _Kode, mapping: Mapping[str, str] | pd.Series | None, default: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """``mapping[key]`` (``default`` when missing) looked up once per distinct key (the stock
    has many lines per site and item): the keys' codes and the value per code."""
    if isinstance(keys, _Kode):
        codes, uniq = keys.codes, keys.values
    else:
        codes, uniq = keys.factorize(use_na_sentinel=False)
    table = pd.Series(mapping if mapping is not None else {}, dtype="object")
    values = table.reindex(pd.Index(uniq, dtype=object)).to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = default
    return codes, values


def _text(values: np.ndarray, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``pd.Series(values[codes], index=index, dtype="str")``, the text checked once per
    distinct value rather than once per line."""
    return pd.Series(pd.array(values, dtype="str").take(codes), index=index)


_ALASAN = np.array(
    ["", "rusak", "kedaluwarsa", "lokasi_tidak_tersedia", "satuan_beda"], dtype=object
)


def committable(
    current: pd.DataFrame,
    *,
    today: dt.date,
    status_lokasi: Mapping[str, str] | pd.Series | None = None,
    satuan_katalog: Mapping[str, str] | pd.Series | None = None,
) -> pd.DataFrame:
    """What of the current stock can be committed to the cluster on ``today``.

    A line is committable with its ``siap`` quantity (capped at ``jumlah``) when its
    ``kondisi`` is ``baik`` (missing = ``baik``), it is not past ``kedaluwarsa`` on ``today``
    (usable on the expiry day itself), its site is not ``tidak_tersedia`` by the flood policy,
    and its unit is the catalogue unit. Anything else commits 0.

    Parameters
    ----------
    current
        Output of :func:`current_stock`.
    today
        The analysis day.
    status_lokasi
        ``lokasi_id`` → ``tersedia`` / ``berisiko`` / ``tidak_tersedia``; missing = ``tersedia``.
    satuan_katalog
        ``barang.kode`` → catalogue unit; a line in another unit commits 0 (no conversion).

    Returns
    -------
    pandas.DataFrame
        ``current`` plus ``status_stok``, ``alasan`` (why not committable, '' when it is) and
        ``komit`` (float, the committable quantity in the catalogue unit).
    """
    return _committable(current.copy(), today, status_lokasi, satuan_katalog)


def _committable(
    out: pd.DataFrame,
    today: dt.date,
    status_lokasi: Mapping[str, str] | pd.Series | None,
    satuan_katalog: Mapping[str, str] | pd.Series | None,
    lokasi: _Kode | None = None,
    barang: _Kode | None = None,
) -> pd.DataFrame:
    """:func:`committable` on ``out`` itself (its columns added), the site and item codes
    given when known (:func:`_current`)."""
    n = len(out)
    siap = pd.to_numeric(out["siap"], errors="coerce").fillna(0.0).clip(lower=0.0)
    if "jumlah" in out:
        jumlah = pd.to_numeric(out["jumlah"], errors="coerce")
        siap = siap.where(jumlah.isna() | (siap <= jumlah), jumlah)
    if "kondisi" in out:
        kondisi = out["kondisi"]  # missing: baik
        rusak = np.asarray(kondisi != "baik", dtype=bool) & kondisi.notna().to_numpy()
    else:
        rusak = np.zeros(n, dtype=bool)
    if "kedaluwarsa" in out:
        exp = pd.to_datetime(out["kedaluwarsa"], errors="coerce")
        if isinstance(exp.dtype, pd.DatetimeTZDtype):
            exp = exp.dt.tz_convert(None)
        lewat = (exp.dt.normalize() < pd.Timestamp(today)).fillna(False).to_numpy(dtype=bool)
    else:
        lewat = np.zeros(n, dtype=bool)
    codes, status = _lookup(
        out["lokasi_id"] if lokasi is None else lokasi, status_lokasi, "tersedia"
    )
    out["status_stok"] = _text(status, codes, out.index)
    tutup = (status == "tidak_tersedia")[codes]
    if satuan_katalog is not None and "satuan" in out:
        codes, katalog = _lookup(out["barang"] if barang is None else barang, satuan_katalog, None)
        katalog = katalog[codes]
        satuan = out["satuan"].to_numpy(dtype=object)
        beda = pd.notna(katalog) & (katalog != satuan)
    else:
        beda = np.zeros(n, dtype=bool)
    alasan = np.select([rusak, lewat, tutup, beda], [1, 2, 3, 4], default=0)
    out["alasan"] = _text(_ALASAN, alasan, out.index)
    out["komit"] = np.where(alasan == 0, siap.to_numpy(dtype=float), 0.0)
    return out


def last_report(
    stok: pd.DataFrame,
    lokasi: pd.DataFrame,
    anggota: pd.DataFrame | None = None,
    *,
    today: dt.date,
    periode_hari: int = 30,
) -> pd.DataFrame:
    """Each member's last stock report and whether it is stale.

    Parameters
    ----------
    stok, lokasi, anggota
        Layers with the schema's columns; a member is known from ``anggota.id`` or
        ``lokasi.anggota_id``. Only reports up to the end of ``today`` count.
    today
        The analysis day.
    periode_hari
        Reporting period in days: a last report more than this many days before ``today``,
        or none at all, makes the member stale.

    Returns
    -------
    pandas.DataFrame
        ``anggota_id``, ``laporan_terakhir`` (UTC timestamp or NaT), ``usang`` (bool, stale).
    """
    waktu = _utc(stok["dilaporkan"])
    ns = _ns(waktu)
    limit, _ = _batas(today)
    # the latest report time per site (lines up to the end of today), then per member
    codes, sites = pd.factorize(stok["lokasi_id"].astype("str").to_numpy(), use_na_sentinel=False)
    ok = (ns != _NAT) & (ns < limit.value)
    terakhir = np.full(len(sites), _NAT)
    np.maximum.at(terakhir, codes[ok], ns[ok])
    out, _ = _last_report(sites, terakhir, waktu.dtype, lokasi, anggota, today, periode_hari)
    return out


def _last_report(
    sites: np.ndarray,
    terakhir: np.ndarray,
    dtype: object,
    lokasi: pd.DataFrame,
    anggota: pd.DataFrame | None,
    today: dt.date,
    periode_hari: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`last_report` from each site's latest report time (``terakhir``, int64 ns, NaT
    for none; ``sites`` as text, the stock's ``dilaporkan`` of ``dtype``); also the row of
    each of ``lokasi``'s sites' member in the result (-1: none)."""
    ids = [lokasi["anggota_id"].dropna().astype("str")]
    if anggota is not None:
        ids.insert(0, anggota["id"].dropna().astype("str"))
    members = pd.Index(pd.unique(pd.concat(ids, ignore_index=True).astype("str")))
    # site -> member position, then the latest report time per member (np.maximum.at)
    site_owner = members.get_indexer(lokasi["anggota_id"].astype("str").to_numpy())
    site_pos = pd.Index(lokasi["id"].astype("str").to_numpy()).get_indexer(sites)
    owner = np.append(site_owner, -1)[site_pos]  # unknown site (-1) -> no member (-1)
    ok = (owner >= 0) & (terakhir != _NAT)
    last = np.full(len(members), _NAT)
    np.maximum.at(last, owner[ok], terakhir[ok])
    out = pd.DataFrame({"anggota_id": pd.Series(members.to_numpy(), dtype="str")})
    unit = dtype if isinstance(dtype, pd.DatetimeTZDtype) else "datetime64[ns, UTC]"
    out["laporan_terakhir"] = pd.to_datetime(last.view("datetime64[ns]"), utc=True).astype(unit)
    umur = pd.Timestamp(today) - out["laporan_terakhir"].dt.tz_convert(None).dt.normalize()
    out["usang"] = (out["laporan_terakhir"].isna() | (umur.dt.days > periode_hari)).astype(bool)
    return out, site_owner


def riwayat_komit(
    stok: pd.DataFrame,
    barang: str,
    *,
    sampai: dt.date,
    satuan_katalog: Mapping[str, str] | pd.Series | None = None,
    maks_titik: int = 400,
) -> pd.DataFrame:
    """The committable stock of one item over time, summed over all sites, from the history.

    At every report time of the item, and at the end of ``sampai``, each site counts with its
    current line at that moment (as :func:`current_stock` picks it) and that line's
    committable quantity on that day (as :func:`committable` computes it: ``siap`` capped at
    ``jumlah``, 0 when ``rusak``, past ``kedaluwarsa`` or in another unit). The flood status of
    a site is left out: it belongs to a scenario, not to the history. One pass over the lines
    in report order; each point sums the sites' current values (numpy).

    Parameters
    ----------
    stok
        The whole stock history (schema columns).
    barang
        Item code.
    sampai
        The last day shown (usually the analysis day); later reports are left out.
    satuan_katalog
        ``barang.kode`` → catalogue unit.
    maks_titik
        At most this many points (the latest report times, then ``sampai``).

    Returns
    -------
    pandas.DataFrame
        ``waktu`` (UTC timestamps, rising) and ``komit`` (float, catalogue unit).
    """
    end = pd.Timestamp(sampai, tz="UTC") + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    lines = stok[stok["barang"].astype(str) == barang]
    waktu = _utc(lines["dilaporkan"])
    keep = (waktu.notna() & (waktu <= end)).to_numpy()
    lines, waktu = lines.loc[keep], waktu[keep]
    empty = pd.DataFrame({"waktu": pd.Series(dtype="datetime64[ns, UTC]"), "komit": []})
    if lines.empty:
        return empty.astype({"komit": float})
    # each line's committable value ignoring expiry (a day before any expiry), and its expiry
    base = committable(lines, today=dt.date(1, 1, 1), satuan_katalog=satuan_katalog)
    value = base["komit"].to_numpy(dtype=float)
    if "kedaluwarsa" in lines:
        exp = pd.to_datetime(lines["kedaluwarsa"], errors="coerce")
        if isinstance(exp.dtype, pd.DatetimeTZDtype):
            exp = exp.dt.tz_convert(None)
        exp_day = exp.dt.normalize().to_numpy(dtype="datetime64[D]")
    else:
        exp_day = np.full(len(lines), np.datetime64("NaT"), dtype="datetime64[D]")
    naive = waktu.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")  # UTC
    order = np.lexsort((np.arange(len(lines)), naive))  # time, then storage order
    sites, site_idx = np.unique(lines["lokasi_id"].astype(str).to_numpy(), return_inverse=True)
    cur_val = np.zeros(len(sites))
    cur_exp = np.full(len(sites), np.datetime64("NaT"), dtype="datetime64[D]")
    times = naive[order]
    rows: list[tuple[pd.Timestamp, float]] = []

    def total(t: pd.Timestamp) -> float:
        day = np.datetime64(t.date(), "D")
        ok = np.isnat(cur_exp) | (cur_exp >= day)
        return float(cur_val[ok].sum())

    for n, i in enumerate(order):
        cur_val[site_idx[i]] = value[i]
        cur_exp[site_idx[i]] = exp_day[i]
        if n + 1 == len(order) or times[n + 1] != times[n]:
            t = pd.Timestamp(times[n], tz="UTC")
            rows.append((t, total(t)))
    rows = rows[-maks_titik:]
    rows.append((end, total(end)))
    return pd.DataFrame(rows, columns=["waktu", "komit"]).astype({"komit": float})
