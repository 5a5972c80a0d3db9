"""Sites in the flood: each site's hazard class and the stock status the policy gives it."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo_klaster.config import KELAS, AnalysisConfig


def sites_in_flood(
    lokasi: gpd.GeoDataFrame,
    parts: gpd.GeoDataFrame,
    *,
    crs: CRS,
    config: AnalysisConfig,
) -> gpd.GeoDataFrame:
    """Hazard class of every site and the status of its stock.

    Parameters
    ----------
    lokasi
        Layer ``lokasi`` (``id``, ``anggota_id``, ``nama``; Point, usually EPSG:4326).
    parts
        Flood polygons from :func:`geo_klaster.analysis.exposure.flood_parts`, in ``crs``.
    crs
        The metric CRS of ``parts``.
    config
        ``kebijakan_lokasi``: stock status by class.

    Returns
    -------
    geopandas.GeoDataFrame
        ``lokasi_id``, ``anggota_id``, ``nama``, ``kelas_banjir`` (the highest class of the zones
        containing the site, boundary included; '' when dry) and ``status_stok``
        (``tersedia`` / ``berisiko`` / ``tidak_tersedia``), geometry as in ``lokasi``.
    """
    rank = np.full(len(lokasi), -1)
    if len(parts) and len(lokasi):
        points = lokasi.geometry.to_crs(crs).to_numpy()
        tree = shapely.STRtree(parts.geometry.to_numpy())
        i_pt, i_part = tree.query(points, predicate="intersects")
        kelas_idx = pd.Categorical(parts["kelas"].to_numpy()[i_part], categories=KELAS).codes
        np.maximum.at(rank, i_pt, kelas_idx)
    names = np.array(["", *KELAS], dtype=object)
    status = np.array([config.status_untuk(k) for k in names], dtype=object)  # per class, once
    kelas = pd.Series(names[rank + 1], dtype="str")
    out = pd.DataFrame(
        {
            "lokasi_id": lokasi["id"].astype("str").to_numpy(),
            "anggota_id": lokasi["anggota_id"].astype("str").to_numpy(),
            "nama": lokasi["nama"].astype("str").to_numpy() if "nama" in lokasi else "",
            "kelas_banjir": kelas,
            "status_stok": pd.Series(status[rank + 1], dtype="str"),
        }
    )
    return gpd.GeoDataFrame(out, geometry=lokasi.geometry.to_numpy(), crs=lokasi.crs)
