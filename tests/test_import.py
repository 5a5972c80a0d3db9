"""Import: good files in every format, and every kind of bad input refused clearly.

Each bad case asserts the message (file, feature/row, field, problem), a non-zero exit and a
store left byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo_klaster.cli import main
from geo_klaster.store import GpkgStore

# Two 10 km x ~10 km squares near Cikarang, in lon/lat.
KEC = [
    ("32.16.19", "Cikarang Selatan", shapely.box(107.10, -6.40, 107.19, -6.31)),
    ("32.16.20", "Cikarang Pusat", shapely.box(107.19, -6.40, 107.28, -6.31)),
]


def feature_collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def feature(props: dict, geom: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(store: Path, *args: str) -> int:
    return main(["--store", str(store), *map(str, args)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A store with 2 kecamatan, a catalogue, 2 members, 2 sites and 3 stock lines."""
    store = tmp_path / "klaster.gpkg"
    kec = gpd.GeoDataFrame(
        {"kode": [k for k, _, _ in KEC], "nama": [n for _, n, _ in KEC]},
        geometry=[g for _, _, g in KEC],
        crs=4326,
    )
    kec.to_file(tmp_path / "kec.geojson")
    write(
        tmp_path / "barang.csv",
        "kode,nama,kategori,satuan\nberas,Beras,logistik,kg\nperahu_karet,Perahu karet,peralatan,unit\n",
    )
    write(
        tmp_path / "anggota.csv",
        "id,nama,sektor,lon,lat,kontak,telepon\n"
        "A1,BPBD,pemerintah_daerah,107.15,-6.35,Budi,0800-1\n"
        "A2,PMI,komunitas,107.22,-6.36,Sari,0800-2\n",
    )
    write(
        tmp_path / "lokasi.csv",
        "id,anggota_id,nama,lon,lat\nL1,A1,Gudang BPBD,107.15,-6.35\nL2,A2,Gudang PMI,107.22,-6.36\n",
    )
    write(
        tmp_path / "stok.csv",
        "lokasi_id,barang,jumlah,siap,satuan,kondisi,kedaluwarsa,dilaporkan\n"
        "L1,beras,1000,800,kg,baik,2027-06-01,2026-11-01\n"
        "L1,perahu_karet,4,2,unit,baik,,2026-11-01T08:00:00\n"
        "L2,beras,500,500,kg,baik,2027-01-31,2026-11-02\n",
    )
    for args in (
        ("init",),
        ("import", "kecamatan", tmp_path / "kec.geojson"),
        ("import", "barang", tmp_path / "barang.csv"),
        ("import", "anggota", tmp_path / "anggota.csv"),
        ("import", "lokasi", tmp_path / "lokasi.csv"),
        ("import", "stok", tmp_path / "stok.csv"),
    ):
        assert run(store, *args) == 0, args
    return store


def test_base_store_content(base: Path) -> None:
    s = GpkgStore(base)
    assert [s.count(n) for n in ("kecamatan", "barang", "anggota", "lokasi", "stok")] == [
        2,
        2,
        2,
        2,
        3,
    ]
    stok = s.read("stok")
    assert stok["jumlah"].tolist() == [1000.0, 4.0, 500.0]
    assert stok["dilaporkan"].iloc[1] == pd.Timestamp("2026-11-01 08:00")
    assert stok["kondisi"].tolist() == ["baik"] * 3
    kec = s.read("kecamatan")
    assert set(kec.geom_type) == {"MultiPolygon"}
    assert kec.crs.to_epsg() == 4326
    # The file is a GeoPackage that GDAL reads: every layer listed, features intact.
    names = dict(pyogrio.list_layers(base))
    assert set(names) == {
        "kecamatan",
        "desa",
        "zona_banjir",
        "anggota",
        "lokasi",
        "stok",
        "barang",
        "jalan",
    }
    assert names["lokasi"] == "Point" and names["stok"] is None
    lokasi = pyogrio.read_dataframe(base, layer="lokasi")
    assert lokasi["id"].tolist() == ["L1", "L2"]
    assert lokasi.geometry.iloc[0].equals(shapely.Point(107.15, -6.35))


