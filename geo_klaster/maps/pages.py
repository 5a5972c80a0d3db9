"""The map of each page: overview, one kecamatan, gap of one item, allocation, members.

Each builder takes one scenario's :class:`~geo_klaster.analysis.pipeline.AnalysisResult` and one
:class:`OpsiPeta`: the asset URLs (:func:`~geo_klaster.maps.assets.aset_lokal`), the sites
either inline (``lokasi``, as :func:`~geo_klaster.maps.sites.lokasi_geojson` gives them) or
as the URL the page fetches them from (``lokasi_url``, for large layers; ``stok_url`` is then
where a popup fetches a site's stock, ``{id}`` replaced), the link of a kecamatan page in
popups (``tautan_kecamatan``, ``{kode}`` replaced, or None) and whether to offer online base
tiles. What only one map needs (the item of a gap map, the print flag) stays a keyword.

No base tiles by default (``tiles=None``, so the map has an explicit ``maxZoom``): the map
reads with boundaries, zones and sites alone. OpenStreetMap tiles are an optional overlay
(``peta_dasar_daring``), off when the page opens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import pandas as pd

from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.i18n import _
from geo_klaster.maps.allocation import batas_alokasi, lapisan_alokasi, legenda_alokasi
from geo_klaster.maps.assets import Aset
from geo_klaster.maps.elements import PetaLuring, peta_kosong
from geo_klaster.maps.labels import lapisan_nama
from geo_klaster.maps.layers import (
    lapisan_batas,
    lapisan_gap,
    lapisan_jangkauan,
    lapisan_kecamatan_risiko,
    lapisan_zona,
)
from geo_klaster.maps.legend import Legenda, LipatPonsel, legenda_lokasi
from geo_klaster.maps.roads import (
    lapisan_jalan_banjir,
    lapisan_lokasi_terputus,
    lapisan_waktu_jalan,
)
from geo_klaster.maps.selection import pilih_kecamatan
from geo_klaster.maps.sites import LapisanLokasi


@dataclass(frozen=True)
class OpsiPeta:
    """What every page map is given.

    Attributes
    ----------
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

    aset: Aset
    lokasi: dict[str, Any] | None = None
    lokasi_url: str | None = None
    stok_url: str | None = None
    tautan_kecamatan: str | None = "/kecamatan/{kode}"
    peta_dasar_daring: bool = True

    def ganti(self, **changes: Any) -> OpsiPeta:
        """A copy with ``changes`` (e.g. no online tiles for print)."""
        return dataclasses.replace(self, **changes)


def _peta(opsi: OpsiPeta, result: AnalysisResult) -> PetaLuring:
    """A map centred on the kecamatan, with the optional OpenStreetMap overlay."""
    return peta_kosong(
        opsi.aset, result.kecamatan.total_bounds, peta_dasar_daring=opsi.peta_dasar_daring
    )


def _selesai(
    m: folium.Map,
    legends: Sequence[str],
    opsi: OpsiPeta,
    *,
    nama_lokasi: str | None = None,
    kelompok: bool = True,
    legenda_di_peta: bool = True,
    posisi_legenda: str = "bottomright",
    terlipat: bool = False,
) -> folium.Map:
    """Add the sites (the top layer), the layer control and the legends.

    With ``legenda_di_peta=False`` the legend is not drawn on the map but kept as HTML in
    the map's ``legenda_html`` attribute, for the page to place beside it (print sheet).
    ``terlipat``: the layer control and the legend start folded (a map with many layers).
    """
    LapisanLokasi(
        opsi.aset,
        data=opsi.lokasi,
        url=opsi.lokasi_url,
        stok_url=opsi.stok_url,
        name=nama_lokasi or _("Lokasi anggota"),
        kelompok=kelompok,
    ).add_to(m)
    kontrol = folium.LayerControl(collapsed=terlipat, position="topright").add_to(m)
    LipatPonsel(kontrol).add_to(m)
    html = "<hr>".join(legends)
    if legenda_di_peta:
        Legenda(html, posisi=posisi_legenda, terbuka=not terlipat).add_to(m)
    m.legenda_html = html  # type: ignore[attr-defined]
    return m


def peta_ikhtisar(
    result: AnalysisResult, opsi: OpsiPeta, *, jangkauan_url: str | None = None
) -> folium.Map:
    """Overview: kecamatan by displaced people and named, flood zones hatched by class, sites
    clustered; clicking a kecamatan shows its reach ring and its sites within reach, fetched
    from ``jangkauan_url`` (``{kode}`` replaced: ``/api/kecamatan/{kode}/jangkauan.geojson``;
    None: the ring only)."""
    m = _peta(opsi, result)
    kec, lg_kec = lapisan_kecamatan_risiko(result, tautan=opsi.tautan_kecamatan)
    kec.add_to(m)
    zona, lg_zona = lapisan_zona(result)
    zona.add_to(m)
    lapisan_nama(result).add_to(m)
    pilih_kecamatan(
        result, kec, url_lokasi=jangkauan_url, url_halaman=opsi.tautan_kecamatan
    ).add_to(m)
    legends = [lg_kec, lg_zona, legenda_lokasi()]
    jalan = lapisan_jalan_banjir(result)
    if jalan is not None:
        jalan[0].add_to(m)
        legends.insert(2, jalan[1])
    return _selesai(m, legends, opsi)


