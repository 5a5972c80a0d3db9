"""The comparison map: two scenarios' flood zones (A outlined, B filled) and the kecamatan
coloured by how their status changes from A to B (:mod:`geo_klaster.results.banding`)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo_klaster.i18n import _
from geo_klaster.maps.assets import Aset
from geo_klaster.maps.elements import LapisanGeoJson, koleksi_fitur, peta_kosong
from geo_klaster.maps.layers import gaya_kecamatan
from geo_klaster.maps.legend import Legenda, LipatPonsel, kotak, legenda_html
from geo_klaster.maps.vocab import KELAS_BANJIR, angka, html_aman
from geo_klaster.results.banding import PERUBAHAN, Banding

WARNA_PERUBAHAN = {
    "baru_berisiko": "#d7301f",
    "tetap_berisiko": "#fdae6b",
    "tidak_lagi": "#9ecae1",
    "aman": "#f7f7f7",
}
WARNA_GARIS_A = "#54278f"


def _label(perubahan: str, a: str, b: str) -> str:
    return {
        "baru_berisiko": _("berisiko di %(b)s, tidak di %(a)s", a=a, b=b),
        "tetap_berisiko": _("berisiko di keduanya"),
        "tidak_lagi": _("berisiko di %(a)s, tidak di %(b)s", a=a, b=b),
        "aman": _("tidak berisiko di keduanya"),
    }[perubahan]


def _pct(x: float) -> str:
    return angka(100 * float(x), 1) + " %"


def _jiwa(x: float) -> str:
    return _("%(n)s jiwa", n=angka(x)) if pd.notna(x) else _("tidak diketahui")


def _lapisan_perubahan(
    banding: Banding, a: str, b: str, tautan: str | None
) -> tuple[LapisanGeoJson, str]:
    k = banding.kecamatan
    k = k[(k["skenario_a"] == a) & (k["skenario_b"] == b)]
    geom = banding.geom_kecamatan.reindex(k["kode"]).to_numpy()
    gdf = gpd.GeoDataFrame(k.reset_index(drop=True), geometry=list(geom), crs=4326)
    gaya, tips, popups = [], [], []
    for row in gdf.itertuples(index=False):
        teks = _label(row.perubahan, a, b)
        gaya.append(gaya_kecamatan(WARNA_PERUBAHAN[row.perubahan], isi=0.7))
        tips.append(html_aman("<b>{n}</b> ({k})<br>{t}", n=row.nama, k=row.kode, t=teks))
        rows = "".join(
            html_aman("<tr><th>{h}</th><td>{x}</td><td>{y}</td></tr>", h=h, x=x, y=y)
            for h, x, y in (
                ("", a, b),
                (_("Porsi tergenang"), _pct(row.porsi_banjir_a), _pct(row.porsi_banjir_b)),
                (
                    _("Berisiko"),
                    _("ya") if row.berisiko_a else _("tidak"),
                    _("ya") if row.berisiko_b else _("tidak"),
                ),
                (_("Pengungsi"), _jiwa(row.pengungsi_a), _jiwa(row.pengungsi_b)),
            )
        )
        popup = html_aman(
            "<b>{k}</b><br>{t}<table class='pp'>", k=_("Kecamatan %(nama)s", nama=row.nama), t=teks
        )
        popup += rows + "</table>"
        if tautan:
            popup += html_aman(
                "<a href='{u}'>{t} &rarr;</a>",
                u=tautan.format(kode=row.kode),
                t=_("Buka halaman kecamatan"),
            )
        popups.append(popup)
    data = koleksi_fitur(
        gdf,
        {
            "kode": gdf["kode"].tolist(),
            "perubahan": gdf["perubahan"].tolist(),
            "_gaya": gaya,
            "_tip": tips,
            "_popup": popups,
        },
    )
    layer = LapisanGeoJson(data, name=_("Kecamatan: perubahan status"), jenis="kecamatan", fit=True)
    counts = k["perubahan"].value_counts()
    legend = legenda_html(
        _("Perubahan status: %(a)s → %(b)s", a=a, b=b),
        [
            kotak(WARNA_PERUBAHAN[p], f"{_label(p, a, b)} ({int(counts.get(p, 0))})")
            for p in PERUBAHAN
        ],
    )
    return layer, legend


def _lapisan_zona(zona: gpd.GeoDataFrame, nama: str, *, isi: bool) -> LapisanGeoJson:
    """Flood zones of one scenario: filled by class (``isi``) or outlined only."""
    gaya, tips = [], []
    for kelas in zona["kelas"].astype(str):
        label, warna = KELAS_BANJIR.get(kelas, (kelas, "#9ecae1"))
        if isi:
            gaya.append(
                {"color": "#08306b", "weight": 0.5, "fillColor": warna, "fillOpacity": 0.55}
            )
        else:
            gaya.append({"color": WARNA_GARIS_A, "weight": 2, "dashArray": "6 4", "fill": False})
        tips.append(html_aman(_("Zona banjir <b>{s}</b>, kelas {k}"), s=nama, k=_(label).lower()))
    data = koleksi_fitur(zona, {"kelas": zona["kelas"].tolist(), "_gaya": gaya, "_tip": tips})
    jenis = "zona_b" if isi else "zona_a"
    name = (
        _("Zona banjir %(nama)s (diisi)", nama=nama)
        if isi
        else _("Zona banjir %(nama)s (garis)", nama=nama)
    )
    return LapisanGeoJson(data, name=name, jenis=jenis)


def peta_banding(
    banding: Banding,
    a: str,
    b: str,
    *,
    aset: Aset,
    tautan_kecamatan: str | None = "/kecamatan/{kode}",
    peta_dasar_daring: bool = True,
) -> folium.Map:
    """Scenario ``a`` against ``b``: A's zones outlined (dashed), B's filled by class, the
    kecamatan coloured by their status change (legend with counts). EPSG:4326 in, Leaflet out.
    """
    m = peta_kosong(aset, banding.geom_kecamatan.total_bounds, peta_dasar_daring=peta_dasar_daring)
    kec, lg_kec = _lapisan_perubahan(banding, a, b, tautan_kecamatan)
    kec.add_to(m)
    _lapisan_zona(banding.zona[b], b, isi=True).add_to(m)
    _lapisan_zona(banding.zona[a], a, isi=False).add_to(m)
    lg_zona = legenda_html(
        _("Zona banjir"),
        [
            kotak(
                "transparent",
                _("A: %(a)s (garis)", a=a),
                bentuk="garis",
                garis=WARNA_GARIS_A,
                putus=True,
            ),
            *[
                kotak(w, _("B: %(b)s, kelas %(kelas)s", b=b, kelas=_(label).lower()))
                for label, w in KELAS_BANJIR.values()
            ],
        ],
    )
    kontrol = folium.LayerControl(collapsed=False, position="topright").add_to(m)
    LipatPonsel(kontrol).add_to(m)
    Legenda(lg_kec + "<hr>" + lg_zona).add_to(m)
    return m
