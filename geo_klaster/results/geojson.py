"""GeoDataFrames as RFC 7946 GeoJSON FeatureCollections.

RFC 7946: WGS84 ``[lon, lat]`` (a layer in another CRS is reprojected), no ``crs`` member,
exterior rings counter-clockwise and holes clockwise, coordinates rounded (7 decimals ≈ 1 cm).
Properties become JSON values: NaN/NA/NaT → ``null``, numpy scalars → Python numbers,
times → ISO 8601 with the regency zone's offset (``2026-11-27T14:05:00+07:00``; stored UTC,
:mod:`geo_klaster.waktu`), the schema's date fields (``kedaluwarsa``) → dates
(``2027-08-05``). Media type: :data:`MEDIA_TYPE`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo_klaster import waktu

MEDIA_TYPE = "application/geo+json"
_WGS84 = CRS.from_epsg(4326)


def _value(v: Any) -> Any:
    """One property value as a JSON-ready Python value."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else pd.Timestamp(v).isoformat()
    if isinstance(v, (pd.Timedelta, dt.timedelta)):
        return pd.Timedelta(v).isoformat()
    if isinstance(v, np.ndarray):
        return [_value(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _value(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    return v


@functools.cache
def date_fields() -> frozenset[str]:
    """Names of the schema's date fields (written as dates, not times)."""
    from geo_klaster import schema as schema_mod

    return frozenset(
        f.name
        for name in schema_mod.layer_names()
        for f in schema_mod.get(name).fields
        if f.type == "date"
    )


def _column(s: pd.Series, zona: str | None = None, tanggal: bool = False) -> list[Any]:
    """A column as JSON-ready values (vectorised for the common dtypes); times in ``zona``
    with its offset, a date column (``tanggal``) as dates."""
    if tanggal or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return [_value(v) for v in waktu.kolom_iso(s, zona, tanggal=tanggal)]
    if s.dtype == object and any(isinstance(v, (dt.datetime, dt.date)) for v in s.head(50)):
        return [_value(v) for v in waktu.kolom_iso(s, zona)]
    if pd.api.types.is_bool_dtype(s.dtype) and not s.hasnans:
        return [bool(x) for x in s.to_numpy()]
    if pd.api.types.is_integer_dtype(s.dtype) and not s.hasnans:
        return [int(x) for x in s.to_numpy()]
    if pd.api.types.is_float_dtype(s.dtype):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        return [float(x) if math.isfinite(x) else None for x in arr]
    return [_value(x) for x in s.astype(object).to_numpy()]


def prepare_geometry(geoms: np.ndarray, *, precision: int = 7) -> np.ndarray:
    """Geometries rounded to ``precision`` decimals with RFC 7946 ring orientation."""
    rounded = shapely.transform(geoms, lambda c: np.round(c, precision))
    return shapely.orient_polygons(rounded, exterior_cw=False)


def to_feature_collection(
    gdf: gpd.GeoDataFrame,
    *,
    precision: int = 7,
    id_field: str | None = None,
    properties: list[str] | None = None,
    zona: str | None = None,
) -> dict[str, Any]:
    """A GeoDataFrame as an RFC 7946 FeatureCollection (a dict ready for :func:`json.dumps`).

    Parameters
    ----------
    gdf
        Any GeoDataFrame with a CRS (reprojected to EPSG:4326 if needed).
    precision
        Decimals kept in coordinates (7 ≈ 1 cm).
    id_field
        Column whose value becomes each feature's ``id`` (it also stays a property).
    properties
        Columns to write, in order; None = all but the geometry.
    zona
        Time zone of the times written (``WIB``, ``WITA``, ``WIT``; None = WIB), with its
        offset; the schema's date fields are written as dates.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}``; missing or empty geometries give
        ``"geometry": null``.
    """
    if gdf.crs is None:
        raise ValueError("GeoJSON: layer has no CRS; RFC 7946 needs WGS84 lon/lat")
    if not CRS(gdf.crs).equals(_WGS84):
        gdf = gdf.to_crs(_WGS84)
    geoms = prepare_geometry(gdf.geometry.to_numpy(), precision=precision)
    names = (
        properties if properties is not None else [c for c in gdf.columns if c != gdf.geometry.name]
    )
    dates = date_fields()
    columns = {c: _column(gdf[c], zona, c in dates) for c in names}
    ids = _column(gdf[id_field], zona) if id_field is not None else None
    features = []
    for i, geom in enumerate(geoms):
        feature: dict[str, Any] = {"type": "Feature"}
        if ids is not None:
            feature["id"] = ids[i]
        feature["properties"] = {c: columns[c][i] for c in names}
        feature["geometry"] = (
            None if geom is None or geom.is_empty else shapely.geometry.mapping(geom)
        )
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def dumps(
    gdf_or_fc: gpd.GeoDataFrame | dict[str, Any],
    *,
    precision: int = 7,
    id_field: str | None = None,
    properties: list[str] | None = None,
    zona: str | None = None,
) -> bytes:
    """Compact UTF-8 GeoJSON bytes of a GeoDataFrame or a prepared FeatureCollection dict."""
    fc = (
        gdf_or_fc
        if isinstance(gdf_or_fc, dict)
        else to_feature_collection(
            gdf_or_fc, precision=precision, id_field=id_field, properties=properties, zona=zona
        )
    )
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