# -- bad input: one row per case ------------------------------------------------------------
# (name, layer, filename, content, extra args, fragments the message must contain)
BAD = [
    ("unreadable", "kecamatan", "rusak.geojson", "{ not json", (),
     ["rusak.geojson", "tidak bisa dibaca"]),
    ("not found", "kecamatan", "tidak_ada.geojson", None, (),
     ["tidak_ada.geojson", "tidak ditemukan"]),
    ("unknown format", "kecamatan", "peta.docx", "x", (), ["peta.docx", "format tidak dikenal"]),
    ("swapped lat/lon", "lokasi", "tukar.csv",
     "id,anggota_id,nama,lon,lat\nL9,A1,Gudang,-6.35,107.15\n", (),
     ["tukar.csv", "baris 2", "lintang", "bujur", "tertukar"]),
    ("outside Indonesia", "lokasi", "luar.geojson",
     feature_collection([feature({"id": "L9", "anggota_id": "A1", "nama": "X"}, point(10.0, 50.0))]), (),
     ["luar.geojson", "fitur 1", "di luar Indonesia"]),
    ("projected coords without --crs", "lokasi", "utm.csv",
     "id,anggota_id,nama,x,y\nL9,A1,Gudang,720000,9300000\n", (),
     ["utm.csv", "baris 2", "di luar Indonesia", "--crs"]),
    ("invalid geometry", "kecamatan", "bowtie.geojson",
     feature_collection([
         feature({"kode": "32.16.01", "nama": "A"}, {"type": "Polygon", "coordinates": [[[107, -6.2], [107.1, -6.2], [107.1, -6.3], [107, -6.2]]]}),
         feature({"kode": "32.16.02", "nama": "B"}, {"type": "Polygon", "coordinates": [[[107, -6.2], [107.1, -6.3], [107.1, -6.2], [107, -6.3], [107, -6.2]]]}),
     ]), (), ["bowtie.geojson", "fitur 2", "tidak valid", "--fix"]),
    ("empty geometry", "lokasi", "kosong.geojson",
     feature_collection([
         feature({"id": "L8", "anggota_id": "A1", "nama": "ok"}, point(107.1, -6.3)),
         feature({"id": "L9", "anggota_id": "A1", "nama": "kosong"}, None),
     ]), (), ["kosong.geojson", "fitur 2", "geometri kosong"]),
    ("wrong geometry type", "kecamatan", "titik.geojson",
     feature_collection([feature({"kode": "32.16.01", "nama": "A"}, point(107.1, -6.3))]), (),
     ["titik.geojson", "fitur 1", "tipe geometri Point"]),
    ("missing required field", "lokasi", "tanpa_nama.csv",
     "id,anggota_id,lon,lat\nL9,A1,107.1,-6.3\n", (), ["tanpa_nama.csv", "kolom 'nama'", "wajib"]),
    ("empty required value", "lokasi", "nama_kosong.csv",
     "id,anggota_id,nama,lon,lat\nL8,A1,Ada,107.1,-6.3\nL9,A1,,107.1,-6.3\n", (),
     ["nama_kosong.csv", "baris 3", "kolom 'nama'", "kosong"]),
    ("duplicate key in file", "kecamatan", "ganda.csv",
     ("kode,nama,wkt\n32.16.19,A,\"POLYGON((107.1 -6.4,107.19 -6.4,107.19 -6.31,107.1 -6.4))\"\n"
     "32.16.19,B,\"POLYGON((107.1 -6.4,107.19 -6.4,107.19 -6.31,107.1 -6.4))\"\n"), (),
     ["ganda.csv", "baris 3", "kolom 'kode'", "kunci ganda", "32.16.19"]),
    ("duplicate key against store", "lokasi", "sudah_ada.csv",
     "id,anggota_id,nama,lon,lat\nL1,A1,Lagi,107.1,-6.3\n", ("--mode", "append"),
     ["sudah_ada.csv", "baris 2", "kolom 'id'", "sudah ada"]),
    ("stock at unknown site", "stok", "stok_lokasi.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,1,1,kg,2026-11-03\nL99,beras,1,1,kg,2026-11-03\n", (),
     ["stok_lokasi.csv", "baris 3", "kolom 'lokasi_id'", "lokasi tidak dikenal", "L99"]),
    ("unknown item code", "stok", "stok_barang.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,berass,1,1,kg,2026-11-03\n", (),
     ["stok_barang.csv", "baris 2", "kolom 'barang'", "kode barang tidak dikenal", "berass"]),
    ("unknown kecamatan code", "desa", "desa.csv",
     "kode_desa,kode,nama_desa,wkt\n32.16.99.2001,32.16.99,Desa X,\"POLYGON((107.1 -6.4,107.19 -6.4,107.19 -6.31,107.1 -6.4))\"\n", (),
     ["desa.csv", "baris 2", "kolom 'kode'", "kode kecamatan tidak dikenal", "32.16.99"]),
    ("unknown member of a site", "lokasi", "pemilik.csv",
     "id,anggota_id,nama,lon,lat\nL9,A9,Gudang,107.1,-6.3\n", ("--mode", "append"),
     ["pemilik.csv", "baris 2", "kolom 'anggota_id'", "anggota tidak dikenal"]),
    ("unit other than the item's", "stok", "satuan.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,10,5,ton,2026-11-03\n", (),
     ["satuan.csv", "baris 2", "kolom 'satuan'", "'ton'", "'kg'"]),
    ("negative quantity", "stok", "negatif.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,-5,0,kg,2026-11-03\n", (),
     ["negatif.csv", "baris 2", "kolom 'jumlah'", "negatif"]),
    ("non-numeric quantity", "stok", "huruf.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,10,banyak,kg,2026-11-03\n", (),
     ["huruf.csv", "baris 2", "kolom 'siap'", "bukan angka", "banyak"]),
    ("siap above jumlah", "stok", "siap.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,10,20,kg,2026-11-03\n", (),
     ["siap.csv", "baris 2", "kolom 'siap'", "melebihi jumlah"]),
    ("unparseable date", "stok", "tanggal.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,10,5,kg,kemarin sore\n", (),
     ["tanggal.csv", "baris 2", "kolom 'dilaporkan'", "tidak bisa dibaca", "kemarin sore"]),
    ("unparseable expiry", "stok", "kedaluwarsa.csv",
     "lokasi_id,barang,jumlah,siap,satuan,kedaluwarsa,dilaporkan\nL1,beras,10,5,kg,31/02/2027,2026-11-03\n", (),
     ["kedaluwarsa.csv", "baris 2", "kolom 'kedaluwarsa'", "tidak bisa dibaca"]),
    ("unknown enum value", "anggota", "sektor.csv",
     "id,nama,sektor,lon,lat\nA9,X,militer,107.1,-6.3\n", ("--mode", "append"),
     ["sektor.csv", "baris 2", "kolom 'sektor'", "pemerintah_daerah"]),
    ("replace on stock refused", "stok", "stok_ganti.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,1,1,kg,2026-11-03\n", ("--mode", "replace"),
     ["stok", "hanya bisa ditambah"]),
    ("replace leaving dangling refs", "lokasi", "lokasi_baru.csv",
     "id,anggota_id,nama,lon,lat\nL1,A1,Gudang,107.15,-6.35\n", (),
     ["lokasi_baru.csv", "memutus", "stok.lokasi_id", "L2"]),
    ("--map of a missing column", "kecamatan", "peta.geojson",
     feature_collection([feature({"KODE": "32.16.01", "nama": "A"}, {"type": "Polygon", "coordinates": [[[107, -6.2], [107.1, -6.2], [107.1, -6.3], [107, -6.2]]]})]),
     ("--map", "WADMKC=nama"), ["peta.geojson", "kolom 'WADMKC'", "--map"]),
    ("update with unknown key", "kecamatan", "penduduk.csv",
     "kode,penduduk\n32.16.19,1000\n32.16.77,5\n", ("--mode", "update"),
     ["penduduk.csv", "baris 3", "kolom 'kode'", "tidak dikenal"]),
    ("bad kecamatan code format", "kecamatan", "format.csv",
     "kode,nama,wkt\n3216019,A,\"POLYGON((107.1 -6.4,107.19 -6.4,107.19 -6.31,107.1 -6.4))\"\n", (),
     ["format.csv", "baris 2", "kolom 'kode'", "format"]),
    ("bulat not a boolean", "barang", "bulat.csv",
     "kode,nama,kategori,satuan,bulat\nberas,Beras,logistik,kg,tidak\nperahu_karet,Perahu,peralatan,unit,mungkin\n", (),
     ["bulat.csv", "baris 3", "kolom 'bulat'", "bukan ya/tidak", "mungkin"]),
    ("fractional jumlah of a whole-unit item", "stok", "pecahan.csv",
     "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,perahu_karet,2.5,2,unit,2026-11-03\n", (),
     ["pecahan.csv", "baris 2", "kolom 'jumlah'", "unit utuh", "2.5"]),
    ("fractional siap of a whole-unit item", "stok", "pecahan_siap.csv",
     ("lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,10.5,5.25,kg,2026-11-03\n"
      "L1,perahu_karet,3,1.5,unit,2026-11-03\n"), (),
     ["pecahan_siap.csv", "baris 3", "kolom 'siap'", "unit utuh", "1.5"]),
]  # fmt: skip


