"""The analysis' compiled kernels (Numba), made ready before the first analysis needs them.

Numba compiles a kernel at its first call and keeps the machine code in its cache beside the
module (``__pycache__``, or the user's cache folder where that is read-only); every later
process loads it from there (~0.2 s, once per process). Only the first call after an install
or an upgrade compiles: several seconds of CPU for all of them. :func:`warm` does that
ahead, with the argument types the analysis uses: the test script runs it right after
installing, and ``geo-klaster serve`` before it serves (before gunicorn forks its workers,
which then start with the kernels), so neither a test's time limit nor the first visitor
waits for the compiler.

Numba checks a cached kernel against its own module's source only, but a kernel that calls
one from another module (``validity`` uses ``distance``'s orientation test) carries that
code too: after an upgrade that changes only ``distance.py``, ``validity``'s cache would be
stale. :func:`fresh_cache` therefore drops every kernel's cache when the source of any
module in :data:`KERNEL_MODULES` changed; ``distance`` (imported by every other kernel
module) calls it on import. A module that adds kernels joins :data:`KERNEL_MODULES`.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import shapely

KERNEL_MODULES = ("distance", "reach", "validity")
_STAMP = "numba-kernels.sha256"
_checked = False


def fresh_cache() -> None:
    """Drop the analysis' Numba cache (``__pycache__/*.nbi``, ``*.nbc``) if the kernel
    modules' sources changed since it was written; once per process. A read-only install
    (Numba then caches in the user's folder) is left alone."""
    global _checked
    if _checked:
        return
    _checked = True
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in KERNEL_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    cache, want = here / "__pycache__", digest.hexdigest()
    try:
        if (cache / _STAMP).read_text() == want:
            return
    except OSError:
        pass
    try:
        for name in KERNEL_MODULES:
            for old in [*cache.glob(f"{name}.*.nbi"), *cache.glob(f"{name}.*.nbc")]:
                old.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        (cache / _STAMP).write_text(want)
    except OSError:
        pass


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
