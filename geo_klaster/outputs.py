"""Writing an analysis result: GeoJSON, CSV, the draft action plan (XLSX) and one GeoPackage."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from geo_klaster import hasil
from geo_klaster.analysis import AnalysisResult
from geo_klaster.geojson import dumps
from geo_klaster.styles import write_styles

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


def csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as formula-safe UTF-8 CSV (comma-separated, header line, no index)."""
    return formula_safe(table).to_csv(index=False).encode("utf-8")


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


def write_action_plan(result: AnalysisResult, path: Path, layers: dict | None = None) -> None:
    """``rencana_aksi.xlsx``: the allocation grouped by member and the needs left uncovered.

    ``layers`` may give ``anggota`` and ``barang`` for member and item names.
    """
    layers = layers or {}
    names_kec = result.kecamatan.set_index("kode")["nama"]
    title = (
        f"DRAF rencana aksi (draft action plan) — skenario: {result.skenario} — "
        f"tanggal analisis: {result.today.isoformat()} — {result.hari} hari"
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "Alokasi"
    alloc = hasil.allocation_with_names(result, anggota=layers.get("anggota"))
    alloc = alloc.sort_values(["anggota", "lokasi_id", "barang", "kode"], kind="stable")
    rows: list[list[object]] = []
    for (member, member_id), group in alloc.groupby(["anggota", "anggota_id"], sort=False):
        rows.append([f"{member} ({member_id})", *[None] * 8])
        for r in group.itertuples(index=False):
            rows.append(
                [
                    member,
                    f"{r.lokasi} ({r.lokasi_id})",
                    r.barang,
                    float(r.jumlah),
                    r.satuan,
                    r.kode,
                    r.kecamatan,
                    round(float(r.jarak_m) / 1000.0, 2),
                    "laporan usang / stale" if r.usang else "",
                ]
            )
    header = [
        "Anggota",
        "Lokasi",
        "Barang",
        "Jumlah",
        "Satuan",
        "Kode kec.",
        "Kecamatan",
        "Jarak (km)",
        "Catatan",
    ]
    _sheet(ws, title, header, rows)

    ws2 = wb.create_sheet("Kebutuhan belum terpenuhi")
    gap = result.gap.merge(
        result.kebutuhan[["kode", "barang", "ilustratif"]], on=["kode", "barang"], how="left"
    )
    open_ = gap[(gap["kekurangan"] > 1e-6) | gap["kebutuhan"].isna()]
    rows2 = [
        [
            r.kode,
            str(names_kec.get(r.kode, "")),
            r.barang,
            r.satuan,
            None if pd.isna(r.kebutuhan) else float(r.kebutuhan),
            float(r.terjangkau),
            float(r.teralokasi),
            None if pd.isna(r.kekurangan) else float(r.kekurangan),
            "penduduk tidak diketahui / unknown population"
            if pd.isna(r.kebutuhan)
            else ("norma ilustratif / illustrative norm" if bool(r.ilustratif) else ""),
        ]
        for r in open_.itertuples(index=False)
    ]
    header2 = [
        "Kode kec.",
        "Kecamatan",
        "Barang",
        "Satuan",
        "Kebutuhan",
        "Terjangkau",
        "Teralokasi",
        "Kekurangan",
        "Catatan",
    ]
    _sheet(ws2, title, header2, rows2)
    wb.save(path)


def write_outputs(
    result: AnalysisResult, out_dir: str | Path, *, layers: dict | None = None
) -> list[Path]:
    """Write the result files into ``out_dir`` (created if needed).

    Writes exactly :data:`BERKAS`: three RFC 7946 GeoJSON files, two CSV files (UTF-8,
    comma-separated), ``rencana_aksi.xlsx`` and ``hasil.gpkg`` with every table of the
    results catalogue (:data:`geo_klaster.hasil.CATALOGUE`) under its catalogue name.
    ``layers`` (the input layers) gives member names for the action plan.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = hasil.tables(result)
    for t in hasil.CATALOGUE.values():
        if t.file and t.file.endswith(".geojson"):
            (out / t.file).write_bytes(dumps(tables[t.name]))
        elif t.file and t.file.endswith(".csv"):
            (out / t.file).write_bytes(csv_bytes(tables[t.name]))
    write_action_plan(result, out / "rencana_aksi.xlsx", layers)
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
