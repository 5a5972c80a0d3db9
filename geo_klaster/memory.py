"""How much memory a computed value holds (for caches bounded in bytes)."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def estimate_bytes(value: Any, _depth: int = 0) -> int:
    """A generous estimate of the memory ``value`` holds.

    Parameters
    ----------
    value
        Bytes, text, a (Geo)DataFrame or Series, a dataclass (e.g. an analysis result), or a
        container of these.

    Returns
    -------
    int
        Bytes: frames by their columns (geometries at 16 bytes per coordinate plus 120 per
        geometry), dataclasses and containers by their members, anything else by
        ``sys.getsizeof``. Shared objects are counted each time they occur.
    """
    if _depth > 4:
        return sys.getsizeof(value)
    if isinstance(value, (bytes, bytearray, str)):
        return len(value) + 64
    if isinstance(value, pd.DataFrame):
        return sum(estimate_bytes(value[c], _depth + 1) for c in value.columns) + 1024
    if isinstance(value, pd.Series):
        if isinstance(value.dtype, gpd.array.GeometryDtype):
            coords = shapely.get_num_coordinates(np.asarray(value.values, dtype=object))
            return int(coords.sum()) * 16 + 120 * len(value)
        return int(value.memory_usage(deep=True, index=True))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(
            estimate_bytes(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value)
        )
    if isinstance(value, dict):
        return sum(
            estimate_bytes(k, _depth + 1) + estimate_bytes(v, _depth + 1) for k, v in value.items()
        ) + sys.getsizeof(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return sum(estimate_bytes(v, _depth + 1) for v in value) + sys.getsizeof(value)
    return sys.getsizeof(value)
