"""Reach in a straight line: which sites lie within a distance of each kecamatan polygon.

Distances are from the site point to the kecamatan polygon (0 inside), in metres, in the
metric CRS both layers share. Candidate pairs come from an STRtree ``dwithin`` query (an exact
GEOS test), never from a Python loop over pairs.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from geo_klaster.crs import check_same_crs
from geo_klaster.errors import InputError


def _metric(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    check_same_crs(a, b, names=("kecamatan", "lokasi"))
    if not a.crs.is_projected:
        raise InputError(f"jangkauan dihitung dalam CRS metrik / reach needs a metric CRS: {a.crs}")


def reach(kecamatan: gpd.GeoDataFrame, lokasi: gpd.GeoDataFrame, *, jarak_m: float) -> pd.DataFrame:
    """Every (kecamatan, site) pair within ``jarak_m`` metres, with the distance.

    Parameters
    ----------
    kecamatan
        Polygons with ``kode``, in a metric CRS (usually only the at-risk ones).
    lokasi
        Points with ``lokasi_id``, in the same metric CRS.
    jarak_m
        Reach, metres (inclusive).

    Returns
    -------
    pandas.DataFrame
        ``kode``, ``lokasi_id``, ``jarak_m`` (float, metres; 0 when the site is inside or on
        the boundary), sorted by ``kode`` then distance.
    """
    _metric(kecamatan, lokasi)
    polys = kecamatan.geometry.to_numpy()
    points = lokasi.geometry.to_numpy()
    ok = ~(shapely.is_missing(points) | shapely.is_empty(points))
    idx_pt = np.flatnonzero(ok)
    tree = shapely.STRtree(polys)
    i_pt, i_poly = tree.query(points[ok], predicate="dwithin", distance=jarak_m)
    i_pt = idx_pt[i_pt]
    jarak = shapely.distance(points[i_pt], polys[i_poly])
    keep = jarak <= jarak_m
    out = pd.DataFrame(
        {
            "kode": kecamatan["kode"].to_numpy()[i_poly[keep]],
            "lokasi_id": lokasi["lokasi_id"].to_numpy()[i_pt[keep]],
            "jarak_m": jarak[keep].astype(float),
        }
    )
    out["kode"] = out["kode"].astype("str")
    out["lokasi_id"] = out["lokasi_id"].astype("str")
    return out.sort_values(["kode", "jarak_m", "lokasi_id"], kind="stable").reset_index(drop=True)


def _stock_matrix(
    lokasi: gpd.GeoDataFrame, stok: pd.DataFrame, nilai: str
) -> tuple[np.ndarray, np.ndarray]:
    """(item codes, dense site × item matrix of ``nilai``; rows in ``lokasi`` order)."""
    site_ids = pd.Index(lokasi["lokasi_id"].astype(str).to_numpy())
    # hash-based codes (pd.factorize), not np.unique: sorting 10⁵ strings costs ~0.3 s
    item_idx, items = pd.factorize(stok["barang"].astype(str).to_numpy(), sort=True)
    items = np.asarray(items, dtype=object)
    row = site_ids.get_indexer(stok["lokasi_id"].astype(str).to_numpy())
    ok = (row >= 0) & (item_idx >= 0)
    flat = np.bincount(
        row[ok] * len(items) + item_idx[ok],
        weights=stok[nilai].to_numpy(dtype=float)[ok],
        minlength=len(site_ids) * len(items),
    )
    return items, flat.reshape(len(site_ids), len(items))


def _sums_frame(kode: np.ndarray, items: np.ndarray, sums: np.ndarray) -> pd.DataFrame:
    i_kec, i_item = np.nonzero(sums)
    out = pd.DataFrame(
        {
            "kode": pd.Series(kode[i_kec], dtype="str"),
            "barang": pd.Series(items[i_item], dtype="str"),
            "terjangkau": sums[i_kec, i_item].astype(float),
        }
    )
    return out.sort_values(["kode", "barang"], kind="stable").reset_index(drop=True)


def reach_sums(
    kecamatan: gpd.GeoDataFrame,
    lokasi: gpd.GeoDataFrame,
    stok: pd.DataFrame,
    *,
    jarak_m: float,
    nilai: str = "komit",
    metode: str = "grid",
    baris_m: float | None = None,
    sampel_m: float | None = None,
    chunk: int = 256,
) -> pd.DataFrame:
    """Sum of stock within reach per kecamatan × item, without a table of all pairs.

    ``metode="grid"`` (default) is pair-free: the sites are sorted into horizontal rows of
    height ``baris_m`` and by x within a row, with prefix sums of their stock. For each
    kecamatan and row, the x-intervals that are certainly within reach (see below) add their
    stock as two prefix-sum lookups per interval; only the sites in the thin band between
    "certainly within" and "certainly beyond" get an exact GEOS ``dwithin`` test. The sums are
    collected in sparse matrices, never as a pair table.

    Soundness. For a site ``(x, y)`` in a row with centre line ``yc`` (``|y − yc| ≤ h/2``),
    ``d(site, P) ≤ d((x, yc), P) + h/2`` (distance is 1-Lipschitz). So a site is within reach
    if ``(x, yc)`` lies inside the polygon or within ``jarak_m − h/2`` of one of the sample
    points on its boundary (discs around points of ``P`` lie inside ``P``'s buffer; their
    intersections with the centre line are exact intervals), and beyond reach if ``(x, yc)``
    is farther than ``jarak_m + h/2`` from the polygon's convex hull (``d(·, P) ≥
    d(·, hull)``; the hull's buffer meets a line in one interval, bounded from outside by
    discs around points every ≤ ``h/2`` along the hull, radius enlarged by half their
    spacing). Interval ends are rounded inward/outward to millimetres,
    and 1 cm of margin absorbs the rounding. Results equal the sums over :func:`reach`'s
    pairs (exactly for integer quantities; otherwise up to prefix-sum rounding, about
    1e-16 × the total of the item over all sites).

    ``metode="pasangan"``: the kecamatan in chunks of ``chunk``, each chunk's (kecamatan,
    site) incidence from an STRtree query as a sparse matrix times the stock matrix.

    Parameters
    ----------
    kecamatan, lokasi
        As for :func:`reach` (metric CRS; ``kode`` and ``lokasi_id``).
    stok
        ``lokasi_id``, ``barang`` and the quantity column ``nilai`` (e.g. committable stock
        from :func:`geo_klaster.stock.committable`); several rows of a site and item add up.
    jarak_m
        Reach, metres (inclusive).
    nilai
        Quantity column to sum.
    metode
        ``"grid"`` (pair-free) or ``"pasangan"`` (chunked pairs).
    baris_m, sampel_m
        Grid method: row height (default ``jarak_m / 10``) and the spacing of the boundary
        samples (default ``jarak_m / 5``), metres. Smaller rows mean fewer exact tests but
        more intervals.
    chunk
        Pair method: kecamatan per chunk (bounds memory).

    Returns
    -------
    pandas.DataFrame
        ``kode``, ``barang``, ``terjangkau`` for every kecamatan row and item with a non-zero
        sum, sorted by ``kode`` and ``barang``.
    """
    _metric(kecamatan, lokasi)
    if metode not in ("grid", "pasangan"):
        raise ValueError(f"metode harus 'grid' atau 'pasangan' / unknown method: {metode!r}")
    items, stock = _stock_matrix(lokasi, stok, nilai)
    polys = kecamatan.geometry.to_numpy()
    points = lokasi.geometry.to_numpy()
    kode = kecamatan["kode"].astype(str).to_numpy()
    usable_pt = ~(shapely.is_missing(points) | shapely.is_empty(points))
    usable_poly = ~(shapely.is_missing(polys) | shapely.is_empty(polys))
    sums = np.zeros((len(polys), len(items)))
    if usable_pt.any() and usable_poly.any() and len(items):
        i_poly = np.flatnonzero(usable_poly)
        i_pt = np.flatnonzero(usable_pt)
        if metode == "grid":
            part = _grid_sums(
                polys[i_poly],
                points[i_pt],
                stock[i_pt],
                float(jarak_m),
                float(baris_m) if baris_m else float(jarak_m) / 10.0,
                float(sampel_m) if sampel_m else float(jarak_m) / 5.0,
            )
        else:
            part = _pair_sums(polys[i_poly], points[i_pt], stock[i_pt], float(jarak_m), chunk)
        sums[i_poly] = part
    return _sums_frame(kode, items, sums)


def _pair_sums(
    polys: np.ndarray, points: np.ndarray, stock: np.ndarray, jarak_m: float, chunk: int
) -> np.ndarray:
    tree = shapely.STRtree(points)
    out = np.zeros((len(polys), stock.shape[1]))
    for start in range(0, len(polys), max(1, chunk)):
        part = polys[start : start + chunk]
        i_poly, i_pt = tree.query(part, predicate="dwithin", distance=jarak_m)
        inc = sparse.csr_matrix(
            (np.ones(len(i_poly)), (i_poly, i_pt)), shape=(len(part), len(points))
        )
        out[start : start + len(part)] = inc @ stock
    return out


_MM = 1000.0  # interval ends and site x are compared in integer millimetres
_TOL = 0.01  # metres of margin for rounding (site and interval ends to 1 mm)


def _rows_for(lo_y: np.ndarray, hi_y: np.ndarray, y0: float, h: float, ny: int, *, half_open=False):
    """(element, row) for every row whose centre line ``y0 + (k + ½)h`` lies in [lo_y, hi_y]
    (``[lo_y, hi_y)`` when ``half_open``), rows clipped to ``0..ny-1``."""
    k0 = np.ceil((lo_y - y0) / h - 0.5)
    k1 = np.ceil((hi_y - y0) / h - 0.5) - 1 if half_open else np.floor((hi_y - y0) / h - 0.5)
    k0 = np.clip(k0, 0, ny).astype(np.int64)
    k1 = np.clip(k1, -1, ny - 1).astype(np.int64)
    n = np.maximum(k1 - k0 + 1, 0)
    elem = np.repeat(np.arange(len(n)), n)
    first = np.cumsum(n) - n
    rows = np.repeat(k0 - first, n) + np.arange(int(n.sum()))
    return elem, rows


def _merge(g: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Union of integer intervals [lo, hi] per group g: (g, lo, hi) disjoint, sorted."""
    if len(g) == 0:
        return g, lo, hi
    base = int(min(lo.min(), 0))
    span = int(max(hi.max(), lo.max())) - base + 1
    if int(g.max()) < (2**62) // span:  # one int64 key: (g, lo) order, running max per g
        order = np.argsort(g * span + (lo - base), kind="stable")
        g, lo, hi = g[order], lo[order], hi[order]
        runmax = np.maximum.accumulate(g * span + (hi - base)) - g * span + base
    else:
        order = np.lexsort((lo, g))
        g, lo, hi = g[order], lo[order], hi[order]
        runmax = pd.Series(hi).groupby(g).cummax().to_numpy()
    new = np.ones(len(g), dtype=bool)
    new[1:] = (g[1:] != g[:-1]) | (lo[1:] > runmax[:-1])
    starts = np.flatnonzero(new)
    return g[starts], lo[starts], np.maximum.reduceat(hi, starts)


