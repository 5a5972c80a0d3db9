"""Reading input files: GeoJSON, GeoPackage, Shapefile (also zipped), CSV, XLSX.

The only module that opens vector files with pyogrio. Every reader returns a :class:`Source`:
the raw frame (values as the file has them, columns renamed by ``--map``), the CRS the
geometry is in, and how a person counts its rows (feature number, or CSV/XLSX line number),
so that validation can say *where* a problem is.
"""

from __future__ import annotations

import csv
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
OSM_SUFFIXES = (".osm.pbf", ".osm", ".pbf", ".osm.bz2", ".osm.gz")
# OSM oneway tag values and what they mean for the ``jalan`` layer (yes / -1 / no). A
# reversible or alternating road changes direction during the day: counted as two-way.
OSM_ONEWAY = {
    "yes": "yes", "true": "yes", "1": "yes", "-1": "-1", "reverse": "-1",
    "no": "no", "false": "no", "0": "no", "reversible": "no", "alternating": "no",
}  # fmt: skip
LON_NAMES = ("lon", "lng", "long", "longitude", "bujur", "x")
LAT_NAMES = ("lat", "latitude", "lintang", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "geometri")
DECIMAL_MARKS = ("koma", "titik")
MAKS_KOLOM = 500  # header columns of a table: more is refused before the rows are parsed
GUIDE_SHEET = "petunjuk"  # sheets whose name holds this word are guidance, never data


@dataclass(frozen=True)
class XlsxLimits:
    """How far an XLSX may expand before the spreadsheet reader parses it (a small 'zip
    bomb' or a file of millions of tiny cells would hold a process for minutes)."""

    inflated_bytes: int  # the ZIP members' declared sizes, summed
    cells: int  # cells and rows in all worksheets


# Layers imported by the coordinator (a national kecamatan table is ~7,000 rows); member
# reports are far smaller (geo_klaster.members.reports.REPORT_XLSX_LIMITS).
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
    notes: list[str] = field(default_factory=list)  # how the file was read, for the report

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


def parse_value_maps(items: list[str] | None) -> dict[str, dict[str, str]]:
    """``--map-nilai``: ``["kelas:1=rendah,2=sedang", ...]`` -> ``{"kelas": {"1": "rendah", ...}}``."""
    maps: dict[str, dict[str, str]] = {}
    for item in items or []:
        column, sep, pairs = item.partition(":")
        usage = (
            f"--map-nilai: harus berbentuk KOLOM:SUMBER=TUJUAN[,SUMBER=TUJUAN...] / "
            f"must be COLUMN:SRC=DST[,...], bukan '{item}'"
        )
        if not sep or not column.strip() or not pairs.strip():
            raise InputError(usage)
        values = maps.setdefault(column.strip(), {})
        for pair in pairs.split(","):
            src, eq, dst = pair.partition("=")
            if not eq or not src.strip():
                raise InputError(usage)
            if src.strip() in values and values[src.strip()] != dst.strip():
                raise InputError(
                    f"--map-nilai: nilai '{src.strip()}' kolom '{column.strip()}' dipetakan dua "
                    "kali / mapped twice"
                )
            values[src.strip()] = dst.strip()
    return maps


