"""Reach in a straight line: which sites lie within a distance of each kecamatan polygon.

Distances are from the site point to the kecamatan polygon (0 inside), in metres, in the
metric CRS both layers share. One pass over candidate pairs: an STRtree query of reach boxes
against bounding boxes (see :func:`candidate_pairs`), a compiled bounding-box distance (a
lower bound of the true distance) that drops the candidates certainly beyond reach, and the
exact distance for the rest (GEOS's value, bit for bit, from the compiled kernel of
:mod:`geo_klaster.analysis.distance`) — never a Python loop over pairs, never a second
exact test.
This is the product's one reach path (``analyze``, pages, API, OGC, allocation).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numba
import numpy as np
import pandas as pd
import shapely

from geo_klaster.analysis.distance import distances
from geo_klaster.analysis.parallel import MIN_ELEMENTS, each, workers
from geo_klaster.crs import check_same_crs
from geo_klaster.errors import InputError


def _metric(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    check_same_crs(a, b, names=("kecamatan", "lokasi"))
    if not a.crs.is_projected:
        raise InputError(f"jangkauan dihitung dalam CRS metrik / reach needs a metric CRS: {a.crs}")


@numba.njit(nogil=True, cache=True)
def _box_near(bounds, x, y, i_box, i_pt, d):
    """Whether point ``i_pt[k]`` may lie within ``d`` of what is in box ``i_box[k]`` (minx,
    miny, maxx, maxy rows): the distance to a box is never more than to anything inside it
    (``d`` is given a hair wider, so rounding never drops a pair; the exact distance
    decides)."""
    near = np.empty(len(i_box), dtype=np.bool_)
    for k in range(len(i_box)):
        b = i_box[k]
        px = x[i_pt[k]]
        py = y[i_pt[k]]
        dx = max(bounds[b, 0] - px, px - bounds[b, 2], 0.0)
        dy = max(bounds[b, 1] - py, py - bounds[b, 3], 0.0)
        near[k] = math.hypot(dx, dy) <= d
    return near


def candidate_pairs(
    polys: np.ndarray, points: np.ndarray, jarak_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """(point index, polygon index) of every pair that may lie within ``jarak_m`` metres.

    Usable geometries only (missing or empty ones never pair). A pair is kept when the point's
    distance to the polygon's bounding box is at most ``jarak_m``: a superset of the pairs
    within reach (the box holds the polygon). Found by one STRtree query, built over the
    larger side: the polygons' boxes widened by the reach against a tree of the points when
    there are fewer polygons (the usual case: a few hundred at-risk kecamatan, thousands of
    sites), square reach boxes around the points against a tree of the polygons otherwise.
    The query boxes and the box distance test are a hair wider than the reach, so rounding
    never loses a pair; the exact distance decides afterwards.
    """
    ok_pt = np.flatnonzero(~(shapely.is_missing(points) | shapely.is_empty(points)))
    ok_poly = np.flatnonzero(~(shapely.is_missing(polys) | shapely.is_empty(polys)))
    if not len(ok_pt) or not len(ok_poly):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    x, y = shapely.get_x(points[ok_pt]), shapely.get_y(points[ok_pt])
    w = float(jarak_m) * (1 + 1e-9) + 1e-6
    bounds = shapely.bounds(polys[ok_poly])
    if len(ok_poly) <= len(ok_pt):
        tree = shapely.STRtree(points[ok_pt])
        wide = shapely.box(bounds[:, 0] - w, bounds[:, 1] - w, bounds[:, 2] + w, bounds[:, 3] + w)
        i_poly, i_pt = tree.query(wide)
    else:
        tree = shapely.STRtree(polys[ok_poly])
        i_pt, i_poly = tree.query(shapely.box(x - w, y - w, x + w, y + w))
    near = _box_near(bounds, x, y, i_poly, i_pt, w)
    return ok_pt[i_pt[near]], ok_poly[i_poly[near]]


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
    i_pt, i_poly = candidate_pairs(polys, points, jarak_m)
    # exact distances (GEOS's values), in slices on a few threads
    jarak = distances(points, polys, i_pt, i_poly)
    keep = jarak <= jarak_m
    i_pt, i_poly, jarak = i_pt[keep], i_poly[keep], jarak[keep].astype(float)
    # Sorted by integer ranks of the (few) distinct codes, not by a million strings; the
    # string columns are then taken from the distinct values in that order.
    kode, kode_rank = _ranks(kecamatan["kode"])
    lok, lok_rank = _ranks(lokasi["lokasi_id"])
    order = _order(kode_rank[i_poly], jarak, lok_rank[i_pt])
    return pd.DataFrame(
        {
            "kode": kode.take(i_poly[order]),
            "lokasi_id": lok.take(i_pt[order]),
            "jarak_m": jarak[order],
        }
    )


def _order(kode: np.ndarray, jarak: np.ndarray, lok: np.ndarray) -> np.ndarray:
    """The stable order by (``kode``, ``jarak``, ``lok``) — as ``np.lexsort((lok, jarak,
    kode))`` — for small non-negative integer ``kode`` and ``lok`` ranks: a stable counting
    sort by ``kode``, then per code a stable merge sort by (``jarak``, ``lok``), the codes
    shared out over a few threads."""
    if not len(kode):
        return np.zeros(0, dtype=np.intp)
    n_kode = int(kode.max()) + 1
    jarak = np.asarray(jarak, dtype=float)
    lok = lok.astype(np.int64)
    order, start = _by_code(kode.astype(np.int64), n_kode)
    spare = np.empty_like(order)
    k = workers() if len(order) >= MIN_ELEMENTS else 1
    cut = np.searchsorted(start, np.linspace(0, len(order), k + 1)[1:-1])
    bounds = np.r_[0, cut, n_kode]
    each(
        lambda c: _sort_codes(order, spare, start, c[0], c[1], jarak, lok),
        [(bounds[i], bounds[i + 1]) for i in range(k) if bounds[i] < bounds[i + 1]],
    )
    return order


@numba.njit(nogil=True, cache=True)
def _by_code(kode, n_kode):
    """Positions in a stable order by ``kode`` (0..n_kode-1) and where each code starts."""
    start = np.zeros(n_kode + 1, np.int64)
    for i in range(len(kode)):
        start[kode[i] + 1] += 1
    for c in range(n_kode):
        start[c + 1] += start[c]
    pos = start[:-1].copy()
    order = np.empty(len(kode), np.int64)
    for i in range(len(kode)):
        order[pos[kode[i]]] = i
        pos[kode[i]] += 1
    return order, start


@numba.njit(nogil=True, cache=True)
def _sort_codes(order, spare, start, c0, c1, jarak, lok):
    """Each code's run ``order[start[c]:start[c + 1]]``, c0 <= c < c1, by (jarak, lok)."""
    for c in range(c0, c1):
        _merge_sort(order, spare, start[c], start[c + 1], jarak, lok)


