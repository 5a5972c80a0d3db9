"""Reach in a straight line: which sites lie within a distance of each kecamatan polygon.

Distances are from the site point to the kecamatan polygon (0 inside), in metres, in the
metric CRS both layers share. Candidate pairs come from an STRtree ``dwithin`` query (an exact
GEOS test), never from a Python loop over pairs.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from geo_klaster.crs import check_same_crs
from geo_klaster.errors import InputError


def _metric(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    check_same_crs(a, b, names=("kecamatan", "lokasi"))
    if not a.crs.is_projected:
        raise InputError(f"jangkauan dihitung dalam CRS metrik / reach needs a metric CRS: {a.crs}")


def reach(kecamatan: gpd.GeoDataFrame, lokasi: gpd.GeoDataFrame, *, jarak_m: float) -> pd.DataFrame:
    """Every (kecamatan, site) pair within ``jarak_m`` metres, with the distance.

    Parameters
    ----------
    kecamatan
        Polygons with ``kode``, in a metric CRS (usually only the at-risk ones).
    lokasi
        Points with ``lokasi_id``, in the same metric CRS.
    jarak_m
        Reach, metres (inclusive).

    Returns
    -------
    pandas.DataFrame
        ``kode``, ``lokasi_id``, ``jarak_m`` (float, metres; 0 when the site is inside or on
        the boundary), sorted by ``kode`` then distance.
    """
    _metric(kecamatan, lokasi)
    polys = kecamatan.geometry.to_numpy()
    points = lokasi.geometry.to_numpy()
    ok = ~(shapely.is_missing(points) | shapely.is_empty(points))
    idx_pt = np.flatnonzero(ok)
    tree = shapely.STRtree(polys)
    i_pt, i_poly = tree.query(points[ok], predicate="dwithin", distance=jarak_m)
    i_pt = idx_pt[i_pt]
    jarak = shapely.distance(points[i_pt], polys[i_poly])
    keep = jarak <= jarak_m
    out = pd.DataFrame(
        {
            "kode": kecamatan["kode"].to_numpy()[i_poly[keep]],
            "lokasi_id": lokasi["lokasi_id"].to_numpy()[i_pt[keep]],
            "jarak_m": jarak[keep].astype(float),
        }
    )
    out["kode"] = out["kode"].astype("str")
    out["lokasi_id"] = out["lokasi_id"].astype("str")
    return out.sort_values(["kode", "jarak_m", "lokasi_id"], kind="stable").reset_index(drop=True)


def reach_sums(
    kecamatan: gpd.GeoDataFrame,
    lokasi: gpd.GeoDataFrame,
    stok: pd.DataFrame,
    *,
    jarak_m: float,
    nilai: str = "komit",
    chunk: int = 256,
) -> pd.DataFrame:
    """Sum of stock within reach per kecamatan × item, without keeping the pair table.

    The kecamatan are processed in chunks: each chunk's (kecamatan, site) incidence is a
    sparse 0/1 matrix multiplied with the sparse site × item stock matrix, so only one chunk's
    pairs exist at a time and no merge/groupby over pairs is done.

    Parameters
    ----------
    kecamatan, lokasi
        As for :func:`reach` (metric CRS; ``kode`` and ``lokasi_id``).
    stok
        ``lokasi_id``, ``barang`` and the quantity column ``nilai`` (e.g. committable stock
        from :func:`geo_klaster.stock.committable`), one row per site and item.
    jarak_m
        Reach, metres.
    nilai
        Quantity column to sum.
    chunk
        Kecamatan per chunk (bounds memory).

    Returns
    -------
    pandas.DataFrame
        ``kode``, ``barang``, ``terjangkau`` for every pair with a non-zero sum.
    """
    _metric(kecamatan, lokasi)
    site_ids = pd.Index(lokasi["lokasi_id"].astype(str).to_numpy())
    items, item_idx = np.unique(stok["barang"].astype(str).to_numpy(), return_inverse=True)
    row = site_ids.get_indexer(stok["lokasi_id"].astype(str).to_numpy())
    ok = row >= 0
    stock = sparse.csr_matrix(
        (stok[nilai].to_numpy(dtype=float)[ok], (row[ok], item_idx[ok])),
        shape=(len(site_ids), len(items)),
    )
    points = lokasi.geometry.to_numpy()
    tree = shapely.STRtree(points)
    polys = kecamatan.geometry.to_numpy()
    kode = kecamatan["kode"].astype(str).to_numpy()
    frames = []
    for start in range(0, len(polys), chunk):
        part = polys[start : start + chunk]
        i_poly, i_pt = tree.query(part, predicate="dwithin", distance=jarak_m)
        inc = sparse.csr_matrix(
            (np.ones(len(i_poly)), (i_poly, i_pt)), shape=(len(part), len(points))
        )
        sums = (inc @ stock).tocoo()
        frames.append(
            pd.DataFrame(
                {
                    "kode": kode[start + sums.row],
                    "barang": items[sums.col],
                    "terjangkau": sums.data,
                }
            )
        )
    if not frames:
        return pd.DataFrame({"kode": [], "barang": [], "terjangkau": []}).astype(
            {"kode": "str", "barang": "str", "terjangkau": float}
        )
    out = pd.concat(frames, ignore_index=True)
    out = out[out["terjangkau"] != 0]
    return out.sort_values(["kode", "barang"], kind="stable").reset_index(drop=True)
