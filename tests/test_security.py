"""Security review of the web app: hostile names, spreadsheet formulas, abusive bodies.

Each test here failed before its fix: layer names reaching Leaflet's layer control as HTML,
site names becoming formulas in ``rencana_aksi.xlsx`` and ``gap.csv``, a small XLSX of
millions of cells holding a server thread for a minute, deeply nested JSON answered 500,
and site codes and names of any length through the API.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import web_akun
from web_akun import TODAY, bearer, site_of, state

from geo_klaster.members import accounts
from geo_klaster.store import open_store

HOSTILE = "<img src=x onerror=alert(1)></script><script>alert(2)</script>\"'&"
FORMULA = '=HYPERLINK("http://evil.example/","klik")'


def make_app(path: Path, **config: Any) -> Any:
    return web_akun.make_app(path, TODAY=TODAY, **config)


def _set(path: Path, sql: str, *args: object) -> None:
    """Put a value the importer would also accept straight into the store (a fresh copy)."""
    with sqlite3.connect(path) as con:
        assert con.execute(sql, args).rowcount >= 1


# -- XSS: names in the map's layer control ---------------------------------------------------


def _layer_control_names(html: str) -> list[str]:
    """The overlay names folium writes into ``L.control.layers`` (JSON string keys)."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.DOTALL)
    assert block, "no layer control on the page"
    return [json.loads(k) for k in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', block.group(1))]


def test_an_item_name_is_escaped_in_the_layer_control(store_akun: Any) -> None:
    path, _ = store_akun
    _set(path, "UPDATE barang SET nama = ? WHERE kode = 'beras'", "Beras " + HOSTILE)
    html = make_app(path).test_client().get("/gap?barang=beras").get_data(as_text=True)
    names = [n for n in _layer_control_names(html) if n.startswith("Kekurangan")]
    assert names, _layer_control_names(html)
    # Leaflet sets a layer's name as innerHTML: it must arrive escaped, shown as typed
    assert "<img" not in names[0] and "<script" not in names[0]
    assert names[0] == "Kekurangan Beras &lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;" + (
        "&lt;script&gt;alert(2)&lt;/script&gt;&#34;&#39;&amp;"
    )
    # and the raw name never closes the page's script
    assert "</script><script>alert(2)" not in html


def test_plain_layer_names_are_unchanged(store_akun: Any) -> None:
    html = make_app(store_akun[0]).test_client().get("/").get_data(as_text=True)
    assert "Lokasi anggota" in _layer_control_names(html)


# -- formula injection in downloads ----------------------------------------------------------


def test_a_site_name_never_becomes_a_formula_in_the_action_plan(store_akun: Any) -> None:
    path, _ = store_akun
    client = make_app(path).test_client()
    alokasi = client.get("/api/analisis/alokasi.geojson").get_json()["features"]
    lid, anggota_id = alokasi[0]["properties"]["lokasi_id"], alokasi[0]["properties"]["anggota_id"]
    # the member owning an allocated site renames it through the API (allowed: its own site)
    accounts.create_account(
        open_store(path), "pemilik", peran="anggota", password=None, anggota_id=anggota_id
    )
    token = accounts.issue_token(open_store(path), "pemilik")
    site = next(
        f for f in client.get("/api/layers/lokasi.geojson").get_json()["features"] if f["id"] == lid
    )
    lon, lat = site["geometry"]["coordinates"]
    resp = client.post(
        "/api/lokasi",
        json={"id": lid, "nama": FORMULA, "lon": lon, "lat": lat},
        headers=bearer(token),
    )
    assert resp.status_code == 200, resp.get_json()
    resp = client.get("/alokasi/rencana_aksi.xlsx")
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert FORMULA in texts and lid in texts, "the site name is kept, as text"
    assert [c.value for c in cells if isinstance(c.value, int | float)], "numbers stay numbers"


def test_gap_csv_quotes_cells_a_spreadsheet_would_run(store_akun: Any) -> None:
    path, _ = store_akun
    with sqlite3.connect(path) as con:
        kode = con.execute("SELECT kode FROM kecamatan ORDER BY kode LIMIT 1").fetchone()[0]
    _set(path, "UPDATE kecamatan SET nama = ? WHERE kode = ?", FORMULA, kode)
    resp = make_app(path).test_client().get("/api/analisis/gap.csv")
    assert resp.status_code == 200
    table = pd.read_csv(io.BytesIO(resp.data), dtype={"kode": str})
    names = set(table.loc[table["kode"] == kode, "nama"])
    assert names == {"'" + FORMULA}
    assert pd.api.types.is_numeric_dtype(table["kebutuhan"])  # negative numbers untouched
    assert not table["nama"].astype(str).str.match(r"[=+\-@]").any()


# -- abusive bodies --------------------------------------------------------------------------


def _xlsx_with_cells(rows: int) -> bytes:
    """A valid report workbook whose sheet holds ``rows`` identical lines: it compresses to
    a few kilobytes, well under the request and inflated-size limits."""
    wb = openpyxl.Workbook()
    wb.active.append(["barang", "jumlah", "siap"])
    base = io.BytesIO()
    wb.save(base)
    row = '<row><c t="inlineStr"><is><t>beras</t></is></c><c><v>1</v></c><c><v>1</v></c></row>'
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>'
        '<c t="inlineStr"><is><t>barang</t></is></c><c t="inlineStr"><is><t>jumlah</t></is></c>'
        '<c t="inlineStr"><is><t>siap</t></is></c></row>' + row * rows + "</sheetData></worksheet>"
    ).encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(base) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
    ):
        for info in zin.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else zin.read(info)
            z.writestr(info.filename, data)
    return out.getvalue()


