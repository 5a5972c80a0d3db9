"""Exposure: flooded areas, exposed and displaced people, hand-checkable on 10 km squares."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from geo_klaster.analysis.exposure import exposure, exposure_table, flood_parts
from geo_klaster.analysis.needs import needs
from geo_klaster.config import AnalysisConfig, Standar, kelas_dari_indeks
from geo_klaster.crs import check_same_crs, metric_crs
from geo_klaster.errors import InputError

UTM = "EPSG:32748"
X0, Y0 = 720_000, 9_300_000  # near Cikarang, UTM 48S
KM = 1000.0


def box_km(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A rectangle given in km from (X0, Y0), in EPSG:32748."""
    return shapely.box(X0 + x0 * KM, Y0 + y0 * KM, X0 + x1 * KM, Y0 + y1 * KM)


def layer(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    """A layer built in EPSG:32748 and delivered, like every layer, in EPSG:4326."""
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=UTM).to_crs(4326)


def kecamatan(penduduk: float = 10_000.0) -> gpd.GeoDataFrame:
    return layer(
        [{"kode": "32.16.20", "nama": "Cikarang Pusat", "penduduk": penduduk}],
        [box_km(0, 0, 10, 10)],
    )


def zona(*items: tuple[str, shapely.Geometry]) -> gpd.GeoDataFrame:
    return layer([{"kelas": k, "skenario": "latihan"} for k, _ in items], [g for _, g in items])


def run(kec: gpd.GeoDataFrame, z: gpd.GeoDataFrame, **kw) -> gpd.GeoDataFrame:
    return exposure(kec, z, crs=CRS(UTM), config=AnalysisConfig(), skenario="latihan", **kw)


def test_half_flooded_rendah_square_gives_50_displaced_and_140_kg_rice() -> None:
    out = run(kecamatan(), zona(("rendah", box_km(0, 0, 5, 10))))
    row = out.iloc[0]
    assert row["luas_m2"] == pytest.approx(100_000_000, rel=1e-3)
    assert row["luas_banjir_m2"] == pytest.approx(50_000_000, rel=1e-3)
    assert row["luas_rendah_m2"] == pytest.approx(50_000_000, rel=1e-3)
    assert row["luas_sedang_m2"] == 0 and row["luas_tinggi_m2"] == 0
    assert row["porsi_banjir"] == pytest.approx(0.5, rel=1e-3)
    assert row["terdampak"] == pytest.approx(5_000, rel=1e-3)
    assert row["pengungsi"] == pytest.approx(50, rel=1e-3)
    assert bool(row["berisiko"]) and row["peringkat"] == 1
    need = needs(out, config=AnalysisConfig()).set_index("barang")
    assert need.loc["beras", "kebutuhan"] == pytest.approx(140, rel=1e-3)  # 50 × 2.8 kg
    assert need.loc["beras", "satuan"] == "kg"
    # once: 50 / 20 = 2.5 toilets, rounded up to whole toilets (unit "unit": bulat)
    assert need.loc["toilet", "kebutuhan"] == 3.0
    assert need.loc["perahu_karet", "ilustratif"]


def test_needs_scale_with_days_for_weekly_items_only() -> None:
    out = run(kecamatan(), zona(("rendah", box_km(0, 0, 5, 10))))
    need = needs(out, config=AnalysisConfig(), hari=14).set_index("barang")
    assert need.loc["beras", "kebutuhan"] == pytest.approx(280, rel=1e-3)
    assert need.loc["toilet", "kebutuhan"] == 3.0  # 2.5 once, whole toilets


