"""One entry point: run a flood scenario from layers to gaps and a draft allocation.

:func:`run_analysis` is a pipeline of small named steps (exposure, sites in the flood, stock,
reach, needs, allocation, gaps), each a pure function of its own module; it returns one
:class:`AnalysisResult` that the CLI writes and the web app shows.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo_klaster.analysis.allocation import allocate
from geo_klaster.analysis.exposure import exposure_table, flood_parts, peringkat
from geo_klaster.analysis.gaps import gaps
from geo_klaster.analysis.needs import barang_utuh, needs
from geo_klaster.analysis.parallel import each
from geo_klaster.analysis.reach import reach
from geo_klaster.analysis.road_reach import RoadReach, empty_pairs, road_reach, usable_pairs
from geo_klaster.analysis.sites import sites_in_flood
from geo_klaster.analysis.stock import _committable, _current, _Kini, _last_report, _utc
from geo_klaster.config import AnalysisConfig
from geo_klaster.crs import (
    WGS84,
    metric_crs,
    reproject,
    transform_xy,
    utm_crs,
    utm_zone,
    utm_zones,
)
from geo_klaster.errors import InputError, NotFoundError


@dataclass
class AnalysisResult:
    """Everything one scenario's analysis produced (geometries in EPSG:4326).

    Attributes
    ----------
    kecamatan
        Every kecamatan: exposure columns (see :data:`geo_klaster.analysis.exposure.KOLOM`).
    lokasi
        Every site: ``lokasi_id, anggota_id, nama, kelas_banjir, status_stok,
        laporan_terakhir`` (its member's last report, UTC) ``, usang`` (stale member).
    jangkauan
        ``kode, lokasi_id, jarak_m, waktu_menit, terputus, alasan`` for the at-risk kecamatan:
        straight-line mode (``config.jangkauan == "garis"``) the pairs within ``jarak_km``
        (no time, never cut off); road mode the pairs within ``menit`` minutes and the pairs
        within ``jarak_km`` that are cut off (see :mod:`geo_klaster.analysis.road_reach`). Reach, gaps
        and the allocation use the pairs not cut off (:meth:`jangkauan_pakai`).
    kebutuhan
        ``kode, barang, satuan, kebutuhan, ilustratif, berisiko``: the at-risk kecamatan and
        those *di bawah ambang* with displaced people (not allocated to).
    gap
        ``kode, barang, satuan, berisiko, kebutuhan, terjangkau, teralokasi, kekurangan,
        alasan`` (see :func:`geo_klaster.analysis.gaps.gaps`).
    alokasi
        LineStrings site → kecamatan representative point: ``lokasi_id, anggota_id, kode,
        barang, jumlah, jarak_m, satuan, status_stok, usang``.
    zona
        The scenario's flood zones as given.
    stok
        Current stock per site and item with ``status_stok``, ``alasan``, ``komit``, ``usang``.
    crs_metrik
        The metric CRS of the computation; when the kecamatan span several UTM zones, the zone
        holding the most of them (each kecamatan's own is in ``crs_wilayah``).
    jalan
        Road mode: per region the cut and slowed roads, km cut, areas without access and
        the graph (:class:`geo_klaster.analysis.road_reach.RoadReach`); empty in straight-line mode.
    crs_wilayah
        Per kecamatan ``kode``: the EPSG code of the metric CRS its areas and distances were
        computed in (all ``crs_metrik`` for a regency; the UTM zone of each kecamatan when the
        data span several zones). Use :meth:`crs_untuk`.
    bulat
        Codes of the items counted in whole units (``barang.bulat``, or the unit's default
        for an item with a standard but no catalogue row).
    """

    skenario: str
    config: AnalysisConfig
    today: dt.date
    crs_metrik: CRS
    kecamatan: gpd.GeoDataFrame
    lokasi: gpd.GeoDataFrame
    jangkauan: pd.DataFrame
    kebutuhan: pd.DataFrame
    gap: pd.DataFrame
    alokasi: gpd.GeoDataFrame
    zona: gpd.GeoDataFrame
    stok: pd.DataFrame
    hari: int = 7
    waktu_s: dict[str, float] = field(default_factory=dict)
    crs_wilayah: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    bulat: frozenset[str] = frozenset()
    jalan: list[RoadReach] = field(default_factory=list)

    def jangkauan_pakai(self) -> pd.DataFrame:
        """The reach pairs that count (not cut off; by road within ``menit``)."""
        return usable_pairs(self.jangkauan, self.config)

    def ringkasan_jalan(self) -> dict[str, Any] | None:
        """Road mode: ``km_putus``, ``km_lambat`` (km) and the codes of the at-risk
        ``kecamatan_tanpa_akses`` and ``desa_tanpa_akses``; None in straight-line mode."""
        if self.config.jangkauan != "jalan":
            return None
        return {
            "km_putus": sum(r.km_putus for r in self.jalan),
            "km_lambat": sum(r.km_lambat for r in self.jalan),
            "kecamatan_tanpa_akses": sorted(k for r in self.jalan for k in r.kecamatan_tanpa_akses),
            "desa_tanpa_akses": sorted(k for r in self.jalan for k in r.desa_tanpa_akses),
        }

    def crs_untuk(self, kode: str) -> CRS:
        """The metric CRS in which kecamatan ``kode`` was computed."""
        epsg = self.crs_wilayah.get(kode) if len(self.crs_wilayah) else None
        return self.crs_metrik if epsg is None else CRS.from_epsg(int(epsg))

    def summary(self, *, top: int = 5) -> dict[str, Any]:
        """Headline figures, each saying what it counts.

        ``kecamatan_berisiko`` and ``pengungsi`` (persons) count the at-risk kecamatan (those
        with known population for ``pengungsi``; ``pengungsi_tidak_diketahui`` counts those
        without); ``kecamatan_di_bawah_ambang`` and ``pengungsi_di_bawah_ambang`` the
        kecamatan with displaced people below the at-risk threshold, which are listed but not
        allocated to; ``pengungsi_semua`` both. ``kekurangan_terbesar`` lists up to ``top``
        items by uncovered share of the need of the at-risk kecamatan (units differ between
        items). ``keterangan`` says in words what each total counts.
        """
        kec = self.kecamatan
        risk = kec[kec["berisiko"]]
        orang = kec["pengungsi"].to_numpy(dtype=float)
        below = kec[~kec["berisiko"].to_numpy(dtype=bool) & (orang > 0)]
        gap = self.gap[self.gap["berisiko"]] if "berisiko" in self.gap else self.gap
        per_item = (
            gap.groupby(["barang", "satuan"], as_index=False)[
                ["kebutuhan", "teralokasi", "kekurangan"]
            ]
            .sum(min_count=1)
            .assign(porsi=lambda d: d["kekurangan"] / d["kebutuhan"])
            .sort_values(["porsi", "kekurangan"], ascending=False, na_position="last")
        )
        per_item = per_item[per_item["kekurangan"] > 1e-9]
        pengungsi = float(risk["pengungsi"].sum(min_count=1))
        bawah = float(below["pengungsi"].sum()) if len(below) else 0.0
        ambang = _persen(self.config.ambang_berisiko)
        return {
            "skenario": self.skenario,
            "tanggal": self.today.isoformat(),
            "kecamatan_berisiko": len(risk),
            # unknown population stays unknown: NaN when no at-risk kecamatan has any
            "pengungsi": pengungsi,
            "pengungsi_tidak_diketahui": int(risk["pengungsi"].isna().sum()),
            "kecamatan_di_bawah_ambang": len(below),
            "pengungsi_di_bawah_ambang": bawah,
            "pengungsi_semua": float(np.nansum([pengungsi, bawah])),
            "kekurangan_terbesar": [
                {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
                for row in per_item.head(top).to_dict("records")
            ],
            "keterangan": {
                "kecamatan_berisiko": f"kecamatan dengan porsi banjir ≥ ambang {ambang}",
                "pengungsi": "pengungsi di kecamatan berisiko yang penduduknya diketahui",
                "pengungsi_tidak_diketahui": "kecamatan berisiko tanpa data penduduk",
                "kecamatan_di_bawah_ambang": (
                    f"kecamatan dengan pengungsi tetapi porsi banjir < {ambang}; tidak ikut alokasi"
                ),
                "pengungsi_di_bawah_ambang": "pengungsi di kecamatan di bawah ambang",
                "pengungsi_semua": "semua pengungsi: berisiko dan di bawah ambang",
                "kekurangan_terbesar": (
                    "kebutuhan kecamatan berisiko yang belum teralokasi, per barang"
                ),
            },
        }


def _persen(share: float) -> str:
    """0.05 -> '5 %' (Indonesian style, decimal comma)."""
    value = round(100.0 * share, 1)
    text = f"{value:g}".replace(".", ",")
    return f"{text} %"


def _pilih_skenario(zona: pd.DataFrame, skenario: str | None) -> str:
    names = sorted(set(zona["skenario"].dropna().astype(str))) if "skenario" in zona else []
    if not names:
        raise NotFoundError("tidak ada skenario di zona_banjir / no scenario in zona_banjir")
    if skenario is None:
        return names[0]
    if skenario not in names:
        raise NotFoundError(
            f"skenario '{skenario}' tidak ada / unknown scenario; "
            f"yang ada / known: {', '.join(names)}"
        )
    return skenario


def _layer(layers: Mapping[str, pd.DataFrame], name: str, columns: list[str]) -> pd.DataFrame:
    if name in layers and layers[name] is not None:
        return layers[name]
    return pd.DataFrame({c: pd.Series(dtype="str") for c in columns})


def _wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf if gdf.crs is not None and CRS(gdf.crs).equals(WGS84) else gdf.to_crs(WGS84)


def _alokasi_lines(
    alloc: pd.DataFrame,
    lokasi: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    units: Mapping[str, str],
) -> gpd.GeoDataFrame:
    site = lokasi.set_index("lokasi_id")
    out = alloc.copy()
    out["anggota_id"] = out["lokasi_id"].map(site["anggota_id"]).astype("str")
    out["satuan"] = out["barang"].map(pd.Series(units, dtype="str")).astype("str")
    out["status_stok"] = out["lokasi_id"].map(site["status_stok"]).astype("str")
    out["usang"] = out["lokasi_id"].map(site["usang"]).fillna(False).astype(bool)
    start = site.geometry.reindex(out["lokasi_id"]).to_numpy()
    # representative points of the kecamatan allocated to only (a few hundred of 7,000)
    target = kecamatan.set_index("kode").geometry
    target = target.reindex(pd.unique(out["kode"].to_numpy())).representative_point()
    end = target.reindex(out["kode"]).to_numpy()
    coords = np.stack([shapely.get_coordinates(start), shapely.get_coordinates(end)], axis=1)
    lines = shapely.linestrings(coords) if len(out) else np.array([], dtype=object)
    if "waktu_menit" not in out:
        out["waktu_menit"] = np.nan
    cols = ["lokasi_id", "anggota_id", "kode", "barang", "jumlah", "jarak_m", "waktu_menit"]
    cols.append("satuan")
    return gpd.GeoDataFrame(out[[*cols, "status_stok", "usang"]], geometry=lines, crs=WGS84)


_KM_PER_DEG_LAT = 110.57


@dataclass(frozen=True)
class Region:
    """One computation region: the rows (positions) of each layer it handles, and its CRS.

    A regency is one region holding every row; data spanning several UTM zones give one region
    per zone. Every step runs per region in the region's metric CRS and puts the rows back in
    input order, so one zone and many take the same code path.
    """

    crs: CRS
    kec: np.ndarray  # kecamatan computed here (each kecamatan in exactly one region)
    lokasi: np.ndarray  # sites classified here (each site in exactly one region)
    zona: np.ndarray  # flood zones that may touch those kecamatan or sites
    jangkau: np.ndarray  # sites that may lie within reach of this region's kecamatan


@dataclass
class _Inputs:
    """One scenario's layers, EPSG:4326, with typed empty layers for the optional ones."""

    skenario: str
    kecamatan: gpd.GeoDataFrame
    zona: gpd.GeoDataFrame
    lokasi: gpd.GeoDataFrame
    stok: pd.DataFrame
    barang: pd.DataFrame
    desa: gpd.GeoDataFrame | None
    anggota: pd.DataFrame | None
    jalan: gpd.GeoDataFrame | None = None


@dataclass
class _Projected:
    """One region's layers reprojected (once) to its metric CRS.

    The sites are reprojected only where needed: ``lokasi_banjir`` holds the metric point of
    the sites inside a flood part's bounding box (None for the others: they are dry), which is
    all the flood classes need; ``lokasi``, every site in the metric CRS, is made when first
    asked for (the reach of a one-region analysis).
    """

    region: Region
    kec: gpd.GeoDataFrame
    zona: gpd.GeoDataFrame
    parts: gpd.GeoDataFrame
    lokasi_banjir: gpd.GeoDataFrame
    lokasi_4326: gpd.GeoDataFrame
    desa: gpd.GeoDataFrame | None
    paparan: pd.DataFrame = field(default_factory=pd.DataFrame)  # exposure, unranked

    @functools.cached_property
    def lokasi(self) -> gpd.GeoDataFrame:
        """The region's sites in its metric CRS."""
        sites, crs = self.lokasi_4326, self.region.crs
        return _in_crs(sites, reproject(sites.geometry.to_numpy(), sites.crs, crs), crs)


def _reach_boxes(bounds: np.ndarray, cfg: AnalysisConfig) -> np.ndarray:
    """Boxes (minx, miny, maxx, maxy rows, degrees) widened by the reach plus 2 % (UTM's
    scale) and 100 m: every point within reach of what lies in a box lies in its widened box."""
    reach_km = cfg.jarak_km * 1.02 + 0.1
    dlat = reach_km / _KM_PER_DEG_LAT
    far = np.maximum(np.abs(bounds[:, 1]), np.abs(bounds[:, 3])) + dlat
    dlon = reach_km / (111.32 * np.cos(np.radians(np.minimum(far, 89.0))))
    return np.c_[bounds[:, 0] - dlon, bounds[:, 1] - dlat, bounds[:, 2] + dlon, bounds[:, 3] + dlat]


def regions(
    kec: gpd.GeoDataFrame,
    zona: gpd.GeoDataFrame,
    lokasi: gpd.GeoDataFrame,
    cfg: AnalysisConfig,
) -> list[Region]:
    """Computation regions: one (everything, one metric CRS) unless the kecamatan span
    several UTM zones and no CRS is configured; then one per zone (all layers EPSG:4326).

    Per zone: its kecamatan (by representative point); the sites whose longitude falls in the
    zone (sites beyond the outermost zones go to the nearest one); the flood zones whose
    bounding box meets the longitudes of those kecamatan and sites; and, for reach, the sites
    within the kecamatan's bounding box widened by the reach (plus 2 %, for UTM's scale).
    """
    every = (np.arange(len(kec)), np.arange(len(lokasi)), np.arange(len(zona)))
    if cfg.crs_metrik is not None:
        return [Region(metric_crs(kec, crs=cfg.crs_metrik), *every, every[1])]
    zone, _ = utm_zones(kec)
    present = np.unique(zone[zone > 0])
    if len(present) <= 1:
        return [Region(metric_crs(kec), *every, every[1])]
    kb = kec.geometry.bounds.to_numpy()
    zb = zona.geometry.bounds.to_numpy() if len(zona) else np.zeros((0, 4))
    lp = lokasi.geometry.to_numpy()
    lon = shapely.get_x(lp) if len(lp) else np.zeros(0)
    lat = shapely.get_y(lp) if len(lp) else np.zeros(0)
    raw = utm_zone(np.nan_to_num(lon, nan=0.0))
    site_zone = present[np.abs(raw[:, None] - present[None, :]).argmin(axis=1)]
    out = []
    for z in present:
        ki = np.flatnonzero(zone == z)
        li = np.flatnonzero(site_zone == z)
        b = kb[ki]
        west = np.nanmin(np.r_[b[:, 0], lon[li]]) - 1e-6
        east = np.nanmax(np.r_[b[:, 2], lon[li]]) + 1e-6
        zi = np.flatnonzero((zb[:, 2] >= west) & (zb[:, 0] <= east))
        south, north = np.nanmin(b[:, 1]), np.nanmax(b[:, 3])
        box = _reach_boxes(np.array([[np.nanmin(b[:, 0]), south, np.nanmax(b[:, 2]), north]]), cfg)
        ji = np.flatnonzero(
            (lon >= box[0, 0]) & (lon <= box[0, 2]) & (lat >= box[0, 1]) & (lat <= box[0, 3])
        )
        crs = utm_crs(int(z), bool((south + north) / 2 < 0))
        out.append(Region(crs, ki, li, zi, ji))
    return out


def _take(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """``frame``'s rows at the sorted, distinct positions ``rows`` (the frame itself when
    they are all of it: no copy for a one-region analysis)."""
    return frame if len(rows) == len(frame) else frame.iloc[rows]


def _gather(frames: list[pd.DataFrame], rows: list[np.ndarray]) -> pd.DataFrame:
    """Concatenate per-region frames and put the rows back in input order."""
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    order = np.argsort(np.concatenate(rows), kind="stable")
    if np.array_equal(order, np.arange(len(order))):
        return out.reset_index(drop=True)
    return out.iloc[order].reset_index(drop=True)


def _inputs(layers: Mapping[str, pd.DataFrame], skenario: str | None) -> _Inputs:
    """Check the required layers, pick the scenario, bring every layer to EPSG:4326."""
    for name in ("kecamatan", "zona_banjir"):
        if name not in layers:
            raise InputError(f"lapisan '{name}' tidak ada / layer '{name}' missing")
    zona_all = layers["zona_banjir"]
    name = _pilih_skenario(zona_all, skenario)
    zona = _wgs84(zona_all[zona_all["skenario"].astype(str) == name].reset_index(drop=True))
    lokasi = _layer(layers, "lokasi", ["id", "anggota_id", "nama"])
    if not isinstance(lokasi, gpd.GeoDataFrame):
        lokasi = gpd.GeoDataFrame(lokasi, geometry=gpd.GeoSeries([], crs=WGS84))
    desa = layers.get("desa")
    return _Inputs(
        skenario=name,
        kecamatan=_wgs84(layers["kecamatan"]),
        zona=zona,
        lokasi=_wgs84(lokasi),
        stok=_layer(layers, "stok", ["lokasi_id", "barang", "siap", "satuan", "dilaporkan"]),
        barang=_layer(layers, "barang", ["kode", "nama", "kategori", "satuan"]),
        desa=desa if desa is not None and len(desa) else None,
        anggota=layers.get("anggota"),
        jalan=_wgs84(layers["jalan"]) if layers.get("jalan") is not None else None,
    )


def _in_crs(frame: gpd.GeoDataFrame, geoms: np.ndarray, crs: CRS) -> gpd.GeoDataFrame:
    """``frame`` with its geometry replaced by ``geoms`` (already in ``crs``), like ``to_crs``."""
    return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=crs))


def _in_boxes(x: np.ndarray, y: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Which points (x, y) lie in at least one box (rows minx, miny, maxx, maxy), edges
    included (NaN or inf: in none). A sweep: the points sorted by x, each box looks at the
    points between its minx and maxx, in chunks of boxes that see a million points at most."""
    inside = np.zeros(len(x), dtype=bool)
    if not len(x) or not len(boxes):
        return inside
    order = np.argsort(x, kind="stable")
    xs = x[order]
    lo = np.searchsorted(xs, boxes[:, 0], side="left")
    hi = np.searchsorted(xs, boxes[:, 2], side="right")
    count = np.maximum(hi - lo, 0)
    bounds = np.flatnonzero(np.diff(np.cumsum(count) // 1_000_000)) + 1
    for chunk in np.split(np.arange(len(boxes)), bounds):
        n = count[chunk]
        box = np.repeat(chunk, n)
        pos = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo[chunk], n)
        pt = order[pos]
        yy = y[pt]
        inside[pt[(yy >= boxes[box, 1]) & (yy <= boxes[box, 3])]] = True
    return inside


def _points_near(xy: tuple[np.ndarray, np.ndarray], parts: gpd.GeoDataFrame) -> np.ndarray:
    """Metric points of the sites at ``xy`` that lie in a flood part's bounding box, None for
    the others (a point outside every part's box lies in no part)."""
    x, y = xy
    near = _in_boxes(x, y, shapely.bounds(parts.geometry.to_numpy()))
    out = np.full(len(x), None, dtype=object)
    out[near] = shapely.points(x[near], y[near])
    return out


def _site_xy(sites: np.ndarray, src: CRS, dst: CRS) -> tuple[np.ndarray, np.ndarray] | None:
    """Metric coordinates of 2D points (NaN for missing or empty ones); None when ``sites``
    holds anything else (then every site is reprojected as a geometry)."""
    kind = shapely.get_type_id(sites)
    if not np.isin(kind, (-1, 0)).all() or shapely.has_z(sites).any():
        return None
    x, y = np.full(len(sites), np.nan), np.full(len(sites), np.nan)
    has = (kind == 0) & ~shapely.is_empty(sites)
    x[has], y[has] = shapely.get_x(sites[has]), shapely.get_y(sites[has])
    return transform_xy(x, y, src, dst)


def _project(inp: _Inputs, regs: list[Region], cfg: AnalysisConfig) -> list[_Projected]:
    """Each region's layers in its metric CRS (each layer reprojected once per region), its
    flood zones cut into non-overlapping parts and its kecamatan's exposure (unranked);
    desa go with their kecamatan's region.

    The regions run on a few threads, each from start to end (PROJ and GEOS release the GIL,
    so one region's overlay runs while another's frames are built). With several regions each
    gets its own copy of its rows, taken here: no pandas object is shared between threads.
    """
    desa_rows: list[np.ndarray | None] = [None] * len(regs)
    if inp.desa is not None:
        region_of_kode = pd.Series(
            np.repeat(np.arange(len(regs)), [len(r.kec) for r in regs]),
            index=np.concatenate(
                [inp.kecamatan["kode"].astype(str).to_numpy()[r.kec] for r in regs]
            ),
        )
        desa_region = inp.desa["kode"].astype(str).map(region_of_kode).to_numpy()
        desa_rows = [np.flatnonzero(desa_region == n) for n in range(len(regs))]

    def take(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        return frame.iloc[rows] if len(regs) > 1 else _take(frame, rows)

    jobs = [
        (
            r,
            {
                "kec": take(inp.kecamatan, r.kec),
                "zona": take(inp.zona, r.zona),
                **({} if rows is None else {"desa": take(inp.desa, rows)}),
            },
            take(inp.lokasi, r.lokasi),
        )
        for r, rows in zip(regs, desa_rows, strict=True)
    ]

    def one(job: tuple[Region, dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame]) -> _Projected:
        r, frames, site = job
        layer = {
            k: _in_crs(f, reproject(f.geometry.to_numpy(), f.crs, r.crs), r.crs)
            for k, f in frames.items()
        }
        parts = flood_parts(layer["zona"], crs=r.crs)
        site_geoms = site.geometry.to_numpy()
        xy = _site_xy(site_geoms, site.crs, r.crs)
        if xy is None:
            near = reproject(site_geoms, site.crs, r.crs)
        else:
            near = _points_near(xy, parts)
        p = _Projected(
            region=r,
            kec=layer["kec"],
            zona=layer["zona"],
            parts=parts,
            lokasi_banjir=_in_crs(site, near, r.crs),
            lokasi_4326=site,
            desa=layer.get("desa"),
        )
        p.paparan = exposure_table(
            p.kec,
            p.zona,
            crs=r.crs,
            config=cfg,
            desa=p.desa,
            skenario=inp.skenario,
            parts=parts,
            rank=False,
        )
        return p

    return each(one, jobs, cost=[len(r.kec) + len(r.zona) + len(r.lokasi) / 20 for r in regs])


def _exposure(inp: _Inputs, proj: list[_Projected]) -> gpd.GeoDataFrame:
    """Exposure of every kecamatan (each computed in its region's CRS by :func:`_project`),
    ranked over all of them."""
    kec = _gather([p.paparan for p in proj], [p.region.kec for p in proj])
    kec["peringkat"] = peringkat(kec)
    return gpd.GeoDataFrame(kec, geometry=inp.kecamatan.geometry.to_numpy(), crs=WGS84)


def _crs_wilayah(inp: _Inputs, regs: list[Region]) -> pd.Series:
    """EPSG code of each kecamatan's metric CRS, by ``kode``."""
    kode = inp.kecamatan["kode"].astype(str).to_numpy()
    return pd.Series(
        np.concatenate([np.full(len(r.kec), r.crs.to_epsg()) for r in regs]),
        index=np.concatenate([kode[r.kec] for r in regs]),
        dtype="int64",
    )


def _sites(
    inp: _Inputs, proj: list[_Projected], cfg: AnalysisConfig, today: dt.date, kini: _Kini
) -> gpd.GeoDataFrame:
    """Every site's flood class and stock status, with its member's last report and staleness
    (:func:`geo_klaster.analysis.stock.last_report`, from each site's latest current line)."""
    frames = [
        pd.DataFrame(
            sites_in_flood(p.lokasi_banjir, p.parts, crs=p.region.crs, config=cfg).drop(
                columns="geometry"
            )
        )
        for p in proj
    ]
    sites = _gather(frames, [p.region.lokasi for p in proj])
    sites = gpd.GeoDataFrame(sites, geometry=inp.lokasi.geometry.to_numpy(), crs=WGS84)
    # a site's latest line is its latest current line (both count the lines up to today)
    texts = pd.Series(kini.lokasi.values, dtype=object).astype("str").to_numpy()
    when = _utc(inp.stok["dilaporkan"]).dtype
    laporan, owner = _last_report(
        texts, kini.terakhir, when, inp.lokasi, inp.anggota, today, cfg.periode_laporan_hari
    )  # owner: each site's member's row (-1: none)
    sites["laporan_terakhir"] = laporan["laporan_terakhir"].array.take(owner, allow_fill=True)
    sites["usang"] = np.append(laporan["usang"].to_numpy(dtype=bool), True)[owner]
    return sites


def _stock(
    inp: _Inputs, sites: gpd.GeoDataFrame, cfg: AnalysisConfig, today: dt.date, kini: _Kini
) -> pd.DataFrame:
    """Current stock per site and item (``kini``, :func:`geo_klaster.analysis.stock.current_stock`
    as of today), what is committable, and whether its member is stale."""
    units = dict(zip(inp.barang["kode"].astype(str), inp.barang["satuan"].astype(str)))
    site = sites.set_index("lokasi_id")
    # committable(), looking the sites and items up by the codes current_stock worked out
    stok = _committable(
        kini.baris, today, site["status_stok"], units or None, kini.lokasi, kini.barang
    )
    usang = site["usang"][~site.index.duplicated()]
    at = usang.index.get_indexer(kini.lokasi.values)  # unknown site (-1): stale
    stok["usang"] = np.append(usang.to_numpy(dtype=bool), True)[at][kini.lokasi.codes]
    return stok


def _reach(
    inp: _Inputs, proj: list[_Projected], kec: gpd.GeoDataFrame, cfg: AnalysisConfig
) -> pd.DataFrame:
    """Reach pairs of the at-risk kecamatan, each computed in its region's CRS."""
    risk_all = kec["berisiko"].to_numpy()
    site_ids = inp.lokasi["id"].astype("str").to_numpy()
    kec_4326 = inp.kecamatan.geometry.to_numpy()
    site_4326 = inp.lokasi.geometry.to_numpy()
    frames = []
    for p in proj:
        r = p.region
        risk = p.kec.loc[risk_all[r.kec], ["kode", "geometry"]]
        rows = r.jangkau if len(risk) else r.jangkau[:0]
        if len(rows) and not np.array_equal(rows, r.lokasi):
            # only the sites near the at-risk kecamatan are reprojected (not the whole zone's)
            near = shapely.box(
                *_reach_boxes(shapely.bounds(kec_4326[r.kec[risk_all[r.kec]]]), cfg).T
            )
            hit, _ = shapely.STRtree(near).query(site_4326[rows], predicate="intersects")
            rows = rows[np.unique(hit)]
        if np.array_equal(rows, r.lokasi):  # the sites already projected
            site_m = p.lokasi[["geometry"]]
        else:
            site_m = _take(inp.lokasi, rows)[["geometry"]].to_crs(r.crs)
        pairs = reach(risk, site_m.assign(lokasi_id=site_ids[rows]), jarak_m=cfg.jarak_km * 1000)
        frames.append(pairs.assign(waktu_menit=np.nan, terputus=False, alasan=""))
    return (
        pd.concat(frames, ignore_index=True)
        .astype({"alasan": "str"})
        .sort_values(["kode", "jarak_m", "lokasi_id"], kind="stable")
        .reset_index(drop=True)
    )


def _road_reach(
    inp: _Inputs, proj: list[_Projected], kec: gpd.GeoDataFrame, cfg: AnalysisConfig
) -> tuple[pd.DataFrame, list[RoadReach]]:
    """Road reach of the at-risk kecamatan (and their desa), each region in its CRS."""
    if inp.jalan is None or inp.jalan.empty:
        raise InputError(
            "--jangkauan jalan: lapisan jalan kosong / no roads; impor dulu: "
            "geo-klaster import jalan BERKAS"
        )
    risk_all = kec["berisiko"].to_numpy()
    site_ids = inp.lokasi["id"].astype("str").to_numpy()
    out: list[RoadReach] = []
    for p in proj:
        r = p.region
        risk = p.kec.loc[risk_all[r.kec], ["kode", "geometry"]]
        if not len(risk):
            continue
        if np.array_equal(r.jangkau, r.lokasi):
            site_m = p.lokasi[["geometry"]]
        else:
            site_m = _take(inp.lokasi, r.jangkau)[["geometry"]].to_crs(r.crs)
        desa = None
        if p.desa is not None:
            desa = p.desa[p.desa["kode"].astype(str).isin(set(risk["kode"].astype(str)))]
        out.append(
            road_reach(
                inp.jalan.to_crs(r.crs),
                p.parts,
                risk,
                site_m.assign(lokasi_id=site_ids[r.jangkau]),
                desa=desa,
                config=cfg,
            )
        )
    frames = [x.pasangan for x in out] or [empty_pairs()]
    pairs = pd.concat(frames, ignore_index=True).sort_values(
        ["kode", "waktu_menit", "jarak_m", "lokasi_id"], kind="stable"
    )
    return pairs.reset_index(drop=True), out


def run_analysis(
    layers: Mapping[str, pd.DataFrame],
    *,
    skenario: str | None = None,
    config: AnalysisConfig | None = None,
    today: dt.date | None = None,
    jarak_km: float | None = None,
    hari: int | None = None,
    jangkauan: str | None = None,
    menit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> AnalysisResult:
    """Run one flood scenario.

    The steps: pick the scenario and bring the layers to EPSG:4326 (:func:`_inputs`); split
    the work into regions of one metric CRS each (:func:`regions`: one for a regency, one per
    UTM zone for wider data) and reproject each layer once per region (:func:`_project`);
    then exposure, sites in the flood, stock, reach, needs, allocation and gaps, each step
    over every region and its rows put back in input order.

    Parameters
    ----------
    layers
        Layers by name with the schema's columns: ``kecamatan`` and ``zona_banjir`` (required,
        EPSG:4326); ``desa``, ``anggota``, ``lokasi`` (GeoDataFrames), ``stok``, ``barang``
        (DataFrames) optional.
    skenario
        Scenario name (``zona_banjir.skenario``); None = the first by name.
    config
        Settings; None = defaults (DESIGN.md).
    today
        Analysis day: stock as reported up to its end, expiry and staleness; None = today.
    jarak_km, hari, jangkauan, menit
        Override ``config.jarak_km`` (km), ``config.hari`` (days), ``config.jangkauan``
        (``garis`` or ``jalan``) and ``config.menit`` (road reach, minutes).
    progress
        Called with a short message before each step.

    Raises
    ------
    NotFoundError
        Unknown scenario (the message lists the known ones) or no scenario at all.
    InputError
        Layers without CRS or in different CRSs.
    """
    say = progress or (lambda _msg: None)
    cfg = config or AnalysisConfig()
    if jarak_km is not None:
        cfg = cfg.replace(jarak_km=float(jarak_km))
    if hari is not None:
        cfg = cfg.replace(hari=int(hari))
    if jangkauan is not None:
        cfg = cfg.replace(jangkauan=jangkauan)
    if menit is not None:
        cfg = cfg.replace(menit=float(menit))
    today = today or dt.date.today()
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    inp = _inputs(layers, skenario)
    regs = regions(inp.kecamatan, inp.zona, inp.lokasi, cfg)
    step("persiapan")

    say(f"Paparan banjir skenario '{inp.skenario}' / exposure")
    proj = _project(inp, regs, cfg)
    kec = _exposure(inp, proj)
    step("paparan")

    say("Lokasi dalam banjir dan stok / sites and stock")
    kini = _current(inp.stok, as_of=today)
    sites = _sites(inp, proj, cfg, today, kini)
    stok = _stock(inp, sites, cfg, today, kini)
    step("lokasi_stok")

    jalan: list[RoadReach] = []
    if cfg.jangkauan == "jalan":
        say(f"Jangkauan jalan {cfg.menit:g} menit / reach by road")
        jangkauan, jalan = _road_reach(inp, proj, kec, cfg)
    else:
        say(f"Jangkauan {cfg.jarak_km:g} km / reach")
        jangkauan = _reach(inp, proj, kec, cfg)
    pakai = usable_pairs(jangkauan, cfg)
    step("jangkauan")

    say("Kebutuhan dan alokasi / needs and allocation")
    kebutuhan = needs(kec, config=cfg, barang=inp.barang)
    whole = barang_utuh(cfg, inp.barang)
    biaya = "waktu_menit" if cfg.jangkauan == "jalan" else "jarak_m"
    alloc = allocate(stok, kebutuhan[kebutuhan["berisiko"]], pakai, biaya=biaya, bulat=whole)
    item_units = dict(zip(kebutuhan["barang"], kebutuhan["satuan"]))
    alokasi = _alokasi_lines(alloc, sites, kec, item_units)
    gap = gaps(
        kebutuhan,
        pakai,
        stok,
        alloc,
        kecamatan=kec,
        ambang=cfg.ambang_berisiko,
        bulat=whole,
    )
    step("alokasi")

    return AnalysisResult(
        skenario=inp.skenario,
        config=cfg,
        today=today,
        crs_metrik=max(regs, key=lambda r: len(r.kec)).crs,
        kecamatan=kec,
        lokasi=sites,
        jangkauan=jangkauan,
        kebutuhan=kebutuhan,
        gap=gap,
        alokasi=alokasi,
        zona=inp.zona,
        stok=stok,
        hari=cfg.hari,
        waktu_s=times,
        crs_wilayah=_crs_wilayah(inp, regs),
        jalan=jalan,
        bulat=whole,
    )
