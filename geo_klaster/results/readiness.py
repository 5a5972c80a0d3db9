"""Readiness at a glance: coverage shares per at-risk kecamatan and item, largest dispatches.

The readiness matrix (overview page) and the readiness bars (print sheet) both read the gap
table (:func:`geo_klaster.analysis.gaps.gaps`, ``gap.csv``): the coverage share of a need is
``teralokasi / kebutuhan`` (allocated ÷ need, both in the item's catalogue unit), classed

* ``kurang``     share < 50 %,
* ``sebagian``   50 % ≤ share < 100 %,
* ``cukup``      share = 100 % (the need is met, up to :data:`TOLERANSI`),
* ``tidak_diketahui``  the need is unknown (population unknown).

Nothing here reads files or knows the web framework.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geo_klaster.i18n import N_, _

TOLERANSI = 1e-6  # a shortfall at or below this (catalogue units) counts as met
KELAS_PORSI = ("kurang", "sebagian", "cukup", "tidak_diketahui")
# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), each paired
# with a symbol so the class never rests on colour alone: (label, fill, text colour, symbol).
GAYA_PORSI: dict[str, tuple[str, str, str, str]] = {
    "kurang": (N_("kurang dari 50 %"), "#d55e00", "#ffffff", "✕"),
    "sebagian": (N_("50–99 %"), "#e69f00", "#000000", "◐"),
    "cukup": (N_("100 % (tercukupi)"), "#009e73", "#ffffff", "✓"),
    "tidak_diketahui": (N_("kebutuhan tidak diketahui"), "#bdbdbd", "#000000", "?"),
}


def porsi_cakupan(kebutuhan: float, teralokasi: float) -> float:
    """The coverage share ``teralokasi / kebutuhan`` (0–1), NaN when the need is unknown.

    A need of 0 is fully covered (1.0). Shares are capped at 1 (the allocation never exceeds
    a need; the cap only absorbs rounding).
    """
    if kebutuhan is None or not math.isfinite(float(kebutuhan)):
        return math.nan
    if float(kebutuhan) <= TOLERANSI:
        return 1.0
    return min(max(float(teralokasi), 0.0) / float(kebutuhan), 1.0)


def kelas_porsi(porsi: float, kekurangan: float | None = None) -> str:
    """The class of a coverage share (see the module docstring).

    ``kekurangan`` (the shortfall, catalogue units), when given, decides ``cukup``: a share
    that rounds to 100 % while something is still missing stays ``sebagian``.
    """
    if porsi is None or not math.isfinite(float(porsi)):
        return "tidak_diketahui"
    met = (
        float(kekurangan) <= TOLERANSI
        if kekurangan is not None and math.isfinite(float(kekurangan))
        else porsi >= 1.0 - 1e-12
    )
    if met:
        return "cukup"
    return "kurang" if porsi < 0.5 else "sebagian"


def persen(porsi: float) -> int | None:
    """The share as a whole percentage, rounded down (99.6 % is 99, never a false 100)."""
    if porsi is None or not math.isfinite(float(porsi)):
        return None
    return math.floor(float(porsi) * 100 + 1e-9)


def matriks_kesiapan(gap: pd.DataFrame) -> pd.DataFrame:
    """The readiness matrix in long form: one row per at-risk kecamatan and item.

    Parameters
    ----------
    gap
        The gap table (``kode, barang, satuan, kebutuhan, teralokasi, kekurangan``; with a
        ``berisiko`` column only its true rows are kept).

    Returns
    -------
    pandas.DataFrame
        ``kode, barang, satuan, kebutuhan, teralokasi, kekurangan, porsi`` (0–1, NaN when the
        need is unknown), ``kelas`` (:data:`KELAS_PORSI`) and ``persen`` (whole %, rounded
        down; 100 for ``cukup``; None when unknown).
    """
    g = gap
    if "berisiko" in g.columns:
        g = g[g["berisiko"].fillna(False).astype(bool)]
    cols = ["kode", "barang", "satuan", "kebutuhan", "teralokasi", "kekurangan"]
    out = g[cols].reset_index(drop=True).copy()
    out["porsi"] = [
        porsi_cakupan(k, t) for k, t in zip(out["kebutuhan"], out["teralokasi"], strict=True)
    ]
    out["kelas"] = [kelas_porsi(p, s) for p, s in zip(out["porsi"], out["kekurangan"], strict=True)]
    # a need met up to solver noise (99.99999 %) reads 100 %, as its class says
    out["persen"] = pd.Series(
        [
            100 if k == "cukup" else persen(p)
            for p, k in zip(out["porsi"], out["kelas"], strict=True)
        ],
        dtype="object",
    )
    return out


def baris_terbesar(
    alokasi: pd.DataFrame, kebutuhan: pd.DataFrame, kode: str, n: int = 10
) -> pd.DataFrame:
    """The ``n`` largest dispatch lines to kecamatan ``kode``.

    Items have different units, so lines are ranked by the share of the kecamatan's need of
    the item they cover (``jumlah / kebutuhan``), then by quantity.

    Returns
    -------
    pandas.DataFrame
        The allocation rows (without geometry) plus ``porsi`` (0–1), largest first.
    """
    a = pd.DataFrame(alokasi[alokasi["kode"] == kode]).drop(columns="geometry", errors="ignore")
    need = kebutuhan.set_index(["kode", "barang"])["kebutuhan"]
    keys = list(zip(a["kode"], a["barang"], strict=True))
    needs = np.array([float(need.get(k, np.nan)) for k in keys], dtype=float)
    jumlah = a["jumlah"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(needs > 0, jumlah / needs, np.nan)
    a = a.assign(porsi=share)
    a = a.sort_values(["porsi", "jumlah"], ascending=False, na_position="last", kind="stable")
    return a.head(n).reset_index(drop=True)


def desimal_barang(barang: pd.DataFrame | None) -> dict[str, int]:
    """Decimals to show per item code: 0 for items moved in whole units (``barang.bulat``),
    1 for the others (also when the catalogue has no ``bulat`` column)."""
    if barang is None or barang.empty:
        return {}
    bulat = (
        barang["bulat"].fillna(False).astype(bool)
        if "bulat" in barang
        else pd.Series(False, index=barang.index)
    )
    return {str(k): 0 if b else 1 for k, b in zip(barang["kode"], bulat, strict=True)}


def lembar_kesiapan(
    gap: pd.DataFrame, alokasi: pd.DataFrame, kebutuhan: pd.DataFrame, kode: str, n: int = 10
) -> dict[str, object]:
    """What the one-page readiness sheet of kecamatan ``kode`` shows beyond its gap table.

    Parameters
    ----------
    gap
        The kecamatan's gap rows with the item's name in ``nama``.
    alokasi
        Its allocation lines (names in ``anggota``, ``lokasi``, ``nama``).
    kebutuhan
        The needs table (for each line's share of the need).

    Returns
    -------
    dict
        ``grafik_kesiapan`` (SVG text: readiness bars, see
        :func:`geo_klaster.results.charts.svg_kesiapan`), ``terbesar`` (the ``n`` largest lines,
        :func:`baris_terbesar`) and ``n_alokasi`` (all lines).
    """
    from geo_klaster.results.charts import svg_kesiapan

    kes = matriks_kesiapan(gap.assign(berisiko=True)).assign(nama=list(gap["nama"]))
    svg = svg_kesiapan(
        [(str(r.nama), float(r.porsi), r.persen, str(r.kelas)) for r in kes.itertuples()]
    )
    return {
        "grafik_kesiapan": svg,
        "terbesar": baris_terbesar(alokasi, kebutuhan, kode, n),
        "n_alokasi": len(alokasi),
        **tata_letak_cetak(gap),
    }


# The one-page sheet's layout, in mm of A4 portrait (see web/static/cetak.css): with a 92 mm
# map, twelve one-line item rows and ten dispatch lines leave about 6 mm spare (measured).
PETA_MM, PETA_MIN_MM, CADANGAN_MM = 92.0, 56.0, 6.0
BARIS_MM, BARIS_DUA_MM, BARIS_DASAR = 4.4, 3.4, 12


def tata_letak_cetak(gap: pd.DataFrame) -> dict[str, object]:
    """The map height and density of the one-page sheet for this many item rows.

    A row with a shortfall shows its reason on two lines, an item name longer than 30
    characters wraps: each adds :data:`BARIS_DUA_MM`; rows beyond :data:`BARIS_DASAR` add
    :data:`BARIS_MM`. The map gives up what the spare space cannot absorb, down to
    :data:`PETA_MIN_MM`; beyond that the tables get a smaller type (``padat``).

    Returns
    -------
    dict
        ``tinggi_peta_mm`` (float) and ``padat`` (bool).
    """
    short = (gap["kekurangan"].fillna(0) > TOLERANSI).to_numpy()
    long_name = gap["nama"].astype(str).str.len().to_numpy() > 30 if "nama" in gap else short * 0
    extra = BARIS_DUA_MM * float(short.sum() + long_name.sum())
    extra += BARIS_MM * max(0, len(gap) - BARIS_DASAR)
    need = max(0.0, extra - CADANGAN_MM)
    tinggi = max(PETA_MIN_MM, PETA_MM - need)
    return {"tinggi_peta_mm": round(tinggi, 1), "padat": PETA_MM - need < PETA_MIN_MM}


def tabel_matriks(
    gap: pd.DataFrame,
    kecamatan: pd.DataFrame,
    nama_barang: dict[str, str] | None = None,
) -> dict[str, object]:
    """The readiness matrix as a page shows it: at-risk kecamatan (rows) × items (columns).

    Parameters
    ----------
    gap
        The gap table (see :func:`matriks_kesiapan`).
    kecamatan
        ``kode, nama, peringkat`` (and ``pengungsi``) of the kecamatan; rows follow the rank.
    nama_barang
        Item names by code (the code when missing).

    Returns
    -------
    dict
        ``barang``: ``[(kode, nama, satuan)]`` by name; ``baris``: per kecamatan a dict with
        ``kode, nama, peringkat, pengungsi, rata`` (mean share over its items with a known
        need, 0–1 or NaN) and ``sel``: per item (same order) None (no row) or a dict
        ``porsi, porsi_teks`` (``repr`` of the share), ``persen, kelas, kebutuhan,
        teralokasi, satuan``.
    """
    names = nama_barang or {}
    m = matriks_kesiapan(gap)
    items = sorted(
        {(str(b), str(u)) for b, u in zip(m["barang"], m["satuan"], strict=True)},
        key=lambda t: names.get(t[0], t[0]).lower(),
    )
    barang = [(b, names.get(b, b), u) for b, u in items]
    cells = {(str(r.kode), str(r.barang)): r for r in m.itertuples(index=False)}
    kec = kecamatan[kecamatan["kode"].astype(str).isin(set(m["kode"].astype(str)))]
    if "peringkat" in kec:
        kec = kec.sort_values("peringkat", kind="stable")
    baris = []
    for k in kec.itertuples(index=False):
        sel = []
        for b, _n, _u in barang:
            r = cells.get((str(k.kode), b))
            sel.append(
                None
                if r is None
                else {
                    "porsi": r.porsi,
                    "porsi_teks": repr(float(r.porsi)),  # exact, for machines (data-porsi)
                    "persen": r.persen,
                    "kelas": r.kelas,
                    "kebutuhan": r.kebutuhan,
                    "teralokasi": r.teralokasi,
                    "satuan": r.satuan,
                }
            )
        known = [c["porsi"] for c in sel if c is not None and math.isfinite(c["porsi"])]
        baris.append(
            {
                "kode": str(k.kode),
                "nama": str(k.nama),
                "peringkat": getattr(k, "peringkat", None),
                "pengungsi": getattr(k, "pengungsi", math.nan),
                "rata": float(np.mean(known)) if known else math.nan,
                "sel": sel,
            }
        )
    return {"barang": barang, "baris": baris}


def riwayat_barang(
    stok: pd.DataFrame,
    barang: pd.Series,
    gap: pd.DataFrame,
    *,
    sampai: object,
    skenario: str,
) -> dict[str, object]:
    """What the page of one item shows: its committable stock over time and today's gap.

    Parameters
    ----------
    stok
        The whole stock history.
    barang
        The item's catalogue row (``kode, nama, kategori, satuan``).
    gap
        The analysis' gap table (its rows of this item are summed over the at-risk
        kecamatan).
    sampai
        The analysis day (``datetime.date``): the history up to its end.
    skenario
        The scenario of ``gap`` (named in the totals).

    Returns
    -------
    dict
        ``grafik`` (SVG text, :func:`geo_klaster.results.charts.svg_riwayat`), ``titik`` (points),
        ``komit`` (committable now, catalogue unit), ``lokasi`` (sites holding some now),
        ``kebutuhan, terjangkau, teralokasi, kekurangan`` (sums; NaN without a need).
    """
    from geo_klaster.analysis.stock import committable, current_stock, riwayat_komit
    from geo_klaster.results.charts import svg_riwayat

    kode, satuan = str(barang["kode"]), str(barang["satuan"])
    h = riwayat_komit(stok, kode, sampai=sampai, satuan_katalog={kode: satuan})  # type: ignore[arg-type]
    svg = svg_riwayat(
        [t.to_pydatetime() for t in h["waktu"]],
        [float(v) for v in h["komit"]],
        satuan=satuan,
        judul=_(
            "Stok siap %(nama)s (%(satuan)s), semua lokasi", nama=barang["nama"], satuan=satuan
        ),
    )
    lines = stok[stok["barang"].astype(str) == kode]
    now = committable(
        current_stock(lines, as_of=sampai),  # type: ignore[arg-type]
        today=sampai,  # type: ignore[arg-type]
        satuan_katalog={kode: satuan},
    )
    g = gap[gap["barang"].astype(str) == kode]
    if "berisiko" in g.columns:
        g = g[g["berisiko"].fillna(False).astype(bool)]
    return {
        "grafik": svg,
        "titik": len(h),
        "komit": float(now["komit"].sum()) if len(now) else 0.0,
        "lokasi": int((now["komit"] > 0).sum()) if len(now) else 0,
        "kecamatan": len(g),
        "skenario": skenario,
        **{
            c: float(g[c].sum(min_count=1)) if len(g) else math.nan
            for c in ("kebutuhan", "terjangkau", "teralokasi", "kekurangan")
        },
    }
