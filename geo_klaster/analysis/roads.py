"""Travel time on roads when the flood cuts them: from every site to every target area.

The road graph of one scenario, built in a metric CRS (metres), times in minutes:

1. **Noding.** Every vertex of every ``jalan`` line is a node, and consecutive vertices are
   joined by an edge, so lines meet where they share a vertex (as OSM draws junctions) and
   nowhere else: a flyover crossing a road without a shared vertex stays apart.
2. **Splitting.** Each vertex-to-vertex segment is split where it crosses the boundary of a
   flood zone (:func:`geo_klaster.analysis.exposure.flood_parts`) or of a target area (kecamatan,
   desa), and where a site joins it. Each piece lies wholly inside or outside every zone and
   area, so its midpoint classifies it.
3. **Speeds.** A piece runs at the road's ``kecepatan`` or its class speed
   (``AnalysisConfig.kecepatan_kelas``, else ``kecepatan_lain``); in a zone of a class in
   ``potong`` it is impassable (removed), in a class of ``lambat`` its speed is multiplied by
   the factor. Where zones of several classes meet the higher class counts (``flood_parts``
   keeps the higher one). Direction: ``oneway`` ``yes`` along the line, ``-1`` against it,
   ``no`` both; missing = both, except ``motorway`` (one-way, as OSM implies).
4. **Sites** join the network at the nearest point of the nearest road piece (that piece is
   split there) and walk to it at ``kecepatan_jalan_kaki``. A site farther than
   ``jarak_jalan_maks_m`` from every road is cut off (``jauh dari jalan``); one whose joining
   point lies in a cut zone is cut off (``jalan tergenang``).
5. **Targets.** An area is reached at the first node of a passable piece on or inside its
   polygon: the moment a dry road enters it (consistent with the straight-line reach, the
   distance to the polygon). An area whose roads are all cut, or that has none, has no such
   node: nobody reaches it (*tanpa akses*).
6. **Contraction** (``build_network(contract=True)``): each area keeps only its entry nodes,
   chains of two-neighbour nodes become single arcs, and the other nodes with few neighbours
   are eliminated (arcs between their neighbours instead): no time between the kept nodes
   changes.
7. **Shortest paths**, batched (:func:`node_times`): one virtual node per target area, joined
   to the area's nodes by zero-minute arcs, and one ``scipy.sparse.csgraph.dijkstra`` call
   with ``indices=`` either from every area's virtual node on the reversed graph (when there
   are no more areas than site nodes) or from every site node (otherwise), on the nodes that
   lie on some site → area path only. The number of searches is the smaller of the two
   counts, and no search is run per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components, dijkstra

from geo_klaster.config import KELAS, AnalysisConfig
from geo_klaster.i18n import N_

#: Why a site or a (site, area) pair has no travel time (``alasan``).
JAUH = N_("jauh dari jalan")  # stored in Bahasa Indonesia; pages show _(alasan)
TERGENANG = N_("jalan tergenang")  # stored in Bahasa Indonesia; pages show _(alasan)
TERPUTUS_BANJIR = N_("rute terputus banjir")  # stored in Bahasa Indonesia; pages show _(alasan)
TIDAK_TERHUBUNG = N_(
    "tidak terhubung jaringan jalan"
)  # stored in Bahasa Indonesia; pages show _(alasan)
TANPA_JALAN = N_("tidak ada jalan di wilayah")  # stored in Bahasa Indonesia; pages show _(alasan)

_RANK = {k: i + 1 for i, k in enumerate(KELAS)}  # rendah 1, sedang 2, tinggi 3
_MIN_PER_M_PER_KMH = 60.0 / 1000.0  # minutes = metres × 0.06 / (km/h)


@dataclass
class Network:
    """The road graph of one scenario (metric CRS; times in minutes).

    Attributes
    ----------
    graph
        ``n × n`` CSR matrix: ``graph[u, v]`` = minutes from node ``u`` to ``v`` on the
        fastest passable piece between them (absent = no edge).
    xy
        ``n × 2`` node coordinates, metres.
    pieces
        Every piece of road: ``u``, ``v`` (nodes), ``panjang_m``, ``kecepatan`` (km/h before the
        flood), ``status`` (``normal``, ``lambat``, ``putus``), ``kelas_banjir``, ``arah``
        (1 along the line only, -1 against it only, 0 both) and ``baris`` (row of the road
        layer); geometry = LineString, metres.
    site_node
        Per site (input order): its joining node, -1 when cut off.
    site_walk_min
        Per site: minutes of the walk to the joining node (NaN when cut off).
    site_alasan
        Per site: '' or why it is cut off (:data:`JAUH`, :data:`TERGENANG`).
    target_nodes
        Per target area (input order): the nodes of passable pieces on or inside it.
    target_dry_nodes
        Per target area: the nodes of every piece on or inside it, flooded or not.
    """

    graph: sparse.csr_matrix
    xy: np.ndarray
    pieces: gpd.GeoDataFrame
    site_node: np.ndarray
    site_walk_min: np.ndarray
    site_alasan: np.ndarray
    target_nodes: list[np.ndarray]
    target_dry_nodes: list[np.ndarray]
    full_graph: sparse.csr_matrix | None = None
    full_target_nodes: list[np.ndarray] | None = None

    def waktu_ke(self, target: int) -> np.ndarray:
        """Minutes from every node to target area ``target`` on the whole (uncontracted) graph
        (``inf`` where it cannot be reached): one reversed multi-source search, for maps."""
        graph = self.full_graph if self.full_graph is not None else self.graph
        nodes = (self.full_target_nodes or self.target_nodes)[target]
        if len(nodes) == 0:
            return np.full(graph.shape[0], np.inf)
        return dijkstra(graph.T.tocsr(), directed=True, indices=nodes, min_only=True)

    @property
    def km_putus(self) -> float:
        """Length of the impassable road pieces, km."""
        cut = self.pieces["status"].to_numpy() == "putus"
        return float(self.pieces["panjang_m"].to_numpy()[cut].sum() / 1000.0)

    @property
    def km_lambat(self) -> float:
        """Length of the slowed road pieces, km."""
        slow = self.pieces["status"].to_numpy() == "lambat"
        return float(self.pieces["panjang_m"].to_numpy()[slow].sum() / 1000.0)


# -- segments -------------------------------------------------------------------------------


def _speeds_and_direction(
    jalan: pd.DataFrame, cfg: AnalysisConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Per road row: speed (km/h, before the flood) and direction (1, -1 or 0)."""
    kelas = jalan["kelas"].astype(str).to_numpy()
    speed = np.array([cfg.kecepatan_kelas.get(k, cfg.kecepatan_lain) for k in kelas], dtype=float)
    if "kecepatan" in jalan:
        own = pd.to_numeric(jalan["kecepatan"], errors="coerce").to_numpy(dtype=float)
        speed = np.where(np.isfinite(own) & (own > 0), own, speed)
    oneway = jalan["oneway"] if "oneway" in jalan else pd.Series(None, index=jalan.index)
    text = oneway.astype(object).where(oneway.notna(), "").astype(str).to_numpy()
    arah = np.where(text == "yes", 1, np.where(text == "-1", -1, 0))
    arah = np.where((text == "") & (kelas == "motorway"), 1, arah)
    return speed, arah.astype(np.int8)


