"""Several app processes over one store: a report written through one is in the others' answers.

Two real servers, each its own operating-system process started with ``geo-klaster serve``
on 127.0.0.1 and a free port, over one store (a GeoPackage, and — marked ``postgis`` — a
schema of the PostGIS server ``scripts/test.sh`` starts): server A is one waitress process
(``serve``), server B is gunicorn with two worker processes (``serve --proses 2``). Every
process keeps its own cache keyed on the store's data version. The test warms every cache
with a reading of a site's stock, posts a report through one server, and expects the new
line in the other server's next answers (several requests to B, so both of its workers
answer), then the same the other way round.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from geo_klaster.cli import main
from geo_klaster.members import accounts
from geo_klaster.store import open_store

BARANG, NAMA_BARANG = "perahu_karet", "Perahu karet"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as resp:
        return resp.read()


@contextlib.contextmanager
def _server(demo_location: str, *extra: str) -> Iterator[str]:
    """``geo-klaster serve`` in its own process; yields its base URL once it answers."""
    port = _free_port()
    cmd = [sys.executable, "-P", "-m", "geo_klaster.cli", "--store", demo_location, "serve"]
    env = {**os.environ, "GEO_KLASTER_SECRET": "uji-banyak-proses"}
    proc = subprocess.Popen(
        [*cmd, "--port", str(port), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "exited")
            try:
                _get(base + "/ogc/conformance")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def _post(base: str, body: dict[str, Any], token: str) -> int:
    req = urllib.request.Request(
        base + "/api/laporan",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.status


def _lines(base: str, site: str) -> list[list[Any]]:
    return json.loads(_get(f"{base}/api/analisis/lokasi/{site}/stok.json"))


def _writer(demo_location: str) -> tuple[str, str]:
    """(token, site) of a member account with one site."""
    store = open_store(demo_location)
    site = store.read("lokasi").iloc[0]
    accounts.create_account(
        store, "anggota_proses", peran="anggota", password=None, anggota_id=site["anggota_id"]
    )
    return accounts.issue_token(store, "anggota_proses", label="proses"), str(site["id"])


def test_a_report_through_one_process_is_in_the_others_next_answer(demo_location: str) -> None:
    token, site = _writer(demo_location)
    with _server(demo_location) as a, _server(demo_location, "--proses", "2") as b:
        for _ in range(6):  # warm every process's cache (B's two workers answer in turn)
            assert [NAMA_BARANG, 71_001.0, "unit"] not in _lines(b, site)
        assert [NAMA_BARANG, 71_001.0, "unit"] not in _lines(a, site)

        body = {"lokasi_id": site, "baris": [{"barang": BARANG, "jumlah": 71_001, "siap": 71_001}]}
        assert _post(a, body, token) == 201
        for _ in range(6):
            assert [NAMA_BARANG, 71_001.0, "unit"] in _lines(b, site)

        body = {"lokasi_id": site, "baris": [{"barang": BARANG, "jumlah": 71_002, "siap": 71_002}]}
        assert _post(b, body, token) == 201
        assert [NAMA_BARANG, 71_002.0, "unit"] in _lines(a, site)
        for _ in range(6):
            assert [NAMA_BARANG, 71_002.0, "unit"] in _lines(b, site)


def test_serve_refuses_zero_processes(
    demo_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--store", demo_location, "serve", "--proses", "0"])
    assert exc.value.code == 2
    assert "--proses" in capsys.readouterr().err
