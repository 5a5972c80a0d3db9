"""The folium elements every map is made of, without CDN assets or jQuery.

:class:`PetaLuring` (the map, no tiles, its own assets), :class:`GayaPeta` (the map's own
styles) and :class:`LapisanGeoJson` (a GeoJSON layer styled per feature); the data they
carry is made with :func:`koleksi_fitur` and inlined with :func:`js_data`.

Coordinates: GeoJSON is ``[lon, lat]`` (RFC 7946); folium and Leaflet locations and bounds
are ``[lat, lon]``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from folium.map import Layer
from folium.template import Template

from geo_klaster.i18n import _
from geo_klaster.maps.assets import Aset
from geo_klaster.maps.vocab import MAX_ZOOM, OSM_ATTR, OSM_URL, PRESISI, SEKTOR
from geo_klaster.results.geojson import to_feature_collection


def js_data(data: Any) -> str:
    """Compact JSON for inlining in a ``<script>``: ``<``, ``>``, ``&`` escaped as ``\\u00XX``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def koleksi_fitur(gdf: gpd.GeoDataFrame, props: dict[str, list[Any]]) -> dict[str, Any]:
    """A FeatureCollection of ``gdf``'s geometries with the given property columns."""
    frame = gpd.GeoDataFrame(
        {k: pd.Series(v, index=gdf.index, dtype=object) for k, v in props.items()},
        geometry=gdf.geometry,
        crs=gdf.crs,
    )
    return to_feature_collection(frame, precision=PRESISI)


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
                 aria-label="{{ this.label }}"></div>
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
        self.label = _("Peta")
        GayaPeta().add_to(self)


def peta_kosong(aset: Aset, bounds: Sequence[float], *, peta_dasar_daring: bool) -> PetaLuring:
    """An offline map centred on ``bounds`` (minx, miny, maxx, maxy in EPSG:4326), with the
    OpenStreetMap base map as an optional overlay, off at start, when ``peta_dasar_daring``."""
    minx, miny, maxx, maxy = bounds
    m = PetaLuring(aset, location=[(miny + maxy) / 2, (minx + maxx) / 2])
    if peta_dasar_daring:
        folium.TileLayer(
            OSM_URL,
            attr=OSM_ATTR,
            name=_("Peta dasar OpenStreetMap (perlu internet)"),
            overlay=True,
            control=True,
            show=False,
            max_zoom=MAX_ZOOM,
        ).add_to(m)
    return m


