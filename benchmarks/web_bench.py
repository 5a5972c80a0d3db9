"""Benchmark of the web app (run by hand; not a test).

    .venv/bin/python benchmarks/web_bench.py [--durasi 10] [--koneksi 16] [--json out.json]

For two stores, the demo regency and the same regency with 5,000 sites (generated), it
reports:

* the HTML size of each page;
* the time until the map is painted in headless Chromium (navigation start → the sites are
  in the map and two animation frames have passed), median of several loads, each in a fresh
  browser context (empty browser cache, warm server cache);
* requests per second and p50/p95 latency of ``/api/analisis/kecamatan.geojson`` and
  ``/api/layers/desa.geojson`` under concurrent load, with ``wrk`` (Debian package) if
  installed, else a bounded Python thread-pool load generator.

The app runs on ``serve``'s server on 127.0.0.1 in a child process (``--proses`` worker
processes, default 2, on gunicorn; waitress for 1), so the load generator does not share its
interpreter. Beside each API endpoint, the ceiling: a minimal WSGI app answering the same bytes
from memory on the same server and process count (``ceiling.py``), loaded in turns with the app
(``--putaran`` rounds of ``--durasi`` seconds each; mean rates, so load from other work on a
shared machine weighs on both alike). Targets (issue 4): overview under 1.5 MB and painted under 1 s with
5,000 sites. The desa layer is the real one from ``../shared/data/bekasi/desa.geojson`` when
that file exists (the demo has none).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from ceiling import ceiling

ROOT = Path(__file__).resolve().parent.parent
SHARED_DESA = ROOT.parent / "shared" / "data" / "bekasi" / "desa.geojson"
DAY = dt.date(2026, 11, 27)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [
    "/",
    "/kecamatan/32.16.02",
    "/kecamatan/32.16.02/cetak",
    "/gap",
    "/alokasi",
    "/anggota",
]
API = ["/api/analisis/kecamatan.geojson", "/api/layers/desa.geojson"]
WRK_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("HASIL %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), errors))
end
"""


# -- stores ----------------------------------------------------------------------------------


def build_demo(path: Path) -> None:
    from geo_klaster.demo.store import build_demo_store
    from geo_klaster.store import open_store

    store = open_store(path)
    build_demo_store(store, today=DAY)
    if SHARED_DESA.exists():
        desa = gpd.read_file(SHARED_DESA, engine="pyogrio")
        frame = gpd.GeoDataFrame(
            {
                "kode_desa": desa["kode_desa"].astype(str),
                "kode": desa["kode"].astype(str),
                "nama_desa": desa["nama_desa"].astype(str),
                "contoh": False,
            },
            geometry=desa.geometry.to_numpy(),
            crs=desa.crs,
        ).to_crs(4326)
        frame["geometry"] = [
            shapely.MultiPolygon(list(shapely.get_parts(g))) for g in frame.geometry
        ]
        with store.transaction() as tx:
            tx.append("desa", frame)


# -- server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int, threads: int, proses: int) -> subprocess.Popen[bytes]:
    """The app on ``serve``'s own server (:func:`geo_klaster.web.run_wsgi`): waitress for one process,
    gunicorn ``gthread`` workers for several."""
    code = (
        "import datetime, logging; from geo_klaster.web import create_app, run_wsgi; "
        "logging.getLogger('waitress.queue').setLevel(logging.ERROR); "
        f"cfg = {{'STORE': {str(store)!r}, 'TODAY': datetime.date({DAY.year}, "
        f"{DAY.month}, {DAY.day}), 'SECRET_KEY': 'bench'}}; "
        f"run_wsgi(lambda: create_app(cfg), '127.0.0.1', {port}, proses={proses}, "
        f"threads={threads})"
    )
    # the installed package, as `geo-klaster serve` runs it (never the source tree, where
    # geo_klaster.web and geo_klaster.layers exist only through the install's folder mapping)
    proc = subprocess.Popen([sys.executable, "-P", "-c", code])
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def get(url: str) -> tuple[bytes, float]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        body = r.read()
    return body, time.perf_counter() - t


# -- measurements ----------------------------------------------------------------------------


def page_sizes(base: str) -> dict[str, dict[str, float]]:
    out = {}
    for path in PAGES:
        _, cold = get(base + path)
        body, warm = get(base + path)
        out[path] = {"bytes": len(body), "first_s": cold, "warm_s": warm}
    return out


PAINT_INIT = """
window.__painted = null;
document.addEventListener("klaster:lokasi", () => {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    window.__painted = performance.now();
  }));
});
"""


def paint_times(base: str, runs: int) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for path in PAGES:
                times, foreign = [], []
                for _ in range(runs):
                    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
                    page = ctx.new_page()
                    page.add_init_script(PAINT_INIT)

                    def route(r: Any, foreign: list[str] = foreign) -> None:
                        if r.request.url.startswith(base):
                            r.continue_()
                        else:
                            foreign.append(r.request.url)
                            r.abort()

                    page.route("**/*", route)
                    page.goto(base + path, wait_until="commit")
                    page.wait_for_function("window.__painted !== null", timeout=60_000)
                    times.append(page.evaluate("window.__painted") / 1000.0)
                    ctx.close()
                out[path] = {
                    "median_s": statistics.median(times),
                    "max_s": max(times),
                    "foreign_requests": len(foreign),
                }
        finally:
            browser.close()
    return out


