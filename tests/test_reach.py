"""Reach: straight-line distance from sites to kecamatan polygons, in metres."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_klaster.analysis.reach import reach
from geo_klaster.errors import InputError

UTM = "EPSG:32748"
X0, Y0 = 720_000, 9_300_000
KM = 1000.0


def kecamatan_utm() -> gpd.GeoDataFrame:
    """Two 10 km squares side by side, built in UTM 48S, round-tripped through WGS84."""
    geoms = [
        shapely.box(X0, Y0, X0 + 10 * KM, Y0 + 10 * KM),
        shapely.box(X0 + 10 * KM, Y0, X0 + 20 * KM, Y0 + 10 * KM),
    ]
    gdf = gpd.GeoDataFrame({"kode": ["32.16.19", "32.16.20"]}, geometry=geoms, crs=UTM)
    return gdf.to_crs(4326).to_crs(UTM)


def sites_utm(points: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Sites at (x, y) km from (X0, Y0)."""
    geoms = [shapely.Point(X0 + x * KM, Y0 + y * KM) for x, y in points.values()]
    gdf = gpd.GeoDataFrame({"lokasi_id": list(points)}, geometry=geoms, crs=UTM)
    return gdf.to_crs(4326).to_crs(UTM)


def test_distance_to_polygon_is_zero_inside_and_3000_m_outside() -> None:
    sites = sites_utm({"dalam": (5, 5), "barat3km": (-3, 5), "jauh": (-16, 5)})
    out = reach(kecamatan_utm().iloc[[0]], sites, jarak_m=15_000)
    got = out.set_index("lokasi_id")["jarak_m"]
    assert got["dalam"] == 0
    assert got["barat3km"] == pytest.approx(3000, abs=1)
    assert "jauh" not in got.index  # 16 km > 15 km
    assert list(out.columns) == ["kode", "lokasi_id", "jarak_m"]


def test_every_kecamatan_gets_its_pairs_sorted_by_distance() -> None:
    sites = sites_utm({"a": (5, 5), "b": (12, 5), "c": (34.9, 5), "d": (35.1, 5)})
    out = reach(kecamatan_utm(), sites, jarak_m=15_000)
    pairs = {(r.kode, r.lokasi_id): r.jarak_m for r in out.itertuples()}
    assert pairs[("32.16.19", "a")] == 0
    assert pairs[("32.16.19", "b")] == pytest.approx(2000, abs=1)
    assert pairs[("32.16.20", "a")] == pytest.approx(5000, abs=1)
    assert pairs[("32.16.20", "b")] == 0
    assert pairs[("32.16.20", "c")] == pytest.approx(14900, abs=1)
    assert ("32.16.20", "d") not in pairs and ("32.16.19", "c") not in pairs
    assert out.groupby("kode")["jarak_m"].apply(lambda s: s.is_monotonic_increasing).all()


def test_missing_site_geometry_is_skipped() -> None:
    sites = sites_utm({"a": (5, 5)})
    sites = pd.concat(
        [sites, gpd.GeoDataFrame({"lokasi_id": ["kosong"]}, geometry=[None], crs=UTM)],
        ignore_index=True,
    )
    out = reach(kecamatan_utm(), sites, jarak_m=15_000)
    assert set(out["lokasi_id"]) == {"a"}


def test_reach_needs_a_metric_crs() -> None:
    with pytest.raises(InputError, match="metrik"):
        reach(kecamatan_utm().to_crs(4326), sites_utm({"a": (1, 1)}).to_crs(4326), jarak_m=1)


