"""crs.reproject (one pyproj call on the flat coordinates) and parallel.each (jobs on threads)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from geo_klaster.analysis.parallel import each
from geo_klaster.crs import WGS84, reproject

UTM48S = CRS.from_epsg(32748)


def _layer() -> np.ndarray:
    ring = [(107.0, -6.3), (107.1, -6.3), (107.1, -6.2), (107.0, -6.2)]
    hole = [(107.02, -6.28), (107.05, -6.28), (107.05, -6.25)]
    return np.array(
        [
            shapely.Polygon(ring, [hole]),
            None,
            shapely.Polygon(),
            shapely.MultiPolygon([shapely.box(106.9, -6.1, 106.95, -6.05), shapely.Polygon(ring)]),
            shapely.Point(107.05, -6.25),
            shapely.LineString([(107.0, -6.0), (108.0, -7.0)]),
        ],
        dtype=object,
    )


@pytest.mark.parametrize("dst", [UTM48S, CRS.from_epsg(3857)])
def test_reproject_gives_the_coordinates_of_to_crs_exactly(dst: CRS) -> None:
    geoms = _layer()
    expected = gpd.GeoSeries(geoms, crs=WGS84).to_crs(dst).to_numpy()
    got = reproject(geoms, WGS84, dst)
    assert got is not geoms and geoms[0].exterior.coords[0] == (107.0, -6.3)  # input untouched
    assert got[1] is None and got[2].is_empty
    assert shapely.equals_exact(got, expected, tolerance=0).sum() == 5  # all but the None
    assert shapely.get_coordinates(got) == pytest.approx(shapely.get_coordinates(expected), abs=0)
    if dst == UTM48S:  # 2.05° east of the zone's meridian (105°E), 6.25° south
        assert shapely.get_coordinates(got[4])[0] == pytest.approx(
            [726_814.4, 9_308_717.9], abs=0.1
        )


def test_reproject_same_crs_and_z_and_empty() -> None:
    geoms = _layer()
    assert reproject(geoms, WGS84, CRS.from_epsg(4326)) is geoms
    z = np.array([shapely.Point(107.0, -6.0, 12.5)], dtype=object)
    got = reproject(z, WGS84, UTM48S)
    assert shapely.has_z(got[0]) and shapely.get_coordinates(got, include_z=True)[0, 2] == 12.5
    assert len(reproject(np.array([], dtype=object), WGS84, UTM48S)) == 0


def test_each_keeps_the_order_of_the_items_and_raises() -> None:
    def job(x: int) -> int:
        return x * x

    assert each(job, list(range(7)), cost=[1, 9, 3, 8, 2, 7, 5]) == [x * x for x in range(7)]
    assert each(job, []) == []

    def bad(x: int) -> int:
        if x == 3:
            raise ValueError("tiga")
        return x

    with pytest.raises(ValueError, match="tiga"):
        each(bad, list(range(5)))


def test_points_in_boxes_match_a_plain_check_edges_included() -> None:
    from geo_klaster.analysis.pipeline import _in_boxes

    rng = np.random.default_rng(5)
    x = rng.integers(0, 1000, 30_000).astype(float)  # integers: many points on box edges
    y = rng.integers(0, 1000, 30_000).astype(float)
    x[:3], y[:3] = np.nan, [1.0, np.inf, np.nan]
    # first boxes over the west half holding 1.2 million point-box candidates (the sweep
    # takes them in chunks), then small boxes in the east half, reached in a later chunk
    big = [[0, 0, 499, 999]] * 80
    lo = np.c_[rng.integers(500, 1000, 400), rng.integers(0, 1000, 400)].astype(float)
    small = np.c_[lo, lo + rng.integers(0, 30, (400, 2))]
    boxes = np.r_[big, small, [[np.inf, 0, np.inf, 5]]]
    got = _in_boxes(x, y, boxes)
    assert (got == _plain(x, y, boxes)).all() and not got[:3].any()
    east = x >= 500
    assert 0 < got[east].sum() < east.sum()  # some east points in a small box, some not
    assert (_in_boxes(x, y, small) == _plain(x, y, small)).all()


def _plain(x: np.ndarray, y: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (
            (x[:, None] >= boxes[:, 0])
            & (x[:, None] <= boxes[:, 2])
            & (y[:, None] >= boxes[:, 1])
            & (y[:, None] <= boxes[:, 3])
        ).any(axis=1)
