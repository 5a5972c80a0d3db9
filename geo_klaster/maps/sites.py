"""Members' sites on a map: the clustered circle-marker layer and the GeoJSON it draws.

:func:`lokasi_geojson` gives plain properties per site; :class:`LapisanLokasi` makes colour,
outline and popup in the browser, so a large layer costs little HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from folium.map import Layer
from folium.template import Template

from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.i18n import _
from geo_klaster.maps.assets import Aset, AsetSendiri
from geo_klaster.maps.elements import js_data, koleksi_fitur
from geo_klaster.maps.vocab import (
    SEKTOR,
    SEKTOR_LAIN,
    STATUS_STOK,
    WARNA_LOKASI_BANJIR,
    lokal_js,
)


class LapisanLokasi(AsetSendiri, Layer):
    """Sites as circle markers in a marker cluster, from inline GeoJSON or from a URL.

    With ``kelompok=False`` the markers are plain symbols on one canvas (no cluster bubbles:
    the print sheet), and no cluster asset is linked.

    The features carry plain properties (see :func:`lokasi_geojson`); colour, outline and
    popup are made in the browser, so a large layer costs little HTML. With ``url`` the page
    fetches the layer (announced early with ``<link rel="preload">``); features without a
    ``stok`` property get their stock from ``stok_url`` (``{id}`` replaced) when a popup
    opens. When every marker is in the cluster, the document receives the event
    ``klaster:lokasi`` and ``window.klasterLokasiSiap`` becomes the number of sites.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            {%- if this.url %}
            <link rel="preload" href="{{ this.url|e }}" as="fetch" crossorigin="anonymous">
            {%- endif %}
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }};
            (function () {
                var sektor = {{ this.sektor|tojson }};
                var statusTeks = {{ this.status|tojson }};
                var teks = {{ this.teks|tojson }};
                var stokUrl = {{ this.stok_url|tojson }};
                var jumlah = 0;
                var selesai = function () {
                    window.klasterLokasiSiap = jumlah;
                    document.dispatchEvent(new CustomEvent("klaster:lokasi",
                        {detail: {jumlah: jumlah}}));
                };
                {%- if not this.kelompok %}
                // Plain symbols (the print sheet): one canvas for every marker, no clusters.
                var kanvas = L.canvas({padding: 0.2});
                var cluster = L.featureGroup();
                {%- else %}
                var cluster = L.markerClusterGroup(Object.assign(
                    {{ this.options|tojavascript }},
                    {
                        // A cluster shows what it hides: a ring of its sectors' shares,
                        // a red halo when a site in it is in a flood zone, dashed when
                        // every site in it is stale; the count in the middle.
                        iconCreateFunction: function (c) {
                            var n = c.getChildCount();
                            var size = n < 10 ? 32 : (n < 100 ? 38 : 44);
                            var hit = {}, banjir = 0, usang = 0;
                            c.getAllChildMarkers().forEach(function (m) {
                                var p = m.feature.properties;
                                hit[p.sektor] = (hit[p.sektor] || 0) + 1;
                                if (p.kelas_banjir) { banjir += 1; }
                                if (p.usang) { usang += 1; }
                            });
                            var stops = [], acc = 0;
                            Object.keys(sektor).concat(["_lain"]).forEach(function (k) {
                                var cnt = k === "_lain" ? n - acc : (hit[k] || 0);
                                if (cnt <= 0) { return; }
                                var w = (sektor[k] || {{ this.lain|tojson }})[1];
                                stops.push(w + " " + (acc / n * 360) + "deg " +
                                    ((acc + cnt) / n * 360) + "deg");
                                acc += cnt;
                            });
                            var cls = "marker-cluster klaster-kelompok" +
                                (banjir ? " ada-banjir" : "") + (usang === n ? " semua-usang" : "");
                            return L.divIcon({
                                html: "<div style='background:conic-gradient(" +
                                    stops.join(",") + ")'><span>" + n + "</span></div>",
                                className: cls,
                                iconSize: L.point(size, size)
                            });
                        },
                        chunkProgress: function (done, total) {
                            // Called before the cluster's last synchronous step: report after it.
                            if (done === total) { setTimeout(selesai, 0); }
                        }
                    }));
                {%- endif %}
                {{ this.get_name() }} = cluster;
                var esc = function (v) {
                    return String(v === null || v === undefined ? "" : v)
                        .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
                        .replace(/"/g, "&quot;");
                };
                var angka = function (v) {
                    return Number(v).toLocaleString({{ this.lokal|tojson }}, {maximumFractionDigits: 1});
                };
                var gaya = function (p) {
                    var s = sektor[p.sektor] || {{ this.lain|tojson }};
                    var banjir = !!p.kelas_banjir;
                    return {
                        radius: {{ this.radius }},
                        fillColor: s[1],
                        fillOpacity: p.usang ? 0.35 : 0.9,
                        color: banjir ? {{ this.warna_banjir|tojson }} : (p.usang ? "#333" : "#fff"),
                        weight: banjir ? 3 : 1.5,
                        dashArray: p.usang ? "3 3" : null
                    };
                };
                var tabelStok = function (stok) {
                    if (!stok || !stok.length) { return "<i>" + esc(teks.tanpa_stok) + "</i>"; }
                    var h = "<b>" + esc(teks.stok_siap) + "</b><table class='pp'>";
                    stok.forEach(function (r) {
                        h += "<tr><td>" + esc(r[0]) + "</td><td class='n'>" + angka(r[1]) +
                            " " + esc(r[2]) + "</td></tr>";
                    });
                    return h + "</table>";
                };
                var popup = function (layer) {
                    var p = layer.feature.properties;
                    var s = sektor[p.sektor] || {{ this.lain|tojson }};
                    var h = "<b>" + esc(p.nama) + "</b><br>" + esc(p.anggota) +
                        " <small>(" + esc(s[0]) + ")</small><table class='pp'>";
                    if (p.jarak_m !== undefined && p.jarak_m !== null) {
                        h += "<tr><th>" + esc(teks.jarak) + "</th><td>" + angka(p.jarak_m / 1000) + " km</td></tr>";
                    }
                    h += "<tr><th>" + esc(teks.zona) + "</th><td>" +
                        (p.kelas_banjir ? esc(p.kelas_banjir) : esc(teks.luar_zona)) + "</td></tr>";
                    h += "<tr><th>" + esc(teks.status) + "</th><td>" +
                        esc(statusTeks[p.status] || p.status) + "</td></tr>";
                    h += "<tr><th>" + esc(teks.laporan) + "</th><td>" + esc(p.laporan || teks.belum_ada) +
                        (p.usang ? " <b class='usang'>(" + esc(teks.usang) + ")</b>" : "") + "</td></tr>";
                    h += "</table>";
                    var div = L.DomUtil.create("div");
                    if (p.stok !== undefined || !stokUrl) {
                        div.innerHTML = h + tabelStok(p.stok);
                        return div;
                    }
                    div.innerHTML = h + "<i>" + esc(teks.memuat) + "&hellip;</i>";
                    fetch(stokUrl.replace("{id}", encodeURIComponent(p.id)))
                        .then(function (r) {
                            if (!r.ok) { throw new Error("HTTP " + r.status); }
                            return r.json();
                        })
                        .then(function (stok) {
                            p.stok = stok;
                            div.innerHTML = h + tabelStok(stok);
                            layer.getPopup().update();
                        })
                        .catch(function (e) {
                            div.innerHTML = h + "<i>stok tidak dapat dimuat</i>";
                            console.error("stok gagal dimuat:", e);
                        });
                    return div;
                };
                var tambah = function (fc) {
                    var items = [];
                    L.geoJSON(fc, {
                        pointToLayer: function (f, latlng) {
                            {%- if this.kelompok %}
                            return L.circleMarker(latlng, gaya(f.properties));
                            {%- else %}
                            return L.circleMarker(latlng,
                                Object.assign(gaya(f.properties), {renderer: kanvas}));
                            {%- endif %}
                        },
                        onEachFeature: function (f, layer) {
                            layer.bindTooltip(esc(f.properties.nama));
                            layer.bindPopup(popup, {maxWidth: 320});
                        }
                    }).eachLayer(function (l) { items.push(l); });
                    jumlah = items.length;
                    {%- if this.kelompok %}
                    // Chunked loading (and its progress callback) runs only on a map.
                    var diPeta = {{ this._parent.get_name() }}.hasLayer(cluster);
                    cluster.addLayers(items);
                    if (!diPeta || !items.length) { selesai(); }
                    {%- else %}
                    items.forEach(function (l) { cluster.addLayer(l); });
                    selesai();
                    {%- endif %}
                };
                window.klasterLapisan = window.klasterLapisan || {};
                window.klasterLapisan.lokasi = cluster;
                {%- if this.url %}
                fetch({{ this.url|tojson }})
                    .then(function (r) {
                        if (!r.ok) { throw new Error("HTTP " + r.status); }
                        return r.json();
                    })
                    .then(tambah)
                    .catch(function (e) { console.error("lokasi gagal dimuat:", e); });
                {%- else %}
                tambah({{ this.data_js }});
                {%- endif %}
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        aset: Aset,
        *,
        data: dict[str, Any] | None = None,
        url: str | None = None,
        stok_url: str | None = None,
        name: str | None = None,
        radius: int = 7,
        kelompok: bool = True,
    ) -> None:
        if (data is None) == (url is None):
            raise ValueError("LapisanLokasi: give exactly one of data or url")
        super().__init__(name=name or _("Lokasi anggota"), overlay=True, control=True, show=True)
        self.lokal = lokal_js()
        self._name = "LapisanLokasi"
        self.kelompok = kelompok  # False: plain symbols, no cluster bubbles (print)
        self.default_js = list(aset.cluster_js) if kelompok else []
        self.default_css = list(aset.cluster_css) if kelompok else []
        self.data = data
        self.data_js = js_data(data) if data is not None else "null"
        self.url = url
        self.stok_url = stok_url
        self.status = {k: _(v) for k, v in STATUS_STOK.items()}
        self.teks = {
            "tanpa_stok": _("Tidak ada stok siap."),
            "stok_siap": _("Stok siap"),
            "jarak": _("Jarak"),
            "zona": _("Zona banjir"),
            "luar_zona": _("di luar zona"),
            "status": _("Status stok"),
            "laporan": _("Laporan terakhir"),
            "belum_ada": _("belum ada"),
            "usang": _("usang"),
            "memuat": _("memuat stok"),
        }
        self.radius = radius
        self.sektor = {k: [_(v[0]), v[1]] for k, v in SEKTOR.items()}
        self.lain = [_(SEKTOR_LAIN[0]), SEKTOR_LAIN[1]]
        self.warna_banjir = WARNA_LOKASI_BANJIR
        # Clusters break up before the last zoom levels, so every site can be clicked.
        self.options = {
            "max_cluster_radius": 45,
            "disable_clustering_at_zoom": 15,
            "spiderfy_on_max_zoom": True,
            "show_coverage_on_hover": False,
            "chunked_loading": True,
            "chunk_interval": 100,
        }


def kolom_anggota(anggota: pd.DataFrame | None, kolom: str) -> dict[str, str]:
    """Member id → ``kolom`` (``nama``, ``sektor``); empty without members."""
    if anggota is None or anggota.empty:
        return {}
    return dict(zip(anggota["id"].astype(str), anggota[kolom].astype(str)))


def _tanggal(ts: Any) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def stok_per_lokasi(
    result: AnalysisResult, nama_barang: Mapping[str, str] | None = None
) -> dict[str, list[list[Any]]]:
    """Committable stock per site: ``{lokasi_id: [[barang, komit, satuan], ...]}`` (komit > 0).

    ``barang`` is the item's name from ``nama_barang`` (code → name) where given, else its code.
    """
    names = nama_barang or {}
    stok = result.stok
    if stok.empty:
        return {}
    s = stok[stok["komit"] > 0].sort_values(["lokasi_id", "barang"])
    out: dict[str, list[list[Any]]] = {}
    for lid, b, k, u in zip(s["lokasi_id"], s["barang"], s["komit"], s["satuan"]):
        out.setdefault(str(lid), []).append([names.get(b, str(b)), round(float(k), 1), str(u)])
    return out


def lokasi_geojson(
    result: AnalysisResult,
    anggota: pd.DataFrame | None,
    *,
    jarak: Mapping[str, float] | None = None,
    dengan_stok: bool = True,
    nama_barang: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Sites for the map: a FeatureCollection of points (EPSG:4326) with plain properties.

    Properties: ``id, nama, anggota`` (member name), ``sektor, kelas_banjir`` (None when
    dry), ``status`` (stock status code, :data:`STATUS_STOK`), ``laporan`` (date of the
    member's last report), ``usang`` (stale); with ``dengan_stok``, ``stok`` (committable
    stock, see :func:`stok_per_lokasi`); when ``jarak`` maps site ids to metres, ``jarak_m``
    (only those sites are kept, nearest first). No personal data.
    """
    lok = result.lokasi
    if jarak is not None:
        lok = lok[lok["lokasi_id"].isin(list(jarak))]
        lok = lok.assign(_j=lok["lokasi_id"].map(jarak)).sort_values("_j")
    names = kolom_anggota(anggota, "nama")
    sectors = kolom_anggota(anggota, "sektor")
    ids = lok["lokasi_id"].astype(str).tolist()
    members = lok["anggota_id"].astype(str).tolist()
    props: dict[str, list[Any]] = {
        "id": ids,
        "nama": lok["nama"].astype(str).tolist(),
        "anggota": [names.get(a, a) for a in members],
        "sektor": [sectors.get(a) for a in members],
        "kelas_banjir": [k if isinstance(k, str) and k else None for k in lok["kelas_banjir"]],
        "status": [str(s) for s in lok["status_stok"]],
        "laporan": [_tanggal(t) for t in lok["laporan_terakhir"]],
        "usang": [bool(u) for u in lok["usang"]],
    }
    if dengan_stok:
        stok = stok_per_lokasi(result, nama_barang)
        props["stok"] = [stok.get(i, []) for i in ids]
    if jarak is not None:
        props["jarak_m"] = [round(float(jarak[i]), 1) for i in ids]
    return koleksi_fitur(lok, props)
