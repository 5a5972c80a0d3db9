"""Benchmark: the same store on GeoPackage and on PostGIS (run by hand; not a test).

    .venv/bin/python benchmarks/store_bench.py [--pg URL] [--lokasi 5000] [--ulang 20] [--json out.json]

For two stores, the demo regency and the same regency grown to 5,000 sites (random points
in the kecamatan, stock copied from the demo's sites), on each backend, it reports medians of:

* store operations: ``version()`` (asked on every web request), ``read_all()`` (a new data
  version), ``features()`` with a bbox and a page (OGC API items), ``count()``, and one stock
  report (``submit_report``: validation, one transaction);
* web latency in-process (Flask test client, no network): each page and API path right
  after a write (cold: layers re-read, analysis recomputed; median of 3) and then warm.

PostGIS: ``--pg URL`` or $GEO_KLASTER_TEST_PG; otherwise a throwaway server is started with
scripts/postgis.sh and stopped at the end. Each run works in its own schema and drops it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 11, 27)
BBOX = (107.05, -6.30, 107.15, -6.20)  # around Cikarang: a typical map view
PAGES = ["/", "/kecamatan/32.16.02", "/gap", "/alokasi", "/anggota"]
API = [
    "/api/layers/lokasi.geojson",
    "/api/analisis/kecamatan.geojson",
    "/api/analisis/lokasi.geojson",
    "/api/analisis/gap.csv",
]


@contextlib.contextmanager
def postgis(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    tmp = tempfile.mkdtemp(prefix="geo_klaster_pg.")
    script = str(ROOT / "scripts" / "postgis.sh")
    out = subprocess.run(["bash", script, "start", tmp], check=True, capture_output=True, text=True)
    try:
        yield out.stdout.strip()
    finally:
        subprocess.run(["bash", script, "stop", tmp], check=False)


def median_ms(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench(location: str, repeat: int) -> dict[str, Any]:
    from geo_klaster.web import create_app

    from geo_klaster.members import accounts, reports
    from geo_klaster.store import open_store

    store = open_store(location)
    coord = accounts.Actor("bench", "koordinator", None, "api")
    site = str(store.read("lokasi")["id"].iloc[0])
    out: dict[str, Any] = {"lokasi": store.count("lokasi"), "stok": store.count("stok")}

    def report() -> None:
        reports.submit_report(
            store, coord, [{"barang": "beras", "jumlah": 10, "siap": 5}], lokasi_id=site
        )

    out["store_ms"] = {
        "version": median_ms(store.version, repeat * 5),
        "count(stok)": median_ms(lambda: store.count("stok"), repeat),
        "read_all": median_ms(store.read_all, max(3, repeat // 4)),
        "features(lokasi, bbox, 100)": median_ms(
            lambda: store.features("lokasi", bbox=BBOX, limit=100), repeat
        ),
        "features(lokasi, offset 4000, 100)": median_ms(
            lambda: store.features("lokasi", limit=100, offset=4000), repeat
        ),
        "submit_report": median_ms(report, repeat),
    }
    app = create_app({"STORE": location, "TODAY": DAY, "PETA_DASAR_DARING": False})
    client = app.test_client()
    web: dict[str, dict[str, float]] = {}
    for path in PAGES + API:
        colds = []
        for _ in range(3):  # median of 3: one cold sample is noisy on a shared machine
            report()  # a new data version: the first request re-reads and recomputes
            t = time.perf_counter()
            resp = client.get(path)
            colds.append((time.perf_counter() - t) * 1000)
        if resp.status_code != 200:
            web[path] = {"status": resp.status_code}
            continue
        warm = median_ms(lambda p=path: client.get(p), repeat)
        web[path] = {"bytes": len(resp.data), "cold_ms": statistics.median(colds), "warm_ms": warm}
    out["web"] = web
    return out


def build(location: str, lokasi: int | None) -> None:
    from geo_klaster.demo.store import build_demo_store, grow_sites
    from geo_klaster.store import open_store

    store = open_store(location)
    build_demo_store(store, today=DAY)
    if lokasi:
        grow_sites(store, lokasi)


def print_table(results: list[dict[str, Any]]) -> None:
    names = [f"{r['backend']}/{r['ukuran']}" for r in results]
    width = 36
    print(f"{'':{width}}" + "".join(f"{n:>18}" for n in names))
    print(
        f"{'lokasi / stok':{width}}"
        + "".join(f"{str(r['lokasi']) + ' / ' + str(r['stok']):>18}" for r in results)
    )
    print("-- store (median ms)")
    for key in results[0]["store_ms"]:
        print(f"{key:{width}}" + "".join(f"{r['store_ms'][key]:>18.2f}" for r in results))
    print("-- web, in-process (ms: after a write / warm median)")
    for path in results[0]["web"]:
        cells = []
        for r in results:
            w = r["web"][path]
            cells.append(
                f"{w['cold_ms']:.0f} / {w['warm_ms']:.1f}"
                if "cold_ms" in w
                else f"HTTP {w['status']}"
            )
        print(f"{path:{width}}" + "".join(f"{c:>18}" for c in cells))


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", default=os.environ.get("GEO_KLASTER_TEST_PG"), help="PostgreSQL URL")
    ap.add_argument("--lokasi", type=int, default=5000, help="sites of the large store")
    ap.add_argument("--ulang", type=int, default=20, help="repetitions per measurement")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    results = []
    with postgis(args.pg) as pg, tempfile.TemporaryDirectory() as tmp:
        import psycopg

        schemas = []
        try:
            for ukuran, lokasi in (("demo", None), (str(args.lokasi), args.lokasi)):
                schema = "bench_" + uuid.uuid4().hex[:8]
                schemas.append(schema)
                locations = {
                    "gpkg": str(Path(tmp) / f"{ukuran}.gpkg"),
                    "postgis": f"{pg}{'&' if '?' in pg else '?'}schema={schema}",
                }
                for backend, loc in locations.items():
                    build(loc, lokasi)
                    r = bench(loc, args.ulang)
                    results.append({"backend": backend, "ukuran": ukuran, **r})
                    print(f"{backend}/{ukuran}: done", file=sys.stderr)
        finally:
            from geo_klaster.store.postgis import close_pools

            close_pools()
            with psycopg.connect(pg.split("?")[0], autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