class LapisanGeoJson(Layer):
    """A GeoJSON layer styled per feature, with escaped tooltips and popups.

    Each feature's ``_gaya`` property is its Leaflet path style; ``_tip`` and ``_popup`` hold
    HTML already escaped by
    :func:`~geo_klaster.maps.vocab.html_aman`. ``jenis`` names the layer for the page's scripts
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
            {%- if this.pola %}
            // Hatch patterns (SVG <pattern>) in the renderer's <defs>, made once per page.
            {{ this.get_name() }}.on("add", function () {
                var map = {{ this._parent.get_name() }};
                var svg = map.getRenderer({{ this.get_name() }})._container;
                if (!svg || svg.querySelector("defs.klaster-pola")) { return; }
                var ns = "http://www.w3.org/2000/svg";
                var defs = document.createElementNS(ns, "defs");
                defs.setAttribute("class", "klaster-pola");
                {{ this.pola|tojson }}.forEach(function (p) {
                    var pat = document.createElementNS(ns, "pattern");
                    pat.setAttribute("id", p.id);
                    pat.setAttribute("patternUnits", "userSpaceOnUse");
                    pat.setAttribute("width", p.jarak);
                    pat.setAttribute("height", p.jarak);
                    pat.setAttribute("patternTransform", "rotate(45)");
                    var ln = document.createElementNS(ns, "line");
                    ln.setAttribute("x1", 0); ln.setAttribute("y1", 0);
                    ln.setAttribute("x2", 0); ln.setAttribute("y2", p.jarak);
                    ln.setAttribute("stroke", p.warna);
                    ln.setAttribute("stroke-width", p.tebal);
                    pat.appendChild(ln);
                    defs.appendChild(pat);
                });
                svg.insertBefore(defs, svg.firstChild);
            });
            {%- endif %}
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
        pola: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LapisanGeoJson"
        self.pola = pola or []  # hatch patterns: {id, warna, tebal, jarak} (pixels)
        self.data = data
        self.data_js = js_data(data)
        self.jenis = jenis
        self.fit = fit


class GayaPeta(folium.MacroElement):
    """The map's own styles (legend, popups, site clusters), so a map is complete alone."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .legenda { background: rgba(255,255,255,0.94); padding: 6px 8px; border-radius: 4px;
          box-shadow: 0 1px 4px rgba(0,0,0,0.35); font-size: 12px; line-height: 1.35;
          max-height: 60vh; overflow: auto; min-width: 170px; color: #222; }
        .legenda summary { cursor: pointer; font-weight: 700; }
        .legenda details[open] summary { margin-bottom: 3px; }
        .legenda hr { border: 0; border-top: 1px solid #ddd; margin: 5px 0; }
        .lg-judul { font-weight: 700; margin-bottom: 2px; }
        .lg-catatan { color: #555; font-style: italic; margin-top: 2px; max-width: 200px; }
        .lg-baris { display: flex; align-items: center; gap: 6px; }
        .lg-kotak { width: 18px; height: 11px; border: 1px solid #555; display: inline-block;
          flex: none; }
        .lg-bulat { width: 10px; height: 10px; border-radius: 50%; border: 2px solid #fff;
          box-shadow: 0 0 0 1px #999; display: inline-block; flex: none; }
        .lg-bulat.putus { border-style: dashed; }
        .lg-bulat.lg-kelompok { width: 12px; height: 12px; border: 0;
          background: conic-gradient({{ this.gradien_sektor }}); box-shadow: 0 0 0 2px #d7301f; }
        .lg-garis { width: 18px; height: 0; border-top: 4px solid #555; display: inline-block;
          flex: none; background: none !important; }
        .lg-garis.putus { border-top-style: dashed; border-top-width: 2px; }
        table.pp { border-collapse: collapse; margin: 2px 0; font-size: 12px; }
        table.pp th { text-align: left; font-weight: 600; padding: 0 8px 0 0; color: #444; }
        table.pp td { padding: 0 4px 0 0; }
        table.pp td.n { text-align: right; white-space: nowrap; }
        .klaster-kelompok { background: rgba(255, 255, 255, 0.7); }
        .klaster-kelompok div { width: auto !important; height: auto !important;
          position: absolute; inset: 3px; margin: 0 !important; border-radius: 50%;
          display: flex; align-items: center; justify-content: center; }
        .klaster-kelompok span { display: block; min-width: 18px; height: 18px;
          line-height: 18px !important; padding: 0 2px; border-radius: 9px; background: #fff;
          color: #111; font: 700 11px sans-serif; text-align: center; }
        .klaster-kelompok.ada-banjir { box-shadow: 0 0 0 3px #d7301f; }
        .klaster-kelompok.semua-usang div { opacity: 0.55; }
        .klaster-kelompok.semua-usang { border: 2px dashed #333; }
        .leaflet-container { background: #eef2f5; }
        .kotak-pilihan { background: #fff; padding: 5px 8px; border-radius: 4px;
          box-shadow: 0 1px 4px rgba(0,0,0,0.35); font-size: 12px; max-width: 220px; }
        .kotak-pilihan button { float: right; border: 0; background: none; font-size: 16px;
          line-height: 1; cursor: pointer; padding: 0 0 0 6px; }
        .label-kecamatan { background: none; border: 0; }
        .label-kecamatan span { display: block; transform: translate(-50%, -50%);
          white-space: nowrap; font: 600 11px/1.1 sans-serif; color: #1a1a1a;
          text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
        .lg-kotak.arsir-rendah { background: repeating-linear-gradient(45deg, #4292c6 0 1px,
          #fff 1px 6px) !important; }
        .lg-kotak.arsir-sedang { background: repeating-linear-gradient(45deg, #2171b5 0 1.5px,
          #fff 1.5px 4px) !important; }
        .lg-kotak.arsir-tinggi { background: repeating-linear-gradient(45deg, #08306b 0 2px,
          #fff 2px 3.5px) !important; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "GayaPeta"
        n = len(SEKTOR)
        self.gradien_sektor = ", ".join(
            f"{w} {i * 360 / n:g}deg {(i + 1) * 360 / n:g}deg"
            for i, (_, w) in enumerate(SEKTOR.values())
        )
