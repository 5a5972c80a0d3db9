"""Road travel times on DKI Jakarta: geo_klaster (SciPy csgraph) against pgRouting and networkx.

    python benchmarks/roads.py [--sites 500] [--pg URL | --start-postgis] [--repeat 3]

Data: ``../shared/data/jakarta`` — 18,574 OSM road lines (2012), all 261 kelurahan as target
areas, and two scenarios: the February 2007 flood (every flooded RW ``tinggi``: cut) and no
flood (``kering``). ``--sites`` sites (seeded) uniformly inside the kelurahan.

One graph per scenario is built once by :func:`geo_klaster.analysis.roads.build_network` (noded at
shared vertices, split at flood and kelurahan boundaries and at the site joins, cut pieces
removed) and given to all three engines, so they solve exactly the same problem: minutes from
every site's joining node to the nearest node of each kelurahan (the walk to the road is the
same constant for all three and left out).

- **geo_klaster** (``gk``): :func:`geo_klaster.analysis.roads.node_times` as the analysis runs it, on
  the contracted graph (``arcs c``: each kelurahan reduced to its entry nodes, chains through
  two-neighbour nodes merged, other nodes with at most ten neighbours eliminated; answers
  unchanged; the contraction is part of ``build s``), with the batching it picks (one
  ``dijkstra(indices=...)`` call over the smaller side: every kelurahan's virtual node on the
  reversed graph, or every site node); ``gk full``: the same on the whole graph.
- **pgRouting** (``pgr``: on the whole graph, ``pgr c``: on the contracted one)
  ``pgr_dijkstraCost`` many-to-many, directed, from every site node to one
  virtual sink per kelurahan (zero-cost arcs from each of its nodes to the sink): exactly the
  500 × 261 answers in one call. ``pgr_drivingDistance`` from many starts returns every reached
  node per start (500 × all nodes rows) and is timed on a sample of starts only, to show it
  is the slower form. Edges are loaded once into an indexed table (load time listed apart);
  the query time is the call's wall clock seen from the client, rows fetched.
- **networkx** ``multi_source_dijkstra_path_length`` on the reversed contracted graph, per
  kelurahan (``nx c``; on the whole dry graph it takes minutes, too long for a shared machine).

Every finite pair must agree within 1e-6 min across the three, and the unreachable pairs
must be the same. Times: best of ``--repeat`` runs (wall clock). The machine is shared: the
``uptime`` load averages are printed with the figures.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import psycopg
import shapely

from geo_klaster.analysis.exposure import flood_parts
from geo_klaster.analysis.roads import Network, build_network, node_times

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "jakarta"
CRS = 32748
TOL_MIN = 1e-6


def load(
    n_sites: int,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    roads = gpd.read_file(DATA / "roads_osm_2012.geojson")
    roads = roads.rename(columns={"TYPE": "kelas", "ONEWAY": "oneway"}).to_crs(CRS)
    kel = gpd.read_file(DATA / "admin_kelurahan.geojson").to_crs(CRS)
    kel = kel.assign(kode=kel["ID"].astype(str))[["kode", "geometry"]]
    flood = gpd.read_file(DATA / "flood_rw_2007.geojson").assign(kelas="tinggi")
    parts = flood_parts(flood, crs=CRS)
    rng = np.random.default_rng(2007)
    area = shapely.union_all(kel.geometry.to_numpy())
    shapely.prepare(area)
    x0, y0, x1, y1 = area.bounds
    pts: list[shapely.Point] = []
    while len(pts) < n_sites:
        cand = shapely.points(rng.uniform(x0, x1, 4 * n_sites), rng.uniform(y0, y1, 4 * n_sites))
        pts.extend(cand[shapely.contains(area, cand)][: n_sites - len(pts)])
    sites = gpd.GeoDataFrame(
        {"lokasi_id": [f"S{i:03d}" for i in range(n_sites)]}, geometry=pts, crs=CRS
    )
    return roads, kel, parts, sites


def best(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def networkx_times(net: Network) -> np.ndarray:
    g = nx.from_scipy_sparse_array(net.graph.T.tocsr(), create_using=nx.DiGraph)  # reversed
    usable = np.flatnonzero(net.site_node >= 0)
    out = np.full((len(net.site_node), len(net.target_nodes)), np.inf)
    for j, nodes in enumerate(net.target_nodes):
        if len(nodes) == 0:
            continue
        dist = nx.multi_source_dijkstra_path_length(g, {int(n) for n in nodes})
        out[usable, j] = [dist.get(int(n), np.inf) for n in net.site_node[usable]]
    return out


def pg_load(con: psycopg.Connection, net: Network) -> int:
    """Arcs of the graph plus zero-cost arcs to one sink per target; returns the sink base id."""
    coo = net.graph.tocoo()
    n = net.graph.shape[0]
    src, dst, cost = (coo.row + 1).tolist(), (coo.col + 1).tolist(), coo.data.tolist()
    for j, nodes in enumerate(net.target_nodes):
        src.extend((nodes + 1).tolist())
        dst.extend([n + 1 + j] * len(nodes))
        cost.extend([0.0] * len(nodes))
    con.execute("DROP TABLE IF EXISTS arcs")
    con.execute(
        "CREATE TABLE arcs (id bigint, source bigint, target bigint, cost float8, "
        "reverse_cost float8)"
    )
    buf = io.StringIO()
    for i, (s, d, c) in enumerate(zip(src, dst, cost, strict=True)):
        buf.write(f"{i + 1}\t{s}\t{d}\t{c!r}\t-1\n")
    with con.cursor().copy("COPY arcs FROM STDIN") as cp:
        cp.write(buf.getvalue())
    con.execute("CREATE INDEX ON arcs (source)")
    con.execute("CREATE INDEX ON arcs (target)")
    con.execute("ANALYZE arcs")
    return n + 1


SQL = "SELECT id, source, target, cost, reverse_cost FROM arcs"


def pg_dijkstra_cost(con: psycopg.Connection, net: Network, sink0: int) -> np.ndarray:
    usable = np.flatnonzero(net.site_node >= 0)
    starts = sorted({int(v) + 1 for v in net.site_node[usable]})
    sinks = [sink0 + j for j in range(len(net.target_nodes))]
    rows = con.execute(
        "SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCost(%s, %s::bigint[], "
        "%s::bigint[], directed => true)",
        (SQL, starts, sinks),
    ).fetchall()
    table = {(s, e): c for s, e, c in rows}
    out = np.full((len(net.site_node), len(net.target_nodes)), np.inf)
    for i in usable:
        s = int(net.site_node[i]) + 1
        for j in range(len(net.target_nodes)):
            out[i, j] = table.get((s, sink0 + j), np.inf)
    return out


def pg_driving_distance(con: psycopg.Connection, net: Network, n_starts: int) -> int:
    usable = np.flatnonzero(net.site_node >= 0)
    starts = sorted({int(v) + 1 for v in net.site_node[usable]})[:n_starts]
    rows = con.execute(
        "SELECT count(*) FROM pgr_drivingDistance(%s, %s::bigint[], 1e9, directed => true)",
        (SQL, starts),
    ).fetchone()
    return int(rows[0])


def compare(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    both = np.isfinite(a) & np.isfinite(b)
    diff = float(np.max(np.abs(a[both] - b[both]))) if both.any() else 0.0
    return diff, int((np.isfinite(a) != np.isfinite(b)).sum())


def _uptime() -> str:
    return subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()


def run(args: argparse.Namespace, url: str) -> int:
    print(f"uptime: {_uptime()}")
    roads, kel, parts, sites = load(args.sites)
    empty = parts.iloc[:0]
    con = psycopg.connect(url, autocommit=True)
    con.execute("CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE")
    version = con.execute("SELECT pgr_version()").fetchone()[0]
    print(f"{len(roads)} road lines, {len(kel)} kelurahan, {len(sites)} sites; pgRouting {version}")
    ok = True
    header = (
        f"{'scenario':<12} {'sites':>5} {'arcs':>7} {'arcs c':>7} {'build s':>8} "
        f"{'gk s':>7} {'gk full s':>9} {'pgr load s':>10} {'pgr s':>7} {'pgr c s':>7} "
        f"{'nx c s':>7} {'pgr/gk':>7} {'nx/gk':>7} {'max |Δ| min':>11} {'inf≠':>5}"
    )
    lines = [header]
    for name, zona in (("banjir_2007", parts), ("kering", empty)):
        t = time.perf_counter()
        net = build_network(roads, zona, kel, sites)
        t_build = time.perf_counter() - t
        full = build_network(roads, zona, kel, sites, contract=False)
        t_gk, ours = best(lambda net=net: node_times(net), args.repeat)
        t_full, ours_full = best(lambda full=full: node_times(full), args.repeat)
        t = time.perf_counter()
        sink0 = pg_load(con, full)
        t_load = time.perf_counter() - t
        t_pg, pg = best(lambda full=full, s=sink0: pg_dijkstra_cost(con, full, s), args.repeat)
        t_dd = time.perf_counter()
        n_dd = pg_driving_distance(con, full, args.dd_starts)
        t_dd = time.perf_counter() - t_dd
        sink_c = pg_load(con, net)
        t_pgc, pgc = best(lambda net=net, s=sink_c: pg_dijkstra_cost(con, net, s), args.repeat)
        t_nx, nxt = best(lambda net=net: networkx_times(net), 1)
        checks = [compare(ours, x) for x in (ours_full, pg, pgc, nxt)]
        diff = max(d for d, _ in checks)
        infs = sum(i for _, i in checks)
        ok &= diff <= TOL_MIN and infs == 0
        usable = int((net.site_node >= 0).sum())
        lines.append(
            f"{name:<12} {usable:>5} {full.graph.nnz:>7} {net.graph.nnz:>7} {t_build:>8.2f} "
            f"{t_gk:>7.3f} {t_full:>9.3f} {t_load:>10.2f} {t_pg:>7.3f} {t_pgc:>7.3f} "
            f"{t_nx:>7.2f} {t_pg / t_gk:>7.1f} {t_nx / t_gk:>7.1f} {diff:>11.1e} {infs:>5}"
        )
        n_start = len(set(net.site_node[net.site_node >= 0].tolist()))
        lines.append(
            f"  {name}: {int(np.isfinite(ours).sum())} of {ours.size} site×kelurahan pairs "
            f"reachable; pgr_drivingDistance from {args.dd_starts} starts: {t_dd:.2f} s for "
            f"{n_dd} rows (≈ {t_dd / args.dd_starts * n_start:.1f} s for all {n_start} starts)"
        )
        print(lines[-2])
        print(lines[-1])
    con.close()
    print()
    print("\n".join(lines))
    print(f"uptime: {_uptime()}")
    print("all pairs equal within 1e-6 min:", "yes" if ok else "NO")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dd-starts", type=int, default=20, help="pgr_drivingDistance sample")
    ap.add_argument("--pg", help="PostgreSQL URL of a database where pgrouting can be created")
    ap.add_argument("--start-postgis", action="store_true", help="start a throwaway server")
    args = ap.parse_args(argv)
    pgdir, url = None, args.pg
    if args.start_postgis and not url:
        pgdir = tempfile.mkdtemp(prefix="geo_klaster_bench_pg.")
        url = subprocess.run(
            ["bash", str(ROOT / "scripts" / "postgis.sh"), "start", pgdir],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    if not url:
        ap.error("--pg URL or --start-postgis")
    try:
        return run(args, url)
    finally:
        if pgdir:
            subprocess.run(
                ["bash", str(ROOT / "scripts" / "postgis.sh"), "stop", pgdir], check=False
            )


if __name__ == "__main__":
    sys.exit(main())