def _star(rng: np.random.Generator, cx: float, cy: float, r: float, n: int) -> shapely.Polygon:
    ang = np.sort(rng.uniform(0, 2 * np.pi, n))
    rad = r * (1 + 0.6 * rng.uniform(-1, 1, n))
    return shapely.make_valid(
        shapely.Polygon(np.c_[cx + rad * np.cos(ang), cy + rad * np.sin(ang)])
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reach_pairs_equal_brute_force_over_all_pairs(seed: int) -> None:
    """Concave stars, a polygon with a hole, a multipolygon, sites exactly 15 km from box
    edges: the candidate pass loses no pair and the distances are GEOS' own."""
    rng = np.random.default_rng(seed)
    geoms = [
        _star(rng, *rng.uniform(0, 60 * KM, 2), rng.uniform(0.5, 12) * KM, int(rng.integers(3, 60)))
        for _ in range(25)
    ]
    geoms.append(
        shapely.box(0, 0, 40 * KM, 40 * KM).difference(
            shapely.box(10 * KM, 10 * KM, 30 * KM, 30 * KM)
        )
    )
    geoms.append(
        shapely.MultiPolygon([shapely.box(0, 0, KM, KM), shapely.box(50 * KM, 0, 51 * KM, KM)])
    )
    kec = gpd.GeoDataFrame(
        {"kode": [f"K{i:02d}" for i in range(len(geoms))]}, geometry=geoms, crs=UTM
    )
    xy = rng.uniform(-30 * KM, 90 * KM, size=(2000, 2))
    xy[:200] = np.rint(xy[:200] / KM) * KM  # on grid lines, exactly 15 km from box edges
    sites = gpd.GeoDataFrame(
        {"lokasi_id": [f"L{i}" for i in range(len(xy))]}, geometry=shapely.points(xy), crs=UTM
    )
    got = reach(kec, sites, jarak_m=15_000)

    i_poly, i_pt = np.meshgrid(np.arange(len(kec)), np.arange(len(sites)), indexing="ij")
    d = shapely.distance(
        kec.geometry.to_numpy()[i_poly.ravel()], sites.geometry.to_numpy()[i_pt.ravel()]
    )
    keep = d <= 15_000
    expected = pd.DataFrame(
        {
            "kode": kec["kode"].to_numpy()[i_poly.ravel()[keep]],
            "lokasi_id": sites["lokasi_id"].to_numpy()[i_pt.ravel()[keep]],
            "jarak_m": d[keep],
        }
    ).sort_values(["kode", "jarak_m", "lokasi_id"], kind="stable")
    assert (d == 15_000).sum() > 0  # the limit itself is in the sample (inclusive)
    assert len(got) == len(expected) > 5000
    assert (got["kode"].to_numpy() == expected["kode"].to_numpy()).all()
    assert (got["lokasi_id"].to_numpy() == expected["lokasi_id"].to_numpy()).all()
    assert (got["jarak_m"].to_numpy() == expected["jarak_m"].to_numpy()).all()  # exact


def test_reach_skips_missing_sites() -> None:
    sites = sites_utm({"a": (5, 5), "b": (12, 5)})
    sites = pd.concat(
        [sites, gpd.GeoDataFrame({"lokasi_id": ["kosong"]}, geometry=[None], crs=UTM)],
        ignore_index=True,
    )
    got = reach(kecamatan_utm(), sites, jarak_m=15_000)
    assert "kosong" not in set(got["lokasi_id"])
    assert set(got["lokasi_id"]) == {"a", "b"}


def test_reach_skips_empty_and_missing_sites() -> None:
    """A site without a usable point never pairs, and does not stop the others."""
    kec = gpd.GeoDataFrame(
        {"kode": ["A"]}, geometry=[shapely.geometry.box(0, 0, 1000, 1000)], crs=32748
    )
    lokasi = gpd.GeoDataFrame(
        {"lokasi_id": ["kosong", "hilang", "dekat"]},
        geometry=[shapely.geometry.Point(), None, shapely.geometry.Point(1300, 1400)],
        crs=32748,
    )
    pairs = reach(kec, lokasi, jarak_m=1000)
    assert pairs["lokasi_id"].tolist() == ["dekat"]
    assert pairs["jarak_m"].tolist() == [500.0]