def test_needs_of_whole_unit_items_are_rounded_up_and_below_threshold_listed() -> None:
    # ~50 displaced: family kits (1 per 5) whole, ~10 rounded up; 2.5 toilets -> 3; a
    # catalogue saying toilets may be split (bulat false) keeps 2.5.
    out = run(kecamatan(), zona(("rendah", box_km(0, 0, 5, 10))))
    need = needs(out, config=AnalysisConfig()).set_index("barang")
    kits = need.loc["paket_keluarga", "kebutuhan"]
    assert kits == np.ceil(out["pengungsi"].iloc[0] / 5 - 1e-9) and kits in (10.0, 11.0)
    barang = pd.DataFrame(
        {"kode": ["toilet"], "nama": ["Toilet"], "kategori": ["peralatan"], "satuan": ["unit"],
         "bulat": [False]}
    )  # fmt: skip
    split = needs(out, config=AnalysisConfig(), barang=barang).set_index("barang")
    assert split.loc["toilet", "kebutuhan"] == pytest.approx(2.5, rel=1e-3)
    # the same kecamatan below a 60 % threshold: listed, not at risk, same numbers
    below = out.assign(berisiko=False)
    rows = needs(below, config=AnalysisConfig()).set_index("barang")
    assert not rows["berisiko"].any()
    assert rows.loc["toilet", "kebutuhan"] == 3.0


def test_unknown_population_gives_nan_not_zero() -> None:
    out = run(kecamatan(np.nan), zona(("tinggi", box_km(0, 0, 5, 10))))
    row = out.iloc[0]
    assert row["luas_banjir_m2"] == pytest.approx(50_000_000, rel=1e-3)
    assert np.isnan(row["terdampak"]) and np.isnan(row["pengungsi"])
    need = needs(out, config=AnalysisConfig())
    assert len(need) and need["kebutuhan"].isna().all()


def test_overlapping_classes_do_not_double_count_and_higher_class_wins() -> None:
    z = zona(
        ("rendah", box_km(0, 0, 10, 10)),
        ("tinggi", box_km(0, 0, 3, 10)),
        ("sedang", box_km(2, 0, 5, 10)),
    )
    row = run(kecamatan(), z).iloc[0]
    assert row["luas_banjir_m2"] == pytest.approx(100_000_000, rel=1e-3)
    assert row["luas_tinggi_m2"] == pytest.approx(30_000_000, rel=1e-3)
    assert row["luas_sedang_m2"] == pytest.approx(20_000_000, rel=1e-3)
    assert row["luas_rendah_m2"] == pytest.approx(50_000_000, rel=1e-3)
    # 10,000 people: 3,000 × 5 % + 2,000 × 3 % + 5,000 × 1 % = 150 + 60 + 50
    assert row["pengungsi"] == pytest.approx(260, rel=1e-3)


def test_flood_parts_are_exploded_single_polygons() -> None:
    multi = shapely.union(box_km(0, 0, 1, 1), box_km(3, 3, 4, 4))
    parts = flood_parts(zona(("sedang", multi)), crs=CRS(UTM))
    assert list(parts.geom_type) == ["Polygon", "Polygon"]
    assert parts.crs == CRS(UTM)


def test_desa_population_is_used_where_every_desa_has_it() -> None:
    kec = layer(
        [
            {"kode": "32.16.19", "nama": "A", "penduduk": 10_000.0},
            {"kode": "32.16.20", "nama": "B", "penduduk": 10_000.0},
        ],
        [box_km(0, 0, 10, 10), box_km(10, 0, 20, 10)],
    )
    desa = layer(
        [
            # A: the flooded western half holds 9,000 of its people.
            {
                "kode_desa": "32.16.19.2001",
                "kode": "32.16.19",
                "nama_desa": "a1",
                "penduduk": 9000.0,
            },
            {
                "kode_desa": "32.16.19.2002",
                "kode": "32.16.19",
                "nama_desa": "a2",
                "penduduk": 1000.0,
            },
            # B: one desa without population → B falls back to its own total.
            {
                "kode_desa": "32.16.20.2001",
                "kode": "32.16.20",
                "nama_desa": "b1",
                "penduduk": 9000.0,
            },
            {
                "kode_desa": "32.16.20.2002",
                "kode": "32.16.20",
                "nama_desa": "b2",
                "penduduk": np.nan,
            },
        ],
        [box_km(0, 0, 5, 10), box_km(5, 0, 10, 10), box_km(10, 0, 15, 10), box_km(15, 0, 20, 10)],
    )
    z = zona(("rendah", box_km(0, 0, 5, 10)), ("rendah", box_km(10, 0, 15, 10)))
    out = run(kec, z, desa=desa).set_index("kode")
    assert out.loc["32.16.19", "terdampak"] == pytest.approx(9_000, rel=1e-3)
    assert out.loc["32.16.19", "pengungsi"] == pytest.approx(90, rel=1e-3)
    assert out.loc["32.16.19", "dasar_penduduk"] == "desa"
    assert out.loc["32.16.20", "terdampak"] == pytest.approx(5_000, rel=1e-3)
    assert out.loc["32.16.20", "dasar_penduduk"] == "kecamatan"