def read_source(
    path: str | Path,
    schema: LayerSchema,
    *,
    source_layer: str | None = None,
    crs: CRS | None = None,
    mapping: dict[str, str] | None = None,
    geometry: bool = True,
    value_maps: dict[str, dict[str, str]] | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
    xlsx_limits: XlsxLimits = XLSX_LIMITS,
) -> Source:
    """Read ``path`` for import into the layer described by ``schema``.

    Parameters
    ----------
    geometry
        False (attribute updates) reads a table without coordinate columns.
    mapping
        ``--map``: source column -> layer field.
    value_maps
        ``--map-nilai``: layer field (after ``mapping``) -> {value as text -> new value}.
    decimal
        ``"koma"`` or ``"titik"``: the decimal mark of a CSV/XLSX's numbers; None decides it
        from the file (see :func:`decide_decimal`).
    sheet
        The XLSX worksheet to read; None reads the only sheet holding data.
    xlsx_limits
        An XLSX is first checked against these (:func:`check_xlsx`).
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: berkas tidak ditemukan / file not found")
    if p.is_dir():
        raise InputError(f"{p}: ini folder, bukan berkas / is a directory, not a file")
    suffix = p.suffix.lower()
    if decimal is not None and decimal not in DECIMAL_MARKS:
        raise InputError(
            f"--desimal: pilih koma atau titik / choose koma or titik, bukan '{decimal}'"
        )
    if sheet is not None and suffix not in (".xlsx", ".xlsm"):
        raise InputError(f"{p.name}: --sheet hanya untuk berkas XLSX / only for XLSX files")
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(p, xlsx_limits)
    if p.name.lower().endswith(OSM_SUFFIXES):
        if schema.name != "jalan":
            raise InputError(
                f"{p.name}: ekstrak OSM hanya untuk lapisan jalan / an OSM extract can only be "
                "imported into jalan"
            )
        src = read_osm_roads(p)
    elif suffix in TABLE_SUFFIXES:
        src = _read_table(p, schema, crs, geometry, mapping or {}, decimal, sheet)
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
            "(GeoJSON, GeoPackage, Shapefile/.zip, CSV, XLSX; jalan juga .osm.pbf/.osm)"
        )
    _apply_mapping(src, mapping or {})
    _apply_value_maps(src, value_maps or {})
    return src


def _as_text(value: object) -> str | None:
    """A cell as text for ``--map-nilai`` (the number 1 or 1.0 is ``"1"``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    return str(value).strip()


def _apply_value_maps(src: Source, value_maps: dict[str, dict[str, str]]) -> None:
    missing = [c for c in value_maps if c not in src.frame.columns]
    if missing:
        raise ValidationError(
            src.name,
            [
                Problem(
                    "--map-nilai: kolom tidak ada (sesudah --map) / no such column after --map; "
                    f"kolom yang ada: {', '.join(str(c) for c in src.frame.columns if c != 'geometry')}",
                    field=m,
                )
                for m in missing
            ],
        )
    frame = src.frame.copy() if value_maps else src.frame
    for column, values in value_maps.items():
        texts = [_as_text(v) for v in frame[column].tolist()]
        hits = [t in values for t in texts]
        new = [
            values[t] if hit else v for t, hit, v in zip(texts, hits, frame[column], strict=True)
        ]
        frame[column] = pd.Series(new, index=frame.index, dtype=object)
        src.notes.append(
            f"--map-nilai {column}: {sum(hits)} nilai diubah / values mapped "
            f"({', '.join(f'{k}={v}' for k, v in values.items())})"
        )
    src.frame = frame


def read_osm_roads(path: Path) -> Source:
    """Ways with a ``highway`` tag of an OSM extract (``.osm.pbf``/``.osm``), via pyosmium.

    Columns as the ``jalan`` layer names them: ``kelas`` (the ``highway`` value), ``oneway``
    (``yes``/``-1``/``no`` from the OSM tag, synonyms normalised, see :data:`OSM_ONEWAY`;
    ``junction=roundabout`` without a tag is one-way, as in OSM; other values are kept and
    refused by validation), ``nama`` (``name``). Closed ways tagged ``area=yes`` are squares,
    not roads, and are left out. Geometry: LineStrings in EPSG:4326, in way order; a way with
    a node the extract lacks is left out and counted in the notes.
    """
    import osmium  # pyosmium, loaded only for OSM extracts

    rows: list[dict[str, object]] = []
    lines: list[shapely.Geometry] = []
    missing = 0
    try:
        proc = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        for way in proc:
            if not way.is_way() or "highway" not in way.tags:
                continue
            tags = way.tags
            if tags.get("area") == "yes":
                continue
            try:
                coords = [(n.lon, n.lat) for n in way.nodes]
            except osmium.InvalidLocationError:
                missing += 1
                continue
            if len(coords) < 2:
                continue
            raw = tags.get("oneway")
            if raw is None and tags.get("junction") in ("roundabout", "circular"):
                raw = "yes"
            oneway = OSM_ONEWAY.get(raw.strip().lower(), raw) if raw is not None else None
            rows.append({"kelas": tags.get("highway"), "oneway": oneway, "nama": tags.get("name")})
            lines.append(shapely.LineString(coords))
    except RuntimeError as exc:  # libosmium: unreadable or truncated file
        raise InputError(f"{path.name}: berkas OSM tidak bisa dibaca / unreadable: {exc}") from None
    frame = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["kelas", "oneway", "nama"]),
        geometry=gpd.GeoSeries(lines, crs=4326),
    )
    src = Source(path, frame, "fitur", 1, CRS.from_epsg(4326), True)
    if missing:
        src.notes.append(f"{missing} way tanpa lokasi simpul / ways with missing nodes")
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
        # times as the file writes them: GDAL would otherwise read a time without offset as
        # UTC when others in the column have one (validation refuses it where an offset is due)
        frame = pyogrio.read_dataframe(
            p, layer=source_layer, read_geometry=schema.has_geometry, datetime_as_string=True
        )
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
    """GDAL's message whole (on one line), never cut mid-sentence."""
    return " ".join(str(exc).split())