def peta_kecamatan(
    result: AnalysisResult, kode: str, opsi: OpsiPeta, *, cetak: bool = False
) -> folium.Map:
    """One kecamatan: its flooded part, the reach radius, and the sites within reach.

    ``lokasi`` is :func:`lokasi_geojson` restricted to the sites within reach (with
    ``jarak_m``), or ``lokasi_url`` where the page fetches them. The other kecamatan stay
    visible, lightly, for orientation, with their names. ``cetak``: for paper — sites as
    plain symbols (no cluster bubbles) and the legend kept off the map (in the returned
    map's ``legenda_html``), so it never covers the reach ring. Raises ``KeyError`` for an
    unknown ``kode``.
    """
    kec = result.kecamatan
    row = kec[kec["kode"] == kode]
    if row.empty:
        raise KeyError(kode)
    m = _peta(opsi, result)
    layer, lg_kec = lapisan_kecamatan_risiko(
        result, tautan=opsi.tautan_kecamatan, terpilih=kode, fit=False
    )
    layer.add_to(m)
    area, lg_jangkauan = lapisan_jangkauan(result, kode, row.iloc[0]["nama"])
    area.add_to(m)
    zona, lg_zona = lapisan_zona(result, clip=row.geometry.iloc[0])
    zona.layer_name = _("Bagian yang tergenang")
    zona.add_to(m)
    legends = [lg_jangkauan, lg_kec, lg_zona]
    for extra in (
        lapisan_waktu_jalan(result, kode),
        lapisan_jalan_banjir(result),
        lapisan_lokasi_terputus(result, kode),
    ):
        if extra is not None:
            extra[0].add_to(m)
            legends.append(extra[1])
    lapisan_nama(result).add_to(m)
    legends.append(legenda_lokasi(kelompok=not cetak))
    return _selesai(
        m,
        legends,
        opsi,
        nama_lokasi=_("Lokasi dalam jangkauan"),
        kelompok=not cetak,
        legenda_di_peta=not cetak,
    )


def peta_gap(
    result: AnalysisResult, barang: str, opsi: OpsiPeta, *, nama_barang: str | None = None
) -> folium.Map:
    """Kecamatan coloured by the shortfall (``kekurangan``) of one item, in its unit."""
    layer, lg_gap = lapisan_gap(
        result, barang, label=nama_barang or barang, tautan=opsi.tautan_kecamatan
    )
    m = _peta(opsi, result)
    layer.add_to(m)
    zona, lg_zona = lapisan_zona(result, show=False)
    zona.add_to(m)
    lapisan_nama(result).add_to(m)
    legends = [lg_gap, lg_zona, legenda_lokasi()]
    return _selesai(m, legends, opsi)


def peta_alokasi(
    result: AnalysisResult,
    opsi: OpsiPeta,
    *,
    barang: str | None = None,
    kategori: Mapping[str, str] | None = None,
    anggota: pd.DataFrame | None = None,
    nama_barang: Mapping[str, str] | None = None,
) -> folium.Map:
    """The allocation as arrows from sites to kecamatan, wider for a larger share of the need.

    One layer for all items (or only ``barang``) shown, and one layer per item, off at start;
    the first view fits every kecamatan, site and arrow. ``nama_barang`` names the items.
    """
    m = _peta(opsi, result)
    kec, lg_kec = lapisan_kecamatan_risiko(
        result, tautan=opsi.tautan_kecamatan, isi=0.35, fit=False
    )
    kec.add_to(m)
    lapisan_nama(result).add_to(m)
    names = dict(nama_barang or {})
    args = {"kategori": kategori, "anggota": anggota, "nama_barang": names}
    if barang:
        label = names.get(barang, barang)
        lapisan_alokasi(
            result, barang=barang, name=_("Alokasi %(barang)s", barang=label), **args
        ).add_to(m)
    else:
        lapisan_alokasi(result, **args).add_to(m)
        items = sorted(set(result.alokasi["barang"].astype(str)), key=lambda b: names.get(b, b))
        for i, b in enumerate(items):
            lapisan_alokasi(
                result,
                barang=b,
                name=_("Alokasi: %(barang)s", barang=names.get(b, b)),
                jenis=f"alokasi_{i}",
                show=False,
                **args,
            ).add_to(m)
    m.fit_bounds(batas_alokasi(result), padding=(8, 8))
    legends = [legenda_alokasi(barang=barang), lg_kec, legenda_lokasi()]
    # a layer per item makes the layer control tall: both controls start folded
    return _selesai(m, legends, opsi, posisi_legenda="bottomleft", terlipat=True)


def peta_anggota(result: AnalysisResult, opsi: OpsiPeta) -> folium.Map:
    """Members' sites by sector over the kecamatan boundaries."""
    m = _peta(opsi, result)
    lapisan_batas(result, tautan=opsi.tautan_kecamatan).add_to(m)
    zona, lg_zona = lapisan_zona(result, show=False)
    zona.add_to(m)
    legends = [legenda_lokasi(), lg_zona]
    return _selesai(m, legends, opsi)
