"""The area layers of the maps: kecamatan choropleths, flood zones, the reach of a kecamatan.

Each ``lapisan_*`` function returns a :class:`~geo_klaster.maps.elements.LapisanGeoJson`
and, where the layer has one, its legend (HTML, see :mod:`geo_klaster.maps.legend`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.i18n import _
from geo_klaster.maps.elements import LapisanGeoJson, koleksi_fitur
from geo_klaster.maps.legend import kelas_nilai, kotak, label_kelas, legenda_html, warna_kelas
from geo_klaster.maps.vocab import (
    ARSIR_BANJIR,
    KELAS_BANJIR,
    NOL,
    RAMP_GAP,
    RAMP_RISIKO,
    WARNA_NOL,
    WARNA_TERCUKUPI,
    WARNA_TERPILIH,
    WARNA_TIDAK_DIKETAHUI,
    angka,
    baris_tabel,
    html_aman,
)

# -- kecamatan -------------------------------------------------------------------------------


def gaya_kecamatan(
    fill: str, *, terpilih: bool = False, dash: str | None = None, isi: float = 0.75
) -> dict[str, Any]:
    """The Leaflet path style of a kecamatan (``terpilih``: outlined in black)."""
    return {
        "color": WARNA_TERPILIH if terpilih else "#444444",
        "weight": 3.5 if terpilih else 1,
        "fillColor": fill,
        "fillOpacity": isi,
        "dashArray": dash,
    }


def popup_kecamatan(
    row: Any, extra: Sequence[tuple[str, str]] = (), *, tautan: str | None = None
) -> str:
    """A kecamatan's popup: exposure figures, ``extra`` rows, and a link when ``tautan``
    (the kecamatan page, ``{kode}`` replaced) is given."""
    pairs = [
        (_("Kode"), str(row.kode)),
        (
            _("Penduduk"),
            _("%(n)s jiwa", n=angka(row.penduduk))
            if pd.notna(row.penduduk)
            else _("tidak diketahui"),
        ),
        (_("Porsi tergenang"), angka(100 * float(row.porsi_banjir), 1) + " %"),
        (
            _("Pengungsi (perkiraan)"),
            _("%(n)s jiwa", n=angka(row.pengungsi))
            if pd.notna(row.pengungsi)
            else _("tidak diketahui"),
        ),
        (_("Berisiko"), _("ya") if bool(row.berisiko) else _("tidak")),
        *extra,
    ]
    out = (
        html_aman("<b>{k}</b><table class='pp'>", k=_("Kecamatan %(nama)s", nama=row.nama))
        + baris_tabel(pairs)
        + "</table>"
    )
    if tautan:
        out += html_aman(
            "<a href='{u}'>{t} &rarr;</a>",
            u=tautan.format(kode=row.kode),
            t=_("Buka halaman kecamatan"),
        )
    return out


def _lapisan_kecamatan(
    kec: gpd.GeoDataFrame,
    gaya: list[dict[str, Any]],
    tips: list[str],
    popups: list[str],
    *,
    name: str,
    fit: bool,
) -> LapisanGeoJson:
    """Every kecamatan with its style, tooltip and popup (``jenis`` ``kecamatan``)."""
    data = koleksi_fitur(
        kec,
        {
            "kode": kec["kode"].tolist(),
            "nama": kec["nama"].tolist(),
            "_gaya": gaya,
            "_tip": tips,
            "_popup": popups,
        },
    )
    return LapisanGeoJson(data, name=name, jenis="kecamatan", fit=fit)


def lapisan_kecamatan_risiko(
    result: AnalysisResult,
    *,
    tautan: str | None,
    terpilih: str | None = None,
    fit: bool = True,
    isi: float = 0.75,
) -> tuple[LapisanGeoJson, str]:
    """Kecamatan coloured by displaced people; ``terpilih`` outlined, the others at 0.3."""
    kec = result.kecamatan
    bounds = kelas_nilai(kec.loc[kec["berisiko"], "pengungsi"])
    gaya, tips, popups = [], [], []
    for row in kec.itertuples(index=False):
        if pd.isna(row.pengungsi) and (row.berisiko or row.porsi_banjir > 0):
            fill, dash = WARNA_TIDAK_DIKETAHUI, "4 3"
        elif not row.berisiko or not row.pengungsi or row.pengungsi <= 0:
            fill, dash = WARNA_NOL, None
        else:
            fill, dash = warna_kelas(float(row.pengungsi), bounds, RAMP_RISIKO), None
        dipilih = row.kode == terpilih
        redup = terpilih is not None and not dipilih
        gaya.append(gaya_kecamatan(fill, terpilih=dipilih, dash=dash, isi=0.3 if redup else isi))
        peng = angka(row.pengungsi) if pd.notna(row.pengungsi) else _("tidak diketahui")
        tips.append(
            html_aman(
                "<b>{n}</b> ({k})<br>{t}", n=row.nama, k=row.kode, t=_("Pengungsi: %(n)s", n=peng)
            )
        )
        popups.append(popup_kecamatan(row, tautan=tautan))
    layer = _lapisan_kecamatan(kec, gaya, tips, popups, name=_("Kecamatan (pengungsi)"), fit=fit)
    legend = legenda_html(
        _("Pengungsi per kecamatan (jiwa)"),
        [
            *label_kelas(bounds, RAMP_RISIKO, ""),
            kotak(WARNA_NOL, _("tidak berisiko / 0")),
            kotak(WARNA_TIDAK_DIKETAHUI, _("penduduk tidak diketahui")),
        ],
    )
    return layer, legend


def lapisan_gap(
    result: AnalysisResult, barang: str, *, label: str, tautan: str | None
) -> tuple[LapisanGeoJson, str]:
    """Kecamatan coloured by the shortfall (``kekurangan``) of item ``barang`` (``label``)."""
    kec = result.kecamatan
    gap = result.gap[result.gap["barang"] == barang].set_index("kode")
    satuan = str(gap["satuan"].iloc[0]) if len(gap) else ""
    d = 0 if barang in result.bulat else 1  # whole units show no decimals
    bounds = kelas_nilai(gap["kekurangan"].dropna())
    gaya, tips, popups = [], [], []
    for row in kec.itertuples(index=False):
        g = gap.loc[row.kode] if row.kode in gap.index else None
        if g is None or (pd.notna(g["kebutuhan"]) and g["kebutuhan"] <= 0):
            fill, dash, teks = WARNA_NOL, None, _("tidak ada kebutuhan")
        elif pd.isna(g["kebutuhan"]):
            fill, dash, teks = WARNA_TIDAK_DIKETAHUI, "4 3", _("kebutuhan tidak diketahui")
        elif g["kekurangan"] <= NOL:
            fill, dash, teks = WARNA_TERCUKUPI, None, _("tercukupi")
        else:
            fill, dash = warna_kelas(float(g["kekurangan"]), bounds, RAMP_GAP), None
            teks = _("kurang %(n)s %(satuan)s", n=angka(g["kekurangan"], d), satuan=satuan)
        gaya.append(gaya_kecamatan(fill, dash=dash))
        tips.append(html_aman("<b>{n}</b><br>{b}: {t}", n=row.nama, b=label, t=teks))
        extra: list[tuple[str, str]] = []
        if g is not None:
            extra = [
                (_("Kebutuhan %(barang)s", barang=label), f"{angka(g['kebutuhan'], d)} {satuan}"),
                (_("Terjangkau"), f"{angka(g['terjangkau'], d)} {satuan}"),
                (_("Teralokasi"), f"{angka(g['teralokasi'], d)} {satuan}"),
                (_("Kekurangan"), f"{angka(g['kekurangan'], d)} {satuan}"),
            ]
        popups.append(popup_kecamatan(row, extra, tautan=tautan))
    layer = _lapisan_kecamatan(
        kec, gaya, tips, popups, name=_("Kekurangan %(barang)s", barang=label), fit=True
    )
    legend = legenda_html(
        _("Kekurangan %(barang)s (%(satuan)s)", barang=label, satuan=satuan),
        [
            *label_kelas(bounds, RAMP_GAP, "", desimal=0 if d == 0 else None),
            kotak(WARNA_TERCUKUPI, _("tercukupi")),
            kotak(WARNA_NOL, _("tidak ada kebutuhan")),
            kotak(WARNA_TIDAK_DIKETAHUI, _("penduduk tidak diketahui")),
        ],
        _("Skenario %(skenario)s, %(hari)s hari.", skenario=result.skenario, hari=result.hari),
    )
    return layer, legend


def lapisan_batas(result: AnalysisResult, *, tautan: str | None) -> LapisanGeoJson:
    """Kecamatan boundaries, lightly filled, with their popups."""
    kec = result.kecamatan
    gaya = [gaya_kecamatan("#ffffff", isi=0.4) for _ in range(len(kec))]
    tips = [html_aman("<b>{n}</b> ({k})", n=n, k=k) for n, k in zip(kec["nama"], kec["kode"])]
    popups = [popup_kecamatan(r, tautan=tautan) for r in kec.itertuples(index=False)]
    return _lapisan_kecamatan(kec, gaya, tips, popups, name=_("Batas kecamatan"), fit=True)


# -- flood zones -----------------------------------------------------------------------------


def lapisan_zona(
    result: AnalysisResult, *, clip: shapely.Geometry | None = None, show: bool = True
) -> tuple[LapisanGeoJson, str]:
    """The scenario's flood zones by class (cut to ``clip`` when given), low to high."""
    zona = result.zona
    if clip is not None:
        geoms = shapely.intersection(zona.geometry.to_numpy(), clip)
        zona = gpd.GeoDataFrame(zona.drop(columns="geometry"), geometry=geoms, crs=zona.crs)
        zona = zona[~zona.geometry.is_empty]
    order = {k: i for i, k in enumerate(KELAS_BANJIR)}
    zona = zona.assign(_o=zona["kelas"].map(order)).sort_values("_o")
    gaya, tips = [], []
    for kelas in zona["kelas"].astype(str):
        label = KELAS_BANJIR.get(kelas, (kelas, "#9ecae1"))[0]
        pid, warna = ARSIR_BANJIR.get(kelas, ARSIR_BANJIR["rendah"])[:2]
        gaya.append({"color": warna, "weight": 1, "fillColor": f"url(#{pid})", "fillOpacity": 1})
        tips.append(
            html_aman(
                "{z} <b>{k}</b> ({s})",
                z=_("Zona banjir kelas"),
                k=_(label).lower(),
                s=result.skenario,
            )
        )
    data = koleksi_fitur(zona, {"kelas": zona["kelas"].tolist(), "_gaya": gaya, "_tip": tips})
    pola = [
        {"id": pid, "warna": warna, "tebal": tebal, "jarak": jarak}
        for pid, warna, tebal, jarak in ARSIR_BANJIR.values()
    ]
    layer = LapisanGeoJson(data, name=_("Zona rawan banjir"), jenis="zona", show=show, pola=pola)
    legend = legenda_html(
        _("Zona banjir (kelas bahaya, arsiran)"),
        [
            kotak("#ffffff", _(label), garis=ARSIR_BANJIR[k][1], kelas=ARSIR_BANJIR[k][0])
            for k, (label, _warna) in KELAS_BANJIR.items()
        ],
    )
    return layer, legend


