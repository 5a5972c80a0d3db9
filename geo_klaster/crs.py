"""Coordinate reference systems: the one place that picks a metric CRS.

Layers are stored and exchanged in WGS84 (EPSG:4326); areas and distances are computed in
a metric CRS (metres), chosen here — the UTM zone of the data unless the configuration
names one. Kabupaten Bekasi gives EPSG:32748 (UTM 48S).

Data spanning several UTM zones (Indonesia runs from zone 46 to 54) must not be computed in
one of them: 20° from its central meridian Transverse Mercator's scale error is ~6 %, ~900 m
on a 15 km reach. :func:`utm_zones` gives each kecamatan the zone of its representative
point, and the analysis computes each zone's kecamatan in that zone (see
:func:`geo_klaster.analysis.pipeline.run_analysis`). A kecamatan up to ~0.5° beyond its zone's edge is
measured with a scale factor within 0.9996–1.0012: a 15 km reach within −6 m / +18 m of
the geodesic, areas within −0.08 % / +0.24 %.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

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


def reproject(geoms: np.ndarray, src: CRS, dst: CRS) -> np.ndarray:
    """``geoms`` (shapely array) from ``src`` to ``dst``: one pyproj call on their flat 2D
    coordinates, the same coordinates as ``GeoSeries(geoms, crs=src).to_crs(dst)`` without
    its per-call overhead. Geometries with Z go through geopandas; missing ones stay missing.
    """
    geoms = np.asarray(geoms, dtype=object)
    src, dst = CRS.from_user_input(src), CRS.from_user_input(dst)
    if src.is_exact_same(dst):
        return geoms
    if shapely.has_z(geoms).any():
        return gpd.GeoSeries(geoms, crs=src).to_crs(dst).to_numpy()
    xy = shapely.get_coordinates(geoms)
    if not len(xy):
        return geoms.copy()
    x, y = transform_xy(xy[:, 0], xy[:, 1], src, dst)
    return shapely.set_coordinates(geoms.copy(), np.column_stack([x, y]))


def transform_xy(x: np.ndarray, y: np.ndarray, src: CRS, dst: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (x, y; lon, lat for a geographic CRS) from ``src`` to ``dst``, computed as
    :func:`reproject` and ``to_crs`` compute them (NaN in, NaN or inf out)."""
    src, dst = CRS.from_user_input(src), CRS.from_user_input(dst)
    if src.is_exact_same(dst):
        return np.array(x, dtype=float), np.array(y, dtype=float)
    tx, ty = _transformer(src, dst).transform(x, y)
    return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)


@functools.lru_cache(maxsize=64)
def _transformer(src: CRS, dst: CRS) -> Transformer:
    """The lon/lat-ordered transformer geopandas' ``to_crs`` uses (pyproj transformers are
    thread-safe: each thread gets its own PROJ object)."""
    return Transformer.from_crs(src, dst, always_xy=True)


def utm_zone(lon: np.ndarray) -> np.ndarray:
    """UTM zone number (1–60) of each longitude (degrees)."""
    return np.clip((np.floor((np.asarray(lon, dtype=float) + 180.0) / 6.0) + 1), 1, 60).astype(int)


@functools.lru_cache(maxsize=128)
def utm_crs(zone: int, south: bool) -> CRS:
    """WGS 84 / UTM ``zone`` N or S (EPSG:326zz / 327zz; the two differ only by a false
    northing, so distances and areas are the same)."""
    return CRS.from_epsg((32700 if south else 32600) + int(zone))


def utm_zones(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """(zone, longitude) of each row's representative point (WGS84; rows without geometry: 0, NaN).

    ``gdf`` must have a CRS. The representative point lies inside its polygon, so a
    kecamatan belongs to the zone that holds (part of) it.
    """
    if gdf.crs is None:
        raise InputError("lapisan tanpa CRS / layer has no CRS: name one")
    geoms = (
        gdf.geometry if CRS.from_user_input(gdf.crs).equals(WGS84) else gdf.geometry.to_crs(WGS84)
    )
    arr = geoms.to_numpy()
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    lon = np.full(len(arr), np.nan)
    lon[ok] = shapely.get_x(shapely.point_on_surface(arr[ok]))
    zone = np.zeros(len(arr), dtype=int)
    zone[ok] = utm_zone(lon[ok])
    return zone, lon


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
