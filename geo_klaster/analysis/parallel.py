"""GEOS and PROJ work split over a few threads.

Shapely's vectorised functions release the GIL inside GEOS, so an element-wise call over a
large array (one distance, intersection or validity test per element) runs on several cores
when cut into slices, one thread each. The result is the same array, element by element; on
a busy machine the threads simply share the cores. :func:`each` runs independent jobs (one
per computation region) the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

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


def each(
    func: Callable[[T], R], items: Sequence[T], *, cost: Sequence[float] | None = None
) -> list[R]:
    """``[func(x) for x in items]`` on up to :func:`workers` threads, the costliest first.

    For independent jobs whose work is mostly GEOS or PROJ (both release the GIL), e.g. one
    per computation region. ``func`` must touch only its own item's objects: pandas objects
    shared between jobs are not safe to use from several threads. Results keep ``items``'
    order; an exception in a job is raised here.
    """
    k = min(workers(), len(items))
    if k < 2:
        return [func(x) for x in items]
    order = np.argsort(-np.asarray(cost, dtype=float), kind="stable") if cost is not None else None
    idx = range(len(items)) if order is None else [int(i) for i in order]
    with ThreadPoolExecutor(k) as pool:
        futures = {i: pool.submit(func, items[i]) for i in idx}
    return [futures[i].result() for i in range(len(items))]