def load_wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("HASIL"))
    n, duration_us, p50, p95, errors = map(int, line.split()[1:])
    return {
        "tool": "wrk",
        "requests": n,
        "rps": n / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "errors": errors,
    }


def load_python(url: str, seconds: int, connections: int, max_requests: int = 20_000) -> dict:
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = 0

    def worker() -> tuple[list[float], int]:
        lat, err = [], 0
        while time.perf_counter() < deadline and len(latencies) + len(lat) < max_requests:
            try:
                lat.append(get(url)[1])
            except OSError:
                err += 1
        return lat, err

    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(connections) as pool:
        for lat, err in pool.map(lambda _: worker(), range(connections)):
            latencies += lat
            errors += err
    elapsed = time.perf_counter() - t0
    q = np.quantile(latencies, [0.5, 0.95]) * 1000
    return {
        "tool": "python",
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": float(q[0]),
        "p95_ms": float(q[1]),
        "errors": errors,
    }


def merge_loads(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several load runs of equal length as one: mean rate, summed counts, the median run's
    latencies (by rate)."""
    middle = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
    return {
        "tool": runs[0]["tool"],
        "requests": sum(r["requests"] for r in runs),
        "rps": sum(r["rps"] for r in runs) / len(runs),
        "p50_ms": middle["p50_ms"],
        "p95_ms": middle["p95_ms"],
        "errors": sum(r["errors"] for r in runs),
    }


def bench_store(name: str, store: Path, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(store, port, args.threads, args.proses)
    try:
        from geo_klaster.store import open_store

        s = open_store(store)
        result: dict[str, Any] = {
            "store": name,
            "lokasi": s.count("lokasi"),
            "stok": s.count("stok"),
            "desa": s.count("desa"),
        }
        result["pages"] = page_sizes(base)
        if Path(CHROMIUM).exists():
            result["paint"] = paint_times(base, args.runs)
        load = load_wrk if shutil.which("wrk") else load_python
        result["load"] = {}
        for path in API:
            with urllib.request.urlopen(base + path, timeout=120) as resp:
                body, ctype = resp.read(), resp.headers["Content-Type"]
            with ceiling(body, ctype, proses=args.proses, threads=args.threads) as url:
                # the app and its ceiling in turns: other work on the machine weighs on both
                ours, tops = [], []
                for _ in range(args.putaran):
                    ours.append(load(base + path, args.durasi, args.koneksi))
                    tops.append(load(url, args.durasi, args.koneksi))
            result["load"][path] = {
                "bytes": len(body),
                **merge_loads(ours),
                "ceiling": merge_loads(tops),
                "per_putaran": [a["rps"] / b["rps"] for a, b in zip(ours, tops, strict=True)],
            }
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def report(results: list[dict[str, Any]]) -> None:
    for r in results:
        print(f"\n== {r['store']}: {r['lokasi']} lokasi, {r['stok']} baris stok, {r['desa']} desa")
        print(
            f"{'halaman':32} {'HTML':>10} {'pertama':>9} {'hangat':>8} {'cat (med)':>10} {'maks':>7}"
        )
        for path, v in r["pages"].items():
            paint = r.get("paint", {}).get(path, {})
            print(
                f"{path:32} {v['bytes'] / 1e6:8.3f}MB {v['first_s']:8.3f}s {v['warm_s']:7.3f}s "
                f"{paint.get('median_s', float('nan')):9.3f}s {paint.get('max_s', float('nan')):6.3f}s"
            )
        for path, v in r["load"].items():
            print(
                f"{path:36} {v['bytes'] / 1e3:8.1f}kB {v['rps']:8.0f} req/s  p50 {v['p50_ms']:6.2f} ms"
                f"  p95 {v['p95_ms']:6.2f} ms  ({v['requests']} req, {v['errors']} galat, {v['tool']})"
            )
            c = v["ceiling"]
            print(
                f"{'  ceiling (same bytes from memory)':36} {'':10} {c['rps']:8.0f} req/s  "
                f"p50 {c['p50_ms']:6.2f} ms  p95 {c['p95_ms']:6.2f} ms -> app / ceiling "
                f"{v['rps'] / c['rps']:.0%} (putaran: "
                f"{', '.join(f'{x:.0%}' for x in v['per_putaran'])})"
            )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--durasi", type=int, default=10, help="seconds of load per endpoint")
    ap.add_argument("--koneksi", type=int, default=16, help="concurrent connections")
    ap.add_argument("--threads", type=int, default=8, help="threads per server process")
    ap.add_argument("--proses", type=int, default=2, help="server processes (1 = waitress)")
    ap.add_argument(
        "--putaran",
        type=int,
        default=3,
        help="rounds: each API endpoint and its ceiling loaded in turns, this many times each",
    )
    ap.add_argument("--runs", type=int, default=5, help="browser loads per page")
    ap.add_argument("--lokasi", type=int, default=5000, help="sites of the large store")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    args = ap.parse_args()
    from geo_klaster.demo.store import grow_sites  # the installed package, as the product runs
    from geo_klaster.store import open_store

    with tempfile.TemporaryDirectory(prefix="geo-klaster-bench-") as tmp:
        demo = Path(tmp) / "demo.gpkg"
        build_demo(demo)
        big = Path(tmp) / f"lokasi{args.lokasi}.gpkg"
        shutil.copy(demo, big)
        grow_sites(open_store(big), args.lokasi)
        results = [bench_store("demo", demo, args), bench_store(f"{args.lokasi} lokasi", big, args)]
    report(results)
    load = subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()
    print(f"\nuptime: {load} (shared machine)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
