"""The allocation on a map: arrows from sites to the kecamatan they supply.

Each (site, kecamatan) pair is one line from the site to the kecamatan's representative
point with an arrowhead (a small triangle, drawn on the server: no plugin) two thirds of the
way, pointing at the kecamatan; its width is the share of the kecamatan's need the site
covers. The map has one layer for all items and one layer per item, off at start, so each
item's flows can be read alone (Leaflet's layer control).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.i18n import _
from geo_klaster.maps.elements import LapisanGeoJson, koleksi_fitur
from geo_klaster.maps.legend import kotak, legenda_html
from geo_klaster.maps.sites import kolom_anggota
from geo_klaster.maps.vocab import WARNA_KATEGORI, angka, html_aman

_M_PER_DEG = 111_320.0  # metres per degree of latitude (and of longitude at the equator)
PANAH_MIN_M, PANAH_TAMBAH_M = 500.0, 1100.0  # arrowhead length: min + extra × √share


def panah(garis: shapely.LineString, panjang_m: float, *, letak: float = 0.66) -> shapely.Polygon:
    """A triangular arrowhead on ``garis`` (EPSG:4326) pointing from its start to its end.

    The tip lies at ``letak`` of the way (0–1); the head is ``panjang_m`` metres long and
    0.9 × as wide, computed in a local equirectangular frame (longitudes scaled by
    cos(latitude): exact enough at this size). A zero-length line gives an empty polygon.
    """
    (x0, y0), (x1, y1) = shapely.get_coordinates(garis)[[0, -1]]
    k = math.cos(math.radians((y0 + y1) / 2))
    dx, dy = (x1 - x0) * k * _M_PER_DEG, (y1 - y0) * _M_PER_DEG
    d = math.hypot(dx, dy)
    if d <= 0:
        return shapely.Polygon()
    ux, uy = dx / d, dy / d
    panjang = min(panjang_m, 0.45 * d)
    tip = (x0 + (x1 - x0) * letak, y0 + (y1 - y0) * letak)
    bx, by = -ux * panjang, -uy * panjang  # back from the tip, metres
    wx, wy = -uy * panjang * 0.45, ux * panjang * 0.45  # half the width, metres

    def at(mx: float, my: float) -> tuple[float, float]:
        return (tip[0] + mx / (k * _M_PER_DEG), tip[1] + my / _M_PER_DEG)

    return shapely.Polygon([tip, at(bx + wx, by + wy), at(bx - wx, by - wy), tip])


def garis_alokasi(
    result: AnalysisResult,
    *,
    barang: str | None = None,
    kategori: Mapping[str, str] | None = None,
    anggota: pd.DataFrame | None = None,
    nama_barang: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Allocation lines site → kecamatan for the map, one per (site, kecamatan).

    ``bobot`` is the share of the kecamatan's need the site covers (0–1): with ``barang``,
    that item's quantity (``jumlah``, catalogue unit) ÷ the kecamatan's need of it; without,
    the mean of that share over the items the kecamatan needs. ``isi`` lists the items as
    text (names from ``nama_barang``).
    """
    alok = result.alokasi
    if barang is not None:
        alok = alok[alok["barang"] == barang]
    cols = ["lokasi_id", "anggota_id", "kode", "barang", "jumlah", "satuan", "jarak_m", "geometry"]
    if alok.empty:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in cols[:-1]}
            | {
                "bobot": pd.Series(dtype=float),
                "isi": pd.Series(dtype=object),
                "kategori": pd.Series(dtype=object),
            },
            geometry=gpd.GeoSeries([], crs=4326),
        )
    keb = result.kebutuhan
    need = dict(zip(zip(keb["kode"], keb["barang"], strict=True), keb["kebutuhan"], strict=True))
    n_need = keb[keb["kebutuhan"].fillna(0) > 0].groupby("kode").size().to_dict()
    kat = kategori or {}
    names = nama_barang or {}
    # one pass in plain Python over the lines (a pandas group per pair is ~100x slower)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(alok["lokasi_id"], alok["kode"], strict=True)):
        groups.setdefault(key, []).append(i)
    cols_ = {c: alok[c].tolist() for c in cols[:-1]}
    geoms = alok.geometry.to_numpy()
    rows = []
    for (lid, kode), idx in groups.items():
        items = [cols_["barang"][i] for i in idx]
        qty = [float(cols_["jumlah"][i]) for i in idx]
        share = 0.0
        for b, q in zip(items, qty, strict=True):
            n = need.get((kode, b), 0.0)
            if n and math.isfinite(float(n)) and n > 0:
                share += q / float(n)
        if not barang:
            share /= max(int(n_need.get(kode, 1)), 1)
        kats = {kat.get(b, "logistik") for b in items}
        rows.append(
            {
                "lokasi_id": lid,
                "anggota_id": cols_["anggota_id"][idx[0]],
                "kode": kode,
                "barang": barang or ", ".join(items),
                "jumlah": sum(qty) if barang else np.nan,
                "satuan": cols_["satuan"][idx[0]] if barang else "",
                "jarak_m": float(cols_["jarak_m"][idx[0]]),
                "bobot": min(max(share, 0.0), 1.0),
                "isi": "; ".join(
                    f"{names.get(b, b)} {angka(q, 1)} {cols_['satuan'][i]}"
                    for b, q, i in zip(items, qty, idx, strict=True)
                ),
                "kategori": kats.pop() if len(kats) == 1 else "campuran",
                "geometry": geoms[idx[0]],
            }
        )
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    return out.sort_values("bobot", kind="stable").reset_index(drop=True)


