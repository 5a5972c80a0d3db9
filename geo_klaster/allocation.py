"""Allocation of committable stock from sites to the at-risk kecamatan they reach.

Formulation (per item, a transportation problem on the reach pairs)
-------------------------------------------------------------------
Variables ``x_a ≥ 0``, one per reach pair ``a = (site s, kecamatan k)`` where the site has
committable stock of the item and the kecamatan a known, positive need. Constraints:
``Σ_{a from s} x_a ≤ komit_s`` (no site gives more than it has) and
``Σ_{a to k} x_a ≤ kebutuhan_k`` (no kecamatan gets more than it needs). The wanted solution
is the lexicographic min-cost max-flow: first maximise ``Σ x_a``, then minimise
``Σ jarak_a · x_a`` among the maximal flows.

Decomposition. All items are one problem with one node per (item, site) and per (item,
kecamatan); it falls apart into the connected components of the bipartite graph of its arcs
(``scipy.sparse.csgraph.connected_components``), and both objectives are sums over
components, so each component can be solved on its own. Most components are trivial and
are solved exactly, without a solver:

* **one kecamatan** (every site of the component reaches only it): the maximum flow is
  ``min(kebutuhan, Σ komit)``, and filling it from the nearest site first is the cheapest way
  to reach it (exchange argument: if a nearer arc kept slack while a farther one carries
  flow, moving a unit from the farther to the nearer lowers the cost and keeps every bound);
* **one site** (it is the only one reaching these kecamatan): symmetrically,
  ``min(komit, Σ kebutuhan)``, nearest kecamatan first.

The other components are solved by HiGHS (``scipy.optimize.linprog``) on sparse matrices: those
of up to ``_BLOCK`` arcs stacked block-diagonally into one pair of programmes solved by dual
simplex, larger ones one by one by interior point with crossover (each is faster on its
kind; figures at ``_BLOCK``):

1. maximise ``Σ x_a``; since the blocks are independent, each component's flow ``F_c`` in the
   solution is that component's maximum;
2. minimise ``Σ jarak_a · x_a`` subject to the same constraints and ``Σ_{a ∈ c} x_a ≥ F_c``
   per component (relaxed by a tiny ``ε`` only if HiGHS reports it infeasible through
   rounding).

Quantities are scaled to O(1) per component before solving (HiGHS' tolerances are absolute),
distances by the largest one. The result is scaled back; flows below 1e-7 of the scale
(solver dust) are dropped; where the tolerance overshot a bound by a hair the flows are scaled
down to it, so the bounds hold exactly; and a final greedy pass (nearest first) tops up the
arcs whose two ends both kept a hair of slack, so no shortfall is left beside unallocated
stock within reach. Unknown needs (NaN) receive nothing: they cannot be planned for. A pair
given twice in ``arcs`` counts once, at its shorter distance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from geo_klaster.errors import InputError

KOLOM = ["lokasi_id", "kode", "barang", "jumlah", "jarak_m"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in [*KOLOM[:-1], "_biaya"]}).astype(
        {"lokasi_id": "str", "kode": "str", "barang": "str", "jumlah": float, "_biaya": float}
    )


def _solve(
    cap_s: np.ndarray,
    cap_d: np.ndarray,
    i_s: np.ndarray,
    i_d: np.ndarray,
    cost: np.ndarray,
    comp: np.ndarray,
    method: str = "highs-ipm",
) -> np.ndarray:
    """Lexicographic max-flow / min-cost solution of independent blocks (scaled units).

    ``comp`` labels each arc's block ``0..m-1``; the second programme keeps every block at
    its own maximum flow.
    """
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
    first = linprog(-np.ones(n), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method=method)
    if first.status != 0:
        raise RuntimeError(f"alokasi: HiGHS gagal / failed (max flow): {first.message}")
    x = np.clip(first.x, 0.0, None)
    if x.sum() <= 0 or not np.any(cost > 0):
        return x
    m = int(comp.max()) + 1
    flow = np.bincount(comp, weights=x, minlength=m)
    a2 = sparse.vstack(
        [a_ub, sparse.csr_matrix((-np.ones(n), (comp, cols)), shape=(m, n))], format="csr"
    )
    for eps in (0.0, 1e-9, 1e-7):  # the max flows themselves first; relax only if HiGHS balks
        second = linprog(
            cost / cost.max(),
            A_ub=a2,
            b_ub=np.concatenate([b_ub, -(flow - eps)]),
            bounds=(0, None),
            method=method,
        )
        if second.status == 0:
            return second.x
    return x  # maximal though not cheapest: never fail the whole analysis for this


def _greedy(cap_one: np.ndarray, cap_many: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Nearest-first filling of components with one node on one side.

    Arcs come sorted by (component, distance); ``group`` numbers the components 0.. in that
    order, ``cap_one[a]`` is the capacity of the component's single node (the same on all its
    arcs) and ``cap_many[a]`` that of the arc's other end. Returns the flow per arc.
    """
    cum = np.cumsum(cap_many)
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    before = (
        cum - cap_many - np.repeat(cum[first] - cap_many[first], np.diff(np.r_[first, len(group)]))
    )
    return np.clip(np.minimum(cap_one - before, cap_many), 0.0, None)


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


