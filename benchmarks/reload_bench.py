"""What a write costs the next web request: reload every layer, or only the touched ones.

Builds the demo store plus N synthetic stock lines (default 100,000), then times, after one
stock report each:

- ``semua``: ``store.read_all()`` (what the web cache did before per-layer versions);
- ``yang_berubah``: ``DataCache.snapshot()`` (reloads only the layers whose data version moved);

and the same after a write to ``barang`` (a small layer). Run by hand on a quiet machine and
state the load (``uptime``); both ways run in the same process, one after the other:

    python benchmarks/reload_bench.py [N] [REPEATS]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from geo_klaster.web.cache import DataCache

from geo_klaster.actor import Actor
from geo_klaster.demo.store import build_demo_store
from geo_klaster.members import reports
from geo_klaster.store import open_store

COORDINATOR = Actor("koordinator", "koordinator", None, "cli")


def add_stock(store, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` stock lines over the demo's sites and items, a day apart per site and item."""
    lokasi = store.read("lokasi")["id"].astype(str).to_numpy()
    barang = store.read("barang")
    rng = np.random.default_rng(11)
    item = rng.integers(0, len(barang), n)
    frame = pd.DataFrame(
        {
            "lokasi_id": lokasi[rng.integers(0, len(lokasi), n)],
            "barang": barang["kode"].to_numpy()[item],
            "jumlah": rng.integers(10, 1000, n).astype(float),
            "siap": 5.0,
            "satuan": barang["satuan"].to_numpy()[item],
            "kondisi": "baik",
            "kedaluwarsa": pd.NaT,
            "dilaporkan": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="s"),
            "contoh": True,
        }
    )
    with store.transaction() as tx:
        tx.append("stok", frame)


def report(store, lokasi_id: str) -> None:  # type: ignore[no-untyped-def]
    rows = [{"barang": "beras", "jumlah": 5, "siap": 5}]
    reports.submit_report(store, COORDINATOR, rows, lokasi_id=lokasi_id)


def add_item(store, i: int) -> None:  # type: ignore[no-untyped-def]
    """A write to ``barang`` (a small layer): one new item, a copy of the first."""
    row = store.read("barang").iloc[:1].copy()
    row["kode"], row["nama"] = f"uji_{i}", f"Barang uji {i}"
    with store.transaction() as tx:
        tx.append("barang", row)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.gpkg"
        store = open_store(path)
        build_demo_store(store)
        add_stock(store, n)
        cache = DataCache(str(path))
        cache.snapshot()
        site = str(store.read("lokasi")["id"].iloc[0])
        semua, berubah = [], []
        for _ in range(repeats):
            report(store, site)
            t = time.perf_counter()
            store.read_all()
            semua.append(time.perf_counter() - t)
            t = time.perf_counter()
            cache.snapshot()
            berubah.append(time.perf_counter() - t)
        semua_b, berubah_b = [], []
        for i in range(repeats):
            add_item(store, i)
            t = time.perf_counter()
            store.read_all()
            semua_b.append(time.perf_counter() - t)
            t = time.perf_counter()
            cache.snapshot()
            berubah_b.append(time.perf_counter() - t)
        print(f"stok lines: {store.count('stok'):,}; load: {os.getloadavg()} (shared machine)")
        print("after a stock report     | median s | min s")
        print(f"reload every layer       | {statistics.median(semua):8.3f} | {min(semua):.3f}")
        print(f"reload touched layers    | {statistics.median(berubah):8.3f} | {min(berubah):.3f}")
        print("after a write to barang  | median s | min s")
        print(f"reload every layer       | {statistics.median(semua_b):8.3f} | {min(semua_b):.3f}")
        print(
            f"reload touched layers    | {statistics.median(berubah_b):8.3f} | {min(berubah_b):.3f}"
        )
        print("layers read:", {k: v for k, v in cache.hitungan.items() if k.startswith("lapisan:")})


if __name__ == "__main__":
    main()
