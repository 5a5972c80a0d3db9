"""Element-wise GEOS work split over a few threads.

Shapely's vectorised functions release the GIL inside GEOS, so an element-wise call over a
large array (one distance, intersection or validity test per element) runs on several cores
when cut into slices, one thread each. The result is the same array, element by element; on
a busy machine the threads simply share the cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

MIN_ELEMENTS = 20_000  # below this one thread is as fast
MAX_THREADS = 4


def workers() -> int:
    """Threads for GEOS work: the CPUs this process may use, at most :data:`MAX_THREADS`."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_THREADS))


def elementwise(func: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """``func(*arrays)`` for an element-wise shapely function over arrays of one length,
    computed in slices on up to :func:`workers` threads when the arrays are large."""
    n, k = len(arrays[0]), workers()
    if k < 2 or n < MIN_ELEMENTS:
        return func(*arrays)
    cut = np.linspace(0, n, k + 1).astype(int)
    parts: list[np.ndarray | None] = [None] * k

    def run(i: int) -> None:
        parts[i] = func(*(a[cut[i] : cut[i + 1]] for a in arrays))

    with ThreadPoolExecutor(k) as pool:
        list(pool.map(run, range(k)))
    return np.concatenate(parts)
