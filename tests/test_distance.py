"""The compiled point-to-polygon distance (analysis.distance) gives GEOS's values, bit for bit.

Each case compares :func:`geo_klaster.analysis.distance.distances` with
``shapely.distance`` on the same pairs with ``==`` (no tolerance): real boundaries with
points scattered around them, put on their vertices, on their edges and a hair beside them;
polygons with holes, multipolygons, invalid (self-crossing) rings, repeated vertices and
non-polygonal geometries.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo_klaster.analysis.distance import Polygons, distances


def _all_pairs(points, polys):
    i_pt, i_poly = np.meshgrid(np.arange(len(points)), np.arange(len(polys)), indexing="ij")
    return i_pt.ravel(), i_poly.ravel()


def _same_as_geos(points, polys, i_pt, i_poly) -> np.ndarray:
    ours = distances(points, polys, i_pt, i_poly)
    geos = shapely.distance(points[i_pt], polys[i_poly])
    # equal, or both NaN (GEOS's answer for an empty geometry)
    differ = np.flatnonzero((ours != geos) & ~(np.isnan(ours) & np.isnan(geos)))
    assert not len(differ), (
        f"{len(differ)} of {len(ours)} pairs differ from GEOS, e.g. pair {differ[0]}: "
        f"{ours[differ[0]]!r} != {geos[differ[0]]!r}"
    )
    return ours


def _hard_points(polys, rng, n_random: int) -> np.ndarray:
    """Points where the inside test is hard: every vertex, edge midpoints, points a hair
    (1e-9 m, 1 mm) beside edges on both sides, plus ``n_random`` scattered points."""
    coords = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(polys)))
    a, b = coords[:-1], coords[1:]
    pick = rng.choice(len(a), size=min(len(a), 400), replace=False)
    a, b = a[pick], b[pick]
    mid = (a + b) / 2
    edge = b - a
    norm = np.hypot(edge[:, 0], edge[:, 1])[:, None]
    normal = np.c_[-edge[:, 1], edge[:, 0]] / np.where(norm > 0, norm, 1)
    near = [mid + s * h * normal for h in (1e-9, 1e-3) for s in (1, -1)]
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = hi - lo
    scatter = rng.uniform(lo - 0.2 * span, hi + 0.2 * span, size=(n_random, 2))
    every = np.vstack([coords[pick], mid, *near, scatter])
    return shapely.points(every)


@pytest.fixture(scope="module")
def bekasi_utm(shared_data):
    kec = gpd.read_file(shared_data / "bekasi" / "kecamatan.geojson")
    return kec.to_crs(32748).geometry.to_numpy()


def test_real_boundaries_bekasi(bekasi_utm):
    rng = np.random.default_rng(1)
    points = _hard_points(bekasi_utm, rng, 1500)
    i_pt, i_poly = _all_pairs(points, bekasi_utm)
    d = _same_as_geos(points, bekasi_utm, i_pt, i_poly)
    assert (d == 0).sum() > len(points) // 4  # the test reaches inside and on the boundary
    assert d.max() > 10_000  # and far outside


def test_real_boundaries_jakarta(shared_data):
    kel = gpd.read_file(shared_data / "jakarta" / "admin_kelurahan.geojson").to_crs(32748)
    polys = kel.geometry.to_numpy()
    rng = np.random.default_rng(2)
    points = _hard_points(polys, rng, 300)
    i_pt = rng.integers(0, len(points), 200_000)
    i_poly = rng.integers(0, len(polys), 200_000)
    _same_as_geos(points, polys, i_pt, i_poly)


def test_holes_multipolygons_and_odd_geometries():
    square = shapely.box(0, 0, 100, 100)
    holed = shapely.Polygon(
        [(0, 0), (100, 0), (100, 100), (0, 100)],
        [[(20, 20), (40, 20), (40, 40), (20, 40)], [(60, 60), (80, 60), (80, 80), (60, 80)]],
    )
    multi = shapely.MultiPolygon([shapely.box(200, 0, 300, 50), holed])
    bowtie = shapely.Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])  # invalid
    overlapping = shapely.MultiPolygon([shapely.box(0, 0, 60, 60), shapely.box(40, 40, 100, 100)])
    repeated = shapely.Polygon([(0, 0), (0, 0), (50, 0), (50, 0), (50, 50), (0, 50)])
    hole_outside = shapely.Polygon(square.exterior, [[(150, 150), (160, 150), (160, 160)]])
    polys = np.array(
        [
            square,
            holed,
            multi,
            bowtie,
            overlapping,
            repeated,
            hole_outside,
            shapely.LineString([(0, 0), (50, 50)]),  # not a polygon: GEOS decides
            shapely.GeometryCollection([square, shapely.Point(500, 500)]),
            shapely.Polygon(),
        ],
        dtype=object,
    )
    grid = np.arange(-20.0, 321.0, 2.5)
    xy = np.array(np.meshgrid(grid, grid)).reshape(2, -1).T
    points = shapely.points(np.vstack([xy, [[30, 30], [70, 70], [155, 152], [25, 25.000001]]]))
    i_pt, i_poly = _all_pairs(points, polys)
    d = _same_as_geos(points, polys, i_pt, i_poly)
    at = {i: d[(i_pt == len(xy)) & (i_poly == i)][0] for i in range(len(polys))}
    assert at[0] == 0 and at[1] == 10.0  # (30, 30) lies in the first hole, 10 m from its edge


def test_random_polygons_and_large_coordinates():
    """Jagged random polygons at UTM-like coordinates (northing 9.3e6 m)."""
    rng = np.random.default_rng(3)
    polys = []
    for _ in range(60):
        cx, cy = rng.uniform(7e5, 7.5e5), rng.uniform(9.30e6, 9.35e6)
        n = rng.integers(3, 200)
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(100, 5_000, n)
        polys.append(shapely.Polygon(np.c_[cx + rad * np.cos(ang), cy + rad * np.sin(ang)]))
    polys = np.array(polys, dtype=object)
    points = _hard_points(polys, rng, 3_000)
    i_pt = rng.integers(0, len(points), 300_000)
    i_poly = rng.integers(0, len(polys), 300_000)
    _same_as_geos(points, polys, i_pt, i_poly)


def test_flattened_segments():
    """Each geometry's segments are one run: a holed square has 4 + 4 segments."""
    holed = shapely.Polygon(
        [(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4), (2, 4)]]
    )
    flat = Polygons(np.array([shapely.box(0, 0, 1, 1), holed, shapely.Point(0, 0)], dtype=object))
    assert list(flat.geom_segs) == [0, 4, 12, 12]
    assert list(flat.polygonal) == [True, True, False]
    assert flat.inv[4] == pytest.approx(1 / 100)


def test_no_pairs():
    polys = np.array([shapely.box(0, 0, 1, 1)], dtype=object)
    points = np.array([shapely.Point(5, 5)], dtype=object)
    empty = np.zeros(0, dtype=np.intp)
    assert distances(points, polys, empty, empty).shape == (0,)


def test_empty_and_missing_points_beside_paired_ones():
    """Points that are not paired may be empty or missing (reach never pairs them)."""
    polys = np.array([shapely.box(0, 0, 1, 1)], dtype=object)
    points = np.array([shapely.Point(), None, shapely.Point(4, 5)], dtype=object)
    d = distances(points, polys, np.array([2]), np.array([0]))
    assert d.tolist() == [5.0]