_BLOCK = 5_000  # arcs: larger components get their own interior-point solve


def _solve_scaled(
    h: np.ndarray,
    i_s: np.ndarray,
    i_d: np.ndarray,
    cap_s: np.ndarray,
    cap_d: np.ndarray,
    cost: np.ndarray,
    comp: np.ndarray,
    method: str,
) -> np.ndarray:
    """Flows on arcs ``h`` (whole components): scaled per component, solved, scaled back."""
    hs, s_idx = np.unique(i_s[h], return_inverse=True)
    hd, d_idx = np.unique(i_d[h], return_inverse=True)
    hc, c_idx = np.unique(comp[h], return_inverse=True)
    scale = np.zeros(len(hc))
    np.maximum.at(scale, c_idx, np.maximum(cap_s[i_s[h]], cap_d[i_d[h]]))
    sc_s = np.zeros(len(hs))
    sc_d = np.zeros(len(hd))
    sc_s[s_idx] = scale[c_idx]
    sc_d[d_idx] = scale[c_idx]
    xh = _solve(cap_s[hs] / sc_s, cap_d[hd] / sc_d, s_idx, d_idx, cost[h], c_idx, method)
    xh = np.clip(xh, 0.0, None) * scale[c_idx]
    xh[xh < 1e-7 * scale[c_idx]] = 0.0  # solver dust (HiGHS' feasibility tolerance is 1e-7)
    return xh


def _refuse_non_finite(
    frame: pd.DataFrame, column: str, keys: list[str], *, nan_ok: bool = False
) -> None:
    """An infinite (or, unless ``nan_ok``, missing) quantity cannot be planned: refuse the
    whole allocation, naming the rows, rather than let the solver drop a plan silently."""
    values = frame[column].to_numpy(dtype=float)
    bad = np.isinf(values) if nan_ok else ~np.isfinite(values)
    if bad.any():
        rows = frame.loc[bad, keys].astype(str).head(5).agg(" ".join, axis=1).tolist()
        raise InputError(
            f"alokasi: {column} tidak terhingga atau kosong / not finite pada {int(bad.sum())} "
            f"baris ({'; '.join(rows)}); periksa data stok dan kebutuhan"
        )


