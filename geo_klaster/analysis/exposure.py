"""Exposure: one scenario's flood zones overlaid with the kecamatan, in a metric CRS.

Per kecamatan: area (m²), flooded area in total and per hazard class, flooded share,
exposed people (``terdampak``), displaced people (``pengungsi``), ``berisiko`` and a rank.

Rules
-----
* The flood zones are reprojected once, made valid, dissolved per class and **exploded**
  into single polygons before the overlay (one huge multipolygon is over ten times slower).
* Where zones of different classes overlap in the input, the higher class wins: ``sedang``
  loses what ``tinggi`` covers and ``rendah`` what either covers, so no area counts twice.
* Exposed people are area-weighted: ``penduduk × flooded area / area``, per class. Where every
  desa of a kecamatan has a population, the desa are overlaid instead and their exposed
  people summed per kecamatan (joined on ``desa.kode``, never on names). A kecamatan with
  unknown population keeps its flooded area; its exposed and displaced people are NaN.
* Displaced people = Σ over classes of exposed people × the class displacement rate.
  People are expected numbers, not rounded.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from geo_klaster.analysis.parallel import elementwise
from geo_klaster.analysis.validity import is_valid
from geo_klaster.config import KELAS, AnalysisConfig
from geo_klaster.crs import check_same_crs
from geo_klaster.errors import InputError

KOLOM_KELAS = [f"luas_{k}_m2" for k in KELAS]
KOLOM = [
    "kode",
    "nama",
    "skenario",
    "penduduk",
    "luas_m2",
    "luas_banjir_m2",
    "porsi_banjir",
    "terdampak",
    "pengungsi",
    "berisiko",
    *KOLOM_KELAS,
    "peringkat",
    "dasar_penduduk",
]


def _valid(geoms: np.ndarray) -> np.ndarray:
    """Geometries made valid where they are not (GEOS make_valid), polygons kept."""
    geoms = np.asarray(geoms, dtype=object).copy()
    bad = ~is_valid(geoms) & ~shapely.is_missing(geoms)
    if bad.any():
        fixed = shapely.make_valid(geoms[bad])
        geoms[bad] = [_polygonal(g) for g in fixed]
    return geoms


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(geom)
    polys = parts[shapely.get_type_id(parts) == 3]
    return shapely.multipolygons(polys) if len(polys) else shapely.Polygon()


def _polygons(geoms: np.ndarray) -> np.ndarray:
    """The non-empty single polygons of ``geoms`` (exploded)."""
    parts = shapely.get_parts(geoms)
    return parts[(shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)]


def _groups(i: np.ndarray, j: np.ndarray, n: int) -> np.ndarray:
    """Connected-component label of each of ``n`` items linked by the pairs (i, j)."""
    graph = sparse.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _dissolve(geoms: np.ndarray) -> np.ndarray:
    """Union of ``geoms`` as single polygons, computed only where polygons meet.

    Polygons that touch or overlap no other are kept as they are; each group of mutually
    reachable overlapping polygons (an STRtree ``intersects`` self-join, then connected
    components) is unioned on its own. Same result as ``get_parts(union_all(geoms))`` (up
    to the order of the parts), without one cascaded union over the whole layer.
    """
    parts = _polygons(geoms)
    if len(parts) < 2:
        return parts
    i, j = shapely.STRtree(parts).query(parts, predicate="intersects")
    link = i < j
    if not link.any():
        return parts
    label = _groups(i[link], j[link], len(parts))
    size = np.bincount(label)
    alone = size[label] == 1
    order = np.argsort(label[~alone], kind="stable")
    members = np.flatnonzero(~alone)[order]
    cuts = np.flatnonzero(np.diff(label[members])) + 1
    merged = [shapely.union_all(parts[g]) for g in np.split(members, cuts)]
    return np.concatenate([parts[alone], _polygons(np.array(merged, dtype=object))])


def _minus(parts: np.ndarray, above: np.ndarray) -> np.ndarray:
    """``parts`` minus the area of ``above`` (both single polygons), as single polygons.

    Only the parts an ``above`` polygon intersects are touched; each loses the union of the
    ones it meets.
    """
    if len(parts) == 0 or len(above) == 0:
        return parts
    i, j = shapely.STRtree(above).query(parts, predicate="intersects")
    if len(i) == 0:
        return parts
    hit = np.unique(i)
    count = np.bincount(i, minlength=len(parts))
    one = count[i] == 1
    cutter = np.empty(len(parts), dtype=object)
    cutter[i[one]] = above[j[one]]
    many = np.flatnonzero(count > 1)
    if len(many):
        order = np.argsort(i, kind="stable")
        si, sj = i[order], j[order]
        starts = np.searchsorted(si, many)
        cutter[many] = [
            shapely.union_all(above[sj[a : a + count[m]]])
            for a, m in zip(starts, many, strict=True)
        ]
    untouched = np.ones(len(parts), dtype=bool)
    untouched[hit] = False
    cut = shapely.difference(parts[hit], cutter[hit])
    return np.concatenate([parts[untouched], _polygons(cut)])


def flood_parts(zona: gpd.GeoDataFrame, *, crs: CRS) -> gpd.GeoDataFrame:
    """Flood zones as non-overlapping single polygons per class, in the metric CRS.

    Parameters
    ----------
    zona
        One scenario's ``zona_banjir`` (any CRS; usually EPSG:4326) with ``kelas``.
    crs
        Metric CRS of the result.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kelas``, geometry (Polygon, metres); where classes overlapped, the higher one kept.
    """
    unknown = sorted(set(zona["kelas"].dropna().astype(str)) - set(KELAS))
    if unknown:
        raise InputError(f"zona_banjir: kelas tidak dikenal / unknown class: {', '.join(unknown)}")
    geoms = _valid(zona.geometry.to_crs(crs).to_numpy())
    kelas = zona["kelas"].astype(str).to_numpy()
    above = np.array([], dtype=object)  # dissolved parts of the higher classes
    rows: list[tuple[str, np.ndarray]] = []
    for k in reversed(KELAS):  # tinggi first: it keeps all its area
        mine = _dissolve(geoms[kelas == k])
        rows.append((k, _minus(mine, above)))
        above = np.concatenate([above, mine])
    kelas_out = np.concatenate([np.full(len(p), k, dtype=object) for k, p in rows])
    geom_out = np.concatenate([p for _, p in rows]) if rows else np.array([], dtype=object)
    return gpd.GeoDataFrame(
        {"kelas": pd.Series(kelas_out, dtype="str")}, geometry=geom_out, crs=crs
    )


def area_by_class(polygons: np.ndarray, parts: gpd.GeoDataFrame) -> np.ndarray:
    """Flooded area of each polygon per class, m² (array ``len(polygons) × 3``, KELAS order).

    ``polygons`` and ``parts`` must be in the same metric CRS. Candidate pairs come from an
    STRtree; intersections are computed vectorised over the pairs.
    """
    out = np.zeros((len(polygons), len(KELAS)))
    if len(parts) == 0 or len(polygons) == 0:
        return out
    part_geoms = parts.geometry.to_numpy()
    tree = shapely.STRtree(part_geoms)
    i_poly, i_part = tree.query(polygons, predicate="intersects")
    area = shapely.area(elementwise(shapely.intersection, polygons[i_poly], part_geoms[i_part]))
    kelas_idx = pd.Categorical(parts["kelas"].to_numpy()[i_part], categories=KELAS).codes
    np.add.at(out, (i_poly, kelas_idx), area)
    return out


def _desa_exposed(
    desa: gpd.GeoDataFrame, parts: gpd.GeoDataFrame, crs: CRS
) -> tuple[pd.DataFrame, pd.Series]:
    """Exposed people per kecamatan code and class from desa with population, and their total."""
    pop = pd.to_numeric(desa["penduduk"], errors="coerce")
    lengkap = pop.notna().groupby(desa["kode"].to_numpy()).all()
    lengkap = lengkap[lengkap]
    use = desa["kode"].isin(lengkap.index).to_numpy() & ~desa.geometry.is_empty.to_numpy()
    if not use.any():
        return pd.DataFrame(columns=list(KELAS), dtype=float), pd.Series(dtype=float)
    geoms = _valid(desa.geometry.to_crs(crs).to_numpy()[use])
    areas = area_by_class(geoms, parts)
    luas = shapely.area(geoms)
    p = pop.to_numpy()[use]
    with np.errstate(divide="ignore", invalid="ignore"):
        exposed = np.where(luas[:, None] > 0, p[:, None] * areas / luas[:, None], 0.0)
    kode = desa["kode"].to_numpy()[use]
    per_kode = pd.DataFrame(exposed, columns=list(KELAS)).groupby(kode).sum()
    return per_kode, pd.Series(p).groupby(kode).sum()


def peringkat(out: pd.DataFrame) -> np.ndarray:
    """Rank 1.. of each row: at risk first, then most displaced, most flooded, by ``kode``."""
    order = (
        out.reset_index(drop=True)
        .sort_values(
            ["berisiko", "pengungsi", "luas_banjir_m2", "kode"],
            ascending=[False, False, False, True],
            na_position="last",
            kind="stable",
        )
        .index.to_numpy()
    )
    rank = np.zeros(len(out), dtype=np.int64)
    rank[order] = np.arange(1, len(out) + 1)
    return rank


def exposure(
    kecamatan: gpd.GeoDataFrame,
    zona: gpd.GeoDataFrame,
    *,
    crs: CRS,
    config: AnalysisConfig,
    desa: gpd.GeoDataFrame | None = None,
    skenario: str | None = None,
    parts: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Flooded area, exposed and displaced people per kecamatan for one scenario.

    Parameters
    ----------
    kecamatan
        Layer ``kecamatan`` (``kode``, ``nama``, optional ``penduduk`` in persons, NaN = unknown).
    zona
        The scenario's ``zona_banjir`` rows; same CRS as ``kecamatan``.
    crs
        Metric CRS in which areas are computed (see :func:`geo_klaster.crs.metric_crs`).
    config
        Displacement rates per class and the ``berisiko`` threshold.
    desa
        Optional layer ``desa`` (``kode_desa``, ``kode``, ``penduduk``), same CRS.
    skenario
        Scenario name written to the result.
    parts
        Precomputed :func:`flood_parts` of ``zona`` (saves recomputing them).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`KOLOM` with the kecamatan geometry in its input CRS: areas in m²,
        ``porsi_banjir`` 0–1, ``terdampak``/``pengungsi`` in persons (NaN = unknown),
        ``berisiko`` bool, ``peringkat`` 1 = most displaced among those at risk,
        ``dasar_penduduk`` 'desa', 'kecamatan' or '' (unknown population).
    """
    out = exposure_table(
        kecamatan, zona, crs=crs, config=config, desa=desa, skenario=skenario, parts=parts
    )
    return gpd.GeoDataFrame(out, geometry=kecamatan.geometry.to_numpy(), crs=kecamatan.crs)


