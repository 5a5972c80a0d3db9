"""Issue 11, staying up: slow connections, a bounded analysis cache, capped header columns
and audit entries, and writes that reload only the layers they touched (both stores)."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from geo_klaster.web import ServeOptions, create_app
from geo_klaster.web.cache import DataCache, Parameter
from servers import running
from test_import import base, digest, run, write  # noqa: F401 -- `base` is a fixture

from geo_klaster.store import open_store

# ruff: noqa: F811 -- the fixture `base` is imported from test_import and named by the tests

TODAY = "2026-11-30"


# -- 8. slow connections ---------------------------------------------------------------------


@contextlib.contextmanager
def slow_clients(url: str, n: int) -> Iterator[list[socket.socket]]:
    """``n`` connections that send half a request line and then nothing (closed on exit)."""
    host, port = url.removeprefix("http://").split(":")
    socks: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.create_connection((host, int(port)), timeout=2)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Lambat: ")
            socks.append(s)
        time.sleep(0.5)  # let the server accept (or refuse to accept) them
        yield socks
    finally:
        for s in socks:
            s.close()


def answers_within(url: str, seconds: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=seconds) as resp:
            return resp.status == 200
    except OSError:
        return False


def test_105_slow_connections_do_not_stop_a_normal_request(demo_store: Path) -> None:
    config = {"STORE": demo_store, "TODAY": TODAY}
    # the defaults of `serve`
    with running(config, options=ServeOptions()) as url, slow_clients(url, 105):
        start = time.monotonic()
        assert answers_within(f"{url}/api/layers/barang.geojson", 2.0)
        assert time.monotonic() - start < 2.0


def test_waitress_defaults_would_be_tied_up(demo_store: Path) -> None:
    """The control: with waitress's own connection limit (100) the same request waits."""
    config = {"STORE": demo_store, "TODAY": TODAY}
    with running(config, options=ServeOptions(batas_koneksi=100)) as url, slow_clients(url, 105):
        assert not answers_within(f"{url}/api/layers/barang.geojson", 2.0)


def test_stalled_connection_is_closed_after_the_time_limit(demo_store: Path) -> None:
    config = {"STORE": demo_store, "TODAY": TODAY}
    with running(config, options=ServeOptions(batas_waktu=2)) as url, slow_clients(url, 1) as socks:
        socks[0].settimeout(8)
        start = time.monotonic()
        assert socks[0].recv(1024) == b""  # closed by the server, not by us
        assert time.monotonic() - start < 8


# -- 9. a bounded analysis cache -------------------------------------------------------------


def test_snapshot_cache_stays_within_its_bytes(demo_store: Path) -> None:
    cache = DataCache(str(demo_store), cache_mb=3)
    snap = cache.snapshot()
    params = [
        Parameter(snap.skenario[0], 5 + i * 0.25, 7, pd.Timestamp(TODAY).date()) for i in range(12)
    ]
    for p in params:
        cache.analysis(snap, p)
        assert snap.cached_bytes <= 3_000_000
    assert cache.hitungan["analisis"] == 12
    # the most recent stays, the oldest was evicted and is computed again when asked for
    cache.analysis(snap, params[-1])
    assert cache.hitungan["analisis"] == 12
    cache.analysis(snap, params[0])
    assert cache.hitungan["analisis"] == 13


def test_parameter_keys_are_normalised() -> None:
    day = pd.Timestamp(TODAY).date()
    assert Parameter(" latihan ", 15, 7, day) == Parameter("latihan", 15.000001, 7, day)
    assert Parameter("latihan", 15, 7, day).query()["jarak_km"] == "15"


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_200_distinct_parameters_keep_the_server_within_cache_plus_100_mb(
    demo_store: Path, tmp_path: Path
) -> None:
    """`geo-klaster serve --batas-cache-mb 20` as a process; 200 different reaches."""
    store = tmp_path / "demo.gpkg"
    shutil.copy(demo_store, store)
    port, cache_mb = free_port(), 20
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", "geo_klaster.cli", "--store", str(store), "serve",
         "--port", str(port), "--batas-cache-mb", str(cache_mb)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/api/analisis/gap.csv"
    try:
        deadline = time.monotonic() + 60
        while not answers_within(base_url, 10):
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.5)
        before = rss_mb(proc.pid)
        for i in range(200):
            with urllib.request.urlopen(f"{base_url}?jarak_km={2 + i * 0.07:.2f}", timeout=60):
                pass
        after = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert after - before <= cache_mb + 100, (before, after)


