"""Invariants every analysis result must satisfy, reusable on any data.

``assert_allocation_invariants(result)`` checks an :class:`~geo_klaster.analysis.AnalysisResult`
(the hand-built cases, the demo store, the real Bekasi boundaries):

* per site and item, allocated ≤ committable, and only usable stock moves;
* every allocation line is a reach pair at its reach distance;
* per kecamatan and item, allocated ≤ need and ≤ stock within reach;
* ``kekurangan = kebutuhan − teralokasi`` and ``teralokasi`` equals the allocation's sums;
* no shortfall remains where usable stock within reach lies unallocated;
* flooded areas agree with an independent overlay (shapely per kecamatan, no geopandas overlay).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

TOL = 1e-6


def _tol(scale: pd.Series | np.ndarray | float) -> np.ndarray:
    """Absolute tolerance: 1e-6, relative to quantities above 1."""
    return TOL * np.maximum(1.0, np.abs(np.asarray(scale, dtype=float)))


def assert_allocation_invariants(result, *, area_rtol: float = 1e-4) -> None:
    """Raise AssertionError unless ``result`` satisfies the analysis invariants."""
    alloc = pd.DataFrame(result.alokasi.drop(columns="geometry"))
    stok = result.stok
    gap = result.gap
    reach = result.jangkauan

    assert (alloc["jumlah"] > 0).all(), "allocation lines must carry a positive quantity"
    assert not stok.duplicated(["lokasi_id", "barang"]).any(), "stok: one current line per key"

    # Per site and item: allocated <= committable; nothing unusable moves.
    komit = stok.set_index(["lokasi_id", "barang"])["komit"]
    given = alloc.groupby(["lokasi_id", "barang"])["jumlah"].sum()
    cap = komit.reindex(given.index).fillna(0.0)
    over = given > cap + _tol(cap)
    assert not over.any(), f"site gives more than committable:\n{given[over]}"
    usable = stok[stok["komit"] > 0]
    assert (usable["alasan"] == "").all() and (usable["status_stok"] != "tidak_tersedia").all()

    # Allocation only along reach pairs, at their distance.
    pairs = alloc.merge(reach, on=["kode", "lokasi_id"], how="left", suffixes=("", "_reach"))
    assert pairs["jarak_m_reach"].notna().all(), "allocation outside reach"
    np.testing.assert_allclose(pairs["jarak_m"], pairs["jarak_m_reach"], atol=1e-6)

    # Per kecamatan and item: allocated <= need and <= within reach; gap arithmetic.
    sums = alloc.groupby(["kode", "barang"])["jumlah"].sum()
    g = gap.join(sums.rename("_alloc"), on=["kode", "barang"])
    np.testing.assert_allclose(g["teralokasi"], g["_alloc"].fillna(0.0), rtol=1e-9, atol=1e-9)
    need = g["kebutuhan"].fillna(0.0)
    assert (g["teralokasi"] <= need + _tol(need)).all(), "kecamatan gets more than its need"
    assert (g["teralokasi"] <= g["terjangkau"] + _tol(g["terjangkau"])).all()
    known = g["kebutuhan"].notna()
    np.testing.assert_allclose(
        g.loc[known, "kekurangan"], g.loc[known, "kebutuhan"] - g.loc[known, "teralokasi"]
    )
    assert g.loc[~known, "kekurangan"].isna().all(), "unknown need must give unknown shortfall"
    assert (g.loc[~known, "teralokasi"] == 0).all(), "unknown need cannot be allocated to"

    # No shortfall beside unallocated usable stock within reach.
    remaining = (komit - given.reindex(komit.index).fillna(0.0)).rename("sisa").reset_index()
    short = g.loc[known & (g["kekurangan"] > _tol(g["kebutuhan"])), ["kode", "barang"]]
    beside = short.merge(reach[["kode", "lokasi_id"]], on="kode").merge(
        remaining, on=["lokasi_id", "barang"]
    )
    left = beside[beside["sisa"] > _tol(komit.max() if len(komit) else 1.0)]
    assert left.empty, f"shortfall while stock within reach is unallocated:\n{left}"

    assert_flooded_areas_independent(result, rtol=area_rtol)


def assert_flooded_areas_independent(result, *, rtol: float = 1e-4) -> None:
    """Flooded areas equal an independent shapely overlay per kecamatan (metric CRS).

    Total flooded area is ``area(kecamatan ∩ union(all zones))``; ``tinggi`` area is
    ``area(kecamatan ∩ union(tinggi zones))`` (the highest class keeps all its area); the
    class areas sum to the total.
    """
    crs = result.crs_metrik
    kec = result.kecamatan.to_crs(crs)
    zona = result.zona.to_crs(crs)
    zgeoms = shapely.make_valid(zona.geometry.to_numpy())
    flood = shapely.union_all(zgeoms)
    tinggi = shapely.union_all(zgeoms[(zona["kelas"] == "tinggi").to_numpy()])
    for row, geom in zip(kec.itertuples(index=False), kec.geometry, strict=True):
        geom = shapely.make_valid(geom)
        expected = shapely.intersection(geom, flood).area
        tol = rtol * expected + 1.0  # 1 m² absolute floor for slivers
        assert abs(row.luas_banjir_m2 - expected) <= tol, (row.kode, row.luas_banjir_m2, expected)
        expected_t = shapely.intersection(geom, tinggi).area
        assert abs(row.luas_tinggi_m2 - expected_t) <= rtol * expected_t + 1.0, row.kode
        classes = row.luas_rendah_m2 + row.luas_sedang_m2 + row.luas_tinggi_m2
        assert abs(classes - row.luas_banjir_m2) <= rtol * expected + 1.0, row.kode
        assert abs(row.luas_m2 - geom.area) <= rtol * geom.area, row.kode