def _segments(jalan: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertex-to-vertex segments of every line: (start n×2, end n×2, road row), non-zero."""
    parts, row = shapely.get_parts(jalan.geometry.to_numpy(), return_index=True)
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    i = np.flatnonzero(part_of[:-1] == part_of[1:])
    a, b, r = coords[i], coords[i + 1], row[part_of[i]]
    keep = np.any(a != b, axis=1)
    return a[keep], b[keep], r[keep]


def _boundary_segments(polys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every edge of every ring of ``polys``: (start, end) arrays."""
    if len(polys) == 0:
        return np.zeros((0, 2)), np.zeros((0, 2))
    rings = shapely.get_rings(shapely.get_parts(polys))
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    i = np.flatnonzero(ring_of[:-1] == ring_of[1:])
    return coords[i], coords[i + 1]


def _crossings(
    a: np.ndarray, b: np.ndarray, lines: np.ndarray, qa: np.ndarray, qb: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(segment, t) where road segment ``a→b`` crosses boundary edge ``qa→qb``, 0 < t < 1."""
    if len(qa) == 0 or len(a) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    edges = shapely.linestrings(np.stack([qa, qb], axis=1))
    i_edge, i_seg = shapely.STRtree(lines).query(edges, predicate="intersects")
    p, r = a[i_seg], b[i_seg] - a[i_seg]
    q, s = qa[i_edge], qb[i_edge] - qa[i_edge]
    rxs = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
    qp = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / rxs
    ok = (rxs != 0) & (t > 0) & (t < 1)
    return i_seg[ok], t[ok]


def _flood_rank(points: np.ndarray, zona: gpd.GeoDataFrame) -> np.ndarray:
    """Highest hazard rank (0 dry, 1 rendah, 2 sedang, 3 tinggi) at each point."""
    out = np.zeros(len(points), dtype=np.int8)
    if len(zona) == 0 or len(points) == 0:
        return out
    rank = zona["kelas"].astype(str).map(_RANK).fillna(0).to_numpy(dtype=np.int8)
    i_zone, i_pt = _polygons_points(zona.geometry.to_numpy(), points)
    np.maximum.at(out, i_pt, rank[i_zone])
    return out


def _polygons_points(polys: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(polygon, point) index pairs where they intersect. The tree holds the points and each
    polygon is the (prepared) query: a point-in-polygon test against a prepared polygon is
    indexed, against a bare one it walks every vertex (2007 flood RW parts: 1.6 s → 0.06 s for
    100,000 road pieces; the same pairs)."""
    if len(polys) == 0 or len(points) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    i_poly, i_pt = shapely.STRtree(points).query(polys, predicate="intersects")
    return i_poly, i_pt


# -- the network ----------------------------------------------------------------------------


def build_network(
    jalan: gpd.GeoDataFrame,
    zona: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    config: AnalysisConfig | None = None,
    contract: bool = True,
) -> Network:
    """The road graph of one scenario, with the sites joined and the target areas marked.

    Parameters
    ----------
    jalan
        Road lines (``kelas``, optional ``oneway``, ``kecepatan``), metric CRS.
    zona
        Flood zones as non-overlapping parts with ``kelas`` (:func:`~geo_klaster.analysis.exposure.
        flood_parts`), same CRS; empty = no flood.
    targets
        Target areas (kecamatan or desa polygons), same CRS, in the order of the result.
    sites
        Site points, same CRS, in the order of the result.
    config
        Speeds, cut and slow classes, walking speed and join distance; None = defaults.
    contract
        Shrink the graph without changing any answer: each target keeps only its *entry*
        nodes (an in-arc from outside it; the first node of a target on any path from outside
        is one) and the site nodes inside it, chains through nodes with two neighbours
        that are neither become single arcs (:func:`_contract`), then every other node with at
        most ten neighbours is eliminated, its in- and out-arcs replaced by arcs between its
        neighbours (:func:`_eliminate`; Jakarta dry: 36,826 nodes → 6,461). False keeps every
        node (for checks and for comparing engines on the uncontracted graph).

    Returns
    -------
    Network
    """
    cfg = config or AnalysisConfig()
    for name, frame in (("zona_banjir", zona), ("kecamatan", targets), ("lokasi", sites)):
        if frame.crs is not None and jalan.crs is not None and not frame.crs.equals(jalan.crs):
            raise ValueError(f"jalan dan {name} harus dalam CRS yang sama / same CRS")
    speed_row, arah_row = _speeds_and_direction(jalan, cfg)
    a, b, row = _segments(jalan)
    seg_lines = shapely.linestrings(np.stack([a, b], axis=1))
    n_seg = len(a)

    # where each site joins: the nearest point of the nearest segment
    pts = sites.geometry.to_numpy()
    n_site = len(pts)
    site_seg = np.full(n_site, -1, dtype=np.int64)
    site_t = np.zeros(n_site)
    walk_m = np.full(n_site, np.nan)
    ok_pt = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    if n_seg and ok_pt.any():
        i_pt, i_seg = shapely.STRtree(seg_lines).query_nearest(
            pts[ok_pt], max_distance=cfg.jarak_jalan_maks_m, all_matches=False
        )
        sel = np.flatnonzero(ok_pt)[i_pt]
        site_seg[sel] = i_seg
        site_t[sel] = shapely.line_locate_point(seg_lines[i_seg], pts[sel], normalized=True)
        walk_m[sel] = shapely.distance(seg_lines[i_seg], pts[sel])
    joined = site_seg >= 0

    # split parameters: segment ends, boundary crossings, site joins
    fa, fb = _boundary_segments(zona.geometry.to_numpy())
    ta, tb = _boundary_segments(targets.geometry.to_numpy())
    c_seg, c_t = _crossings(a, b, seg_lines, np.vstack([fa, ta]), np.vstack([fb, tb]))
    inner = joined & (site_t > 0) & (site_t < 1)
    seg_all = np.concatenate([np.arange(n_seg), np.arange(n_seg), c_seg, site_seg[inner]])
    t_all = np.concatenate([np.zeros(n_seg), np.ones(n_seg), c_t, site_t[inner]])
    order = np.lexsort((t_all, seg_all))
    seg_s, t_s = seg_all[order], t_all[order]
    first = np.ones(len(seg_s), dtype=bool)
    first[1:] = (seg_s[1:] != seg_s[:-1]) | (t_s[1:] != t_s[:-1])
    seg_s, t_s = seg_s[first], t_s[first]

    # nodes: segment ends by their coordinates (shared vertices meet), split points each new
    ends, end_id = np.unique(np.vstack([a, b]), axis=0, return_inverse=True)
    end_id = end_id.ravel()
    node = np.empty(len(seg_s), dtype=np.int64)
    at_a, at_b = t_s == 0.0, t_s == 1.0
    node[at_a] = end_id[seg_s[at_a]]
    node[at_b] = end_id[n_seg + seg_s[at_b]]
    mid_pt = ~(at_a | at_b)
    node[mid_pt] = len(ends) + np.arange(int(mid_pt.sum()))
    d = b - a
    split_xy = a[seg_s[mid_pt]] + t_s[mid_pt, None] * d[seg_s[mid_pt]]
    xy = np.vstack([ends, split_xy])

    # pieces between consecutive split parameters of a segment
    k = np.flatnonzero(seg_s[:-1] == seg_s[1:])
    p_seg = seg_s[k]
    u, v = node[k], node[k + 1]
    seg_len = np.hypot(d[:, 0], d[:, 1])
    length = (t_s[k + 1] - t_s[k]) * seg_len[p_seg]
    mid = shapely.points(a[p_seg] + ((t_s[k] + t_s[k + 1]) / 2)[:, None] * d[p_seg])
    rank = _flood_rank(mid, zona)
    cut_rank = {_RANK[c] for c in cfg.potong}
    factor = np.ones(len(k))
    for kelas, f in cfg.lambat.items():
        factor[rank == _RANK[kelas]] = f
    putus = np.isin(rank, list(cut_rank)) if cut_rank else np.zeros(len(k), dtype=bool)
    status = np.where(putus, "putus", np.where(factor < 1, "lambat", "normal"))
    speed = speed_row[row[p_seg]]
    arah = arah_row[row[p_seg]]
    minutes = length * _MIN_PER_M_PER_KMH / (speed * factor)

    n_node = len(xy)
    graph = _graph(u[~putus], v[~putus], minutes[~putus], arah[~putus], n_node)

    # sites: joining node, walk, why cut off
    site_node = np.full(n_site, -1, dtype=np.int64)
    key_s = seg_s.astype(float) * 2.0 + t_s  # sorted: seg major, t minor (t in [0, 1])
    key_site = site_seg[joined].astype(float) * 2.0 + site_t[joined]
    site_node[joined] = node[np.searchsorted(key_s, key_site)]
    join_rank = _flood_rank(shapely.points(xy[site_node[joined]]), zona)
    alasan = np.full(n_site, JAUH, dtype=object)
    alasan[joined] = np.where(np.isin(join_rank, list(cut_rank)), TERGENANG, "")
    usable = alasan == ""
    site_node[~usable] = -1
    walk_min = np.where(usable, walk_m * _MIN_PER_M_PER_KMH / cfg.kecepatan_jalan_kaki, np.nan)

    # target areas: nodes of the pieces on or inside each polygon
    i_target, i_mid = _polygons_points(targets.geometry.to_numpy(), mid)
    target_nodes = _nodes_per_target(i_target, i_mid, u, v, len(targets), ~putus)
    target_dry = _nodes_per_target(i_target, i_mid, u, v, len(targets), None)
    full_graph, full_targets = graph, target_nodes
    if contract:
        target_nodes = _entries(graph, target_nodes, site_node)
        keep = np.concatenate([*target_nodes, site_node[site_node >= 0]])
        graph = _contract(graph, np.unique(keep))
        graph = _eliminate(graph, np.unique(keep))

    pieces = gpd.GeoDataFrame(
        {
            "u": u,
            "v": v,
            "panjang_m": length,
            "kecepatan": speed,
            "status": pd.Series(status, dtype="str"),
            "kelas_banjir": pd.Series(np.array(["", *KELAS], dtype=object)[rank], dtype="str"),
            "arah": arah,
            "baris": row[p_seg],
        },
        geometry=shapely.linestrings(np.stack([xy[u], xy[v]], axis=1)) if len(k) else [],
        crs=jalan.crs,
    )
    return Network(
        graph, xy, pieces, site_node, walk_min, alasan.astype(str), target_nodes, target_dry,
        full_graph, full_targets,
    )  # fmt: skip


def _csr_min(src: np.ndarray, dst: np.ndarray, wt: np.ndarray, n: int) -> sparse.csr_matrix:
    """CSR matrix of arcs; parallel arcs keep the smallest weight, self-loops are dropped."""
    s, d, w = _arcs_min(src.astype(np.int64), dst.astype(np.int64), wt, n)
    return sparse.csr_matrix((w, (s, d)), shape=(n, n))


def _entries(
    graph: sparse.csr_matrix, target_nodes: list[np.ndarray], site_node: np.ndarray
) -> list[np.ndarray]:
    """Per target: its nodes with an in-arc from a node outside it, and the site nodes in it."""
    n_t = len(target_nodes)
    if n_t == 0:
        return target_nodes
    node = np.concatenate(target_nodes).astype(np.int64)
    tgt = np.repeat(np.arange(n_t), [len(x) for x in target_nodes])
    member = np.sort(node * n_t + tgt)
    csc = graph.tocsc()
    indeg = np.diff(csc.indptr)[node]
    start = csc.indptr[node]
    pos = np.repeat(start - (np.cumsum(indeg) - indeg), indeg) + np.arange(int(indeg.sum()))
    pred = csc.indices[pos].astype(np.int64)
    pair = np.repeat(np.arange(len(node)), indeg)
    key = pred * n_t + tgt[pair]
    found = np.searchsorted(member, key)
    inside = (found < len(member)) & (member[np.minimum(found, len(member) - 1)] == key)
    entry = np.zeros(len(node), dtype=bool)
    entry[pair[~inside]] = True
    entry |= np.isin(node, site_node[site_node >= 0])
    bounds = np.concatenate([[0], np.cumsum([len(x) for x in target_nodes])])
    return [node[bounds[j] : bounds[j + 1]][entry[bounds[j] : bounds[j + 1]]] for j in range(n_t)]


def _contract(graph: sparse.csr_matrix, protected: np.ndarray) -> sparse.csr_matrix:
    """Replace every chain through unprotected nodes with exactly two neighbours by one arc
    each way it can be driven (weights summed along the chain); node numbers are kept (the
    chain's inner nodes are left without arcs). Shortest times between the remaining nodes are
    unchanged: a path entering a chain node can only continue along the chain."""
    n = graph.shape[0]
    coo = graph.tocoo()
    a = np.minimum(coo.row, coo.col).astype(np.int64)
    b = np.maximum(coo.row, coo.col).astype(np.int64)
    key, inv = np.unique(a * n + b, return_inverse=True)
    pa, pb = key // n, key % n
    fwd = np.full(len(key), np.inf)  # pa -> pb
    back = np.full(len(key), np.inf)  # pb -> pa
    along = coo.row == a
    fwd[inv[along]] = coo.data[along]
    back[inv[~along]] = coo.data[~along]
    deg = np.bincount(np.concatenate([pa, pb]), minlength=n)
    chain = deg == 2
    chain[protected] = False
    direct = ~(chain[pa] | chain[pb])
    src = [pa[direct], pb[direct]]
    dst = [pb[direct], pa[direct]]
    wt = [fwd[direct], back[direct]]
    # incidence of the chain pairs, two per chain node
    ends = np.concatenate([pa, pb])
    pair_of = np.concatenate([np.arange(len(key)), np.arange(len(key))])
    order = np.argsort(ends, kind="stable")
    inc_ptr = np.searchsorted(ends[order], np.arange(n + 1))
    inc = pair_of[order].tolist()
    ptr, pal, pbl = inc_ptr.tolist(), pa.tolist(), pb.tolist()
    fl, bl, is_chain = fwd.tolist(), back.tolist(), chain.tolist()
    seen = [False] * len(key)
    cs, cd, cw_f, cw_b = [], [], [], []
    for p in np.flatnonzero(~direct).tolist():
        for s in (pal[p], pbl[p]):
            if is_chain[s] or seen[p]:
                continue
            cur, q, wf, wb = s, p, 0.0, 0.0
            while True:
                seen[q] = True
                if pal[q] == cur:
                    nxt, wf, wb = pbl[q], wf + fl[q], wb + bl[q]
                else:
                    nxt, wf, wb = pal[q], wf + bl[q], wb + fl[q]
                if not is_chain[nxt]:
                    break
                i0 = inc[ptr[nxt]]
                q = inc[ptr[nxt] + 1] if i0 == q else i0
                cur = nxt
            cs.append(s), cd.append(nxt), cw_f.append(wf), cw_b.append(wb)
    cs_a, cd_a = np.array(cs, dtype=np.int64), np.array(cd, dtype=np.int64)
    src += [cs_a, cd_a]
    dst += [cd_a, cs_a]
    wt += [np.array(cw_f), np.array(cw_b)]
    s_all, d_all, w_all = np.concatenate(src), np.concatenate(dst), np.concatenate(wt)
    ok = np.isfinite(w_all)
    return _csr_min(s_all[ok], d_all[ok], w_all[ok], n)


def _eliminate(
    graph: sparse.csr_matrix, protected: np.ndarray, *, max_deg: int = 10, rounds: int = 60
) -> sparse.csr_matrix:
    """Remove unprotected nodes with few neighbours, keeping every shortest time between the
    others: node ``x`` with in-arcs ``u → x`` and out-arcs ``x → w`` is replaced by the arcs
    ``u → w`` (weights summed; a parallel arc keeps the smaller weight; ``u → u`` dropped), so
    any path through ``x`` has a path of the same time without it. Each round removes a set of
    pairwise non-adjacent nodes with at most ``max_deg`` neighbours (the fewest-neighbour one of
    two adjacent candidates goes first), vectorised; rounds stop when few nodes go or the arcs
    have doubled (a bound on the shortcuts added on dense graphs). Dead ends
    (one neighbour) simply vanish. Node numbers are kept (removed nodes are left without arcs).
    """
    n = graph.shape[0]
    coo = graph.tocoo()
    src, dst, wt = _arcs_min(coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data, n)
    prot = np.zeros(n, dtype=bool)
    prot[protected] = True
    ids = np.arange(n, dtype=np.int64)
    n_arcs = len(src)
    for _ in range(rounds):
        # neighbours: out-arcs + in-arcs - arcs whose reverse exists (counted twice)
        key = src * n + dst  # sorted by _arcs_min
        rkey = dst * n + src
        pos = np.minimum(np.searchsorted(key, rkey), max(len(key) - 1, 0))
        two = key[pos] == rkey if len(key) else np.zeros(0, dtype=bool)
        deg = (
            np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
            - np.bincount(src[two], minlength=n)
        )  # fmt: skip
        sel = ~prot & (deg > 0) & (deg <= max_deg)
        both = sel[src] & sel[dst]
        prio = deg * n + ids
        pa, pb = src[both], dst[both]
        sel[np.where(prio[pa] > prio[pb], pa, pb)] = False
        n_sel = int(sel.sum())
        if n_sel == 0:
            break
        into, outof = sel[dst], sel[src]  # never both: selected nodes are not adjacent
        ia = np.flatnonzero(into)
        ia = ia[np.argsort(dst[ia], kind="stable")]
        oa = np.flatnonzero(outof)
        oa = oa[np.argsort(src[oa], kind="stable")]
        n_out = np.bincount(src[oa], minlength=n)
        out_start = np.concatenate([[0], np.cumsum(n_out)])
        reps = n_out[dst[ia]]  # each in-arc of x pairs with each out-arc of x
        first = np.cumsum(reps) - reps
        in_arc = np.repeat(ia, reps)
        out_arc = oa[np.repeat(out_start[dst[ia]] - first, reps) + np.arange(int(reps.sum()))]
        rest = ~(into | outof)
        src = np.concatenate([src[rest], src[in_arc]])
        dst = np.concatenate([dst[rest], dst[out_arc]])
        wt = np.concatenate([wt[rest], wt[in_arc] + wt[out_arc]])
        src, dst, wt = _arcs_min(src, dst, wt, n)
        if n_sel * 200 < int((deg > 0).sum()) or len(src) > 2 * n_arcs:
            break  # fewer than ~0.5 % of the nodes went, or the arcs doubled: stop
    return sparse.csr_matrix((wt, (src, dst)), shape=(n, n))


def _arcs_min(
    src: np.ndarray, dst: np.ndarray, wt: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arcs without self-loops, parallel arcs reduced to the smallest weight, by (src, dst)."""
    keep = src != dst
    key, wt = src[keep] * n + dst[keep], wt[keep]
    order = np.argsort(key)
    key, wt = key[order], wt[order]
    first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if len(key) else key
    wt = np.minimum.reduceat(wt, first) if len(key) else wt
    key = key[first]
    return key // n, key % n, wt


def _graph(
    u: np.ndarray, v: np.ndarray, w: np.ndarray, arah: np.ndarray, n: int
) -> sparse.csr_matrix:
    """CSR graph of the passable pieces in their allowed directions; parallel edges keep
    the fastest (a plain COO → CSR conversion would add them up)."""
    fwd = arah >= 0
    back = arah <= 0
    src = np.concatenate([u[fwd], v[back]])
    dst = np.concatenate([v[fwd], u[back]])
    wt = np.concatenate([w[fwd], w[back]])
    return _csr_min(src, dst, wt, n)


def _nodes_per_target(
    i_target: np.ndarray,
    i_piece: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    n_target: int,
    passable: np.ndarray | None,
) -> list[np.ndarray]:
    if passable is not None:
        keep = passable[i_piece]
        i_target, i_piece = i_target[keep], i_piece[keep]
    tgt = np.concatenate([i_target, i_target])
    nodes = np.concatenate([u[i_piece], v[i_piece]])
    order = np.lexsort((nodes, tgt))
    tgt, nodes = tgt[order], nodes[order]
    bounds = np.searchsorted(tgt, np.arange(n_target + 1))
    return [np.unique(nodes[bounds[i] : bounds[i + 1]]) for i in range(n_target)]


# -- travel times ---------------------------------------------------------------------------


def node_times(
    net: Network, *, limit_min: float | None = None, metode: str | None = None
) -> np.ndarray:
    """Minutes from each site node to each target area on the network (no walking leg).

    Parameters
    ----------
    net
        The scenario's network.
    limit_min
        Stop searching beyond this many minutes (times beyond it are ``inf``); None = all.
    metode
        ``"tujuan"``: one reversed search per target area (from a virtual node joined to the
        area's nodes); ``"lokasi"``: one search per distinct site node (to the areas' virtual
        nodes); None = whichever needs fewer searches. Either way one batched
        ``dijkstra(indices=...)`` call (a few for large graphs), on the nodes that lie on some
        site → area path only (reachable from a site and reaching an area; others can change
        no answer), renumbered in breadth-first order.

    Returns
    -------
    numpy.ndarray
        ``sites × targets`` minutes; ``inf`` where no passable route exists (or beyond
        ``limit_min``), and for cut-off sites.
    """
    n_site, n_target = len(net.site_node), len(net.target_nodes)
    out = np.full((n_site, n_target), np.inf)
    if metode not in (None, "tujuan", "lokasi"):
        raise ValueError(f"metode harus 'tujuan' atau 'lokasi' / unknown: {metode!r}")
    usable = np.flatnonzero(net.site_node >= 0)
    uniq, back = np.unique(net.site_node[usable], return_inverse=True)
    have = np.array([i for i, nodes in enumerate(net.target_nodes) if len(nodes)], dtype=int)
    if len(uniq) == 0 or len(have) == 0:
        return out
    limit = np.inf if limit_min is None else float(limit_min)
    graph = net.graph
    n = graph.shape[0]
    # only nodes on some site -> target path matter: reachable from a site and reaching a
    # target; renumbered 0..m-1 in breadth-first order (neighbours close in memory)
    reverse = graph.T.tocsr()
    from_site, _ = _reached(graph, uniq)
    to_target, order = _reached(reverse, np.concatenate([net.target_nodes[j] for j in have]))
    on_path = from_site & to_target
    order = order[on_path[order]]
    m = len(order)
    new = np.full(n, -1, dtype=np.int64)
    new[order] = np.arange(m)
    site_new = new[uniq]
    tgt_new = [new[net.target_nodes[j]] for j in have]
    tgt_new = [x[x >= 0] for x in tgt_new]
    live_t = np.array([len(x) > 0 for x in tgt_new], dtype=bool)
    live_s = site_new >= 0
    if not live_t.any() or not live_s.any():
        return out
    have, tgt_new, starts = have[live_t], [x for x in tgt_new if len(x)], site_new[live_s]
    n_t = len(have)
    # one virtual node per target area (m + k), joined to its nodes by zero-minute arcs: the
    # time to it is the time to the area's nearest node; one batched call over the sources
    coo = graph.tocoo()
    arc = on_path[coo.row] & on_path[coo.col]
    a_src, a_dst, a_wt = new[coo.row[arc]], new[coo.col[arc]], coo.data[arc]
    t_node = np.concatenate(tgt_new)
    t_virt = m + np.repeat(np.arange(n_t), [len(x) for x in tgt_new])
    zero = np.zeros(len(t_node))
    size = m + n_t
    if metode is None:
        metode = "tujuan" if n_t <= len(starts) else "lokasi"
    if metode == "tujuan":  # reversed graph, from each area's virtual node
        g = sparse.csr_matrix(
            (np.concatenate([a_wt, zero]), (np.concatenate([a_dst, t_virt]),
             np.concatenate([a_src, t_node]))), shape=(size, size),
        )  # fmt: skip
        sources, cols = m + np.arange(n_t), starts
    else:  # forward graph, from each site node to the virtual nodes
        g = sparse.csr_matrix(
            (np.concatenate([a_wt, zero]), (np.concatenate([a_src, t_node]),
             np.concatenate([a_dst, t_virt]))), shape=(size, size),
        )  # fmt: skip
        sources, cols = starts, m + np.arange(n_t)
    res = np.empty((len(sources), len(cols)))
    chunk = max(1, int(4e6 // size))  # rows of `size` floats per call: bounded memory
    for s0 in range(0, len(sources), chunk):
        dist = dijkstra(g, directed=True, indices=sources[s0 : s0 + chunk], limit=limit)
        res[s0 : s0 + chunk] = dist[:, cols]
    if metode == "tujuan":
        res = res.T
    site_res = np.full((len(uniq), n_t), np.inf)
    site_res[live_s] = res
    out[np.ix_(usable, have)] = site_res[back]
    return out


def _reached(graph: sparse.csr_matrix, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes reachable from any of ``starts`` along the arcs: (mask, breadth-first order)."""
    n = graph.shape[0]
    starts = np.unique(starts)
    indptr = np.concatenate([graph.indptr, [graph.indptr[-1] + len(starts)]])
    indices = np.concatenate([graph.indices, starts])
    ext = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n + 1, n + 1))
    order = breadth_first_order(ext, n, directed=True, return_predecessors=False)[1:]
    mask = np.zeros(n, dtype=bool)
    mask[order] = True
    return mask, order


def travel_times(
    net: Network,
    site_ids: np.ndarray,
    target_ids: np.ndarray,
    *,
    metode: str | None = None,
) -> pd.DataFrame:
    """Every (target, site) pair: travel time (walk + road), whether cut off, and why.

    Returns
    -------
    pandas.DataFrame
        ``kode`` (target id), ``lokasi_id``, ``waktu_menit`` (float minutes: the walk at
        ``kecepatan_jalan_kaki`` plus the road; NaN when cut off), ``terputus`` (bool: no
        passable route) and ``alasan`` ('' or why: the site's own reason, :data:`TANPA_JALAN`,
        :data:`TERPUTUS_BANJIR` or :data:`TIDAK_TERHUBUNG`); one row per pair, targets major.
    """
    road = node_times(net, metode=metode)
    total = road + np.nan_to_num(net.site_walk_min, nan=np.inf)[:, None]
    n_site, n_target = road.shape
    alasan = np.full((n_site, n_target), "", dtype=object)
    site_bad = net.site_alasan != ""
    alasan[site_bad, :] = net.site_alasan[site_bad, None]
    rest = ~np.isfinite(road) & ~site_bad[:, None]
    if rest.any():
        alasan[rest] = _why_no_route(net)[rest]
    terputus = alasan != ""
    waktu = np.where(terputus, np.nan, total)
    kode = np.repeat(np.asarray(target_ids, dtype=object), n_site)
    lokasi = np.tile(np.asarray(site_ids, dtype=object), n_target)
    return pd.DataFrame(
        {
            "kode": pd.Series(kode, dtype="str"),
            "lokasi_id": pd.Series(lokasi, dtype="str"),
            "waktu_menit": waktu.T.ravel(),
            "terputus": terputus.T.ravel(),
            "alasan": pd.Series(alasan.T.ravel(), dtype="str"),
        }
    )


def _why_no_route(net: Network) -> np.ndarray:
    """``sites × targets`` reason where a usable site has no route to a target."""
    n_site, n_target = len(net.site_node), len(net.target_nodes)
    out = np.full((n_site, n_target), TERPUTUS_BANJIR, dtype=object)
    p = net.pieces
    dry = sparse.csr_matrix(
        (np.ones(len(p)), (p["u"].to_numpy(), p["v"].to_numpy())), shape=net.graph.shape
    )
    comp = connected_components(dry, directed=False)[1]
    for j, nodes in enumerate(net.target_dry_nodes):
        if len(nodes) == 0:
            out[:, j] = TANPA_JALAN
            continue
        joined = net.site_node >= 0
        same = np.zeros(n_site, dtype=bool)
        same[joined] = np.isin(comp[net.site_node[joined]], comp[nodes])
        out[joined & ~same, j] = TIDAK_TERHUBUNG
    return out


def pieces_length_km(net: Network) -> pd.DataFrame:
    """Connected pieces of the road network before the flood: length per piece, km, largest
    first (undirected: noding quality, not routing)."""
    p = net.pieces
    graph = sparse.csr_matrix(
        (np.ones(len(p)), (p["u"].to_numpy(), p["v"].to_numpy())), shape=net.graph.shape
    )
    comp = connected_components(graph, directed=False)[1][p["u"].to_numpy()]
    km = pd.Series(p["panjang_m"].to_numpy() / 1000.0).groupby(comp).sum()
    return km.sort_values(ascending=False).rename("km").reset_index(drop=True).to_frame()
