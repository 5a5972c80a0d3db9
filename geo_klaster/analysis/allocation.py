"""Allocation of committable stock from sites to the at-risk kecamatan they reach.

The rule (per item)
-------------------
Variables ``x_a ≥ 0``, one per reach pair ``a = (site s, kecamatan k)`` where the site has
committable stock of the item and the kecamatan a known, positive need;
``Σ_{a from s} x_a ≤ komit_s`` and ``y_k = Σ_{a to k} x_a ≤ kebutuhan_k``.

1. **Fair shares (leximin).** The coverage shares ``y_k / kebutuhan_k`` are max-min fair: no
   share can rise without lowering one that is equal or lower. Computed by progressive
   filling: maximise the common minimum share ``t`` of the kecamatan not yet fixed (a linear
   programme), fix at ``t`` those that cannot rise above it (no augmenting path in the
   residual network of the solution: from the kecamatan to a site with stock left, or to a
   kecamatan above its own floor, through sites whose flow could be passed on), repeat until
   every kecamatan is fixed. Leximin is Pareto-efficient, so the total is the maximum flow:
   no usable stock lies idle within reach of a kecamatan that is short. A kecamatan with
   nothing in reach has no arc, takes no part and lowers nobody's share.
2. **Shortest moves.** With each kecamatan's total fixed at its fair amount, minimise
   ``Σ biaya_a · x_a`` (distance in metres by default, or travel time).
3. **Whole units.** For ``bulat`` items (needs rounded up, stock whole) the fair fractional
   solution is rounded *consistently*: every arc flow, kecamatan total and site total goes to
   its floor or ceiling, the item's total stays the maximum flow, at least cost — a min-cost
   circulation with those bounds, whose network matrix makes the simplex vertex integral. Each
   kecamatan ends within one unit of its fair share; no whole unit idles beside a kecamatan
   short by a whole unit.

Decomposition. All items are one problem with one node per (item, site) and per (item,
kecamatan); it falls apart into the connected components of the bipartite graph of its arcs
(``scipy.sparse.csgraph.connected_components``) and every step above works per component.
Trivial components are solved exactly without a solver:

* **each kecamatan on its own** (nearest first from each kecamatan's view, and no site asked
  for more than it holds — always so for a component of one kecamatan): every kecamatan gets
  its own maximum, ``min(kebutuhan, Σ komit)``, which is leximin, at least cost;
* **one site** serving several kecamatan: water-filling, every share
  ``min(1, komit / Σ kebutuhan)``; whole units: the floors, then one more unit each to the
  nearest kecamatan until the stock is used.

The rest go to HiGHS (``scipy.optimize.linprog``'s model and options, see :func:`_linprog`) on
sparse matrices, all components of a step stacked block-diagonally into one programme (each
component has its own ``t``; the objective ``Σ t_c`` is separable, so each ``t_c`` is its
component's own maximum), by dual simplex; components over ``_BLOCK`` arcs one by one by
interior point. A component whose stock can meet every need in full (one integer maximum flow,
``scipy.sparse.csgraph.maximum_flow``, stock rounded down and needs up) has the fair share 1
without a fair-share programme (most do nationally). Quantities are scaled to O(1) per
component for the fair-share and cost steps (HiGHS' tolerances are absolute); flows below
1e-6 of a unit are dropped, bounds made exact, and no ``-0`` leaves this module. A pair given
twice in ``arcs`` counts once, at its lower cost.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

from geo_klaster.analysis.stock import _sorted_codes
from geo_klaster.errors import InputError

try:  # HiGHS' own binding as scipy ≥ 1.15 bundles it (see _linprog)
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - older scipy: through linprog
    _highs = None

KOLOM = ["lokasi_id", "kode", "barang", "jumlah", "jarak_m"]

DEBU = 1e-6  # units: no allocation line below this is written (solver dust)
_TOL = 1e-7  # scaled units (component maximum = 1): HiGHS' feasibility tolerance
_BLOCK = 5_000  # arcs: larger components get their own interior-point solve
_MAX_ROUNDS = 10_000


def _empty(biaya: str) -> pd.DataFrame:
    cols = KOLOM + ([biaya] if biaya not in KOLOM else [])
    types = {c: float for c in cols} | {"lokasi_id": "str", "kode": "str", "barang": "str"}
    return pd.DataFrame({c: [] for c in cols}).astype(types)


class _Net:
    """Arcs of a set of whole components, renumbered 0.. locally (sites, kecamatan, blocks)."""

    def __init__(self, h, i_s, i_d, comp, cap_s, cap_d, cost, scale: bool) -> None:
        self.h = h
        self.hs, self.s = np.unique(i_s[h], return_inverse=True)
        self.hd, self.d = np.unique(i_d[h], return_inverse=True)
        self.hc, self.c = np.unique(comp[h], return_inverse=True)
        self.n = len(h)
        sc = np.ones(len(self.hc))
        if scale:
            sc = np.zeros(len(self.hc))
            np.maximum.at(sc, self.c, np.maximum(cap_s[i_s[h]], cap_d[i_d[h]]))
        self.scale = sc
        self.comp_s = np.zeros(len(self.hs), dtype=int)
        self.comp_d = np.zeros(len(self.hd), dtype=int)
        self.comp_s[self.s] = self.c
        self.comp_d[self.d] = self.c
        self.cap_s = cap_s[self.hs] / sc[self.comp_s]
        self.cap_d = cap_d[self.hd] / sc[self.comp_d]
        self.raw_s, self.raw_d = cap_s[self.hs], cap_d[self.hd]  # unscaled
        self.cost = cost[h]
        cols = np.arange(self.n)
        self.m_s = sparse.csr_matrix(
            (np.ones(self.n), (self.s, cols)), shape=(len(self.hs), self.n)
        )
        self.m_d = sparse.csr_matrix(
            (np.ones(self.n), (self.d, cols)), shape=(len(self.hd), self.n)
        )

    def y(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.d, weights=x, minlength=len(self.hd))

    def u(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.s, weights=x, minlength=len(self.hs))


@dataclass
class _Hasil:
    """What this module reads of a linear programme's solution (as ``linprog`` gives it)."""

    status: int
    message: str
    x: np.ndarray | None