# -- reach -----------------------------------------------------------------------------------


def area_jangkauan(result: AnalysisResult, kode: str) -> gpd.GeoDataFrame:
    """The reach area of one kecamatan: its polygon buffered by ``config.jarak_km``.

    Buffered in the kecamatan's own metric CRS (:meth:`AnalysisResult.crs_untuk`, its UTM
    zone when the data span several) and returned in EPSG:4326 (one row).
    """
    kec = result.kecamatan[result.kecamatan["kode"] == kode]
    metric = kec.to_crs(result.crs_untuk(kode))
    buf = metric.geometry.buffer(result.config.jarak_km * 1000.0, quad_segs=12)
    return gpd.GeoDataFrame({"kode": [kode]}, geometry=buf.to_crs(4326).to_numpy(), crs=4326)


def lapisan_jangkauan(result: AnalysisResult, kode: str, nama: str) -> tuple[LapisanGeoJson, str]:
    """The reach boundary of kecamatan ``kode`` (named ``nama``), dashed; the map fits it."""
    jarak = angka(result.config.jarak_km, 1)
    tip = html_aman(
        "{t}", t=_("Jangkauan %(km)s km dari batas Kecamatan %(nama)s", km=jarak, nama=nama)
    )
    data = koleksi_fitur(
        area_jangkauan(result, kode),
        {
            "_gaya": [{"color": "#252525", "weight": 2, "dashArray": "8 6", "fill": False}],
            "_tip": [tip],
        },
    )
    layer = LapisanGeoJson(
        data, name=_("Jangkauan %(km)s km", km=jarak), jenis="jangkauan", fit=True
    )
    legend = legenda_html(
        _("Jangkauan"),
        [
            kotak("#ffffff", _("kecamatan ini"), garis=WARNA_TERPILIH),
            kotak(
                "transparent",
                _("batas jangkauan %(km)s km", km=jarak),
                bentuk="garis",
                garis="#252525",
                putus=True,
            ),
        ],
    )
    return layer, legend