def _lebar(bobot: float) -> float:
    """Line width in pixels for a share of the need (0–1)."""
    return round(1.5 + 7.5 * math.sqrt(max(float(bobot), 0.0)), 2)


def lapisan_alokasi(
    result: AnalysisResult,
    *,
    barang: str | None = None,
    kategori: Mapping[str, str] | None = None,
    anggota: pd.DataFrame | None = None,
    nama_barang: Mapping[str, str] | None = None,
    name: str | None = None,
    jenis: str = "alokasi",
    show: bool = True,
) -> LapisanGeoJson:
    """The arrows of :func:`garis_alokasi` (one item or all), coloured by category."""
    lines = garis_alokasi(
        result, barang=barang, kategori=kategori, anggota=anggota, nama_barang=nama_barang
    )
    names = kolom_anggota(anggota, "nama")
    kec_names = dict(zip(result.kecamatan["kode"], result.kecamatan["nama"], strict=True))
    site_names = dict(zip(result.lokasi["lokasi_id"], result.lokasi["nama"], strict=True))
    gaya, tips, geoms = [], [], []
    for r in lines.itertuples(index=False):
        head = panah(r.geometry, PANAH_MIN_M + PANAH_TAMBAH_M * math.sqrt(float(r.bobot)))
        geoms.append(shapely.GeometryCollection([r.geometry, head]))
        gaya.append(
            {
                "color": WARNA_KATEGORI.get(r.kategori, WARNA_KATEGORI["campuran"]),
                "weight": _lebar(r.bobot),
                "opacity": 0.75,
                "fillOpacity": 0.9,
                "lineJoin": "miter",
            }
        )
        tips.append(
            html_aman(
                "<b>{s}</b> ({a})<br>&rarr; {k}, {d} km<br>{i}<br>{p}",
                s=site_names.get(r.lokasi_id, r.lokasi_id),
                a=names.get(r.anggota_id, r.anggota_id),
                k=_("Kec. %(nama)s", nama=kec_names.get(r.kode, r.kode)),
                d=angka(r.jarak_m / 1000.0, 1),
                i=r.isi,
                p=_("%(n)s %% kebutuhan kecamatan", n=angka(100 * float(r.bobot), 0)),
            )
        )
    frame = gpd.GeoDataFrame(lines.drop(columns="geometry"), geometry=geoms, crs=4326)
    data = koleksi_fitur(
        frame,
        {
            "lokasi_id": lines["lokasi_id"].tolist(),
            "kode": lines["kode"].tolist(),
            "_gaya": gaya,
            "_tip": tips,
            "_popup": tips,
        },
    )
    return LapisanGeoJson(data, name=name or _("Alokasi (semua barang)"), jenis=jenis, show=show)


def legenda_alokasi(*, barang: str | None = None) -> str:
    """The legend of the allocation arrows."""
    ukuran = (
        _("porsi kebutuhan barang ini di kecamatan tujuan")
        if barang
        else _("rata-rata porsi kebutuhan kecamatan tujuan yang dipenuhi")
    )
    return legenda_html(
        _("Alokasi lokasi → kecamatan (panah: arah kiriman)"),
        [
            kotak("", _("logistik"), bentuk="garis", garis=WARNA_KATEGORI["logistik"]),
            kotak("", _("peralatan"), bentuk="garis", garis=WARNA_KATEGORI["peralatan"]),
            kotak(
                "", _("logistik dan peralatan"), bentuk="garis", garis=WARNA_KATEGORI["campuran"]
            ),
        ],
        _(
            "Tebal garis: %(ukuran)s. Per barang: pilih lapisannya di kontrol lapisan.",
            ukuran=ukuran,
        ),
    )


def batas_alokasi(result: AnalysisResult) -> list[list[float]]:
    """Bounds ``[[south, west], [north, east]]`` of everything on the allocation map: every
    kecamatan, every site and every line (the first view shows all of it)."""
    parts = [result.kecamatan.total_bounds]
    if len(result.lokasi):
        parts.append(result.lokasi.total_bounds)
    if len(result.alokasi):
        parts.append(result.alokasi.total_bounds)
    b = np.array(parts, dtype=float)
    return [
        [float(np.nanmin(b[:, 1])), float(np.nanmin(b[:, 0]))],
        [float(np.nanmax(b[:, 3])), float(np.nanmax(b[:, 2]))],
    ]