def exposure_table(
    kecamatan: gpd.GeoDataFrame,
    zona: gpd.GeoDataFrame,
    *,
    crs: CRS,
    config: AnalysisConfig,
    desa: gpd.GeoDataFrame | None = None,
    skenario: str | None = None,
    parts: gpd.GeoDataFrame | None = None,
    rank: bool = True,
) -> pd.DataFrame:
    """The columns of :func:`exposure` without the geometry (one row per kecamatan, input
    order); ``rank=False`` leaves ``peringkat`` 0, for a caller that ranks several tables
    together."""
    check_same_crs(kecamatan, zona, names=("kecamatan", "zona_banjir"))
    if parts is None:
        parts = flood_parts(zona, crs=crs)
    geoms = _valid(kecamatan.geometry.to_crs(crs).to_numpy())
    luas = shapely.area(geoms)
    areas = area_by_class(geoms, parts)
    luas_banjir = areas.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        porsi = np.where(luas > 0, luas_banjir / luas, np.nan)
        share = np.where(luas[:, None] > 0, areas / luas[:, None], 0.0)

    if "penduduk" in kecamatan:
        penduduk = pd.to_numeric(kecamatan["penduduk"], errors="coerce").to_numpy(dtype=float)
    else:
        penduduk = np.full(len(kecamatan), np.nan)
    exposed = penduduk[:, None] * share
    dasar = np.where(np.isnan(penduduk), "", "kecamatan").astype(object)

    if desa is not None and len(desa) and "penduduk" in desa:
        check_same_crs(kecamatan, desa, names=("kecamatan", "desa"))
        per_kode, total = _desa_exposed(desa, parts, crs)
        kode = kecamatan["kode"].to_numpy()
        hit = pd.Index(per_kode.index).get_indexer(kode)
        has = hit >= 0
        exposed[has] = per_kode.to_numpy()[hit[has]]
        penduduk = np.where(has & np.isnan(penduduk), total.reindex(kode).to_numpy(), penduduk)
        dasar[has] = "desa"

    rates = np.array([config.laju_pengungsian[k] for k in KELAS], dtype=float)
    out = pd.DataFrame(
        {
            "kode": kecamatan["kode"].to_numpy(),
            "nama": kecamatan["nama"].to_numpy() if "nama" in kecamatan else "",
            "skenario": skenario if skenario is not None else "",
            "penduduk": penduduk,
            "luas_m2": luas,
            "luas_banjir_m2": luas_banjir,
            "porsi_banjir": porsi,
            "terdampak": exposed.sum(axis=1),
            "pengungsi": exposed @ rates,
            "berisiko": np.nan_to_num(porsi, nan=0.0) >= config.ambang_berisiko,
            **{col: areas[:, i] for i, col in enumerate(KOLOM_KELAS)},
        }
    )
    for col in ("kode", "nama", "skenario"):
        out[col] = out[col].astype("str")
    out["dasar_penduduk"] = pd.Series(dasar, dtype="str")
    out["peringkat"] = peringkat(out) if rank else 0
    return out[KOLOM]
