"""Validation of an input frame against its layer schema.

One pass collects every problem (file, feature/row, field, what is wrong) and raises a single
:class:`ValidationError`; nothing is written unless the whole input is clean. The output is a
frame with exactly the schema's columns, typed, geometry in EPSG:4326 (polygons promoted to
MultiPolygon).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo_klaster.barang import bulat_bawaan, utuh
from geo_klaster.errors import Problem, ValidationError
from geo_klaster.inputs.io import Source
from geo_klaster.schema import FieldSpec, LayerSchema, bound_time

# Indonesia, roughly (DESIGN.md): a coordinate outside is an input error, not a guess.
LON_RANGE = (94.0, 142.0)
LAT_RANGE = (-11.0, 6.0)
TRUE_WORDS = {"true", "1", "ya", "yes", "y", "benar", "t"}
FALSE_WORDS = {"false", "0", "tidak", "no", "n", "salah", "f"}
GEOM_NAMES = {
    "MultiPolygon": ("Polygon", "MultiPolygon"),
    "MultiLineString": ("LineString", "MultiLineString"),
    "Point": ("Point",),
}


@dataclass
class Context:
    """What the store already holds, for key and reference checks."""

    keys: Mapping[str, set[str]] = field(default_factory=dict)  # layer -> existing keys
    units: Mapping[str, str] = field(default_factory=dict)  # barang.kode -> satuan
    bulat: frozenset[str] = frozenset()  # barang.kode of the items counted in whole units
    today: pd.Timestamp | None = None
    now: dt.datetime | None = None  # naive UTC: the clock of plausible times (default: now)


@dataclass
class Validated:
    frame: pd.DataFrame
    ignored: list[str]
    fixed: list[int]  # feature numbers whose geometry was repaired (--fix)
    notes: list[str] = field(default_factory=list)  # what was changed silently, e.g. Z dropped


def validate(
    src: Source,
    schema: LayerSchema,
    context: Context,
    *,
    mode: str = "replace",
    fix: bool = False,
) -> Validated:
    """Check ``src`` against ``schema``; return the clean frame or raise ValidationError."""
    problems: list[Problem] = []
    frame = src.frame
    ignored = [c for c in frame.columns if c not in schema.field_names and c != "geometry"]
    data: dict[str, pd.Series] = {}
    n = len(frame)
    if n == 0:
        raise ValidationError(
            src.name, [Problem("berkas tidak berisi data / the file holds no rows")]
        )

    if mode == "update":
        wanted = [schema.key] if schema.key else []
    else:
        wanted = [f.name for f in schema.fields if f.required and f.default is None]
    present = ", ".join(str(c) for c in frame.columns if c != "geometry")
    missing: set[str] = set()
    for name in wanted:
        if name not in frame.columns:
            missing.add(name)
            spec = schema.field(name)
            doc = spec.doc + (f" ({'/'.join(spec.enum)})" if spec.enum else "")
            constant = "" if name == schema.key else f", atau isi tetap dengan --nilai {name}=NILAI"
            problems.append(
                Problem(
                    "kolom wajib tidak ada / required column missing"
                    + (f": {doc}" if doc else "")
                    + f" (kolom yang ada: {present}; "
                    f"ganti nama dengan --map SUMBER={name}{constant})",
                    field=name,
                )
            )
    # the pass goes on: every other problem of the file is reported in the same round

    if schema.name == "barang" and mode != "update" and "satuan" in frame.columns:
        frame = _bulat_default(frame)
    for spec in schema.fields:
        if spec.name in frame.columns:
            data[spec.name] = _coerce(
                frame[spec.name], spec, src, problems, required=mode != "update", now=context.now
            )
        elif mode != "update":
            data[spec.name] = pd.Series([spec.default] * n, index=frame.index, dtype=object)
            if spec.default is not None:
                data[spec.name] = _coerce(data[spec.name], spec, src, problems, required=True)
    out = pd.DataFrame(data, index=frame.index)

    _check_keys(out, schema, src, context, mode, problems)
    _check_refs(out, schema, src, context, problems)
    _check_item_maxima(out, schema, src, problems)
    if schema.name == "stok":
        _check_stock(out, src, context, problems)
        if not missing:
            _check_duplicate_items(out, src, problems)
    if schema.name == "zona_banjir" and mode != "update":
        _check_zona(out, src, problems)

    fixed: list[int] = []
    notes: list[str] = list(src.notes)
    if schema.has_geometry and mode != "update":
        if not src.has_geometry:
            problems.append(Problem("berkas tidak memiliki geometri / the file has no geometry"))
        else:
            geoms, fixed = _check_geometry(src, schema, fix, problems, notes)
            if not problems:
                out = gpd.GeoDataFrame(
                    out, geometry=gpd.GeoSeries(geoms, index=out.index), crs=4326
                )
    elif mode == "update" and src.has_geometry:
        ignored.append("geometry")

    if problems:
        raise ValidationError(src.name, problems)
    if mode == "update":
        keep = [c for c in out.columns if c in frame.columns]
        out = out[keep]
    return Validated(out.reset_index(drop=True), ignored, fixed, notes)


# -- values ---------------------------------------------------------------------------------


def _bulat_default(frame: pd.DataFrame) -> pd.DataFrame:
    """``barang.bulat`` filled from the unit where the file leaves it out (column or cell)."""
    default = frame["satuan"].map(lambda u: None if _blank(u) else bulat_bawaan(u))
    if "bulat" not in frame.columns:
        return frame.assign(bulat=default)
    blank = frame["bulat"].map(_blank).to_numpy(dtype=bool)
    return frame.assign(bulat=frame["bulat"].astype(object).where(~blank, default))


def _blank(v: object) -> bool:
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


def _coerce(
    values: pd.Series,
    spec: FieldSpec,
    src: Source,
    problems: list[Problem],
    *,
    required: bool,
    now: dt.datetime | None = None,
) -> pd.Series:
    out: list[object] = []
    pattern = re.compile(spec.pattern) if spec.pattern else None
    for i, v in enumerate(values.tolist()):
        row = src.row_number(i)

        def bad(msg: str, v: object = v, row: int = row) -> None:
            problems.append(Problem(msg, row, spec.name, v, src.kind))

        if _blank(v):
            if spec.required and required:
                bad("wajib diisi, tetapi kosong / required value is empty")
            out.append(None)
            continue
        try:
            value = _canonical(_convert(v, spec.type), spec)
        except ValueError as exc:
            bad(str(exc))
            out.append(None)
            continue
        if spec.offset and not _has_offset(v):
            bad(NO_OFFSET)
            out.append(None)
            continue
        for msg in _value_problems(value, spec, pattern, now):
            bad(msg)
        out.append(value)
    return _typed(out, spec.type, values.index)


def _canonical(value: object, spec: FieldSpec) -> object:
    """An enumeration value in the schema's spelling: ``TINGGI`` and ``Tinggi`` are
    ``tinggi`` (enumerations are matched without regard to case)."""
    if spec.enum and isinstance(value, str):
        for choice in spec.enum:
            if value.casefold() == choice.casefold():
                return choice
    return value


ENUM_NOTE = "huruf besar/kecil tidak dibedakan / case-insensitive"


def _value_problems(
    value: object, spec: FieldSpec, pattern: re.Pattern[str] | None, now: dt.datetime | None = None
) -> list[str]:
    """What is wrong with a converted ``value`` for ``spec`` (enum, pattern, min, max)."""
    out: list[str] = []
    if spec.enum and value not in spec.enum:
        out.append(
            f"nilai '{value}' tidak dikenal / unknown value; pilihan: {', '.join(spec.enum)} "
            f"({ENUM_NOTE}; ubah nilai dengan --map-nilai {spec.name}:SUMBER=TUJUAN)"
        )
    if pattern and not pattern.fullmatch(str(value)):
        example = f"; {spec.doc}" if spec.doc else ""
        out.append(f"format '{value}' salah / wrong format (pola {spec.pattern}{example})")
    if isinstance(value, pd.Timestamp):
        out.extend(_time_problems(value, spec, now))
        return out
    low = spec.min if isinstance(spec.min, (int, float)) else None
    if low is not None and isinstance(value, (int, float)) and value < low:
        word = "negatif / negative" if low == 0 else f"di bawah {low} / below minimum"
        out.append(f"nilai {value:g} {word}")
    if spec.gt is not None and isinstance(value, (int, float)) and value <= spec.gt:
        out.append(f"nilai {value:g} harus lebih dari {spec.gt:g} / must be above {spec.gt:g}")
    high = spec.max if isinstance(spec.max, (int, float)) and not spec.max_per else None
    if high is not None and isinstance(value, (int, float)) and value > high:
        out.append(f"nilai {value:g} di atas {high:g} / above maximum")
    return out


def _time_problems(value: pd.Timestamp, spec: FieldSpec, now: dt.datetime | None) -> list[str]:
    out: list[str] = []
    low, high = bound_time(spec.min, now), bound_time(spec.max, now)
    if low is not None and value < pd.Timestamp(low):
        out.append(
            f"waktu {value} sebelum {spec.min} / before the earliest plausible time "
            "(layers/schema.toml)"
        )
    if high is not None and value > pd.Timestamp(high):
        out.append(
            f"waktu {value} setelah batas {spec.max} (UTC) / after the latest plausible time "
            "(layers/schema.toml)"
        )
    return out


def check_constant(schema: LayerSchema, name: str, text: str) -> str | None:
    """Why ``text`` cannot fill column ``name`` of every row (``--nilai``), or None if it can.

    Checked once, so a wrong constant gives one message rather than one per row.
    """
    if name not in schema.field_names:
        return (
            f"kolom '{name}' tidak ada di lapisan {schema.name} / not a column of the layer; "
            f"kolom lapisan: {', '.join(schema.field_names)}"
        )
    if name == schema.key:
        return f"kolom '{name}' adalah kunci, harus unik per baris / the key cannot be one constant"
    spec = schema.field(name)
    if _blank(text):
        return "nilai kosong / empty value"
    try:
        value = _canonical(_convert(text, spec.type), spec)
    except ValueError as exc:
        return str(exc)
    if spec.offset and not _has_offset(text):
        return NO_OFFSET
    msgs = _value_problems(value, spec, re.compile(spec.pattern) if spec.pattern else None)
    return "; ".join(msgs) or None


def _convert(v: object, ftype: str) -> object:
    if ftype == "str":
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()
    if ftype in ("float", "int"):
        if isinstance(v, bool):
            raise ValueError(f"bukan angka / not a number: '{v}'")
        if isinstance(v, (int, float, np.number)):
            num = float(v)
        else:
            text = str(v).strip().replace(" ", "")
            try:
                num = float(
                    text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
                )
            except ValueError:
                raise ValueError(f"bukan angka / not a number: '{v}'") from None
        if not np.isfinite(num):
            raise ValueError(f"bukan angka / not a number: '{v}'")
        if ftype == "int":
            if not float(num).is_integer():
                raise ValueError(f"harus bilangan bulat / must be an integer: '{v}'")
            return int(num)
        return num
    if ftype == "bool":
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        text = str(v).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(f"bukan ya/tidak / not a boolean: '{v}'")
    if ftype in ("date", "datetime"):
        return _parse_time(v, ftype)
    raise ValueError(ftype)


NO_OFFSET = (
    "waktu tanpa zona waktu / time without UTC offset: tulis ISO 8601 dengan offset, "
    "mis. 2007-02-02T08:00:00+07:00 (WIB) atau ...Z (UTC)"
)
_OFFSET = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$", re.IGNORECASE)


def _has_offset(v: object) -> bool:
    """Whether a time value says its offset from UTC (text ending in Z or +hh:mm)."""
    if isinstance(v, str):
        return bool(_OFFSET.search(v.strip()))
    return getattr(v, "tzinfo", None) is not None


def _check_zona(out: pd.DataFrame, src: Source, problems: list[Problem]) -> None:
    """One ``jenis`` per ``skenario``: a scenario is a plan or an observed event, not both."""
    if "jenis" not in out or "skenario" not in out:
        return
    both = out.dropna(subset=["skenario", "jenis"]).groupby("skenario")["jenis"].nunique()
    for name in both[both > 1].index:
        rows = out.index[(out["skenario"] == name) & (out["jenis"] == "kejadian")]
        problems.append(
            Problem(
                f"skenario '{name}' bercampur rencana dan kejadian / mixes plan and event rows; "
                "satu skenario satu jenis",
                src.row_number(int(out.index.get_loc(rows[0]))),
                "jenis",
                "kejadian",
                src.kind,
            )
        )


_DAYFIRST = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")


def _parse_time(v: object, ftype: str) -> pd.Timestamp:
    label = "tanggal" if ftype == "date" else "waktu"
    try:
        if isinstance(v, pd.Timestamp) or hasattr(v, "year"):
            ts = pd.Timestamp(v)  # type: ignore[arg-type]
        else:
            text = str(v).strip()
            if _DAYFIRST.match(text):  # Indonesian convention: 31/12/2026
                ts = pd.to_datetime(text, dayfirst=True)
            else:
                ts = pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        raise ValueError(
            f"{label} tidak bisa dibaca / unparseable date: '{v}' (pakai YYYY-MM-DD)"
        ) from None
    if ts is pd.NaT:
        raise ValueError(f"{label} tidak bisa dibaca / unparseable date: '{v}'")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.normalize() if ftype == "date" else ts


def _typed(values: list[object], ftype: str, index: pd.Index) -> pd.Series:
    if ftype == "float":
        return pd.Series([np.nan if v is None else v for v in values], index=index, dtype="float64")
    if ftype == "int":
        return pd.Series(values, index=index, dtype="Int64")
    if ftype in ("date", "datetime"):
        return pd.Series(
            [pd.NaT if v is None else v for v in values], index=index, dtype="datetime64[ns]"
        )
    if ftype == "bool":
        return pd.Series(
            [bool(v) if v is not None else False for v in values], index=index, dtype=bool
        )
    return pd.Series(values, index=index, dtype=object)


# -- keys and references --------------------------------------------------------------------


def _check_keys(
    out: pd.DataFrame,
    schema: LayerSchema,
    src: Source,
    context: Context,
    mode: str,
    problems: list[Problem],
) -> None:
    if not schema.key:
        return
    key = schema.key
    existing = context.keys.get(schema.name, set())
    first_seen: dict[object, int] = {}
    for i, value in enumerate(out[key].tolist()):
        if value is None:
            continue
        row = src.row_number(i)
        if value in first_seen:
            problems.append(
                Problem(
                    f"kunci ganda / duplicate key '{value}' (juga di {src.kind} {first_seen[value]})",
                    row,
                    key,
                    value,
                    src.kind,
                )
            )
            continue
        first_seen[value] = row
        if mode == "append" and value in existing:
            problems.append(
                Problem(
                    f"kunci '{value}' sudah ada di penyimpanan / key already stored",
                    row,
                    key,
                    value,
                    src.kind,
                )
            )
        if mode == "update" and value not in existing:
            problems.append(
                Problem(
                    f"kunci '{value}' tidak dikenal / unknown key (tidak ada di penyimpanan)",
                    row,
                    key,
                    value,
                    src.kind,
                )
            )


_REF_WORDS = {
    "kecamatan": "kode kecamatan",
    "anggota": "anggota",
    "lokasi": "lokasi",
    "barang": "kode barang",
}


def _check_refs(
    out: pd.DataFrame, schema: LayerSchema, src: Source, context: Context, problems: list[Problem]
) -> None:
    for spec in schema.refs:
        if spec.name not in out.columns:
            continue
        assert spec.ref is not None
        target = spec.ref[0]
        known = context.keys.get(target, set())
        word = _REF_WORDS.get(target, target)
        for i, value in enumerate(out[spec.name].tolist()):
            if value is not None and value not in known:
                problems.append(
                    Problem(
                        f"{word} tidak dikenal / unknown reference '{value}' (tidak ada di lapisan {target})",
                        src.row_number(i),
                        spec.name,
                        value,
                        src.kind,
                    )
                )


def _check_stock(out: pd.DataFrame, src: Source, context: Context, problems: list[Problem]) -> None:
    cols = out.columns
    for i in range(len(out)):
        row = src.row_number(i)
        if "jumlah" in cols and "siap" in cols:
            jumlah, siap = out["jumlah"].iat[i], out["siap"].iat[i]
            if pd.notna(jumlah) and pd.notna(siap) and 0 <= jumlah < siap:
                problems.append(
                    Problem(
                        f"siap ({siap:g}) melebihi jumlah ({jumlah:g}) / committable above held",
                        row,
                        "siap",
                        siap,
                        src.kind,
                    )
                )
        item = out["barang"].iat[i] if "barang" in cols else None
        if item in context.bulat:
            for name in ("jumlah", "siap"):
                value = out[name].iat[i] if name in cols else np.nan
                if not utuh([value])[0]:
                    problems.append(
                        Problem(
                            f"{item} dihitung dalam unit utuh (barang.bulat), tetapi {name} "
                            f"{value:g} pecahan / whole units only, fractional value",
                            row,
                            name,
                            value,
                            src.kind,
                        )
                    )
        if "satuan" in cols and "barang" in cols:
            item, unit = out["barang"].iat[i], out["satuan"].iat[i]
            expected = context.units.get(item) if item is not None else None
            if expected is not None and unit is not None and unit != expected:
                problems.append(
                    Problem(
                        f"satuan '{unit}' berbeda dari satuan katalog untuk {item} ('{expected}') / "
                        "unit differs from the catalogue unit",
                        row,
                        "satuan",
                        unit,
                        src.kind,
                    )
                )


def _check_item_maxima(
    out: pd.DataFrame, schema: LayerSchema, src: Source, problems: list[Problem]
) -> None:
    """Quantities above their plausible maximum (per item where declared, else the field's)."""
    for spec in schema.fields:
        if not spec.max_per or spec.name not in out.columns:
            continue
        items = out[spec.max_per].tolist() if spec.max_per in out.columns else [None] * len(out)
        for i, (value, item) in enumerate(zip(out[spec.name].tolist(), items, strict=True)):
            high = schema.maximum(spec, item)
            if high is not None and pd.notna(value) and value > high:
                whose = f" untuk {item}" if item is not None else ""
                problems.append(
                    Problem(
                        f"nilai {value:g} di atas batas wajar {high:g}{whose} / above the "
                        "plausible maximum per line (layers/schema.toml)",
                        src.row_number(i),
                        spec.name,
                        value,
                        src.kind,
                    )
                )


def _check_duplicate_items(out: pd.DataFrame, src: Source, problems: list[Problem]) -> None:
    """One report (site and report time) may list each item once: with two lines, which one
    is current would depend on the row order."""
    seen: dict[tuple[object, ...], int] = {}
    cols = ["lokasi_id", "barang", "dilaporkan"]
    for i, key in enumerate(out[cols].itertuples(index=False, name=None)):
        if any(pd.isna(k) for k in key):
            continue
        row = src.row_number(i)
        if key in seen:
            problems.append(
                Problem(
                    f"barang '{key[1]}' disebut dua kali dalam satu laporan lokasi {key[0]} "
                    f"(juga di {src.kind} {seen[key]}) / item listed twice in one report",
                    row,
                    "barang",
                    key[1],
                    src.kind,
                )
            )
        else:
            seen[key] = row


# -- geometry -------------------------------------------------------------------------------


def _check_geometry(
    src: Source, schema: LayerSchema, fix: bool, problems: list[Problem], notes: list[str]
) -> tuple[np.ndarray, list[int]]:
    geoms = np.asarray(src.frame.geometry.values, dtype=object)
    # Z (height) or M values: the layers are 2-D (the GeoPackage columns are declared XY, a
    # PostGIS geometry(MultiPolygon, 4326) column refuses Z): drop them and say so.
    present = ~shapely.is_missing(geoms)
    has_z = np.zeros(len(geoms), dtype=bool)
    has_z[present] = shapely.has_z(geoms[present]) | _has_m(geoms[present])
    if has_z.any():
        geoms = geoms.copy()
        geoms[has_z] = shapely.force_2d(geoms[has_z])
        notes.append(
            f"koordinat Z/M (ketinggian) diabaikan pada {int(has_z.sum())} fitur / "
            "Z/M coordinates dropped (layers are 2-D)"
        )
    crs = src.crs or CRS.from_epsg(4326)
    allowed = GEOM_NAMES[schema.geometry]
    before = len(problems)
    fixed: list[int] = []
    result = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        row = src.row_number(i)

        def bad(msg: str, row: int = row) -> None:
            problems.append(Problem(msg, row, "geometry", None, src.kind))

        if g is None or shapely.is_empty(g):
            bad("geometri kosong / empty geometry")
            continue
        gtype = g.geom_type
        if gtype not in allowed:
            bad(f"tipe geometri {gtype}, seharusnya {'/'.join(allowed)} / wrong geometry type")
            continue
        if not shapely.is_valid(g):
            if fix:
                g = _repair(g, schema.geometry)
                if g is None:
                    bad(
                        "geometri tidak valid dan tidak bisa diperbaiki / invalid, cannot be repaired"
                    )
                    continue
                fixed.append(row)
            else:
                reason = shapely.is_valid_reason(g)
                bad(f"geometri tidak valid / invalid geometry: {reason} (perbaiki dengan --fix)")
                continue
        result[i] = g
    if len(problems) > before:
        return result, fixed
    series = gpd.GeoSeries(result, crs=crs)
    if not series.crs.equals(CRS.from_epsg(4326)):
        series = series.to_crs(4326)
    result = np.asarray(series.values, dtype=object)
    _check_indonesia(result, src, problems)
    if schema.geometry == "MultiPolygon":
        result = np.array(
            [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in result],
            dtype=object,
        )
    elif schema.geometry == "MultiLineString":
        result = np.array(
            [shapely.MultiLineString([g]) if g.geom_type == "LineString" else g for g in result],
            dtype=object,
        )
    return result, fixed


def _has_m(geoms: np.ndarray) -> np.ndarray:
    if hasattr(shapely, "has_m"):  # shapely >= 2.1 keeps M values
        return shapely.has_m(geoms)
    return np.zeros(len(geoms), dtype=bool)


def _repair(g: shapely.Geometry, target: str) -> shapely.Geometry | None:
    repaired = shapely.make_valid(g)
    if target == "MultiPolygon":
        parts = [
            p for p in shapely.get_parts(repaired) if p.geom_type in ("Polygon", "MultiPolygon")
        ]
        if not parts:
            return None
        repaired = shapely.union_all(parts)
        if repaired.geom_type == "Polygon":
            repaired = shapely.MultiPolygon([repaired])
        return repaired if repaired.geom_type == "MultiPolygon" and not repaired.is_empty else None
    if target == "MultiLineString":
        lines = [p for p in shapely.get_parts(repaired) if p.geom_type == "LineString"]
        return shapely.MultiLineString(lines) if lines else None
    return repaired if repaired.geom_type == "Point" else None


def _inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (
        (lon >= LON_RANGE[0])
        & (lon <= LON_RANGE[1])
        & (lat >= LAT_RANGE[0])
        & (lat <= LAT_RANGE[1])
    )


def _check_indonesia(geoms: np.ndarray, src: Source, problems: list[Problem]) -> None:
    bounds = shapely.bounds(geoms)
    minx, miny, maxx, maxy = bounds.T
    ok = _inside(minx, miny) & _inside(maxx, maxy)
    swapped = _inside(miny, minx) & _inside(maxy, maxx)
    for i in np.flatnonzero(~ok):
        row = src.row_number(int(i))
        where = f"bujur {minx[i]:.4f}..{maxx[i]:.4f}, lintang {miny[i]:.4f}..{maxy[i]:.4f}"
        if swapped[i]:
            msg = (
                f"lintang dan bujur tertukar / latitude and longitude swapped ({where}); "
                "bujur (lon, x) Indonesia 94..142, lintang (lat, y) -11..6"
            )
        else:
            msg = (
                f"geometri di luar Indonesia / geometry outside Indonesia ({where}); "
                "periksa CRS (--crs) atau urutan koordinat"
            )
        problems.append(Problem(msg, row, "geometry", None, src.kind))
