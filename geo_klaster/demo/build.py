"""Demo regency: Kabupaten Bekasi, built from the files in ``layers/demo``.

The demo lets the service run end to end without any external data. What is real and what is
not:

* **Real (public facts):** the 23 kecamatan codes (Kemendagri), names, a representative point of
  each and its area (``gazetir.csv``), and the item catalogue (``barang.csv``) with its categories
  after Perka BNPB 13/2008 and the minimum-needs item codes.
* **Approximate:** without official boundaries, the kecamatan polygons are a weighted Voronoi
  (power) diagram of the gazetteer points, clipped to an outline derived from the points only
  (their convex hull buffered to the regency's area). They are marked ``contoh=True`` and carry a
  ``keterangan`` saying so. Pass the official boundaries as ``kecamatan`` to use them instead.
* **Fictional:** population figures (density-based demo numbers, not BPS data), every member
  (``anggota.csv``: names ending in "(contoh)", invented contact persons, ``0800-0000-…``
  numbers), every site, every stock line, and both flood scenarios
  (``zona_banjir_latihan.geojson``: *skenario latihan* drawn by hand along the rivers, not real
  flood data). All of them carry ``contoh=True``.

Everything is deterministic for a given ``(today, seed)``; dates (report times, expiry dates) are
relative to ``today``, so the demo never goes stale.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from geo_klaster import layers
from geo_klaster.errors import KlasterError

__all__ = [
    "DEMO_SEED",
    "KETERANGAN_PERKIRAAN",
    "METRIC_CRS",
    "SUMBER_PENDUDUK_DEMO",
    "approximate_kecamatan",
    "approximate_outline",
    "build_demo",
    "demo_population",
    "read_anggota",
    "read_barang",
    "read_gazetir",
    "read_zona_banjir",
]

METRIC_CRS = "EPSG:32748"
WGS84 = "EPSG:4326"
DEMO_SEED = 20231101

KETERANGAN_PERKIRAAN = "Geometri perkiraan dari titik gazetir (Voronoi), bukan batas resmi"
SUMBER_PENDUDUK_DEMO = "Angka contoh (demo), bukan data BPS"

#: Minimum-needs items (BNPB Perka 7/2008) that the demo stocks generously.
MINIMUM_NEEDS = ("beras", "air_minum", "air_bersih", "paket_keluarga", "toilet")

#: Demo population density (persons/km²) per kecamatan: invented, plausible orders of magnitude
#: (dense along the Tambun-Cibitung-Cikarang corridor, sparse in the rice fields and the delta).
_DEMO_DENSITY = {
    "32.16.01": 2600,
    "32.16.02": 4000,
    "32.16.03": 750,
    "32.16.04": 1450,
    "32.16.05": 5000,
    "32.16.06": 8000,
    "32.16.07": 5200,
    "32.16.08": 4500,
    "32.16.09": 6500,
    "32.16.10": 2400,
    "32.16.11": 2100,
    "32.16.12": 2200,
    "32.16.13": 1050,
    "32.16.14": 1100,
    "32.16.15": 2100,
    "32.16.16": 1050,
    "32.16.17": 420,
    "32.16.18": 3100,
    "32.16.19": 3300,
    "32.16.20": 1400,
    "32.16.21": 2400,
    "32.16.22": 2200,
    "32.16.23": 1000,
}

#: Quantity range (low, high, rounding step) for a full-size holder (a large warehouse).
_ITEM_RANGE: dict[str, tuple[float, float, float]] = {
    "beras": (2000, 10000, 10),
    "air_minum": (2000, 12000, 10),
    "air_bersih": (5000, 40000, 100),
    "paket_keluarga": (60, 400, 1),
    "mi_instan": (50, 500, 1),
    "makanan_siap_saji": (100, 1500, 1),
    "lauk_pauk": (50, 600, 1),
    "tenda": (2, 20, 1),
    "terpal": (50, 500, 1),
    "selimut": (100, 1000, 1),
    "matras": (50, 500, 1),
    "pakaian": (50, 600, 1),
    "obat": (20, 300, 1),
    "perlengkapan_bayi": (20, 200, 1),
    "kit_kebersihan": (50, 400, 1),
    "masker": (20, 200, 1),
    "toilet": (5, 40, 1),
    "perahu_karet": (1, 6, 1),
    "pelampung": (10, 150, 1),
    "pompa_air": (1, 8, 1),
    "genset": (1, 6, 1),
    "lampu_penerangan": (1, 6, 1),
    "truk": (1, 8, 1),
    "mobil_tangki_air": (1, 4, 1),
    "dapur_umum": (1, 3, 1),
    "ambulans": (1, 4, 1),
    "radio_komunikasi": (2, 30, 1),
    "penjernih_air": (1, 4, 1),
    "ekskavator": (1, 3, 1),
}

#: Items that carry an expiry date (food, packaged water, medicine, baby supplies).
_EXPIRING = {
    "beras": (90, 360),
    "air_minum": (120, 540),
    "mi_instan": (60, 300),
    "makanan_siap_saji": (60, 360),
    "lauk_pauk": (180, 720),
    "obat": (180, 900),
    "perlengkapan_bayi": (90, 540),
}

#: Chance that a site of a sector holds an item (before the site type and member keywords).
_LOGISTIK_BASE = {
    "beras": 0.7,
    "air_minum": 0.7,
    "air_bersih": 0.35,
    "paket_keluarga": 0.6,
    "mi_instan": 0.4,
    "makanan_siap_saji": 0.35,
    "lauk_pauk": 0.2,
    "tenda": 0.3,
    "terpal": 0.4,
    "selimut": 0.4,
    "matras": 0.3,
    "pakaian": 0.3,
    "obat": 0.25,
    "perlengkapan_bayi": 0.2,
    "kit_kebersihan": 0.3,
    "masker": 0.2,
    "toilet": 0.4,
}
_PERALATAN_BASE = {
    "perahu_karet": 0.3,
    "pelampung": 0.3,
    "pompa_air": 0.3,
    "genset": 0.3,
    "lampu_penerangan": 0.15,
    "truk": 0.2,
    "mobil_tangki_air": 0.1,
    "dapur_umum": 0.1,
    "ambulans": 0.08,
    "radio_komunikasi": 0.25,
    "penjernih_air": 0.08,
    "ekskavator": 0.04,
}
_SECTOR_FACTOR = {  # (chance factor logistik, chance factor peralatan, quantity scale)
    "pemerintah_daerah": (1.0, 1.0, 1.0),
    "swasta": (0.8, 0.9, 0.7),
    "komunitas": (0.9, 0.6, 0.12),
    "instansi_pusat": (0.7, 1.3, 0.8),
}
_JENIS_FACTOR = {  # (chance factor, quantity scale)
    "gudang": (1.2, 1.0),
    "pangkalan": (0.8, 0.6),
    "posko": (0.9, 0.35),
    "kantor": (0.5, 0.2),
    "lainnya": (0.7, 0.3),
}
_JENIS_BY_SECTOR = {  # first site, then the choices for further sites
    "pemerintah_daerah": ("gudang", ("gudang", "posko", "kantor")),
    "swasta": ("gudang", ("gudang", "lainnya", "posko")),
    "komunitas": ("posko", ("posko", "gudang", "lainnya")),
    "instansi_pusat": ("pangkalan", ("pangkalan", "gudang", "posko", "kantor")),
}
_JENIS_LABEL = {
    "gudang": "Gudang",
    "posko": "Posko",
    "kantor": "Kantor",
    "pangkalan": "Pangkalan",
    "lainnya": "Depo",
}
#: Member-name keywords -> (items held almost surely, quantity multiplier for those items).
_KEYWORDS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("bpbd", ("beras", "air_minum", "paket_keluarga", "tenda", "toilet", "perahu_karet"), 1.5),
    ("sosial", ("beras", "paket_keluarga", "selimut", "dapur_umum", "mi_instan"), 1.3),
    ("kemensos", ("beras", "paket_keluarga", "tenda", "selimut", "dapur_umum"), 1.8),
    ("kesehatan", ("obat", "masker", "ambulans", "perlengkapan_bayi"), 1.5),
    ("rsud", ("obat", "ambulans", "masker"), 1.2),
    ("pmi", ("obat", "ambulans", "kit_kebersihan", "air_bersih", "penjernih_air"), 1.0),
    ("pupr", ("pompa_air", "ekskavator", "truk", "genset"), 1.0),
    ("wilayah sungai", ("pompa_air", "ekskavator", "perahu_karet"), 1.0),
    ("zeni", ("perahu_karet", "truk", "penjernih_air", "genset"), 1.0),
    ("air minum", ("air_bersih", "air_minum", "mobil_tangki_air", "penjernih_air"), 8.0),
    ("air jernih", ("air_minum", "air_bersih", "mobil_tangki_air"), 4.0),
    ("bulog", ("beras",), 4.0),
    ("penggilingan", ("beras",), 2.0),
    ("pangan", ("beras", "mi_instan", "air_minum"), 1.5),
    ("sembako", ("beras", "mi_instan", "air_minum"), 1.2),
    ("perahu", ("perahu_karet", "pelampung"), 1.5),
    ("sar", ("perahu_karet", "pelampung", "radio_komunikasi"), 1.5),
    ("polair", ("perahu_karet", "pelampung"), 1.0),
    ("truk", ("truk", "mobil_tangki_air"), 1.5),
    ("genset", ("genset", "lampu_penerangan"), 2.0),
    ("kawasan industri", ("pompa_air", "genset", "truk", "toilet"), 1.5),
    ("kodim", ("truk", "dapur_umum", "radio_komunikasi", "tenda"), 1.0),
    ("koramil", ("radio_komunikasi", "perahu_karet"), 1.0),
    ("pol", ("radio_komunikasi", "truk"), 1.0),
    ("relawan", ("perahu_karet", "pelampung", "makanan_siap_saji"), 1.0),
    ("masjid", ("beras", "pakaian", "air_minum"), 1.0),
    ("zakat", ("beras", "paket_keluarga", "pakaian"), 1.0),
    ("taruna", ("dapur_umum", "tenda", "makanan_siap_saji"), 1.0),
)

_STALE_MEMBERS = 5
_EXPIRED_SHARE = 0.05
_RUSAK_SHARE = 0.04


# --------------------------------------------------------------------------------------------
# Files


def _demo_dir() -> Path:
    return Path(layers.DEMO_DIR)


def read_gazetir() -> pd.DataFrame:
    """Read the gazetteer of the demo regency.

    Returns
    -------
    pandas.DataFrame
        Columns ``kode`` (str), ``nama`` (str), ``lat``, ``lon``, ``luas_km2`` (float), one row
        per kecamatan in code order.
    """
    df = pd.read_csv(_demo_dir() / "gazetir.csv", dtype={"kode": str, "nama": str})
    return df.sort_values("kode", ignore_index=True)


def read_barang() -> pd.DataFrame:
    """Read the item catalogue (``kode, nama, kategori, satuan, bulat``).

    Returns
    -------
    pandas.DataFrame
        The catalogue, in file order.
    """
    out = pd.read_csv(_demo_dir() / "barang.csv", dtype=str)
    return out.assign(bulat=out["bulat"].str.strip().str.lower().eq("true"))


def read_anggota() -> pd.DataFrame:
    """Read the fictional members (``id, nama, sektor, kode, kontak, telepon``).

    Returns
    -------
    pandas.DataFrame
        The members, with ``kode`` the kecamatan of the office.
    """
    return pd.read_csv(_demo_dir() / "anggota.csv", dtype=str)


def read_zona_banjir() -> gpd.GeoDataFrame:
    """Read the exercise flood scenarios (``zona_banjir_latihan.geojson``).

    Returns
    -------
    geopandas.GeoDataFrame
        Fields ``kelas, indeks, skenario, sumber, keterangan, contoh`` and MultiPolygon
        geometry in EPSG:4326.
    """
    with open(_demo_dir() / "zona_banjir_latihan.geojson", encoding="utf-8") as fh:
        fc = json.load(fh)
    rows = []
    geoms = []
    for feat in fc["features"]:
        props = feat["properties"]
        rows.append(
            {
                "kelas": str(props["kelas"]),
                "indeks": float(props["indeks"]),
                "skenario": str(props["skenario"]),
                "sumber": props.get("sumber"),
                "keterangan": props.get("keterangan"),
                "contoh": bool(props.get("contoh", True)),
            }
        )
        geoms.append(_as_multipolygon(shape(feat["geometry"])))
    df = pd.DataFrame(
        rows, columns=["kelas", "indeks", "skenario", "sumber", "keterangan", "contoh"]
    )
    return gpd.GeoDataFrame(df, geometry=geoms, crs=WGS84)


# --------------------------------------------------------------------------------------------
# Geometry helpers


def _as_multipolygon(geom: shapely.Geometry) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    parts: list[Polygon] = []
    for g in polys:
        parts.extend(g.geoms if isinstance(g, MultiPolygon) else [g])
    return MultiPolygon(parts)


def _metric_points(gaz: pd.DataFrame) -> np.ndarray:
    pts = gpd.GeoSeries(gpd.points_from_xy(gaz["lon"], gaz["lat"]), crs=WGS84).to_crs(METRIC_CRS)
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def approximate_outline(gaz: pd.DataFrame | None = None) -> Polygon:
    """Approximate regency outline derived from the gazetteer points alone.

    The convex hull of the points, buffered so that its area equals the sum of the gazetteer
    areas (about 1,252 km² for Kabupaten Bekasi).

    Parameters
    ----------
    gaz : pandas.DataFrame, optional
        The gazetteer (default: :func:`read_gazetir`).

    Returns
    -------
    shapely.Polygon
        The outline in EPSG:32748 (metres).
    """
    if gaz is None:
        gaz = read_gazetir()
    xy = _metric_points(gaz)
    hull = shapely.convex_hull(shapely.multipoints(xy))
    target = float(gaz["luas_km2"].sum()) * 1e6
    lo, hi = 0.0, 20_000.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if hull.buffer(mid, quad_segs=16).area < target:
            lo = mid
        else:
            hi = mid
    return hull.buffer((lo + hi) / 2, quad_segs=16)


def _halfplane(origin: np.ndarray, normal: np.ndarray, h: float, size: float = 1e6) -> Polygon:
    """Polygon for {x : normal·(x - origin) <= h}, large enough to cover the regency."""
    n2 = float(normal @ normal)
    nhat = normal / np.sqrt(n2)
    x0 = origin + normal * (h / n2)
    t = np.array([-nhat[1], nhat[0]])
    ring = [x0 + size * t, x0 - size * t, x0 - size * t - size * nhat, x0 + size * t - size * nhat]
    return Polygon([tuple(p) for p in ring])


def _power_cells(xy: np.ndarray, w: np.ndarray, outline: Polygon) -> list[Polygon]:
    origin = xy.mean(axis=0)
    loc = xy - origin
    out = shapely.affinity.translate(outline, -origin[0], -origin[1])
    cells = []
    sq = (loc**2).sum(axis=1)
    for i in range(len(loc)):
        cell = out
        for j in range(len(loc)):
            if j == i:
                continue
            normal = loc[j] - loc[i]
            # |x-p_i|² - w_i <= |x-p_j|² - w_j  <=>  2 x·(p_j-p_i) <= |p_j|²-|p_i|² - w_j + w_i
            h = (sq[j] - sq[i] - w[j] + w[i]) / 2.0
            cell = cell.intersection(_halfplane(np.zeros(2), normal, h))
        cells.append(shapely.affinity.translate(cell, origin[0], origin[1]))
    return cells


def approximate_kecamatan(
    gaz: pd.DataFrame | None = None, *, iterations: int = 3, step: float = 0.2
) -> gpd.GeoDataFrame:
    """Approximate kecamatan polygons from the gazetteer points.

    A power (weighted Voronoi) diagram of the points in EPSG:32748, clipped to
    :func:`approximate_outline`. The weights start at zero (plain Voronoi) and are nudged for a
    few iterations so that each cell's area moves towards the gazetteer's ``luas_km2``; a step
    that would push a point out of its own cell is halved. Cells are convex, do not overlap and
    cover the outline.

    Parameters
    ----------
    gaz : pandas.DataFrame, optional
        The gazetteer (default: :func:`read_gazetir`).
    iterations : int
        Number of weight adjustments (0 gives the plain Voronoi diagram).
    step : float
        Weight change per m² of area error.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kode``, ``nama`` and MultiPolygon geometry in EPSG:4326.
    """
    if gaz is None:
        gaz = read_gazetir()
    xy = _metric_points(gaz)
    outline = approximate_outline(gaz)
    target = gaz["luas_km2"].to_numpy(dtype=float) * 1e6
    w = np.zeros(len(xy))
    cells = _power_cells(xy, w, outline)
    for _ in range(iterations):
        area = np.array([c.area for c in cells])
        s = step
        for _attempt in range(6):
            w_new = w + s * (target - area)
            w_new -= w_new.mean()
            new_cells = _power_cells(xy, w_new, outline)
            ok = all(
                isinstance(c, Polygon) and c.contains(Point(p)) and c.area > 0
                for c, p in zip(new_cells, xy, strict=True)
            )
            if ok:
                w, cells = w_new, new_cells
                break
            s /= 2
        else:
            break
    geoms = gpd.GeoSeries([MultiPolygon([c]) for c in cells], crs=METRIC_CRS).to_crs(WGS84)
    geoms = geoms.set_precision(1e-7)
    geoms = gpd.GeoSeries([_as_multipolygon(g) for g in geoms], crs=WGS84)
    return gpd.GeoDataFrame(
        {"kode": gaz["kode"].to_numpy(), "nama": gaz["nama"].to_numpy()}, geometry=geoms
    )


def demo_population(gaz: pd.DataFrame | None = None) -> pd.DataFrame:
    """Demo population per kecamatan (fictional, density-based).

    ``penduduk`` = an invented density × the gazetteer area, rounded to hundreds and kept within
    50,000-350,000; ``kk`` = ``penduduk / 3.8`` rounded.

    Parameters
    ----------
    gaz : pandas.DataFrame, optional
        The gazetteer (default: :func:`read_gazetir`).

    Returns
    -------
    pandas.DataFrame
        ``kode``, ``penduduk`` (float), ``kk`` (int), ``sumber_penduduk``.
    """
    if gaz is None:
        gaz = read_gazetir()
    dens = gaz["kode"].map(_DEMO_DENSITY).fillna(2000).to_numpy(dtype=float)
    pend = np.clip(np.round(dens * gaz["luas_km2"].to_numpy(dtype=float), -2), 50_000, 350_000)
    return pd.DataFrame(
        {
            "kode": gaz["kode"].to_numpy(),
            "penduduk": pend.astype(float),
            "kk": np.round(pend / 3.8).astype("int64"),
            "sumber_penduduk": SUMBER_PENDUDUK_DEMO,
        }
    )


# --------------------------------------------------------------------------------------------
# Layers


def _kecamatan_layer(gaz: pd.DataFrame, kecamatan: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    pop = demo_population(gaz)
    cols = ["kode", "nama", "penduduk", "kk", "sumber_penduduk", "keterangan", "contoh"]
    if kecamatan is None:
        base = approximate_kecamatan(gaz)
        df = base.merge(pop, on="kode", how="left")
        df["keterangan"] = KETERANGAN_PERKIRAAN
        df["contoh"] = True
        return gpd.GeoDataFrame(df[[*cols, "geometry"]], geometry="geometry", crs=WGS84)
    if kecamatan.crs is None:
        raise KlasterError(
            "kecamatan: layer tidak punya CRS; sebutkan CRS-nya (layer has no CRS; name one)"
        )
    given = kecamatan.to_crs(WGS84)
    df = pd.DataFrame(
        {"kode": given["kode"].astype(str).to_numpy(), "nama": given["nama"].astype(str).to_numpy()}
    )
    demo = df[["kode"]].merge(pop, on="kode", how="left")
    if "penduduk" in given.columns:
        own = pd.to_numeric(given["penduduk"], errors="coerce").to_numpy(dtype=float)
        has = ~np.isnan(own)
        df["penduduk"] = np.where(has, own, demo["penduduk"].to_numpy(dtype=float))
        own_kk = (
            pd.to_numeric(given["kk"], errors="coerce").to_numpy(dtype=float)
            if "kk" in given.columns
            else np.full(len(given), np.nan)
        )
        kk = np.where(has, own_kk, demo["kk"].to_numpy(dtype=float))
        own_src = (
            given["sumber_penduduk"].to_numpy(dtype=object)
            if "sumber_penduduk" in given.columns
            else np.full(len(given), None, dtype=object)
        )
        df["sumber_penduduk"] = np.where(has, own_src, demo["sumber_penduduk"].to_numpy(object))
    else:
        df["penduduk"] = demo["penduduk"].to_numpy(dtype=float)
        kk = demo["kk"].to_numpy(dtype=float)
        df["sumber_penduduk"] = demo["sumber_penduduk"].to_numpy(dtype=object)
    df["kk"] = pd.array([None if np.isnan(v) else round(float(v)) for v in kk], dtype="Int64")
    if "keterangan" in given.columns:
        df["keterangan"] = given["keterangan"].to_numpy(dtype=object)
    else:
        df["keterangan"] = None
    df["contoh"] = False
    geoms = [_as_multipolygon(g) for g in given.geometry]
    return gpd.GeoDataFrame(df[cols], geometry=geoms, crs=WGS84)


def _offset_points(
    rng: np.random.Generator, center: np.ndarray, rmin: float, rmax: float, inside: Polygon
) -> np.ndarray:
    """A point at a random distance in [rmin, rmax] m from ``center``, inside ``inside``."""
    for _ in range(200):
        r = rng.uniform(rmin, rmax)
        a = rng.uniform(0, 2 * np.pi)
        p = center + r * np.array([np.cos(a), np.sin(a)])
        if inside.contains(Point(p)):
            return p
    return center.copy()


def _to_wgs84_points(xy: np.ndarray) -> gpd.GeoSeries:
    s = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC_CRS).to_crs(WGS84)
    return gpd.GeoSeries(
        gpd.points_from_xy(np.round(s.x.to_numpy(), 6), np.round(s.y.to_numpy(), 6)), crs=WGS84
    )


def _base_name(nama: str) -> str:
    return nama.removesuffix(" (contoh)").strip()


def _site_name(jenis: str, base: str, n: int) -> str:
    label = _JENIS_LABEL[jenis]
    if base.lower().startswith(label.lower() + " "):
        name = base
    else:
        first, _, rest = base.partition(" ")
        if first in _JENIS_LABEL.values() and rest:
            base = rest  # "Kantor Kecamatan X" -> "Gudang Kecamatan X"
        name = f"{label} {base}"
    if n > 1:
        name = f"{name} {n}"
    return f"{name} (contoh)"


def _round_step(q: float, step: float) -> float:
    return float(max(step, np.round(q / step) * step))


def _member_keywords(nama: str) -> tuple[set[str], dict[str, float]]:
    low = nama.lower()
    sure: set[str] = set()
    mult: dict[str, float] = {}
    for key, items, m in _KEYWORDS:
        if key == "sar":
            hit = " sar " in f" {low} "
        elif key == "pol":
            hit = low.startswith("pol")
        else:
            hit = key in low
        if hit:
            sure.update(items)
            for it in items:
                mult[it] = max(mult.get(it, 1.0), m)
    return sure, mult


def build_demo(
    today: dt.date | None = None,
    *,
    kecamatan: gpd.GeoDataFrame | None = None,
    seed: int = DEMO_SEED,
) -> dict[str, pd.DataFrame]:
    """Build the layers of the demo regency (Kabupaten Bekasi).

    Pure: reads only the files in ``layers/demo`` and writes nothing.

    Parameters
    ----------
    today : datetime.date, optional
        The reference date; report times and expiry dates are placed relative to it
        (default: today's UTC date).
    kecamatan : geopandas.GeoDataFrame, optional
        Official kecamatan boundaries with ``kode`` and ``nama`` already mapped. Their geometry
        is used (``contoh=False``); population comes from their ``penduduk`` where present,
        otherwise from the demo figures. Without it, the geometry is approximated from the
        gazetteer points (:func:`approximate_kecamatan`).
    seed : int
        Seed of the random generator; the result is deterministic for a given ``(today, seed)``
        and shifting ``today`` by *n* days shifts every date by *n* days and changes nothing
        else.

    Returns
    -------
    dict[str, pandas.DataFrame]
        Layers ``kecamatan``, ``zona_banjir``, ``anggota``, ``lokasi`` (GeoDataFrames in
        EPSG:4326) and ``stok``, ``barang`` (DataFrames), with the field names of
        ``layers/schema.toml``. No ``desa`` layer.
    """
    if today is None:
        today = dt.datetime.now(dt.UTC).date()
    rng = np.random.default_rng(seed)
    gaz = read_gazetir()
    barang = read_barang()
    agt = read_anggota()
    outline = approximate_outline(gaz)
    inner = outline.buffer(-500)

    kec = _kecamatan_layer(gaz, kecamatan)
    zona = read_zona_banjir()

    # --- anggota: office = gazetteer point + up to ~2 km
    centers = dict(zip(gaz["kode"], _metric_points(gaz), strict=True))
    office_xy = np.array(
        [_offset_points(rng, centers[k], 200, 2000, inner) for k in agt["kode"]], dtype=float
    )
    anggota = gpd.GeoDataFrame(
        {
            "id": agt["id"].to_numpy(),
            "nama": agt["nama"].to_numpy(),
            "sektor": agt["sektor"].to_numpy(),
            "kontak": agt["kontak"].to_numpy(),
            "telepon": agt["telepon"].to_numpy(),
            "contoh": True,
        },
        geometry=_to_wgs84_points(office_xy),
        crs=WGS84,
    )

    # --- lokasi: 1-3 per member within ~4 km of its office
    n_sites = rng.choice([1, 2, 3], size=len(agt), p=[0.2, 0.4, 0.4])
    order = rng.permutation(len(agt))
    k = 0
    while n_sites.sum() < 85:
        i = order[k % len(order)]
        n_sites[i] = min(3, n_sites[i] + 1)
        k += 1
    site_rows = []
    site_xy = []
    for i, row in enumerate(agt.itertuples(index=False)):
        first, choices = _JENIS_BY_SECTOR[row.sektor]
        if row.nama.startswith("Gudang "):
            first = "gudang"
        seen: dict[str, int] = {}
        for s in range(int(n_sites[i])):
            jenis = first if s == 0 else str(rng.choice(choices))
            seen[jenis] = seen.get(jenis, 0) + 1
            rmin, rmax = (100.0, 1500.0) if s == 0 else (500.0, 4000.0)
            site_xy.append(_offset_points(rng, office_xy[i], rmin, rmax, inner))
            site_rows.append(
                {
                    "id": f"LOK-{len(site_rows) + 1:03d}",
                    "anggota_id": row.id,
                    "nama": _site_name(jenis, _base_name(row.nama), seen[jenis]),
                    "jenis": jenis,
                    "contoh": True,
                }
            )
    lokasi = gpd.GeoDataFrame(
        pd.DataFrame(site_rows), geometry=_to_wgs84_points(np.array(site_xy)), crs=WGS84
    )

    stok = _build_stok(rng, today, agt, lokasi, barang)

    return {
        "kecamatan": kec,
        "zona_banjir": zona,
        "anggota": anggota,
        "lokasi": lokasi,
        "stok": stok,
        "barang": barang[["kode", "nama", "kategori", "satuan", "bulat"]].reset_index(drop=True),
    }


def _build_stok(
    rng: np.random.Generator,
    today: dt.date,
    agt: pd.DataFrame,
    lokasi: gpd.GeoDataFrame,
    barang: pd.DataFrame,
) -> pd.DataFrame:
    """Stock history: the latest report of every site, plus older reports of some sites."""
    satuan = dict(zip(barang["kode"], barang["satuan"], strict=True))
    kategori = dict(zip(barang["kode"], barang["kategori"], strict=True))
    items = list(barang["kode"])
    member = agt.set_index("id")
    midnight = dt.datetime.combine(today, dt.time())

    # age (days) of each member's latest report; a few members are stale (35-90 days)
    ages = {m: int(rng.integers(1, 24)) for m in agt["id"]}
    stale = rng.choice(np.asarray(agt["id"]), size=_STALE_MEMBERS, replace=False)
    for m in stale:
        ages[str(m)] = int(rng.integers(35, 91))

    lines: list[dict] = []

    def quantity(item: str, scale: float) -> float:
        lo, hi, step = _ITEM_RANGE.get(item, (1, 10, 1))
        return _round_step(rng.uniform(lo, hi) * scale, step)

    for site in lokasi.itertuples(index=False):
        m = member.loc[site.anggota_id]
        pl, pp, qscale = _SECTOR_FACTOR[m["sektor"]]
        jfac, jscale = _JENIS_FACTOR[site.jenis]
        sure, mult = _member_keywords(m["nama"])
        held: list[str] = []
        for it in items:
            if it in sure and rng.random() < 0.9:
                held.append(it)
                continue
            base = _LOGISTIK_BASE.get(it) if kategori[it] == "logistik" else None
            p = base * pl if base is not None else _PERALATAN_BASE.get(it, 0.1) * pp
            if rng.random() < min(0.95, p * jfac):
                held.append(it)
        if len(held) < 3:
            for it in ("beras", "air_minum", "paket_keluarga", "terpal"):
                if it not in held and len(held) < 3:
                    held.append(it)
        qty = {}
        for it in held:
            scale = qscale * jscale * mult.get(it, 1.0)
            qty[it] = quantity(it, scale)
        # siap share per sector
        lo_siap = {"pemerintah_daerah": 0.6, "swasta": 0.3, "komunitas": 0.5}.get(m["sektor"], 0.4)

        age = ages[site.anggota_id] + int(rng.integers(0, 3))
        n_reports = int(rng.choice([1, 2, 3], p=[0.6, 0.25, 0.15]))
        report_ages = [age]
        for _ in range(n_reports - 1):
            report_ages.append(report_ages[-1] + int(rng.integers(20, 46)))
        for r, rage in enumerate(sorted(report_ages, reverse=True)):
            latest = rage == age
            when = (
                midnight
                - dt.timedelta(days=rage)
                + dt.timedelta(hours=int(rng.integers(1, 10)), minutes=int(rng.integers(0, 60)))
            )
            for it in held:
                if not latest and rng.random() < 0.2:
                    continue  # an older report did not list every item
                q = (
                    qty[it]
                    if latest
                    else _round_step(
                        qty[it] * rng.uniform(0.6, 1.3), _ITEM_RANGE.get(it, (1, 10, 1))[2]
                    )
                )
                siap = _round_step(q * rng.uniform(lo_siap, 1.0), _ITEM_RANGE[it][2])
                siap = min(siap, q)
                exp = None
                if it in _EXPIRING:
                    a, b = _EXPIRING[it]
                    exp = int(rng.integers(a, b))
                lines.append(
                    {
                        "lokasi_id": site.id,
                        "barang": it,
                        "jumlah": float(q),
                        "siap": float(siap),
                        "satuan": satuan[it],
                        "kondisi": "baik",
                        "_exp_days": exp,
                        "dilaporkan": when,
                        "_latest": latest,
                        "_report": r,
                    }
                )

    df = pd.DataFrame(lines)
    # make sure the whole catalogue appears: missing items go to the large warehouses
    gudang = lokasi.loc[lokasi["jenis"] == "gudang", "id"].to_list()
    for j, it in enumerate(i for i in items if i not in set(df["barang"])):
        sid = gudang[(j * 7) % len(gudang)]
        tmpl = df[(df["lokasi_id"] == sid) & df["_latest"]].iloc[0]
        q = _round_step(rng.uniform(*_ITEM_RANGE[it][:2]), _ITEM_RANGE[it][2])
        a, b = _EXPIRING.get(it, (None, None))
        extra = {
            **tmpl.to_dict(),
            "barang": it,
            "jumlah": q,
            "siap": q,
            "satuan": satuan[it],
            "_exp_days": int(rng.integers(a, b)) if a is not None else None,
        }
        df = pd.concat([df, pd.DataFrame([extra])], ignore_index=True)

    # expired lines (~5 %): among the current lines of expiring items
    cand = np.flatnonzero(df["_exp_days"].notna().to_numpy() & df["_latest"].to_numpy())
    n_exp = min(len(cand), round(_EXPIRED_SHARE * len(df)))
    exp_days = df["_exp_days"].astype("float").to_numpy().copy()
    for i in rng.choice(cand, size=n_exp, replace=False):
        exp_days[i] = -float(rng.integers(1, 150))
    # damaged lines (~4 %)
    cur = np.flatnonzero(df["_latest"].to_numpy())
    n_rusak = round(_RUSAK_SHARE * len(df))
    kondisi = df["kondisi"].to_numpy(dtype=object).copy()
    kondisi[rng.choice(cur, size=n_rusak, replace=False)] = "rusak"
    df["kondisi"] = kondisi

    df["kedaluwarsa"] = [
        None if np.isnan(d) else today + dt.timedelta(days=int(d)) for d in exp_days
    ]
    df["contoh"] = True
    df = df.sort_values(["dilaporkan", "lokasi_id", "_report"], kind="stable", ignore_index=True)
    df["dilaporkan"] = pd.to_datetime(df["dilaporkan"])
    cols = ["lokasi_id", "barang", "jumlah", "siap", "satuan", "kondisi", "kedaluwarsa"]
    return df[[*cols, "dilaporkan", "contoh"]].astype({"jumlah": float, "siap": float})