@numba.njit(nogil=True, cache=True)
def _merge_sort(a, spare, lo, hi, jarak, lok):
    """Sort ``a[lo:hi]`` (indices) by (``jarak``, ``lok``), stably, bottom-up."""
    width = 1
    src, dst = a, spare
    in_spare = False
    while width < hi - lo:
        for left in range(lo, hi, 2 * width):
            mid = min(left + width, hi)
            right = min(left + 2 * width, hi)
            i, j, k = left, mid, left
            while i < mid and j < right:
                p, q = src[i], src[j]
                if jarak[q] < jarak[p] or (jarak[q] == jarak[p] and lok[q] < lok[p]):
                    dst[k] = q
                    j += 1
                else:
                    dst[k] = p
                    i += 1
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < right:
                dst[k] = src[j]
                j += 1
                k += 1
        src, dst = dst, src
        in_spare = not in_spare
        width *= 2
    if in_spare:
        a[lo:hi] = spare[lo:hi]


def _ranks(values: pd.Series) -> tuple[pd.api.extensions.ExtensionArray, np.ndarray]:
    """``values`` as strings and each one's rank in string order: equal strings share a
    rank, missing values rank last (as ``sort_values`` puts them)."""
    text = pd.array(values.astype("str"), dtype="str")
    rank, uniques = pd.factorize(text, sort=True)
    return text, np.where(rank < 0, len(uniques), rank)