def _read_table(
    p: Path,
    schema: LayerSchema,
    crs: CRS | None,
    geometry: bool,
    mapping: dict[str, str],
    decimal: str | None,
    sheet: str | None,
) -> Source:
    notes: list[str] = []
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        frame, sheet_note = _read_xlsx(p, sheet)
        notes.append(sheet_note)
        sep = None
    else:
        frame, sep = _read_csv(p)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.astype(object).where(frame.notna(), None)
    numeric = _numeric_columns(list(frame.columns), schema, mapping)
    mark, why = decide_decimal(frame, numeric, sep, decimal, p.name, first_row=2)
    if numeric:
        frame = _normalise_numbers(frame, numeric, mark)
        notes.append(f"tanda desimal / decimal mark: {mark} ({why})")
    src = Source(p, frame, "baris", 2, None, False, notes=notes)
    if schema.has_geometry and geometry:
        _geometry_from_columns(src, crs)
    return src


def _unreadable(p: Path, exc: Exception) -> InputError:
    return InputError(
        f"{p.name}: berkas tidak bisa dibaca sebagai tabel / unreadable table: {_gdal_msg(exc)}"
    )


def _read_csv(p: Path) -> tuple[pd.DataFrame, str | None]:
    """A CSV as text cells, and its separator; more than MAKS_KOLOM header columns are refused
    before any row is parsed."""
    try:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            head = fh.read(64 * 1024)
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(p, exc) from None
    header = head.splitlines()[0] if head else ""
    try:
        sep = csv.Sniffer().sniff(head if len(head) < 64 * 1024 else header, ";,\t|").delimiter
    except csv.Error:
        sep = ","
    ncols = max(header.count(d) for d in ";,\t|") + 1
    if ncols > MAKS_KOLOM:
        whole = len(head.splitlines()) > 1  # the header line ends within what was read
        count = f"{ncols}" if whole else f"lebih dari {ncols - 1}"
        raise InputError(
            f"{p.name}: baris judul berisi {count} kolom (> {MAKS_KOLOM}) / too many header columns"
        )
    try:
        frame = pd.read_csv(
            p, dtype=str, keep_default_na=False, na_values=[""], sep=sep, engine="python",
            encoding="utf-8-sig",
        )  # fmt: skip
    except Exception as exc:  # noqa: BLE001 -- pandas: any failure means unreadable
        raise _unreadable(p, exc) from None
    return frame, sep


