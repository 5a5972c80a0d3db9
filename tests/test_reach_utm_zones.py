"""The maps' reach and the web's reach of one kecamatan, for data spanning several UTM zones.

Two 10 km squares in Sumatra (UTM 47S, the zone holding most kecamatan) and one in Papua
(UTM 54S, ``54.01``, not flooded), with a warehouse 3 km east of the Papua square: distances
and buffers of ``54.01`` are measured in its own zone, not in the main one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo_klaster.analysis.pipeline import AnalysisResult, run_analysis
from geo_klaster.maps import area_jangkauan

KM = 1000.0
Y0 = 9_650_000.0
FAR = "54.01"


def _square(epsg: int, x0: float, dx: float = 0.0, w: float = 10.0) -> gpd.GeoSeries:
    box = shapely.box(x0 + dx * KM, Y0, x0 + (dx + w) * KM, Y0 + 10 * KM)
    return gpd.GeoSeries([box], crs=epsg).to_crs(4326)


def _point(epsg: int, x: float, y: float) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.Point(x, y)], crs=epsg).to_crs(4326)


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    squares = [
        ("47.01", 32747, 300_000.0, 0),
        ("47.02", 32747, 300_000.0, 20),
        (FAR, 32754, 600_000.0, 0),
    ]
    kec = pd.concat(
        [
            gpd.GeoDataFrame(
                {"kode": [k], "nama": [k], "penduduk": [10_000.0]}, geometry=_square(e, x0, dx)
            )
            for k, e, x0, dx in squares
        ],
        ignore_index=True,
    )
    zona = gpd.GeoDataFrame(
        {"kelas": ["rendah"], "skenario": ["latihan"]}, geometry=_square(32747, 300_000.0, 0, 5)
    )
    lokasi = pd.concat(
        [
            gpd.GeoDataFrame(
                {"id": ["G47"], "anggota_id": ["BPBD"], "nama": ["Gudang 47"]},
                geometry=_point(32747, 300_000.0 + 13 * KM, Y0 + 5 * KM),
            ),
            gpd.GeoDataFrame(
                {"id": ["G54"], "anggota_id": ["BPBD"], "nama": ["Gudang 54"]},
                geometry=_point(32754, 600_000.0 + 13 * KM, Y0 + 5 * KM),
            ),
        ],
        ignore_index=True,
    )
    anggota = gpd.GeoDataFrame(
        {"id": ["BPBD"], "nama": ["BPBD"], "sektor": ["pemerintah_daerah"]},
        geometry=_point(32747, 300_000.0, Y0),
    )
    stok = pd.DataFrame(
        {
            "lokasi_id": ["G47"],
            "barang": ["beras"],
            "siap": [100.0],
            "jumlah": [100.0],
            "satuan": ["kg"],
            "kondisi": ["baik"],
            "kedaluwarsa": pd.to_datetime([None]),
            "dilaporkan": pd.to_datetime(["2025-01-05"], utc=True),
        }
    )
    barang = pd.DataFrame(
        {"kode": ["beras"], "nama": ["Beras"], "kategori": ["logistik"], "satuan": ["kg"]}
    )
    layers = {
        "kecamatan": kec,
        "zona_banjir": zona,
        "lokasi": lokasi,
        "anggota": anggota,
        "stok": stok,
        "barang": barang,
    }
    res = run_analysis(layers, today=dt.date(2025, 1, 10))
    assert res.crs_metrik.to_epsg() == 32747 and res.crs_untuk(FAR).to_epsg() == 32754
    return res


def test_reach_buffer_of_a_far_kecamatan_has_the_reach_radius_in_its_own_zone(
    result: AnalysisResult,
) -> None:
    jarak_m = result.config.jarak_km * KM
    area = area_jangkauan(result, FAR)
    assert area.crs.to_epsg() == 4326 and list(area["kode"]) == [FAR]
    # a 10 km square buffered by r is 10 km + 2 r wide (and high) in its own zone
    minx, miny, maxx, maxy = area.to_crs(32754).total_bounds
    assert (maxx - minx - 10 * KM) / 2 == pytest.approx(jarak_m, rel=0.01)
    assert (maxy - miny - 10 * KM) / 2 == pytest.approx(jarak_m, rel=0.01)
    # measured in the main zone (the old behaviour) it would be several per cent off
    kec = result.kecamatan[result.kecamatan["kode"] == FAR]
    old = kec.to_crs(32747).buffer(jarak_m).to_crs(32754).total_bounds
    assert abs((old[2] - old[0] - 10 * KM) / 2 / jarak_m - 1) > 0.01


def test_web_reach_of_a_far_kecamatan_is_measured_in_its_own_zone(
    result: AnalysisResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``54.01`` is not at risk: the web computes its reach itself; G54 is 3 km away."""
    from geo_klaster.web import context

    class Memo:
        def memo(self, snap: Any, key: Any, build: Any) -> Any:
            return build()

    monkeypatch.setattr(context, "analysis", lambda p=None: result)
    monkeypatch.setattr(context, "cache", lambda: Memo())
    monkeypatch.setattr(context, "snapshot", lambda: None)
    assert not bool(result.kecamatan.set_index("kode").at[FAR, "berisiko"])
    j = context.jangkauan(None, FAR)  # type: ignore[arg-type]
    assert list(j["lokasi_id"]) == ["G54"]
    assert j["jarak_m"].iloc[0] == pytest.approx(3 * KM, abs=1.0)
