"""Many writers against a running server: 20 members POST their reports at the same moment.

The app runs on waitress (8 threads) on 127.0.0.1 and a free port, on the demo store: a
GeoPackage, and (marked ``postgis``) a fresh schema of the PostGIS server that
``scripts/test.sh`` starts. Twenty member accounts, one API token each; twenty threads wait
at a barrier, then each POSTs one report with a distinctive quantity to ``/api/laporan``.
Afterwards: every report is stored exactly once (none lost, none duplicated), the audit has
twenty entries through the API, and the server's analysis (a cached result, invalidated by
the writes) sees every new line and equals a fresh analysis of the store.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from servers import running

from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.members import accounts
from geo_klaster.store import open_store

N = 20
BARANG, NAMA_BARANG = "perahu_karet", "Perahu karet"
BASE_QTY = 70_000  # writer i reports jumlah = siap = 70,000 + i: each line is recognisable


@pytest.fixture
def server(demo_location: str) -> Iterator[str]:
    with running({"STORE": demo_location, "SECRET_KEY": "uji-konkurensi"}, threads=8) as url:
        yield url


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as resp:
        return resp.read()


def _post(url: str, body: dict[str, Any], token: str) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _writers(demo_location: str, base: str) -> list[tuple[str, str, str]]:
    """(account, token, site) for 20 members, each with a site whose stock counts."""
    status = {
        f["properties"]["id"]: f["properties"]["status"]
        for f in json.loads(_get(base + "/api/analisis/lokasi.geojson"))["features"]
    }
    store = open_store(demo_location)
    lokasi = store.read("lokasi")
    lokasi = lokasi[lokasi["id"].map(status) != "tidak_tersedia"]
    sites = lokasi.drop_duplicates("anggota_id").head(N)
    assert len(sites) == N
    out = []
    for i, (anggota_id, site) in enumerate(zip(sites["anggota_id"], sites["id"], strict=True)):
        name = f"anggota{i:02d}"
        accounts.create_account(store, name, peran="anggota", password=None, anggota_id=anggota_id)
        out.append((name, accounts.issue_token(store, name, label="konkurensi"), str(site)))
    return out


def _terjangkau(base: str) -> float:
    gap = pd.read_csv(io.BytesIO(_get(base + "/api/analisis/gap.csv")))
    return float(gap.loc[gap["barang"] == BARANG, "terjangkau"].sum())


def test_twenty_members_report_at_once(demo_location: str, server: str) -> None:
    writers = _writers(demo_location, server)
    store = open_store(demo_location)
    before_rows = store.count("stok")
    before_audit = len(store.read_audit())
    before_reach = _terjangkau(server)  # computed and cached before the writes

    barrier = threading.Barrier(N)
    answers: dict[int, tuple[int, dict[str, Any]]] = {}
    errors: list[BaseException] = []

    def post(i: int, token: str, site: str) -> None:
        body = {"lokasi_id": site,
                "baris": [{"barang": BARANG, "jumlah": BASE_QTY + i, "siap": BASE_QTY + i}]}  # fmt: skip
        try:
            barrier.wait(timeout=60)
            answers[i] = _post(server + "/api/laporan", body, token)
        except BaseException as exc:  # noqa: BLE001 -- collected and asserted below
            errors.append(exc)

    threads = [
        threading.Thread(target=post, args=(i, token, site))
        for i, (_, token, site) in enumerate(writers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors
    assert sorted(answers) == list(range(N))
    assert all(code == 201 and body["disimpan"] == 1 for code, body in answers.values()), answers

    # every report stored exactly once
    stok = open_store(demo_location).read("stok")
    assert len(stok) == before_rows + N
    new = stok[stok["barang"] == BARANG]
    new = new[new["jumlah"] >= BASE_QTY]
    got = sorted(zip(new["lokasi_id"].astype(str), new["jumlah"].astype(int)))
    want = sorted((site, BASE_QTY + i) for i, (_, _, site) in enumerate(writers))
    assert got == want  # none lost, none duplicated, each at its own site

    # the audit: twenty API reports, one per account
    audit = open_store(demo_location).read_audit()
    assert len(audit) == before_audit + N
    reps = audit.head(N)
    assert set(reps["aksi"]) == {"laporan_stok"} and set(reps["saluran"]) == {"api"}
    assert sorted(reps["akun"]) == sorted(name for name, _, _ in writers)

    # the analysis afterwards (the cached result is invalidated) sees them all
    for i, (_, _, site) in enumerate(writers):
        lines = json.loads(_get(f"{server}/api/analisis/lokasi/{site}/stok.json"))
        assert [NAMA_BARANG, float(BASE_QTY + i), "unit"] in lines, site
    after_reach = _terjangkau(server)
    assert after_reach > before_reach
    today = dt.datetime.now(dt.UTC).date()
    fresh = run_analysis(open_store(demo_location).read_all(), today=today).gap
    fresh_reach = float(fresh.loc[fresh["barang"] == BARANG, "terjangkau"].sum())
    assert after_reach == pytest.approx(fresh_reach, rel=1e-9)
