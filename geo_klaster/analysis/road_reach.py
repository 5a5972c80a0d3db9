"""Reach by road for the analysis (``analyze --jangkauan jalan``): pairs, cut roads, access.

:func:`road_reach` runs one region (one metric CRS) of a scenario: it builds the road graph
with the at-risk kecamatan and their desa as target areas (:func:`geo_klaster.analysis.roads.
build_network`), computes every site's travel time to each of them in one batched search
(:func:`geo_klaster.analysis.roads.travel_times`) and returns the pairs the analysis lists, the cut and
slowed road pieces for the maps, and the areas nobody reaches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_klaster.analysis.roads import Network, build_network, travel_times
from geo_klaster.config import AnalysisConfig
from geo_klaster.crs import WGS84

#: Columns of the reach table in both modes (straight-line mode: no time, never cut off).
KOLOM = ["kode", "lokasi_id", "jarak_m", "waktu_menit", "terputus", "alasan"]


@dataclass
class RoadReach:
    """One region's road reach.

    Attributes
    ----------
    pasangan
        :data:`KOLOM`: pairs within ``menit`` minutes (``terputus`` False) and pairs within
        the straight-line reach that the flood or the lack of a road cuts off (``terputus``
        True, ``waktu_menit`` NaN, ``alasan`` says why).
    jalan
        Cut (``putus``) and slowed (``lambat``) road pieces, EPSG:4326: ``status``,
        ``kelas_banjir``, ``panjang_m``.
    km_putus, km_lambat
        Length of road cut and slowed, km.
    kecamatan_tanpa_akses, desa_tanpa_akses
        Codes of the at-risk kecamatan (and their desa) that no site reaches by road.
    network
        The graph, for per-kecamatan time maps.
    target_kode
        Target area codes in the network's order (kecamatan, then desa).
    """

    pasangan: pd.DataFrame
    jalan: gpd.GeoDataFrame
    km_putus: float = 0.0
    km_lambat: float = 0.0
    kecamatan_tanpa_akses: list[str] = field(default_factory=list)
    desa_tanpa_akses: list[str] = field(default_factory=list)
    network: Network | None = None
    target_kode: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))


def empty_pairs() -> pd.DataFrame:
    """A reach table without rows, typed."""
    return pd.DataFrame(
        {
            "kode": pd.Series(dtype="str"),
            "lokasi_id": pd.Series(dtype="str"),
            "jarak_m": pd.Series(dtype=float),
            "waktu_menit": pd.Series(dtype=float),
            "terputus": pd.Series(dtype=bool),
            "alasan": pd.Series(dtype="str"),
        }
    )


def road_reach(
    jalan: gpd.GeoDataFrame,
    parts: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    desa: gpd.GeoDataFrame | None = None,
    config: AnalysisConfig,
) -> RoadReach:
    """Road reach of the at-risk ``kecamatan`` from ``sites`` in one metric CRS.

    Parameters
    ----------
    jalan
        Road lines (``kelas``, ``oneway``, ``kecepatan``), metric CRS.
    parts
        The scenario's flood zones as non-overlapping parts with ``kelas``, same CRS.
    kecamatan
        At-risk kecamatan (``kode``, polygons), same CRS.
    sites
        ``lokasi_id`` points, same CRS.
    desa
        Desa (``kode_desa``, ``kode``) of those kecamatan, same CRS, or None.
    config
        ``menit`` (limit, minutes), ``jarak_km`` (straight-line reach in which cut-off pairs
        are listed), speeds and the cut/slow classes.
    """
    n_kec = len(kecamatan)
    tgt_kode = kecamatan["kode"].astype(str).to_numpy()
    tgt_geom = kecamatan.geometry.to_numpy()
    if desa is not None and len(desa):
        tgt_kode = np.concatenate([tgt_kode, desa["kode_desa"].astype(str).to_numpy()])
        tgt_geom = np.concatenate([tgt_geom, desa.geometry.to_numpy()])
    targets = gpd.GeoDataFrame({"kode": tgt_kode}, geometry=tgt_geom, crs=kecamatan.crs)
    net = build_network(jalan, parts, targets, sites, config=config)
    site_ids = sites["lokasi_id"].astype(str).to_numpy()
    tt = travel_times(net, site_ids, np.arange(len(targets)))
    tt["kode"] = tgt_kode[tt["kode"].astype(int).to_numpy()]
    tt["jarak_m"] = shapely.distance(
        np.tile(sites.geometry.to_numpy(), len(targets)),
        np.repeat(tgt_geom, len(sites)),
    )
    is_kec = np.repeat(np.arange(len(targets)) < n_kec, len(sites))
    if len(sites):
        all_cut = tt.groupby(np.repeat(np.arange(len(targets)), len(sites)))["terputus"].all()
        cut_targets = all_cut.index.to_numpy()[all_cut.to_numpy()]
    else:
        cut_targets = np.zeros(0, dtype=int)
    kec_cut = [tgt_kode[i] for i in cut_targets if i < n_kec]
    desa_cut = [tgt_kode[i] for i in cut_targets if i >= n_kec]
    waktu = tt["waktu_menit"].to_numpy()
    within = ~tt["terputus"].to_numpy() & (waktu <= config.menit)
    listed_cut = tt["terputus"].to_numpy() & (tt["jarak_m"].to_numpy() <= config.jarak_km * 1000)
    pairs = tt.loc[is_kec & (within | listed_cut), KOLOM]
    pairs = pairs.sort_values(["kode", "waktu_menit", "jarak_m", "lokasi_id"], kind="stable")
    shown = net.pieces[net.pieces["status"].isin(["putus", "lambat"])]
    jalan_out = gpd.GeoDataFrame(
        shown[["status", "kelas_banjir", "panjang_m"]].reset_index(drop=True),
        geometry=shown.geometry.reset_index(drop=True),
        crs=jalan.crs,
    ).to_crs(WGS84)
    return RoadReach(
        pasangan=pairs.reset_index(drop=True),
        jalan=jalan_out,
        km_putus=net.km_putus,
        km_lambat=net.km_lambat,
        kecamatan_tanpa_akses=kec_cut,
        desa_tanpa_akses=desa_cut,
        network=net,
        target_kode=tgt_kode,
    )


def usable_pairs(pasangan: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """The pairs that count as reach: not cut off and, by road, within ``menit`` minutes."""
    ok = ~pasangan["terputus"].to_numpy(dtype=bool)
    if config.jangkauan == "jalan":
        ok &= pasangan["waktu_menit"].to_numpy(dtype=float) <= config.menit
    return pasangan[ok].reset_index(drop=True)


def summary_line(ringkasan: dict) -> str:
    """ "N km jalan terputus, M kecamatan/desa tanpa akses" (Indonesian number style).

    ``ringkasan`` as :meth:`geo_klaster.analysis.pipeline.AnalysisResult.ringkasan_jalan` gives it;
    the kecamatan and desa counts are given apart when there are desa.
    """
    km = f"{ringkasan['km_putus']:,.1f}".replace(",", "\x00").replace(".", ",")
    km = km.replace("\x00", ".")
    n_kec = len(ringkasan["kecamatan_tanpa_akses"])
    n_desa = len(ringkasan["desa_tanpa_akses"])
    return f"{km} km jalan terputus, {n_kec} kecamatan/{n_desa} desa tanpa akses"
