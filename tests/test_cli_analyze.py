"""`geo-klaster analyze` on the demo store: files, columns, invariants, errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
from invariants import assert_allocation_invariants

from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.cli import main
from geo_klaster.store import GpkgStore

TODAY = "2026-11-27"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("demo") / "klaster.gpkg"
    assert main(["--store", str(store), "demo", "--tanggal", TODAY]) == 0
    return store


@pytest.fixture(scope="module")
def hasil(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hasil")
    assert main(["--store", str(demo), "analyze", "--out", str(out), "--tanggal", TODAY]) == 0
    return out


def test_files_and_columns(hasil: Path) -> None:
    kec = json.loads((hasil / "kecamatan_risiko.geojson").read_text())
    assert len(kec["features"]) == 23
    props = kec["features"][0]["properties"]
    for col in ("kode", "nama", "skenario", "penduduk", "luas_m2", "luas_banjir_m2",
                "porsi_banjir", "terdampak", "pengungsi", "berisiko"):  # fmt: skip
        assert col in props
    assert isinstance(props["berisiko"], bool)
    lok = json.loads((hasil / "lokasi_banjir.geojson").read_text())
    assert {"lokasi_id", "anggota_id", "kelas_banjir"} <= set(lok["features"][0]["properties"])
    assert pd.read_csv(hasil / "jangkauan.csv").columns.tolist()[:3] == [
        "kode",
        "lokasi_id",
        "jarak_m",
    ]
    gap = pd.read_csv(hasil / "gap.csv")
    assert gap.columns.tolist() == [
        "kode", "barang", "satuan", "berisiko", "kebutuhan", "terjangkau", "teralokasi",
        "kekurangan", "alasan",
    ]  # fmt: skip
    assert (gap["kekurangan"] - (gap["kebutuhan"] - gap["teralokasi"])).abs().max() < 1e-6
    alok = json.loads((hasil / "alokasi.geojson").read_text())
    assert alok["features"] and alok["features"][0]["geometry"]["type"] == "LineString"
    assert {"lokasi_id", "anggota_id", "kode", "barang", "jumlah", "jarak_m"} <= set(
        alok["features"][0]["properties"]
    )
    wb = openpyxl.load_workbook(hasil / "rencana_aksi.xlsx")
    assert len(wb.sheetnames) >= 2
    layers = set(dict(pyogrio.list_layers(hasil / "hasil.gpkg")))
    assert {"hasil_kecamatan_risiko", "hasil_lokasi_banjir", "hasil_jangkauan", "hasil_gap",
            "hasil_alokasi", "hasil_kebutuhan"} <= layers  # fmt: skip


def test_summary_printed(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(demo), "analyze", "--out", str(tmp_path), "--tanggal", TODAY,
                 "--skenario", "latihan_kali_bekasi", "--jarak-km", "10", "--hari", "3"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert (
        "latihan_kali_bekasi" in captured.out
        and "10 km" in captured.out
        and "3 hari" in captured.out
    )
    assert "Kecamatan berisiko" in captured.out and "Pengungsi" in captured.out
    assert "jangkauan" in captured.err.lower()  # progress on stderr


def test_invariants_on_demo(demo: Path) -> None:
    layers = GpkgStore(demo).read_all()
    for skenario in ("latihan_banjir_utara", "latihan_kali_bekasi"):
        result = run_analysis(layers, skenario=skenario, today=dt.date.fromisoformat(TODAY))
        assert result.kecamatan["berisiko"].sum() >= 5
        assert len(result.alokasi) > 0
        assert_allocation_invariants(result)


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["--skenario", "tsunami"], 1, "latihan_banjir_utara"),
        (["--jarak-km", "-3"], 2, "--jarak-km"),
        (["--hari", "nol"], 2, "--hari"),
        (["--tanggal", "kemarin"], 2, "--tanggal"),
    ],
)
def test_bad_options(
    demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    fragment: str,
) -> None:
    out = tmp_path / "hasil"
    with (
        pytest.raises(SystemExit)
        if code == 2 and args[0] != "--tanggal"
        else contextlib.nullcontext()
    ):
        rc = main(["--store", str(demo), "analyze", "--out", str(out), *args])
        assert rc == code
    assert fragment in capsys.readouterr().err
    assert not out.exists()


def test_analyze_without_sites_or_population(
    tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store with only boundaries and a flood: no crash; displaced people unknown, not 0."""
    store = tmp_path / "kosong.gpkg"
    flood = tmp_path / "banjir.geojson"
    flood.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kelas":"tinggi"},'
        '"geometry":{"type":"Polygon","coordinates":[[[107.0,-6.2],[107.1,-6.2],[107.1,-6.1],[107.0,-6.1],[107.0,-6.2]]]}}]}'
    )
    s = ["--store", str(store)]
    assert main([*s, "import", "kecamatan", str(shared_data / "bekasi" / "kecamatan.geojson")]) == 0
    assert main([*s, "import", "zona_banjir", str(flood), "--skenario", "uji"]) == 0
    capsys.readouterr()
    assert main([*s, "analyze", "--out", str(tmp_path / "hasil"), "--tanggal", TODAY]) == 0
    out = capsys.readouterr().out
    assert "Kecamatan berisiko: " in out and "tidak diketahui" in out
    gap = pd.read_csv(tmp_path / "hasil" / "gap.csv")
    assert gap["kebutuhan"].isna().all() and (gap["teralokasi"] == 0).all()


def test_action_plan_keeps_formula_like_names_as_text(demo: Path, tmp_path: Path) -> None:
    """A member's site named "=HYPERLINK(...)" reaches rencana_aksi.xlsx as text (CLI output)."""
    import sqlite3

    hostile = '=HYPERLINK("http://contoh.invalid","klik")'
    copy = tmp_path / "k.gpkg"
    copy.write_bytes(demo.read_bytes())
    with sqlite3.connect(copy) as con:
        con.execute("UPDATE lokasi SET nama = ?", (hostile,))
    out = tmp_path / "hasil"
    assert main(["--store", str(copy), "analyze", "--out", str(out), "--tanggal", TODAY]) == 0
    wb = openpyxl.load_workbook(out / "rencana_aksi.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(isinstance(c.value, str) and c.value.startswith(hostile) for c in cells)
    assert not any(c.data_type == "f" for c in cells)
