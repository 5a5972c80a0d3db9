"""Selecting a kecamatan on the overview: its reach ring and the sites within reach.

Clicking a kecamatan draws its reach boundary (inline, computed on the server in the
kecamatan's metric CRS, see :func:`~geo_klaster.maps.layers.area_jangkauan`) and the sites
within reach, fetched from the API (``/api/kecamatan/<kode>/jangkauan.geojson``) only when
asked, so the overview pays nothing for it when it opens. The selection is shown in a small
box on the map with a link to the kecamatan page; ``window.klasterPilihan`` holds
``{kode, lokasi}`` once the sites are drawn (used by the browser tests).
"""

from __future__ import annotations

from typing import Any

import shapely
from folium.elements import MacroElement
from folium.template import Template

from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.maps.elements import js_data
from geo_klaster.maps.layers import area_jangkauan
from geo_klaster.maps.vocab import SEKTOR, SEKTOR_LAIN, angka, lokal_js

CINCIN_MAKS = 80  # reach rings inline for every kecamatan up to this many; else at-risk only
SEDERHANA_DERAJAT = 0.0003  # simplification of the rings (about 30 m)


class PilihKecamatan(MacroElement):
    """Click a kecamatan (layer ``kecamatan``): its reach ring and its sites within reach."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var cincin = {{ this.cincin_js }};
            var nama = {{ this.nama_js }};
            var sektor = {{ this.sektor|tojson }};
            var urlLokasi = {{ this.url_lokasi|tojson }};
            var urlHalaman = {{ this.url_halaman|tojson }};
            var jarak = {{ this.jarak|tojson }};
            var pilihan = L.layerGroup().addTo(map);
            var kotak = L.control({position: "topleft"});
            kotak.onAdd = function () {
                var div = L.DomUtil.create("div", "kotak-pilihan");
                L.DomEvent.disableClickPropagation(div);
                div.style.display = "none";
                return div;
            };
            kotak.addTo(map);
            var esc = function (v) {
                return String(v === null || v === undefined ? "" : v)
                    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
                    .replace(/"/g, "&quot;");
            };
            var tampil = function (html) {
                var div = kotak.getContainer();
                div.innerHTML = html;
                div.style.display = html ? "block" : "none";
                var x = div.querySelector("button");
                if (x) { x.onclick = function () { pilih(null); }; }
            };
            var pilih = function (kode) {
                pilihan.clearLayers();
                window.klasterPilihan = null;
                if (!kode) { tampil(""); return; }
                if (cincin[kode]) {
                    L.geoJSON(cincin[kode], {interactive: false, style: {color: "#000",
                        weight: 2.5, dashArray: "8 6", fill: false}}).addTo(pilihan);
                }
                var kepala = "<b>Kec. " + esc(nama[kode] || kode) + "</b> " +
                    "<button type='button' aria-label='tutup'>&times;</button><br>" +
                    "<a href='" + esc(urlHalaman.replace("{kode}", kode)) +
                    "'>halaman kecamatan &rarr;</a><br>";
                tampil(kepala + "<i>memuat lokasi&hellip;</i>");
                if (!urlLokasi) { return; }
                fetch(urlLokasi.replace("{kode}", encodeURIComponent(kode)))
                    .then(function (r) {
                        if (!r.ok) { throw new Error("HTTP " + r.status); }
                        return r.json();
                    })
                    .then(function (fc) {
                        var lyr = L.geoJSON(fc, {
                            pointToLayer: function (f, ll) {
                                var s = sektor[f.properties.sektor] || {{ this.lain|tojson }};
                                return L.circleMarker(ll, {radius: 5, color: "#000",
                                    weight: 2, fillColor: s[1], fillOpacity: 1});
                            },
                            onEachFeature: function (f, l) {
                                l.bindTooltip(esc(f.properties.nama) + " (" +
                                    (f.properties.jarak_m / 1000).toLocaleString({{ this.lokal|tojson }},
                                    {maximumFractionDigits: 1}) + " km)");
                            }
                        }).addTo(pilihan);
                        var n = lyr.getLayers().length;
                        tampil(kepala + n + " lokasi dalam jangkauan " + esc(jarak) +
                            " (bertepi hitam)");
                        window.klasterPilihan = {kode: kode, lokasi: n};
                        document.dispatchEvent(new CustomEvent("klaster:pilih",
                            {detail: window.klasterPilihan}));
                    })
                    .catch(function (e) {
                        tampil(kepala + "<i>lokasi tidak dapat dimuat</i>");
                        console.error("jangkauan gagal dimuat:", e);
                    });
            };
            window.klasterPilih = pilih;
            {{ this.kecamatan.get_name() }}.on("click", function (e) {
                pilih((e.propagatedFrom || e.layer).feature.properties.kode);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        kecamatan: Any,
        *,
        cincin: dict[str, Any],
        nama: dict[str, str],
        url_lokasi: str | None,
        url_halaman: str,
        jarak: str,
    ) -> None:
        super().__init__()
        self._name = "PilihKecamatan"
        self.kecamatan = kecamatan
        self.cincin_js = js_data(cincin)
        self.nama_js = js_data(nama)
        self.url_lokasi = url_lokasi
        self.url_halaman = url_halaman
        self.jarak = jarak
        self.sektor = {k: list(v) for k, v in SEKTOR.items()}
        self.lain = list(SEKTOR_LAIN)
        self.lokal = lokal_js()


def cincin_jangkauan(result: AnalysisResult) -> dict[str, Any]:
    """Reach rings (GeoJSON geometries, EPSG:4326, ~30 m simplified) by kecamatan ``kode``:
    every kecamatan up to :data:`CINCIN_MAKS` of them, else the at-risk ones."""
    kec = result.kecamatan
    if len(kec) > CINCIN_MAKS:
        kec = kec[kec["berisiko"].astype(bool)]
    out: dict[str, Any] = {}
    for kode in kec["kode"].astype(str):
        geom = area_jangkauan(result, kode).geometry.iloc[0]
        geom = shapely.simplify(geom, SEDERHANA_DERAJAT)
        geom = shapely.set_precision(geom, 1e-5)
        out[kode] = shapely.geometry.mapping(geom)
    return out


def pilih_kecamatan(
    result: AnalysisResult,
    kecamatan: Any,
    *,
    url_lokasi: str | None,
    url_halaman: str | None,
) -> PilihKecamatan:
    """The selection element for the kecamatan layer ``kecamatan`` of an overview map."""
    return PilihKecamatan(
        kecamatan,
        cincin=cincin_jangkauan(result),
        nama=dict(zip(result.kecamatan["kode"].astype(str), result.kecamatan["nama"].astype(str))),
        url_lokasi=url_lokasi,
        url_halaman=url_halaman or "/kecamatan/{kode}",
        jarak=f"{angka(result.config.jarak_km, 1)} km",
    )
