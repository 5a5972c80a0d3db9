"""Folium maps from analysis results, for pages that work without internet.

Every map is built from an :class:`~geo_klaster.analysis.pipeline.AnalysisResult` (and, for names, the
input layers the caller already holds): this package loads no data and knows nothing about
the web framework. The caller embeds a map in its own page with :func:`bagian_html` (header,
body and script of the folium figure), not in an iframe.

Modules
-------
``vocab``       labels (Bahasa Indonesia), colours, number and HTML text helpers
``assets``      :class:`Aset`, the per-instance asset lists and the offline rules
``elements``    the folium elements: the map, its styles, a styled GeoJSON layer
``legend``      the legend control, legend rows, value classes of a choropleth
``sites``       the clustered site layer and :func:`lokasi_geojson`
``layers``      kecamatan choropleths, flood zones, the reach of a kecamatan
``allocation``  allocation lines site → kecamatan
``pages``       the map of each page (``peta_*``)
``banding``     the comparison map of two scenarios
``embed``       :func:`bagian_html`: header, body and script for a page template

Offline rules (DESIGN.md, *The service*): see :mod:`geo_klaster.maps.assets`; no base tiles
by default, OpenStreetMap an optional overlay (:mod:`geo_klaster.maps.pages`).

Coordinates: GeoJSON is ``[lon, lat]`` (RFC 7946); folium and Leaflet locations and bounds
are ``[lat, lon]``.
"""

from __future__ import annotations

from geo_klaster.maps.allocation import garis_alokasi
from geo_klaster.maps.assets import Aset, aset_lokal
from geo_klaster.maps.banding import peta_banding
from geo_klaster.maps.elements import GayaPeta, LapisanGeoJson, PetaLuring, js_data
from geo_klaster.maps.embed import BagianPeta, bagian_html
from geo_klaster.maps.layers import area_jangkauan
from geo_klaster.maps.legend import Legenda, kelas_nilai
from geo_klaster.maps.pages import (
    OpsiPeta,
    peta_alokasi,
    peta_anggota,
    peta_gap,
    peta_ikhtisar,
    peta_kecamatan,
)
from geo_klaster.maps.sites import LapisanLokasi, lokasi_geojson, stok_per_lokasi
from geo_klaster.maps.vocab import (
    KELAS_BANJIR,
    MAX_ZOOM,
    NOL,
    OSM_ATTR,
    OSM_URL,
    PRESISI,
    RAMP_GAP,
    RAMP_RISIKO,
    SEKTOR,
    SEKTOR_LAIN,
    STATUS_STOK,
    WARNA_KATEGORI,
    WARNA_LOKASI_BANJIR,
    WARNA_NOL,
    WARNA_TERCUKUPI,
    WARNA_TERPILIH,
    WARNA_TIDAK_DIKETAHUI,
    angka,
)

__all__ = [
    "KELAS_BANJIR",
    "MAX_ZOOM",
    "NOL",
    "OSM_ATTR",
    "OSM_URL",
    "PRESISI",
    "RAMP_GAP",
    "RAMP_RISIKO",
    "SEKTOR",
    "SEKTOR_LAIN",
    "STATUS_STOK",
    "WARNA_KATEGORI",
    "WARNA_LOKASI_BANJIR",
    "WARNA_NOL",
    "WARNA_TERCUKUPI",
    "WARNA_TERPILIH",
    "WARNA_TIDAK_DIKETAHUI",
    "Aset",
    "BagianPeta",
    "GayaPeta",
    "LapisanGeoJson",
    "LapisanLokasi",
    "Legenda",
    "OpsiPeta",
    "PetaLuring",
    "angka",
    "area_jangkauan",
    "aset_lokal",
    "bagian_html",
    "garis_alokasi",
    "js_data",
    "kelas_nilai",
    "lokasi_geojson",
    "peta_alokasi",
    "peta_anggota",
    "peta_banding",
    "peta_gap",
    "peta_ikhtisar",
    "peta_kecamatan",
    "stok_per_lokasi",
]
