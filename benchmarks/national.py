"""National-scale benchmark of the analysis stages, with PostGIS's reach sums beside them.

    python benchmarks/national.py [--scale 1.0] [--pg URL | --start-postgis] [--repeat 3]
        [--demo STORE] [--analyze DIR]

Synthetic data over Indonesia (seeded, so every run builds the same): about 7,000 kecamatan
polygons of 50 vertices in seven regions from Sumatra to Papua (UTM zones 46–54), 2,000
flood polygons, 50,000 sites, 200,000 stock lines of 30 items; reach 15 km. ``--scale``
multiplies every count (the regions shrink with it, so densities stay as at scale 1).
The floods are realistic in extent: elongated zones of 0.02–5 km² (median 0.3 km²) strung
along 50 meandering rivers of 20–70 km, so that a few hundred kecamatan (266 at scale 1)
reach the 5 % threshold — not two thirds of the country, as scattered 1–6 km discs did.

Metric CRS. One UTM zone for all of Indonesia (lon 95–141°E) is wrong: 20° from its central
meridian the scale error of Transverse Mercator is ~6 %, i.e. ~900 m on a 15 km reach. Here
every kecamatan is computed in the UTM zone of its representative point (EPSG:327zz; the
north/south variants differ only by a false northing), together with every site and flood
polygon within 0.5° of that zone (enough for 15 km + a kecamatan's half-width). UTM's scale
factor is 0.9996 on the central meridian and ~1.0012 at 0.5° beyond a zone's edge near the
equator, so a 15 km reach is measured within −6 m / +18 m of the geodesic; areas within
−0.08 % / +0.24 %. PostGIS is given the same per-zone projection, so both sides agree exactly.

Stages timed (wall clock, ``time.perf_counter``), all from one run: the product's whole
``run_analysis`` (exposure, sites in the flood, committable stock, reach pairs of the at-risk
kecamatan, needs, allocation, gaps; its own step times listed under it, from the median
run): first the first call in the process (which also loads the compiled kernels from
Numba's cache, ~0.2 s once per process, and warms pyproj's transformers), then ``--repeat``
more (default 3), as a serving process runs it; the product's reach
(:func:`geo_klaster.analysis.reach.reach`, the one reach path) for *every* kecamatan, summed per
kecamatan x item by the gap table's own function — the same work as PostGIS's query; PostGIS load +
index; PostGIS plain (ST_DWithin on GiST-indexed projected tables, joined with the stock
lines, GROUP BY kecamatan and item, no parallel workers); PostGIS best (see
:func:`run_postgis`). The repeated stages (run_analysis, the reach of every kecamatan and
PostGIS best: ``--repeat`` runs each) are shown as their median with every run beside it,
and the ratios use the medians: a single run moves by 10-20 % on a shared machine (a
garbage-collector pass over the loaded layers alone takes 0.03-0.09 s). The sums of all
three are compared. Memory: ``ru_maxrss`` after each
stage (the process's peak RSS so far). The machine is shared: state ``uptime`` with figures.
``--analyze DIR`` also writes the data into a GeoPackage store in DIR (once) and times
``geo-klaster analyze`` on it end to end in its own process (see :func:`time_analyze`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo_klaster.analysis.gaps import terjangkau
from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.analysis.reach import reach
from geo_klaster.config import AnalysisConfig

ROOT = Path(__file__).resolve().parent.parent
JARAK_M = 15_000.0
TODAY = dt.date(2026, 1, 15)
MARGIN_DEG = 0.5

# name, centre lon, centre lat, share of kecamatan, spacing km, columns/rows aspect
REGIONS = [
    ("Sumatera", 101.0, 0.0, 0.20, 5.0, 1.5),
    ("Jawa", 110.0, -7.2, 0.40, 4.0, 12.0),
    ("Kalimantan", 114.0, 0.0, 0.11, 6.0, 1.0),
    ("Sulawesi", 121.0, -2.0, 0.13, 5.0, 0.8),
    ("Nusa Tenggara", 118.0, -8.7, 0.07, 4.0, 10.0),
    ("Maluku", 128.5, -3.5, 0.04, 6.0, 1.0),
    ("Papua", 138.0, -4.0, 0.05, 8.0, 1.5),
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _km_to_deg(lat: np.ndarray) -> tuple[np.ndarray, float]:
    return 1.0 / (111.32 * np.cos(np.radians(lat))), 1.0 / 110.57


def _stars(rng, cx, cy, r_km, n_vert=50, jag=0.25):
    """Star polygons (lon/lat) around centres, radius in km."""
    n = len(cx)
    ang = np.sort(rng.uniform(0, 2 * np.pi, (n, n_vert)), axis=1)
    rad = r_km[:, None] * (1 + jag * rng.uniform(-1, 1, (n, n_vert)))
    kx, ky = _km_to_deg(cy)
    xs = cx[:, None] + rad * np.cos(ang) * kx[:, None]
    ys = cy[:, None] + rad * np.sin(ang) * ky
    return shapely.make_valid(shapely.polygons(np.stack([xs, ys], axis=-1)))


def _floods(rng, cx, cy, n_zone: int, n_basin: int = 50) -> gpd.GeoDataFrame:
    """Flood polygons along rivers in lowland basins (lon/lat).

    Real flood-prone zones are not scattered: they line the lower courses of rivers. Each of
    ``n_basin`` basins starts at a random kecamatan centre and runs 20–70 km as a meandering
    river; its floods are elongated blobs (40 vertices) strung along that course, 0.3–3 km
    long (log-normal, median ~1 km, so ~0.3 km² typical, a few km² for the largest), a few
    hundred metres off the channel, sometimes overlapping. Higher classes lie nearer the
    channel. About a few hundred kecamatan end up with ≥ 5 % flooded.
    """
    start = rng.integers(0, len(cx), n_basin)
    length_km = rng.uniform(20, 70, n_basin)
    heading = rng.uniform(0, 2 * np.pi, n_basin)
    per = rng.multinomial(n_zone, length_km / length_km.sum())
    basin = np.repeat(np.arange(n_basin), per)
    t = rng.uniform(0, 1, n_zone) * length_km[basin]  # km downstream
    # meandering course: heading plus a slow sinusoid (wavelength ~8 km, ±35°)
    phase = rng.uniform(0, 2 * np.pi, n_basin)[basin]
    ang = heading[basin] + 0.6 * np.sin(2 * np.pi * t / 8.0 + phase)
    # position: integrate the heading roughly (straight reach + meander offset)
    along_x = t * np.cos(heading[basin]) - 1.3 * np.sin(heading[basin]) * np.cos(
        2 * np.pi * t / 8.0 + phase
    )
    along_y = t * np.sin(heading[basin]) + 1.3 * np.cos(heading[basin]) * np.cos(
        2 * np.pi * t / 8.0 + phase
    )
    off = rng.normal(0, 0.3, n_zone)  # km across the channel
    kelas = rng.choice(["rendah", "sedang", "tinggi"], n_zone, p=[0.5, 0.3, 0.2])
    off = off * np.where(kelas == "tinggi", 0.4, np.where(kelas == "sedang", 0.7, 1.0))
    ex = along_x - off * np.sin(ang)
    ey = along_y + off * np.cos(ang)
    lat0 = cy[start][basin]
    kx, ky = _km_to_deg(lat0)
    fx = cx[start][basin] + ex * kx
    fy = lat0 + ey * ky
    # elongated blob: semi-axes a (along the river) and b (across), jagged outline
    a = np.exp(rng.normal(np.log(0.5), 0.6, n_zone)).clip(0.15, 1.5)
    b = a * rng.uniform(0.25, 0.6, n_zone)
    n_vert = 40
    th = np.sort(rng.uniform(0, 2 * np.pi, (n_zone, n_vert)), axis=1)
    jag = 1 + 0.2 * rng.uniform(-1, 1, (n_zone, n_vert))
    u = a[:, None] * np.cos(th) * jag
    v = b[:, None] * np.sin(th) * jag
    ca, sa = np.cos(ang)[:, None], np.sin(ang)[:, None]
    xs = fx[:, None] + (u * ca - v * sa) * kx[:, None]
    ys = fy[:, None] + (u * sa + v * ca) * ky
    geoms = shapely.make_valid(shapely.polygons(np.stack([xs, ys], axis=-1)))
    return gpd.GeoDataFrame({"kelas": kelas, "skenario": "sintetis"}, geometry=geoms, crs=4326)


def build(scale: float, seed: int = 2026) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_kec, n_zone, n_site, n_line = (round(v * scale) for v in (7000, 2000, 50_000, 200_000))
    cx, cy, spacing, region = [], [], [], []
    boxes = []
    for i, (_name, lon, lat, share, s_km, aspect) in enumerate(REGIONS):
        n = max(1, round(n_kec * share))
        cols = math.ceil(math.sqrt(n * aspect))
        rows = math.ceil(n / cols)
        gx, gy = np.meshgrid(np.arange(cols), np.arange(rows))
        off = np.c_[gx.ravel() - (cols - 1) / 2, gy.ravel() - (rows - 1) / 2][:n] * s_km
        off += rng.uniform(-0.15, 0.15, off.shape) * s_km
        kx, ky = _km_to_deg(np.array([lat]))
        cx.append(lon + off[:, 0] * kx[0])
        cy.append(lat + off[:, 1] * ky)
        spacing.append(np.full(n, s_km))
        region.append(np.full(n, i))
        half_w, half_h = (cols / 2 * s_km + 20) * kx[0], (rows / 2 * s_km + 20) * ky
        boxes.append((lon - half_w, lat - half_h, lon + half_w, lat + half_h, n))
    cx, cy, spacing, region = map(np.concatenate, (cx, cy, spacing, region))
    kec = gpd.GeoDataFrame(
        {
            "kode": [f"{i:05d}" for i in range(len(cx))],
            "nama": [f"Kecamatan {i}" for i in range(len(cx))],
            "penduduk": rng.integers(15_000, 150_000, len(cx)).astype(float),
        },
        geometry=_stars(rng, cx, cy, 0.5 * spacing * rng.uniform(0.8, 1.0, len(cx))),
        crs=4326,
    )
    zona = _floods(rng, cx, cy, n_zone)
    # sites spread over each region's box in proportion to its kecamatan
    weights = np.array([b[4] for b in boxes], dtype=float)
    per = rng.multinomial(n_site, weights / weights.sum())
    sx = np.concatenate([rng.uniform(b[0], b[2], k) for b, k in zip(boxes, per, strict=True)])
    sy = np.concatenate([rng.uniform(b[1], b[3], k) for b, k in zip(boxes, per, strict=True)])
    lokasi = gpd.GeoDataFrame(
        {
            "id": [f"L{i:05d}" for i in range(n_site)],
            "anggota_id": [f"A{i // 5:05d}" for i in range(n_site)],
            "nama": "gudang",
        },
        geometry=shapely.points(sx, sy),
        crs=4326,
    )
    cfg = AnalysisConfig()
    items = list(cfg.standar) + [f"barang_{i:02d}" for i in range(30 - len(cfg.standar))]
    satuan = {k: cfg.standar[k].satuan if k in cfg.standar else "unit" for k in items}
    barang = pd.DataFrame(
        {
            "kode": items,
            "nama": items,
            "kategori": "logistik",
            "satuan": [satuan[k] for k in items],
        }
    )
    site_i = rng.integers(0, n_site, n_line)
    item_i = rng.integers(0, len(items), n_line)
    big = np.isin(np.array(items)[item_i], ["beras", "air_minum", "air_bersih"])
    jumlah = np.where(big, rng.integers(100, 20_000, n_line), rng.integers(1, 60, n_line))
    stok = pd.DataFrame(
        {
            "lokasi_id": lokasi["id"].to_numpy()[site_i],
            "barang": np.array(items)[item_i],
            "jumlah": jumlah.astype(float),
            "siap": np.floor(jumlah * rng.uniform(0.3, 1.0, n_line)),
            "satuan": [satuan[k] for k in np.array(items)[item_i]],
            "kondisi": np.where(rng.random(n_line) < 0.05, "rusak", "baik"),
            "kedaluwarsa": pd.Timestamp(TODAY)
            + pd.to_timedelta(rng.integers(-30, 700, n_line), unit="D"),
            "dilaporkan": pd.Timestamp(TODAY, tz="UTC")
            - pd.to_timedelta(rng.integers(0, 60 * 24, n_line), unit="h"),
        }
    )
    return {"kecamatan": kec, "zona_banjir": zona, "lokasi": lokasi, "stok": stok, "barang": barang}


def zone_of(lon: np.ndarray) -> np.ndarray:
    return (np.floor((np.asarray(lon) + 180.0) / 6.0) + 1).astype(int)


def split_zones(layers: dict) -> list[dict]:
    """Per UTM zone: its kecamatan (by representative point) and the sites/floods near it."""
    kec, zona, lokasi = layers["kecamatan"], layers["zona_banjir"], layers["lokasi"]
    kz = zone_of(shapely.get_x(kec.geometry.representative_point().to_numpy()))
    site_lon = shapely.get_x(lokasi.geometry.to_numpy())
    zb = zona.geometry.bounds
    out = []
    for z in sorted(set(kz)):
        west, east = -180 + 6 * (z - 1) - MARGIN_DEG, -180 + 6 * z + MARGIN_DEG
        out.append(
            {
                "zone": int(z),
                "crs": CRS.from_epsg(32700 + int(z)),
                "kec": kec[kz == z].reset_index(drop=True),
                "lokasi": lokasi[(site_lon >= west) & (site_lon <= east)].reset_index(drop=True),
                "zona": zona[(zb["maxx"] >= west) & (zb["minx"] <= east)].reset_index(drop=True),
                "west": west,
                "east": east,
            }
        )
    return out


class Clock:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    @contextmanager
    def stage(self, name: str):
        gc.collect()
        t = time.perf_counter()
        yield
        dt_s = time.perf_counter() - t
        self.rows.append((name, dt_s, rss_mb()))
        print(f"  {name:<44s} {dt_s:8.2f} s   maxrss {rss_mb():7.0f} MB", flush=True)

    def get(self, name: str) -> float:
        """The median time of the stage (it may have run several times)."""
        return float(np.median([t for n, t, _ in self.rows if n == name]))

    def table(self) -> list[tuple[str, float, str, float]]:
        """(stage, median seconds, every run's seconds, peak RSS after) per stage, in order."""
        names = list(dict.fromkeys(n for n, _, _ in self.rows))
        out = []
        for name in names:
            times = [t for n, t, _ in self.rows if n == name]
            rss = max(r for n, _, r in self.rows if n == name)
            runs = " / ".join(f"{t:.2f}" for t in times) if len(times) > 1 else ""
            out.append((name, float(np.median(times)), runs, rss))
        return out


def run_python(
    layers: dict, zones: list[dict], clock: Clock, cfg: AnalysisConfig, repeat: int
) -> dict:
    """The product's own path: ``run_analysis`` whole (its steps' times from ``waktu_s``),
    then the product's reach (:func:`geo_klaster.analysis.reach.reach`) for every kecamatan, summed per
    kecamatan × item as the gap table sums it — the same work as PostGIS's query below."""
    res: dict = {}
    with clock.stage("run_analysis, first call in the process"):
        run_analysis(layers, config=cfg, today=TODAY)
    steps = []
    for _ in range(repeat):
        with clock.stage("run_analysis, whole (product path)"):
            result = run_analysis(layers, config=cfg, today=TODAY)
        steps.append(result.waktu_s)
    # the step times of the run whose whole time is the median
    whole = [t for n, t, _ in clock.rows if n == "run_analysis, whole (product path)"]
    median_steps = steps[int(np.argsort(whole)[len(whole) // 2])]
    names = {
        "persiapan": "  of which: layers to EPSG:4326 + regions",
        "paparan": "  of which: reprojection + exposure",
        "lokasi_stok": "  of which: sites in the flood + committable stock",
        "jangkauan": "  of which: reach pairs of the at-risk kecamatan",
        "alokasi": "  of which: needs + allocation + gaps",
    }
    for key, sec in median_steps.items():
        clock.rows.append((names.get(key, key), sec, rss_mb()))
    res["result"] = result
    res["stok"] = result.stok[["lokasi_id", "barang", "komit"]]
    res["risk"] = int(result.kecamatan["berisiko"].sum())
    res["arcs"] = len(result.jangkauan)
    res["alloc"] = result.alokasi
    for z in zones:
        z["kec_r"] = z["kec"][["kode", "geometry"]].to_crs(z["crs"])
        site = z["lokasi"][["geometry"]].to_crs(z["crs"])
        z["site_r"] = site.assign(lokasi_id=z["lokasi"]["id"].to_numpy())
    for _ in range(repeat):
        with clock.stage("reach, every kecamatan: product reach pairs + sums"):
            pairs = pd.concat(
                [reach(z["kec_r"], z["site_r"], jarak_m=JARAK_M) for z in zones], ignore_index=True
            )
        res["pairs"] = len(pairs)
        res["sums"] = _sums(pairs, res["stok"])
    return res


def _sums(pairs: pd.DataFrame, stok: pd.DataFrame) -> pd.DataFrame:
    """Committable stock within reach per kecamatan × item: the gap table's own function
    (:func:`geo_klaster.analysis.gaps.terjangkau`), so this times the product's path."""
    return terjangkau(pairs, stok).reset_index()


def _copy(conn, table: str, columns: list[str], rows) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def run_postgis(
    url: str, zones: list[dict], layers: dict, stok: pd.DataFrame, clock: Clock, repeat: int
):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        with clock.stage("PostGIS load + transform + GiST index"):
            conn.execute("DROP TABLE IF EXISTS bn_kec, bn_lokasi, bn_komit CASCADE")
            conn.execute("CREATE TABLE bn_kec (kode text, zona int, geom geometry(Geometry, 4326))")
            conn.execute("CREATE TABLE bn_lokasi (lokasi_id text, geom geometry(Point, 4326))")
            conn.execute("CREATE TABLE bn_komit (lokasi_id text, barang text, komit float8)")
            kec = layers["kecamatan"]
            kz = zone_of(shapely.get_x(kec.geometry.representative_point().to_numpy()))
            wkb = shapely.to_wkb(kec.geometry.to_numpy(), hex=True)
            _copy(conn, "bn_kec", ["kode", "zona", "geom"], zip(kec["kode"], kz.tolist(), wkb))
            lok = layers["lokasi"]
            wkb = shapely.to_wkb(lok.geometry.to_numpy(), hex=True)
            _copy(conn, "bn_lokasi", ["lokasi_id", "geom"], zip(lok["id"], wkb))
            _copy(
                conn,
                "bn_komit",
                ["lokasi_id", "barang", "komit"],
                stok[stok["komit"] != 0].itertuples(index=False, name=None),
            )
            conn.execute("CREATE INDEX ON bn_komit (lokasi_id)")
            for z in zones:
                n, srid = z["zone"], 32700 + z["zone"]
                conn.execute(f"DROP TABLE IF EXISTS bn_kec_{n}, bn_lok_{n}")
                conn.execute(
                    f"CREATE TABLE bn_kec_{n} AS SELECT kode, ST_Transform(geom, {srid}) AS geom "
                    f"FROM bn_kec WHERE zona = {n}"
                )
                conn.execute(
                    f"CREATE TABLE bn_lok_{n} AS SELECT lokasi_id, "
                    f"ST_Transform(geom, {srid}) AS geom FROM bn_lokasi "
                    f"WHERE ST_X(geom) BETWEEN {z['west']} AND {z['east']}"
                )
                conn.execute(f"CREATE INDEX ON bn_lok_{n} USING gist (geom)")
                conn.execute(f"CREATE INDEX ON bn_kec_{n} USING gist (geom)")
            conn.execute("ANALYZE")
        pairs = " UNION ALL ".join(
            f"SELECT k.kode, s.lokasi_id FROM bn_kec_{z['zone']} k JOIN bn_lok_{z['zone']} s "
            f"ON ST_DWithin(k.geom, s.geom, {JARAK_M})"
            for z in zones
        )
        sql = (
            f"SELECT p.kode, c.barang, sum(c.komit) FROM ({pairs}) p "
            "JOIN bn_komit c ON c.lokasi_id = p.lokasi_id GROUP BY p.kode, c.barang"
        )
        conn.execute("SET max_parallel_workers_per_gather = 0")
        with clock.stage("PostGIS plain: ST_DWithin + join stock + GROUP BY"):
            rows = conn.execute(sql).fetchall()
        # Best found: the stock pivoted to one row per site with one column per item (so the
        # join is by site, 1 row per pair, and the GROUP BY key is the kecamatan alone, with
        # 30 sums), and a parallel plan (2 workers: the machine has 2 cores); the pivot is
        # built inside the timed stage. Tried as well, and slower: the stock as one array per
        # site unnested per item after the join (38 M rows to group: 64 s in one run, against
        # 10 s plain), and the plain query with parallel workers alone.
        items = sorted(stok["barang"].unique())
        cols = [f"c{i}" for i in range(len(items))]
        pivot = ", ".join(
            f"coalesce(sum(komit) FILTER (WHERE barang = %s), 0) AS {c}" for c in cols
        )
        conn.execute("SET max_parallel_workers_per_gather = 2")
        conn.execute("SET parallel_setup_cost = 10")
        conn.execute("SET parallel_tuple_cost = 0.001")
        conn.execute("SET min_parallel_table_scan_size = 0")
        best = (
            f"SELECT p.kode, {', '.join(f'sum(w.{c})' for c in cols)} FROM ({pairs}) p "
            "JOIN bn_wide w ON w.lokasi_id = p.lokasi_id GROUP BY p.kode"
        )
        for _ in range(repeat):
            with clock.stage("PostGIS best: stock pivoted per site, parallel"):
                conn.execute("DROP TABLE IF EXISTS bn_wide")
                conn.execute(
                    f"CREATE TABLE bn_wide AS SELECT lokasi_id, {pivot} FROM bn_komit "
                    "GROUP BY lokasi_id",
                    items,
                )
                conn.execute("CREATE UNIQUE INDEX ON bn_wide (lokasi_id)")
                conn.execute("ANALYZE bn_wide")
                best_rows = conn.execute(best).fetchall()
        conn.execute("RESET max_parallel_workers_per_gather")
        (n_pairs,) = conn.execute(f"SELECT count(*) FROM ({pairs}) p").fetchone()
        conn.execute("DROP TABLE IF EXISTS bn_kec, bn_lokasi, bn_komit, bn_wide CASCADE")
        for z in zones:
            conn.execute(f"DROP TABLE IF EXISTS bn_kec_{z['zone']}, bn_lok_{z['zone']}")
    best_df = pd.DataFrame(
        [(row[0], item, v) for row in best_rows for item, v in zip(items, row[1:], strict=True)],
        columns=["kode", "barang", "terjangkau"],
    )
    best_df = best_df[best_df["terjangkau"] != 0]
    df = pd.DataFrame(rows, columns=["kode", "barang", "terjangkau"])
    return df[df["terjangkau"] != 0], best_df, n_pairs


def compare(a: pd.DataFrame, b: pd.DataFrame) -> tuple[bool, int, float]:
    m = a.merge(b, on=["kode", "barang"], how="outer", suffixes=("_a", "_b")).fillna(0.0)
    x, y = m["terjangkau_a"].to_numpy(), m["terjangkau_b"].to_numpy()
    close = np.isclose(x, y, rtol=1e-9, atol=1e-6)
    return bool(close.all()), int((~close).sum()), float(np.abs(x - y).max() if len(m) else 0.0)


def time_demo(store: str) -> None:
    from geo_klaster.analysis.pipeline import run_analysis
    from geo_klaster.store import open_store

    if not Path(store).exists():
        subprocess.run(
            [sys.executable, "-P", "-m", "geo_klaster.cli", "--store", store, "demo"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    layers = open_store(store).read_all()
    run_analysis(layers)  # warm-up: imports, PROJ database
    times = []
    for _ in range(5):
        t = time.perf_counter()
        result = run_analysis(layers)
        times.append(time.perf_counter() - t)
    steps = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in result.waktu_s.items())
    print(
        f"\nDemo store {store}: run_analysis median {np.median(times) * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f}, 5 runs, after one warm-up); last run: {steps}"
    )


def national_store(layers: dict, path: Path) -> dict[str, int]:
    """The synthetic layers written into a GeoPackage store at ``path`` through the store's
    own transaction (codes in the schema's NN.NN.NN pattern, one member per five sites,
    polygons as MultiPolygon as the store keeps them); the layer counts."""
    from geo_klaster.store import open_store

    kec = layers["kecamatan"].copy()
    code = {
        k: f"{1 + i // 10000:02d}.{(i // 100) % 100:02d}.{i % 100:02d}"
        for i, k in enumerate(kec["kode"])
    }
    kec["kode"] = kec["kode"].map(code)
    kec["geometry"] = [shapely.MultiPolygon(list(shapely.get_parts(g))) for g in kec.geometry]
    zona = layers["zona_banjir"].copy()
    zona["geometry"] = [
        shapely.MultiPolygon([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"])
        for g in zona.geometry
    ]
    lok = layers["lokasi"].copy()
    lok["jenis"] = "gudang"
    ids = sorted(lok["anggota_id"].unique())
    anggota = gpd.GeoDataFrame(
        {"id": ids, "nama": [f"Anggota {a}" for a in ids], "sektor": "komunitas"},
        geometry=lok.groupby("anggota_id").geometry.first().loc[ids].to_numpy(),
        crs=4326,
    )
    stok = layers["stok"].copy()
    stok["kedaluwarsa"] = stok["kedaluwarsa"].dt.date
    store = open_store(str(path))
    store.init()
    with store.transaction() as tx:
        tx.append("kecamatan", kec)
        tx.append("zona_banjir", zona)
        tx.append("anggota", anggota)
        tx.append("lokasi", lok)
        tx.append("barang", layers["barang"])
        tx.append("stok", stok)
    return {n: store.count(n) for n in ("kecamatan", "zona_banjir", "anggota", "lokasi", "stok")}


def time_analyze(layers: dict, folder: Path) -> None:
    """``geo-klaster analyze`` end to end at national scale, in its own process: reading the
    store, the analysis, and writing every output (GeoJSON, CSV, rencana_aksi.xlsx,
    hasil.gpkg). Wall clock and the process's peak RSS (``wait4``)."""
    folder.mkdir(parents=True, exist_ok=True)
    store, out = folder / "national.gpkg", folder / "hasil"
    if not store.exists():
        t = time.perf_counter()
        counts = national_store(layers, store)
        print(f"\nnational store {store}: {counts}, written in {time.perf_counter() - t:.1f} s")
    cmd = [sys.executable, "-P", "-m", "geo_klaster.cli", "--store", str(store), "analyze"]
    cmd += ["--out", str(out), "--tanggal", TODAY.isoformat()]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"analyze failed:\n{output}")
    sizes = ", ".join(
        f"{f.name} {f.stat().st_size / 1e6:.1f} MB" for f in sorted(out.iterdir()) if f.is_file()
    )
    print(
        f"geo-klaster analyze end to end (national store): {wall:.2f} s wall, "
        f"user {usage.ru_utime:.2f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB; outputs: {sizes}"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--pg", help="PostGIS URL (database with the postgis extension)")
    ap.add_argument("--start-postgis", action="store_true", help="start a throwaway server")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of run_analysis (after the first), of the reach of every kecamatan and of "
        "PostGIS best; their medians make the ratios (default 3)",
    )
    ap.add_argument("--demo", metavar="STORE", help="also time run_analysis on this store")
    ap.add_argument(
        "--analyze",
        metavar="DIR",
        type=Path,
        help="also time `geo-klaster analyze` end to end on the data written as a GeoPackage "
        "store in DIR (made once, kept for later runs)",
    )
    args = ap.parse_args(argv)

    pgdir = None
    url = args.pg
    if args.start_postgis and not url:
        pgdir = tempfile.mkdtemp(prefix="geo_klaster_bench_pg.")
        url = subprocess.run(
            ["bash", str(ROOT / "scripts" / "postgis.sh"), "start", pgdir],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    try:
        return _run(args, url)
    finally:
        if pgdir:
            subprocess.run(
                ["bash", str(ROOT / "scripts" / "postgis.sh"), "stop", pgdir], check=False
            )


def _run(args, url) -> int:
    cfg = AnalysisConfig()
    t = time.perf_counter()
    layers = build(args.scale)
    zones = split_zones(layers)
    print(
        f"Synthetic data (scale {args.scale}): {len(layers['kecamatan'])} kecamatan x 50 vertices, "
        f"{len(layers['zona_banjir'])} flood polygons, {len(layers['lokasi'])} sites, "
        f"{len(layers['stok'])} stock lines, {layers['stok']['barang'].nunique()} items; "
        f"UTM zones {[z['zone'] for z in zones]}; built in {time.perf_counter() - t:.1f} s"
    )
    clock = Clock()
    res = run_python(layers, zones, clock, cfg, args.repeat)
    pg = pg_best = None
    if url:
        pg_sums, pg_best_sums, n_pairs = run_postgis(
            url, zones, layers, res["stok"], clock, args.repeat
        )
        pg, pg_best = compare(res["sums"], pg_sums), compare(res["sums"], pg_best_sums)
        print(f"  (PostGIS: {n_pairs:,} kecamatan-site pairs within 15 km)")

    load = subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()
    print(f"\n`uptime` after the run: {load}")
    print("\n| stage | seconds (median) | each run | maxrss after (MB) |\n|---|---:|---|---:|")
    for name, sec, runs, rss in clock.table():
        print(f"| {name} | {sec:.2f} | {runs} | {rss:.0f} |")
    print(
        f"\nkecamatan-site pairs within 15 km (every kecamatan): {res['pairs']:,}; at-risk "
        f"kecamatan {res['risk']:,}; their reach pairs {res['arcs']:,}; allocation rows "
        f"{len(res['alloc']):,}; reach-sum cells {len(res['sums']):,}"
    )
    whole = clock.get("run_analysis, whole (product path)")
    exp_t = clock.get("  of which: reprojection + exposure")
    reach_t = clock.get("reach, every kecamatan: product reach pairs + sums")
    if pg:
        plain_t = clock.get("PostGIS plain: ST_DWithin + join stock + GROUP BY")
        best_t = clock.get("PostGIS best: stock pivoted per site, parallel")
        print(
            f"product sums == PostGIS plain sums: {pg[0]} (differing {pg[1]}, max |diff| {pg[2]:.3g})"
        )
        print(
            f"product sums == PostGIS best sums: {pg_best[0]} (differing {pg_best[1]}, "
            f"max |diff| {pg_best[2]:.3g})"
        )
        print(
            f"(exposure + reach of every kecamatan) / PostGIS best = "
            f"{(exp_t + reach_t) / best_t:.2f} (target <= 0.25); "
            f"run_analysis whole / PostGIS best = {whole / best_t:.2f} (target <= 1); "
            f"PostGIS plain / best = {plain_t / best_t:.2f}"
        )
    print(f"process peak RSS (getrusage ru_maxrss): {rss_mb():.0f} MB")
    if args.demo:
        time_demo(args.demo)
    if args.analyze:
        time_analyze(layers, args.analyze)
    return 0 if pg is None or (pg[0] and pg_best[0]) else 1


if __name__ == "__main__":
    sys.exit(main())
