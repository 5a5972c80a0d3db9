"""The results catalogue (geo_klaster.results.hasil): one name and one column list per result in
every container, QGIS styles in the GeoPackages, and the page tables built from it."""

from __future__ import annotations

import datetime as dt
import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import DAY

from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.cli import main
from geo_klaster.results import hasil

RESULT_NAMES = {
    "hasil_kecamatan_risiko",
    "hasil_lokasi_banjir",
    "hasil_jangkauan",
    "hasil_gap",
    "hasil_alokasi",
    "hasil_kebutuhan",
}


@pytest.fixture(scope="module")
def hasil_gpkg(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hasil")
    args = ["--store", str(demo_store), "analyze", "--out", str(out), "--tanggal", DAY.isoformat()]
    assert main(args) == 0
    return out / "hasil.gpkg"


@pytest.fixture(scope="module")
def export_gpkg(client: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    resp = client.get("/api/export.gpkg")
    assert resp.status_code == 200
    path = tmp_path_factory.mktemp("ekspor") / "klaster.gpkg"
    path.write_bytes(resp.data)
    return path


def _hasil_layers(path: Path) -> dict[str, list[str]]:
    """``hasil_*`` layers of a GeoPackage with their attribute columns."""
    return {
        name: list(pyogrio.read_info(path, layer=name)["fields"])
        for name, _ in pyogrio.list_layers(path)
        if name.startswith("hasil_")
    }


def test_one_name_per_result_in_every_container(
    hasil_gpkg: Path, export_gpkg: Path, client: Any
) -> None:
    assert set(hasil.CATALOGUE) == RESULT_NAMES
    ogc = [c["id"] for c in client.get("/ogc/collections").get_json()["collections"]]
    ogc_hasil = [c for c in ogc if c.startswith("hasil_")]
    from_analyze = _hasil_layers(hasil_gpkg)
    from_api = _hasil_layers(export_gpkg)
    assert set(from_analyze) == set(from_api) == set(ogc_hasil) == RESULT_NAMES
    # and the same columns, in the same order, whatever the source
    assert from_analyze == from_api
    for name, cols in from_analyze.items():
        assert cols == list(hasil.CATALOGUE[name].columns), name
        items = client.get(f"/ogc/collections/{name}/items?limit=1").get_json()
        if items["features"]:
            assert list(items["features"][0]["properties"]) == cols, name


def test_geopackages_carry_qgis_styles(hasil_gpkg: Path, export_gpkg: Path) -> None:
    for path, expected in (
        (hasil_gpkg, {"hasil_kecamatan_risiko", "hasil_lokasi_banjir", "hasil_alokasi"}),
        (
            export_gpkg,
            {"hasil_kecamatan_risiko", "hasil_lokasi_banjir", "hasil_alokasi", "zona_banjir"},
        ),
    ):
        with closing(sqlite3.connect(path)) as con:
            rows = con.execute(
                "SELECT f_table_name, f_geometry_column, styleName, styleQML, useAsDefault "
                "FROM layer_styles"
            ).fetchall()
            kind = con.execute(
                "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
            ).fetchone()
        assert kind == ("attributes",)
        assert {r[0] for r in rows} == expected, path.name
        for table, geom_col, style_name, qml, default in rows:
            assert geom_col == "geom" and style_name == table and default == 1
            root = ET.fromstring(qml.split(">", 1)[1])  # after the DOCTYPE line
            assert root.tag == "qgis"
            renderer = root.find("renderer-v2")
            assert renderer is not None and renderer.find(".//symbol") is not None
        kec_qml = next(r[3] for r in rows if r[0] == "hasil_kecamatan_risiko")
        assert 'fieldName="nama"' in kec_qml and "berisiko" in kec_qml
    # the styles are not a result layer: GDAL lists them as an attribute table only
    assert pyogrio.read_info(hasil_gpkg, layer="layer_styles")["geometry_type"] is None


# -- the page tables, on a hand-checkable case ----------------------------------------------

KM = 1000.0
Y0 = 9_300_000.0  # UTM 48S northing near Bekasi


def _square(x0: float, size_km: float) -> Any:
    return shapely.box(x0, Y0, x0 + size_km * KM, Y0 + size_km * KM)


@pytest.fixture(scope="module")
def small() -> Any:
    """Two 10 km square kecamatan side by side (EPSG:32748); the west one flooded, the east
    one not; one warehouse 3 km east of the east square, holding 5,000 kg of rice."""
    crs = 32748
    kec = gpd.GeoDataFrame(
        {"kode": ["01", "02"], "nama": ["Barat", "Timur"], "penduduk": [100_000.0, 50_000.0]},
        geometry=[_square(700_000.0, 10), _square(710_000.0, 10)],
        crs=crs,
    ).to_crs(4326)
    zona = gpd.GeoDataFrame(
        {"kelas": ["tinggi"], "skenario": ["uji"]},
        geometry=[_square(700_000.0, 10)],
        crs=crs,
    ).to_crs(4326)
    lokasi = gpd.GeoDataFrame(
        {"id": ["G1"], "anggota_id": ["A1"], "nama": ["Gudang Satu"]},
        geometry=[shapely.Point(723_000.0, Y0 + 5 * KM)],
        crs=crs,
    ).to_crs(4326)
    anggota = gpd.GeoDataFrame(
        {"id": ["A1"], "nama": ["BPBD Uji"], "sektor": ["pemerintah_daerah"]},
        geometry=[shapely.Point(723_000.0, Y0 + 5 * KM)],
        crs=crs,
    ).to_crs(4326)
    stok = pd.DataFrame(
        {
            "lokasi_id": ["G1"],
            "barang": ["beras"],
            "jumlah": [5000.0],
            "siap": [5000.0],
            "satuan": ["kg"],
            "kondisi": ["baik"],
            "kedaluwarsa": pd.to_datetime([None]),
            "dilaporkan": pd.to_datetime(["2026-11-20"]),
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
    return run_analysis(layers, today=dt.date(2026, 11, 27), jarak_km=15), anggota


def test_reach_of_a_kecamatan_not_at_risk(small: Any) -> None:
    result, _ = small
    kec = result.kecamatan.set_index("kode")
    assert bool(kec.loc["01", "berisiko"]) and not bool(kec.loc["02", "berisiko"])
    # the east square is 3 km from the warehouse; the west one 13 km: both within 15 km
    east = hasil.reach_of_kecamatan(result, "02")
    assert list(east["lokasi_id"]) == ["G1"]
    assert east["jarak_m"].iloc[0] == pytest.approx(3000.0, abs=1.0)
    west = hasil.reach_of_kecamatan(result, "01")
    assert west["jarak_m"].iloc[0] == pytest.approx(13_000.0, abs=1.0)
    with pytest.raises(KeyError):
        hasil.reach_of_kecamatan(result, "99")


def test_allocation_with_names(small: Any) -> None:
    result, anggota = small
    table = hasil.allocation_with_names(
        result, anggota=anggota, nama_barang={"beras": "Beras (kg)"}
    )
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["anggota"], row["lokasi"], row["kecamatan"], row["nama"]) == (
        "BPBD Uji",
        "Gudang Satu",
        "Barat",
        "Beras (kg)",
    )
    assert row["jarak_m"] == pytest.approx(13_000.0, abs=1.0)
    # without names: the codes
    bare = hasil.allocation_with_names(result).iloc[0]
    assert (bare["anggota"], bare["nama"]) == ("A1", "beras")
    assert hasil.allocation_with_names(result, kode="02").empty


def test_tables_have_catalogue_columns(small: Any) -> None:
    result, _ = small
    for name, frame in hasil.tables(result).items():
        t = hasil.CATALOGUE[name]
        expected = [*t.columns, "geometry"] if t.geometry else list(t.columns)
        assert list(frame.columns) == expected, name
        assert isinstance(frame, gpd.GeoDataFrame) == t.geometry, name
    gap = hasil.table(result, "hasil_gap")
    assert hasil.feature_ids("hasil_gap", gap) == [
        f"{k}:{b}" for k, b in zip(gap["kode"], gap["barang"])
    ]


def test_qgis_styles_use_the_web_maps_colours() -> None:
    from geo_klaster.maps import vocab
    from geo_klaster.results import styles

    assert styles.WARNA_BERISIKO == vocab.RAMP_RISIKO[3]
    assert styles.WARNA_TIDAK_BERISIKO == vocab.WARNA_NOL
    assert styles.WARNA_KELAS == {k: c for k, (_, c) in vocab.KELAS_BANJIR.items()}
    assert styles.WARNA_ALOKASI == vocab.WARNA_KATEGORI["logistik"]
