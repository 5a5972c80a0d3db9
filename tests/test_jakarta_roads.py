"""Reach by road on DKI Jakarta's real OSM roads (2012) with the February 2007 flood.

The store is built as a user would (see ``test_jakarta.py``: boundaries with stand-in codes,
synthetic population, the flood as ``kelas=tinggi``, 36 synthetic sites), plus
``import jalan roads_osm_2012.geojson --map TYPE=kelas --map ONEWAY=oneway``. What must hold:
every one of the 18,574 lines is imported; after noding at shared vertices the largest
connected piece holds at least 97 % of the length (SOURCES.md: 97.6 %); the cut is reported
(km of road cut, equal to the road length inside the flood computed independently, and the
kelurahan nobody reaches); and every travel time equals networkx's Dijkstra on the same graph
within 1e-6 min.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from test_jakarta import UTM48S, prepared_boundaries, run, synthetic_members

from geo_klaster.analysis.exposure import flood_parts
from geo_klaster.analysis.pipeline import AnalysisResult, run_analysis
from geo_klaster.analysis.roads import build_network, pieces_length_km
from geo_klaster.store import GpkgStore

pytestmark = pytest.mark.shared
TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def jakarta(shared_data: Path) -> Path:
    return shared_data / "jakarta"


@pytest.fixture(scope="module")
def store(jakarta: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jakarta_jalan")
    store = out / "klaster.gpkg"
    kec_path, kel_path = prepared_boundaries(jakarta, out)
    assert run(store, "init") == 0
    assert run(store, "import", "kecamatan", kec_path, "--map", "KEC_NAME=nama") == 0
    assert run(store, "import", "desa", kel_path, "--map", "KEL_NAME2=nama_desa") == 0
    assert run(store, "import", "zona_banjir", jakarta / "flood_rw_2007.geojson",
               "--skenario", "banjir_2007", "--nilai", "kelas=tinggi") == 0  # fmt: skip
    assert run(store, "import", "jalan", jakarta / "roads_osm_2012.geojson",
               "--map", "TYPE=kelas", "--map", "ONEWAY=oneway", "--map", "NAME=nama") == 0  # fmt: skip
    for name, path in synthetic_members(kec_path, out).items():
        assert run(store, "import", name, path) == 0
    return store


@pytest.fixture(scope="module")
def result(store: Path) -> AnalysisResult:
    layers = GpkgStore(store).read_all()
    return run_analysis(layers, today=TODAY, jangkauan="jalan", menit=60)


def test_all_lines_imported_and_noded(store: Path) -> None:
    jalan = GpkgStore(store).read("jalan")
    assert len(jalan) == 18_574
    empty = gpd.GeoDataFrame(geometry=[], crs=UTM48S)
    net = build_network(
        jalan.to_crs(UTM48S), empty.assign(kelas=[]), empty.assign(kode=[]),
        empty.assign(lokasi_id=[]),
    )  # fmt: skip
    km = pieces_length_km(net)["km"]
    share = km.iloc[0] / km.sum()
    print(f"\nroad network: {km.sum():,.1f} km in {len(km)} pieces, largest {share:.1%}")
    assert km.sum() == pytest.approx(5692, rel=0.005)  # SOURCES.md: 5,692 km
    assert share >= 0.97


def test_cut_reported_and_equal_to_roads_inside_the_flood(
    store: Path, jakarta: Path, result: AnalysisResult
) -> None:
    ring = result.ringkasan_jalan()
    assert ring is not None
    # independently: the length of road inside the union of the flooded RW (all tinggi, cut)
    roads = GpkgStore(store).read("jalan").to_crs(UTM48S)
    zona = gpd.read_file(jakarta / "flood_rw_2007.geojson").assign(kelas="tinggi")
    flood = shapely.union_all(flood_parts(zona, crs=UTM48S).geometry.to_numpy())
    inside_km = shapely.length(shapely.intersection(roads.geometry.to_numpy(), flood)).sum() / 1e3
    n_desa = len(result.jalan[0].target_kode) - int(result.kecamatan["berisiko"].sum())
    print(f"\n{ring['km_putus']:,.1f} km cut (independent: {inside_km:,.1f} km); "
          f"kecamatan without access: {len(ring['kecamatan_tanpa_akses'])}, "
          f"kelurahan without access: {len(ring['desa_tanpa_akses'])} of {n_desa}")  # fmt: skip
    assert ring["km_putus"] == pytest.approx(inside_km, rel=1e-3)
    assert ring["km_lambat"] == 0  # a wet/dry layer: everything tinggi, nothing slowed
    assert ring["desa_tanpa_akses"], "the 2007 flood leaves kelurahan without road access"
    # a kelurahan without access is cut off from every site
    j = result.jalan[0]
    net = j.network
    for kode in ring["desa_tanpa_akses"]:
        i = int(np.flatnonzero(j.target_kode == kode)[0])
        assert (
            len(net.target_nodes[i]) == 0
            or not np.isfinite(_times_networkx(net, [i])[net.site_node >= 0]).any()
        )


def _times_networkx(net, targets: list[int]) -> np.ndarray:
    """Minutes from every site to each target, by networkx, on ``net``'s graph."""
    g = nx.from_scipy_sparse_array(net.graph, create_using=nx.DiGraph)
    out = np.full((len(net.site_node), len(targets)), np.inf)
    for s, node in enumerate(net.site_node):
        if node < 0:
            continue
        dist = nx.single_source_dijkstra_path_length(g, int(node))
        for k, t in enumerate(targets):
            out[s, k] = min((dist[n] for n in net.target_nodes[t] if n in dist), default=np.inf)
    return out + np.nan_to_num(net.site_walk_min, nan=np.inf)[:, None]