def test_an_xlsx_of_too_many_cells_is_refused_before_it_is_parsed(store_akun: Any) -> None:
    path, tokens = store_akun
    body = _xlsx_with_cells(150_000)  # ~12 MB of sheet XML, 45 KB on the wire
    assert len(body) < 100_000
    lid = site_of(path, "AGT-001")
    before = state(path)
    client = make_app(path).test_client()
    start = time.perf_counter()
    resp = client.post(
        f"/laporan/{lid}/unggah",
        data={"berkas": (io.BytesIO(body), "laporan.xlsx")},
        headers=bearer(tokens["a1"]),
    )
    took = time.perf_counter() - start
    assert resp.status_code == 400
    assert "terlalu banyak sel" in resp.get_data(as_text=True)
    assert took < 3.0, f"took {took:.1f} s: the reader parsed the sheet"
    assert state(path) == before


def test_a_small_xlsx_report_is_still_accepted(store_akun: Any) -> None:
    path, tokens = store_akun
    lid = site_of(path, "AGT-001")
    resp = (
        make_app(path)
        .test_client()
        .post(
            f"/laporan/{lid}/unggah",
            data={"berkas": (io.BytesIO(_xlsx_with_cells(1)), "laporan.xlsx")},
            headers=bearer(tokens["a1"]),
        )
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[-800:]


@pytest.mark.parametrize("url", ["/api/laporan", "/api/lokasi"])
def test_deeply_nested_json_is_a_400_not_a_500(store_akun: Any, url: str) -> None:
    path, tokens = store_akun
    before = state(path)
    resp = (
        make_app(path)
        .test_client()
        .post(
            url,
            data="[" * 100_000 + "]" * 100_000,
            content_type="application/json",
            headers=bearer(tokens["a1"]),
        )
    )
    assert resp.status_code == 400
    assert resp.is_json and "error" in resp.get_json()
    assert state(path) == before


@pytest.mark.parametrize(
    ("field", "value"), [("id", "LOK-" + "9" * 100), ("nama", "Gudang " + "x" * 300)]
)
def test_api_site_code_and_name_are_bounded_like_the_form(
    store_akun: Any, field: str, value: str
) -> None:
    path, tokens = store_akun
    before = state(path)
    body = {"id": "LOK-901", "nama": "Gudang baru", "lon": 107.1, "lat": -6.3, field: value}
    resp = make_app(path).test_client().post("/api/lokasi", json=body, headers=bearer(tokens["a1"]))
    assert resp.status_code == 400, resp.get_json()
    assert [m["kolom"] for m in resp.get_json()["masalah"]] == [field]
    assert state(path) == before
