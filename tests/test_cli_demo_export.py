"""`geo-klaster demo`, `info` and `export` end to end."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyogrio
import pytest
import shapely

from geo_klaster.cli import main
from geo_klaster.store import GpkgStore

LAYERS = {"kecamatan", "desa", "zona_banjir", "anggota", "lokasi", "stok", "barang", "jalan"}


@pytest.fixture(scope="module")
def demo_via_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("demo") / "klaster.gpkg"
    assert main(["--store", str(store), "demo"]) == 0
    return store


def test_demo_then_info(demo_via_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(demo_via_cli), "info"]) == 0
    out = capsys.readouterr().out
    counts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in LAYERS and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    assert counts["kecamatan"] == 23
    assert counts["anggota"] >= 40 and counts["lokasi"] >= 80 and counts["stok"] >= 500
    assert "latihan_banjir_utara" in out and "skenario latihan" in out
    assert "perkiraan" in out and "DATA DEMO" in out
    assert "terakhir" in out  # last report date


def test_demo_labels_what_is_fictional(demo_via_cli: Path) -> None:
    s = GpkgStore(demo_via_cli)
    kec = s.read("kecamatan")
    assert kec["keterangan"].str.contains("perkiraan").all()
    assert kec["sumber_penduduk"].str.contains("contoh").all()
    for layer in ("zona_banjir", "anggota", "lokasi", "stok"):
        assert s.read(layer)["contoh"].all(), layer
    assert s.read("zona_banjir")["keterangan"].str.contains("latihan").all()


def test_demo_refuses_to_overwrite_real_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "nyata.gpkg"
    (tmp_path / "barang.csv").write_text("kode,nama,kategori,satuan\nberas,Beras,logistik,kg\n")
    assert main(["--store", str(store), "import", "barang", str(tmp_path / "barang.csv")]) == 0
    before = store.read_bytes()
    assert main(["--store", str(store), "demo"]) == 1
    assert "--ganti" in capsys.readouterr().err
    assert store.read_bytes() == before
    assert main(["--store", str(store), "demo", "--ganti"]) == 0
    assert GpkgStore(store).count("kecamatan") == 23


def test_demo_with_official_boundaries(shared_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "resmi.gpkg"
    official = shared_data / "bekasi" / "kecamatan.geojson"
    assert main(["--store", str(store), "demo", "--kecamatan", str(official)]) == 0
    kec = GpkgStore(store).read("kecamatan")
    assert len(kec) == 23
    assert kec.to_crs(32748).union_all().area / 1e6 == pytest.approx(1251.6, rel=0.005)
    assert not kec["keterangan"].fillna("").str.contains("perkiraan").any()
    assert GpkgStore(store).count("stok") >= 500


def test_export_geojson_and_geopackage(demo_via_cli: Path, tmp_path: Path) -> None:
    out = tmp_path / "ekspor"
    assert main(["--store", str(demo_via_cli), "export", str(out)]) == 0
    store = GpkgStore(demo_via_cli)
    for layer in LAYERS:
        doc = json.loads((out / f"{layer}.geojson").read_text(encoding="utf-8"))
        assert doc["type"] == "FeatureCollection" and "crs" not in doc
        assert len(doc["features"]) == store.count(layer), layer
        for feat in doc["features"][:50]:
            assert "kontak" not in feat["properties"] and "telepon" not in feat["properties"]
            geom = feat["geometry"]
            if geom is None:
                continue
            shape = shapely.geometry.shape(geom)
            if shape.geom_type == "MultiPolygon":
                for poly in shape.geoms:  # RFC 7946: exterior rings counter-clockwise
                    assert poly.exterior.is_ccw
            x, y = shapely.get_coordinates(shape)[0]
            assert 94 < x < 142 and -11 < y < 6  # [lon, lat]
    text = (out / "lokasi.geojson").read_text()
    assert "0800-" not in text
    gpkg = out / "klaster.gpkg"
    assert set(dict(pyogrio.list_layers(gpkg))) == LAYERS
    assert pyogrio.read_info(gpkg, layer="stok")["features"] == store.count("stok")
    with sqlite3.connect(gpkg) as con:
        assert (
            con.execute("SELECT count(*) FROM anggota WHERE telepon IS NOT NULL").fetchone()[0] == 0
        )
    # with --pribadi the contacts are there
    assert main(["--store", str(demo_via_cli), "export", str(tmp_path / "p"), "--pribadi"]) == 0
    assert "0800-" in (tmp_path / "p" / "anggota.geojson").read_text()


def test_salin_copies_a_store(
    demo_via_cli: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "salinan.gpkg"
    assert main(["salin", str(demo_via_cli), str(target)]) == 0
    out = capsys.readouterr().out
    assert "stok" in out
    a, b = GpkgStore(demo_via_cli), GpkgStore(target)
    for layer in LAYERS:
        assert b.count(layer) == a.count(layer), layer
    assert b.read("stok")["dilaporkan"].tolist() == a.read("stok")["dilaporkan"].tolist()
    # a non-empty target is refused, and left as it was
    before = target.read_bytes()
    assert main(["salin", str(demo_via_cli), str(target)]) == 1
    assert "salinan.gpkg" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_serve_needs_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(tmp_path / "tidak_ada.gpkg"), "serve"]) == 1
    assert "geo-klaster demo" in capsys.readouterr().err