def test_bulat_defaults_from_the_unit_and_can_be_set(base: Path, tmp_path: Path) -> None:
    # the base catalogue has no bulat column: kg divisible, unit whole
    barang = GpkgStore(base).read("barang").set_index("kode")["bulat"]
    assert barang.to_dict() == {"beras": False, "perahu_karet": True}
    path = write(
        tmp_path / "barang2.csv",
        "kode,nama,kategori,satuan,bulat\nberas,Beras,logistik,kg,\n"
        "perahu_karet,Perahu karet,peralatan,unit,tidak\nair,Air,logistik,liter,ya\n"
        "terpal,Terpal,logistik,lembar,\n",
    )
    assert run(base, "import", "barang", path) == 0
    barang = GpkgStore(base).read("barang").set_index("kode")["bulat"]
    # blank cells take the unit's default; given values win
    assert barang.to_dict() == {
        "beras": False, "perahu_karet": False, "air": True, "terpal": True
    }  # fmt: skip


@pytest.mark.parametrize(
    ("layer", "filename", "content", "extra", "fragments"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_input_is_refused_and_store_unchanged(
    base: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    layer: str,
    filename: str,
    content: str | None,
    extra: tuple[str, ...],
    fragments: list[str],
) -> None:
    path = tmp_path / filename
    if content is not None:
        write(path, content)
    before = digest(base)
    capsys.readouterr()
    code = run(base, "import", layer, path, *extra)
    err = capsys.readouterr().err
    assert code != 0
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in message:\n{err}"
    assert digest(base) == before, "the store changed"


def test_shapefile_without_prj_needs_crs(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf = gpd.GeoDataFrame(
        {"id": ["L7"], "anggota_id": ["A1"], "nama": ["Posko"]},
        geometry=[shapely.Point(722000, 9300000)],
        crs=32748,
    )
    gdf.to_file(shp_dir / "lokasi.shp")
    (shp_dir / "lokasi.prj").unlink()
    zipped = tmp_path / "lokasi.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f.name)
    before = digest(base)
    for path in (shp_dir / "lokasi.shp", zipped):
        capsys.readouterr()
        assert run(base, "import", "lokasi", path, "--mode", "append") == 2
        err = capsys.readouterr().err
        assert path.name in err and "CRS" in err and "--crs" in err and ".prj" in err
        assert digest(base) == before
    # Naming the CRS makes it work, reprojected to WGS84.
    assert run(base, "import", "lokasi", zipped, "--mode", "append", "--crs", "EPSG:32748") == 0
    lokasi = GpkgStore(base).read("lokasi").set_index("id")
    expected = gpd.GeoSeries([shapely.Point(722000, 9300000)], crs=32748).to_crs(4326).iloc[0]
    assert lokasi.geometry["L7"].distance(expected) < 1e-9
    assert 107.0 < lokasi.geometry["L7"].x < 107.1


def test_fix_repairs_invalid_geometry(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[107.0, -6.2], [107.1, -6.3], [107.1, -6.2], [107.0, -6.3], [107.0, -6.2]]
        ],
    }
    path = write(
        tmp_path / "bowtie.geojson",
        feature_collection([feature({"kode": "32.16.01", "nama": "A"}, bowtie)]),
    )
    before = digest(base)
    assert run(base, "import", "desa", path) != 0  # wrong layer fields: still unchanged
    assert digest(base) == before
    capsys.readouterr()
    # kecamatan replace would orphan nothing (no desa), so --fix imports it
    assert run(base, "import", "kecamatan", path, "--fix") == 0
    out = capsys.readouterr().out
    assert "diperbaiki" in out and "1" in out
    kec = GpkgStore(base).read("kecamatan")
    assert kec.is_valid.all() and kec.geom_type.tolist() == ["MultiPolygon"]
    assert len(kec.geometry.iloc[0].geoms) == 2  # the bow-tie's two triangles


def test_every_problem_is_listed(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path / "laporan.csv",
        "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\n"
        "L1,beras,10,5,kg,2026-11-01\n"
        "L1,beras,-1,0,kg,2026-11-02\n"
        "L2,beras,10,5,kg,2026-11-03\n"
        "L2,beras,10,5,kg,2026-11-04\n"
        "L2,beras,10,5,kg,2026-11-05\n"
        "L3,beras,10,5,kg,2026-11-06\n",
    )
    assert run(base, "import", "stok", path) == 2
    err = capsys.readouterr().err
    assert "baris 3, kolom 'jumlah'" in err and "baris 7, kolom 'lokasi_id'" in err
    assert "2 masalah" in err
    assert GpkgStore(base).count("stok") == 3


def test_formats_xlsx_gpkg_and_wkt(base: Path, tmp_path: Path) -> None:
    rows = pd.DataFrame(
        {
            "lokasi_id": ["L1", "L2"],
            "barang": ["beras", "perahu_karet"],
            "jumlah": [100, 3],
            "siap": [50, 3],
            "satuan": ["kg", "unit"],
            "dilaporkan": [pd.Timestamp("2026-11-20 09:30"), pd.Timestamp("2026-11-21")],
        }
    )
    rows.to_excel(tmp_path / "laporan.xlsx", index=False)
    assert run(base, "import", "stok", tmp_path / "laporan.xlsx") == 0
    stok = GpkgStore(base).read("stok")
    assert len(stok) == 5 and stok["dilaporkan"].max() == pd.Timestamp("2026-11-21")

    gdf = gpd.GeoDataFrame(
        {"nama_anggota": ["Basarnas", "TNI"], "id": ["A3", "A4"], "sektor": ["instansi_pusat"] * 2},
        geometry=[shapely.Point(107.2, -6.3), shapely.Point(107.25, -6.32)],
        crs=4326,
    )
    gdf.to_file(tmp_path / "anggota.gpkg", layer="kantor")
    assert run(base, "import", "anggota", tmp_path / "anggota.gpkg", "--layer", "kantor",
               "--map", "nama_anggota=nama", "--mode", "append") == 0  # fmt: skip
    anggota = GpkgStore(base).read("anggota")
    assert anggota["id"].tolist() == ["A1", "A2", "A3", "A4"]
    assert anggota["kontak"].tolist()[:2] == ["Budi", "Sari"]


def test_update_sets_population_and_lists_ignored(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "pop.csv", "kode,nama,jiwa,sumber\n32.16.20,Cikarang Pusat,20000,BPS\n")
    capsys.readouterr()
    assert run(base, "import", "kecamatan", path, "--mode", "update", "--map", "jiwa=penduduk") == 0
    out = capsys.readouterr().out
    assert "diabaikan" in out and "sumber" in out
    kec = GpkgStore(base).read("kecamatan").set_index("kode")
    assert kec.loc["32.16.20", "penduduk"] == 20000
    assert pd.isna(kec.loc["32.16.19", "penduduk"])  # not in the table: stays unknown


def test_stock_is_append_only_history(base: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "baru.csv",
        "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,700,600,kg,2026-11-20\n",
    )
    assert run(base, "import", "stok", path) == 0
    stok = GpkgStore(base).read("stok")
    assert len(stok) == 4
    assert stok[(stok.lokasi_id == "L1") & (stok.barang == "beras")]["jumlah"].tolist() == [
        1000,
        700,
    ]


def test_store_option_env_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert (tmp_path / "klaster.gpkg").is_file()
    monkeypatch.setenv("GEO_KLASTER_STORE", str(tmp_path / "env.gpkg"))
    assert main(["init"]) == 0
    assert (tmp_path / "env.gpkg").is_file()
    assert main(["init", "--store", str(tmp_path / "opt.gpkg")]) == 0
    assert (tmp_path / "opt.gpkg").is_file()


def test_not_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = write(tmp_path / "junk.gpkg", "hello")
    assert main(["--store", str(junk), "info"]) == 1
    assert "junk.gpkg" in capsys.readouterr().err
    assert junk.read_text() == "hello"


def _write_hazard(path: Path, values: list[list[float]], *, crs: str | None = "EPSG:32748") -> Path:
    import numpy as np
    import rasterio
    from affine import Affine

    arr = np.array(values, dtype="float32")
    with rasterio.open(
        path, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1,
        dtype="float32", crs=crs, transform=Affine(100.0, 0, 720000.0, 0, -100.0, 9300000.0),
        nodata=-1,
    ) as dst:  # fmt: skip
        dst.write(arr, 1)
    return path


def test_import_hazard_raster_through_cli(base: Path, tmp_path: Path) -> None:
    # 4 x 4 pixels of 100 m: 4 rendah (0.2), 4 sedang (0.5), 4 tinggi (0.9), 4 dry (0)
    tif = _write_hazard(
        tmp_path / "bahaya.tif",
        [[0.2, 0.2, 0.5, 0.5], [0.2, 0.2, 0.5, 0.5], [0.9, 0.9, 0.0, 0.0], [0.9, 0.9, 0.0, 0.0]],
    )
    assert run(base, "import", "zona_banjir", tif, "--skenario", "inarisk_uji") == 0
    zones = GpkgStore(base).read("zona_banjir")
    assert sorted(zones["kelas"]) == ["rendah", "sedang", "tinggi"]
    assert set(zones["skenario"]) == {"inarisk_uji"}
    areas = zones.to_crs(32748).set_index("kelas").area
    assert areas.round().to_dict() == {"rendah": 40_000, "sedang": 40_000, "tinggi": 40_000}
    assert zones.set_index("kelas")["indeks"].to_dict() == pytest.approx(
        {"rendah": 0.2, "sedang": 0.5, "tinggi": 0.9}
    )
    # thresholds move 0.5 into rendah; importing again replaces only this scenario
    assert (
        run(base, "import", "zona_banjir", tif, "--skenario", "inarisk_uji", "--ambang", "0.6,0.8")
        == 0
    )
    zones = GpkgStore(base).read("zona_banjir")
    assert sorted(zones["kelas"]) == ["rendah", "tinggi"]  # 0.2 and 0.5 now one rendah region
    rendah = zones.set_index("kelas").loc["rendah"]
    assert rendah["indeks"] == pytest.approx(0.35)
    assert gpd.GeoSeries([rendah.geometry], crs=4326).to_crs(32748).area.iloc[0] == pytest.approx(
        80_000, rel=1e-6
    )


def test_hazard_raster_without_crs_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rasterio warns about writing a raster without CRS
        tif = _write_hazard(tmp_path / "tanpa_crs.tif", [[0.5, 0.5], [0.5, 0.5]], crs=None)
    before = digest(base)
    assert run(base, "import", "zona_banjir", tif) == 2
    err = capsys.readouterr().err
    assert "tanpa_crs.tif" in err and "--crs" in err
    assert digest(base) == before


def test_features_bbox_and_paging(base: Path) -> None:
    store = GpkgStore(base)
    page, matched = store.features("lokasi", bbox=(107.2, -6.4, 107.3, -6.3))
    assert matched == 1 and page["id"].tolist() == ["L2"]
    page, matched = store.features("lokasi", limit=1, offset=1)
    assert matched == 2 and page["id"].tolist() == ["L2"]
    page, matched = store.features("stok", limit=2)
    assert matched == 3 and len(page) == 2
