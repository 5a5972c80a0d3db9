"""Reading input files: GeoJSON, GeoPackage, Shapefile (also zipped), CSV, XLSX.

The only module that opens vector files with pyogrio. Every reader returns a :class:`Source`:
the raw frame (values as the file has them, columns renamed by ``--map``), the CRS the
geometry is in, and how a person counts its rows (feature number, or CSV/XLSX line number),
so that validation can say *where* a problem is.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo_klaster.errors import InputError, Problem, ValidationError
from geo_klaster.schema import LayerSchema

VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".kml", ".gml"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}
RASTER_SUFFIXES = {".tif", ".tiff"}
LON_NAMES = ("lon", "lng", "long", "longitude", "bujur", "x")
LAT_NAMES = ("lat", "latitude", "lintang", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "geometri")


@dataclass(frozen=True)
class XlsxLimits:
    """How far an XLSX may expand before the spreadsheet reader parses it (a small 'zip
    bomb' or a file of millions of tiny cells would hold a process for minutes)."""

    inflated_bytes: int  # the ZIP members' declared sizes, summed
    cells: int  # cells and rows in all worksheets


# Layers imported by the coordinator (a national kecamatan table is ~7,000 rows); member
# reports are far smaller (geo_klaster.reports.REPORT_XLSX_LIMITS).
XLSX_LIMITS = XlsxLimits(inflated_bytes=200_000_000, cells=5_000_000)
_CELL = re.compile(rb"<(?:\w+:)?(?:c|row)[\s/>]")


def check_xlsx(path: Path, limits: XlsxLimits = XLSX_LIMITS) -> None:
    """Refuse an XLSX that is not a ZIP, inflates beyond ``limits.inflated_bytes``, or holds
    more than ``limits.cells`` cells and rows, before any spreadsheet parser opens it."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > limits.inflated_bytes:
                raise InputError(
                    f"{path.name}: isi berkas .xlsx terlalu besar setelah diurai / XLSX too "
                    f"large once inflated (> {limits.inflated_bytes:,} bytes)"
                )
            cells = 0
            for info in infos:
                if info.filename.startswith("xl/worksheets/"):
                    # zipfile stops at the declared size, checked above
                    cells += sum(1 for _ in _CELL.finditer(z.read(info)))
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error):
        raise InputError(
            f"{path.name}: berkas .xlsx rusak atau bukan XLSX / not an XLSX file"
        ) from None
    if cells > limits.cells:
        raise InputError(
            f"{path.name}: berkas .xlsx berisi terlalu banyak sel ({cells} > {limits.cells}) "
            "/ too many cells"
        )


@dataclass
class Source:
    """A file read into memory, before validation."""

    path: Path
    frame: pd.DataFrame  # GeoDataFrame when the file has geometry
    kind: str  # "fitur" (vector feature numbers) or "baris" (CSV/XLSX line numbers)
    first_row: int  # number a person gives the first data row (1 for features, 2 for CSV)
    crs: CRS | None = None
    has_geometry: bool = False
    ignored: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def row_number(self, position: int) -> int:
        return self.first_row + position


def parse_crs(text: str) -> CRS:
    """``EPSG:32748`` (or any pyproj-readable CRS) -> CRS; a clear error otherwise."""
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise InputError(
            f"--crs: CRS tidak dikenal / unknown CRS '{text}' (contoh: EPSG:32748)"
        ) from None


def parse_mapping(items: list[str] | None) -> dict[str, str]:
    """``["WADMKC=nama", ...]`` -> ``{"WADMKC": "nama"}``."""
    mapping: dict[str, str] = {}
    for item in items or []:
        src, sep, dst = item.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise InputError(
                f"--map: harus berbentuk SUMBER=TUJUAN / must be SRC=DST, bukan '{item}'"
            )
        mapping[src.strip()] = dst.strip()
    return mapping


def parse_constants(items: list[str] | None) -> dict[str, str]:
    """``--nilai``: ``["kelas=tinggi", ...]`` -> ``{"kelas": "tinggi"}`` (value may hold '=')."""
    constants: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(
                f"--nilai: harus berbentuk KOLOM=NILAI / must be COLUMN=VALUE, bukan '{item}'"
            )
        if name.strip() in constants:
            raise InputError(f"--nilai: kolom '{name.strip()}' disebut dua kali / given twice")
        constants[name.strip()] = value.strip()
    return constants


def read_source(
    path: str | Path,
    schema: LayerSchema,
    *,
    source_layer: str | None = None,
    crs: CRS | None = None,
    mapping: dict[str, str] | None = None,
    geometry: bool = True,
    xlsx_limits: XlsxLimits = XLSX_LIMITS,
) -> Source:
    """Read ``path`` for import into the layer described by ``schema``.

    ``geometry=False`` (attribute updates) reads a table without coordinate columns. An
    XLSX is first checked against ``xlsx_limits`` (:func:`check_xlsx`).
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: berkas tidak ditemukan / file not found")
    if p.is_dir():
        raise InputError(f"{p}: ini folder, bukan berkas / is a directory, not a file")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(p, xlsx_limits)
    if suffix in TABLE_SUFFIXES:
        src = _read_table(p, schema, crs, geometry)
    elif suffix in VECTOR_SUFFIXES:
        src = _read_vector(p, schema, source_layer, crs)
    elif suffix in RASTER_SUFFIXES:
        raise InputError(
            f"{p.name}: raster hanya untuk lapisan zona_banjir (indeks bahaya 0-1) / "
            f"a raster can only be imported into zona_banjir"
        )
    else:
        raise InputError(
            f"{p.name}: format tidak dikenal / unknown format '{suffix}' "
            "(GeoJSON, GeoPackage, Shapefile/.zip, CSV, XLSX)"
        )
    _apply_mapping(src, mapping or {})
    return src


def _apply_mapping(src: Source, mapping: dict[str, str]) -> None:
    missing = [k for k in mapping if k not in src.frame.columns]
    if missing:
        raise ValidationError(
            src.name,
            [
                Problem(
                    f"--map: kolom sumber tidak ada / source column not in file; "
                    f"kolom yang ada: {', '.join(map(str, src.frame.columns))}",
                    field=m,
                )
                for m in missing
            ],
        )
    if mapping:
        # a mapped column replaces a same-named column of the file
        clash = [dst for dst in mapping.values() if dst in src.frame.columns and dst not in mapping]
        frame = src.frame.drop(columns=clash)
        src.frame = frame.rename(columns=mapping)


def _read_vector(p: Path, schema: LayerSchema, source_layer: str | None, crs: CRS | None) -> Source:
    try:
        layers = pyogrio.list_layers(p)
    except Exception as exc:  # noqa: BLE001 -- GDAL raises many error types; all mean unreadable
        raise InputError(
            f"{p.name}: berkas tidak bisa dibaca / unreadable file: {_gdal_msg(exc)}"
        ) from None
    names = [str(n) for n in layers[:, 0]]
    if source_layer is None:
        if len(names) == 1:
            source_layer = names[0]
        elif schema.name in names:
            source_layer = schema.name
        else:
            raise InputError(
                f"{p.name}: berkas berisi beberapa lapisan / several layers: {', '.join(names)}; "
                "pilih satu dengan --layer NAMA"
            )
    elif source_layer not in names:
        raise InputError(
            f"{p.name}: lapisan '{source_layer}' tidak ada / no such layer; ada: {', '.join(names)}"
        )
    try:
        frame = pyogrio.read_dataframe(p, layer=source_layer, read_geometry=schema.has_geometry)
    except Exception as exc:  # noqa: BLE001
        raise InputError(
            f"{p.name}: berkas tidak bisa dibaca / unreadable file: {_gdal_msg(exc)}"
        ) from None
    file_crs: CRS | None = None
    has_geom = isinstance(frame, gpd.GeoDataFrame)
    if has_geom:
        file_crs = CRS.from_user_input(frame.crs) if frame.crs is not None else None
        if crs is not None:
            file_crs = crs
        elif file_crs is None and bool(frame.geometry.notna().any()):
            hint = " (Shapefile tanpa .prj)" if p.suffix.lower() in (".shp", ".zip") else ""
            raise InputError(
                f"{p.name}: CRS tidak diketahui{hint} / no CRS in the file; "
                "sebutkan dengan --crs EPSG:XXXX (mis. --crs EPSG:4326 atau EPSG:32748)"
            )
    return Source(p, frame, "fitur", 1, file_crs, has_geom)


def _gdal_msg(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200]


def _read_table(p: Path, schema: LayerSchema, crs: CRS | None, geometry: bool) -> Source:
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(p, dtype=object, engine="openpyxl")
        else:
            frame = pd.read_csv(
                p, dtype=str, keep_default_na=False, na_values=[""], sep=None, engine="python",
                encoding="utf-8-sig",
            )  # fmt: skip
    except Exception as exc:  # noqa: BLE001 -- pandas/openpyxl: any failure means unreadable
        raise InputError(
            f"{p.name}: berkas tidak bisa dibaca sebagai tabel / unreadable table: "
            f"{str(exc).splitlines()[0][:200]}"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.astype(object).where(frame.notna(), None)
    src = Source(p, frame, "baris", 2, None, False)
    if schema.has_geometry and geometry:
        _geometry_from_columns(src, crs)
    return src


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {c.lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _geometry_from_columns(src: Source, crs: CRS | None) -> None:
    """CSV/XLSX: a point from lon/lat columns, or any geometry from a WKT column.

    A table's coordinates are read as WGS84 (lon/lat) unless ``--crs`` names another CRS.
    """
    frame = src.frame
    cols = list(frame.columns)
    lon, lat, wkt = _find(cols, LON_NAMES), _find(cols, LAT_NAMES), _find(cols, WKT_NAMES)
    problems: list[Problem] = []
    if lon and lat:
        xs = _numbers(frame[lon], lon, src, problems)
        ys = _numbers(frame[lat], lat, src, problems)
        if problems:
            raise ValidationError(src.name, problems)
        geoms = shapely.points(xs, ys)
        geoms = np.where(np.isnan(xs) | np.isnan(ys), None, geoms)
        frame = frame.drop(columns=[lon, lat])
    elif wkt:
        values = frame[wkt].tolist()
        geoms = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            if v is None or str(v).strip() == "":
                geoms[i] = None
                continue
            try:
                geoms[i] = shapely.from_wkt(str(v))
            except shapely.errors.GEOSException:
                problems.append(
                    Problem(
                        "WKT tidak bisa dibaca / unreadable WKT",
                        src.row_number(i),
                        wkt,
                        v,
                        src.kind,
                    )
                )
        if problems:
            raise ValidationError(src.name, problems)
        frame = frame.drop(columns=[wkt])
    else:
        raise InputError(
            f"{src.name}: tidak ada kolom koordinat / no coordinate columns: "
            "perlu kolom bujur dan lintang (lon, lat) atau WKT (wkt); "
            f"kolom yang ada: {', '.join(cols)}"
        )
    src.frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index))
    src.crs = crs or CRS.from_epsg(4326)
    src.has_geometry = True


def _numbers(values: pd.Series, column: str, src: Source, problems: list[Problem]) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values.tolist()):
        if v is None or str(v).strip() == "":
            continue
        try:
            out[i] = float(str(v).strip().replace(",", "."))
        except ValueError:
            problems.append(
                Problem(
                    f"bukan angka / not a number: '{v}'", src.row_number(i), column, v, src.kind
                )
            )
    return out
