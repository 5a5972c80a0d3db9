"""Legends and value classes: the legend control, its rows, and the classes of a choropleth.

A legend is HTML built from rows (:func:`kotak`) under a title (:func:`legenda_html`);
:class:`Legenda` puts the joined legends of a map in a Leaflet control.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import folium
import numpy as np
import pandas as pd
from folium.template import Template

from geo_klaster.i18n import _
from geo_klaster.maps.vocab import NOL, SEKTOR, WARNA_LOKASI_BANJIR, angka, html_aman


class Legenda(folium.MacroElement):
    """A legend as a Leaflet control (it lives inside the map, so it prints with it)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var legenda = L.control({position: {{ this.posisi|tojson }}});
                legenda.onAdd = function () {
                    var div = L.DomUtil.create("div", "legenda");
                    // folded on a phone (a screen below 768 px) or a narrow map, where it
                    // would hide the map
                    var lebar = {{ this.terbuka|tojson }} && window.innerWidth >= 768 &&
                        {{ this._parent.get_name() }}.getSize().x >= 640;
                    div.innerHTML = "<details" + (lebar ? " open" : "") + "><summary>" +
                        {{ this.judul|tojson }} + "</summary>" + {{ this.html|tojson }} +
                        "</details>";
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                legenda.addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, posisi: str = "bottomright", terbuka: bool = True) -> None:
        super().__init__()
        self._name = "Legenda"
        self.terbuka = terbuka  # open at start (on a map at least 640 px wide)
        self.html = str(html)
        self.posisi = posisi
        self.judul = html_aman("{j}", j=_("Legenda"))


class LipatPonsel(folium.MacroElement):
    """The layer control ``kontrol`` starts folded on a phone (a screen below 768 px) or a map
    narrower than 640 px, where it would cover most of the map: a tap on its button opens it,
    a tap on the map folds it again. Its button is named in the page's language."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var peta = {{ this._parent.get_name() }};
                var kontrol = {{ this.kontrol.get_name() }};
                function beriNama() {
                    var t = kontrol.getContainer().querySelector(".leaflet-control-layers-toggle");
                    if (t) {
                        t.title = {{ this.judul|tojson }};
                        t.setAttribute("aria-label", {{ this.judul|tojson }});
                    }
                }
                if (!kontrol.options.collapsed &&
                        (window.innerWidth < 768 || peta.getSize().x < 640)) {
                    kontrol.options.collapsed = true;
                    kontrol.remove();
                    kontrol.addTo(peta);
                }
                beriNama();
            })();
        {% endmacro %}
        """
    )

    def __init__(self, kontrol: folium.LayerControl) -> None:
        super().__init__()
        self._name = "LipatPonsel"
        self.kontrol = kontrol
        self.judul = _("Lapisan peta")


def kotak(
    warna: str,
    label: str,
    *,
    garis: str = "#555",
    bentuk: str = "kotak",
    putus: bool = False,
    kelas: str = "",
) -> str:
    """One legend row: a swatch (``kotak``, ``bulat`` or ``garis``) and its label.

    ``kelas`` adds a CSS class to the swatch (e.g. ``arsir-tinggi``, a hatched swatch)."""
    cls = "lg-bulat" if bentuk == "bulat" else ("lg-garis" if bentuk == "garis" else "lg-kotak")
    cls += " putus" if putus else ""
    cls += f" {kelas}" if kelas else ""
    return html_aman(
        '<div class="lg-baris"><span class="{cls}" style="background:{w};border-color:{g}">'
        "</span>{label}</div>",
        cls=cls,
        w=warna,
        g=garis,
        label=label,
    )


def legenda_html(judul: str, baris: Iterable[str], catatan: str | None = None) -> str:
    """A legend: title, rows (:func:`kotak`) and an optional note."""
    out = html_aman("<div class='lg-judul'>{j}</div>", j=judul) + "".join(baris)
    if catatan:
        out += html_aman("<div class='lg-catatan'>{c}</div>", c=catatan)
    return out


def legenda_lokasi(*, kelompok: bool = True) -> str:
    """The legend of the site layer (sectors, flooded, stale, and clusters if ``kelompok``)."""
    rows = [kotak(w, _(label), bentuk="bulat", garis="#fff") for label, w in SEKTOR.values()]
    rows.append(
        kotak("#ffffff", _("lokasi dalam zona banjir"), bentuk="bulat", garis=WARNA_LOKASI_BANJIR)
    )
    rows.append(
        kotak("#dddddd", _("laporan usang (garis putus)"), bentuk="bulat", garis="#333", putus=True)
    )
    if kelompok:
        rows.append(
            html_aman(
                '<div class="lg-baris"><span class="lg-bulat lg-kelompok"></span>{t}</div>',
                t=_(
                    "kelompok lokasi: warna = sektor, angka = jumlah, "
                    "lingkar merah = ada yang tergenang"
                ),
            )
        )
    return legenda_html(_("Lokasi anggota (sektor)"), rows)


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


def _ramp(bounds: Sequence[float], ramp: Sequence[str]) -> list[str]:
    """The last ``len(bounds)`` colours of ``ramp`` (all of them for as many bounds or more)."""
    return list(ramp)[-len(bounds) :] if len(bounds) < len(ramp) else list(ramp)


def warna_kelas(v: float, bounds: Sequence[float], ramp: Sequence[str]) -> str:
    """The colour of value ``v`` in the classes ``bounds`` (see :func:`kelas_nilai`)."""
    colours = _ramp(bounds, ramp)
    for bound, colour in zip(bounds, colours):
        if v <= bound:
            return colour
    return colours[-1]


def label_kelas(
    bounds: Sequence[float], ramp: Sequence[str], satuan: str, *, desimal: int | None = None
) -> list[str]:
    """Legend rows of the classes ``bounds``: ``> low – high satuan`` with its colour.

    ``desimal``: decimals shown (default one for small bounds, none from 10 on; 0 for items
    counted in whole units)."""
    rows, low = [], 0.0
    if desimal is None:
        desimal = 1 if bounds and bounds[0] < 10 else 0
    for bound, colour in zip(bounds, _ramp(bounds, ramp)):
        teks = f"> {angka(low, desimal)} – {angka(bound, desimal)} {satuan}".strip()
        rows.append(kotak(colour, teks))
        low = bound
    return rows
