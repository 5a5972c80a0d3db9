"""Ready answers (geo_klaster.web.ready): anonymous API and OGC answers served from kept bytes.

Each kept answer must be the very answer Flask gives (status, headers but ``Date``, bytes),
checked against the app without the ready layer; a write is in the next answer; a signed-in
request (session cookie or token) never takes or leaves a kept answer, so the coordinator's
contacts cannot reach anyone else; language inputs, conditional requests and the clock
(an OGC page's ``timeStamp``, "today" when ``TODAY`` is not fixed) are respected.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from geo_klaster.web import ogc
from geo_klaster.web.ready import ReadyAnswers
from web_akun import bearer, login, make_app, site_of
from werkzeug.test import Client

from geo_klaster.store import open_store

KEPT = [
    "/api/analisis/kecamatan.geojson",
    "/api/analisis/kecamatan.geojson?jarak_km=10&hari=5",
    "/api/analisis/alokasi.geojson",
    "/api/analisis/lokasi.geojson",
    "/api/analisis/gap.csv",
    "/api/layers/desa.geojson",
    "/api/layers/lokasi.geojson?bbox=106.9,-6.5,107.4,-5.9",
    "/api/kecamatan/32.16.02/jangkauan.geojson",
    "/ogc",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/kecamatan",
    "/ogc/collections/kecamatan/items?limit=5",
    "/ogc/collections/hasil_kecamatan_risiko/items?limit=3&offset=2",
    "/ogc/collections/kecamatan/items/32.16.02",
]
LANGUAGE = [
    {},
    {"Accept-Language": "en-US,en;q=0.9"},
    {"Cookie": "bahasa=en"},
]


def _ready(app: Any) -> ReadyAnswers:
    assert isinstance(app.wsgi_app, ReadyAnswers)
    return app.wsgi_app


def _headers(resp: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in resp.headers.items() if k != "Date"]


@pytest.fixture
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> float:
    """OGC pages stamped at one fixed second (so answers compare byte for byte)."""
    t = float(int(time.time()))
    monkeypatch.setattr(ogc, "clock", lambda: t + 0.25)
    return t


def test_kept_answers_are_flasks_answers(app: Any, fixed_time: float) -> None:
    ready = _ready(app)
    ready.clock = lambda: fixed_time + 0.5
    flask_only = Client(ready.app)  # the app without the ready layer
    client = app.test_client()
    for url in KEPT:
        for headers in LANGUAGE:
            first = client.get(url, headers=headers)
            assert first.status_code == 200, (url, first.data[:300])
            served = ready.hitungan["siap"]
            second = client.get(url, headers=headers)
            assert ready.hitungan["siap"] == served + 1, (url, headers)  # from the kept bytes
            plain = flask_only.get(url, headers=headers)
            assert second.data == first.data == plain.data, (url, headers)
            assert _headers(second) == _headers(first) == _headers(plain), (url, headers)
            assert ("Date" in second.headers) == ("Date" in plain.headers)
    ready.clock = time.time


def test_what_is_never_kept(client_akun: Any, app_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    ready = _ready(app_akun)
    url = "/api/analisis/kecamatan.geojson"
    kept = ready.hitungan["simpan"]
    etag = client_akun.get(url).headers["ETag"]
    assert ready.hitungan["simpan"] == kept + 1
    served = ready.hitungan["siap"]
    # conditional requests, HEAD, tokens and a language switch (which sets a cookie): Flask
    assert client_akun.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client_akun.head(url).status_code == 200
    assert client_akun.get(url, headers=bearer(tokens["a1"])).status_code == 200
    switch = client_akun.get(url + "?lang=en")
    assert "bahasa=en" in switch.headers.get("Set-Cookie", "")
    # pages (identity-dependent) are never kept
    client_akun.get("/anggota")
    client_akun.get("/anggota")
    assert ready.hitungan["siap"] == served
    # a signed-in person's requests go through Flask (the session is refreshed) ...
    login(client_akun, "bpbd")
    signed = client_akun.get(url)
    assert signed.status_code == 200 and ready.hitungan["siap"] == served
    assert "geo_klaster_sesi=" in signed.headers.get("Set-Cookie", "")
    # ... and leave nothing kept: the coordinator's member list with contacts
    anggota = open_store(path).read("anggota")
    contacts = [str(v) for v in anggota["telepon"].dropna() if str(v)]
    assert any(c in client_akun.get("/anggota").data.decode() for c in contacts)
    stranger = app_akun.test_client()
    for page in ("/anggota", "/api/layers/anggota.geojson", "/api/layers/anggota.geojson"):
        body = stranger.get(page).data.decode()
        assert not [c for c in contacts if c in body], page


def test_a_write_is_in_the_next_answer(client_akun: Any, app_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    ready = _ready(app_akun)
    site = site_of(path, "AGT-001")
    url = f"/api/analisis/lokasi/{site}/stok.json"
    line = ["Perahu karet", 71_003.0, "unit"]
    for _ in range(3):
        assert line not in client_akun.get(url).json
    assert ready.hitungan["siap"] >= 2
    body = {
        "lokasi_id": site,
        "baris": [{"barang": "perahu_karet", "jumlah": 71_003, "siap": 71_003}],
    }
    assert (
        client_akun.post("/api/laporan", json=body, headers=bearer(tokens["a1"])).status_code == 201
    )
    assert line in client_akun.get(url).json
    assert line in client_akun.get(url).json
    # a write through another process (here: the store directly) too
    other = app_akun.test_client()
    before = json.loads(other.get("/api/layers/barang.geojson").data)
    store = open_store(path)
    barang = store.read("barang")
    extra = barang.iloc[[0]].copy()
    extra["kode"] = "uji_siap"
    with store.transaction() as tx:
        tx.append("barang", extra)
    after = json.loads(other.get("/api/layers/barang.geojson").data)
    assert len(after["features"]) == len(before["features"]) + 1


def test_an_ogc_page_is_kept_within_its_second(app: Any) -> None:
    ready = _ready(app)
    client = app.test_client()
    url = "/ogc/collections/kecamatan/items?limit=2"
    t = float(int(time.time()))
    ogc.clock = lambda: t + 0.1  # type: ignore[assignment]
    try:
        ready.clock = lambda: t + 0.9
        first = client.get(url).json
        served = ready.hitungan["siap"]
        assert client.get(url).json == first and ready.hitungan["siap"] == served + 1
        ogc.clock = lambda: t + 1.2  # type: ignore[assignment]
        ready.clock = lambda: t + 1.3  # the next second: built anew, with its own stamp
        second = client.get(url).json
        assert ready.hitungan["siap"] == served + 1
        stamp = dt.datetime.fromisoformat(second["timeStamp"])
        assert stamp.timestamp() == t + 1
        assert {k: v for k, v in second.items() if k != "timeStamp"} == {
            k: v for k, v in first.items() if k != "timeStamp"
        }
    finally:
        ogc.clock = time.time  # type: ignore[assignment]
        ready.clock = time.time


def test_today_answers_are_kept_until_midnight(demo_store: Path) -> None:
    from geo_klaster.web import create_app

    app = create_app({"STORE": demo_store})  # TODAY not fixed: the analysis of today
    ready = _ready(app)
    client = app.test_client()
    url = "/api/analisis/kecamatan.geojson"
    now = time.time()
    ready.clock = lambda: now
    client.get(url)
    client.get(url)
    assert ready.hitungan["siap"] == 1
    midnight = dt.datetime.combine(
        dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1), dt.time(), dt.UTC
    ).timestamp()
    ready.clock = lambda: midnight - 0.001
    client.get(url)
    assert ready.hitungan["siap"] == 2
    ready.clock = lambda: midnight
    client.get(url)
    assert ready.hitungan["siap"] == 2  # past midnight: Flask answers (and keeps it anew)


def test_kept_bytes_are_bounded(demo_store: Path) -> None:
    app = make_app(demo_store, BATAS_CACHE_MB=0.02)  # 5 kB of ready answers
    ready = _ready(app)
    client = app.test_client()
    assert len(client.get("/api/layers/kecamatan.geojson").data) > 5_000  # not kept
    urls = [f"/ogc/collections/barang/items?limit={n}" for n in range(1, 12)]
    for url in urls:
        client.get(url)
    _version, answers, held = ready._state
    assert 0 < held[0] == sum(len(a.body) for a in answers.values()) <= 5_000
    assert 0 < len(answers) < len(urls)  # the oldest went first
    assert ("/ogc/collections/barang/items", "limit=11") in {k[:2] for k in answers}
    assert not any(k[0] == "/api/layers/kecamatan.geojson" for k in answers)


def test_etag_is_the_same_in_every_server_process(demo_store: Path) -> None:
    """Two workers of ``serve --proses 2`` give one body one ETag (``hash()`` is salted per
    process), so a revalidation is a 304 whichever worker answers."""
    code = (
        "import sys, datetime; from geo_klaster.web import create_app; "
        "app = create_app({'STORE': sys.argv[1], 'TODAY': datetime.date(2026, 11, 27)}); "
        "print(app.test_client().get('/api/analisis/kecamatan.geojson').headers['ETag'])"
    )
    tags = set()
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-P", "-c", code, str(demo_store)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        tags.add(out.stdout.strip())
    assert len(tags) == 1 and next(iter(tags)).startswith('"v')
