"""Reporting through the web: forms, uploads, the JSON API, sites, history, stale members,
the audit trail, personal data and the cache, on a copy of the demo store per test."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import pytest
from web_akun import (
    TODAY,
    bearer,
    csrf_from,
    login,
    make_app,
    site_of,
    state,
)

from geo_klaster.members import accounts, reports
from geo_klaster.store import open_store

HOSTILE = "<script>alert(1)</script>'; DROP TABLE stok; --"


def last_audit(path: Path) -> pd.Series:
    return open_store(path).read_audit(limit=1).iloc[0]


# -- permissions -----------------------------------------------------------------------------


def test_member_cannot_write_another_members_site(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    other = site_of(path, "AGT-002")
    before = state(path)
    api = client_akun.post(
        "/api/laporan",
        json={"lokasi_id": other, "baris": [{"barang": "beras", "jumlah": 1, "siap": 1}]},
        headers=bearer(tokens["a1"]),
    )
    assert api.status_code == 403 and other in api.json["error"]
    moved = client_akun.post(
        "/api/lokasi",
        json={"id": other, "nama": "Pindah", "lon": 107.1, "lat": -6.3},
        headers=bearer(tokens["a1"]),
    )
    assert moved.status_code == 403
    login(client_akun, "a1")
    assert client_akun.get(f"/laporan/{other}").status_code == 403
    token = csrf_from(client_akun, "/laporan")
    form = {"csrf_token": token, "barang": "beras", "jumlah": "1", "siap": "1"}
    assert client_akun.post(f"/laporan/{other}", data=form).status_code == 403
    upload = {
        "csrf_token": token,
        "berkas": (io.BytesIO(b"barang,jumlah,siap\nberas,1,1\n"), "l.csv"),
    }
    assert client_akun.post(f"/laporan/{other}/unggah", data=upload).status_code == 403
    site_form = {"csrf_token": token, "id": other, "nama": "x", "lon": "107.1", "lat": "-6.3"}
    assert client_akun.post("/lokasi", data=site_form).status_code == 403
    assert state(path) == before  # nothing changed
    # the member's own list shows only its own sites
    page = client_akun.get("/laporan").data.decode()
    assert site_of(path, "AGT-001") in page and other not in page


def test_coordinator_reports_for_any_site(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    for anggota in ("AGT-001", "AGT-002", "AGT-003"):
        resp = client_akun.post(
            "/api/laporan",
            json={"lokasi_id": site_of(path, anggota),
                  "baris": [{"barang": "beras", "jumlah": 10, "siap": 5}]},
            headers=bearer(tokens["bpbd"]),
        )  # fmt: skip
        assert resp.status_code == 201 and resp.json == {
            "disimpan": 1, "lokasi_id": site_of(path, anggota), "versi": resp.json["versi"],
        }  # fmt: skip


def test_unknown_site_is_404(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    before = state(path)
    resp = client_akun.post(
        "/api/laporan",
        json={"lokasi_id": "LOK-TIDAK-ADA", "baris": [{"barang": "beras", "jumlah": 1, "siap": 1}]},
        headers=bearer(tokens["bpbd"]),
    )
    assert resp.status_code == 404 and resp.json["parameter"] == "lokasi_id"
    assert state(path) == before


# -- bad rows: all named, nothing written ----------------------------------------------------

CSV_ROWS_3_AND_7_WRONG = """\
lokasi_id,barang,jumlah,siap,satuan,kondisi,kedaluwarsa
,beras,100,50,kg,baik,2027-05-01
,beras,-4,0,kg,baik,2027-05-01
,air_minum,300,300,liter,baik,2027-01-01
,tenda,4,4,unit,baik,
,genset,2,1,unit,baik,
,perahu_karet,3,5,unit,baik,
"""  # line 3: negative jumlah; line 7: siap above jumlah


def _upload(client_akun: Any, site: str, data: bytes, name: str) -> Any:
    token = csrf_from(client_akun, f"/laporan/{site}")
    return client_akun.post(
        f"/laporan/{site}/unggah",
        data={"csrf_token": token, "berkas": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_csv_with_rows_3_and_7_wrong_is_refused_whole(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    login(client_akun, "a1")
    site = site_of(path, "AGT-001")
    before = state(path)
    resp = _upload(client_akun, site, CSV_ROWS_3_AND_7_WRONG.encode(), "laporan.csv")
    assert resp.status_code == 400
    page = resp.data.decode()
    assert "baris 3, kolom <code>jumlah</code>" in page
    assert "baris 7, kolom <code>siap</code>" in page
    assert "tidak ada yang disimpan" in page
    for n in (2, 4, 5, 6):
        assert f"baris {n}," not in page
    assert state(path) == before


def test_xlsx_with_rows_3_and_7_wrong_is_refused_whole(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    login(client_akun, "a1")
    site = site_of(path, "AGT-001")
    frame = pd.read_csv(io.StringIO(CSV_ROWS_3_AND_7_WRONG), dtype=str)
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, engine="openpyxl")
    before = state(path)
    resp = _upload(client_akun, site, buf.getvalue(), "laporan.xlsx")
    assert resp.status_code == 400
    assert "baris 3, kolom <code>jumlah</code>" in resp.data.decode()
    assert "baris 7, kolom <code>siap</code>" in resp.data.decode()
    assert state(path) == before


def test_api_names_every_bad_row(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    site = site_of(path, "AGT-001")
    baris = [
        {"barang": "beras", "jumlah": 100, "siap": 50},
        {"barang": "mi_instan", "jumlah": -4, "siap": 0},  # row 2
        {"barang": "air_minum", "jumlah": 300, "siap": 300},
        {"barang": "genset", "jumlah": 2, "siap": 5},  # row 4
        {"barang": "tenda", "jumlah": 1, "siap": 1, "kondisi": "hilang"},  # row 5
    ]
    before = state(path)
    resp = client_akun.post(
        "/api/laporan", json={"lokasi_id": site, "baris": baris}, headers=bearer(tokens["a1"])
    )
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    named = {(m["baris"], m["kolom"]) for m in resp.json["masalah"]}
    assert named == {(2, "jumlah"), (4, "siap"), (5, "kondisi")}
    assert all(m["pesan"] for m in resp.json["masalah"])
    assert state(path) == before


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"baris": [{"barang": "beras", "jumlah": 1, "siap": 1}]}, "lokasi_id"),
        ({"lokasi_id": "SITE", "baris": []}, "baris"),
        ({"lokasi_id": "SITE", "baris": "beras"}, "baris"),
        ([1, 2], "baris"),
    ],
)
def test_api_shape_errors_are_400(
    client_akun: Any, store_akun: Any, body: Any, parameter: str
) -> None:
    path, tokens = store_akun
    site = site_of(path, "AGT-001")
    if isinstance(body, dict) and body.get("lokasi_id") == "SITE":
        body = {**body, "lokasi_id": site}
    before = state(path)
    resp = client_akun.post("/api/laporan", json=body, headers=bearer(tokens["a1"]))
    assert resp.status_code == 400 and resp.json["parameter"] == parameter
    assert state(path) == before


def test_api_refuses_unknown_columns_and_backdating(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    site = site_of(path, "AGT-001")
    baris = [
        {"barang": "beras", "jumlah": 1, "siap": 1, "dilaporkan": "2020-01-01"},
        {"barang": "beras", "jumlah": 1, "siap": 1, "harga": 5},
        "bukan objek",
    ]
    before = state(path)
    resp = client_akun.post(
        "/api/laporan", json={"lokasi_id": site, "baris": baris}, headers=bearer(tokens["a1"])
    )
    assert resp.status_code == 400
    assert sorted(m["baris"] for m in resp.json["masalah"]) == [1, 2, 3]
    assert state(path) == before


def test_form_names_the_lines_the_person_sees(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    login(client_akun, "a1")
    site = site_of(path, "AGT-001")
    token = csrf_from(client_akun, f"/laporan/{site}")
    form = {  # line 2 is empty (skipped); lines 3 and 4 are wrong
        "csrf_token": token,
        "barang": ["beras", "", "beras", HOSTILE],
        "jumlah": ["10", "", "-1", "5"],
        "siap": ["5", "", "0", "5"],
        "satuan": ["", "", "", ""],
        "kondisi": ["baik", "baik", "baik", "baik"],
        "kedaluwarsa": ["", "", "", ""],
    }
    before = state(path)
    resp = client_akun.post(f"/laporan/{site}", data=form)
    assert resp.status_code == 400
    page = resp.data.decode()
    assert "baris 3, kolom <code>jumlah</code>" in page
    assert "baris 4, kolom <code>barang</code>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    assert state(path) == before


# -- good writes and their channels ----------------------------------------------------------


def test_each_channel_is_audited(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    site = site_of(path, "AGT-001")
    resp = client_akun.post(
        "/api/laporan",
        json={"lokasi_id": site, "baris": [{"barang": "beras", "jumlah": 11, "siap": 1}]},
        headers=bearer(tokens["a1"]),
    )
    assert resp.status_code == 201
    assert tuple(last_audit(path)[["akun", "saluran", "aksi", "jumlah"]]) == (
        "a1", "api", "laporan_stok", 1,
    )  # fmt: skip
    login(client_akun, "a1")
    ok = _upload(client_akun, site, b"barang,jumlah,siap\nberas,12,2\ntenda,3,3\n", "stok_nov.csv")
    assert ok.status_code == 303
    log = last_audit(path)
    assert (log["akun"], log["saluran"], log["jumlah"]) == ("a1", "unggah", 2)
    assert "stok_nov.csv" in log["rincian"]
    token = csrf_from(client_akun, f"/laporan/{site}")
    form = {"csrf_token": token, "barang": "beras", "jumlah": "13", "siap": "3", "satuan": "",
            "kondisi": "baik", "kedaluwarsa": "2027-06-30"}  # fmt: skip
    assert client_akun.post(f"/laporan/{site}", data=form).status_code == 303
    assert tuple(last_audit(path)[["akun", "saluran"]]) == ("a1", "web")
    site_form = {"csrf_token": token, "id": site, "nama": "Gudang pindah", "jenis": "gudang",
                 "lon": "107.1800", "lat": "-6.3700"}  # fmt: skip
    assert client_akun.post("/lokasi", data=site_form).status_code == 303
    assert tuple(last_audit(path)[["akun", "saluran", "aksi"]]) == ("a1", "web", "lokasi")
    stok = open_store(path).read("stok").tail(4)
    assert stok["jumlah"].tolist() == [11, 12, 3, 13]
    assert stok["kedaluwarsa"].iloc[-1] == pd.Timestamp("2027-06-30")


def test_audit_page_and_api_for_the_coordinator(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    site = site_of(path, "AGT-001")
    client_akun.post(
        "/api/laporan",
        json={"lokasi_id": site, "baris": [{"barang": "beras", "jumlah": 11, "siap": 1}]},
        headers=bearer(tokens["a1"]),
    )
    resp = client_akun.get("/api/audit?saluran=api", headers=bearer(tokens["bpbd"]))
    assert resp.status_code == 200
    entries = resp.json["catatan"]
    assert [e["akun"] for e in entries] == ["a1"]
    assert entries[0]["rincian"]["lokasi"] == [site]
    login(client_akun, "bpbd")
    page = client_akun.get("/koordinator/audit").data.decode()
    assert "laporan_stok" in page and "akun" in page and "cli" in page
    assert client_akun.get("/koordinator/audit?batas=0").status_code == 400


def test_template_downloads_match_the_report_columns(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    csv = client_akun.get("/laporan/templat.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.decode().strip().split(",") == reports.REPORT_COLUMNS
    xlsx = client_akun.get("/laporan/templat.xlsx")
    assert xlsx.status_code == 200
    sheets = pd.read_excel(io.BytesIO(xlsx.data), sheet_name=None)
    first = next(iter(sheets.values()))
    assert list(first.columns) == reports.REPORT_COLUMNS and first.empty
    assert "beras" in set(sheets["barang (petunjuk)"]["kode"])
    # the filled template is accepted
    site = site_of(path, "AGT-001")
    filled = pd.DataFrame(
        [[site, "beras", 40, 20, "kg", "baik", None]], columns=reports.REPORT_COLUMNS
    )
    buf = io.BytesIO()
    filled.to_excel(buf, index=False, engine="openpyxl")
    login(client_akun, "a1")
    assert _upload(client_akun, site, buf.getvalue(), "templat_terisi.xlsx").status_code == 303


def test_upload_refuses_other_file_types_and_zip_bombs(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    login(client_akun, "a1")
    site = site_of(path, "AGT-001")
    before = state(path)
    assert _upload(client_akun, site, b"MZ\x90\x00", "laporan.exe").status_code == 400
    assert _upload(client_akun, site, b"bukan zip", "laporan.xlsx").status_code == 400
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)
    assert len(bomb.getvalue()) < 2_000_000
    resp = _upload(client_akun, site, bomb.getvalue(), "laporan.xlsx")
    assert resp.status_code == 400 and "terlalu besar" in resp.data.decode()
    assert state(path) == before


# -- size limit ------------------------------------------------------------------------------


def test_oversized_upload_is_413(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    login(client_akun, "a1")
    site = site_of(path, "AGT-001")
    before = state(path)
    big = b"barang,jumlah,siap\n" + b"beras,1,1\n" * 300_000  # 3 MB > 2 MB
    token = csrf_from(client_akun, f"/laporan/{site}")
    boundary = "batas-uji-413"
    body = (
        (  # built here as bytes: the test client would spool a large form to a temp file
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="berkas"; '
            f'filename="besar.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    resp = client_akun.post(
        f"/laporan/{site}/unggah",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert resp.status_code == 413
    assert "terlalu besar" in resp.data.decode() and "2 MB" in resp.data.decode()
    api = client_akun.post(
        "/api/laporan",
        data=json.dumps({"lokasi_id": site, "baris": [{"barang": "beras"}] * 150_000}),
        content_type="application/json",
        headers=bearer(tokens["a1"]),
    )
    assert api.status_code == 413 and api.mimetype == "application/json"
    assert "terlalu besar" in api.json["error"]
    assert state(path) == before


# -- sites: map click or typed coordinates ---------------------------------------------------


def test_member_adds_and_moves_its_sites(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    login(client_akun, "a1")
    page = client_akun.get("/lokasi")
    assert page.status_code == 200
    html = page.data.decode()
    assert "/vendor/leaflet/leaflet.js" in html and "pilih_lokasi.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    token = csrf_from(client_akun, "/lokasi")
    new = {"csrf_token": token, "id": "LOK-A1-BARU", "nama": "Posko baru", "jenis": "posko",
           "lon": "107,15", "lat": "-6.30", "baru": "1"}  # fmt: skip
    resp = client_akun.post("/lokasi", data=new)
    assert resp.status_code == 303
    lokasi = open_store(path).read("lokasi").set_index("id")
    assert lokasi.at["LOK-A1-BARU", "anggota_id"] == "AGT-001"
    assert (lokasi.at["LOK-A1-BARU", "geometry"].x, lokasi.at["LOK-A1-BARU", "geometry"].y) == (
        107.15, -6.30,
    )  # fmt: skip
    moved = client_akun.post(
        "/api/lokasi",
        json={"id": "LOK-A1-BARU", "nama": "Posko baru", "lon": 107.16, "lat": -6.31},
        headers=bearer(tokens["a1"]),
    )
    assert moved.status_code == 200 and moved.json["aksi"] == "diubah"
    geom = open_store(path).read("lokasi").set_index("id").at["LOK-A1-BARU", "geometry"]
    assert (geom.x, geom.y) == (107.16, -6.31)


def test_swapped_coordinates_are_refused(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    login(client_akun, "a1")
    token = csrf_from(client_akun, "/lokasi")
    before = state(path)
    swapped = {"csrf_token": token, "id": "LOK-TUKAR", "nama": "Tertukar", "jenis": "gudang",
               "lon": "-6.30", "lat": "107.15", "baru": "1"}  # fmt: skip
    resp = client_akun.post("/lokasi", data=swapped)
    assert resp.status_code == 400
    assert "lintang dan bujur tertukar" in resp.data.decode()
    api = client_akun.post(
        "/api/lokasi",
        json={"id": "LOK-TUKAR", "nama": "Tertukar", "lon": -6.3, "lat": 107.15},
        headers=bearer(tokens["a1"]),
    )
    assert api.status_code == 400
    assert any("tertukar" in m["pesan"] for m in api.json["masalah"])
    assert state(path) == before


# -- hostile strings -------------------------------------------------------------------------


def test_hostile_strings_are_data(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    login(client_akun, "bpbd")
    token = csrf_from(client_akun, "/lokasi")
    form = {"csrf_token": token, "id": "LOK-X", "nama": HOSTILE, "jenis": "gudang",
            "anggota_id": "AGT-003", "lon": "107.1", "lat": "-6.3", "baru": "1"}  # fmt: skip
    assert client_akun.post("/lokasi", data=form).status_code == 303
    assert open_store(path).read("lokasi").set_index("id").at["LOK-X", "nama"] == HOSTILE
    before = state(path)
    bad = client_akun.post(
        "/api/laporan",
        json={"lokasi_id": "LOK-X", "baris": [{"barang": HOSTILE, "jumlah": 1, "siap": 1}]},
        headers=bearer(tokens["bpbd"]),
    )
    assert bad.status_code == 400
    assert any(m["kolom"] == "barang" for m in bad.json["masalah"])
    assert state(path) == before
    for url in ("/laporan", "/laporan/LOK-X", "/lokasi?id=LOK-X", "/", "/anggota"):
        html = client_akun.get(url).data.decode()
        assert "<script>alert(1)</script>" not in html, url
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in client_akun.get("/laporan/LOK-X").data.decode()
    )
    # the map's inline data escapes it too, and the store still has every table
    assert open_store(path).count("stok") == before[0]
    fc = client_akun.get("/api/layers/lokasi.geojson").json
    assert HOSTILE in {f["properties"]["nama"] for f in fc["features"]}


# -- history and ?per= -----------------------------------------------------------------------


def _history(path: Path) -> str:
    """Two reports of one site on 20 and 25 November; returns the site."""
    store_akun = open_store(path)
    site = site_of(path, "AGT-001")
    a1 = accounts.authenticate_password(store_akun, "a1", "rahasia-a1", saluran="api")
    for day, jumlah in ((20, 11111), (25, 22222)):
        reports.submit_report(
            store_akun, a1, [{"barang": "genset", "jumlah": jumlah, "siap": jumlah}], lokasi_id=site,
            now=dt.datetime(2026, 11, day, 9, 0),
        )  # fmt: skip
    return site


def test_per_shows_the_state_at_a_date(store_akun: Any) -> None:
    path, _ = store_akun
    site = _history(path)
    client_akun = make_app(path, TODAY=TODAY).test_client()  # the demo's day, whatever the clock

    def genset(url: str) -> float | None:
        rows = client_akun.get(url).json["stok"]
        hit = [r for r in rows if r["lokasi_id"] == site and r["barang"] == "genset"]
        return hit[0]["jumlah"] if hit else None

    assert genset(f"/api/stok.json?lokasi_id={site}&per=2026-11-21") == 11111
    assert genset(f"/api/stok.json?lokasi_id={site}&per=2026-11-24") == 11111
    assert genset(f"/api/stok.json?lokasi_id={site}&per=2026-11-25") == 22222
    assert genset(f"/api/stok.json?lokasi_id={site}") == 22222
    assert genset(f"/api/stok.json?lokasi_id={site}&per=2026-11-19") not in (11111, 22222)

    # the analysis as of a date (committable stock per site, catalogue units)
    def komit(per: str) -> float | None:
        rows = client_akun.get(f"/api/analisis/lokasi/{site}/stok.json?per={per}").json
        hit = [r for r in rows if r[0].startswith("Genset")]
        return hit[0][1] if hit else None

    assert komit("2026-11-21") == 11111 and komit("2026-11-26") == 22222
    # pages: the site page and the overview's map data
    login(client_akun, "a1")
    page = client_akun.get(f"/laporan/{site}?per=2026-11-21").data.decode()
    assert "11.111" in page and "22.222" not in page
    assert "22.222" in client_akun.get(f"/laporan/{site}").data.decode()
    assert (
        '["Genset (pembangkit listrik)",11111.0,"unit"]'
        in client_akun.get("/?per=2026-11-21").data.decode()
    )


@pytest.mark.parametrize("bad", ["2026-13-01", "kemarin", "2026-W48-1", "20261120", "2026-11-28"])
def test_bad_per_is_400_naming_per(store_akun: Any, bad: str) -> None:
    client_akun = make_app(store_akun[0], TODAY=TODAY).test_client()
    for url in (f"/api/stok.json?per={bad}", f"/api/analisis/kecamatan.geojson?per={bad}"):
        resp = client_akun.get(url)
        assert resp.status_code == 400 and resp.json["parameter"] == "per", url
    page = client_akun.get(f"/?per={bad}")
    assert page.status_code == 400 and "<code>per</code>" in page.data.decode()


def test_per_is_part_of_the_cache_key(store_akun: Any) -> None:
    path, _ = store_akun
    _history(path)
    app_akun = make_app(path, TODAY=TODAY)
    client_akun = app_akun.test_client()
    cache = app_akun.extensions["geo_klaster"]
    client_akun.get("/api/analisis/kecamatan.geojson")
    n = cache.hitungan["analisis"]
    client_akun.get("/api/analisis/kecamatan.geojson?per=2026-11-21")
    assert cache.hitungan["analisis"] == n + 1
    client_akun.get("/api/analisis/kecamatan.geojson?per=2026-11-21")
    assert cache.hitungan["analisis"] == n + 1


# -- the cache: new reports at once ----------------------------------------------------------


def test_maps_and_analysis_use_new_reports_at_once(app_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    client_akun = app_akun.test_client()
    cache = app_akun.extensions["geo_klaster"]
    site = site_of(path, "AGT-001")
    url = f"/api/analisis/lokasi/{site}/stok.json"
    before = client_akun.get(url).json
    gap_before = pd.read_csv(io.BytesIO(client_akun.get("/api/analisis/gap.csv").data))
    page_before = client_akun.get("/").data.decode()
    assert "98765" not in page_before
    n = cache.hitungan["analisis"]
    resp = client_akun.post(
        "/api/laporan",
        json={"lokasi_id": site, "baris": [{"barang": "perahu_karet", "jumlah": 98765,
                                            "siap": 98765}]},
        headers=bearer(tokens["a1"]),
    )  # fmt: skip
    assert resp.status_code == 201
    after = client_akun.get(url).json
    assert ["Perahu karet", 98765.0, "unit"] in after and after != before
    assert cache.hitungan["analisis"] == n + 1  # recomputed once for the new data version
    gap_after = pd.read_csv(io.BytesIO(client_akun.get("/api/analisis/gap.csv").data))
    perahu = gap_after[gap_after["barang"] == "perahu_karet"]["terjangkau"].sum()
    assert perahu >= gap_before[gap_before["barang"] == "perahu_karet"]["terjangkau"].sum()
    assert "98765" in client_akun.get("/").data.decode()  # the overview map's site data
    assert cache.hitungan["analisis"] == n + 1


# -- stale members ---------------------------------------------------------------------------


def test_stale_members_listed_for_the_coordinator_with_contacts(store_akun: Any) -> None:
    path, tokens = store_akun
    anggota = open_store(path).read("anggota").set_index("id")
    today = dt.datetime.now(dt.UTC).date()
    table = reports.stale_members(open_store(path), today=today)
    stale = table[table["usang"]]
    assert len(stale) > 0
    victim = str(stale["id"].iloc[0])
    client_akun = make_app(path).test_client()
    login(client_akun, "bpbd")
    page = client_akun.get("/koordinator/usang").data.decode()
    assert str(anggota.at[victim, "kontak"]) in page and str(anggota.at[victim, "telepon"]) in page
    assert f"{len(stale)} dari {len(anggota)} anggota" in page
    # a report makes the member current, on the page and on the maps' site data
    site = site_of(path, victim)
    resp = client_akun.post(
        "/api/laporan",
        json={"lokasi_id": site, "baris": [{"barang": "beras", "jumlah": 1, "siap": 1}]},
        headers=bearer(tokens["bpbd"]),
    )
    assert resp.status_code == 201
    page = client_akun.get("/koordinator/usang").data.decode()
    assert f"{len(stale) - 1} dari {len(anggota)} anggota" in page
    fc = client_akun.get("/api/analisis/lokasi.geojson").json
    flags = {f["properties"]["id"]: f["properties"]["usang"] for f in fc["features"]}
    assert flags[site] is False
    # the period is configurable
    long = make_app(path, PERIODE_LAPORAN_HARI=100_000).test_client()
    login(long, "bpbd")
    assert (
        "Laporan terakhir lebih dari <b>100000 hari</b>"
        in long.get("/koordinator/usang").data.decode()
    )


# -- personal data ---------------------------------------------------------------------------


def test_personal_data_only_for_signed_in_people(
    client_akun: Any, store_akun: Any, tmp_path: Path
) -> None:
    path, _ = store_akun
    anggota = open_store(path).read("anggota")
    secrets = [str(v) for c in ("kontak", "telepon") for v in anggota[c].dropna() if str(v)]
    assert len(secrets) > 10
    public = ["/", "/anggota", "/gap", "/alokasi", "/kecamatan/32.16.02",
              "/api/layers/anggota.geojson", "/api/analisis/lokasi.geojson",
              "/api/stok.json", "/laporan/templat.csv", "/masuk"]  # fmt: skip
    for url in public:
        body = client_akun.get(url).data.decode("utf-8", "replace")
        assert not [s for s in secrets if s in body], url
    gpkg = tmp_path / "ekspor.gpkg"
    gpkg.write_bytes(client_akun.get("/api/export.gpkg").data)
    exported = pyogrio.read_dataframe(gpkg, layer="anggota")
    assert not {"kontak", "telepon"} & set(exported.columns) or (
        exported["kontak"].isna().all() and exported["telepon"].isna().all()
    )
    assert client_akun.get("/koordinator/usang").status_code == 302  # to /masuk
    # data minimisation: a member sees its own contact person and phone only ...
    login(client_akun, "a1")
    signed = client_akun.get("/anggota").data.decode()
    own = anggota.set_index("id").loc["AGT-001"]
    others = anggota[anggota["id"] != "AGT-001"]
    assert str(own["kontak"]) in signed and str(own["telepon"]) in signed
    leaked = [str(v) for c in ("kontak", "telepon") for v in others[c].dropna() if str(v)]
    assert not [s for s in leaked if s in signed]
    # ... but every member's organisation, sector and sites
    assert all(html.escape(str(n)) in signed for n in anggota["nama"])
    assert "Narahubung" in signed and "hanya untuk anggota ini dan koordinator" in signed
    # the coordinator sees all
    coordinator = make_app(path).test_client()
    login(coordinator, "bpbd")
    koordinator = coordinator.get("/anggota").data.decode()
    assert sum(s in koordinator for s in secrets) == len(secrets)
