"""Kecamatan names on the map: a label at each kecamatan's representative point.

Labels are ``L.marker`` with an ``L.divIcon`` (plain HTML text with a white halo, no image,
no icon font), so they print with the map and need no asset.
"""

from __future__ import annotations

from folium.map import Layer
from folium.template import Template

from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.i18n import _
from geo_klaster.maps.elements import js_data
from geo_klaster.maps.vocab import PRESISI


class LapisanNama(Layer):
    """The names of the kecamatan, one label each (``window.klasterLapisan.nama``).

    ``data`` is a list of ``[lat, lon, name]``; names are escaped in the browser before they
    become HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.layerGroup();
            (function () {
                var esc = function (v) {
                    return String(v).replace(/&/g, "&amp;").replace(/</g, "&lt;")
                        .replace(/>/g, "&gt;").replace(/"/g, "&quot;");
                };
                {{ this.data_js }}.forEach(function (r) {
                    L.marker([r[0], r[1]], {
                        icon: L.divIcon({className: "label-kecamatan", html:
                            "<span>" + esc(r[2]) + "</span>", iconSize: null}),
                        interactive: false, keyboard: false
                    }).addTo({{ this.get_name() }});
                });
                window.klasterLapisan = window.klasterLapisan || {};
                window.klasterLapisan.nama = {{ this.get_name() }};
            })();
        {% endmacro %}
        """
    )

    def __init__(self, data: list[list[object]], *, name: str | None = None) -> None:
        super().__init__(name=name or _("Nama kecamatan"), overlay=True, control=True, show=True)
        self._name = "LapisanNama"
        self.data_js = js_data(data)


def lapisan_nama(result: AnalysisResult) -> LapisanNama:
    """Labels of every kecamatan at its representative point (EPSG:4326, ``[lat, lon]``)."""
    kec = result.kecamatan
    pts = kec.geometry.representative_point()
    data = [
        [round(p.y, PRESISI), round(p.x, PRESISI), str(n)]
        for p, n in zip(pts, kec["nama"], strict=True)
    ]
    return LapisanNama(data)
