"""What the maps say and how they colour it: labels in Bahasa Indonesia, colours, numbers.

Also the text helpers every part of a map uses: :func:`angka` (Indonesian number notation)
and :func:`html_aman` (HTML with every value escaped).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from geo_klaster.i18n import N_, bahasa

# Labels are marked with N_ (for the catalogue) and translated where they are shown: _(label).
SEKTOR: dict[str, tuple[str, str]] = {
    "pemerintah_daerah": (N_("Pemerintah daerah"), "#1b9e77"),
    "swasta": (N_("Swasta"), "#7570b3"),
    "komunitas": (N_("Komunitas"), "#e6ab02"),
    "instansi_pusat": (N_("Instansi pusat"), "#a6761d"),
}
SEKTOR_LAIN = (N_("Lainnya"), "#666666")
KELAS_BANJIR: dict[str, tuple[str, str]] = {
    "rendah": (N_("Rendah"), "#c6dbef"),
    "sedang": (N_("Sedang"), "#6baed6"),
    "tinggi": (N_("Tinggi"), "#2171b5"),
}
# Flood zones are hatched, not filled: diagonal lines, denser and darker for a higher class,
# so they never mix with the kecamatan colours underneath. (id, line colour, width, spacing px)
ARSIR_BANJIR: dict[str, tuple[str, str, float, float]] = {
    "rendah": ("arsir-rendah", "#4292c6", 1.0, 7.0),
    "sedang": ("arsir-sedang", "#2171b5", 1.5, 4.5),
    "tinggi": ("arsir-tinggi", "#08306b", 2.0, 3.5),
}
WARNA_LOKASI_BANJIR = "#d7301f"
STATUS_STOK = {
    "tersedia": N_("tersedia"),
    "berisiko": N_("berisiko (lokasi tergenang)"),
    "tidak_tersedia": N_("tidak tersedia (lokasi tergenang berat)"),
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


def angka(x: float | None, desimal: int = 0) -> str:
    """A number in the notation of the current language: Indonesian ``12.345,6``, English
    ``12,345.6``; ``–`` for missing values."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or pd.isna(x):
        return "–"
    text = f"{float(x):,.{desimal}f}"
    if bahasa() == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def lokal_js() -> str:
    """The locale for numbers formatted in the browser (``toLocaleString``)."""
    return "en-US" if bahasa() == "en" else "id-ID"


def html_aman(template: str, **values: Any) -> str:
    """``template`` with every value escaped (the template itself is trusted)."""
    return str(Markup(template).format(**{k: escape(v) for k, v in values.items()}))


def baris_tabel(pairs: Iterable[tuple[str, str]]) -> str:
    """``<tr><th>key</th><td>value</td></tr>`` rows, escaped."""
    return "".join(html_aman("<tr><th>{k}</th><td>{v}</td></tr>", k=k, v=v) for k, v in pairs)
