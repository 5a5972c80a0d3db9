"""Reach by road in the web app: ``?jangkauan=jalan&menit=60`` on pages, API and OGC.

The Bekasi demo store plus a synthetic road grid over the regency (every 0.01°, about 1.1 km,
residential, noded at every crossing), so that the demo's flood zones cut some of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from conftest import DAY
from shapely.geometry import LineString

from geo_klaster.demo.store import build_demo_store
from geo_klaster.inputs.importer import import_file
from geo_klaster.store import open_store

JALAN = "jangkauan=jalan&menit=60"


@pytest.fixture(scope="module")
def road_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jalan_web")
    path = out / "klaster.gpkg"
    build_demo_store(open_store(path), today=DAY)
    xs = np.round(np.arange(106.97, 107.31, 0.01), 2)
    ys = np.round(np.arange(-6.50, -5.97, 0.01), 2)
    lines = [LineString([(x, y) for y in ys]) for x in xs]
    lines += [LineString([(x, y) for x in xs]) for y in ys]
    roads = gpd.GeoDataFrame({"kelas": ["residential"] * len(lines)}, geometry=lines, crs=4326)
    roads.to_file(out / "grid.geojson")
    import_file(open_store(path), "jalan", out / "grid.geojson")
    return path


@pytest.fixture(scope="module")
def road_client(road_store: Path) -> Any:
    from geo_klaster.web import create_app

    return create_app({"STORE": road_store, "TODAY": DAY}).test_client()


def test_overview_shows_cut_roads_and_the_summary_line(road_client: Any) -> None:
    resp = road_client.get(f"/?{JALAN}")
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "km</b> jalan terputus" in text and "desa tanpa akses" in text
    assert "Jalan terputus/diperlambat banjir" in text  # the map layer
    assert "Jangkauan jalan <b>60 menit</b>" in text
    # the default stays the straight line
    assert "jalan terputus" not in road_client.get("/").get_data(as_text=True)


def test_kecamatan_page_time_map_and_cut_sites(road_client: Any, road_store: Path) -> None:
    from geo_klaster.analysis.pipeline import run_analysis

    result = run_analysis(open_store(road_store).read_all(), today=DAY, jangkauan="jalan")
    kode = result.kecamatan.loc[result.kecamatan["berisiko"], "kode"].iloc[0]
    text = road_client.get(f"/kecamatan/{kode}?{JALAN}").get_data(as_text=True)
    assert "Waktu tempuh di jalan ke kecamatan ini" in text
    assert "Lokasi terputus" in text
    assert "km</b> jalan terputus" in text


def test_api_and_ogc_carry_travel_time(road_client: Any) -> None:
    resp = road_client.get(f"/ogc/collections/hasil_jangkauan/items?f=json&limit=1000&{JALAN}")
    assert resp.status_code == 200
    props = [f["properties"] for f in resp.get_json()["features"]]
    assert props and {"waktu_menit", "terputus", "alasan"} <= set(props[0])
    ok = [p for p in props if not p["terputus"]]
    assert ok and all(0 <= p["waktu_menit"] <= 60 for p in ok)
    cut = [p for p in props if p["terputus"]]
    assert cut and all(p["alasan"] for p in cut)


def test_jalan_without_roads_is_a_400(client: Any) -> None:
    resp = client.get(f"/ogc/collections/hasil_jangkauan/items?f=json&{JALAN}")
    assert resp.status_code == 400
    assert "lapisan jalan kosong" in resp.get_json()["description"]
    assert client.get("/?jangkauan=kapal").status_code == 400


def test_road_pages_through_the_catalogue(road_store: Path) -> None:
    """The road layers, legends, summary lines and the reach form, in the pseudo-locale: no
    string missing from the English catalogue; in English, no Indonesian road wording left."""
    from geo_klaster.web import create_app

    from geo_klaster.analysis.pipeline import run_analysis

    c = create_app({"STORE": road_store, "TODAY": DAY, "BAHASA_SEMU": True}).test_client()
    result = run_analysis(open_store(road_store).read_all(), today=DAY, jangkauan="jalan")
    kode = result.kecamatan.loc[result.kecamatan["berisiko"], "kode"].iloc[0]
    for url in ("/", f"/kecamatan/{kode}", "/gap", "/alokasi", f"/kecamatan/{kode}/cetak"):
        text = c.get(f"{url}?{JALAN}&lang=xx").get_data(as_text=True)
        assert "⟦!" not in text, (url, text[text.index("⟦!") : text.index("⟦!") + 120])
        en = c.get(f"{url}?{JALAN}&lang=en").get_data(as_text=True)
        for kata in ("jalan terputus", "Waktu tempuh", "Lokasi terputus", "desa tanpa akses"):
            assert kata not in en, (url, kata)
        assert "km of road cut" in en or url not in ("/", f"/kecamatan/{kode}"), url
    en = c.get(f"/kecamatan/{kode}?{JALAN}&lang=en").get_data(as_text=True)
    assert "Travel time by road to this kecamatan" in en and "Sites cut off" in en
    assert "Roads cut/slowed by the flood" in c.get(f"/?{JALAN}&lang=en").get_data(as_text=True)
