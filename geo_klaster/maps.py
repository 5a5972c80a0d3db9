"""Folium maps from analysis results, for pages that work without internet.

Every map is built from an :class:`~geo_klaster.analysis.AnalysisResult` (and, for names, the
input layers the caller already holds): this module loads no data and knows nothing about the
web framework. The caller embeds a map in its own page with :func:`bagian_html` (header, body
and script of the folium figure), not in an iframe.

Offline rules (DESIGN.md, *The service*)
-----------------------------------------
* Each map and each cluster layer carries its **own** asset list built from :class:`Aset`
  (URLs of Leaflet and Leaflet.markercluster served by the application). folium's class-level
  ``default_js``/``default_css`` lists (CDN links to Leaflet, jQuery, Bootstrap, Font Awesome)
  are never used nor mutated.
* No folium element that needs jQuery or icon fonts: sites are ``L.circleMarker`` inside an
  ``L.markerClusterGroup``; popups and tooltips are bound in plain Leaflet.
* No base tiles by default (``tiles=None``, so the map has an explicit ``maxZoom``): the map
  reads with boundaries, zones and sites alone. OpenStreetMap tiles are an optional overlay,
  off when the page opens.

Coordinates: GeoJSON is ``[lon, lat]`` (RFC 7946); folium and Leaflet locations and bounds
are ``[lat, lon]``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.map import Layer
from folium.template import Template
from markupsafe import Markup, escape

from geo_klaster.analysis import AnalysisResult
from geo_klaster.geojson import to_feature_collection

# -- vocabulary shown on the maps (Bahasa Indonesia) -----------------------------------------

SEKTOR: dict[str, tuple[str, str]] = {
    "pemerintah_daerah": ("Pemerintah daerah", "#1b9e77"),
    "swasta": ("Swasta", "#7570b3"),
    "komunitas": ("Komunitas", "#e6ab02"),
    "instansi_pusat": ("Instansi pusat", "#a6761d"),
}
SEKTOR_LAIN = ("Lainnya", "#666666")
KELAS_BANJIR: dict[str, tuple[str, str]] = {
    "rendah": ("Rendah", "#c6dbef"),
    "sedang": ("Sedang", "#6baed6"),
    "tinggi": ("Tinggi", "#2171b5"),
}
WARNA_LOKASI_BANJIR = "#d7301f"
STATUS_STOK = {
    "tersedia": "tersedia",
    "berisiko": "berisiko (lokasi tergenang)",
    "tidak_tersedia": "tidak tersedia (lokasi tergenang berat)",
}
RAMP_RISIKO = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
RAMP_GAP = ["#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"]
WARNA_NOL = "#f7f7f7"
WARNA_TIDAK_DIKETAHUI = "#bdbdbd"
WARNA_TERCUKUPI = "#a1d99b"
WARNA_KATEGORI = {"logistik": "#08519c", "peralatan": "#006d2c", "campuran": "#54278f"}
WARNA_TERPILIH = "#000000"

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTR = "&copy; kontributor OpenStreetMap"
MAX_ZOOM = 18
PRESISI = 5  # decimals of displayed coordinates (about 1 m)
NOL = 1e-6  # quantities at or below this count as zero (rounding of the allocation)


# -- assets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aset:
    """URLs of the JavaScript and CSS a map needs, as served by the application.

    ``peta_*`` go with every map (Leaflet), ``cluster_*`` with each cluster layer
    (Leaflet.markercluster). Each is a tuple of ``(name, url)`` pairs, folium's format.
    """

    peta_js: tuple[tuple[str, str], ...]
    peta_css: tuple[tuple[str, str], ...]
    cluster_js: tuple[tuple[str, str], ...]
    cluster_css: tuple[tuple[str, str], ...]


def aset_lokal(prefix: str = "/vendor") -> Aset:
    """Assets served under ``prefix`` (the web app serves the xstatic packages there)."""
    p = prefix.rstrip("/")
    return Aset(
        peta_js=(("leaflet", f"{p}/leaflet/leaflet.js"),),
        peta_css=(("leaflet_css", f"{p}/leaflet/leaflet.css"),),
        cluster_js=(("markerclusterjs", f"{p}/markercluster/leaflet.markercluster.js"),),
        cluster_css=(
            ("markerclustercss", f"{p}/markercluster/MarkerCluster.css"),
            ("markerclusterdefaultcss", f"{p}/markercluster/MarkerCluster.Default.css"),
        ),
    )


def js_data(data: Any) -> str:
    """Compact JSON for inlining in a ``<script>``: ``<``, ``>``, ``&`` escaped as ``\\u00XX``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# -- folium elements without CDN assets or jQuery -------------------------------------------