# -- 10. header columns and the audit --------------------------------------------------------


def test_150000_header_columns_are_refused_before_parsing(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ",".join(f"k{i}" for i in range(150_000))
    path = write(tmp_path / "lebar.csv", header + "\n" + "," * 149_999 + "\n")
    before = digest(base)
    start = time.monotonic()
    assert run(base, "import", "stok", path) == 2
    assert time.monotonic() - start < 10  # was 47 s; refused before any row is parsed
    err = capsys.readouterr().err
    assert re.search(r"lebar\.csv: baris judul berisi lebih dari \d+ kolom \(> 500\)", err)
    assert digest(base) == before


def test_ignored_columns_are_capped_in_the_audit(base: Path, tmp_path: Path) -> None:
    extra = [f"kolom_lain_{i}" for i in range(30)]
    path = write(
        tmp_path / "stok.csv",
        "lokasi_id,barang,jumlah,siap,satuan,dilaporkan," + ",".join(extra) + "\n"
        "L1,beras,5,5,kg,2026-11-10," + ",".join("x" * 30) + "\n",
    )
    assert run(base, "import", "stok", path) == 0
    rincian = open_store(base).read_audit(limit=1).iloc[0]["rincian"]
    assert '"diabaikan_jumlah": 30' in rincian
    assert "kolom_lain_19" in rincian and "kolom_lain_20" not in rincian


# -- 11. a write reloads only the layers it touched ------------------------------------------


def test_a_stock_write_reloads_only_stock(demo_location: str) -> None:
    from geo_klaster.actor import Actor
    from geo_klaster.members import reports

    cache = DataCache(demo_location)
    first = cache.snapshot()
    store = cache.store()
    before = store.layer_versions()
    lokasi = first.layers["lokasi"]["id"].iloc[0]
    coordinator = Actor("koordinator", "koordinator", None, "cli")
    reports.submit_report(store, coordinator, [{"barang": "beras", "jumlah": 5, "siap": 5}],
                          lokasi_id=lokasi)  # fmt: skip
    after = store.layer_versions()
    assert after["stok"] == store.version() and after["stok"] > before.get("stok", 0)
    assert {k: v for k, v in after.items() if k != "stok"} == {
        k: v for k, v in before.items() if k != "stok"
    }
    second = cache.snapshot()
    assert (
        second.version == store.version()
        and len(second.layers["stok"]) == len(first.layers["stok"]) + 1
    )
    assert cache.hitungan["lapisan:stok"] == 2
    assert cache.hitungan["lapisan:kecamatan"] == 1 and cache.hitungan["lapisan:zona_banjir"] == 1
    assert second.layers["kecamatan"] is first.layers["kecamatan"]


def test_app_serves_new_stock_after_a_write(demo_store: Path, tmp_path: Path) -> None:
    """Reused layers never hide a write: the next page shows the new line."""
    path = tmp_path / "demo.gpkg"
    shutil.copy(demo_store, path)
    app = create_app({"STORE": path, "TODAY": TODAY})
    client = app.test_client()
    n0 = len(client.get("/api/layers/stok.geojson").json["features"])
    store = open_store(path)
    lokasi = store.read("lokasi")["id"].iloc[0]
    from geo_klaster.actor import Actor
    from geo_klaster.members import reports

    reports.submit_report(store, Actor("koordinator", "koordinator", None, "cli"),
                          [{"barang": "beras", "jumlah": 5, "siap": 5}], lokasi_id=lokasi)  # fmt: skip
    assert len(client.get("/api/layers/stok.geojson").json["features"]) == n0 + 1
