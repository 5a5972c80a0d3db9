"""The analysis' compiled kernels (Numba), made ready before the first analysis needs them.

Numba compiles a kernel at its first call and keeps the machine code in its cache beside the
module (``__pycache__``, or the user's cache folder where that is read-only); every later
process loads it from there (~0.2 s, once per process). Only the first call after an install
or an upgrade compiles: several seconds of CPU for all of them. :func:`warm` does that
ahead, with the argument types the analysis uses: the test script runs it right after
installing, and ``geo-klaster serve`` on a background thread at start-up, so neither a
test's time limit nor the first visitor waits for the compiler.
"""

from __future__ import annotations

import time

import numpy as np
import shapely


def warm() -> float:
    """Compile (or load from the cache) every kernel of the analysis; the seconds it took."""
    from geo_klaster.analysis import distance, reach, validity

    start = time.perf_counter()
    square = shapely.box(0.0, 0.0, 10.0, 10.0)
    polys = np.array([square, shapely.MultiPolygon([square, shapely.box(20, 0, 30, 10)])])
    points = shapely.points([[5.0, 5.0], [15.0, 5.0], [40.0, 40.0]])
    i_pt, i_poly = reach.candidate_pairs(polys, points, 20.0)
    jarak = distance.distances(points, polys, i_pt, i_poly)
    reach._order(i_poly, jarak, i_pt)
    validity.is_valid(polys)
    return time.perf_counter() - start
