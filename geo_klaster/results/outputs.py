"""Writing an analysis result: GeoJSON, CSV, the draft action plan (XLSX) and one GeoPackage."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.results import hasil
from geo_klaster.results.geojson import date_fields, dumps
from geo_klaster.results.styles import write_styles
from geo_klaster.waktu import kolom_iso

BERKAS = [
    *(t.file for t in hasil.CATALOGUE.values() if t.file),
    "rencana_aksi.xlsx",
    "hasil.gpkg",
]


RUMUS_AWAL = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet cell a formula


def formula_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading ``'`` (OWASP CSV
    injection: names come from members); numbers stay numbers."""
    out = table.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = [
                "'" + v if isinstance(v, str) and v.startswith(RUMUS_AWAL) else v for v in out[col]
            ]
    return out


def csv_bytes(table: pd.DataFrame, zona: str | None = None) -> bytes:
    """``table`` as formula-safe UTF-8 CSV (comma-separated, header line, no index); times as
    ISO 8601 with the offset of ``zona`` (None = WIB), date fields as dates."""
    out = table
    dates = date_fields()
    timed = [
        c
        for c in table.columns
        if c in dates or pd.api.types.is_datetime64_any_dtype(table[c].dtype)
    ]
    if timed:
        out = table.copy()
        for c in timed:
            out[c] = kolom_iso(table[c], zona, tanggal=c in dates)
    return formula_safe(out).to_csv(index=False).encode("utf-8")


def _sheet(ws: Worksheet, title: str, header: list[str], rows: list[list[object]]) -> None:
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([])
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            # Names come from members (site names): "=HYPERLINK(...)" must stay text, never
            # become a formula (formula injection). The plan itself has no formulas.
            if cell.data_type == "f":
                cell.data_type = "s"
        if row and row[0] is not None and all(v is None for v in row[1:]):
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)  # group heading
        for i, v in enumerate(row):
            if isinstance(v, float):
                ws.cell(row=ws.max_row, column=i + 1).number_format = "#,##0.00"
            if v is not None:
                widths[i] = max(widths[i], len(f"{v:,.1f}" if isinstance(v, float) else str(v)))
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = min(max(w + 2, 8), 50)
    ws.freeze_panes = "A4"


def write_action_plan(
    result: AnalysisResult, path: Path, layers: dict | None = None, *, pribadi: bool = False
) -> None:
    """``rencana_aksi.xlsx``: see :func:`geo_klaster.results.action_plan.write_action_plan`."""
    from geo_klaster.results.action_plan import write_action_plan as tulis

    tulis(result, path, layers, pribadi=pribadi)


def write_outputs(
    result: AnalysisResult,
    out_dir: str | Path,
    *,
    layers: dict | None = None,
    pribadi: bool = False,
) -> list[Path]:
    """Write the result files into ``out_dir`` (created if needed).

    Writes exactly :data:`BERKAS`: three RFC 7946 GeoJSON files, two CSV files (UTF-8,
    comma-separated), ``rencana_aksi.xlsx`` and ``hasil.gpkg`` with every table of the
    results catalogue (:data:`geo_klaster.results.hasil.CATALOGUE`) under its catalogue name.
    ``layers`` (the input layers) gives member and item names for the action plan;
    ``pribadi`` puts the members' contacts in it (the coordinator's copy).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = hasil.tables(result)
    for t in hasil.CATALOGUE.values():
        zona = result.config.zona_waktu
        if t.file and t.file.endswith(".geojson"):
            (out / t.file).write_bytes(dumps(tables[t.name], zona=zona))
        elif t.file and t.file.endswith(".csv"):
            (out / t.file).write_bytes(csv_bytes(tables[t.name], zona))
    write_action_plan(result, out / "rencana_aksi.xlsx", layers, pribadi=pribadi)
    gpkg = out / "hasil.gpkg"
    gpkg.unlink(missing_ok=True)
    write_result_layers(result, gpkg)
    return [out / name for name in BERKAS]


def write_result_layers(result: AnalysisResult, gpkg: Path) -> list[str]:
    """Add every catalogue table to GeoPackage ``gpkg`` (created if needed) under its name,
    with the QGIS styles of the main layers; returns the names written."""
    for name, table in hasil.tables(result).items():
        if isinstance(table, gpd.GeoDataFrame):
            pyogrio.write_dataframe(table, gpkg, layer=name, driver="GPKG")
        else:
            pyogrio.write_dataframe(table, gpkg, layer=name, driver="GPKG", geometry_type=None)
    write_styles(gpkg)
    return list(hasil.CATALOGUE)
