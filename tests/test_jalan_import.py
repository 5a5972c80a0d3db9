"""``import jalan``: road lines from GeoJSON, GeoPackage, Shapefile and OSM extracts.

A 10 km square kecamatan near Bekasi (lon 107.0–107.09, lat −6.30–−6.21); roads inside it.
Bad input is refused with the file, the feature and the field named, the store unchanged,
on both stores.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, box

from geo_klaster.cli import main
from geo_klaster.store import open_store

BACKENDS = ["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)]
SQUARE = box(107.0, -6.30, 107.09, -6.21)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "gpkg":
        yield str(tmp_path / "k.gpkg")
        return
    url = request.getfixturevalue("postgis_url")
    name = "t_" + uuid.uuid4().hex[:12]
    yield f"{url}?schema={name}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def run(store: str, *args: object) -> int:
    return main(["--store", store, *map(str, args)])


def with_kecamatan(store: str, tmp_path: Path) -> None:
    kec = gpd.GeoDataFrame({"kode": ["32.16.06"], "nama": ["Uji"]}, geometry=[SQUARE], crs=4326)
    kec.to_file(tmp_path / "kec.geojson")
    assert run(store, "init") == 0
    assert run(store, "import", "kecamatan", tmp_path / "kec.geojson") == 0


def geojson(path: Path, features: list[tuple[dict, dict]]) -> Path:
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": props, "geometry": geom}
                    for props, geom in features
                ],
            }
        )
    )
    return path


LINE_A = {"type": "LineString", "coordinates": [[107.01, -6.25], [107.02, -6.25]]}
LINE_B = {"type": "LineString", "coordinates": [[107.02, -6.25], [107.02, -6.26]]}


def snapshot(store: str) -> object:
    s = open_store(store)
    if store.endswith(".gpkg"):
        return hashlib.sha256(Path(store).read_bytes()).hexdigest()
    return s.read("jalan").to_wkt().to_json()


def test_geojson_with_map_and_fields(store: str, tmp_path: Path) -> None:
    with_kecamatan(store, tmp_path)
    f = geojson(
        tmp_path / "jalan.geojson",
        [
            ({"TYPE": "primary", "ONEWAY": "yes", "NAME": "Jl. A"}, LINE_A),
            ({"TYPE": "residential", "ONEWAY": None, "kecepatan": 12}, LINE_B),
        ],
    )
    assert run(store, "import", "jalan", f, "--map", "TYPE=kelas", "--map", "ONEWAY=oneway",
               "--map", "NAME=nama") == 0  # fmt: skip
    got = open_store(store).read("jalan")
    assert list(got["kelas"]) == ["primary", "residential"]
    assert list(got["oneway"].fillna("")) == ["yes", ""]
    assert got["kecepatan"].iloc[1] == 12.0
    assert got["nama"].iloc[0] == "Jl. A"
    assert all(g.geom_type == "MultiLineString" for g in got.geometry)


@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_geopackage_and_shapefile(fmt: str, tmp_path: Path) -> None:
    store = str(tmp_path / "k.gpkg")
    with_kecamatan(store, tmp_path)
    roads = gpd.GeoDataFrame(
        {"kelas": ["tertiary", "service"], "oneway": ["-1", "no"]},
        geometry=[shapely.from_geojson(json.dumps(g)) for g in (LINE_A, LINE_B)],
        crs=4326,
    )
    path = tmp_path / f"jalan.{fmt}"
    roads.to_file(path)
    assert run(store, "import", "jalan", path) == 0
    assert list(open_store(store).read("jalan")["oneway"]) == ["-1", "no"]


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="-6.25" lon="107.01" version="1"/>
  <node id="2" lat="-6.25" lon="107.02" version="1"/>
  <node id="3" lat="-6.26" lon="107.02" version="1"/>
  <node id="4" lat="-6.26" lon="107.03" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="primary"/><tag k="name" v="Jl. Raya"/><tag k="oneway" v="true"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="motorway"/></way>
  <way id="12" version="1"><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="junction" v="roundabout"/></way>
  <way id="13" version="1"><nd ref="3"/><nd ref="4"/><tag k="waterway" v="river"/></way>
</osm>
"""


def test_osm_extract_ways_with_highway(tmp_path: Path) -> None:
    store = str(tmp_path / "k.gpkg")
    with_kecamatan(store, tmp_path)
    path = tmp_path / "kecil.osm"
    path.write_text(OSM_XML)
    assert run(store, "import", "jalan", path) == 0
    got = open_store(store).read("jalan")
    assert list(got["kelas"]) == ["primary", "motorway", "residential"]  # the river is left out
    # oneway=true normalised to yes; a motorway without a tag stays empty (one-way by class
    # when routing); a roundabout is one-way as in OSM
    assert list(got["oneway"].fillna("")) == ["yes", "", "yes"]
    assert got["nama"].iloc[0] == "Jl. Raya"
    assert got.geometry.iloc[0].equals(
        MultiLineString([LineString([(107.01, -6.25), (107.02, -6.25)])])
    )


@pytest.mark.parametrize(
    ("props", "geom", "expected"),
    [
        ({"kelas": "primary"}, {"type": "Polygon", "coordinates": [[[107.01, -6.25], [107.02, -6.25],
          [107.02, -6.26], [107.01, -6.25]]]},
         "jalan.geojson, fitur 2, kolom 'geometry': tipe geometri Polygon"),
        ({"oneway": "yes"}, LINE_B, "jalan.geojson, fitur 2, kolom 'kelas': wajib diisi"),
        ({"kelas": "primary", "oneway": "kadang"}, LINE_B,
         "jalan.geojson, fitur 2, kolom 'oneway': nilai 'kadang' tidak dikenal"),
        ({"kelas": "primary", "kecepatan": 0}, LINE_B,
         "jalan.geojson, fitur 2, kolom 'kecepatan': nilai 0 harus lebih dari 0"),
        ({"kelas": "primary", "kecepatan": -5}, LINE_B,
         "jalan.geojson, fitur 2, kolom 'kecepatan': nilai -5 harus lebih dari 0"),
    ],
)  # fmt: skip
def test_bad_input_refused_store_unchanged(
    store: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    props: dict,
    geom: dict,
    expected: str,
) -> None:
    with_kecamatan(store, tmp_path)
    good = geojson(tmp_path / "baik.geojson", [({"kelas": "primary"}, LINE_A)])
    assert run(store, "import", "jalan", good) == 0
    before = snapshot(store)
    capsys.readouterr()
    bad = geojson(tmp_path / "jalan.geojson", [({"kelas": "primary"}, LINE_A), (props, geom)])
    assert run(store, "import", "jalan", bad) == 2
    assert expected in capsys.readouterr().err
    assert snapshot(store) == before


def test_missing_kelas_column_and_lines_outside_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "k.gpkg")
    with_kecamatan(store, tmp_path)
    before = snapshot(store)
    capsys.readouterr()
    nokelas = geojson(tmp_path / "tanpa.geojson", [({"TYPE": "primary"}, LINE_A)])
    assert run(store, "import", "jalan", nokelas) == 2
    assert "tanpa.geojson, kolom 'kelas': kolom wajib tidak ada" in capsys.readouterr().err
    far = {"type": "LineString", "coordinates": [[110.0, -7.0], [110.01, -7.0]]}  # Central Java
    outside = geojson(tmp_path / "luar.geojson", [({"kelas": "primary"}, far)])
    assert run(store, "import", "jalan", outside) == 2
    err = capsys.readouterr().err
    assert "luar.geojson, kolom 'geometry': tidak ada garis jalan di dalam wilayah" in err
    assert snapshot(store) == before
