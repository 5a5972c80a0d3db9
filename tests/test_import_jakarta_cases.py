"""Import fixes found on the DKI Jakarta files, tested on small synthetic files.

These run everywhere (no ../shared/data needed); tests/test_jakarta.py runs the real files.

* ``--nilai KOLOM=NILAI`` fills a column with one value for every row: a wet/dry flood layer
  (Jakarta's flooded RW of February 2007) has no hazard class, so the user names one.
  A wrong constant gives one message, not one per feature.
* Z (or M) coordinates are dropped on import and the report says so: the layers are 2-D
  (the GeoPackage geometry columns are declared XY; PostGIS refuses Z in a 2-D column).
* A missing required column says what the column is (e.g. "kode Kemendagri, mis. 32.16.20",
  the classes of ``kelas``) and does not offer ``geometry`` as a column to map.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import shapely

from geo_klaster.cli import main
from geo_klaster.store import GpkgStore

KEC = {"kode": "31.71.01", "nama": "Contoh"}
BOX = [[106.80, -6.30], [106.85, -6.30], [106.85, -6.25], [106.80, -6.25], [106.80, -6.30]]


def run(store: Path, *args: object) -> int:
    return main(["--store", str(store), *map(str, args)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def polygon(ring: list[list[float]], props: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Path:
    s = tmp_path / "klaster.gpkg"
    (tmp_path / "kec.geojson").write_text(collection([polygon(BOX, KEC)]), encoding="utf-8")
    assert run(s, "init") == 0
    assert run(s, "import", "kecamatan", tmp_path / "kec.geojson") == 0
    return s


@pytest.fixture
def wet_dry(tmp_path: Path) -> Path:
    """Two flooded RW, wet/dry only (``FLOODPRONE``), as in Jakarta's 2007 layer."""
    a = [[106.81, -6.29], [106.82, -6.29], [106.82, -6.28], [106.81, -6.28], [106.81, -6.29]]
    b = [[106.83, -6.27], [106.84, -6.27], [106.84, -6.26], [106.83, -6.26], [106.83, -6.27]]
    path = tmp_path / "rw.geojson"
    path.write_text(
        collection(
            [
                polygon(a, {"RW": "RW 01", "FLOODPRONE": "YES"}),
                polygon(b, {"RW": "RW 02", "FLOODPRONE": "Yes"}),
            ]
        ),
        encoding="utf-8",
    )
    return path


def test_flood_without_class_names_the_ways_to_give_one(
    store: Path, wet_dry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digest(store)
    assert run(store, "import", "zona_banjir", wet_dry, "--skenario", "banjir") == 2
    err = capsys.readouterr().err
    assert "rw.geojson, kolom 'kelas': kolom wajib tidak ada" in err
    assert "(rendah/sedang/tinggi)" in err
    assert "--map SUMBER=kelas" in err and "--nilai kelas=NILAI" in err
    assert "geometry" not in err.split("kolom yang ada:")[1].split(";")[0]
    assert digest(store) == before


def test_nilai_sets_a_constant_class(store: Path, wet_dry: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    rc = run(store, "import", "zona_banjir", wet_dry, "--skenario", "banjir_2007",
             "--nilai", "kelas=tinggi", "--nilai", "sumber=RW tergenang, data=uji")  # fmt: skip
    assert rc == 0
    out = capsys.readouterr().out
    assert "zona_banjir: 2 baris diganti" in out
    assert "kolom diisi tetap (--nilai) / constant columns: kelas=tinggi, sumber=RW tergenang, data=uji" in out  # fmt: skip
    zona = GpkgStore(store).read("zona_banjir")
    assert zona["kelas"].tolist() == ["tinggi", "tinggi"]
    assert zona["skenario"].tolist() == ["banjir_2007"] * 2
    assert zona["sumber"].tolist() == ["RW tergenang, data=uji"] * 2  # value may hold '='


def test_nilai_replaces_a_file_column_and_is_typed(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "z.geojson"
    path.write_text(
        collection([polygon(BOX, {"kelas": "rendah", "skenario": "s"})]), encoding="utf-8"
    )
    assert run(store, "import", "zona_banjir", path, "--nilai", "kelas=sedang",
               "--nilai", "indeks=0,5", "--nilai", "contoh=ya") == 0  # fmt: skip
    z = GpkgStore(store).read("zona_banjir")
    assert z["kelas"].tolist() == ["sedang"] and z["indeks"].tolist() == [0.5]
    assert z["contoh"].tolist() == [True]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--nilai", "kelas=tingi"],
            "--nilai kelas=tingi: nilai 'tingi' tidak dikenal / unknown value; pilihan: rendah, sedang, tinggi",
        ),
        (["--nilai", "kedalaman=1"], "kolom 'kedalaman' tidak ada di lapisan zona_banjir"),
        (["--nilai", "indeks=2"], "--nilai indeks=2: nilai 2 di atas 1 / above maximum"),
        (["--nilai", "indeks=dalam"], "bukan angka / not a number: 'dalam'"),
        (["--nilai", "kelas="], "--nilai kelas=: nilai kosong / empty value"),
        (["--nilai", "skenario=lain"], "given by --skenario too"),
        (["--map", "FLOODPRONE=kelas", "--nilai", "kelas=tinggi"], "also a --map target"),
        (["--nilai", "kelas"], "--nilai: harus berbentuk KOLOM=NILAI"),
        (["--nilai", "kelas=tinggi", "--nilai", "kelas=rendah"], "disebut dua kali"),
    ],
)
def test_bad_constant_is_one_clear_message(
    store: Path,
    wet_dry: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: str,
) -> None:
    before = digest(store)
    assert run(store, "import", "zona_banjir", wet_dry, "--skenario", "banjir", *args) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "fitur" not in err  # checked once, not per feature
    assert digest(store) == before


