"""Invariants every analysis result must satisfy, reusable on any data.

``assert_allocation_invariants(result)`` checks an :class:`~geo_klaster.analysis.pipeline.AnalysisResult`
(the hand-built cases, the demo store, the real Bekasi boundaries):

* per site and item, allocated ≤ committable, and only usable stock moves;
* every allocation line is a reach pair at its reach distance;
* per kecamatan and item, allocated ≤ need and ≤ stock within reach;
* ``kekurangan = kebutuhan − teralokasi`` and ``teralokasi`` equals the allocation's sums;
* no shortfall remains where usable stock within reach lies unallocated;
* whole numbers for ``bulat`` items, no line below 1e-6 of a unit, no ``-0``;
* the shares are leximin: recomputed here by progressive filling with a separate LP
  (:func:`leximin_shares`, scipy's HiGHS), they match per kecamatan within 1e-5 of the need
  (divisible items) or one unit (``bulat`` items);
* flooded areas agree with an independent overlay (shapely per kecamatan, no geopandas overlay).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.optimize import linprog

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
    risk = g["berisiko"].astype(bool)
    assert (
        g.loc[risk, "teralokasi"] <= g.loc[risk, "terjangkau"] + _tol(g.loc[risk, "terjangkau"])
    ).all()
    assert g.loc[~risk, "terjangkau"].isna().all() and (g.loc[~risk, "teralokasi"] == 0).all()
    assert (g.loc[~risk, "alasan"].str.startswith("di bawah ambang")).all()
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

    # Whole units, no dust, no -0.
    whole = alloc["barang"].isin(bulat_of(result))
    q = alloc["jumlah"].to_numpy(dtype=float)
    assert (q >= 1e-6).all(), "allocation line below 1e-6 of a unit"
    assert (q[whole.to_numpy()] == np.round(q[whole.to_numpy()])).all(), "fraction of a bulat item"
    for col in ("kebutuhan", "teralokasi", "kekurangan"):
        v = gap[col].to_numpy(dtype=float)
        assert not np.any((v == 0) & np.signbit(v)), f"-0 in {col}"
    wneed = gap.loc[gap["barang"].isin(bulat_of(result)), "kebutuhan"].dropna()
    assert (wneed == np.round(wneed)).all(), "need of a bulat item not whole"
    # Shortfall and reason: a reason wherever less is allocated than lies within reach.
    wide = risk & (g["terjangkau"] - g["teralokasi"] > 1e-6)
    assert (g.loc[wide, "alasan"] != "").all(), "teralokasi < terjangkau without a reason"
    assert (g.loc[risk & ~wide, "alasan"] == "").all()

    assert_fair_shares(result)
    assert_flooded_areas_independent(result, rtol=area_rtol)


def bulat_of(result) -> set[str]:
    """Whole-unit items of a result: those whose every need and allocation is whole
    (taken from the catalogue the analysis used: ``result.bulat``)."""
    return set(result.bulat)


def leximin_shares(
    cap: dict[str, float], need: dict[str, float], pairs: list[tuple[str, str]]
) -> dict[str, float]:
    """Leximin coverage shares by progressive filling, written independently of the product.

    ``cap`` per site, ``need`` per kecamatan, ``pairs`` (kecamatan, site) within reach. Each
    round maximises the common share ``t`` of the open kecamatan (HiGHS); then each open
    kecamatan is tested by its own LP (maximise its total while every open one keeps ``t``
    and every fixed one its level): those that cannot pass ``t`` are fixed at ``t``.
    A kecamatan with no stock in reach has share 0 and takes no part.
    """
    pairs = [(k, s) for k, s in dict.fromkeys(pairs) if cap.get(s, 0) > 0 and need.get(k, 0) > 0]
    kec = sorted({k for k, _ in pairs})
    sites = sorted({s for _, s in pairs})
    out = {k: 0.0 for k in need}
    if not pairs:
        return out
    scale = max(max(cap[s] for s in sites), max(need[k] for k in kec))
    n = len(pairs)
    ki = {k: i for i, k in enumerate(kec)}
    si = {s: i for i, s in enumerate(sites)}
    rows_k = np.array([ki[k] for k, _ in pairs])
    rows_s = np.array([si[s] for _, s in pairs])
    m_k = sparse.csr_matrix((np.ones(n), (rows_k, np.arange(n))), shape=(len(kec), n)).toarray()
    m_s = sparse.csr_matrix((np.ones(n), (rows_s, np.arange(n))), shape=(len(sites), n)).toarray()
    nd = np.array([need[k] for k in kec]) / scale
    cs = np.array([cap[s] for s in sites]) / scale
    level = np.full(len(kec), np.nan)  # fixed share per kecamatan

    def rows(t: float | None, open_: np.ndarray):
        # x columns, then t (when t is None: t is a variable)
        a, b = [], []
        for i in range(len(sites)):
            a.append(np.r_[m_s[i], 0.0]); b.append(cs[i])  # fmt: skip
        for i in range(len(kec)):
            a.append(np.r_[m_k[i], 0.0]); b.append(nd[i])  # fmt: skip
            if open_[i]:
                if t is None:
                    a.append(np.r_[-m_k[i], nd[i]]); b.append(0.0)  # fmt: skip
                else:
                    a.append(np.r_[-m_k[i], 0.0]); b.append(-t * nd[i] * (1 - 1e-9))  # fmt: skip
            else:
                a.append(np.r_[-m_k[i], 0.0]); b.append(-level[i] * nd[i] * (1 - 1e-9))  # fmt: skip
        return np.array(a), np.array(b)

    for _ in range(len(kec) + 1):
        open_ = np.isnan(level)
        if not open_.any():
            break
        a, b = rows(None, open_)
        res = linprog(np.r_[np.zeros(n), -1.0], A_ub=a, b_ub=b,
                      bounds=[(0, None)] * n + [(0, 1)], method="highs")  # fmt: skip
        assert res.status == 0, res.message
        t = float(res.x[-1])
        if t >= 1 - 1e-9:
            level[open_] = 1.0
            break
        a, b = rows(t, open_)
        for i in np.flatnonzero(open_):
            c = np.r_[-m_k[i], 0.0]
            best = linprog(c, A_ub=a, b_ub=b, bounds=[(0, None)] * n + [(0, 0)], method="highs")
            assert best.status == 0, best.message
            if -best.fun <= t * nd[i] + 1e-7:
                level[i] = t
    out.update({k: float(level[i]) for k, i in ki.items()})
    return out


def assert_fair_shares(result) -> None:
    """Allocated totals per kecamatan match :func:`leximin_shares` × need: within 1e-5 of the
    need for divisible items, one unit for ``bulat`` items."""
    whole = bulat_of(result)
    alloc = pd.DataFrame(result.alokasi.drop(columns="geometry"))
    need_all = result.kebutuhan[result.kebutuhan["berisiko"]]
    for item, need in need_all.groupby("barang"):
        need = need[need["kebutuhan"] > 0]
        stock = result.stok[(result.stok["barang"] == item) & (result.stok["komit"] > 0)]
        cap = dict(zip(stock["lokasi_id"], stock["komit"].astype(float), strict=True))
        if item in whole:
            cap = {s: float(np.floor(q + 1e-9)) for s, q in cap.items()}
        needs = dict(zip(need["kode"], need["kebutuhan"].astype(float), strict=True))
        pairs = list(zip(result.jangkauan["kode"], result.jangkauan["lokasi_id"], strict=True))
        shares = leximin_shares(cap, needs, pairs)
        got = alloc[alloc["barang"] == item].groupby("kode")["jumlah"].sum()
        for kode, q in needs.items():
            fair = shares[kode] * q
            mine = float(got.get(kode, 0.0))
            tol = 1.0 + 1e-6 if item in whole else 1e-5 * q
            assert abs(mine - fair) <= tol, (item, kode, mine, fair, shares[kode])


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