class PetaLuring(folium.Map):
    """A ``folium.Map`` with its own asset list, no tiles and no page-wide styles.

    folium's Map header sets ``html, body {height: 100%; margin: 0}`` and ``#map``
    positioning for a stand-alone page; this template keeps only the map's own size, so the
    map can sit inside a page's layout.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} {
                    position: {{this.position}};
                    width: {{this.width[0]}}{{this.width[1]}};
                    height: {{this.height[0]}}{{this.height[1]}};
                }
                .leaflet-container { font-size: {{this.font_size}}; }
            </style>
            <script>
                L_NO_TOUCH = {{ this.global_switches.no_touch |tojson}};
                L_DISABLE_3D = {{ this.global_switches.disable_3d|tojson }};
            </script>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }} role="region"
                 aria-label="Peta"></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{this.options|tojavascript}}
                }
            );
            window.klasterPeta = {{ this.get_name() }};
            {%- if this.control_scale %}
            L.control.scale({imperial: false}).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, aset: Aset, *, location: Sequence[float], zoom_start: int = 10) -> None:
        super().__init__(
            location=location,
            zoom_start=zoom_start,
            tiles=None,
            width="100%",
            height="100%",
            control_scale=True,
            font_size="0.9rem",
        )
        # Own lists per instance: the class-level ones point at CDNs and are shared.
        self.default_js = list(aset.peta_js)
        self.default_css = list(aset.peta_css)
        # Without a tile layer Leaflet has no maxZoom, which MarkerCluster needs.
        self.options["max_zoom"] = MAX_ZOOM
        self.options["min_zoom"] = 6
        self.options["zoom_snap"] = 0.25  # fit the regency snugly, not at the next whole zoom
        self.options["zoom_delta"] = 0.5
        GayaPeta().add_to(self)


class LapisanGeoJson(Layer):
    """A GeoJSON layer styled per feature, with escaped tooltips and popups.

    Each feature's ``_gaya`` property is its Leaflet path style; ``_tip`` and ``_popup`` hold
    HTML already escaped by :func:`_html`. ``jenis`` names the layer for the page's scripts
    (``window.klasterLapisan[jenis]``, used by the browser tests).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
                style: function (f) { return f.properties._gaya; },
                onEachFeature: function (f, layer) {
                    if (f.properties._tip) {
                        layer.bindTooltip(f.properties._tip, {sticky: true});
                    }
                    if (f.properties._popup) {
                        layer.bindPopup(f.properties._popup, {maxWidth: 360});
                    }
                }
            });
            window.klasterLapisan = window.klasterLapisan || {};
            window.klasterLapisan[{{ this.jenis|tojson }}] = {{ this.get_name() }};
            {%- if this.fit %}
            {{ this._parent.get_name() }}.fitBounds({{ this.get_name() }}.getBounds(),
                {padding: [8, 8], animate: false});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        name: str,
        jenis: str,
        show: bool = True,
        fit: bool = False,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LapisanGeoJson"
        self.data = data
        self.data_js = js_data(data)
        self.jenis = jenis
        self.fit = fit