def _linprog(c, *, a_ub=None, b_ub=None, a_eq=None, b_eq=None, bounds, method: str) -> _Hasil:
    """``scipy.optimize.linprog(c, A_ub, b_ub, A_eq, b_eq, bounds, method)`` for sparse
    matrices and a bounds array (one ``(lower, upper)`` row per variable, ``inf`` for none):
    the same model handed to the same HiGHS with the same options, so the same solution, and
    the same feasibility check of the result; only the marginals of the bounds, which linprog
    works out in a Python loop over the columns (0.07 s nationally) and this module never
    reads, are left out. Through linprog itself where scipy does not bundle HiGHS' binding
    (scipy < 1.15)."""
    bounds = np.asarray(bounds, dtype=float)
    if _highs is None:
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method=method)
        return _Hasil(res.status, res.message, res.x)
    c = np.array(c, dtype=np.float64)
    n = len(c)
    a_ub = sparse.csr_matrix((0, n)) if a_ub is None else a_ub
    a_eq = sparse.csr_matrix((0, n)) if a_eq is None else a_eq
    b_ub = np.asarray(b_ub if b_ub is not None else [], dtype=np.float64).reshape(-1)
    b_eq = np.asarray(b_eq if b_eq is not None else [], dtype=np.float64).reshape(-1)
    a = sparse.csc_array(sparse.vstack((a_ub, a_eq)))
    lhs = np.r_[np.full(len(b_ub), -np.inf), b_eq]
    rhs = np.r_[b_ub, b_eq]
    lb, ub = bounds.T.copy()
    options = _highs.HighsOptions()
    # linprog's settings for method highs-ds / highs-ipm (all others left at HiGHS' defaults)
    options.presolve = "on"
    options.solver = {"highs-ds": "simplex", "highs-ipm": "ipm"}[method]
    options.highs_debug_level = _highs.HighsDebugLevel.kHighsDebugLevelNone
    options.log_to_console = False
    options.output_flag = False
    options.simplex_strategy = _highs.simplex_constants.SimplexStrategy.kSimplexStrategyDual
    solver = _highs._Highs()
    solver.passOptions(options)
    # the model as arrays (the HighsLp fields would copy them element by element)
    solver.passModel(
        n, len(rhs), a.nnz, int(_highs.MatrixFormat.kColwise), int(_highs.ObjSense.kMinimize),
        0.0, c, lb, ub, lhs, rhs, a.indptr.astype(np.int32), a.indices.astype(np.int32),
        a.data.astype(np.float64), np.zeros(n, dtype=np.int32),
    )  # fmt: skip
    solver.run()
    model = solver.getModelStatus()
    if model != _highs.HighsModelStatus.kOptimal:
        return _Hasil(4, f"HiGHS: {solver.modelStatusToString(model)}", None)
    solution = solver.getSolution()
    x = np.array(solution.col_value)
    slack = rhs - np.asarray(solution.row_value)
    # linprog's check of an optimal solution (scipy.optimize._linprog_util._check_result)
    tol = np.sqrt(1e-9) * 10
    ok = (
        not (np.isnan(x).any() or np.isnan(slack).any())
        and bool(np.all((x >= lb - tol) & (x <= ub + tol)))
        and not (slack[: len(b_ub)] < -tol).any()
        and not (np.abs(slack[len(b_ub) :]) > tol).any()
    )
    if not ok:
        return _Hasil(4, "HiGHS: solution outside the constraints' tolerance", x)
    return _Hasil(0, "", x)