_EPS_M = 1e-6  # metres: the numeric tests decide only this far from the limit; GEOS the rest


def _hull_vertex_test(
    hull: np.ndarray, sxy: np.ndarray, cand_poly: np.ndarray, cand_site: np.ndarray, jarak: float
) -> tuple[np.ndarray, np.ndarray]:
    """Decide most band candidates without GEOS: (hit, indices still undecided).

    The vertices of a polygon's convex hull are vertices of the polygon, so on its boundary:
    ``d(site, P) ≤ dv``, the distance to the nearest hull vertex — within reach if
    ``dv ≤ jarak``. And for a site outside the hull, the nearest hull point lies on an edge
    of length ≤ ``L`` (the longest hull edge), whose nearer end is at most
    ``sqrt(d² + (L/2)²)`` away, so ``d(site, P) ≥ d(site, hull) ≥ sqrt(dv² − (L/2)²)``:
    beyond reach if that exceeds ``jarak``. A site farther than the hull's bounding-box
    diagonal from any hull vertex is outside the hull. Both tests keep ``_EPS_M`` of margin
    so that what they decide agrees with GEOS' ``dwithin``; the rest is left to it.
    """
    hc, h_idx = shapely.get_coordinates(hull, return_index=True)
    n_poly = len(hull)
    seg = np.flatnonzero(h_idx[:-1] == h_idx[1:])
    lmax = np.zeros(n_poly)
    np.maximum.at(lmax, h_idx[seg], np.hypot(*(hc[seg + 1] - hc[seg]).T))
    b = shapely.bounds(hull)
    diag = np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    first = np.searchsorted(h_idx, np.arange(n_poly), side="left")
    count = np.bincount(h_idx, minlength=n_poly)
    hit = np.zeros(len(cand_poly), dtype=bool)
    undecided = np.ones(len(cand_poly), dtype=bool)
    k = count[cand_poly]
    # chunks of about 500 k (candidate, vertex) pairs
    cum = np.cumsum(k)
    cuts = np.searchsorted(cum, np.arange(500_000, int(cum[-1]) if len(cum) else 0, 500_000))
    splits = np.unique(np.concatenate([[0], cuts, [len(k)]]))
    for start, end in itertools.pairwise(splits):
        sl = slice(start, end)
        kk = k[sl]
        if kk.sum() == 0:
            continue
        offs = np.cumsum(kk) - kk
        vert = np.repeat(first[cand_poly[sl]] - offs, kk) + np.arange(int(kk.sum()))
        own = np.repeat(cand_site[sl], kk)
        d2 = (sxy[own, 0] - hc[vert, 0]) ** 2 + (sxy[own, 1] - hc[vert, 1]) ** 2
        has = kk > 0
        dv2 = np.full(len(kk), np.inf)
        dv2[has] = np.minimum.reduceat(d2, offs[has])
        p = cand_poly[sl]
        dv = np.sqrt(dv2)
        inside = dv <= jarak - _EPS_M
        lower = np.sqrt(np.maximum(dv2 - (lmax[p] / 2) ** 2, 0.0))
        beyond = has & (dv > diag[p] + _EPS_M) & (lower > jarak + _EPS_M)
        hit[sl] = inside
        undecided[sl] = ~(inside | beyond)
    return hit, np.flatnonzero(undecided)