class LapisanLokasi(Layer):
    """Sites as circle markers in a marker cluster, from inline GeoJSON or from a URL.

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
                var stokUrl = {{ this.stok_url|tojson }};
                var jumlah = 0;
                var selesai = function () {
                    window.klasterLokasiSiap = jumlah;
                    document.dispatchEvent(new CustomEvent("klaster:lokasi",
                        {detail: {jumlah: jumlah}}));
                };
                var cluster = L.markerClusterGroup(Object.assign(
                    {{ this.options|tojavascript }},
                    {
                        iconCreateFunction: function (c) {
                            var n = c.getChildCount();
                            var size = n < 10 ? 30 : (n < 100 ? 36 : 42);
                            return L.divIcon({
                                html: "<div><span>" + n + "</span></div>",
                                className: "marker-cluster klaster-kelompok",
                                iconSize: L.point(size, size)
                            });
                        },
                        chunkProgress: function (done, total) {
                            // Called before the cluster's last synchronous step: report after it.
                            if (done === total) { setTimeout(selesai, 0); }
                        }
                    }));
                {{ this.get_name() }} = cluster;
                var esc = function (v) {
                    return String(v === null || v === undefined ? "" : v)
                        .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
                        .replace(/"/g, "&quot;");
                };
                var angka = function (v) {
                    return Number(v).toLocaleString("id-ID", {maximumFractionDigits: 1});
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
                    if (!stok || !stok.length) { return "<i>Tidak ada stok siap.</i>"; }
                    var h = "<b>Stok siap</b><table class='pp'>";
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
                        h += "<tr><th>Jarak</th><td>" + angka(p.jarak_m / 1000) + " km</td></tr>";
                    }
                    h += "<tr><th>Zona banjir</th><td>" +
                        (p.kelas_banjir ? esc(p.kelas_banjir) : "di luar zona") + "</td></tr>";
                    h += "<tr><th>Status stok</th><td>" +
                        esc(statusTeks[p.status] || p.status) + "</td></tr>";
                    h += "<tr><th>Laporan terakhir</th><td>" + esc(p.laporan || "belum ada") +
                        (p.usang ? " <b class='usang'>(usang)</b>" : "") + "</td></tr>";
                    h += "</table>";
                    var div = L.DomUtil.create("div");
                    if (p.stok !== undefined || !stokUrl) {
                        div.innerHTML = h + tabelStok(p.stok);
                        return div;
                    }
                    div.innerHTML = h + "<i>memuat stok&hellip;</i>";
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
                            return L.circleMarker(latlng, gaya(f.properties));
                        },
                        onEachFeature: function (f, layer) {
                            layer.bindTooltip(esc(f.properties.nama));
                            layer.bindPopup(popup, {maxWidth: 320});
                        }
                    }).eachLayer(function (l) { items.push(l); });
                    jumlah = items.length;
                    // Chunked loading (and its progress callback) runs only on a map.
                    var diPeta = {{ this._parent.get_name() }}.hasLayer(cluster);
                    cluster.addLayers(items);
                    if (!diPeta || !items.length) { selesai(); }
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
        name: str = "Lokasi anggota",
        radius: int = 7,
    ) -> None:
        if (data is None) == (url is None):
            raise ValueError("LapisanLokasi: give exactly one of data or url")
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "LapisanLokasi"
        self.default_js = list(aset.cluster_js)
        self.default_css = list(aset.cluster_css)
        self.data = data
        self.data_js = js_data(data) if data is not None else "null"
        self.url = url
        self.stok_url = stok_url
        self.status = STATUS_STOK
        self.radius = radius
        self.sektor = {k: list(v) for k, v in SEKTOR.items()}
        self.lain = list(SEKTOR_LAIN)
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

    def render(self, **kwargs: Any) -> None:
        # JSCSSMixin's rendering, on this instance's own lists (folium's MarkerCluster keeps
        # CDN links at class level; this layer does not inherit them).
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(folium.JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(folium.CssLink(url), name=name)
        super().render(**kwargs)


class GayaPeta(folium.MacroElement):
    """The map's own styles (legend, popups, site clusters), so a map is complete alone."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .legenda { background: rgba(255,255,255,0.94); padding: 6px 8px; border-radius: 4px;
          box-shadow: 0 1px 4px rgba(0,0,0,0.35); font-size: 12px; line-height: 1.35;
          max-height: 60vh; overflow: auto; min-width: 170px; color: #222; }
        .legenda hr { border: 0; border-top: 1px solid #ddd; margin: 5px 0; }
        .lg-judul { font-weight: 700; margin-bottom: 2px; }
        .lg-catatan { color: #555; font-style: italic; margin-top: 2px; max-width: 200px; }
        .lg-baris { display: flex; align-items: center; gap: 6px; }
        .lg-kotak { width: 18px; height: 11px; border: 1px solid #555; display: inline-block;
          flex: none; }
        .lg-bulat { width: 10px; height: 10px; border-radius: 50%; border: 2px solid #fff;
          box-shadow: 0 0 0 1px #999; display: inline-block; flex: none; }
        .lg-bulat.putus { border-style: dashed; }
        .lg-garis { width: 18px; height: 0; border-top: 4px solid #555; display: inline-block;
          flex: none; background: none !important; }
        .lg-garis.putus { border-top-style: dashed; border-top-width: 2px; }
        table.pp { border-collapse: collapse; margin: 2px 0; font-size: 12px; }
        table.pp th { text-align: left; font-weight: 600; padding: 0 8px 0 0; color: #444; }
        table.pp td { padding: 0 4px 0 0; }
        table.pp td.n { text-align: right; white-space: nowrap; }
        .klaster-kelompok { background: rgba(37, 37, 37, 0.25); }
        .klaster-kelompok div { background: rgba(37, 37, 37, 0.85); color: #fff;
          font-weight: 700; }
        .leaflet-container { background: #eef2f5; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "GayaPeta"


class Legenda(folium.MacroElement):
    """A legend as a Leaflet control (it lives inside the map, so it prints with it)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var legenda = L.control({position: {{ this.posisi|tojson }}});
                legenda.onAdd = function () {
                    var div = L.DomUtil.create("div", "legenda");
                    div.innerHTML = {{ this.html|tojson }};
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                legenda.addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, posisi: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legenda"
        self.html = str(html)
        self.posisi = posisi


# -- formatting ------------------------------------------------------------------------------


def angka(x: float | None, desimal: int = 0) -> str:
    """A number in Indonesian notation (``12.345,6``); ``–`` for missing values."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or pd.isna(x):
        return "–"
    text = f"{float(x):,.{desimal}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _html(template: str, **values: Any) -> str:
    """``template`` with every value escaped (the template itself is trusted)."""
    return str(Markup(template).format(**{k: escape(v) for k, v in values.items()}))


def _baris(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(_html("<tr><th>{k}</th><td>{v}</td></tr>", k=k, v=v) for k, v in pairs)


def _kotak(
    warna: str, label: str, *, garis: str = "#555", bentuk: str = "kotak", putus: bool = False
) -> str:
    cls = "lg-bulat" if bentuk == "bulat" else ("lg-garis" if bentuk == "garis" else "lg-kotak")
    cls += " putus" if putus else ""
    return _html(
        '<div class="lg-baris"><span class="{cls}" style="background:{w};border-color:{g}">'
        "</span>{label}</div>",
        cls=cls,
        w=warna,
        g=garis,
        label=label,
    )


def _legenda(judul: str, baris: Iterable[str], catatan: str | None = None) -> str:
    out = _html("<div class='lg-judul'>{j}</div>", j=judul) + "".join(baris)
    if catatan:
        out += _html("<div class='lg-catatan'>{c}</div>", c=catatan)
    return out


def kelas_nilai(values: pd.Series, n: int = 5) -> list[float]:
    """Upper bounds of up to ``n`` classes of the positive ``values`` (quantiles, rounded).

    Returns rising, distinct bounds; the last is the maximum. Empty when nothing is positive.
    """
    pos = values[(values > NOL) & np.isfinite(values)]
    if pos.empty:
        return []
    qs = np.quantile(pos.to_numpy(dtype=float), np.linspace(0, 1, n + 1)[1:])
    bounds: list[float] = []
    for q in qs[:-1]:
        r = float(f"{q:.2g}")  # two significant figures
        if r > 0 and (not bounds or r > bounds[-1]):
            bounds.append(r)
    top = float(pos.max())
    if not bounds or top > bounds[-1]:
        bounds.append(top)
    return bounds


def _warna_kelas(v: float, bounds: Sequence[float], ramp: Sequence[str]) -> str:
    ramp = list(ramp)[-len(bounds) :] if len(bounds) < len(ramp) else list(ramp)
    for bound, colour in zip(bounds, ramp):
        if v <= bound:
            return colour
    return ramp[-1]


def _label_kelas(bounds: Sequence[float], ramp: Sequence[str], satuan: str) -> list[str]:
    ramp = list(ramp)[-len(bounds) :] if len(bounds) < len(ramp) else list(ramp)
    rows, low = [], 0.0
    desimal = 1 if bounds and bounds[0] < 10 else 0
    for bound, colour in zip(bounds, ramp):
        teks = f"> {angka(low, desimal)} – {angka(bound, desimal)} {satuan}".strip()
        rows.append(_kotak(colour, teks))
        low = bound
    return rows


# -- data as display GeoJSON -----------------------------------------------------------------


def _fc(gdf: gpd.GeoDataFrame, props: dict[str, list[Any]]) -> dict[str, Any]:
    """A FeatureCollection of ``gdf``'s geometries with the given property columns."""
    frame = gpd.GeoDataFrame(
        {k: pd.Series(v, index=gdf.index, dtype=object) for k, v in props.items()},
        geometry=gdf.geometry,
        crs=gdf.crs,
    )
    return to_feature_collection(frame, precision=PRESISI)


def _nama_anggota(anggota: pd.DataFrame | None) -> dict[str, str]:
    if anggota is None or anggota.empty:
        return {}
    return dict(zip(anggota["id"].astype(str), anggota["nama"].astype(str)))


def _sektor_anggota(anggota: pd.DataFrame | None) -> dict[str, str]:
    if anggota is None or anggota.empty:
        return {}
    return dict(zip(anggota["id"].astype(str), anggota["sektor"].astype(str)))


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
    names = _nama_anggota(anggota)
    sectors = _sektor_anggota(anggota)
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
    return _fc(lok, props)


def _gaya_kecamatan(
    fill: str, *, terpilih: bool = False, dash: str | None = None, isi: float = 0.75
) -> dict:
    return {
        "color": WARNA_TERPILIH if terpilih else "#444444",
        "weight": 3.5 if terpilih else 1,
        "fillColor": fill,
        "fillOpacity": isi,
        "dashArray": dash,
    }


def _popup_kecamatan(
    row: Any, extra: Sequence[tuple[str, str]] = (), link: str | None = None
) -> str:
    pairs = [
        ("Kode", str(row.kode)),
        (
            "Penduduk",
            angka(row.penduduk) + " jiwa" if pd.notna(row.penduduk) else "tidak diketahui",
        ),
        ("Porsi tergenang", angka(100 * float(row.porsi_banjir), 1) + " %"),
        (
            "Pengungsi (perkiraan)",
            angka(row.pengungsi) + " jiwa" if pd.notna(row.pengungsi) else "tidak diketahui",
        ),
        ("Berisiko", "ya" if bool(row.berisiko) else "tidak"),
        *extra,
    ]
    out = _html("<b>Kecamatan {n}</b><table class='pp'>", n=row.nama) + _baris(pairs) + "</table>"
    if link:
        out += _html("<a href='{u}'>Buka halaman kecamatan &rarr;</a>", u=link)
    return out


def _lapisan_kecamatan_risiko(
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
            fill, dash = _warna_kelas(float(row.pengungsi), bounds, RAMP_RISIKO), None
        dipilih = row.kode == terpilih
        redup = terpilih is not None and not dipilih
        gaya.append(_gaya_kecamatan(fill, terpilih=dipilih, dash=dash, isi=0.3 if redup else isi))
        peng = angka(row.pengungsi) if pd.notna(row.pengungsi) else "tidak diketahui"
        tips.append(_html("<b>{n}</b> ({k})<br>Pengungsi: {p}", n=row.nama, k=row.kode, p=peng))
        popups.append(_popup_kecamatan(row, link=tautan.format(kode=row.kode) if tautan else None))
    data = _fc(
        kec,
        {
            "kode": kec["kode"].tolist(),
            "nama": kec["nama"].tolist(),
            "_gaya": gaya,
            "_tip": tips,
            "_popup": popups,
        },
    )
    layer = LapisanGeoJson(data, name="Kecamatan (pengungsi)", jenis="kecamatan", fit=fit)
    legend = _legenda(
        "Pengungsi per kecamatan (jiwa)",
        [
            *_label_kelas(bounds, RAMP_RISIKO, ""),
            _kotak(WARNA_NOL, "tidak berisiko / 0"),
            _kotak(WARNA_TIDAK_DIKETAHUI, "penduduk tidak diketahui"),
        ],
    )
    return layer, legend


def _lapisan_zona(
    result: AnalysisResult, *, clip: shapely.Geometry | None = None, show: bool = True
) -> tuple[LapisanGeoJson, str]:
    zona = result.zona
    if clip is not None:
        geoms = shapely.intersection(zona.geometry.to_numpy(), clip)
        zona = gpd.GeoDataFrame(zona.drop(columns="geometry"), geometry=geoms, crs=zona.crs)
        zona = zona[~zona.geometry.is_empty]
    order = {k: i for i, k in enumerate(KELAS_BANJIR)}
    zona = zona.assign(_o=zona["kelas"].map(order)).sort_values("_o")
    gaya, tips = [], []
    for kelas in zona["kelas"].astype(str):
        label, warna = KELAS_BANJIR.get(kelas, (kelas, "#9ecae1"))
        gaya.append({"color": "#08306b", "weight": 0.6, "fillColor": warna, "fillOpacity": 0.6})
        tips.append(_html("Zona banjir kelas <b>{k}</b> ({s})", k=label.lower(), s=result.skenario))
    data = _fc(zona, {"kelas": zona["kelas"].tolist(), "_gaya": gaya, "_tip": tips})
    layer = LapisanGeoJson(data, name="Zona rawan banjir", jenis="zona", show=show)
    legend = _legenda(
        "Zona banjir (kelas bahaya)",
        [_kotak(w, f"{label}") for label, w in KELAS_BANJIR.values()],
    )
    return layer, legend


def _legenda_lokasi() -> str:
    rows = [_kotak(w, label, bentuk="bulat", garis="#fff") for label, w in SEKTOR.values()]
    rows.append(
        _kotak("#ffffff", "lokasi dalam zona banjir", bentuk="bulat", garis=WARNA_LOKASI_BANJIR)
    )
    rows.append(
        _kotak("#dddddd", "laporan usang (garis putus)", bentuk="bulat", garis="#333", putus=True)
    )
    rows.append(_kotak("#444444", "kelompok lokasi (angka: jumlah)", bentuk="bulat", garis="#bbb"))
    return _legenda("Lokasi anggota (sektor)", rows)


def _peta_dasar(m: folium.Map, aset: Aset, *, daring: bool) -> None:
    if daring:
        folium.TileLayer(
            OSM_URL,
            attr=OSM_ATTR,
            name="Peta dasar OpenStreetMap (perlu internet)",
            overlay=True,
            control=True,
            show=False,
            max_zoom=MAX_ZOOM,
        ).add_to(m)


def _peta(aset: Aset, result: AnalysisResult) -> PetaLuring:
    minx, miny, maxx, maxy = result.kecamatan.total_bounds
    return PetaLuring(aset, location=[(miny + maxy) / 2, (minx + maxx) / 2])


def _selesai(m: folium.Map, legends: Sequence[str]) -> folium.Map:
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    Legenda("<hr>".join(legends)).add_to(m)
    return m


# -- the maps --------------------------------------------------------------------------------


def peta_ikhtisar(
    result: AnalysisResult,
    *,
    aset: Aset,
    lokasi: dict[str, Any] | None = None,
    lokasi_url: str | None = None,
    stok_url: str | None = None,
    tautan_kecamatan: str | None = "/kecamatan/{kode}",
    peta_dasar_daring: bool = True,
) -> folium.Map:
    """Overview: kecamatan by displaced people, flood zones by class, sites clustered.

    Parameters
    ----------
    result
        One scenario's analysis.
    aset
        Asset URLs (:func:`aset_lokal`).
    lokasi, lokasi_url
        The sites as :func:`lokasi_geojson` gives them, inline, or the URL the page fetches
        them from (for large layers). One of the two.
    stok_url
        Where a popup fetches a site's stock when the features carry none (``{id}``).
    tautan_kecamatan
        Link of a kecamatan page in popups (``{kode}`` is replaced), or None.
    peta_dasar_daring
        Offer OpenStreetMap tiles as an overlay (off at start).
    """
    m = _peta(aset, result)
    _peta_dasar(m, aset, daring=peta_dasar_daring)
    kec, lg_kec = _lapisan_kecamatan_risiko(result, tautan=tautan_kecamatan)
    kec.add_to(m)
    zona, lg_zona = _lapisan_zona(result)
    zona.add_to(m)
    LapisanLokasi(aset, data=lokasi, url=lokasi_url, stok_url=stok_url).add_to(m)
    return _selesai(m, [lg_kec, lg_zona, _legenda_lokasi()])


def area_jangkauan(result: AnalysisResult, kode: str) -> gpd.GeoDataFrame:
    """The reach area of one kecamatan: its polygon buffered by ``config.jarak_km``.

    Buffered in the analysis' metric CRS and returned in EPSG:4326 (one row).
    """
    kec = result.kecamatan[result.kecamatan["kode"] == kode]
    metric = kec.to_crs(result.crs_metrik)
    buf = metric.geometry.buffer(result.config.jarak_km * 1000.0, quad_segs=12)
    return gpd.GeoDataFrame({"kode": [kode]}, geometry=buf.to_crs(4326).to_numpy(), crs=4326)


def peta_kecamatan(
    result: AnalysisResult,
    kode: str,
    *,
    aset: Aset,
    lokasi: dict[str, Any] | None = None,
    lokasi_url: str | None = None,
    stok_url: str | None = None,
    tautan_kecamatan: str | None = "/kecamatan/{kode}",
    peta_dasar_daring: bool = True,
) -> folium.Map:
    """One kecamatan: its flooded part, the reach radius, and the sites within reach.

    ``lokasi`` is :func:`lokasi_geojson` restricted to the sites within reach (with
    ``jarak_m``), or ``lokasi_url`` where the page fetches them. The other kecamatan stay
    visible, lightly, for orientation.
    """
    kec = result.kecamatan
    row = kec[kec["kode"] == kode]
    if row.empty:
        raise KeyError(kode)
    m = _peta(aset, result)
    _peta_dasar(m, aset, daring=peta_dasar_daring)
    layer, lg_kec = _lapisan_kecamatan_risiko(
        result, tautan=tautan_kecamatan, terpilih=kode, fit=False
    )
    layer.add_to(m)
    area = area_jangkauan(result, kode)
    tip = _html(
        "Jangkauan {d} km dari batas Kecamatan {n}",
        d=angka(result.config.jarak_km, 1),
        n=row.iloc[0]["nama"],
    )
    area_fc = _fc(
        area,
        {
            "_gaya": [{"color": "#252525", "weight": 2, "dashArray": "8 6", "fill": False}],
            "_tip": [tip],
        },
    )
    LapisanGeoJson(
        area_fc,
        name=f"Jangkauan {angka(result.config.jarak_km, 1)} km",
        jenis="jangkauan",
        fit=True,
    ).add_to(m)
    zona, lg_zona = _lapisan_zona(result, clip=row.geometry.iloc[0])
    zona.layer_name = "Bagian yang tergenang"
    zona.add_to(m)
    LapisanLokasi(
        aset, data=lokasi, url=lokasi_url, stok_url=stok_url, name="Lokasi dalam jangkauan"
    ).add_to(m)
    lg_jangkauan = _legenda(
        "Jangkauan",
        [
            _kotak("#ffffff", "kecamatan ini", garis=WARNA_TERPILIH),
            _kotak(
                "transparent",
                f"batas jangkauan {angka(result.config.jarak_km, 1)} km",
                bentuk="garis",
                garis="#252525",
                putus=True,
            ),
        ],
    )
    return _selesai(m, [lg_jangkauan, lg_kec, lg_zona, _legenda_lokasi()])


def peta_gap(
    result: AnalysisResult,
    barang: str,
    *,
    aset: Aset,
    lokasi: dict[str, Any] | None = None,
    lokasi_url: str | None = None,
    stok_url: str | None = None,
    nama_barang: str | None = None,
    tautan_kecamatan: str | None = "/kecamatan/{kode}",
    peta_dasar_daring: bool = True,
) -> folium.Map:
    """Kecamatan coloured by the shortfall (``kekurangan``) of one item, in its unit."""
    kec = result.kecamatan
    gap = result.gap[result.gap["barang"] == barang].set_index("kode")
    satuan = str(gap["satuan"].iloc[0]) if len(gap) else ""
    label = nama_barang or barang
    bounds = kelas_nilai(gap["kekurangan"].dropna())
    gaya, tips, popups = [], [], []
    for row in kec.itertuples(index=False):
        g = gap.loc[row.kode] if row.kode in gap.index else None
        if g is None or (pd.notna(g["kebutuhan"]) and g["kebutuhan"] <= 0):
            fill, dash, teks = WARNA_NOL, None, "tidak ada kebutuhan"
        elif pd.isna(g["kebutuhan"]):
            fill, dash, teks = WARNA_TIDAK_DIKETAHUI, "4 3", "kebutuhan tidak diketahui"
        elif g["kekurangan"] <= NOL:
            fill, dash, teks = WARNA_TERCUKUPI, None, "tercukupi"
        else:
            fill, dash = _warna_kelas(float(g["kekurangan"]), bounds, RAMP_GAP), None
            teks = f"kurang {angka(g['kekurangan'], 1)} {satuan}"
        gaya.append(_gaya_kecamatan(fill, dash=dash))
        tips.append(_html("<b>{n}</b><br>{b}: {t}", n=row.nama, b=label, t=teks))
        extra: list[tuple[str, str]] = []
        if g is not None:
            extra = [
                (f"Kebutuhan {label}", f"{angka(g['kebutuhan'], 1)} {satuan}"),
                ("Terjangkau", f"{angka(g['terjangkau'], 1)} {satuan}"),
                ("Teralokasi", f"{angka(g['teralokasi'], 1)} {satuan}"),
                ("Kekurangan", f"{angka(g['kekurangan'], 1)} {satuan}"),
            ]
        popups.append(
            _popup_kecamatan(
                row,
                extra,
                link=tautan_kecamatan.format(kode=row.kode) if tautan_kecamatan else None,
            )
        )
    data = _fc(
        kec,
        {
            "kode": kec["kode"].tolist(),
            "nama": kec["nama"].tolist(),
            "_gaya": gaya,
            "_tip": tips,
            "_popup": popups,
        },
    )
    m = _peta(aset, result)
    _peta_dasar(m, aset, daring=peta_dasar_daring)
    LapisanGeoJson(data, name=f"Kekurangan {label}", jenis="kecamatan", fit=True).add_to(m)
    zona, lg_zona = _lapisan_zona(result, show=False)
    zona.add_to(m)
    LapisanLokasi(aset, data=lokasi, url=lokasi_url, stok_url=stok_url).add_to(m)
    lg_gap = _legenda(
        f"Kekurangan {label} ({satuan})",
        [
            *_label_kelas(bounds, RAMP_GAP, ""),
            _kotak(WARNA_TERCUKUPI, "tercukupi"),
            _kotak(WARNA_NOL, "tidak ada kebutuhan"),
            _kotak(WARNA_TIDAK_DIKETAHUI, "penduduk tidak diketahui"),
        ],
        f"Skenario {result.skenario}, {result.hari} hari.",
    )
    return _selesai(m, [lg_gap, lg_zona, _legenda_lokasi()])


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


def peta_alokasi(
    result: AnalysisResult,
    *,
    aset: Aset,
    lokasi: dict[str, Any] | None = None,
    lokasi_url: str | None = None,
    stok_url: str | None = None,
    barang: str | None = None,
    kategori: Mapping[str, str] | None = None,
    anggota: pd.DataFrame | None = None,
    tautan_kecamatan: str | None = "/kecamatan/{kode}",
    peta_dasar_daring: bool = True,
) -> folium.Map:
    """The allocation as lines from sites to kecamatan, thicker for more."""
    m = _peta(aset, result)
    _peta_dasar(m, aset, daring=peta_dasar_daring)
    kec, lg_kec = _lapisan_kecamatan_risiko(result, tautan=tautan_kecamatan, isi=0.35)
    kec.add_to(m)
    lines = garis_alokasi(result, barang=barang, kategori=kategori, anggota=anggota)
    names = _nama_anggota(anggota)
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
            _html(
                "<b>{s}</b> ({a})<br>&rarr; Kec. {k}, {d} km<br>{i}",
                s=site_names.get(r.lokasi_id, r.lokasi_id),
                a=names.get(r.anggota_id, r.anggota_id),
                k=kec_names.get(r.kode, r.kode),
                d=angka(r.jarak_m / 1000.0, 1),
                i=r.isi,
            )
        )
    data = _fc(
        lines,
        {
            "lokasi_id": lines["lokasi_id"].tolist(),
            "kode": lines["kode"].tolist(),
            "_gaya": gaya,
            "_tip": tips,
            "_popup": tips,
        },
    )
    LapisanGeoJson(data, name="Alokasi (garis)", jenis="alokasi", fit=True).add_to(m)
    LapisanLokasi(aset, data=lokasi, url=lokasi_url, stok_url=stok_url).add_to(m)
    ukuran = "jumlah barang" if barang else "porsi kebutuhan kecamatan yang dipenuhi"
    lg_alok = _legenda(
        "Alokasi lokasi → kecamatan",
        [
            _kotak("", "logistik", bentuk="garis", garis=WARNA_KATEGORI["logistik"]),
            _kotak("", "peralatan", bentuk="garis", garis=WARNA_KATEGORI["peralatan"]),
            _kotak("", "logistik dan peralatan", bentuk="garis", garis=WARNA_KATEGORI["campuran"]),
        ],
        f"Tebal garis: {ukuran}.",
    )
    return _selesai(m, [lg_alok, lg_kec, _legenda_lokasi()])


def peta_anggota(
    result: AnalysisResult,
    *,
    aset: Aset,
    lokasi: dict[str, Any] | None = None,
    lokasi_url: str | None = None,
    stok_url: str | None = None,
    tautan_kecamatan: str | None = "/kecamatan/{kode}",
    peta_dasar_daring: bool = True,
) -> folium.Map:
    """Members' sites by sector over the kecamatan boundaries."""
    kec = result.kecamatan
    gaya = [_gaya_kecamatan("#ffffff") | {"fillOpacity": 0.4} for _ in range(len(kec))]
    tips = [_html("<b>{n}</b> ({k})", n=n, k=k) for n, k in zip(kec["nama"], kec["kode"])]
    popups = [
        _popup_kecamatan(r, link=tautan_kecamatan.format(kode=r.kode) if tautan_kecamatan else None)
        for r in kec.itertuples(index=False)
    ]
    data = _fc(
        kec,
        {
            "kode": kec["kode"].tolist(),
            "nama": kec["nama"].tolist(),
            "_gaya": gaya,
            "_tip": tips,
            "_popup": popups,
        },
    )
    m = _peta(aset, result)
    _peta_dasar(m, aset, daring=peta_dasar_daring)
    LapisanGeoJson(data, name="Batas kecamatan", jenis="kecamatan", fit=True).add_to(m)
    zona, lg_zona = _lapisan_zona(result, show=False)
    zona.add_to(m)
    LapisanLokasi(aset, data=lokasi, url=lokasi_url, stok_url=stok_url).add_to(m)
    return _selesai(m, [_legenda_lokasi(), lg_zona])


# -- embedding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BagianPeta:
    """A rendered map in three parts, for a page template.

    ``header`` (asset links and the map's style) goes in ``<head>``, ``html`` (the map's
    ``div``) where the map should appear, ``script`` (without ``<script>`` tags) at the end
    of ``<body>``.
    """

    header: str
    html: str
    script: str


def bagian_html(m: folium.Map) -> BagianPeta:
    """Render ``m``'s figure into :class:`BagianPeta` (not an iframe, not a whole document)."""
    fig = m.get_root()
    fig.render()  # renders the children: fills the figure's header, html and script
    header = fig.header.render()
    # folium adds a meta charset line; the page has its own.
    header = header.replace(
        '<meta http-equiv="content-type" content="text/html; charset=UTF-8" />', ""
    )
    return BagianPeta(header=header, html=fig.html.render(), script=fig.script.render())
