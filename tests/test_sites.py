"""sites_in_flood(): each site's hazard class (the highest zone containing it) and the
stock status the policy gives it, in a metric CRS (EPSG:32748)."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo_klaster.analysis.sites import sites_in_flood
from geo_klaster.config import AnalysisConfig

UTM = "EPSG:32748"
X0, Y0 = 700_000.0, 9_300_000.0


def _sites() -> gpd.GeoDataFrame:
    # D dry (20 km east), L in the low zone only, T in low and high, B on the high zone's edge
    points = [(X0 + 20_000, Y0), (X0 + 1_000, Y0 + 1_000), (X0 + 6_000, Y0 + 6_000),
              (X0 + 5_000, Y0 + 8_000)]  # fmt: skip
    return gpd.GeoDataFrame(
        {"id": ["D", "L", "T", "B"], "anggota_id": ["M"] * 4, "nama": ["d", "l", "t", "b"]},
        geometry=[shapely.Point(p) for p in points],
        crs=UTM,
    ).to_crs(4326)


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kelas": ["rendah", "tinggi"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 10_000, Y0 + 10_000),  # 10 km square, low
            shapely.box(X0 + 5_000, Y0 + 5_000, X0 + 10_000, Y0 + 10_000),  # its NE quarter, high
        ],
        crs=UTM,
    )


def test_highest_class_wins_and_boundary_counts() -> None:
    out = sites_in_flood(_sites(), _zones(), crs=UTM, config=AnalysisConfig())
    by_id = out.set_index("lokasi_id")
    assert by_id["kelas_banjir"].to_dict() == {"D": "", "L": "rendah", "T": "tinggi", "B": "tinggi"}
    # default policy: low counts, high is unavailable, dry counts
    assert by_id["status_stok"].to_dict() == {
        "D": "tersedia", "L": "tersedia", "T": "tidak_tersedia", "B": "tidak_tersedia",
    }  # fmt: skip
    assert out.crs.to_epsg() == 4326  # geometry as given


def test_policy_is_configurable_and_no_zones_means_dry() -> None:
    config = AnalysisConfig(
        kebijakan_lokasi={"rendah": "berisiko", "sedang": "berisiko", "tinggi": "berisiko"}
    )
    out = sites_in_flood(_sites(), _zones(), crs=UTM, config=config).set_index("lokasi_id")
    assert out.loc["L", "status_stok"] == "berisiko" and out.loc["D", "status_stok"] == "tersedia"
    dry = sites_in_flood(_sites(), _zones().iloc[:0], crs=UTM, config=AnalysisConfig())
    assert (dry["kelas_banjir"] == "").all() and (dry["status_stok"] == "tersedia").all()
