"""Real public layers of Kabupaten Bekasi (../shared/data/bekasi) through the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geo_klaster.cli import main
from geo_klaster.store import GpkgStore


@pytest.fixture(scope="module")
def bekasi_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    bekasi = shared_data / "bekasi"
    store = tmp_path_factory.mktemp("bekasi") / "klaster.gpkg"
    s = ["--store", str(store)]
    assert main([*s, "init"]) == 0
    assert main([*s, "import", "kecamatan", str(bekasi / "kecamatan.geojson")]) == 0
    assert main([*s, "import", "desa", str(bekasi / "desa.geojson")]) == 0
    assert main([*s, "import", "kecamatan", str(bekasi / "population_kecamatan.csv"),
                 "--mode", "update", "--map", "penduduk_sp2010=penduduk"]) == 0  # fmt: skip
    assert main([*s, "import", "desa", str(bekasi / "population_desa_sp2010.csv"),
                 "--mode", "update", "--map", "penduduk_sp2010=penduduk"]) == 0  # fmt: skip
    return store


def test_counts_and_area(bekasi_store: Path) -> None:
    store = GpkgStore(bekasi_store)
    assert store.count("kecamatan") == 23
    assert store.count("desa") == 187
    kec = store.read("kecamatan")
    union_km2 = kec.to_crs(32748).union_all().area / 1e6
    assert union_km2 == pytest.approx(1251.6, rel=0.005)  # SOURCES.md: union 1,251.59 km²
    assert kec.crs.to_epsg() == 4326 and set(kec.geom_type) == {"MultiPolygon"}


def test_population_joined_on_kode(bekasi_store: Path, shared_data: Path) -> None:
    table = pd.read_csv(shared_data / "bekasi" / "population_kecamatan.csv", dtype={"kode": str})
    kec = GpkgStore(bekasi_store).read("kecamatan").set_index("kode")
    expected = table.set_index("kode")["penduduk_sp2010"].astype(float)
    got = kec.loc[list(expected.index), "penduduk"]
    assert got.tolist() == expected.tolist()
    # names differ between Kemendagri and BPS spelling: the join is on codes, names untouched
    assert kec.loc["32.16.10", "nama"] == "Karang Bahagia"
    assert kec["penduduk"].sum() == pytest.approx(expected.sum())


def test_desa_population_joined(bekasi_store: Path, shared_data: Path) -> None:
    table = pd.read_csv(shared_data / "bekasi" / "population_desa_sp2010.csv", dtype=str)
    desa = GpkgStore(bekasi_store).read("desa").set_index("kode_desa")
    joined = desa["penduduk"].dropna()
    assert len(joined) == len(table)
    assert joined.sum() == pytest.approx(table["penduduk_sp2010"].astype(float).sum())


def test_geopackage_opens_with_gdal(bekasi_store: Path) -> None:
    layers = dict(pyogrio.list_layers(bekasi_store))
    assert set(layers) == {
        "kecamatan",
        "desa",
        "zona_banjir",
        "anggota",
        "lokasi",
        "stok",
        "barang",
        "jalan",  # every store has the roads layer, empty until `import jalan`
    }
    info = pyogrio.read_info(bekasi_store, layer="desa")
    assert info["features"] == 187 and info["crs"] == "EPSG:4326"
    desa = pyogrio.read_dataframe(bekasi_store, layer="desa")
    assert desa["kode_desa"].str.fullmatch(r"32\.16\.\d{2}\.\d{4}").all()
