"""Coordinate reference systems: the one place that picks a metric CRS.

Layers are stored and exchanged in WGS84 (EPSG:4326); areas and distances are computed in
a metric CRS (metres), chosen here — the UTM zone of the data unless the configuration
names one. Kabupaten Bekasi gives EPSG:32748 (UTM 48S).
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geo_klaster.errors import InputError

WGS84 = CRS.from_epsg(4326)


def metric_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, crs: str | CRS | None = None) -> CRS:
    """The metric CRS for computing on ``gdf``.

    Parameters
    ----------
    gdf
        Any layer with a CRS (usually the kecamatan, EPSG:4326).
    crs
        A CRS to use instead of the estimate (must be projected, in metres).

    Returns
    -------
    pyproj.CRS
        ``crs`` if given, else the UTM zone ``gdf.estimate_utm_crs()`` picks.
    """
    if crs is not None:
        chosen = CRS.from_user_input(crs)
        if not chosen.is_projected:
            raise InputError(
                f"CRS metrik harus terproyeksi (meter) / metric CRS must be projected: {chosen}"
            )
        return chosen
    if gdf.crs is None:
        raise InputError("lapisan tanpa CRS / layer has no CRS: name one")
    if len(gdf) == 0 or gdf.geometry.is_empty.all():
        raise InputError("lapisan kosong: CRS metrik tidak dapat diperkirakan / empty layer")
    geoms = (
        gdf.geometry if CRS.from_user_input(gdf.crs).equals(WGS84) else gdf.geometry.to_crs(WGS84)
    )
    bounds = tuple(float(v) for v in np.round(geoms.total_bounds, 3))
    return _utm_for_bounds(bounds)


@functools.lru_cache(maxsize=64)
def _utm_for_bounds(bounds: tuple[float, ...]) -> CRS:
    """``estimate_utm_crs`` for a lon/lat box (cached: the PROJ database query takes ~0.1 s)."""
    return gpd.GeoSeries([shapely.box(*bounds)], crs=WGS84).estimate_utm_crs()


def check_same_crs(
    a: gpd.GeoDataFrame | gpd.GeoSeries,
    b: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    names: tuple[str, str] = ("a", "b"),
) -> None:
    """Raise :class:`~geo_klaster.errors.InputError` unless ``a`` and ``b`` share one CRS.

    Both must have a CRS: a layer without one cannot be combined with anything.
    """
    for name, layer in zip(names, (a, b), strict=True):
        if layer.crs is None:
            raise InputError(f"lapisan '{name}' tanpa CRS / layer '{name}' has no CRS")
    if not CRS.from_user_input(a.crs).equals(CRS.from_user_input(b.crs)):
        raise InputError(
            f"CRS berbeda / CRS differ: '{names[0]}' {a.crs.to_string()} "
            f"vs '{names[1]}' {b.crs.to_string()}; reproject one first"
        )
