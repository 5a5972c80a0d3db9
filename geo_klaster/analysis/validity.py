"""Polygon validity, compiled for the plain case: the same answer as ``shapely.is_valid``.

The analysis checks every kecamatan, desa and flood zone after reprojection (an invalid one
is repaired with ``make_valid`` before its area is measured). GEOS's ``IsValidOp`` nodes every
ring for that; for the usual polygon — one ring, no hole — a compiled sweep over its edges
certifies validity faster. :func:`is_valid` answers True only where the kernel proves it:

* a Polygon without holes whose ring is closed, has finite coordinates and, once repeated
  consecutive points are dropped, at least 4 points (GEOS: "Too few points");
* each vertex turns left or right, never straight on or back (no edge folds onto the next);
* no two non-adjacent edges meet, not even at a point (GEOS: "Self-intersection", "Ring
  Self-intersection"): the edges are swept in order of their least x, and each pair whose
  boxes meet is shown apart by orientation signs.

Every sign is decided with GEOS's own orientation filter (imported from
:mod:`geo_klaster.analysis.distance`); a sign within its error bound, any contact, collinear
turn, hole, multipolygon, empty or missing geometry is left to GEOS itself. So no answer is
taken on rounding: True from the kernel is True from GEOS, everything else is GEOS's answer.
"""

from __future__ import annotations

import numba
import numpy as np
import shapely

from geo_klaster.analysis.distance import _orientation
from geo_klaster.analysis.parallel import elementwise

_POLYGON = 3


@numba.njit(nogil=True, cache=True)
def _simple_ring(xs, ys, vx, vy, work) -> bool:
    """True when the closed ring (xs, ys) is certainly simple: see the module docstring.
    ``vx, vy`` and ``work`` (5 rows): work arrays at least as long as the ring."""
    m = len(xs)
    if m < 4 or xs[0] != xs[m - 1] or ys[0] != ys[m - 1]:
        return False
    k = 0
    for i in range(m):
        x, y = xs[i], ys[i]
        if not (np.isfinite(x) and np.isfinite(y)):
            return False
        if k == 0 or x != vx[k - 1] or y != vy[k - 1]:
            vx[k] = x
            vy[k] = y
            k += 1
    if k < 4:
        return False
    n = k - 1  # edges: vertex i -> i + 1, vertex n == vertex 0
    lo = work[0]
    for i in range(n):  # every turn certainly left or right
        a = i - 1 if i > 0 else n - 1
        if abs(_orientation(vx[a], vy[a], vx[i], vy[i], vx[i + 1], vy[i + 1])) != 1:
            return False
        lo[i] = min(vx[i], vx[i + 1])
    order = np.argsort(lo[:n])
    # the edges' boxes in sweep order, side by side in memory
    x0, x1, y0, y1 = work[1], work[2], work[3], work[4]
    for p in range(n):
        e = order[p]
        x0[p] = lo[e]
        x1[p] = max(vx[e], vx[e + 1])
        y0[p] = min(vy[e], vy[e + 1])
        y1[p] = max(vy[e], vy[e + 1])
    for p in range(n):
        right, low, high = x1[p], y0[p], y1[p]
        for q in range(p + 1, n):
            if x0[q] > right:
                break
            if y0[q] > high or y1[q] < low:
                continue
            a, b = order[p], order[q]
            d = abs(a - b)
            if d == 1 or d == n - 1:  # adjacent: they share a vertex, checked by the turns
                continue
            o1 = _orientation(vx[a], vy[a], vx[a + 1], vy[a + 1], vx[b], vy[b])
            o2 = _orientation(vx[a], vy[a], vx[a + 1], vy[a + 1], vx[b + 1], vy[b + 1])
            if o1 == 2 or o2 == 2:
                return False
            if o1 == o2 and o1 != 0:  # b wholly on one side of a's line
                continue
            o3 = _orientation(vx[b], vy[b], vx[b + 1], vy[b + 1], vx[a], vy[a])
            o4 = _orientation(vx[b], vy[b], vx[b + 1], vy[b + 1], vx[a + 1], vy[a + 1])
            if o3 == 2 or o4 == 2:
                return False
            if o3 == o4 and o3 != 0:
                continue
            return False  # the edges meet (or might): GEOS decides
    return True


@numba.njit(nogil=True, cache=True)
def _simple_rings(xy: np.ndarray, start: np.ndarray) -> np.ndarray:
    """:func:`_simple_ring` of each ring ``xy[start[i]:start[i + 1]]``."""
    out = np.zeros(len(start) - 1, dtype=np.bool_)
    xs = np.ascontiguousarray(xy[:, 0])
    ys = np.ascontiguousarray(xy[:, 1])
    size = 0
    for i in range(len(start) - 1):
        size = max(size, start[i + 1] - start[i])
    vx, vy, work = np.empty(size), np.empty(size), np.empty((5, size))
    for i in range(len(start) - 1):
        a, b = start[i], start[i + 1]
        out[i] = _simple_ring(xs[a:b], ys[a:b], vx, vy, work)
    return out


def is_valid(geoms: np.ndarray) -> np.ndarray:
    """``shapely.is_valid(geoms)`` (False for missing ones), the plain polygons proven valid
    by the compiled kernel and everything else asked of GEOS (see the module docstring)."""
    geoms = np.asarray(geoms, dtype=object)
    plain = (shapely.get_type_id(geoms) == _POLYGON) & (shapely.get_num_interior_rings(geoms) == 0)
    plain &= ~shapely.is_empty(geoms)
    out = np.zeros(len(geoms), dtype=bool)
    if plain.any():
        rings = geoms[plain]
        count = shapely.get_num_coordinates(rings)
        start = np.concatenate([[0], np.cumsum(count)])
        out[plain] = _simple_rings(shapely.get_coordinates(rings), start)
    rest = ~out
    if rest.any():
        out[rest] = elementwise(shapely.is_valid, geoms[rest])
    return out