def _lp(c, a_ub, b_ub, bounds, method, what: str, a_eq=None, b_eq=None) -> _Hasil:
    res = _linprog(c, a_ub=a_ub, b_ub=b_ub, a_eq=a_eq, b_eq=b_eq, bounds=bounds, method=method)
    if res.status != 0:
        raise RuntimeError(f"alokasi: HiGHS gagal / failed ({what}): {res.message}")
    return res


def _blocked(net: _Net, x: np.ndarray, floor: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Which kecamatan of ``cand`` (local indices) cannot rise above their ``floor``.

    A kecamatan can rise iff the residual network of flow ``x`` holds a path from it to a
    *sink* — a site with stock left, or a kecamatan above its own floor — where a kecamatan
    may draw on any site it reaches and a site may pass a flow it sends to another
    kecamatan on to the kecamatan asking (which then draws elsewhere).
    """
    n_s, n_d = len(net.hs), len(net.hd)
    y = net.y(x)
    sink_s = net.cap_s - net.u(x) > _TOL
    sink_d = y - floor > _TOL
    # nodes: sites 0..n_s-1, kecamatan n_s.., super-sink last
    k_node = n_s + net.d
    used = x > _TOL
    # edges from -> to: k -> s on every arc; s -> j where s sends j something; sinks -> super
    rows = np.r_[k_node, net.s[used], np.flatnonzero(sink_s), np.flatnonzero(sink_d) + n_s]
    cols = np.r_[net.s, k_node[used], np.full(sink_s.sum() + sink_d.sum(), n_s + n_d)]
    graph = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n_s + n_d + 1, n_s + n_d + 1)
    )
    reach = breadth_first_order(
        graph.T.tocsr(), n_s + n_d, directed=True, return_predecessors=False
    )
    can = np.zeros(n_s + n_d + 1, dtype=bool)
    can[reach] = True
    return cand[~can[n_s + cand]]


_MAX_FLOW_CAP = 2**31 - 1  # scipy's maximum_flow takes 32-bit integer capacities


def _full_components(net: _Net) -> tuple[np.ndarray, np.ndarray]:
    """Which components can meet every kecamatan's whole need, by one integer maximum flow
    (``scipy.sparse.csgraph.maximum_flow``) with each site's stock rounded down and each
    need rounded up: when that flow meets every rounded-up need, the real stock meets every
    real need, so the component's fair share is the whole need (a sufficient test; whole
    units are exact). Also a flow (scaled units) meeting those needs, for :func:`_cheapest`'s
    fallback."""
    n_s, n_d, n_c = len(net.hs), len(net.hd), len(net.hc)
    stock = np.floor(net.raw_s)
    need = np.ceil(net.raw_d)
    # a component with a need beyond 32 bits is left to the programme; less stock is safe
    big = np.zeros(n_c, dtype=bool)
    big[net.comp_d[need > _MAX_FLOW_CAP]] = True
    stock = np.minimum(stock, _MAX_FLOW_CAP)
    arc_need = need[net.d]
    src, snk = n_s + n_d, n_s + n_d + 1
    ok_d = ~big[net.comp_d]
    ok_a = ok_d[net.d]
    rows = np.r_[np.full(n_s, src), net.s[ok_a], n_s + np.flatnonzero(ok_d)]
    cols = np.r_[np.arange(n_s), n_s + net.d[ok_a], np.full(int(ok_d.sum()), snk)]
    caps = np.r_[stock, arc_need[ok_a], need[ok_d]].astype(np.int32)
    graph = sparse.csr_array((caps, (rows, cols)), shape=(n_s + n_d + 2,) * 2)
    flow = maximum_flow(graph, src, snk, method="dinic").flow.tocsr()
    into = np.zeros(n_d)
    into[ok_d] = flow[n_s + np.flatnonzero(ok_d), np.full(int(ok_d.sum()), snk)]
    short = big.copy()
    short[net.comp_d[into < need]] = True
    x = np.zeros(net.n)
    x[ok_a] = flow[net.s[ok_a], n_s + net.d[ok_a]] / net.scale[net.c[ok_a]]
    return ~short, x


def _fair_totals(net: _Net, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Leximin totals per kecamatan (scaled units) by progressive filling, and the last flow."""
    n_d = len(net.hd)
    need = net.cap_d
    floor = np.zeros(n_d)  # fixed kecamatan: their fair total
    fixed = np.zeros(n_d, dtype=bool)
    x = np.zeros(net.n)
    # components that can meet every need (t = 1) need no programme: all fixed at their need
    full, flow = _full_components(net)
    if full.any():
        k_full = full[net.comp_d]
        floor[k_full] = need[k_full]
        fixed |= k_full
        x = flow
    for _ in range(_MAX_ROUNDS):
        act_c = np.unique(net.comp_d[~fixed])
        if len(act_c) == 0:
            break
        # only the components still open, renumbered
        keep_d = np.isin(net.comp_d, act_c)
        arcs = np.flatnonzero(keep_d[net.d])
        cpos = np.searchsorted(act_c, net.comp_d)
        k_act = np.flatnonzero(keep_d & ~fixed)
        k_fix = np.flatnonzero(keep_d & fixed)
        ds = np.flatnonzero(keep_d)
        ss = np.unique(net.s[arcs])
        m_s = net.m_s[ss][:, arcs]
        m_d = net.m_d[:, arcs]
        n_t = len(act_c)
        t_act = sparse.csr_matrix(
            (need[k_act], (np.arange(len(k_act)), cpos[k_act])), shape=(len(k_act), n_t)
        )
        a_ub = sparse.vstack(
            [
                sparse.hstack([m_s, sparse.csr_matrix((len(ss), n_t))]),
                sparse.hstack([m_d[ds], sparse.csr_matrix((len(ds), n_t))]),
                sparse.hstack([-m_d[k_act], t_act]),
                sparse.hstack([-m_d[k_fix], sparse.csr_matrix((len(k_fix), n_t))]),
            ],
            format="csr",
        )
        b_ub = np.r_[net.cap_s[ss], need[ds], np.zeros(len(k_act)), -(floor[k_fix] - _TOL / 10)]
        c = np.r_[np.zeros(len(arcs)), -np.ones(n_t)]
        bounds = np.r_[np.c_[np.zeros(len(arcs)), np.full(len(arcs), np.inf)], [[0.0, 1.0]] * n_t]
        res = _lp(c, a_ub, b_ub, bounds, method, "porsi adil")
        x[arcs] = np.clip(res.x[: len(arcs)], 0.0, None)
        t = np.clip(res.x[len(arcs) :], 0.0, 1.0)
        t[t >= 1 - 1e-9] = 1.0
        level = t[cpos[k_act]] * need[k_act]
        full = t[cpos[k_act]] >= 1 - 1e-9
        lo = floor.copy()
        lo[k_act] = level
        stuck = np.zeros(n_d, dtype=bool)
        stuck[_blocked(net, x, lo, k_act[~full])] = True
        stuck[k_act[full]] = True
        # numerical safety: each open component fixes at least its lowest kecamatan
        share = net.y(x) / need
        for ci in np.setdiff1d(act_c, net.comp_d[stuck]):
            members = k_act[net.comp_d[k_act] == ci]
            stuck[members[share[members] <= t[np.searchsorted(act_c, ci)] + 1e-6]] = True
        new = stuck & ~fixed
        floor[new] = lo[new]
        fixed |= new
    return floor, x