def test_nilai_cannot_set_a_key(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    path = tmp_path / "k.geojson"
    path.write_text(collection([polygon(BOX, {"nama": "X"})]), encoding="utf-8")
    assert run(store, "import", "kecamatan", path, "--nilai", "kode=31.71.01") == 2
    assert "kolom 'kode' adalah kunci" in capsys.readouterr().err


def test_nilai_with_update_mode(store: Path, tmp_path: Path) -> None:
    (tmp_path / "pop.csv").write_text("kode,penduduk\n31.71.01,1000\n", encoding="utf-8")
    assert run(store, "import", "kecamatan", tmp_path / "pop.csv", "--mode", "update",
               "--nilai", "sumber_penduduk=sintetis (uji)") == 0  # fmt: skip
    kec = GpkgStore(store).read("kecamatan")
    assert kec["penduduk"].tolist() == [1000.0]
    assert kec["sumber_penduduk"].tolist() == ["sintetis (uji)"]


def test_z_coordinates_are_dropped_and_reported(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ring_z = [[x, y, 7.5] for x, y in BOX]
    path = tmp_path / "kec_z.geojson"
    path.write_text(collection([polygon(ring_z, KEC)]), encoding="utf-8")
    assert run(store, "import", "kecamatan", path) == 0
    assert "koordinat Z/M (ketinggian) diabaikan pada 1 fitur" in capsys.readouterr().out
    geoms = GpkgStore(store).read("kecamatan").geometry.to_numpy()
    assert not shapely.has_z(geoms).any()
    assert shapely.equals(geoms[0], shapely.MultiPolygon([shapely.Polygon(BOX)]))


def test_missing_code_says_what_a_code_is(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kec_names.geojson"
    path.write_text(
        collection([polygon(BOX, {"KAB_NAME": "JAKARTA SELATAN", "KEC_NAME": "TEBET"})]),
        encoding="utf-8",
    )
    assert run(store, "import", "kecamatan", path, "--map", "KEC_NAME=nama") == 2
    err = capsys.readouterr().err
    assert "kolom 'kode': kolom wajib tidak ada / required column missing: kode Kemendagri, mis. 32.16.20" in err  # fmt: skip
    assert "kolom yang ada: KAB_NAME, nama;" in err
    assert "--nilai kode" not in err  # a key is never one constant
    assert run(store, "import", "kecamatan", path, "--map", "KEC_NAME=kode",
               "--map", "KAB_NAME=nama") == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "fitur 1, kolom 'kode': format 'TEBET' salah / wrong format" in err
    assert "kode Kemendagri, mis. 32.16.20" in err


@pytest.mark.postgis
def test_z_coordinates_import_into_postgis(
    tmp_path: Path, postgis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 3-D export goes into a PostGIS store too (a 2-D geometry column refuses Z)."""
    import uuid

    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    url = f"{postgis_url}?schema={schema}"
    path = tmp_path / "kec_z.geojson"
    path.write_text(collection([polygon([[x, y, 3.0] for x, y in BOX], KEC)]), encoding="utf-8")
    try:
        assert main(["--store", url, "init"]) == 0
        assert main(["--store", url, "import", "kecamatan", str(path)]) == 0, capsys.readouterr()
        with psycopg.connect(postgis_url) as conn:
            ndims = conn.execute(f'SELECT ST_NDims(geom) FROM "{schema}".kecamatan').fetchall()
        assert ndims == [(2,)]
    finally:
        with psycopg.connect(postgis_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
