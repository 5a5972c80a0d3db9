"""Road layers of the maps (``--jangkauan jalan``): cut and slowed roads, time to a kecamatan.

- :func:`lapisan_jalan_banjir`: road parts the flood cuts (red) and slows (orange), one
  MultiLineString per status so the page stays small;
- :func:`lapisan_waktu_jalan`: the passable roads coloured by travel time to one kecamatan
  (bands of the road reach ``menit``), drawn up to twice that time;
- :func:`lapisan_lokasi_terputus`: the sites cut off from a kecamatan, with the reason.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.i18n import _
from geo_klaster.maps.elements import LapisanGeoJson, koleksi_fitur
from geo_klaster.maps.legend import kotak, legenda_html
from geo_klaster.maps.vocab import angka, html_aman

WARNA_PUTUS = "#d7191c"  # red: cut by the flood
WARNA_LAMBAT = "#fd8d3c"  # orange: slowed
WARNA_WAKTU = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59")  # fast → slow
_SIMPLIFY_DEG = 2e-6  # ~0.2 m: drawing only


def lapisan_jalan_banjir(result: AnalysisResult) -> tuple[LapisanGeoJson, str] | None:
    """Cut (red) and slowed (orange) road parts; None when the analysis is not by road."""
    ring = result.ringkasan_jalan()
    if ring is None:
        return None
    parts = [r.jalan for r in result.jalan if len(r.jalan)]
    rows, geoms, gaya, tips = [], [], [], []
    for status, warna, label, km in (
        ("putus", WARNA_PUTUS, _("terputus banjir"), ring["km_putus"]),
        ("lambat", WARNA_LAMBAT, _("diperlambat banjir"), ring["km_lambat"]),
    ):
        lines = (
            np.concatenate([p.geometry.to_numpy()[p["status"].to_numpy() == status] for p in parts])
            if parts
            else np.zeros(0, dtype=object)
        )
        if len(lines) == 0:
            continue
        rows.append(status)
        geoms.append(shapely.simplify(shapely.multilinestrings(lines), _SIMPLIFY_DEG))
        gaya.append({"color": warna, "weight": 3, "opacity": 0.9})
        tips.append(html_aman(_("Jalan {l}: {km} km"), l=label, km=angka(km, 1)))
    frame = gpd.GeoDataFrame({"status": rows}, geometry=geoms, crs=4326)
    data = koleksi_fitur(frame, {"status": rows, "_gaya": gaya, "_tip": tips})
    layer = LapisanGeoJson(data, name=_("Jalan terputus/diperlambat banjir"), jenis="jalan_banjir")
    legend = legenda_html(
        _("Jalan dalam banjir"),
        [
            kotak(
                WARNA_PUTUS, _("terputus (tidak bisa dilalui)"), bentuk="garis", garis=WARNA_PUTUS
            ),
            kotak(WARNA_LAMBAT, _("diperlambat"), bentuk="garis", garis=WARNA_LAMBAT),
        ],
        catatan=_(
            "%(km)s km jalan terputus, %(k)s kecamatan/%(d)s desa tanpa akses",
            km=angka(ring["km_putus"], 1),
            k=len(ring["kecamatan_tanpa_akses"]),
            d=len(ring["desa_tanpa_akses"]),
        ),
    )
    return layer, legend


def lapisan_waktu_jalan(result: AnalysisResult, kode: str) -> tuple[LapisanGeoJson, str] | None:
    """Passable roads coloured by travel time to kecamatan ``kode`` (minutes, on the road; the
    walk from a site is not included), up to twice ``config.menit``; None when the analysis is
    not by road or ``kode`` is not an at-risk kecamatan."""
    menit = float(result.config.menit)
    for reach in result.jalan:
        hit = np.flatnonzero(reach.target_kode == kode)
        if len(hit) and reach.network is not None:
            break
    else:
        return None
    net = reach.network
    waktu = net.waktu_ke(int(hit[0]))
    pieces = net.pieces
    ok = pieces["status"].to_numpy() != "putus"
    t = np.minimum(waktu[pieces["u"].to_numpy()], waktu[pieces["v"].to_numpy()])
    bounds = np.array([0.25, 0.5, 1.0, 1.5, 2.0]) * menit
    band = np.searchsorted(bounds, t, side="left")
    keep = ok & np.isfinite(t) & (band < len(bounds))
    geoms_m = pieces.geometry.to_numpy()
    rows, geoms, gaya, tips = [], [], [], []
    lo = 0.0
    for b, hi in enumerate(bounds):
        sel = keep & (band == b)
        if sel.any():
            line = gpd.GeoSeries([shapely.multilinestrings(geoms_m[sel])], crs=pieces.crs)
            geoms.append(shapely.simplify(line.to_crs(4326).iloc[0], _SIMPLIFY_DEG))
            rows.append(b)
            gaya.append({"color": WARNA_WAKTU[b], "weight": 2, "opacity": 0.85})
            tips.append(html_aman(_("{a}–{b} menit ke kecamatan"), a=angka(lo), b=angka(hi)))
        lo = hi
    frame = gpd.GeoDataFrame({"kelas": rows}, geometry=geoms, crs=4326)
    data = koleksi_fitur(frame, {"kelas": rows, "_gaya": gaya, "_tip": tips})
    layer = LapisanGeoJson(data, name=_("Waktu tempuh di jalan"), jenis="waktu_jalan")
    edges = [0.0, *bounds]
    legend = legenda_html(
        _("Waktu tempuh di jalan ke kecamatan ini"),
        [
            kotak(
                WARNA_WAKTU[i],
                _("%(a)s–%(b)s menit", a=angka(edges[i]), b=angka(edges[i + 1])),
                bentuk="garis",
                garis=WARNA_WAKTU[i],
            )
            for i in range(len(bounds))
        ],
        catatan=_(
            "jangkauan %(menit)s menit; jalan kaki ke jalan tidak termasuk", menit=angka(menit)
        ),
    )
    return layer, legend


def lapisan_lokasi_terputus(
    result: AnalysisResult, kode: str
) -> tuple[folium.FeatureGroup, str] | None:
    """Sites cut off from ``kode`` (within the straight-line reach), each with its reason."""
    if result.config.jangkauan != "jalan":
        return None
    j = result.jangkauan
    cut = j[(j["kode"] == kode) & j["terputus"].astype(bool)]
    group = folium.FeatureGroup(name=_("Lokasi terputus"), show=True)
    sites = result.lokasi.set_index("lokasi_id")
    for lokasi_id, alasan in zip(cut["lokasi_id"], cut["alasan"], strict=True):
        if lokasi_id not in sites.index:
            continue
        pt = sites.geometry.loc[lokasi_id]
        folium.CircleMarker(
            location=[pt.y, pt.x],
            radius=6,
            color=WARNA_PUTUS,
            weight=3,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=1,
            tooltip=html_aman(
                _("{n} — terputus: {a}"), n=str(sites.loc[lokasi_id, "nama"]), a=_(str(alasan))
            ),
        ).add_to(group)
    legend = legenda_html(
        _("Lokasi terputus"),
        [
            kotak(
                "#ffffff",
                _("terputus dari kecamatan ini (%(n)s)", n=len(cut)),
                bentuk="bulat",
                garis=WARNA_PUTUS,
            )
        ],
    )
    return group, legend