def _cheapest(net: _Net, totals: np.ndarray, x0: np.ndarray, method: str) -> np.ndarray:
    """Min Σ biaya·x with each kecamatan's total at least ``totals`` (scaled units)."""
    if not np.any(net.cost > 0):
        return x0
    a_ub = sparse.vstack([net.m_s, -net.m_d], format="csr")
    c = net.cost / net.cost.max()
    bounds = np.c_[np.zeros(len(c)), np.full(len(c), np.inf)]
    for eps in (0.0, _TOL / 10, _TOL, 10 * _TOL):
        b_ub = np.r_[net.cap_s, -(totals - eps)]
        res = _linprog(c, a_ub=a_ub, b_ub=b_ub, bounds=bounds, method=method)
        if res.status == 0:
            return np.clip(res.x, 0.0, None)
    return x0  # fair though not cheapest: never fail the whole analysis for this


def _round_consistently(net: _Net, x: np.ndarray, method: str) -> np.ndarray:
    """Whole-unit flows: each flow, kecamatan and site total at its floor or ceiling, each
    component's total kept, least cost (a min-cost circulation; unscaled units)."""
    n, n_s, n_d, n_c = net.n, len(net.hs), len(net.hd), len(net.hc)
    x = _snap(x)
    lo_x, hi_x = np.floor(x), np.ceil(x)
    y, u = _snap(net.y(x)), _snap(net.u(x))
    # the fair total is the maximum flow, whole with whole stock and needs
    total = np.round(np.bincount(net.comp_d, weights=y, minlength=n_c))
    # circulation: src_c -> k (y) -> s (x) -> sink_c (u) -> src_c (T); conservation per node
    cols = np.arange(n)
    iy, iu, it = n + np.arange(n_d), n + n_d + np.arange(n_s), n + n_d + n_s + np.arange(n_c)
    r_d, r_s = np.arange(n_d), n_d + np.arange(n_s)
    r_src, r_snk = n_d + n_s + np.arange(n_c), n_d + n_s + n_c + np.arange(n_c)
    rows = np.r_[r_d[net.d], r_s[net.s], r_d, r_src[net.comp_d], r_s, r_snk[net.comp_s],
                 r_snk, r_src]  # fmt: skip
    cidx = np.r_[cols, cols, iy, iy, iu, iu, it, it]
    vals = np.r_[-np.ones(n), np.ones(n), np.ones(n_d), -np.ones(n_d), -np.ones(n_s),
                 np.ones(n_s), -np.ones(n_c), np.ones(n_c)]  # fmt: skip
    a_eq = sparse.csr_matrix((vals, (rows, cidx)), shape=(n_d + n_s + 2 * n_c, n + n_d + n_s + n_c))
    bounds = np.c_[
        np.r_[lo_x, np.floor(y), np.floor(u), total],
        np.r_[hi_x, np.ceil(y), np.minimum(np.ceil(u), net.cap_s), total],
    ]
    c = np.r_[net.cost, np.zeros(n_d + n_s + n_c)]
    res = _linprog(c, a_eq=a_eq, b_eq=np.zeros(a_eq.shape[0]), bounds=bounds, method=method)
    if res.status != 0:
        raise RuntimeError(f"alokasi: pembulatan gagal / rounding failed: {res.message}")
    out = np.round(res.x[:n])
    if np.abs(res.x[:n] - out).max(initial=0.0) > 1e-6:
        raise RuntimeError("alokasi: pembulatan tidak utuh / rounding not integral")
    return out


