"""Allocation of committable stock from sites to the at-risk kecamatan they reach.

Formulation (per item, a transportation problem on the reach pairs)
-------------------------------------------------------------------
Variables ``x_a ≥ 0``, one per reach pair ``a = (site s, kecamatan k)`` where the site has
committable stock of the item and the kecamatan a known, positive need. Constraints:
``Σ_{a from s} x_a ≤ komit_s`` (no site gives more than it has) and
``Σ_{a to k} x_a ≤ kebutuhan_k`` (no kecamatan gets more than it needs).

Two linear programmes, both solved by HiGHS' interior-point method with crossover
(``scipy.optimize.linprog(method="highs-ipm")``; on these degenerate transport problems it is
~10x faster than simplex) on sparse constraint matrices:

1. maximise ``F = Σ x_a`` (the maximum flow);
2. minimise ``Σ jarak_a · x_a`` subject to the same constraints and ``Σ x_a ≥ F`` (relaxed by
   a tiny ``ε`` only if HiGHS reports it infeasible through rounding).

This is the lexicographic min-cost max-flow: a single LP with cost ``jarak − M`` would need a
big ``M`` that hurts conditioning. Quantities are scaled to O(1) per item before solving
(HiGHS' tolerances are absolute). The result is scaled back; flows below 1e-7 of the scale
(solver dust) are dropped; where the tolerance overshot a bound by a hair the flows are scaled
down to it, so the bounds hold exactly; and a final greedy pass (nearest first) tops up the
arcs whose two ends both kept a hair of slack, so no shortfall is left beside unallocated
stock within reach. Unknown needs (NaN) receive nothing: they cannot be planned for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

KOLOM = ["lokasi_id", "kode", "barang", "jumlah", "jarak_m"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in KOLOM}).astype(
        {"lokasi_id": "str", "kode": "str", "barang": "str", "jumlah": float, "jarak_m": float}
    )


def _solve(
    cap_s: np.ndarray, cap_d: np.ndarray, i_s: np.ndarray, i_d: np.ndarray, cost: np.ndarray
) -> np.ndarray:
    """Lexicographic max-flow / min-cost solution of one item's problem (scaled units)."""
    n = len(i_s)
    cols = np.arange(n)
    a_ub = sparse.vstack(
        [
            sparse.csr_matrix((np.ones(n), (i_s, cols)), shape=(len(cap_s), n)),
            sparse.csr_matrix((np.ones(n), (i_d, cols)), shape=(len(cap_d), n)),
        ],
        format="csr",
    )
    b_ub = np.concatenate([cap_s, cap_d])
    first = linprog(-np.ones(n), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs-ipm")
    if first.status != 0:
        raise RuntimeError(f"alokasi: HiGHS gagal / failed (max flow): {first.message}")
    flow = -first.fun
    if flow <= 0 or not np.any(cost > 0):
        return first.x
    a2 = sparse.vstack([a_ub, sparse.csr_matrix(-np.ones((1, n)))], format="csr")
    for eps in (0.0, 1e-9, 1e-7):  # the max flow itself first; relax only if HiGHS balks
        second = linprog(
            cost / cost.max(),
            A_ub=a2,
            b_ub=np.append(b_ub, -(flow - eps)),
            bounds=(0, None),
            method="highs-ipm",
        )
        if second.status == 0:
            return second.x
    return first.x  # maximal though not cheapest: never fail the whole analysis for this


def _clamp(x: np.ndarray, idx: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Scale x down per group so that Σ x over each group stays within its cap."""
    total = np.bincount(idx, weights=x, minlength=len(cap))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(total > cap, cap / total, 1.0)
    return x * factor[idx]


def _top_up(
    x: np.ndarray,
    i_s: np.ndarray,
    i_d: np.ndarray,
    cap_s: np.ndarray,
    cap_d: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray:
    """Fill, nearest first, the arcs whose site and kecamatan both kept some slack.

    The solver's tolerances can leave a hair of stock and need on both ends of an arc; this
    greedy pass closes it, so that afterwards every arc has an exhausted site or a satisfied
    kecamatan. Each fill exhausts one end, so it runs at most ``len(cap_s) + len(cap_d)``
    times, over the (usually very few) arcs with slack on both ends.
    """
    rem_s = cap_s - np.bincount(i_s, weights=x, minlength=len(cap_s))
    rem_d = cap_d - np.bincount(i_d, weights=x, minlength=len(cap_d))
    open_ = np.flatnonzero((rem_s[i_s] > 0) & (rem_d[i_d] > 0))
    if len(open_) == 0:
        return x
    x = x.copy()
    for a in open_[np.argsort(cost[open_], kind="stable")]:
        s, d = i_s[a], i_d[a]
        q = min(rem_s[s], rem_d[d])
        if q > 0:
            x[a] += q
            rem_s[s] -= q
            rem_d[d] -= q
    return x


def allocate(supply: pd.DataFrame, demand: pd.DataFrame, arcs: pd.DataFrame) -> pd.DataFrame:
    """Allocate each item's committable stock to the kecamatan within reach.

    Parameters
    ----------
    supply
        ``lokasi_id``, ``barang``, ``komit`` (committable quantity, catalogue unit), one row
        per site and item; stock that must not move (flooded site, expired, damaged) has
        ``komit`` 0.
    demand
        ``kode``, ``barang``, ``kebutuhan`` (need in the same unit; NaN = unknown).
    arcs
        Reach pairs ``kode``, ``lokasi_id``, ``jarak_m`` (metres).

    Returns
    -------
    pandas.DataFrame
        ``lokasi_id``, ``kode``, ``barang``, ``jumlah`` (> 0), ``jarak_m``: for each item the
        allocation that first maximises the total allocated, then minimises Σ jumlah × jarak_m.
    """
    sup = supply.loc[supply["komit"].to_numpy(dtype=float) > 0, ["lokasi_id", "barang", "komit"]]
    need = demand["kebutuhan"].to_numpy(dtype=float)
    dem = demand.loc[np.nan_to_num(need, nan=0.0) > 0, ["kode", "barang", "kebutuhan"]]
    pairs = arcs[["kode", "lokasi_id", "jarak_m"]]
    results = []
    for item in sorted(set(sup["barang"]) & set(dem["barang"])):
        s = sup[sup["barang"] == item].groupby("lokasi_id", as_index=False)["komit"].sum()
        d = dem[dem["barang"] == item].groupby("kode", as_index=False)["kebutuhan"].sum()
        a = pairs.merge(s.reset_index(names="i_s"), on="lokasi_id").merge(
            d.reset_index(names="i_d"), on="kode"
        )
        if a.empty:
            continue
        cap_s = s["komit"].to_numpy(dtype=float)
        cap_d = d["kebutuhan"].to_numpy(dtype=float)
        scale = max(cap_s.max(), cap_d.max())
        i_s = a["i_s"].to_numpy()
        i_d = a["i_d"].to_numpy()
        x = _solve(cap_s / scale, cap_d / scale, i_s, i_d, a["jarak_m"].to_numpy(dtype=float))
        x = np.clip(x, 0.0, None) * scale
        x[x < 1e-7 * scale] = 0.0  # solver dust (HiGHS' feasibility tolerance is 1e-7)
        x = _clamp(_clamp(x, i_s, cap_s), i_d, cap_d)
        x = _top_up(x, i_s, i_d, cap_s, cap_d, a["jarak_m"].to_numpy(dtype=float))
        keep = x > 0
        results.append(
            pd.DataFrame(
                {
                    "lokasi_id": a["lokasi_id"].to_numpy()[keep],
                    "kode": a["kode"].to_numpy()[keep],
                    "barang": item,
                    "jumlah": x[keep],
                    "jarak_m": a["jarak_m"].to_numpy(dtype=float)[keep],
                }
            )
        )
    if not results:
        return _empty()
    out = pd.concat(results, ignore_index=True).astype(
        {"lokasi_id": "str", "kode": "str", "barang": "str"}
    )
    return out.sort_values(["barang", "kode", "jarak_m", "lokasi_id"], kind="stable").reset_index(
        drop=True
    )