def test_threshold_and_ranking() -> None:
    kec = layer(
        [
            {"kode": "32.16.01", "nama": "kecil", "penduduk": 10_000.0},
            {"kode": "32.16.02", "nama": "besar", "penduduk": 50_000.0},
            {"kode": "32.16.03", "nama": "kering", "penduduk": 50_000.0},
        ],
        [box_km(0, 0, 10, 10), box_km(10, 0, 20, 10), box_km(20, 0, 30, 10)],
    )
    # 4 % of the first (below the 5 % default), 50 % of the second, 0 % of the third.
    z = zona(("sedang", box_km(0, 0, 0.4, 10)), ("sedang", box_km(10, 0, 15, 10)))
    out = run(kec, z).set_index("kode")
    assert list(out["berisiko"]) == [False, True, False]
    assert out.loc["32.16.02", "peringkat"] == 1
    assert out.loc["32.16.03", "pengungsi"] == 0  # known population, dry: zero, not NaN
    out2 = exposure(kec, z, crs=CRS(UTM), config=AnalysisConfig(ambang_berisiko=0.04))
    assert out2["berisiko"].tolist() == [True, True, False]
    # the table alone: the same columns without the geometry; unranked when asked
    table = exposure_table(kec, z, crs=CRS(UTM), config=AnalysisConfig(), skenario="latihan")
    whole = run(kec, z)
    pd.testing.assert_frame_equal(table, pd.DataFrame(whole.drop(columns="geometry")))
    plain = exposure_table(kec, z, crs=CRS(UTM), config=AnalysisConfig(), rank=False)
    assert plain["peringkat"].tolist() == [0, 0, 0]
    assert plain["pengungsi"].tolist() == table["pengungsi"].tolist()


def test_metric_crs_is_utm_48s_for_bekasi_and_crs_are_checked() -> None:
    assert metric_crs(kecamatan()).to_epsg() == 32748
    with pytest.raises(InputError, match="CRS berbeda"):
        check_same_crs(kecamatan(), kecamatan().to_crs(UTM), names=("kecamatan", "zona"))
    with pytest.raises(InputError, match="CRS"):
        run(kecamatan(), zona(("rendah", box_km(0, 0, 5, 10))).to_crs(UTM))


def test_config_overrides_and_index_classes() -> None:
    cfg = AnalysisConfig.from_dict(
        {
            "jarak_km": 10,
            "kebutuhan_minimum": {"beras": {"per_orang": 3.0, "satuan": "kg"}},
            "kebijakan_lokasi": {"sedang": "tidak_tersedia"},
        }
    )
    assert cfg.jarak_km == 10 and cfg.standar["beras"] == Standar(3.0, "weekly", "kg")
    assert cfg.status_untuk("sedang") == "tidak_tersedia" and cfg.status_untuk("") == "tersedia"
    assert "air_minum" in cfg.standar and cfg.replace(hari=3).hari == 3
    with pytest.raises(ValueError):
        AnalysisConfig.from_dict({"tidak_ada": 1})
    import pandas as pd

    kelas = kelas_dari_indeks(pd.Series([0.1, 1 / 3, 0.5, 0.9, np.nan]))
    assert kelas.tolist()[:4] == ["rendah", "sedang", "sedang", "tinggi"]
    assert pd.isna(kelas.iloc[4])
