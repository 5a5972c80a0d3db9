"""Reach distances against PostGIS ``ST_Distance`` in the same metric CRS (EPSG:32748).

The real Kabupaten Bekasi kecamatan (``../shared/data/bekasi/kecamatan.geojson``) and 200
deterministic sites — inside the regency and 0–20 km outside it — go to a real PostGIS
server (started by scripts/test.sh) as WGS84 geometries; PostGIS transforms them to
UTM 48S itself. ``geo_klaster.analysis.reach.reach`` must find the same (kecamatan, site) pairs within
15 km (pairs within 1 m of the limit may differ) with distances equal within 1 m.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_klaster.analysis.reach import reach
from geo_klaster.crs import metric_crs

pytestmark = [pytest.mark.postgis, pytest.mark.shared]

JARAK_M = 15_000.0
TOL_M = 1.0


def _sites(kec_m: gpd.GeoDataFrame, n: int = 200, seed: int = 32_16) -> gpd.GeoDataFrame:
    """n sites (metric CRS): about 40 % inside the regency, the rest 0–20 km outside it."""
    rng = np.random.default_rng(seed)
    regency = shapely.union_all(kec_m.geometry.to_numpy())
    ring = shapely.difference(shapely.buffer(regency, 20_000), regency)
    shapely.prepare(regency)
    shapely.prepare(ring)
    x0, y0, x1, y1 = ring.bounds
    inside: list[shapely.Point] = []
    outside: list[shapely.Point] = []
    n_in = int(n * 0.4)
    while len(inside) < n_in or len(outside) < n - n_in:
        pts = shapely.points(rng.uniform(x0, x1, 500), rng.uniform(y0, y1, 500))
        inside += list(pts[shapely.contains(regency, pts)])
        outside += list(pts[shapely.contains(ring, pts)])
    geoms = inside[:n_in] + outside[: n - n_in]
    ids = [f"L{i:03d}" for i in range(n)]
    return gpd.GeoDataFrame({"lokasi_id": ids}, geometry=geoms, crs=kec_m.crs)


def _load(conn, table: str, key: str, ids, geoms_wgs84) -> None:
    conn.execute(f"CREATE TEMP TABLE {table} ({key} text PRIMARY KEY, geom geometry)")
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} VALUES (%s, ST_GeomFromWKB(%s, 4326))",
            [(str(i), shapely.to_wkb(g)) for i, g in zip(ids, geoms_wgs84, strict=True)],
        )


def _postgis_reach(conn, srid: int) -> pd.DataFrame:
    rows = conn.execute(
        f"""
        SELECT k.kode, s.lokasi_id,
               ST_Distance(ST_Transform(k.geom, {srid}), ST_Transform(s.geom, {srid}))
        FROM kec k JOIN lokasi s
          ON ST_DWithin(ST_Transform(k.geom, {srid}), ST_Transform(s.geom, {srid}), %s)
        """,
        (JARAK_M,),
    ).fetchall()
    return pd.DataFrame(rows, columns=["kode", "lokasi_id", "jarak_m"])


def test_reach_matches_postgis_on_real_bekasi(shared_data: Path, pg_conn) -> None:
    kec = gpd.read_file(shared_data / "bekasi" / "kecamatan.geojson")[["kode", "geometry"]]
    assert len(kec) == 23 and kec.crs.to_epsg() == 4326
    crs = metric_crs(kec)
    assert crs.to_epsg() == 32748  # what the project picks for Bekasi
    kec_m = kec.to_crs(crs)
    sites_m = _sites(kec_m)
    sites_wgs84 = sites_m.to_crs(4326)
    # Python works from the same WGS84 coordinates PostGIS gets
    sites_m = sites_wgs84.to_crs(crs)

    ours = reach(kec_m, sites_m, jarak_m=JARAK_M)

    _load(pg_conn, "kec", "kode", kec["kode"], kec.geometry.to_numpy())
    _load(pg_conn, "lokasi", "lokasi_id", sites_wgs84["lokasi_id"], sites_wgs84.geometry.to_numpy())
    theirs = _postgis_reach(pg_conn, 32748)

    # a meaningful sample: hundreds of pairs, sites inside and sites beyond every kecamatan
    assert len(theirs) > 500
    assert (theirs["jarak_m"] == 0).sum() >= 60
    assert len(set(sites_m["lokasi_id"]) - set(theirs["lokasi_id"])) > 5

    both = ours.merge(theirs, on=["kode", "lokasi_id"], how="outer", suffixes=("", "_pg"))
    only = both[both["jarak_m"].isna() | both["jarak_m_pg"].isna()]
    near_limit = only[["jarak_m", "jarak_m_pg"]].max(axis=1).between(JARAK_M - TOL_M, JARAK_M)
    assert near_limit.all(), only[~near_limit]
    common = both.dropna(subset=["jarak_m", "jarak_m_pg"])
    diff = (common["jarak_m"] - common["jarak_m_pg"]).abs()
    assert diff.max() <= TOL_M, common[diff > TOL_M]
    assert len(common) >= len(both) - 2

    # inside (or on the boundary) means 0 in both
    inside = shapely.intersects(
        kec_m.set_index("kode").geometry.reindex(common["kode"]).to_numpy(),
        sites_m.set_index("lokasi_id").geometry.reindex(common["lokasi_id"]).to_numpy(),
    )
    assert inside.sum() >= 60
    assert (common.loc[inside, "jarak_m"] == 0).all()
    assert (common.loc[inside, "jarak_m_pg"] == 0).all()

    # the sums over our pairs (as the gap table makes them) agree with PostGIS's pairs summed
    stok = pd.DataFrame(
        {"lokasi_id": sites_m["lokasi_id"], "barang": "beras", "komit": np.arange(len(sites_m))}
    )
    got = ours.merge(stok, on="lokasi_id").groupby("kode")["komit"].sum()
    pg_sum = theirs.merge(stok, on="lokasi_id").groupby("kode")["komit"].sum()
    pg_sum = pg_sum[pg_sum != 0].astype(float)
    border = only.groupby("kode")["lokasi_id"].apply(set)  # pairs at the limit may differ
    for kode, value in pg_sum.items():
        slack = sum(int(s[1:]) for s in border.get(kode, set()))
        assert abs(got.get(kode, 0.0) - value) <= slack, kode


def test_hand_case_3_km_east_of_a_10_km_square(pg_conn) -> None:
    x0, y0 = 720_000.0, 9_300_000.0
    square = shapely.box(x0, y0, x0 + 10_000, y0 + 10_000)
    east = shapely.Point(x0 + 13_000, y0 + 5_000)
    kec_w = gpd.GeoDataFrame({"kode": ["K"]}, geometry=[square], crs=32748).to_crs(4326)
    site_w = gpd.GeoDataFrame({"lokasi_id": ["T"]}, geometry=[east], crs=32748).to_crs(4326)

    ours = reach(kec_w.to_crs(32748), site_w.to_crs(32748), jarak_m=JARAK_M)
    assert ours["jarak_m"].tolist() == [pytest.approx(3000, abs=1)]

    _load(pg_conn, "kec", "kode", kec_w["kode"], kec_w.geometry.to_numpy())
    _load(pg_conn, "lokasi", "lokasi_id", site_w["lokasi_id"], site_w.geometry.to_numpy())
    theirs = _postgis_reach(pg_conn, 32748)
    assert theirs["jarak_m"].tolist() == [pytest.approx(3000, abs=1)]
    assert abs(theirs["jarak_m"].iloc[0] - ours["jarak_m"].iloc[0]) < 1e-3