def _snap(v: np.ndarray, tol: float = 1e-4) -> np.ndarray:
    """Values within ``tol`` of a whole number set to it (solver error on whole data)."""
    r = np.round(v)
    return np.where(np.abs(v - r) <= tol, r, v)


def _greedy(cap_one: np.ndarray, cap_many: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Nearest-first filling of groups that have one node on one side.

    Arcs come sorted by (group, cost); ``group`` numbers the groups in that order,
    ``cap_one[a]`` is the capacity of the group's single node (the same on all its arcs) and
    ``cap_many[a]`` that of the arc's other end. Returns the flow per arc.
    """
    cum = np.cumsum(cap_many)
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    before = (
        cum - cap_many - np.repeat(cum[first] - cap_many[first], np.diff(np.r_[first, len(group)]))
    )
    return np.clip(np.minimum(cap_one - before, cap_many), 0.0, None)


def _rank_in_group(flag: np.ndarray, group: np.ndarray) -> np.ndarray:
    """1-based running count of ``flag`` within each run of equal ``group`` (sorted)."""
    cum = np.cumsum(flag)
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    start = np.repeat(cum[first] - flag[first], np.diff(np.r_[first, len(group)]))
    return cum - start


def _one_site(order, i_s, i_d, cap_s, cap_d, whole, comp) -> np.ndarray:
    """Water-filling from a single site; arcs ``order`` sorted by (component, cost, kode).

    Every kecamatan gets the share ``min(1, komit / Σ kebutuhan)``; whole units: the floor
    of that, then one unit more to the nearest kecamatan with a fraction, until the stock
    (the rounded total of the fractions) is used.
    """
    c = comp[order]
    n_c = int(comp.max()) + 1
    need = cap_d[i_d[order]]
    total = np.bincount(c, weights=need, minlength=n_c)[c]
    cap = cap_s[i_s[order]]
    x = np.where(cap >= total, need, cap * need / total)  # cap·need/Σ: 200·140/280 = 100
    w = whole[order]
    if w.any():
        base = np.floor(x + 1e-9)
        frac = (x - base > 1e-9) & w
        left = np.round(np.bincount(c, weights=np.where(w, x - base, 0.0), minlength=n_c))[c]
        x = np.where(w, base + (frac & (_rank_in_group(frac.astype(int), c) <= left)), x)
    out = np.zeros(len(i_s))
    out[order] = x
    return out


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
    supply: pd.DataFrame,
    demand: pd.DataFrame,
    arcs: pd.DataFrame,
    *,
    biaya: str = "jarak_m",
    bulat: Collection[str] = (),
) -> pd.DataFrame:
    """Allocate each item's committable stock fairly to the kecamatan within reach.

    Parameters
    ----------
    supply
        ``lokasi_id``, ``barang``, ``komit`` (committable quantity, catalogue unit), one row
        per site and item; stock that must not move (flooded site, expired, damaged) has
        ``komit`` 0.
    demand
        ``kode``, ``barang``, ``kebutuhan`` (need in the same unit; NaN = unknown, gets
        nothing: it cannot be planned for).
    arcs
        Reach pairs ``kode``, ``lokasi_id``, ``jarak_m`` (metres) and the cost column
        ``biaya`` if it is another (e.g. travel time in minutes).
    biaya
        The column of ``arcs`` to minimise ``jumlah × biaya`` over, once the shares are fixed.
    bulat
        Item codes that move in whole units only (``barang.bulat``): stock is taken down to
        whole units, needs up.

    Returns
    -------
    pandas.DataFrame
        ``lokasi_id``, ``kode``, ``barang``, ``jumlah`` (≥ 1e-6; whole for ``bulat`` items),
        ``jarak_m`` (and ``biaya`` if another column), sorted by item, kecamatan, cost: per
        item the max-min fair (leximin) shares ``jumlah ÷ kebutuhan``, then the least
        ``Σ jumlah × biaya`` (see the module notes).
    """
    _refuse_non_finite(supply, "komit", ["lokasi_id", "barang"])
    _refuse_non_finite(demand, "kebutuhan", ["kode", "barang"], nan_ok=True)
    _refuse_non_finite(arcs, biaya, ["kode", "lokasi_id"])
    bulat = {str(b) for b in bulat}
    sup = supply.loc[supply["komit"].to_numpy(dtype=float) > 0, ["lokasi_id", "barang", "komit"]]
    need = demand["kebutuhan"].to_numpy(dtype=float)
    dem = demand.loc[np.nan_to_num(need, nan=0.0) > 0, ["kode", "barang", "kebutuhan"]]
    if sup.empty or dem.empty or arcs.empty:
        return _empty(biaya)
    d = (
        dem.astype({"kode": "str", "barang": "str"})
        .groupby(["barang", "kode"], as_index=False, sort=True)["kebutuhan"]
        .sum()
    )
    # only the items someone needs are grouped (the same rows as grouping all, then dropping)
    sup = sup.astype({"lokasi_id": "str", "barang": "str"})
    s = (
        sup[sup["barang"].isin(set(d["barang"]))]
        .groupby(["barang", "lokasi_id"], as_index=False, sort=True)["komit"]
        .sum()
    )
    s_whole = s["barang"].isin(bulat).to_numpy()
    d_whole = d["barang"].isin(bulat).to_numpy()
    cap_s = s["komit"].to_numpy(dtype=float)
    cap_s = np.where(s_whole, np.floor(cap_s + 1e-9), cap_s)
    cap_d = d["kebutuhan"].to_numpy(dtype=float)
    cap_d = np.where(d_whole, np.ceil(cap_d - 1e-9), cap_d)
    cols = ["kode", "lokasi_id", "jarak_m"] + ([biaya] if biaya != "jarak_m" else [])
    pairs = (
        arcs[cols]
        .astype({"kode": "str", "lokasi_id": "str", "jarak_m": float, biaya: float})
        .sort_values([biaya, "jarak_m"], kind="stable")
        .drop_duplicates(["kode", "lokasi_id"])
    )
    a = pairs.merge(s[["barang", "lokasi_id"]].reset_index(names="i_s"), on="lokasi_id").merge(
        d[["barang", "kode"]].reset_index(names="i_d"), on=["barang", "kode"]
    )
    a = a[(cap_s[a["i_s"].to_numpy()] > 0) & (cap_d[a["i_d"].to_numpy()] > 0)]
    if a.empty:
        return _empty(biaya)
    i_s = a["i_s"].to_numpy()
    i_d = a["i_d"].to_numpy()
    cost = a[biaya].to_numpy(dtype=float)
    whole = s_whole[i_s]
    x = _solve(i_s, i_d, cap_s, cap_d, cost, whole, a["kode"].array, a["lokasi_id"].array)
    x = x + 0.0  # no -0
    keep = x >= DEBU
    out = pd.DataFrame(
        {
            "lokasi_id": a["lokasi_id"].to_numpy()[keep],
            "kode": a["kode"].to_numpy()[keep],
            "barang": a["barang"].to_numpy()[keep],
            "jumlah": x[keep],
            "jarak_m": a["jarak_m"].to_numpy()[keep],
        }
    )
    if biaya != "jarak_m":
        out[biaya] = cost[keep]
    out = out.astype({"lokasi_id": "str", "kode": "str", "barang": "str"})
    return out.sort_values(["barang", "kode", biaya, "lokasi_id"], kind="stable").reset_index(
        drop=True
    )


def _rank(values: pd.api.extensions.ExtensionArray) -> np.ndarray:
    """Each value's rank in sorted order (equal values, equal rank)."""
    rank, _ = _sorted_codes(values)
    return rank


def _solve(i_s, i_d, cap_s, cap_d, cost, whole, kode_a, lok_a) -> np.ndarray:
    """Flow per arc: fast paths for trivial components, HiGHS for the rest."""
    n_s = len(cap_s)
    graph = sparse.coo_matrix((np.ones(len(i_s)), (i_s, n_s + i_d)), shape=(n_s + len(cap_d),) * 2)
    _, label = connected_components(graph, directed=False)
    comp = label[i_s]
    n_comp = int(label.max()) + 1
    x = np.zeros(len(i_s))
    done = np.zeros(n_comp, dtype=bool)

    # string ties broken by integer ranks in string order (no lexsort over object arrays)
    lok_a, kode_a = _rank(lok_a), _rank(kode_a)
    # each kecamatan nearest first on its own; valid where no site is asked for too much
    order = np.lexsort((lok_a, cost, i_d))
    xg = _greedy(cap_d[i_d[order]], cap_s[i_s[order]], i_d[order])
    used = np.bincount(i_s[order], weights=xg, minlength=n_s)
    bad = np.zeros(n_comp, dtype=bool)
    bad[label[np.flatnonzero(used > cap_s * (1 + 1e-12))]] = True
    ok = ~bad[comp[order]]
    x[order[ok]] = xg[ok]
    done[np.unique(comp[order[ok]])] = True

    # one site serving several kecamatan: water-filling
    sites_per = np.zeros(n_comp, dtype=int)
    np.add.at(sites_per, label[np.unique(i_s)], 1)
    one = ~done & (sites_per == 1)
    arcs_one = np.flatnonzero(one[comp])
    if len(arcs_one):
        o = arcs_one[np.lexsort((kode_a[arcs_one], cost[arcs_one], comp[arcs_one]))]
        x[o] = _one_site(o, i_s, i_d, cap_s, cap_d, whole, comp)[o]
        done |= one

    hard = ~done[comp]
    size = np.bincount(comp, minlength=n_comp)
    small = hard & (size[comp] <= _BLOCK)
    batches = [(np.flatnonzero(small), "highs-ds")]
    batches += [(np.flatnonzero(comp == c), "highs-ipm") for c in np.unique(comp[hard & ~small])]
    for h, method in batches:
        if len(h):
            x[h] = _solve_lp(h, i_s, i_d, comp, cap_s, cap_d, cost, whole, method)
    return x


def _solve_lp(h, i_s, i_d, comp, cap_s, cap_d, cost, whole, method: str) -> np.ndarray:
    """Fair shares, cheapest flows and, for whole-unit items, the rounding, on arcs ``h``."""
    net = _Net(h, i_s, i_d, comp, cap_s, cap_d, cost, scale=True)
    totals, x0 = _fair_totals(net, method)
    xs = _cheapest(net, totals, x0, method)
    x = xs * net.scale[net.c]
    # divisible: bounds exact, dust away, then a hair of slack on both ends closed
    x = np.where(x < DEBU, 0.0, x)
    fair = totals * net.scale[net.comp_d]
    x = _clamp(_clamp(x, net.s, cap_s[net.hs]), net.d, fair)
    x = _top_up(x, net.s, net.d, cap_s[net.hs], fair, net.cost)
    w = whole[h]
    if w.any():
        sub = np.flatnonzero(w)
        # a component whose flows are all whole already (37 of 40 nationally) keeps them: the
        # rounding bounds every flow and total of it to that very value (floor = ceil)
        whole_x = _snap(x[sub])
        owner = comp[h[sub]]
        part = np.isin(owner, owner[whole_x != np.round(whole_x)])
        x[sub] = whole_x
        if part.any():
            sub = sub[part]
            wnet = _Net(h[sub], i_s, i_d, comp, cap_s, cap_d, cost, scale=False)
            x[sub] = _round_consistently(wnet, x[sub], "highs-ds")
    return x


def _top_up(
    x: np.ndarray,
    i_s: np.ndarray,
    i_d: np.ndarray,
    cap_s: np.ndarray,
    target: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray:
    """Fill, cheapest first, the arcs whose site has stock left and whose kecamatan is below
    its fair total: the solver's tolerances can leave a hair on both ends."""
    rem_s = cap_s - np.bincount(i_s, weights=x, minlength=len(cap_s))
    rem_d = target - np.bincount(i_d, weights=x, minlength=len(target))
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


def _clamp(x: np.ndarray, idx: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Scale x down per group so that Σ x over each group stays within its cap."""
    total = np.bincount(idx, weights=x, minlength=len(cap))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(total > cap, cap / total, 1.0)
    return x * factor[idx]
