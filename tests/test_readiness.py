"""Readiness at a glance: coverage shares, their classes, the matrix on the overview page.

The matrix's cells are compared with ``gap.csv`` of the same analysis (the download), so the
page can never show a figure the data do not hold.
"""

from __future__ import annotations

import csv
import io
import math
from html.parser import HTMLParser
from typing import Any

import pandas as pd
import pytest

from geo_klaster.results import charts
from geo_klaster.results.readiness import (
    baris_terbesar,
    kelas_porsi,
    matriks_kesiapan,
    persen,
    porsi_cakupan,
    tabel_matriks,
)


def test_share_class_and_percent_by_hand() -> None:
    # 2,800 kg of rice needed (1,000 people, a week), 1,400 kg allocated: 50 %, amber
    assert porsi_cakupan(2800.0, 1400.0) == 0.5
    assert kelas_porsi(0.5, 1400.0) == "sebagian"
    assert kelas_porsi(0.4999, 1400.3) == "kurang"
    assert persen(0.4999) == 49
    # 2,786 of 2,800: 99.5 % is still "99 %" and amber, never a false 100 %
    assert persen(2786 / 2800) == 99
    assert kelas_porsi(2786 / 2800, 14.0) == "sebagian"
    assert kelas_porsi(1.0, 0.0) == "cukup" and persen(1.0) == 100
    # unknown need (unknown population): unknown, not zero
    assert math.isnan(porsi_cakupan(float("nan"), 0.0))
    assert kelas_porsi(float("nan")) == "tidak_diketahui" and persen(float("nan")) is None
    # no need at all counts as covered
    assert porsi_cakupan(0.0, 0.0) == 1.0


def _gap() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kode": ["A", "A", "B", "B", "C"],
            "barang": ["beras", "toilet", "beras", "toilet", "beras"],
            "satuan": ["kg", "unit", "kg", "unit", "kg"],
            "kebutuhan": [2800.0, 50.0, 1000.0, float("nan"), 10.0],
            "terjangkau": [3000.0, 10.0, 0.0, 5.0, 10.0],
            "teralokasi": [2800.0, 10.0, 0.0, 0.0, 10.0],
            "kekurangan": [0.0, 40.0, 1000.0, float("nan"), 0.0],
            "berisiko": [True, True, True, True, False],
        }
    )


def test_matrix_keeps_at_risk_rows_only() -> None:
    m = matriks_kesiapan(_gap())
    assert list(m["kode"]) == ["A", "A", "B", "B"]  # C is below the threshold
    assert list(m["kelas"]) == ["cukup", "kurang", "kurang", "tidak_diketahui"]
    assert list(m["persen"]) == [100, 20, 0, None]


def test_matrix_table_rows_by_rank_columns_by_name() -> None:
    kec = pd.DataFrame(
        {"kode": ["A", "B", "C"], "nama": ["Aa", "Bb", "Cc"], "peringkat": [2, 1, 3]}
    )
    t = tabel_matriks(_gap(), kec, {"beras": "Beras", "toilet": "Toilet portabel"})
    assert [r["kode"] for r in t["baris"]] == ["B", "A"]
    assert [b[1] for b in t["barang"]] == ["Beras", "Toilet portabel"]
    a = t["baris"][1]
    assert a["sel"][0]["persen"] == 100 and a["sel"][1]["persen"] == 20
    assert a["rata"] == pytest.approx(0.6)  # (100 % + 20 %) / 2
    assert math.isnan(t["baris"][0]["sel"][1]["porsi"])


def test_largest_lines_ranked_by_share_of_need() -> None:
    kebutuhan = pd.DataFrame(
        {"kode": ["A", "A"], "barang": ["beras", "toilet"], "kebutuhan": [2800.0, 50.0]}
    )
    alokasi = pd.DataFrame(
        {
            "kode": ["A", "A", "A", "B"],
            "barang": ["beras", "toilet", "beras", "beras"],
            "lokasi_id": ["L1", "L2", "L3", "L4"],
            "jumlah": [1400.0, 40.0, 100.0, 9999.0],
        }
    )
    top = baris_terbesar(alokasi, kebutuhan, "A", n=2)
    # 40 of 50 toilets (80 %) outranks 1,400 of 2,800 kg of rice (50 %), whatever the units
    assert list(top["lokasi_id"]) == ["L2", "L1"]
    assert list(top["porsi"]) == [0.8, 0.5]


def test_readiness_bars_svg() -> None:
    svg = charts.svg_kesiapan([("Beras", 0.5, 50, "sebagian"), ("<Air>", 1.0, 100, "cukup")])
    assert svg.startswith("<svg") and "&lt;Air&gt;" in svg and "<Air>" not in svg
    assert "◐ 50 %" in svg and "✓ 100 %" in svg


class MatrixCells(HTMLParser):
    """(kode, barang) → (data-porsi, text, class) of every cell of the readiness matrix."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], list[Any]] = {}
        self.rows: list[str] = []
        self._kode: str | None = None
        self._cell: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-kode"):
            self._kode = a["data-kode"]
            self.rows.append(self._kode)
        if tag == "td" and a.get("data-porsi") and self._kode:
            self._cell = (self._kode, a["data-barang"] or "")
            kelas = (a.get("class") or "").split("kelas-")[-1]
            self.cells[self._cell] = [a["data-porsi"], "", kelas]

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell:
            self.cells[self._cell][1] += data


def test_matrix_cells_equal_gap_csv(client: Any) -> None:
    html = client.get("/").data.decode()
    assert 'id="matriks-kesiapan"' in html and "/static/matriks.js" in html
    parser = MatrixCells()
    parser.feed(html)
    rows = list(csv.DictReader(io.StringIO(client.get("/api/analisis/gap.csv").data.decode())))
    at_risk = [r for r in rows if r.get("berisiko", "True") in ("True", "true", "1")]
    assert at_risk and len(parser.cells) == len(at_risk)
    assert set(parser.rows) == {r["kode"] for r in at_risk}
    for r in at_risk:
        porsi, text, kelas = parser.cells[(r["kode"], r["barang"])]
        need, given = float(r["kebutuhan"]), float(r["teralokasi"])
        share = min(given / need, 1.0) if need > 0 else 1.0
        assert float(porsi) == pytest.approx(share, rel=1e-12, abs=1e-12), r
        short = float(r["kekurangan"])
        expected = "cukup" if short <= 1e-6 else ("kurang" if share < 0.5 else "sebagian")
        assert kelas == expected, r
        pct = 100 if expected == "cukup" else math.floor(share * 100 + 1e-9)
        assert text.split()[-2:] == [str(pct), "%"], (r, text)
    # Babelan, rank 1, is the first row and links to its page
    assert parser.rows[0] == "32.16.02"
    assert 'data-href="/kecamatan/32.16.02"' in html