def _read_xlsx(p: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    """The one worksheet holding data (or the one named by ``sheet``), and a note saying which."""
    try:
        sheets = pd.read_excel(p, sheet_name=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 -- openpyxl: any failure means unreadable
        raise _unreadable(p, exc) from None
    names = list(sheets)
    if sheet is not None:
        if sheet not in sheets:
            raise InputError(
                f"{p.name}: lembar '{sheet}' tidak ada / no such sheet; "
                f"lembar yang ada: {', '.join(names)}"
            )
        return sheets[sheet], f"lembar / sheet: {sheet}"
    with_data = [
        n
        for n, f in sheets.items()
        if (len(f.columns) or len(f)) and GUIDE_SHEET not in str(n).lower()
    ]
    if len(with_data) > 1:
        raise InputError(
            f"{p.name}: {len(with_data)} lembar berisi data / several sheets hold data: "
            f"{', '.join(with_data)}; pilih satu dengan --sheet NAMA / choose one with --sheet"
        )
    chosen = with_data[0] if with_data else names[0]
    return sheets[chosen], f"lembar / sheet: {chosen}"


def _numeric_columns(columns: list[str], schema: LayerSchema, mapping: dict[str, str]) -> list[str]:
    """The table's columns that hold numbers: numeric layer fields (after ``--map``) and
    coordinates."""
    numeric = {f.name for f in schema.fields if f.type in ("float", "int")}
    coords = set(LON_NAMES) | set(LAT_NAMES)
    return [c for c in columns if mapping.get(c, c) in numeric or c.lower() in coords]


_KOMA = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")
_TITIK = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def _reading(text: str, mark: str) -> str | None:
    """``text`` as a plain number (``1250.5``) if it is one with decimal mark ``mark``."""
    if mark == "koma":
        return text.replace(".", "").replace(",", ".") if _KOMA.match(text) else None
    return text.replace(",", "") if _TITIK.match(text) else None


def _cells(frame: pd.DataFrame, columns: list[str]):  # type: ignore[no-untyped-def]
    for col in columns:
        for i, v in enumerate(frame[col].tolist()):
            if isinstance(v, str) and v.strip():
                yield i, col, v.strip().replace(" ", "")


def decide_decimal(
    frame: pd.DataFrame,
    columns: list[str],
    sep: str | None,
    forced: str | None,
    name: str,
    *,
    first_row: int = 2,
) -> tuple[str, str]:
    """The decimal mark of a table's numbers, decided once for the whole file.

    In a file whose decimal mark is the comma, ``.`` groups thousands (``1.250`` is 1250,
    ``1.250,5`` is 1250.5), and the other way round. Cells that can be read one way only
    (``1,5``, ``1.250,5``, ``2.75``) decide; if none does, the separator does (``;`` is
    what a spreadsheet set to Indonesian writes, with comma decimals; ``,`` means dot
    decimals). A file whose cells disagree, or one with a cell such as ``1.250`` and nothing
    to decide by, is refused with the row and the two readings. ``forced`` (``--desimal``)
    overrides all of this.

    Returns
    -------
    (mark, why)
        ``"koma"`` or ``"titik"``, and the reason in words.
    """
    if forced is not None:
        return forced, "--desimal"
    evidence: dict[str, tuple[int, str, str]] = {}
    ambiguous: tuple[int, str, str] | None = None
    for i, col, text in _cells(frame, columns):
        koma, titik = _reading(text, "koma"), _reading(text, "titik")
        if koma is not None and titik is not None:
            if float(koma) != float(titik) and ambiguous is None:
                ambiguous = (i, col, text)
        elif koma is not None:
            evidence.setdefault("koma", (i, col, text))
        elif titik is not None:
            evidence.setdefault("titik", (i, col, text))
    if len(evidence) == 2:
        (ik, ck, tk), (it, ct, tt) = evidence["koma"], evidence["titik"]
        raise InputError(
            f"{name}: tanda desimal tidak konsisten / mixed decimal marks: baris "
            f"{ik + first_row} kolom '{ck}' '{tk}' (desimal koma) dan baris {it + first_row} "
            f"kolom '{ct}' '{tt}' (desimal titik); pilih dengan --desimal koma|titik"
        )
    if evidence:
        mark, (i, col, text) = next(iter(evidence.items()))
        return mark, f"baris {i + first_row} kolom '{col}': '{text}'"
    if sep == ";":
        return "koma", "pemisah kolom ';' / ';' separator"
    if sep == ",":
        return "titik", "pemisah kolom ',' / ',' separator"
    if ambiguous is not None:
        i, col, text = ambiguous
        raise InputError(
            f"{name}, baris {i + first_row}, kolom '{col}': '{text}' bisa dibaca "
            f"{_reading(text, 'koma')} (desimal koma) atau {_reading(text, 'titik')} "
            "(desimal titik) / ambiguous number; pilih dengan --desimal koma|titik"
        )
    return "titik", "tidak ada angka yang meragukan / no ambiguous number"


def _normalise_numbers(frame: pd.DataFrame, columns: list[str], mark: str) -> pd.DataFrame:
    """Numeric text cells rewritten as plain numbers (``1.250,5`` -> ``1250.5`` in a comma
    file); cells that are not numbers in that reading stay as they are, to be refused."""
    frame = frame.copy()
    for col in columns:
        values = frame[col].tolist()
        for i, v in enumerate(values):
            if isinstance(v, str) and v.strip():
                plain = _reading(v.strip().replace(" ", ""), mark)
                if plain is not None:
                    values[i] = plain
        frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame


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
