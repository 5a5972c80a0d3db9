"""The allocation on a map: lines from sites to the kecamatan they supply, thicker for more."""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_klaster.analysis import AnalysisResult
from geo_klaster.maps.elements import LapisanGeoJson, koleksi_fitur
from geo_klaster.maps.legend import kotak, legenda_html
from geo_klaster.maps.sites import kolom_anggota
from geo_klaster.maps.vocab import WARNA_KATEGORI, angka, html_aman


def garis_alokasi(
    result: AnalysisResult,
    *,
    barang: str | None = None,
    kategori: Mapping[str, str] | None = None,
    anggota: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Allocation lines site → kecamatan for the map, one per (site, kecamatan).

    With ``barang``: that item's quantity (``jumlah``, catalogue unit) and ``bobot`` = quantity
    / largest quantity. Without: ``bobot`` = Σ over items of quantity / the kecamatan's need
    of the item (the share of its needs the site covers, summed), scaled to the largest.
    ``isi`` lists the items as text.
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
    need = result.kebutuhan.set_index(["kode", "barang"])["kebutuhan"]
    a = alok.assign(
        porsi=[
            float(j) / float(need.get((k, b), np.nan)) if need.get((k, b), 0) else 0.0
            for j, k, b in zip(alok["jumlah"], alok["kode"], alok["barang"])
        ]
    )
    kat = kategori or {}
    rows = []
    for (lid, kode), grp in a.groupby(["lokasi_id", "kode"], sort=False):
        isi = "; ".join(
            f"{b} {angka(j, 1)} {u}" for b, j, u in zip(grp["barang"], grp["jumlah"], grp["satuan"])
        )
        kats = {kat.get(b, "logistik") for b in grp["barang"]}
        rows.append(
            {
                "lokasi_id": lid,
                "anggota_id": grp["anggota_id"].iloc[0],
                "kode": kode,
                "barang": barang or ", ".join(grp["barang"]),
                "jumlah": float(grp["jumlah"].sum()) if barang else np.nan,
                "satuan": grp["satuan"].iloc[0] if barang else "",
                "jarak_m": float(grp["jarak_m"].iloc[0]),
                "nilai": float(grp["jumlah"].sum()) if barang else float(np.nansum(grp["porsi"])),
                "isi": isi,
                "kategori": kats.pop() if len(kats) == 1 else "campuran",
                "geometry": grp.geometry.iloc[0],
            }
        )
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    top = out["nilai"].max()
    out["bobot"] = out["nilai"] / top if top and top > 0 else 0.0
    return out.drop(columns="nilai").sort_values("bobot").reset_index(drop=True)


def lapisan_alokasi(
    result: AnalysisResult,
    *,
    barang: str | None = None,
    kategori: Mapping[str, str] | None = None,
    anggota: pd.DataFrame | None = None,
) -> tuple[LapisanGeoJson, str]:
    """The lines of :func:`garis_alokasi`, coloured by category, with their legend."""
    lines = garis_alokasi(result, barang=barang, kategori=kategori, anggota=anggota)
    names = kolom_anggota(anggota, "nama")
    kec_names = dict(zip(result.kecamatan["kode"], result.kecamatan["nama"]))
    site_names = dict(zip(result.lokasi["lokasi_id"], result.lokasi["nama"]))
    gaya, tips = [], []
    for r in lines.itertuples(index=False):
        gaya.append(
            {
                "color": WARNA_KATEGORI.get(r.kategori, WARNA_KATEGORI["campuran"]),
                "weight": round(1 + 7 * math.sqrt(float(r.bobot)), 2),
                "opacity": 0.6,
            }
        )
        tips.append(
            html_aman(
                "<b>{s}</b> ({a})<br>&rarr; Kec. {k}, {d} km<br>{i}",
                s=site_names.get(r.lokasi_id, r.lokasi_id),
                a=names.get(r.anggota_id, r.anggota_id),
                k=kec_names.get(r.kode, r.kode),
                d=angka(r.jarak_m / 1000.0, 1),
                i=r.isi,
            )
        )
    data = koleksi_fitur(
        lines,
        {
            "lokasi_id": lines["lokasi_id"].tolist(),
            "kode": lines["kode"].tolist(),
            "_gaya": gaya,
            "_tip": tips,
            "_popup": tips,
        },
    )
    layer = LapisanGeoJson(data, name="Alokasi (garis)", jenis="alokasi", fit=True)
    ukuran = "jumlah barang" if barang else "porsi kebutuhan kecamatan yang dipenuhi"
    legend = legenda_html(
        "Alokasi lokasi → kecamatan",
        [
            kotak("", "logistik", bentuk="garis", garis=WARNA_KATEGORI["logistik"]),
            kotak("", "peralatan", bentuk="garis", garis=WARNA_KATEGORI["peralatan"]),
            kotak("", "logistik dan peralatan", bentuk="garis", garis=WARNA_KATEGORI["campuran"]),
        ],
        f"Tebal garis: {ukuran}.",
    )
    return layer, legend
