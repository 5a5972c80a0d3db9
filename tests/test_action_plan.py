"""``rencana_aksi.xlsx`` read back with openpyxl: its totals equal ``gap.csv`` and ``alokasi``.

Written by ``geo-klaster analyze`` on the demo store (and served by the web app). Quantities
are rounded as they are moved (one decimal here: the demo catalogue has no whole-unit items
unless ``barang.bulat`` says so), so every figure is compared with the analysis figure rounded
the same way; the sums of rounded dispatch lines may differ from the rounded total by at most
half a unit of the last decimal per line.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from web_akun import TODAY, fresh_store, login, make_app

from geo_klaster.cli import main
from geo_klaster.store import open_store

LEMBAR = ["Ringkasan", "Per kecamatan", "Per anggota"]


@pytest.fixture(scope="module")
def hasil(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name, extra in (("umum", []), ("pribadi", ["--pribadi"])):
        d = tmp_path_factory.mktemp(f"rencana_{name}")
        assert main(["--store", str(demo_store), "analyze", "--out", str(d),
                     "--tanggal", TODAY, *extra]) == 0  # fmt: skip
        out[name] = d
    return out


def _rows(ws: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    header = [c.value for c in ws[4]]
    return header, list(ws.iter_rows(min_row=5, values_only=True))


def _desimal(catalogue: pd.DataFrame) -> dict[str, int]:
    bulat = catalogue["bulat"] if "bulat" in catalogue else pd.Series(False, catalogue.index)
    return {n: 0 if b else 1 for n, b in zip(catalogue["nama"], bulat.fillna(False), strict=True)}


def test_sheets_layout_and_print_setup(hasil: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(hasil["umum"] / "rencana_aksi.xlsx")
    assert wb.sheetnames == LEMBAR
    for ws in wb.worksheets:
        assert "DRAF rencana aksi" in ws["A1"].value
        assert ws.freeze_panes == "A5"  # the header (row 4) stays in view
        assert ws.auto_filter.ref.startswith("A4:")
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows == "$4:$4"
        for row in ws.iter_rows(min_row=5, values_only=True):
            for v in row:
                if isinstance(v, float):
                    assert not (v == 0 and math.copysign(1.0, v) < 0), "-0 in the workbook"
                    assert v == round(v, 4), f"unrounded figure {v!r}"


def test_totals_equal_gap_csv_and_alokasi(hasil: dict[str, Path], demo_store: Path) -> None:
    d = hasil["umum"]
    gap = pd.read_csv(d / "gap.csv", dtype={"kode": str})
    if "berisiko" in gap:
        gap = gap[gap["berisiko"].astype(bool)]
    alok = pd.DataFrame(
        [f["properties"] for f in json.loads((d / "alokasi.geojson").read_text())["features"]]
    )
    catalogue = open_store(demo_store).read("barang")
    names = dict(zip(catalogue["kode"], catalogue["nama"], strict=True))
    desimal = _desimal(catalogue)
    wb = openpyxl.load_workbook(d / "rencana_aksi.xlsx")

    # Ringkasan: one row per item with a need, by name and unit, totals of gap.csv
    header, rows = _rows(wb["Ringkasan"])
    assert header[:7] == ["Barang", "Satuan", "Kategori", "Kebutuhan", "Terjangkau",
                          "Teralokasi", "Kekurangan"]  # fmt: skip
    per_item = gap.groupby("barang")[["kebutuhan", "terjangkau", "teralokasi", "kekurangan"]].sum()
    assert sorted(r[0] for r in rows) == sorted(names[b] for b in per_item.index)
    by_name = {r[0]: r for r in rows}
    for b, tot in per_item.iterrows():
        r, k = by_name[names[b]], desimal[names[b]]
        assert r[3:7] == tuple(round(float(tot[c]), k) for c in tot.index), b
        assert r[5] == round(float(alok.loc[alok["barang"] == b, "jumlah"].sum()), k), b
    fmt = wb["Ringkasan"].cell(row=5, column=6).number_format
    assert fmt == ("#,##0" if desimal[rows[0][0]] == 0 else "#,##0.0")

    # Per kecamatan: every gap.csv row, figures rounded the same way
    header, rows = _rows(wb["Per kecamatan"])
    assert len(rows) == len(gap)
    cells = {(r[0], r[2]): r for r in rows}
    for g in gap.itertuples(index=False):
        r, k = cells[(g.kode, names[g.barang])], desimal[names[g.barang]]
        assert r[5:8] == (round(g.terjangkau, k), round(g.teralokasi, k), round(g.kekurangan, k))

    # Per anggota: every dispatch line; per item, the lines add up to the allocation
    header, rows = _rows(wb["Per anggota"])
    assert header == ["Anggota", "Dari lokasi", "Kode lokasi", "Barang", "Jumlah", "Satuan",
                      "Ke kecamatan", "Kode kec.", "Jarak (km)", "Catatan"]  # fmt: skip
    assert len(rows) == len(alok)
    lines = pd.DataFrame(rows, columns=header)
    for b, total in alok.groupby("barang")["jumlah"].sum().items():
        mine = lines.loc[lines["Barang"] == names[b], "Jumlah"]
        assert abs(mine.sum() - total) <= 0.05 * len(mine) + 1e-9, b
    jarak = alok.set_index(["lokasi_id", "kode", "barang"])["jarak_m"]
    for r in lines.head(20).itertuples(index=False):
        b = next(k for k, v in names.items() if v == r.Barang)
        assert r._8 == round(jarak[(r._2, r._7, b)] / 1000, 1)


def test_contacts_only_in_the_coordinators_copy(hasil: dict[str, Path], demo_store: Path) -> None:
    anggota = open_store(demo_store).read("anggota")
    phones = {str(t) for t in anggota["telepon"].dropna() if str(t)}
    assert phones

    def cells(path: Path) -> tuple[list[str], set[str]]:
        ws = openpyxl.load_workbook(path)["Per anggota"]
        values = {str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None}
        return [c.value for c in ws[4]], values

    header, values = cells(hasil["umum"] / "rencana_aksi.xlsx")
    assert "Kontak" not in header and not (phones & values)
    header, values = cells(hasil["pribadi"] / "rencana_aksi.xlsx")
    assert header[:3] == ["Anggota", "Kontak", "Telepon"] and phones & values


def test_web_copy_contacts_for_the_coordinator_only(demo_store: Path, tmp_path: Path) -> None:
    path, _ = fresh_store(demo_store, tmp_path)
    app = make_app(path, TODAY=TODAY)
    phones = {str(t) for t in open_store(path).read("anggota")["telepon"].dropna() if str(t)}

    def header(client: Any) -> tuple[list[str], set[str], Any]:
        resp = client.get("/alokasi/rencana_aksi.xlsx")
        assert resp.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(resp.data))["Per anggota"]
        values = {str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None}
        return [c.value for c in ws[4]], values, resp

    anon = app.test_client()
    h, values, _ = header(anon)
    assert "Kontak" not in h and not (phones & values)
    member = app.test_client()
    login(member, "a1")
    h, values, _ = header(member)
    assert "Kontak" not in h and not (phones & values)
    coord = app.test_client()
    login(coord, "bpbd")
    h, values, resp = header(coord)
    assert "Kontak" in h and phones & values
    assert "no-store" in resp.headers["Cache-Control"]


def test_web_copy_in_english_keeps_sheet_names(demo_store: Path) -> None:
    """The workbook follows the page language: headers, title and notes in English with
    ?lang=en (reasons too); sheet names are never translated."""
    c = make_app(demo_store, TODAY=TODAY).test_client()
    id_wb = openpyxl.load_workbook(io.BytesIO(c.get("/alokasi/rencana_aksi.xlsx").data))
    en_wb = openpyxl.load_workbook(io.BytesIO(c.get("/alokasi/rencana_aksi.xlsx?lang=en").data))
    assert id_wb.sheetnames == en_wb.sheetnames == LEMBAR
    assert _rows(id_wb["Ringkasan"])[0][:2] == ["Barang", "Satuan"]
    assert _rows(en_wb["Ringkasan"])[0][:2] == ["Item", "Unit"]
    assert str(en_wb["Ringkasan"]["A1"].value).startswith("DRAFT action plan")
    header, rows = _rows(en_wb["Per kecamatan"])
    assert header[-1] == "Reason / notes"
    notes = " ".join(str(r[-1]) for r in rows if r[-1])
    assert "of need met" in notes and "kebutuhan terpenuhi" not in notes
