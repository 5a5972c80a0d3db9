"""The web API through Flask's test client, on the demo store.

Content types, feature counts equal to the store's, bbox filtering, the JSON errors (400/404
naming the parameter), export.gpkg read back with pyogrio, no personal data in any answer,
and the cache: a second request does not recompute, a write to the store invalidates it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import DAY

from geo_klaster import schema as schema_mod
from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.store import open_store

GEOJSON = "application/geo+json"
AT_RISK = "32.16.02"  # Babelan: at risk in the first demo scenario


@pytest.fixture(scope="module")
def result(demo_store: Path) -> Any:
    return run_analysis(open_store(demo_store).read_all(), today=DAY)


def _fc(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype == GEOJSON
    fc = json.loads(resp.data)
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    return fc


# -- layers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", schema_mod.layer_names())
def test_layer_feature_count_equals_store(client: Any, demo_store: Path, layer: str) -> None:
    fc = _fc(client.get(f"/api/layers/{layer}.geojson"))
    assert len(fc["features"]) == open_store(demo_store).count(layer)


def test_layer_ids_are_keys_and_coordinates_lon_lat(client: Any, demo_store: Path) -> None:
    fc = _fc(client.get("/api/layers/lokasi.geojson"))
    ids = {f["id"] for f in fc["features"]}
    assert ids == set(open_store(demo_store).read("lokasi")["id"])
    for f in fc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 106.9 < lon < 107.4 and -6.5 < lat < -5.9  # Bekasi, [lon, lat]


def test_attribute_layers_have_null_geometry(client: Any) -> None:
    for layer in ("stok", "barang"):
        fc = _fc(client.get(f"/api/layers/{layer}.geojson"))
        assert fc["features"] and all(f["geometry"] is None for f in fc["features"])


def test_bbox_filters_points(client: Any, demo_store: Path) -> None:
    lokasi = open_store(demo_store).read("lokasi")
    bbox = (107.0, -6.2, 107.1, -6.1)
    expected = set(lokasi[lokasi.intersects(shapely.box(*bbox))]["id"])
    assert 0 < len(expected) < len(lokasi)
    fc = _fc(client.get("/api/layers/lokasi.geojson?bbox=" + ",".join(map(str, bbox))))
    assert {f["id"] for f in fc["features"]} == expected
    far = _fc(client.get("/api/layers/lokasi.geojson?bbox=120,-5,121,-4"))
    assert far["features"] == []


def test_bbox_filters_polygons_by_intersection(client: Any) -> None:
    # A small box around one kecamatan's representative point (Cikarang Pusat) hits it.
    fc = _fc(client.get("/api/layers/kecamatan.geojson?bbox=107.183,-6.360,107.184,-6.359"))
    assert "32.16.20" in {f["id"] for f in fc["features"]}
    assert len(fc["features"]) < 23


@pytest.mark.parametrize(
    "bbox",
    ["1,2,3", "a,b,c,d", "107.2,-6.2,107.0,-6.1", "0,-95,1,0", "nan,0,1,1", "0,0,1,1,2"],
)
def test_bad_bbox_is_400_naming_bbox(client: Any, bbox: str) -> None:
    resp = client.get(f"/api/layers/lokasi.geojson?bbox={bbox}")
    assert resp.status_code == 400
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["parameter"] == "bbox" and body["error"]


def test_bbox_on_attribute_layer_is_400(client: Any) -> None:
    resp = client.get("/api/layers/stok.geojson?bbox=106,-7,108,-6")
    assert resp.status_code == 400 and resp.get_json()["parameter"] == "bbox"


def test_unknown_layer_is_404_json(client: Any) -> None:
    resp = client.get("/api/layers/sungai.geojson")
    assert resp.status_code == 404
    assert resp.get_json()["parameter"] == "layer"
    assert "kecamatan" in resp.get_json()["error"]  # lists the known layers


# -- analysis results ------------------------------------------------------------------------


def test_analisis_kecamatan(client: Any, result: Any) -> None:
    fc = _fc(client.get("/api/analisis/kecamatan.geojson"))
    assert len(fc["features"]) == 23
    by_kode = {f["id"]: f["properties"] for f in fc["features"]}
    assert by_kode[AT_RISK]["berisiko"] is True
    expected = result.kecamatan.set_index("kode")["pengungsi"]
    assert by_kode[AT_RISK]["pengungsi"] == pytest.approx(expected[AT_RISK])


def test_analisis_alokasi_counts_match(client: Any, result: Any) -> None:
    fc = _fc(client.get("/api/analisis/alokasi.geojson"))
    assert len(fc["features"]) == len(result.alokasi) > 0
    assert all(f["geometry"]["type"] == "LineString" for f in fc["features"])


def test_analisis_lokasi_for_the_maps(client: Any, demo_store: Path) -> None:
    fc = _fc(client.get("/api/analisis/lokasi.geojson"))
    assert len(fc["features"]) == open_store(demo_store).count("lokasi")
    props = fc["features"][0]["properties"]
    assert {"nama", "anggota", "sektor", "kelas_banjir", "status", "usang"} <= set(props)
    assert "stok" not in props  # kept small; a site's stock has its own URL:
    site = props["id"]
    resp = client.get(f"/api/analisis/lokasi/{site}/stok.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    stok = resp.get_json()
    assert stok and all(len(row) == 3 and row[1] > 0 for row in stok)
    missing = client.get("/api/analisis/lokasi/LOK-TIDAK-ADA/stok.json")
    assert missing.status_code == 404 and missing.get_json()["parameter"] == "lokasi_id"


def test_gap_csv(client: Any, result: Any) -> None:
    resp = client.get("/api/analisis/gap.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8"))))
    assert len(rows) == len(result.gap)
    assert {"kode", "nama", "barang", "kebutuhan", "kekurangan", "berisiko", "alasan"} <= set(
        rows[0]
    )
    below = [r for r in rows if r["berisiko"] in ("False", "false", "0")]
    assert below and all(r["alasan"].startswith("di bawah ambang") for r in below)
    for r in rows:  # kekurangan = kebutuhan - teralokasi on every row, no -0
        if r["kebutuhan"]:
            assert float(r["kekurangan"]) == pytest.approx(
                float(r["kebutuhan"]) - float(r["teralokasi"]), abs=1e-9
            )
        assert not r["kekurangan"].startswith("-0")


def test_scenario_and_reach_change_the_analysis(client: Any) -> None:
    near = _fc(client.get(f"/api/kecamatan/{AT_RISK}/jangkauan.geojson?jarak_km=2"))
    far = _fc(client.get(f"/api/kecamatan/{AT_RISK}/jangkauan.geojson?jarak_km=15"))
    assert 0 < len(near["features"]) < len(far["features"])
    assert all(f["properties"]["jarak_m"] <= 2000 for f in near["features"])
    jarak = [f["properties"]["jarak_m"] for f in far["features"]]
    assert jarak == sorted(jarak)
    other = _fc(client.get("/api/analisis/kecamatan.geojson?skenario=latihan_kali_bekasi"))
    assert {f["properties"]["skenario"] for f in other["features"]} == {"latihan_kali_bekasi"}


def test_jangkauan_matches_analysis(client: Any, result: Any) -> None:
    fc = _fc(client.get(f"/api/kecamatan/{AT_RISK}/jangkauan.geojson"))
    expected = result.jangkauan[result.jangkauan["kode"] == AT_RISK]
    assert {f["properties"]["id"] for f in fc["features"]} == set(expected["lokasi_id"])


def test_jangkauan_of_kecamatan_not_at_risk(client: Any) -> None:
    fc = _fc(client.get("/api/kecamatan/32.16.20/jangkauan.geojson"))
    assert fc["features"]  # computed on demand for a kecamatan the analysis skipped


def test_unknown_kode_is_404_json(client: Any) -> None:
    resp = client.get("/api/kecamatan/32.16.99/jangkauan.geojson")
    assert resp.status_code == 404 and resp.get_json()["parameter"] == "kode"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("jarak_km=abc", "jarak_km"),
        ("jarak_km=-1", "jarak_km"),
        ("jarak_km=inf", "jarak_km"),
        ("hari=0", "hari"),
        ("hari=tujuh", "hari"),
        ("skenario=tidak_ada", "skenario"),
    ],
)
def test_bad_analysis_parameter_is_400(client: Any, query: str, parameter: str) -> None:
    for path in ("/api/analisis/kecamatan.geojson", "/api/analisis/gap.csv"):
        resp = client.get(f"{path}?{query}")
        assert resp.status_code == 400, path
        assert resp.get_json()["parameter"] == parameter


def test_unknown_api_route_is_json_404(client: Any) -> None:
    resp = client.get("/api/tidak/ada")
    assert resp.status_code == 404 and resp.mimetype == "application/json"


# -- export ----------------------------------------------------------------------------------


def test_export_gpkg_reads_back(client: Any, demo_store: Path, tmp_path: Path) -> None:
    resp = client.get("/api/export.gpkg")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geopackage+sqlite3"
    assert "klaster.gpkg" in resp.headers["Content-Disposition"]
    path = tmp_path / "ekspor.gpkg"
    path.write_bytes(resp.data)
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert set(schema_mod.layer_names()) <= layers
    assert {"hasil_kecamatan_risiko", "hasil_alokasi", "hasil_gap", "hasil_jangkauan"} <= layers
    store = open_store(demo_store)
    for name in schema_mod.layer_names():
        assert pyogrio.read_info(path, layer=name)["features"] == store.count(name), name
    anggota = pyogrio.read_dataframe(path, layer="anggota")
    assert anggota["kontak"].isna().all() and anggota["telepon"].isna().all()
    assert anggota.crs.to_epsg() == 4326
    kec = gpd.read_file(path, layer="hasil_kecamatan_risiko", engine="pyogrio")
    assert len(kec) == 23


# -- personal data ---------------------------------------------------------------------------


def test_no_personal_data_in_any_answer(client: Any, demo_store: Path) -> None:
    anggota = open_store(demo_store).read("anggota")
    secrets = [str(v) for c in ("kontak", "telepon") for v in anggota[c].dropna() if str(v)]
    assert secrets, "the demo should hold contacts to hide"
    urls = [f"/api/layers/{name}.geojson" for name in schema_mod.layer_names()] + [
        "/api/analisis/kecamatan.geojson",
        "/api/analisis/alokasi.geojson",
        "/api/analisis/lokasi.geojson",
        "/api/analisis/gap.csv",
        f"/api/kecamatan/{AT_RISK}/jangkauan.geojson",
        "/",
        f"/kecamatan/{AT_RISK}",
        f"/kecamatan/{AT_RISK}/cetak",
        "/gap",
        "/alokasi",
        "/anggota",
    ]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        text = resp.data.decode("utf-8")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{url} shows personal data: {leaked[:3]}"
        if resp.mimetype == GEOJSON:
            for f in json.loads(text)["features"]:
                assert not {"kontak", "telepon"} & set(f["properties"]), url
    gpkg = client.get("/api/export.gpkg").data
    assert not [s for s in secrets if s.encode() in gpkg]


# -- cache -----------------------------------------------------------------------------------


def test_second_request_does_not_recompute(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo_klaster.web.cache
    from geo_klaster.web import create_app

    calls: list[dict[str, Any]] = []
    real = geo_klaster.web.cache.run_analysis

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(geo_klaster.web.cache, "run_analysis", counting)
    app = create_app({"STORE": demo_store, "TODAY": DAY})
    client = app.test_client()
    cache = app.extensions["geo_klaster"]

    first = client.get("/api/analisis/kecamatan.geojson")
    assert len(calls) == 1
    serialised = cache.hitungan["geojson"]
    second = client.get("/api/analisis/kecamatan.geojson")
    assert second.data == first.data
    assert len(calls) == 1 and cache.hitungan["geojson"] == serialised  # bytes reused
    for url in ("/api/analisis/alokasi.geojson", "/api/analisis/gap.csv", "/", "/gap"):
        assert client.get(url).status_code == 200
    assert len(calls) == 1  # pages and other results share the analysis
    client.get("/api/analisis/kecamatan.geojson?jarak_km=5")
    assert len(calls) == 2  # other parameters: another analysis
    client.get("/api/analisis/kecamatan.geojson?jarak_km=5")
    assert len(calls) == 2


def test_store_write_invalidates_cache(
    demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo_klaster.web.cache
    from geo_klaster.web import create_app

    path = tmp_path / "salinan.gpkg"
    shutil.copy(demo_store, path)
    calls: list[int] = []
    real = geo_klaster.web.cache.run_analysis
    monkeypatch.setattr(
        geo_klaster.web.cache, "run_analysis", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    client = create_app({"STORE": path, "TODAY": DAY}).test_client()
    before = _fc(client.get("/api/layers/lokasi.geojson"))
    client.get("/api/analisis/kecamatan.geojson")
    assert len(calls) == 1

    store = open_store(path)
    site = store.read("lokasi").iloc[[0]].copy()
    site["id"] = "LOK-BARU"
    site["nama"] = "Gudang baru (contoh)"
    with store.transaction() as tx:
        tx.append("lokasi", pd.DataFrame(site))

    after = _fc(client.get("/api/layers/lokasi.geojson"))
    assert len(after["features"]) == len(before["features"]) + 1
    client.get("/api/analisis/kecamatan.geojson")
    assert len(calls) == 2  # new data version: recomputed once
    client.get("/api/analisis/kecamatan.geojson")
    assert len(calls) == 2
