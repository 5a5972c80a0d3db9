"""Flood-hazard zones (layer ``zona_banjir``) from an InaRISK-style hazard-index raster.

InaRISK publishes the flood hazard as a unitless index 0-1, commonly classed
``rendah`` < 1/3 <= ``sedang`` < 2/3 <= ``tinggi``. :func:`zones_from_hazard_raster`
reads such a GeoTIFF and returns one polygon per connected region of one class, with
the exact mean index of the region's pixels, in WGS84 (EPSG:4326).

How it works
------------
1. The band is read whole (masked: nodata and the dataset mask are honoured; NaN and
   values <= 0 count as "no hazard"). Values outside 0-1 are refused, not clipped.
2. Each valid pixel gets a class; each class is labelled separately with
   ``scipy.ndimage.label`` using **4-connectivity** (pixels sharing an edge; a diagonal
   corner contact does not join two regions). The per-class labels are offset into one
   ``int32`` label raster, so that regions of different classes never share a label.
3. ``scipy.ndimage.mean`` gives the mean index of every label in one pass (float64
   accumulation); ``rasterio.features.shapes`` polygonises the label raster, also with
   4-connectivity, so every label yields exactly one polygon (with its holes).
4. Polygons are built in *pixel* coordinates (integer corners, exact), every edge is
   split at each pixel corner, and only then mapped through the raster's affine
   transform and reprojected to EPSG:4326. Two regions that share an edge therefore
   share exactly the same vertices after reprojection: classes do not overlap and leave
   no slivers. Nothing is computed in degrees; the raster's own CRS (metric or not) is
   only used to place vertices.

Memory
------
The whole band is held in memory: roughly 15-20 bytes per pixel at peak (values, mask,
class raster, two ``int32`` label rasters, GDAL's polygoniser). A 5,000 x 5,000 raster
(25 million pixels) therefore needs about 0.4-0.5 GB, which is the documented limit
(:data:`MAX_PIXELS`); a larger raster is refused with advice to clip or resample it
(``gdalwarp -te ... -tr ...``) rather than risk exhausting memory on a small server.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.features
import rasterio.warp
import shapely
from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.errors import CRSError, NotGeoreferencedWarning, RasterioError
from scipy import ndimage
from shapely.geometry import MultiPolygon, Polygon, shape

from geo_klaster.errors import InputError, Problem, ValidationError

__all__ = [
    "CONNECTIVITY",
    "DEFAULT_THRESHOLDS",
    "KELAS",
    "MAX_PIXELS",
    "zones_from_hazard_raster",
]

#: Hazard classes, in increasing order (layer ``zona_banjir``, field ``kelas``).
KELAS: tuple[str, str, str] = ("rendah", "sedang", "tinggi")

#: InaRISK's usual class limits: rendah < 1/3 <= sedang < 2/3 <= tinggi.
DEFAULT_THRESHOLDS: tuple[float, float] = (1 / 3, 2 / 3)

#: Pixel connectivity of a region (4 = pixels sharing an edge). Used both for
#: ``scipy.ndimage.label`` and ``rasterio.features.shapes`` so that they agree.
CONNECTIVITY = 4

#: Largest raster (width x height, pixels) processed in memory: 5,000 x 5,000.
MAX_PIXELS = 25_000_000

#: Indonesia, roughly (lon 94-142, lat -11-6), in degrees: a raster wholly outside
#: this box almost certainly has a wrong CRS.
_INDONESIA_BOUNDS = (94.0, -11.0, 142.0, 6.0)

_COLUMNS = ["kelas", "indeks", "skenario", "sumber", "geometry"]
_WGS84 = "EPSG:4326"


def zones_from_hazard_raster(
    path: str | Path,
    *,
    skenario: str,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    crs: str | None = None,
    band: int = 1,
    sumber: str | None = None,
) -> gpd.GeoDataFrame:
    """Polygonise an InaRISK-style hazard-index GeoTIFF into ``zona_banjir`` zones.

    Parameters
    ----------
    path : str or pathlib.Path
        GeoTIFF (or any raster GDAL reads) holding the hazard index, unitless, 0-1.
    skenario : str
        Scenario name written to every row (field ``skenario``); must not be empty.
    thresholds : tuple of float, default (1/3, 2/3)
        Class limits ``(t1, t2)``, unitless, with ``0 < t1 < t2 < 1``. A pixel with
        index ``v`` is ``rendah`` for ``0 < v < t1``, ``sedang`` for ``t1 <= v < t2``
        and ``tinggi`` for ``t2 <= v <= 1``. Comparisons are made in float64 on the
        stored values (a float32 pixel 0.33333334 is ``sedang`` with t1 = 1/3).
    crs : str, optional
        CRS of the raster when the file has none (``"EPSG:32748"``, WKT, PROJ string:
        anything ``rasterio.crs.CRS.from_user_input`` accepts). If the file has a CRS
        and ``crs`` names a different one, the file is refused rather than silently
        reinterpreted.
    band : int, default 1
        Band number (1-based) holding the index.
    sumber : str, optional
        Source written to every row (field ``sumber``); default: the file name.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per connected region (4-connectivity) of one class, columns exactly
        ``kelas`` (str), ``indeks`` (float: mean index of the region's pixels, unitless,
        rounded to 4 decimals), ``skenario`` (str), ``sumber`` (str) and ``geometry``
        (MultiPolygon, lon/lat degrees), CRS EPSG:4326. Rows are ordered by class
        (rendah, sedang, tinggi), then by the region's first pixel in row-major order.
        Regions never overlap, within or across classes. A raster without any hazard
        pixel gives an empty frame with these columns.

    Raises
    ------
    InputError
        The file is missing or not a readable raster, the band does not exist, the
        raster is larger than :data:`MAX_PIXELS`, or an argument is invalid
        (thresholds, ``crs``, ``skenario``).
    ValidationError
        The raster has no CRS and ``crs`` is not given, its CRS contradicts ``crs``, it
        has no georeferencing, it lies outside Indonesia in the given CRS, or it holds
        values outside 0-1 other than nodata/NaN (the message gives the number of
        such pixels and the range found).

    Notes
    -----
    Pixels that are nodata (declared nodata value or dataset mask), NaN, or <= 0 are
    "no hazard" and produce no polygon. A band scale/offset stored in the file is
    applied before classing. See the module docstring for memory use.
    """
    path = Path(path)
    name = path.name
    t1, t2 = _check_thresholds(thresholds, name)
    if not isinstance(skenario, str) or not skenario.strip():
        raise InputError(
            f"{name}: nama skenario wajib diisi / a scenario name is required (skenario)"
        )
    user_crs = _parse_crs(crs, name) if crs is not None else None

    if not path.is_file():
        raise InputError(f"{name}: berkas raster tidak ditemukan ({path}) / raster file not found")

    with warnings.catch_warnings():
        # An un-georeferenced raster is reported below, in the user's language.
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        try:
            src = rasterio.open(path)
        except RasterioError as exc:
            raise InputError(
                f"{name}: bukan berkas raster yang dapat dibaca (mis. GeoTIFF) / "
                f"not a readable raster file (e.g. GeoTIFF): {exc}"
            ) from exc

    with src:
        if not isinstance(band, int) or not 1 <= band <= src.count:
            raise InputError(
                f"{name}: band {band} tidak ada; raster ini memiliki {src.count} band / "
                f"band {band} does not exist; this raster has {src.count} band(s)"
            )
        if src.width * src.height > MAX_PIXELS:
            raise InputError(
                f"{name}: raster terlalu besar ({src.width} x {src.height} piksel, batas "
                f"{MAX_PIXELS:,} piksel); potong atau turunkan resolusinya dulu, mis. dengan "
                f"gdalwarp -te/-tr / raster too large ({src.width} x {src.height} pixels, "
                f"limit {MAX_PIXELS:,}); clip or resample it first"
            )
        transform = src.transform
        if transform.is_identity:  # no geotransform (GCP/RPC-only rasters included)
            _refuse(
                name,
                "raster tidak memiliki georeferensi (geotransform); jika hanya memiliki GCP "
                "atau RPC, georeferensikan dulu dengan gdalwarp / the raster has no "
                "geotransform; if it only has GCPs or RPCs, warp it first with gdalwarp",
            )
        src_crs = _raster_crs(src, user_crs, name)
        _check_location(src.bounds, src_crs, crs, name)
        scale = src.scales[band - 1]
        offset = src.offsets[band - 1]
        try:
            data = src.read(band, masked=True)
        except RasterioError as exc:
            raise InputError(
                f"{name}: band {band} tidak dapat dibaca / band {band} cannot be read: {exc}"
            ) from exc

    values = np.ma.getdata(data)
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    if scale not in (None, 1.0) or offset not in (None, 0.0):
        values = values * (1.0 if scale is None else scale) + (offset or 0.0)
    invalid = np.ma.getmaskarray(data) | np.isnan(values)
    del data

    _check_range(values, invalid, name)

    label_raster, n_labels, label_class = _label_classes(values, invalid, t1, t2)
    del invalid
    if n_labels == 0:
        return _frame([], [], [], skenario, name if sumber is None else sumber)

    np.copyto(values, 0.0, where=label_raster == 0)  # keep NaN out of the sums
    means = ndimage.mean(values, labels=label_raster, index=np.arange(1, n_labels + 1))
    del values

    parts: dict[int, list[Polygon]] = defaultdict(list)
    for geom, value in rasterio.features.shapes(
        label_raster,
        mask=label_raster > 0,
        connectivity=CONNECTIVITY,
        transform=Affine.identity(),
    ):
        parts[int(value)].append(shape(geom))
    del label_raster

    labels = sorted(parts)
    pixel_geoms = np.array([_as_multipolygon(parts[lab]) for lab in labels], dtype=object)
    # Split every edge at each pixel corner (integer coordinates: exact), so that
    # neighbouring regions share identical vertices through the reprojection.
    pixel_geoms = shapely.segmentize(pixel_geoms, 1.0)
    to_wgs84 = Transformer.from_crs(src_crs, _WGS84, always_xy=True)

    def _pixel_to_lonlat(coords: np.ndarray) -> np.ndarray:
        col, row = coords[:, 0], coords[:, 1]
        x = transform.a * col + transform.b * row + transform.c
        y = transform.d * col + transform.e * row + transform.f
        lon, lat = to_wgs84.transform(x, y)
        return np.column_stack([lon, lat])

    geoms = shapely.transform(pixel_geoms, _pixel_to_lonlat)
    # An affine map with negative determinant (north-up rasters) flips ring orientation;
    # normalise to exterior counter-clockwise as RFC 7946 asks.
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    # shapely.segmentize demotes a one-part MultiPolygon to a Polygon: promote it back.
    geoms = [g if isinstance(g, MultiPolygon) else MultiPolygon([g]) for g in geoms]
    kelas = [KELAS[label_class[lab - 1]] for lab in labels]
    indeks = [round(float(means[lab - 1]), 4) for lab in labels]
    return _frame(kelas, indeks, geoms, skenario, name if sumber is None else sumber)


# --------------------------------------------------------------------------- helpers


def _refuse(name: str, message: str) -> None:
    raise ValidationError(name, [Problem(message)])


def _check_thresholds(thresholds: tuple[float, float], name: str) -> tuple[float, float]:
    try:
        t1, t2 = (float(t) for t in thresholds)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{name}: ambang kelas harus dua angka (t1, t2) / class thresholds must be two "
            f"numbers (t1, t2), got {thresholds!r}"
        ) from exc
    if not (math.isfinite(t1) and math.isfinite(t2) and 0.0 < t1 < t2 < 1.0):
        raise InputError(
            f"{name}: ambang kelas harus memenuhi 0 < t1 < t2 < 1, diberikan t1={t1:g}, "
            f"t2={t2:g} / class thresholds must satisfy 0 < t1 < t2 < 1"
        )
    return t1, t2


def _parse_crs(crs: str, name: str) -> CRS:
    try:
        return CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError) as exc:
        raise InputError(
            f"{name}: CRS '{crs}' tidak dikenal; gunakan mis. --crs EPSG:32748 / "
            f"unknown CRS '{crs}'; use e.g. --crs EPSG:32748"
        ) from exc


def _raster_crs(src: rasterio.DatasetReader, user_crs: CRS | None, name: str) -> CRS:
    file_crs = src.crs
    if file_crs is None:
        if user_crs is None:
            _refuse(
                name,
                "raster tidak memiliki CRS; sebutkan CRS-nya dengan --crs EPSG:XXXX "
                "(mis. --crs EPSG:32748 untuk UTM 48S) / the raster has no CRS; name it "
                "with --crs EPSG:XXXX (e.g. --crs EPSG:32748 for UTM zone 48S)",
            )
        return user_crs  # type: ignore[return-value]
    if user_crs is not None and file_crs != user_crs:
        _refuse(
            name,
            f"raster sudah memiliki CRS {file_crs.to_string()} yang berbeda dengan --crs "
            f"{user_crs.to_string()}; hapus --crs atau perbaiki berkasnya / the raster "
            f"already has CRS {file_crs.to_string()}, which differs from --crs "
            f"{user_crs.to_string()}",
        )
    return file_crs


def _check_location(
    bounds: rasterio.coords.BoundingBox, src_crs: CRS, crs_arg: str | None, name: str
) -> None:
    if crs_arg:
        hint_id, hint_en = "periksa --crs", "check --crs"
    else:
        hint_id, hint_en = "periksa CRS berkas", "check the file's CRS"
    try:
        west, south, east, north = rasterio.warp.transform_bounds(
            src_crs, _WGS84, *bounds, densify_pts=21
        )
    except (RasterioError, ValueError) as exc:
        _refuse(
            name,
            f"batas raster tidak dapat diubah ke WGS84 dengan CRS {src_crs.to_string()}; "
            f"{hint_id} / raster bounds cannot be transformed to WGS84; {hint_en}: {exc}",
        )
    box_w, box_s, box_e, box_n = _INDONESIA_BOUNDS
    finite = all(math.isfinite(v) for v in (west, south, east, north))
    if not finite or east < box_w or west > box_e or north < box_s or south > box_n:
        _refuse(
            name,
            f"raster berada di luar Indonesia (lon {west:.3f} s/d {east:.3f}, lat {south:.3f} "
            f"s/d {north:.3f} dengan CRS {src_crs.to_string()}); {hint_id} / the raster lies "
            f"outside Indonesia (lon 94-142, lat -11-6) in this CRS; {hint_en}",
        )


def _check_range(values: np.ndarray, invalid: np.ndarray, name: str) -> None:
    with np.errstate(invalid="ignore"):
        bad = ~invalid & ((values < 0.0) | (values > 1.0))  # +/-inf are caught too
    n_bad = int(np.count_nonzero(bad))
    if n_bad:
        found = values[~invalid]
        lo, hi = float(found.min()), float(found.max())
        _refuse(
            name,
            f"{n_bad:,} piksel bernilai di luar 0–1 (rentang ditemukan {lo:g} sampai {hi:g}); "
            f"indeks bahaya gaya InaRISK harus 0–1 — ubah skalanya, atau tetapkan nilai "
            f"kosong sebagai nodata / {n_bad:,} pixels outside 0–1 (range found {lo:g} to "
            f"{hi:g}); an InaRISK-style hazard index must be 0–1: rescale it or declare the "
            f"empty value as nodata",
        )


def _label_classes(
    values: np.ndarray, invalid: np.ndarray, t1: float, t2: float
) -> tuple[np.ndarray, int, np.ndarray]:
    """Label connected regions per class into one int32 raster (0 = no hazard).

    Returns the label raster, the number of labels, and the class index (0, 1, 2 into
    :data:`KELAS`) of each label ``1..n`` at position ``label - 1``.
    """
    with np.errstate(invalid="ignore"):
        hazard = ~invalid & (values > 0.0)
        klass = np.zeros(values.shape, dtype=np.uint8)  # 0 none, 1-3 = KELAS index + 1
        klass[hazard & (values < t1)] = 1
        klass[hazard & (values >= t1) & (values < t2)] = 2
        klass[hazard & (values >= t2)] = 3
    del hazard
    structure = ndimage.generate_binary_structure(2, 1 if CONNECTIVITY == 4 else 2)
    label_raster = np.zeros(values.shape, dtype=np.int32)
    scratch = np.empty(values.shape, dtype=np.int32)
    label_class: list[np.ndarray] = []
    offset = 0
    for k in range(3):
        n = ndimage.label(klass == k + 1, structure=structure, output=scratch)
        if n:
            inside = scratch > 0
            label_raster[inside] = scratch[inside] + offset
            label_class.append(np.full(n, k, dtype=np.uint8))
            offset += n
    classes = np.concatenate(label_class) if label_class else np.empty(0, dtype=np.uint8)
    return label_raster, offset, classes


def _as_multipolygon(polygons: list[Polygon]) -> MultiPolygon:
    """Promote the polygon(s) of one label to a valid MultiPolygon (pixel coordinates)."""
    geom = polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)
    if not geom.is_valid:  # GDAL output is normally valid; guard against self-touching rings
        geom = shapely.make_valid(geom)
    polys: list[Polygon] = []
    for part in shapely.get_parts(geom):  # make_valid may give a collection
        polys.extend(p for p in shapely.get_parts(part) if isinstance(p, Polygon) and p.area > 0)
    return MultiPolygon(polys)


def _frame(
    kelas: list[str], indeks: list[float], geoms: list, skenario: str, sumber: str
) -> gpd.GeoDataFrame:
    n = len(kelas)
    frame = gpd.GeoDataFrame(
        {
            "kelas": np.array(kelas, dtype=object),
            "indeks": np.array(indeks, dtype=np.float64),
            "skenario": np.array([skenario] * n, dtype=object),
            "sumber": np.array([sumber] * n, dtype=object),
        },
        geometry=gpd.GeoSeries(geoms, crs=_WGS84),
        crs=_WGS84,
    )
    return frame[_COLUMNS]
