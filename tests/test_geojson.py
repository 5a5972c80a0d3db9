"""RFC 7946 output: lon/lat, no crs member, counter-clockwise exteriors, 7 decimals, JSON values."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_klaster.results.geojson import MEDIA_TYPE, dumps, to_feature_collection


def signed_area(ring: list[list[float]]) -> float:
    """Shoelace: positive for counter-clockwise rings."""
    xy = np.asarray(ring)
    return 0.5 * float(np.sum(xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1]))


def test_rings_are_oriented_counter_clockwise_with_clockwise_holes() -> None:
    shell_cw = [(107.0, -6.0), (107.1, -6.0), (107.1, -6.1), (107.0, -6.1)]  # clockwise
    hole_ccw = [(107.02, -6.08), (107.08, -6.08), (107.08, -6.02), (107.02, -6.02)]
    poly = shapely.Polygon(shell_cw, [hole_ccw])
    assert not shapely.is_ccw(poly.exterior)
    fc = to_feature_collection(gpd.GeoDataFrame({"n": [1]}, geometry=[poly], crs=4326))
    rings = fc["features"][0]["geometry"]["coordinates"]
    assert signed_area(rings[0]) > 0 and signed_area(rings[1]) < 0


def test_no_crs_member_lon_lat_order_and_reprojection() -> None:
    # A point built in UTM 48S near Cikarang comes out as [lon, lat].
    gdf = gpd.GeoDataFrame(
        {"n": [1]}, geometry=[shapely.Point(720_000, 9_300_000)], crs="EPSG:32748"
    )
    fc = to_feature_collection(gdf)
    assert "crs" not in fc and fc["type"] == "FeatureCollection"
    lon, lat = fc["features"][0]["geometry"]["coordinates"]
    assert 106 < lon < 108 and -7 < lat < -6
    assert MEDIA_TYPE == "application/geo+json"
    with pytest.raises(ValueError, match="CRS"):
        to_feature_collection(gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(1, 1)]))


def test_coordinates_keep_at_most_seven_decimals() -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(107.123456789123, -6.987654321987)], crs=4326)
    text = dumps(gdf).decode()
    assert "[107.1234568,-6.9876543]" in text
    assert json.loads(dumps(gdf, precision=3))["features"][0]["geometry"]["coordinates"] == [
        107.123,
        -6.988,
    ]


def test_properties_become_plain_json_values() -> None:
    gdf = gpd.GeoDataFrame(
        {
            "kode": pd.Series(["32.16.20", None], dtype="str"),
            "penduduk": [np.nan, 10_000.0],
            "jumlah": np.array([3, 4], dtype=np.int64),
            "berisiko": np.array([True, False]),
            "dilaporkan": pd.to_datetime(["2025-01-05T08:00:00Z", None]),
            "kedaluwarsa": [dt.date(2025, 6, 1), None],
            "inf": [np.inf, 1.5],
        },
        geometry=[shapely.Point(107.1, -6.3), None],
        crs=4326,
    )
    fc = json.loads(dumps(gdf, id_field="kode"))
    first, second = fc["features"]
    assert first["id"] == "32.16.20" and second["id"] is None
    assert first["properties"] == {
        "kode": "32.16.20",
        "penduduk": None,
        "jumlah": 3,
        "berisiko": True,
        "dilaporkan": "2025-01-05T15:00:00+07:00",  # the same instant, in WIB (zona_waktu)
        "kedaluwarsa": "2025-06-01",
        "inf": None,
    }
    assert second["properties"]["kode"] is None and second["properties"]["dilaporkan"] is None
    assert second["geometry"] is None
    assert type(second["properties"]["jumlah"]) is int


def test_selected_properties_and_bytes() -> None:
    gdf = gpd.GeoDataFrame({"a": [1], "b": ["x"]}, geometry=[shapely.Point(107, -6)], crs=4326)
    out = dumps(gdf, properties=["b"])
    assert isinstance(out, bytes)
    assert json.loads(out)["features"][0]["properties"] == {"b": "x"}
