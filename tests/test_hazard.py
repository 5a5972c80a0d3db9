"""Tests for geo_klaster.inputs.hazard: hazard-index raster -> zona_banjir polygons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from shapely.geometry import MultiPolygon, Point

from geo_klaster.errors import InputError, ValidationError
from geo_klaster.inputs.hazard import zones_from_hazard_raster

UTM = "EPSG:32748"  # UTM zone 48S, Bekasi
PIXEL = 100.0  # metres
PIXEL_AREA = PIXEL * PIXEL  # m²
WEST, NORTH = 720_000.0, 9_305_000.0  # upper-left corner, near lon 107.0, lat -6.28
NODATA = -9999.0

# Expected pixel counts per class for the default thresholds (see _hazard_grid).
EXPECTED_PIXELS = {"rendah": 400, "sedang": 784, "tinggi": 850}


def _hazard_grid() -> np.ndarray:
    """100 x 100 float32 index grid with known blocks (row, col; row 0 = north)."""
    a = np.zeros((100, 100), dtype=np.float32)
    # A: tinggi, halves 0.8 | 0.9 -> mean 0.85 (400 px)
    a[10:30, 10:20] = 0.8
    a[10:30, 20:30] = 0.9
    # B: rendah, halves 0.1 | 0.3 -> mean 0.2 (400 px)
    a[10:30, 50:60] = 0.1
    a[10:30, 60:70] = 0.3
    # C: sedang 0.5 with a 4 x 4 nodata hole (400 - 16 = 384 px)
    a[50:70, 10:30] = 0.5
    a[58:62, 18:22] = NODATA
    # D: sedang 0.4 on top of tinggi 0.7, sharing a 40-pixel edge (400 px each)
    a[50:60, 50:90] = 0.4
    a[60:70, 50:90] = 0.7
    # E: two tinggi squares touching only at one corner (25 px each): two regions
    a[80:85, 80:85] = 0.95
    a[85:90, 85:90] = 0.95
    # no hazard: declared nodata, NaN, and 0 (the background)
    a[90:95, 0:5] = NODATA
    a[90:95, 10:15] = np.nan
    return a


def _write(
    path: Path,
    data: np.ndarray,
    *,
    crs: str | None = UTM,
    nodata: float | None = NODATA,
) -> Path:
    profile = {
        "driver": "GTiff",
        "height": data.shape[0],
        "width": data.shape[1],
        "count": 1,
        "dtype": data.dtype.name,
        "transform": Affine(PIXEL, 0.0, WEST, 0.0, -PIXEL, NORTH),  # north-up
        "nodata": nodata,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _centre(row: float, col: float) -> Point:
    """UTM point at the centre of pixel (row, col)."""
    return Point(WEST + (col + 0.5) * PIXEL, NORTH - (row + 0.5) * PIXEL)


@pytest.fixture
def hazard_tif(tmp_path: Path) -> Path:
    return _write(tmp_path / "bahaya_banjir.tif", _hazard_grid())


@pytest.fixture
def zones(hazard_tif: Path):
    return zones_from_hazard_raster(hazard_tif, skenario="latihan 2024")


def _region_at(zones_utm, row: float, col: float):
    hits = zones_utm[zones_utm.contains(_centre(row, col))]
    assert len(hits) == 1, f"expected one region at pixel ({row}, {col}), got {len(hits)}"
    return hits.iloc[0]


# ------------------------------------------------------------------ output shape


def test_columns_crs_and_types(zones, hazard_tif):
    assert list(zones.columns) == ["kelas", "indeks", "skenario", "sumber", "geometry"]
    assert zones.crs.to_epsg() == 4326
    assert zones.geometry.name == "geometry"
    assert all(isinstance(g, MultiPolygon) for g in zones.geometry)
    assert zones.geometry.is_valid.all()
    assert zones["indeks"].dtype == np.float64
    assert set(zones["kelas"]) == {"rendah", "sedang", "tinggi"}
    assert (zones["skenario"] == "latihan 2024").all()
    assert (zones["sumber"] == hazard_tif.name).all()
    # RFC 7946: exterior rings counter-clockwise
    for mp in zones.geometry:
        for poly in mp.geoms:
            assert poly.exterior.is_ccw


def test_coordinates_near_bekasi(zones):
    minx, miny, maxx, maxy = zones.total_bounds
    assert 106.9 < minx < maxx < 107.2
    assert -6.4 < miny < maxy < -6.2
    # raster spans 10 km: lon/lat extent of a few hundredths of a degree, not metres
    assert maxx - minx < 0.1 and maxy - miny < 0.1


def test_one_row_per_connected_region_4_connectivity(zones):
    counts = zones["kelas"].value_counts().to_dict()
    # tinggi: A, D-bottom, and the two corner-touching squares of E counted separately
    assert counts == {"rendah": 1, "sedang": 2, "tinggi": 4}


def test_sumber_override(hazard_tif):
    out = zones_from_hazard_raster(hazard_tif, skenario="s", sumber="InaRISK 2023")
    assert (out["sumber"] == "InaRISK 2023").all()


# ------------------------------------------------------------------ areas and means


def test_class_areas_equal_pixel_counts(zones):
    utm = zones.to_crs(UTM)
    areas = utm.geometry.area.groupby(utm["kelas"]).sum()
    for kelas, n_pixels in EXPECTED_PIXELS.items():
        expected = n_pixels * PIXEL_AREA
        assert areas[kelas] == pytest.approx(expected, rel=1e-3), kelas


def test_region_areas_and_means(zones):
    utm = zones.to_crs(UTM)
    a = _region_at(utm, 20, 15)
    assert (a["kelas"], a["indeks"]) == ("tinggi", 0.85)
    assert a.geometry.area == pytest.approx(400 * PIXEL_AREA, rel=1e-3)
    b = _region_at(utm, 20, 55)
    assert (b["kelas"], b["indeks"]) == ("rendah", 0.2)
    c = _region_at(utm, 52, 12)
    assert (c["kelas"], c["indeks"]) == ("sedang", 0.5)
    assert c.geometry.area == pytest.approx(384 * PIXEL_AREA, rel=1e-3)
    assert len(c.geometry.geoms[0].interiors) == 1  # the nodata hole
    d_top = _region_at(utm, 55, 70)
    assert (d_top["kelas"], d_top["indeks"]) == ("sedang", 0.4)
    d_bottom = _region_at(utm, 65, 70)
    assert (d_bottom["kelas"], d_bottom["indeks"]) == ("tinggi", 0.7)
    e1, e2 = _region_at(utm, 82, 82), _region_at(utm, 87, 87)
    assert e1.name != e2.name
    assert e1.geometry.area == pytest.approx(25 * PIXEL_AREA, rel=1e-3)
    assert e1["indeks"] == e2["indeks"] == 0.95


def test_indeks_is_exact_mean_rounded_to_4_decimals(tmp_path):
    a = np.zeros((100, 100), dtype=np.float32)
    a[10:13, 10:20] = 0.7  # 30 px
    a[13, 10:20] = 0.71  # 10 px -> mean (30*0.7 + 10*0.71) / 40 = 0.7025
    a[14, 10] = 0.8  # 1 px   -> mean (28.1 + 0.8) / 41 = 0.704878...
    out = zones_from_hazard_raster(_write(tmp_path / "m.tif", a), skenario="s")
    assert len(out) == 1
    expected = (30 * np.float32(0.7) + 10 * np.float32(0.71) + np.float32(0.8)) / 41
    assert out["indeks"].iloc[0] == round(float(expected), 4) == 0.7049


def test_classes_do_not_overlap(zones):
    utm = zones.to_crs(UTM)
    by_class = {k: shapely.union_all(g.values) for k, g in utm.groupby("kelas").geometry}
    total = sum(g.area for g in utm.geometry)
    assert shapely.union_all(utm.geometry.values).area == pytest.approx(total, rel=1e-9)
    for k1, k2 in [("rendah", "sedang"), ("rendah", "tinggi"), ("sedang", "tinggi")]:
        assert by_class[k1].intersection(by_class[k2]).area < 1e-6  # m²
    # D-top (sedang) and D-bottom (tinggi) share their whole 4 km edge
    d_top, d_bottom = _region_at(utm, 55, 70), _region_at(utm, 65, 70)
    shared = d_top.geometry.boundary.intersection(d_bottom.geometry.boundary)
    assert shared.length == pytest.approx(40 * PIXEL, rel=1e-6)


def test_nodata_nan_and_zero_give_no_polygon(zones):
    utm = zones.to_crs(UTM)
    for row, col in [(92, 2), (92, 12), (0, 0), (40, 40), (59, 19)]:  # nodata, NaN, 0, 0, hole
        assert not utm.intersects(_centre(row, col)).any(), (row, col)


def test_raster_without_hazard_gives_empty_frame(tmp_path):
    out = zones_from_hazard_raster(
        _write(tmp_path / "nol.tif", np.zeros((10, 10), np.float32)), skenario="s"
    )
    assert out.empty
    assert list(out.columns) == ["kelas", "indeks", "skenario", "sumber", "geometry"]
    assert out.crs.to_epsg() == 4326


# ------------------------------------------------------------------ thresholds


def test_moving_t1_changes_class_of_a_block(hazard_tif):
    out = zones_from_hazard_raster(hazard_tif, skenario="s", thresholds=(0.45, 2 / 3))
    utm = out.to_crs(UTM)
    d_top = _region_at(utm, 55, 70)
    assert (d_top["kelas"], d_top["indeks"]) == ("rendah", 0.4)
    # B's 0.3 half is still rendah, and now touches nothing of its class: B stays one region
    assert _region_at(utm, 20, 65)["kelas"] == "rendah"
    areas = utm.geometry.area.groupby(utm["kelas"]).sum()
    assert areas["rendah"] == pytest.approx(800 * PIXEL_AREA, rel=1e-3)
    assert areas["sedang"] == pytest.approx(384 * PIXEL_AREA, rel=1e-3)


def test_threshold_inside_a_block_splits_it(hazard_tif):
    out = zones_from_hazard_raster(hazard_tif, skenario="s", thresholds=(0.2, 0.85))
    utm = out.to_crs(UTM)
    left, right = _region_at(utm, 20, 55), _region_at(utm, 20, 65)
    assert (left["kelas"], left["indeks"]) == ("rendah", 0.1)
    assert (right["kelas"], right["indeks"]) == ("sedang", 0.3)
    a_left, a_right = _region_at(utm, 20, 15), _region_at(utm, 20, 25)
    assert (a_left["kelas"], a_right["kelas"]) == ("sedang", "tinggi")


def test_value_equal_to_threshold_goes_to_upper_class(tmp_path):
    a = np.zeros((100, 100), dtype=np.float64)
    a[0:5, 0:5] = 0.25
    a[0:5, 10:15] = 0.5
    out = zones_from_hazard_raster(
        _write(tmp_path / "batas.tif", a), skenario="s", thresholds=(0.25, 0.5)
    )
    assert sorted(out["kelas"]) == ["sedang", "tinggi"]


@pytest.mark.parametrize("thresholds", [(0.5, 0.3), (0.0, 0.5), (0.3, 1.0), (0.4, 0.4)])
def test_bad_thresholds_refused(hazard_tif, thresholds):
    with pytest.raises(InputError) as err:
        zones_from_hazard_raster(hazard_tif, skenario="s", thresholds=thresholds)
    assert "0 < t1 < t2 < 1" in str(err.value)
    assert hazard_tif.name in str(err.value)


# ------------------------------------------------------------------ CRS


def test_raster_without_crs_refused(tmp_path):
    path = _write(tmp_path / "tanpa_crs.tif", _hazard_grid(), crs=None)
    with pytest.raises(ValidationError) as err:
        zones_from_hazard_raster(path, skenario="s")
    msg = str(err.value)
    assert "tanpa_crs.tif" in msg
    assert "CRS" in msg
    assert "--crs EPSG:" in msg


def test_raster_without_crs_accepted_with_crs_argument(tmp_path, zones):
    path = _write(tmp_path / "tanpa_crs.tif", _hazard_grid(), crs=None)
    out = zones_from_hazard_raster(path, skenario="latihan 2024", crs="EPSG:32748")
    assert out.crs.to_epsg() == 4326
    assert list(out["kelas"]) == list(zones["kelas"])
    assert list(out["indeks"]) == list(zones["indeks"])
    assert out.geometry.geom_equals_exact(zones.geometry, tolerance=1e-9).all()


def test_crs_argument_contradicting_file_refused(hazard_tif):
    with pytest.raises(ValidationError) as err:
        zones_from_hazard_raster(hazard_tif, skenario="s", crs="EPSG:32749")
    msg = str(err.value)
    assert hazard_tif.name in msg and "EPSG:32748" in msg and "EPSG:32749" in msg


def test_crs_argument_equal_to_file_accepted(hazard_tif):
    assert len(zones_from_hazard_raster(hazard_tif, skenario="s", crs="EPSG:32748")) == 7


def test_unknown_crs_refused(tmp_path):
    path = _write(tmp_path / "tanpa_crs.tif", _hazard_grid(), crs=None)
    with pytest.raises(InputError) as err:
        zones_from_hazard_raster(path, skenario="s", crs="EPSG:999999")
    assert "tanpa_crs.tif" in str(err.value) and "CRS" in str(err.value)


def test_wrong_crs_placing_raster_outside_indonesia_refused(tmp_path):
    path = _write(tmp_path / "tanpa_crs.tif", _hazard_grid(), crs=None)
    with pytest.raises(ValidationError) as err:
        zones_from_hazard_raster(path, skenario="s", crs="EPSG:3857")
    msg = str(err.value)
    assert "tanpa_crs.tif" in msg and "Indonesia" in msg


# ------------------------------------------------------------------ bad input


def test_values_outside_0_1_refused(tmp_path):
    a = _hazard_grid()
    a[0, 0:3] = 1.5
    a[1, 0:2] = -0.2
    path = _write(tmp_path / "skala_salah.tif", a)
    with pytest.raises(ValidationError) as err:
        zones_from_hazard_raster(path, skenario="s")
    msg = str(err.value)
    assert "skala_salah.tif" in msg
    assert "0–1" in msg
    assert "5 piksel" in msg and "5 pixels" in msg
    assert "-0.2" in msg and "1.5" in msg  # the range found


def test_undeclared_nodata_refused(tmp_path):
    path = _write(tmp_path / "tanpa_nodata.tif", _hazard_grid(), nodata=None)
    with pytest.raises(ValidationError) as err:
        zones_from_hazard_raster(path, skenario="s")
    msg = str(err.value)
    assert "nodata" in msg and "-9999" in msg


def test_text_file_named_tif_refused(tmp_path):
    path = tmp_path / "bukan_raster.tif"
    path.write_text("kode,nama\n32.16.20,Cikarang Pusat\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        zones_from_hazard_raster(path, skenario="s")
    msg = str(err.value)
    assert "bukan_raster.tif" in msg
    assert "raster" in msg


def test_missing_file_refused(tmp_path):
    with pytest.raises(InputError) as err:
        zones_from_hazard_raster(tmp_path / "tidak_ada.tif", skenario="s")
    assert "tidak_ada.tif" in str(err.value)


def test_missing_band_refused(hazard_tif):
    with pytest.raises(InputError) as err:
        zones_from_hazard_raster(hazard_tif, skenario="s", band=2)
    assert hazard_tif.name in str(err.value) and "band 2" in str(err.value)


def test_empty_skenario_refused(hazard_tif):
    with pytest.raises(InputError) as err:
        zones_from_hazard_raster(hazard_tif, skenario=" ")
    assert "skenario" in str(err.value)
