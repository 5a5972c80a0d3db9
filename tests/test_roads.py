"""Travel time on a small road grid with known speeds (geo_klaster.analysis.roads), checkable by hand.

All roads are ``residential`` (20 km/h: 1,000 m take 3 minutes); the walk from a site to its
road is at 5 km/h (10 m take 0.12 minutes). Coordinates in EPSG:32748, metres from an origin.

The grid (metres)::

    (0,1000) ---- (1000,1000) ---- (2000,1000)
       |               |                |
    (0,0) ------- (1000,0) ------- (2000,0)      target T: x 1900..2500, y -500..500

Site S at (0, -10). Dry: S walks 10 m, drives 1,900 m along the bottom to T's edge:
0.12 + 5.7 = 5.82 min.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geo_klaster.analysis.roads import (
    JAUH,
    TANPA_JALAN,
    TERGENANG,
    TERPUTUS_BANJIR,
    build_network,
    node_times,
    pieces_length_km,
    travel_times,
)
from geo_klaster.config import AnalysisConfig

X0, Y0 = 700_000.0, 9_300_000.0
CRS = 32748
WALK_10M = 10 / 1000 / 5 * 60  # 0.12 min


def line(*pts: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in pts])


def sq(x0: float, y0: float, x1: float, y1: float):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def roads(lines: list[LineString], **cols: list) -> gpd.GeoDataFrame:
    data = {"kelas": ["residential"] * len(lines), **cols}
    return gpd.GeoDataFrame(data, geometry=lines, crs=CRS)


GRID = [
    line((0, 0), (1000, 0), (2000, 0)),
    line((0, 1000), (1000, 1000), (2000, 1000)),
    line((0, 0), (0, 1000)),
    line((1000, 0), (1000, 1000)),
    line((2000, 0), (2000, 1000)),
]


def zones(*items: tuple[str, object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kelas": [k for k, _ in items]}, geometry=[g for _, g in items], crs=CRS
    )


def targets(*polys) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kode": [f"T{i}" for i in range(len(polys))]}, geometry=list(polys), crs=CRS
    )


def sites(*pts: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"lokasi_id": [f"S{i}" for i in range(len(pts))]},
        geometry=[Point(X0 + x, Y0 + y) for x, y in pts],
        crs=CRS,
    )


def times(jalan, zona, tgt, st, **cfg) -> pd.DataFrame:
    net = build_network(jalan, zona, tgt, st, config=AnalysisConfig(**cfg))
    return travel_times(net, st["lokasi_id"].to_numpy(), tgt["kode"].to_numpy())


T = sq(1900, -500, 2500, 500)


def test_dry_time_to_the_edge_of_the_area() -> None:
    got = times(roads(GRID), zones(), targets(T), sites((0, -10)))
    assert got["waktu_menit"].iloc[0] == pytest.approx(WALK_10M + 5.7, abs=1e-9)
    assert not got["terputus"].iloc[0]


def test_cut_segment_forces_a_detour_of_known_length() -> None:
    # tinggi zone over the bottom road at x 400..600: up 1,000, along the top 2,000, down
    # 500 m to T's edge at y = 500: 3,500 m at 20 km/h = 10.5 min (the detour through
    # x = 1000 is 3,900 m)
    flood = zones(("tinggi", sq(400, -100, 600, 100)))
    got = times(roads(GRID), flood, targets(T), sites((0, -10)))
    assert got["waktu_menit"].iloc[0] == pytest.approx(WALK_10M + 10.5, abs=1e-9)
    net = build_network(roads(GRID), flood, targets(T), sites((0, -10)))
    assert net.km_putus == pytest.approx(0.2, abs=1e-9)


def test_slowed_part_takes_one_over_factor_of_its_time() -> None:
    # rendah × 0.3: the 200 m inside take 0.6 / 0.3 = 2 min instead of 0.6
    flood = zones(("rendah", sq(400, -100, 600, 100)))
    got = times(roads(GRID), flood, targets(T), sites((0, -10)))
    assert got["waktu_menit"].iloc[0] == pytest.approx(WALK_10M + 5.1 + 2.0, abs=1e-9)
    net = build_network(roads(GRID), flood, targets(T), sites((0, -10)))
    assert net.km_lambat == pytest.approx(0.2, abs=1e-9)
    # the options change it: rendah cut -> the 10.5 min detour; nothing cut -> dry time
    cut = times(roads(GRID), flood, targets(T), sites((0, -10)), potong=("rendah",), lambat={})
    assert cut["waktu_menit"].iloc[0] == pytest.approx(WALK_10M + 10.5, abs=1e-9)
    dry = times(roads(GRID), flood, targets(T), sites((0, -10)), potong=(), lambat={})
    assert dry["waktu_menit"].iloc[0] == pytest.approx(WALK_10M + 5.7, abs=1e-9)


def test_site_behind_a_flooded_bridge_is_cut_off() -> None:
    # an island road reached only by a bridge from (2000,1000) to (2000,1600); the bridge
    # lies in a sedang zone (cut by default). Site S0 on the island, S1 on the bottom road in
    # the tinggi zone, S2 2 km from any road.
    lines = [*GRID, line((2000, 1000), (2000, 1600)), line((2000, 1600), (2000, 2000))]
    flood = zones(("sedang", sq(1900, 1200, 2100, 1400)), ("tinggi", sq(400, -100, 600, 100)))
    got = times(roads(lines), flood, targets(T), sites((2010, 1900), (500, -20), (0, -2000)))
    assert got["terputus"].tolist() == [True, True, True]
    assert got["alasan"].tolist() == [TERPUTUS_BANJIR, TERGENANG, JAUH]
    assert got["waktu_menit"].isna().all()
    # without the flood the island site drives 900 m down the island road and the bridge,
    # then 500 m down to T: 1,400 m = 4.2 min, plus 10 m walking
    dry = times(roads(lines), zones(), targets(T), sites((2010, 1900)))
    assert dry["waktu_menit"].iloc[0] == pytest.approx(WALK_10M + 4.2, abs=1e-9)


ONEWAY_NET = [
    line((1000, 0), (0, 0)),  # the direct road, drawn from B to A
    line((0, 0), (0, 500), (1000, 500), (1000, 0)),  # detour, two-way, 2,000 m
]
B = sq(950, -50, 1050, 50)  # target around B = (1000, 0)


@pytest.mark.parametrize(
    ("kelas", "oneway", "expected"),
    [
        ("residential", "yes", 1950 * 0.06 / 20),  # B→A only: the detour, 1,950 m to B's edge
        ("residential", "no", 950 * 0.06 / 20),  # both ways: direct, 950 m
        ("residential", None, 950 * 0.06 / 20),  # missing = two-way
        ("motorway", None, 1950 * 0.06 / 20),  # a motorway is one-way as OSM implies
    ],
)
def test_one_way_is_respected(kelas: str, oneway: str | None, expected: float) -> None:
    jalan = roads(ONEWAY_NET, oneway=[oneway, None])
    jalan.loc[0, "kelas"] = kelas
    got = times(jalan, zones(), targets(B), sites((0, 0)))
    assert got["waktu_menit"].iloc[0] == pytest.approx(expected, abs=1e-9)


def test_minus_one_runs_against_the_drawing() -> None:
    # drawn A→B with oneway=-1 means B→A only: again the detour
    jalan = roads([line((0, 0), (1000, 0)), ONEWAY_NET[1]], oneway=["-1", None])
    got = times(jalan, zones(), targets(B), sites((0, 0)))
    assert got["waktu_menit"].iloc[0] == pytest.approx(1950 * 0.06 / 20, abs=1e-9)
    # and from B towards A (target around A) the direct road is allowed: 950 m
    back = times(jalan, zones(), targets(sq(-50, -50, 50, 50)), sites((1000, 0)))
    assert back["waktu_menit"].iloc[0] == pytest.approx(950 * 0.06 / 20, abs=1e-9)


def test_crossing_without_shared_vertex_is_a_flyover() -> None:
    # a road crossing the bottom road at (500, 0) without a vertex there does not join it
    fly = line((500, -500), (500, 500))
    got = times(roads([*GRID, fly]), zones(), targets(T), sites((500, -490)))
    # S0 joins the flyover at (500,-490): no way onto the grid
    assert got["alasan"].iloc[0] == "tidak terhubung jaringan jalan"
    net = build_network(roads([*GRID, fly]), zones(), targets(T), sites((500, -490)))
    assert pieces_length_km(net)["km"].tolist() == pytest.approx([7.0, 1.0])


def test_area_without_roads_and_own_speed() -> None:
    empty = sq(5000, 5000, 6000, 6000)
    got = times(roads(GRID), zones(), targets(T, empty), sites((0, -10)))
    assert got["alasan"].tolist() == ["", TANPA_JALAN]
    # kecepatan overrides the class: bottom road at 38 km/h -> 1,900 m in 3 min
    fast = roads(GRID, kecepatan=[38.0, None, None, None, None])
    got = times(fast, zones(), targets(T), sites((0, -10)))
    assert got["waktu_menit"].iloc[0] == pytest.approx(WALK_10M + 3.0, abs=1e-9)


def test_both_batching_methods_and_contraction_agree_with_networkx() -> None:
    rng = np.random.default_rng(17)
    lines = [*GRID, line((2000, 1000), (2000, 1600)), line((0, 0), (-800, -300), (-900, 700))]
    flood = zones(("rendah", sq(300, 800, 1700, 1200)), ("tinggi", sq(1500, -100, 1600, 100)))
    tgt = targets(T, sq(-1000, 0, -500, 1000), sq(900, 900, 1100, 1100))
    pts = [(float(x), float(y)) for x, y in rng.uniform([-900, -200], [2100, 1700], (12, 2))]
    st = sites(*pts)
    net = build_network(roads(lines), flood, tgt, st)
    a = node_times(net, metode="tujuan")
    b = node_times(net, metode="lokasi")
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
    # networkx on the whole graph: every vertex a node, every target node kept
    full = build_network(roads(lines), flood, tgt, st, contract=False)
    assert full.graph.nnz > net.graph.nnz  # the contraction did shrink it
    g = nx.from_scipy_sparse_array(full.graph, create_using=nx.DiGraph)
    for i, node in enumerate(full.site_node):
        if node < 0:
            continue
        dist = nx.single_source_dijkstra_path_length(g, int(node))
        for j, nodes in enumerate(full.target_nodes):
            want = min((dist[n] for n in nodes if n in dist), default=np.inf)
            assert a[i, j] == pytest.approx(want, abs=1e-9)


def test_node_elimination_on_a_street_grid_keeps_every_time() -> None:
    """A 12 × 12 street grid (100 m blocks) with one-way streets, mixed speeds, dead ends, a
    flood cutting and slowing parts, 25 sites and 9 target areas: the graph the analysis
    searches (chains merged, then every node with few neighbours eliminated) gives the same
    times as networkx on the whole graph, in both batching directions."""
    rng = np.random.default_rng(1717)
    lines, kelas, oneway = [], [], []
    for i in range(12):
        for horizontal in (True, False):
            pts = [(i * 100, j * 100) if not horizontal else (j * 100, i * 100) for j in range(12)]
            lines.append(line(*pts))
            kelas.append(str(rng.choice(["residential", "tertiary", "primary"])))
            oneway.append(str(rng.choice(["no", "no", "yes", "-1"])))
    for _ in range(15):  # dead ends hanging off the grid
        x, y = (int(v) * 100 for v in rng.integers(0, 12, 2))
        lines.append(line((x, y), (x + 37, y + 41), (x + 60, y + 90)))
        kelas.append("service")
        oneway.append("no")
    jalan = gpd.GeoDataFrame({"kelas": kelas, "oneway": oneway}, geometry=lines, crs=CRS)
    flood = zones(("tinggi", sq(420, 420, 580, 580)), ("rendah", sq(0, 700, 1100, 820)))
    tgt = targets(*[sq(x, y, x + 160, y + 160) for x in (50, 480, 900) for y in (60, 500, 910)])
    pts = [(float(x), float(y)) for x, y in rng.uniform(-20, 1120, (25, 2))]
    st = sites(*pts)
    cfg = AnalysisConfig(lambat={"rendah": 0.3})
    net = build_network(jalan, flood, tgt, st, config=cfg)
    full = build_network(jalan, flood, tgt, st, config=cfg, contract=False)

    def live(g) -> int:
        return int(
            ((np.diff(g.indptr) > 0) | (np.bincount(g.indices, minlength=g.shape[0]) > 0)).sum()
        )

    assert live(net.graph) < live(full.graph) // 2  # grid nodes (3-4 neighbours) went too
    a = node_times(net, metode="tujuan")
    b = node_times(net, metode="lokasi")
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
    g = nx.from_scipy_sparse_array(full.graph, create_using=nx.DiGraph)
    want = np.full(a.shape, np.inf)
    for i, node in enumerate(full.site_node):
        if node < 0:
            continue
        dist = nx.single_source_dijkstra_path_length(g, int(node))
        for j, nodes in enumerate(full.target_nodes):
            want[i, j] = min((dist[n] for n in nodes if n in dist), default=np.inf)
    assert np.isfinite(want).sum() > 100 and (~np.isfinite(want)).sum() > 0
    np.testing.assert_array_equal(np.isfinite(a), np.isfinite(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(a[fin], want[fin], rtol=0, atol=1e-9)