def allocate(
    supply: pd.DataFrame, demand: pd.DataFrame, arcs: pd.DataFrame, *, biaya: str = "jarak_m"
) -> pd.DataFrame:
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
        Reach pairs ``kode``, ``lokasi_id``, ``jarak_m`` (metres) and the cost column.
    biaya
        Cost of a unit on a pair: ``jarak_m`` (straight line, metres, default) or
        ``waktu_menit`` (travel time on roads, minutes).

    Returns
    -------
    pandas.DataFrame
        ``lokasi_id``, ``kode``, ``barang``, ``jumlah`` (> 0), ``jarak_m``: for each item the
        allocation that first maximises the total allocated, then minimises Σ jumlah × biaya;
        with ``biaya`` other than ``jarak_m`` that column too.
    """
    _refuse_non_finite(supply, "komit", ["lokasi_id", "barang"])
    _refuse_non_finite(demand, "kebutuhan", ["kode", "barang"], nan_ok=True)
    _refuse_non_finite(arcs, biaya, ["kode", "lokasi_id"])
    out = _allocate(supply, demand, arcs.assign(_biaya=arcs[biaya]))
    if biaya == "jarak_m":
        return out.rename(columns={"_biaya": "jarak_m"})
    pairs = arcs.astype({"kode": "str", "lokasi_id": "str"}).drop_duplicates(["kode", "lokasi_id"])
    jarak = pairs.set_index(["kode", "lokasi_id"])["jarak_m"]
    where = pd.MultiIndex.from_frame(out[["kode", "lokasi_id"]])
    out["jarak_m"] = jarak.reindex(where).to_numpy(dtype=float)
    out[biaya] = out.pop("_biaya")
    return out


def _allocate(supply: pd.DataFrame, demand: pd.DataFrame, arcs: pd.DataFrame) -> pd.DataFrame:
    """:func:`allocate` with the cost in column ``_biaya``."""
    sup = supply.loc[supply["komit"].to_numpy(dtype=float) > 0, ["lokasi_id", "barang", "komit"]]
    need = demand["kebutuhan"].to_numpy(dtype=float)
    dem = demand.loc[np.nan_to_num(need, nan=0.0) > 0, ["kode", "barang", "kebutuhan"]]
    if sup.empty or dem.empty or arcs.empty:
        return _empty()
    # nodes: one per (item, site) and (item, kecamatan); string keys compared as str
    s = (
        sup.astype({"lokasi_id": "str", "barang": "str"})
        .groupby(["barang", "lokasi_id"], as_index=False, sort=True)["komit"]
        .sum()
    )
    d = (
        dem.astype({"kode": "str", "barang": "str"})
        .groupby(["barang", "kode"], as_index=False, sort=True)["kebutuhan"]
        .sum()
    )
    s = s[s["barang"].isin(set(d["barang"]))].reset_index(drop=True)
    pairs = (
        arcs[["kode", "lokasi_id", "_biaya"]]
        .astype({"kode": "str", "lokasi_id": "str", "_biaya": float})
        .sort_values("_biaya", kind="stable")
        .drop_duplicates(["kode", "lokasi_id"])
    )
    a = pairs.merge(s[["barang", "lokasi_id"]].reset_index(names="i_s"), on="lokasi_id").merge(
        d[["barang", "kode"]].reset_index(names="i_d"), on=["barang", "kode"]
    )
    if a.empty:
        return _empty()
    i_s = a["i_s"].to_numpy()
    i_d = a["i_d"].to_numpy()
    cost = a["_biaya"].to_numpy(dtype=float)
    cap_s = s["komit"].to_numpy(dtype=float)
    cap_d = d["kebutuhan"].to_numpy(dtype=float)
    n_s = len(cap_s)

    # connected components of the bipartite graph (sites 0..n_s-1, kecamatan after them)
    graph = sparse.coo_matrix((np.ones(len(a)), (i_s, n_s + i_d)), shape=(n_s + len(cap_d),) * 2)
    _, label = connected_components(graph, directed=False)
    comp = label[i_s]
    n_comp = int(label.max()) + 1

    # Nearest first from each kecamatan's own view (then from each site's): where nobody
    # oversteps, this is the optimum of its component (see the module notes).
    x = np.zeros(len(a))
    done = np.zeros(n_comp, dtype=bool)
    kode_a, lok_a = a["kode"].to_numpy(), a["lokasi_id"].to_numpy()
    for node, other, cap_one, cap_other, tie in (
        (i_d, i_s, cap_d, cap_s, lok_a),
        (i_s, i_d, cap_s, cap_d, kode_a),
    ):
        todo = np.flatnonzero(~done[comp])
        if len(todo) == 0:
            break
        order = todo[np.lexsort((tie[todo], cost[todo], node[todo]))]
        xg = _greedy(cap_one[node[order]], cap_other[other[order]], node[order])
        used = np.bincount(other[order], weights=xg, minlength=len(cap_other))
        over = used > cap_other * (1 + 1e-12)
        bad = np.zeros(n_comp, dtype=bool)
        bad[label[np.flatnonzero(over) + (n_s if other is i_d else 0)]] = True
        ok = ~bad[comp[order]]
        x[order[ok]] = xg[ok]
        done[np.unique(comp[order[ok]])] = True

    # The rest: linear programmes, each component scaled to O(1). Components of up to
    # _BLOCK arcs go together into one block-diagonal programme solved by dual simplex
    # (measured on the national benchmark: 0.5 s against 1.4 s by interior point); larger ones
    # one by one by interior point (a random 300 × 3,000 component with 18 k arcs: 0.7 s
    # against 4.8 s by dual simplex).
    size = np.bincount(comp, minlength=n_comp)
    hard = ~done[comp]
    small = hard & (size[comp] <= _BLOCK)
    batches = [(np.flatnonzero(small), "highs-ds")]
    for c in np.unique(comp[hard & ~small]):
        batches.append((np.flatnonzero(comp == c), "highs-ipm"))
    for h, method in batches:
        if len(h):
            x[h] = _solve_scaled(h, i_s, i_d, cap_s, cap_d, cost, comp, method)
    x = _clamp(_clamp(x, i_s, cap_s), i_d, cap_d)
    x = _top_up(x, i_s, i_d, cap_s, cap_d, cost)
    keep = x > 0
    results = [
        pd.DataFrame(
            {
                "lokasi_id": a["lokasi_id"].to_numpy()[keep],
                "kode": a["kode"].to_numpy()[keep],
                "barang": a["barang"].to_numpy()[keep],
                "jumlah": x[keep],
                "_biaya": cost[keep],
            }
        )
    ]
    if not results:
        return _empty()
    out = pd.concat(results, ignore_index=True).astype(
        {"lokasi_id": "str", "kode": "str", "barang": "str"}
    )
    return out.sort_values(["barang", "kode", "_biaya", "lokasi_id"], kind="stable").reset_index(
        drop=True
    )
