"""The comparison page ``/banding`` and ``/api/banding.csv`` on the demo's two exercise
scenarios; the overview's line naming the latest event; bad input as 400."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from conftest import DAY

from geo_klaster.results.banding import compare_layers
from geo_klaster.store import open_store

UTARA, KALI = "latihan_banjir_utara", "latihan_kali_bekasi"
PAIR = f"skenario={UTARA}&skenario={KALI}"


@pytest.fixture(scope="module")
def expected(demo_store: Path) -> Any:
    return compare_layers(open_store(demo_store).read_all(), [UTARA, KALI], today=DAY)


def test_page_shows_both_scenarios(client: Any, expected: Any) -> None:
    resp = client.get(f"/banding?{PAIR}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    k = expected.kecamatan
    n_new = int((k["perubahan"] == "baru_berisiko").sum())
    assert f"Berisiko di {KALI} tetapi tidak di {UTARA}: {n_new}" in html
    # both flood layers on the map (A outlined, B filled) and the change legend
    assert f"Zona banjir {UTARA} (garis)" in html and f"Zona banjir {KALI} (diisi)" in html
    assert "Perubahan status" in html
    assert "/api/banding.csv?" in html
    # no plan against event between two plans
    assert "Yang terlewat oleh rencana" not in html


def test_csv_equals_the_domain(client: Any, expected: Any) -> None:
    resp = client.get(f"/api/banding.csv?{PAIR}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert len(rows) == len(expected.gap)
    assert list(rows[0]) == [
        "skenario_a", "skenario_b", "kode", "nama", "barang", "satuan", "kebutuhan_a",
        "kebutuhan_b", "kekurangan_a", "kekurangan_b", "selisih",
    ]  # fmt: skip
    kec = client.get(f"/api/banding.csv?{PAIR}&tabel=kecamatan").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(kec)))) == 23


@pytest.mark.parametrize(
    ("query", "says"),
    [
        (f"skenario={UTARA}", "butuh dua skenario"),
        (f"skenario={UTARA}&skenario={UTARA}", "butuh dua skenario"),
        ("", "butuh dua skenario"),
        (f"skenario={UTARA}&skenario=banjir_2020", f"yang ada / known: {UTARA}, {KALI}"),
    ],
)
def test_bad_scenarios_are_400(client: Any, query: str, says: str) -> None:
    api = client.get(f"/api/banding.csv?{query}")
    assert api.status_code == 400
    assert says in api.get_json()["error"] and api.get_json()["parameter"] == "skenario"
    page = client.get(f"/banding?{query}")
    assert page.status_code == 400 and says in page.get_data(as_text=True)


def test_unknown_table_is_400(client: Any) -> None:
    resp = client.get(f"/api/banding.csv?{PAIR}&tabel=semua")
    assert resp.status_code == 400 and "pilihan: ringkasan, barang" in resp.get_json()["error"]


def test_overview_without_event_offers_a_comparison(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Belum ada kejadian" in html
    assert f"/banding?skenario={UTARA}&amp;skenario={KALI}" in html


def test_overview_names_the_latest_event(tmp_path: Path) -> None:
    """A store with an event: the overview names it, its time in WIB, and links the plan."""
    import json

    from geo_klaster.web import create_app

    from geo_klaster.cli import main
    from geo_klaster.demo.store import build_demo_store

    store = tmp_path / "k.gpkg"
    build_demo_store(open_store(store), today=DAY)
    ring = [[107.0, -6.1], [107.05, -6.1], [107.05, -6.05], [107.0, -6.05], [107.0, -6.1]]
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature",
          "properties": {"kelas": "tinggi", "skenario": "banjir_2026_01"},
          "geometry": {"type": "Polygon", "coordinates": [ring]}}]}  # fmt: skip
    (tmp_path / "e.geojson").write_text(json.dumps(fc), "utf-8")
    assert main(["--store", str(store), "import", "zona_banjir", str(tmp_path / "e.geojson"),
                 "--nilai", "jenis=kejadian", "--nilai", "waktu=2026-01-03T21:00:00Z"]) == 0  # fmt: skip
    client = create_app({"STORE": store, "TODAY": DAY}).test_client()
    html = client.get(f"/?skenario={KALI}").get_data(as_text=True)
    assert "Kejadian terbaru: <b>banjir_2026_01</b> (2026-01-04 04:00 WIB)" in html
    assert f"/banding?skenario={KALI}&amp;skenario=banjir_2026_01" in html
    page = client.get(f"/banding?skenario={KALI}&skenario=banjir_2026_01")
    assert page.status_code == 200
    assert "Yang terlewat oleh rencana latihan_kali_bekasi pada kejadian banjir_2026_01" in (
        page.get_data(as_text=True)
    )


def test_page_lists_the_largest_differences(expected: Any) -> None:
    from geo_klaster.results.banding import page_tables

    t = page_tables(expected, UTARA, KALI, gap_rows=5)
    diff = expected.gap["selisih"].abs()
    assert t["n_gap"] == int((diff > 1e-6).sum()) > 5
    assert [abs(r["selisih"]) for r in t["gap"]] == sorted(diff, reverse=True)[:5]


def test_totals_count_the_at_risk_kecamatan(demo_store: Path, expected: Any) -> None:
    """Per item, banding's shortfall is the analysis' own at-risk total (the summary's)."""
    from geo_klaster.analysis.pipeline import run_analysis

    layers = open_store(demo_store).read_all()
    for name in (UTARA, KALI):
        gap = run_analysis(layers, skenario=name, today=DAY).gap
        own = gap[gap["berisiko"]].groupby("barang")["kekurangan"].sum()
        mine = expected.barang[expected.barang["skenario"] == name].set_index("barang")
        assert set(mine.index) == set(own.index)
        for item, value in own.items():
            assert mine.at[item, "kekurangan"] == pytest.approx(value, abs=1e-6)