def _grid_sums(
    polys: np.ndarray,
    points: np.ndarray,
    stock: np.ndarray,
    jarak: float,
    h: float,
    g_sample: float,
    g_out: float | None = None,
) -> np.ndarray:
    """Pair-free reach sums (see :func:`reach_sums`): array ``len(polys) × items``."""
    n_poly = len(polys)
    h = min(h, jarak) if jarak > 0 else max(h, 1.0)
    g_out = g_out or h / 2
    xy = shapely.get_coordinates(points)
    x0, y0 = xy.min(axis=0)
    ny = int((xy[:, 1].max() - y0) // h) + 1
    xmax_mm = int(np.rint((xy[:, 0].max() - x0) * _MM)) + 1
    xbits = xmax_mm.bit_length() + 1
    if ny.bit_length() + xbits > 62 or n_poly * ny > 2**62 // max(xmax_mm, 1):
        return _pair_sums(polys, points, stock, jarak, 256)  # absurd extents: no int keys
    site_row = np.clip(((xy[:, 1] - y0) // h).astype(np.int64), 0, ny - 1)
    site_key = (site_row << xbits) + np.rint((xy[:, 0] - x0) * _MM).astype(np.int64)
    order = np.argsort(site_key, kind="stable")
    key = site_key[order]
    stock_s = stock[order]
    prefix = np.vstack([np.zeros((1, stock.shape[1])), np.cumsum(stock_s, axis=0)])
    yc = y0 + (np.arange(ny) + 0.5) * h

    def to_mm(lo, hi, inward):
        a, b = (lo - x0) * _MM, (hi - x0) * _MM
        a = np.ceil(a) if inward else np.floor(a)
        b = np.floor(b) if inward else np.ceil(b)
        a = np.clip(a, -2, xmax_mm + 2).astype(np.int64)
        b = np.clip(b, -2, xmax_mm + 2).astype(np.int64)
        return a, b

    # --- certainly within: discs around boundary samples, and the polygon itself --------
    parts, part_of = shapely.get_parts(polys, return_index=True)
    ring = shapely.get_exterior_ring(parts)
    length = shapely.length(ring)
    n_s = np.maximum(np.ceil(length / g_sample), 1).astype(np.int64)
    ring_of = np.repeat(np.arange(len(ring)), n_s)
    step = np.arange(int(n_s.sum())) - np.repeat(np.cumsum(n_s) - n_s, n_s)
    samples = shapely.line_interpolate_point(ring[ring_of], step * (length / n_s)[ring_of])
    sxy = shapely.get_coordinates(samples)
    s_poly = part_of[ring_of]
    in_g, in_lo, in_hi = [], [], []
    r_in = jarak - h / 2 - _TOL
    if r_in > 0 and len(sxy):
        e, k = _rows_for(sxy[:, 1] - r_in, sxy[:, 1] + r_in, y0, h, ny)
        half = np.sqrt(np.maximum(r_in**2 - (yc[k] - sxy[e, 1]) ** 2, 0.0))
        lo, hi = to_mm(sxy[e, 0] - half, sxy[e, 0] + half, inward=True)
        in_g.append(s_poly[e] * ny + k), in_lo.append(lo), in_hi.append(hi)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    rc, r_idx = shapely.get_coordinates(rings, return_index=True)
    edge = np.flatnonzero(r_idx[:-1] == r_idx[1:])
    ax, ay, bx, by = rc[edge, 0], rc[edge, 1], rc[edge + 1, 0], rc[edge + 1, 1]
    e, k = _rows_for(np.minimum(ay, by), np.maximum(ay, by), y0, h, ny, half_open=True)
    if len(e) and r_in > 0:  # inside P: d(site, P) ≤ h/2 < jarak
        xs = ax[e] + (yc[k] - ay[e]) * (bx[e] - ax[e]) / (by[e] - ay[e])
        grp = part_of[ring_part[r_idx[edge[e]]]] * ny + k
        order_x = np.lexsort((xs, grp))
        grp, xs = grp[order_x], xs[order_x]
        _, counts = np.unique(grp, return_counts=True)
        if not np.any(counts % 2):  # even-odd pairs never straddle groups
            lo, hi = to_mm(xs[0::2], xs[1::2], inward=True)
            in_g.append(grp[0::2]), in_lo.append(lo), in_hi.append(hi)
    if in_g:
        gi, lo, hi = (np.concatenate(v) for v in (in_g, in_lo, in_hi))
        keep = (lo <= hi) & (hi >= 0) & (lo <= xmax_mm)
        gi, lo, hi = _merge(gi[keep], np.maximum(lo[keep], 0), np.minimum(hi[keep], xmax_mm))
    else:
        gi = lo = hi = np.zeros(0, dtype=np.int64)
    row = gi % ny
    a = np.searchsorted(key, (row << xbits) + lo, side="left")
    b = np.searchsorted(key, (row << xbits) + hi, side="right")
    poly_in = gi // ny
    w = sparse.csr_matrix(
        (
            np.concatenate([np.ones(len(a)), -np.ones(len(a))]),
            (np.concatenate([poly_in, poly_in]), np.concatenate([b, a])),
        ),
        shape=(n_poly, len(key) + 1),
    )
    out = w @ prefix

    # --- certainly beyond: outside the hull's buffer on the centre line ------------------
    # Points on the hull's boundary every ≤ ``g_out``: each boundary point lies within half
    # the local spacing of one, so discs of radius ``r_out + spacing/2`` cover the buffer's
    # crossings of the line, and the buffer of a convex set meets a line in one interval.
    hull0 = shapely.convex_hull(polys)
    hull = shapely.segmentize(hull0, g_out)
    hc, h_idx = shapely.get_coordinates(hull, return_index=True)
    seg = np.flatnonzero(h_idx[:-1] == h_idx[1:])
    gap_max = np.zeros(n_poly)
    np.maximum.at(gap_max, h_idx[seg], np.hypot(*(hc[seg + 1] - hc[seg]).T))
    r_out = jarak + h / 2 + _TOL + gap_max[h_idx] / 2
    e, k = _rows_for(hc[:, 1] - r_out, hc[:, 1] + r_out, y0, h, ny)
    half = np.sqrt(np.maximum(r_out[e] ** 2 - (yc[k] - hc[e, 1]) ** 2, 0.0))
    p_e = h_idx[e]
    # one slot per (polygon, row) from the polygon's first row on: no sort needed
    r0 = np.full(n_poly, ny, dtype=np.int64)
    r1 = np.full(n_poly, -1, dtype=np.int64)
    np.minimum.at(r0, p_e, k)
    np.maximum.at(r1, p_e, k)
    span = np.maximum(r1 - r0 + 1, 0)
    base = np.cumsum(span) - span
    slot = base[p_e] + (k - r0[p_e])
    glo = np.full(int(span.sum()), np.inf)
    ghi = np.full(int(span.sum()), -np.inf)
    np.minimum.at(glo, slot, hc[e, 0] - half)
    np.maximum.at(ghi, slot, hc[e, 0] + half)
    filled = glo <= ghi
    slot_poly = np.repeat(np.arange(n_poly), span)
    slot_row = np.arange(int(span.sum())) - np.repeat(base, span) + np.repeat(r0, span)
    groups = (slot_poly * ny + slot_row)[filled]
    olo, ohi = to_mm(glo[filled], ghi[filled], inward=False)

    # --- the band: O minus the certain intervals, exact tests ---------------------------
    sg = np.concatenate([groups, groups, gi])
    slo = np.concatenate([olo - 2, ohi + 1, lo])
    shi = np.concatenate([olo - 1, ohi + 2, hi])
    mg, mlo, mhi = _merge(sg, slo, shi)
    gap = np.flatnonzero((mg[:-1] == mg[1:]) & (mhi[:-1] + 1 <= mlo[1:] - 1))
    bg, blo, bhi = mg[gap], np.maximum(mhi[gap] + 1, 0), np.minimum(mlo[gap + 1] - 1, xmax_mm)
    keep = blo <= bhi
    bg, blo, bhi = bg[keep], blo[keep], bhi[keep]
    row = bg % ny
    a = np.searchsorted(key, (row << xbits) + blo, side="left")
    b = np.searchsorted(key, (row << xbits) + bhi, side="right")
    n = b - a
    if n.sum():
        cand_poly = np.repeat(bg // ny, n)
        cand_site = np.repeat(a - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))
        sxy_s = xy[order]
        hit, todo = _hull_vertex_test(hull0, sxy_s, cand_poly, cand_site, jarak)
        if len(todo):
            fresh = ~shapely.is_prepared(polys)
            shapely.prepare(polys[fresh])
            try:
                hit[todo] = shapely.dwithin(
                    polys[cand_poly[todo]], points[order][cand_site[todo]], jarak
                )
            finally:
                shapely.destroy_prepared(polys[fresh])
        inc = sparse.csr_matrix(
            (np.ones(int(hit.sum())), (cand_poly[hit], cand_site[hit])),
            shape=(n_poly, len(key)),
        )
        out += inc @ stock_s
    return out