def test_travel_times_equal_networkx(store: Path, result: AnalysisResult) -> None:
    """networkx on the whole graph (every vertex a node, no contraction), built from the same
    layers as the analysis built its own."""
    j = result.jalan[0]
    n_kec = int(result.kecamatan["berisiko"].sum())
    layers = GpkgStore(store).read_all()
    zona = layers["zona_banjir"]
    kec = layers["kecamatan"].to_crs(UTM48S)
    risk = (
        kec[kec["kode"].isin(set(j.target_kode[:n_kec]))]
        .set_index("kode")
        .loc[j.target_kode[:n_kec]]
        .reset_index()
    )
    sites = layers["lokasi"].to_crs(UTM48S).rename(columns={"id": "lokasi_id"})
    full = build_network(
        layers["jalan"].to_crs(UTM48S),
        flood_parts(zona, crs=UTM48S),
        risk[["kode", "geometry"]],
        sites[["lokasi_id", "geometry"]],
        contract=False,
    )
    assert full.graph.nnz > j.network.graph.nnz
    expected = _times_networkx(full, list(range(n_kec)))
    pairs = result.jangkauan
    site_pos = {s: i for i, s in enumerate(result.lokasi["lokasi_id"])}
    target_pos = {k: i for i, k in enumerate(j.target_kode[:n_kec])}
    listed = pairs[~pairs["terputus"]]
    want = expected[
        listed["lokasi_id"].map(site_pos).to_numpy(), listed["kode"].map(target_pos).to_numpy()
    ]
    assert len(listed) > 100
    np.testing.assert_allclose(listed["waktu_menit"].to_numpy(), want, rtol=0, atol=1e-6)
    # and every pair within 60 minutes by networkx is listed, none beyond
    assert int((expected <= 60).sum()) == len(listed)
    print(f"\n{len(listed)} pairs within 60 min equal networkx; "
          f"{int(pairs['terputus'].sum())} pairs within {result.config.jarak_km:g} km cut off: "
          f"{pairs.loc[pairs['terputus'], 'alasan'].value_counts().to_dict()}")  # fmt: skip
    assert set(pairs.loc[pairs["terputus"], "alasan"]) <= {
        "jalan tergenang", "rute terputus banjir", "tidak terhubung jaringan jalan",
        "tidak ada jalan di wilayah", "jauh dari jalan",
    }  # fmt: skip
    # gaps and allocation use only the pairs within reach
    used = result.alokasi[["kode", "lokasi_id"]].drop_duplicates()
    ok = set(zip(listed["kode"], listed["lokasi_id"], strict=True))
    assert set(zip(used["kode"], used["lokasi_id"], strict=True)) <= ok
    assert (result.alokasi["waktu_menit"] <= 60).all()
