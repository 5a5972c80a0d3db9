"""Gaps per kecamatan and item: need, stock within reach, allocated, shortfall, and why."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd
from scipy import sparse

from geo_klaster.i18n import _, bahasa

KOLOM = [
    "kode",
    "barang",
    "satuan",
    "berisiko",
    "kebutuhan",
    "terjangkau",
    "teralokasi",
    "kekurangan",
    "alasan",
]
_SISA = 1e-6  # units: less than this between teralokasi and terjangkau needs no reason
_NAMA_MAKS = 3  # kecamatan named in a reason; the rest counted
_PADAT_MAKS = 4_000_000  # site × item cells: below this the stock table is a dense array


def gaps(
    kebutuhan: pd.DataFrame,
    jangkauan: pd.DataFrame,
    stok: pd.DataFrame,
    alokasi: pd.DataFrame,
    *,
    kecamatan: pd.DataFrame | None = None,
    ambang: float | None = None,
    bulat: Collection[str] = (),
) -> pd.DataFrame:
    """The gap table.

    Parameters
    ----------
    kebutuhan
        Needs from :func:`geo_klaster.analysis.needs.needs` (``kode``, ``barang``, ``satuan``,
        ``kebutuhan``, ``berisiko``): the at-risk kecamatan and those *di bawah ambang*.
    jangkauan
        Reach pairs (``kode``, ``lokasi_id``) of the at-risk kecamatan.
    stok
        Committable stock (``lokasi_id``, ``barang``, ``komit``).
    alokasi
        Allocation (``lokasi_id``, ``kode``, ``barang``, ``jumlah``).
    kecamatan
        ``kode``, ``nama`` and ``porsi_banjir`` (0–1), for the reasons; None: codes only.
    ambang
        The at-risk threshold (flooded share 0–1), quoted in the reasons.
    bulat
        Items counted in whole units (the reasons say so where rounding matters).

    Returns
    -------
    pandas.DataFrame
        :data:`KOLOM`. ``terjangkau`` is the committable stock within reach of *this*
        kecamatan: a site reaching several kecamatan counts in each (by design; the
        allocation counts it once); NaN for a kecamatan *di bawah ambang* (reach is computed
        for the at-risk ones only). ``kekurangan = kebutuhan − teralokasi`` on every row (NaN
        when the need is unknown). ``alasan`` says in Bahasa Indonesia why ``teralokasi`` is
        below ``terjangkau`` (and, below the threshold, why nothing is allocated); empty
        otherwise.
    """
    usable = stok.loc[stok["komit"] > 0, ["lokasi_id", "barang", "komit"]]
    reach = terjangkau(jangkauan, usable)
    given = alokasi.groupby(["kode", "barang"])["jumlah"].sum().rename("teralokasi")
    need = kebutuhan.copy()
    if "berisiko" not in need:
        need["berisiko"] = True
    out = need[["kode", "barang", "satuan", "berisiko", "kebutuhan"]].join(
        reach, on=["kode", "barang"]
    )
    out = out.join(given, on=["kode", "barang"])
    risk = out["berisiko"].to_numpy(dtype=bool)
    out["terjangkau"] = np.where(risk, out["terjangkau"].fillna(0.0), np.nan) + 0.0
    tera = out["teralokasi"].fillna(0.0).to_numpy(dtype=float)
    butuh = out["kebutuhan"].to_numpy(dtype=float)
    # float sums of the lines may pass the need by the last bits: the need it is
    over = (tera > butuh) & (tera <= butuh * (1 + 1e-9) + 1e-12)
    out["teralokasi"] = np.where(over, butuh, tera) + 0.0
    out["kekurangan"] = (out["kebutuhan"] - out["teralokasi"]) + 0.0
    out["alasan"] = _alasan(out, jangkauan, usable, alokasi, kecamatan, ambang, set(bulat))
    return out[KOLOM].reset_index(drop=True)


def terjangkau(jangkauan: pd.DataFrame, stok: pd.DataFrame) -> pd.Series:
    """Committable stock within reach per kecamatan and item (the gap table's ``terjangkau``).

    ``jangkauan``: reach pairs (``kode``, ``lokasi_id``); ``stok``: ``lokasi_id``, ``barang``,
    ``komit`` (rows with ``komit`` ≤ 0 or missing are ignored). A site reaching several
    kecamatan counts in each; a pair given twice counts twice. Returns a Series named
    ``terjangkau`` indexed by (``kode``, ``barang``), sorted, with only the pairs that have
    stock in reach.

    One sparse × dense product on integer codes, (pairs: kecamatan × site) @ (stock: site ×
    item), instead of a merge and group-by of a million string rows; the stock table is
    sparse too when it would be large. The pairs come grouped by ``kode`` (reach returns them
    so), so the codes are read per run of equal ``kode`` — a few thousand strings, not a
    million — and the product is taken per run, then per kecamatan.
    """
    usable = stok.loc[stok["komit"] > 0, ["lokasi_id", "barang", "komit"]]
    site_codes, sites = pd.factorize(usable["lokasi_id"].astype(str))
    item_codes, items = pd.factorize(usable["barang"].astype(str), sort=True)
    kode = jangkauan["kode"].astype(str).to_numpy()
    starts = np.r_[0, np.flatnonzero(kode[1:] != kode[:-1]) + 1] if len(kode) else np.zeros(0, int)
    run_kode, kodes = pd.factorize(kode[starts], sort=True)
    # a pair whose site holds no committable stock points at an extra, empty site row
    pair_site = pd.Index(sites).get_indexer(jangkauan["lokasi_id"].astype(str))
    pair_site[pair_site < 0] = len(sites)
    runs = sparse.csr_matrix(
        (np.ones(len(kode)), pair_site, np.r_[starts, len(kode)]),
        shape=(len(starts), len(sites) + 1),
    )
    ok = np.flatnonzero(run_kode >= 0)
    per_kode = sparse.csr_matrix(
        (np.ones(len(ok)), (run_kode[ok], ok)), shape=(len(kodes), len(starts))
    )
    komit = usable["komit"].to_numpy(dtype=float)
    if len(sites) * len(items) <= _PADAT_MAKS:
        held = np.zeros((len(sites) + 1) * len(items))
        held[: len(sites) * len(items)] = np.bincount(
            site_codes * len(items) + item_codes, weights=komit, minlength=len(sites) * len(items)
        )
        sums = np.asarray(per_kode @ (runs @ held.reshape(len(sites) + 1, len(items))))
        row, col = np.nonzero(sums)  # row-major: sorted
        val = sums[row, col]
    else:
        held = sparse.csr_matrix(
            (komit, (site_codes, item_codes)), shape=(len(sites) + 1, len(items))
        )
        coo = (per_kode @ (runs @ held)).tocoo()
        order = np.lexsort((coo.col, coo.row))
        row, col, val = coo.row[order], coo.col[order], coo.data[order]
        keep = val != 0
        row, col, val = row[keep], col[keep], val[keep]
    index = pd.MultiIndex.from_arrays(
        [pd.Index(kodes).take(row), pd.Index(items).take(col)], names=["kode", "barang"]
    )
    return pd.Series(val, index=index, name="terjangkau")


def _persen(share: float) -> str:
    """A share 0–1 as Indonesian percent text: 0.238 -> '24 %', 0.032 -> '3,2 %',
    0.05 -> '5 %', 0.0004 -> '< 0,1 %', 0.9996 -> '99,9 %' (a shortfall never reads 100 %)."""
    value = 100.0 * share
    if 0 < value < 0.05:
        return "< 0,1 %"
    if 99.5 <= value < 100:
        text = f"{np.floor(value * 10) / 10:.1f}"
    elif value >= 10:
        text = f"{value:.0f}"
    else:
        text = f"{value:.1f}".removesuffix(".0")
    return f"{text.replace('.', ',')} %"


def _daftar(names: list[str]) -> str:
    """'A', 'A dan B', 'A, B dan C', 'A, B, C dan 4 lainnya'."""
    if len(names) > _NAMA_MAKS:
        return ", ".join(names[:_NAMA_MAKS]) + f" dan {len(names) - _NAMA_MAKS} lainnya"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " dan " + names[-1]


def _sharers(
    rows: pd.DataFrame, jangkauan: pd.DataFrame, usable: pd.DataFrame, alokasi: pd.DataFrame
) -> dict[tuple[str, str], list[str]]:
    """Per (kode, barang) of ``rows``: the other kecamatan that received that item from a site
    within reach of it, most received first."""
    if rows.empty or alokasi.empty or "lokasi_id" not in alokasi:
        return {}
    want = rows[["kode", "barang"]]
    # the same inner joins over only the rows that can match (the stock is national, the
    # rows asking a handful): same rows, same order
    pairs = jangkauan[["kode", "lokasi_id"]]
    pairs = pairs[pairs["kode"].isin(set(want["kode"]))]
    stock = usable[["lokasi_id", "barang"]]
    stock = stock[stock["barang"].isin(set(want["barang"]))]
    stock = stock[stock["lokasi_id"].isin(set(pairs["lokasi_id"]))]
    shared = (
        pairs.merge(want, on="kode")
        .merge(stock, on=["lokasi_id", "barang"])
        .merge(
            alokasi[["lokasi_id", "barang", "kode", "jumlah"]].rename(columns={"kode": "lain"}),
            on=["lokasi_id", "barang"],
        )
    )
    shared = shared[shared["lain"] != shared["kode"]]
    total = (
        shared.groupby(["kode", "barang", "lain"], as_index=False)["jumlah"]
        .sum()
        .sort_values(["kode", "barang", "jumlah", "lain"], ascending=[True, True, False, True])
    )
    out: dict[tuple[str, str], list[str]] = {}  # rows in order: a plain loop, not a group-by
    for key in zip(total["kode"].tolist(), total["barang"].tolist(), total["lain"].tolist()):
        out.setdefault(key[:2], []).append(key[2])
    return out


def _alasan(
    out: pd.DataFrame,
    jangkauan: pd.DataFrame,
    usable: pd.DataFrame,
    alokasi: pd.DataFrame,
    kecamatan: pd.DataFrame | None,
    ambang: float | None,
    bulat: set[str],
) -> pd.Series:
    """The reason per gap row (see :func:`gaps`)."""
    names: Mapping[str, str] = {}
    porsi: Mapping[str, float] = {}
    if kecamatan is not None and len(kecamatan):
        kodes = kecamatan["kode"].astype(str).tolist()  # lists: no pandas call per element
        if "nama" in kecamatan:
            names = dict(zip(kodes, kecamatan["nama"].astype(str).tolist(), strict=True))
        if "porsi_banjir" in kecamatan:
            porsi = dict(zip(kodes, kecamatan["porsi_banjir"].astype(float).tolist(), strict=True))
    # plain Python lists and arrays: one pandas ``.iat`` per row cost ~60 µs (0.4 s nationally)
    text = [""] * len(out)
    kode_col = out["kode"].astype(str).tolist()
    item_col = out["barang"].astype(str).tolist()
    tera = out["teralokasi"].to_numpy(dtype=float)
    risk = out["berisiko"].to_numpy(dtype=bool)
    butuh = out["kebutuhan"].to_numpy(dtype=float)
    short = out["terjangkau"].to_numpy(dtype=float) - tera
    ambang_teks = f" {_persen(ambang)}" if ambang is not None else ""
    for i in np.flatnonzero(~risk & (np.nan_to_num(butuh, nan=1.0) > 0)):
        kode = kode_col[i]
        flooded = f"tergenang {_persen(porsi[kode])}, " if kode in porsi else ""
        text[i] = (
            f"di bawah ambang: {flooded}kurang dari ambang berisiko{ambang_teks}; "
            "tidak ikut alokasi"
        )
    open_ = risk & (short > _SISA)
    unknown = open_ & np.isnan(butuh)
    for i in np.flatnonzero(unknown):
        text[i] = "jumlah pengungsi tidak diketahui (penduduk kosong); tidak dialokasikan"
    met = open_ & ~unknown & (out["kekurangan"].to_numpy(dtype=float) <= _SISA)
    for i in np.flatnonzero(met):
        text[i] = "kebutuhan sudah terpenuhi; sisa stok terjangkau tidak diperlukan di sini"
    rest = np.flatnonzero(open_ & ~unknown & ~met)
    sharers = _sharers(out.iloc[rest], jangkauan, usable, alokasi)
    for i in rest:
        kode, item = kode_col[i], item_col[i]
        share = tera[i] / butuh[i]
        whole = "; dibulatkan ke unit utuh" if item in bulat else ""
        others = [names.get(k, k) for k in sharers.get((kode, item), [])]
        if others:
            text[i] = (
                f"stok yang sama juga terjangkau {_daftar(others)}; dibagi adil menurut porsi "
                f"kebutuhan ({_persen(share)} kebutuhan terpenuhi){whole}"
            )
        else:
            text[i] = (
                f"sisa stok terjangkau kurang dari satu unit utuh ({_persen(share)} "
                "kebutuhan terpenuhi)"
                if item in bulat
                else f"{_persen(share)} kebutuhan terpenuhi"
            )
    return pd.Series(text, index=out.index, dtype=object)


# The reasons are stored in Bahasa Indonesia (gap.csv, the workbook, the analysis cache shared
# by both languages); pages show them in the reader's language through these patterns, which
# mirror the sentences written by _alasan above.
_N = re.compile
_POLA_ALASAN = (
    (
        _N(
            r"di bawah ambang: (?:tergenang (?P<porsi>.+?), )?kurang dari ambang berisiko"
            r"(?: (?P<ambang>[^;]+))?; tidak ikut alokasi"
        ),
        lambda m: (
            (
                _("di bawah ambang: tergenang %(porsi)s", porsi=_angka_bahasa(m["porsi"]))
                if m["porsi"]
                else _("di bawah ambang")
            )
            + (
                _(", kurang dari ambang berisiko %(ambang)s", ambang=_angka_bahasa(m["ambang"]))
                if m["ambang"]
                else _(", kurang dari ambang berisiko")
            )
            + _("; tidak ikut alokasi")
        ),
    ),
    (
        _N(r"jumlah pengungsi tidak diketahui \(penduduk kosong\); tidak dialokasikan"),
        lambda m: _("jumlah pengungsi tidak diketahui (penduduk kosong); tidak dialokasikan"),
    ),
    (
        _N(r"kebutuhan sudah terpenuhi; sisa stok terjangkau tidak diperlukan di sini"),
        lambda m: _("kebutuhan sudah terpenuhi; sisa stok terjangkau tidak diperlukan di sini"),
    ),
    (
        _N(
            r"stok yang sama juga terjangkau (?P<lain>.+); dibagi adil menurut porsi kebutuhan "
            r"\((?P<persen>[^()]+) kebutuhan terpenuhi\)(?P<bulat>; dibulatkan ke unit utuh)?"
        ),
        lambda m: (
            _(
                "stok yang sama juga terjangkau %(lain)s; dibagi adil menurut porsi kebutuhan "
                "(%(persen)s kebutuhan terpenuhi)",
                lain=_daftar_bahasa(m["lain"]),
                persen=_angka_bahasa(m["persen"]),
            )
            + (_("; dibulatkan ke unit utuh") if m["bulat"] else "")
        ),
    ),
    (
        _N(
            r"sisa stok terjangkau kurang dari satu unit utuh "
            r"\((?P<persen>[^()]+) kebutuhan terpenuhi\)"
        ),
        lambda m: _(
            "sisa stok terjangkau kurang dari satu unit utuh (%(persen)s kebutuhan terpenuhi)",
            persen=_angka_bahasa(m["persen"]),
        ),
    ),
    (
        _N(r"(?P<persen>(?:< )?[\d,]+ %) kebutuhan terpenuhi"),
        lambda m: _("%(persen)s kebutuhan terpenuhi", persen=_angka_bahasa(m["persen"])),
    ),
)


def _angka_bahasa(text: str) -> str:
    """A number written by :func:`_persen` (``3,2 %``) in the current language's notation."""
    if bahasa() != "en":
        return text
    return text.replace(".", "\x00").replace(",", ".").replace("\x00", ",")


def _daftar_bahasa(text: str) -> str:
    """A list written by :func:`_daftar` with its joining words in the current language."""
    lain = re.fullmatch(r"(?P<nama>.+) dan (?P<n>\d+) lainnya", text)
    if lain:
        return _("%(nama)s dan %(n)s lainnya", nama=lain["nama"], n=lain["n"])
    head, sep, last = text.rpartition(" dan ")
    return _("%(a)s dan %(b)s", a=head, b=last) if sep else text


def alasan_bahasa(text: object) -> str:
    """A reason written by :func:`gaps` (``alasan``) in the current language (pages); text
    that is not one of its sentences is returned as it is."""
    if not isinstance(text, str) or not text:
        return ""
    for pola, teks in _POLA_ALASAN:
        m = pola.fullmatch(text)
        if m:
            return teks(m)
    return text
