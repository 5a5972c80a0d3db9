"""gaps(): need against stock within reach and the allocation, on numbers checkable by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo_klaster.analysis.gaps import gaps


def _need(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(k, b, "kg", n) for k, b, n in rows], columns=["kode", "barang", "satuan", "kebutuhan"]
    )


def test_shared_stock_counts_in_each_kecamatan_but_is_allocated_once() -> None:
    # one warehouse G reaches both kecamatan A and B and holds 1,000 kg of rice;
    # A needs 2,800 kg (1,000 displaced x 2.8 kg), B needs 1,400 kg
    kebutuhan = _need([("A", "beras", 2800.0), ("B", "beras", 1400.0)])
    jangkauan = pd.DataFrame({"kode": ["A", "B"], "lokasi_id": ["G", "G"]})
    stok = pd.DataFrame({"lokasi_id": ["G"], "barang": ["beras"], "komit": [1000.0]})
    alokasi = pd.DataFrame(
        {"lokasi_id": ["G", "G"], "kode": ["A", "B"], "barang": ["beras", "beras"],
         "jumlah": [667.0, 333.0]}
    )  # fmt: skip
    names = pd.DataFrame({"kode": ["A", "B"], "nama": ["Babelan", "Tambelang"]})
    out = gaps(kebutuhan, jangkauan, stok, alokasi, kecamatan=names).set_index("kode")
    assert out.loc["A", "terjangkau"] == 1000.0 and out.loc["B", "terjangkau"] == 1000.0
    assert out["teralokasi"].sum() == 1000.0  # the stock itself, once
    assert out.loc["A", "kekurangan"] == 2800.0 - 667.0
    assert out.loc["B", "kekurangan"] == 1400.0 - 333.0
    # why A got less than lies within its reach: 667 / 2,800 = 24 %
    assert out.loc["A", "alasan"] == (
        "stok yang sama juga terjangkau Tambelang; dibagi adil menurut porsi kebutuhan "
        "(24 % kebutuhan terpenuhi)"
    )
    assert out["berisiko"].all()  # no berisiko column given: the rows are at risk


def test_below_threshold_rows_say_so_and_need_met_says_so() -> None:
    # A is below the 5 % threshold (3.2 % flooded): listed with its need, nothing allocated,
    # reach not computed; B's need of 10 kg is met from 50 kg within reach.
    kebutuhan = _need([("A", "beras", 28.0), ("B", "beras", 10.0)]).assign(berisiko=[False, True])
    jangkauan = pd.DataFrame({"kode": ["B"], "lokasi_id": ["G"]})
    stok = pd.DataFrame({"lokasi_id": ["G"], "barang": ["beras"], "komit": [50.0]})
    alokasi = pd.DataFrame(
        {"lokasi_id": ["G"], "kode": ["B"], "barang": ["beras"], "jumlah": [10.0]}
    )
    kec = pd.DataFrame({"kode": ["A", "B"], "nama": ["X", "Y"], "porsi_banjir": [0.032, 0.4]})
    out = gaps(kebutuhan, jangkauan, stok, alokasi, kecamatan=kec, ambang=0.05).set_index("kode")
    assert out.loc["A", "kekurangan"] == 28.0 and out.loc["A", "teralokasi"] == 0.0
    assert math.isnan(out.loc["A", "terjangkau"])
    assert out.loc["A", "alasan"] == (
        "di bawah ambang: tergenang 3,2 %, kurang dari ambang berisiko 5 %; tidak ikut alokasi"
    )
    assert out.loc["B", "alasan"] == (
        "kebutuhan sudah terpenuhi; sisa stok terjangkau tidak diperlukan di sini"
    )
    assert (
        out.loc["B", "kekurangan"] == 0.0 and not math.copysign(1, out.loc["B", "kekurangan"]) < 0
    )


def test_uncommittable_stock_and_items_out_of_reach_count_nothing() -> None:
    kebutuhan = _need([("A", "beras", 100.0), ("A", "air_minum", 50.0)])
    jangkauan = pd.DataFrame({"kode": ["A"], "lokasi_id": ["G"]})
    stok = pd.DataFrame(
        {"lokasi_id": ["G", "G", "H"], "barang": ["beras", "air_minum", "beras"],
         "komit": [0.0, 20.0, 500.0]}
    )  # fmt: skip
    alokasi = pd.DataFrame({"kode": [], "barang": [], "jumlah": []})
    out = gaps(kebutuhan, jangkauan, stok, alokasi).set_index("barang")
    # rice: G holds none committable, H is out of reach
    assert out.loc["beras", "terjangkau"] == 0.0 and out.loc["beras", "kekurangan"] == 100.0
    assert out.loc["air_minum", "terjangkau"] == 20.0
    assert (out["teralokasi"] == 0.0).all()


def test_unknown_need_leaves_the_shortfall_unknown() -> None:
    kebutuhan = _need([("A", "beras", math.nan)])
    jangkauan = pd.DataFrame({"kode": ["A"], "lokasi_id": ["G"]})
    stok = pd.DataFrame({"lokasi_id": ["G"], "barang": ["beras"], "komit": [10.0]})
    alokasi = pd.DataFrame({"kode": [], "barang": [], "jumlah": []})
    row = gaps(kebutuhan, jangkauan, stok, alokasi).iloc[0]
    assert math.isnan(row["kebutuhan"]) and math.isnan(row["kekurangan"])
    assert row["terjangkau"] == pytest.approx(10.0)
