"""Allocation and stock: each unit counted once, maximum first, nearest first, usable only."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from geo_klaster.allocation import allocate
from geo_klaster.stock import committable, current_stock, last_report


def frame(columns: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def given(out: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(r.lokasi_id, r.kode): r.jumlah for r in out.itertuples()}


def test_shared_warehouse_short_serves_the_nearer_kecamatan_first() -> None:
    supply = frame("lokasi_id barang komit", [("gudang", "beras", 200.0)])
    demand = frame("kode barang kebutuhan", [("dekat", "beras", 140.0), ("jauh", "beras", 140.0)])
    arcs = frame(
        "kode lokasi_id jarak_m", [("dekat", "gudang", 1000.0), ("jauh", "gudang", 5000.0)]
    )
    out = given(allocate(supply, demand, arcs))
    assert out[("gudang", "dekat")] == pytest.approx(140)
    assert out[("gudang", "jauh")] == pytest.approx(60)
    assert sum(out.values()) <= 200 + 1e-9


def test_total_is_maximised_before_distance_is_minimised() -> None:
    # B is nearest to K1, but only B reaches K2: nearest-first greedy would leave K2 short.
    supply = frame("lokasi_id barang komit", [("A", "beras", 100.0), ("B", "beras", 100.0)])
    demand = frame("kode barang kebutuhan", [("K1", "beras", 100.0), ("K2", "beras", 100.0)])
    arcs = frame(
        "kode lokasi_id jarak_m",
        [("K1", "A", 9000.0), ("K1", "B", 1000.0), ("K2", "B", 8000.0)],
    )
    out = given(allocate(supply, demand, arcs))
    assert out == pytest.approx({("A", "K1"): 100.0, ("B", "K2"): 100.0})


def test_unknown_or_zero_need_and_zero_stock_get_nothing() -> None:
    supply = frame("lokasi_id barang komit", [("A", "beras", 100.0), ("B", "beras", 0.0)])
    demand = frame("kode barang kebutuhan", [("K1", "beras", np.nan), ("K2", "beras", 0.0)])
    arcs = frame("kode lokasi_id jarak_m", [("K1", "A", 0.0), ("K2", "A", 0.0), ("K1", "B", 0.0)])
    out = allocate(supply, demand, arcs)
    assert out.empty and list(out.columns) == ["lokasi_id", "kode", "barang", "jumlah", "jarak_m"]


def test_items_are_allocated_separately() -> None:
    supply = frame("lokasi_id barang komit", [("A", "beras", 10.0), ("A", "tenda", 3.0)])
    demand = frame("kode barang kebutuhan", [("K1", "beras", 4.0), ("K1", "tenda", 5.0)])
    arcs = frame("kode lokasi_id jarak_m", [("K1", "A", 100.0)])
    out = allocate(supply, demand, arcs).set_index("barang")["jumlah"]
    assert out.to_dict() == pytest.approx({"beras": 4.0, "tenda": 3.0})


def test_scales_to_hundreds_of_kecamatan_and_thousands_of_sites() -> None:
    rng = np.random.default_rng(3)
    n_kec, n_site, per_kec = 300, 3000, 60
    kode = np.repeat([f"K{i}" for i in range(n_kec)], per_kec)
    site = rng.integers(0, n_site, size=len(kode))
    arcs = pd.DataFrame(
        {
            "kode": kode,
            "lokasi_id": [f"S{i}" for i in site],
            "jarak_m": rng.uniform(0, 15_000, size=len(kode)),
        }
    )
    arcs = arcs.drop_duplicates(["kode", "lokasi_id"])
    supply = pd.DataFrame(
        {
            "lokasi_id": [f"S{i}" for i in range(n_site)],
            "barang": "beras",
            "komit": rng.uniform(0, 500, size=n_site),
        }
    )
    demand = pd.DataFrame(
        {
            "kode": [f"K{i}" for i in range(n_kec)],
            "barang": "beras",
            "kebutuhan": rng.uniform(0, 8000, size=n_kec),
        }
    )
    start = time.perf_counter()
    out = allocate(supply, demand, arcs)
    assert time.perf_counter() - start < 20
    per_site = out.groupby("lokasi_id")["jumlah"].sum()
    cap = supply.set_index("lokasi_id")["komit"]
    assert (per_site <= cap.reindex(per_site.index) * (1 + 1e-9)).all()
    per_kec = out.groupby("kode")["jumlah"].sum()
    need = demand.set_index("kode")["kebutuhan"]
    assert (per_kec <= need.reindex(per_kec.index) * (1 + 1e-9)).all()
    # maximality: no arc joins a site with stock left and a kecamatan still short
    rem_s = cap - per_site.reindex(cap.index).fillna(0)
    rem_k = need - per_kec.reindex(need.index).fillna(0)
    slack = arcs.assign(s=arcs["lokasi_id"].map(rem_s), k=arcs["kode"].map(rem_k))
    assert not ((slack["s"] > 1e-6) & (slack["k"] > 1e-6)).any()


STOK_COLUMNS = "lokasi_id barang jumlah siap satuan kondisi kedaluwarsa dilaporkan"


def stok_lines(rows: list[tuple]) -> pd.DataFrame:
    df = frame(STOK_COLUMNS, rows)
    df["kedaluwarsa"] = pd.to_datetime(df["kedaluwarsa"])
    df["dilaporkan"] = pd.to_datetime(df["dilaporkan"], utc=True)
    return df


def test_current_stock_is_the_latest_line_and_later_stored_wins_a_tie() -> None:
    stok = stok_lines(
        [
            ("G1", "beras", 100.0, 100.0, "kg", "baik", None, "2025-01-05 08:00"),
            ("G1", "beras", 80.0, 80.0, "kg", "baik", None, "2025-01-01 08:00"),  # older, later row
            (
                "G1",
                "beras",
                120.0,
                90.0,
                "kg",
                "baik",
                None,
                "2025-01-05 08:00",
            ),  # tie, stored later
            ("G1", "tenda", 5.0, 5.0, "unit", "baik", None, "2025-01-02 08:00"),
        ]
    )
    now = current_stock(stok).set_index("barang")
    assert now.loc["beras", "jumlah"] == 120 and now.loc["tenda", "jumlah"] == 5
    earlier = current_stock(stok, as_of=dt.date(2025, 1, 3)).set_index("barang")
    assert earlier.loc["beras", "jumlah"] == 80
    assert current_stock(stok, as_of=dt.date(2024, 12, 31)).empty


def test_committable_excludes_expired_damaged_unready_and_flooded_sites() -> None:
    stok = stok_lines(
        [
            ("G1", "beras", 100.0, 60.0, "kg", "baik", "2025-06-01", "2025-01-05"),
            ("G1", "air_minum", 100.0, 100.0, "liter", "baik", "2025-01-09", "2025-01-05"),
            ("G1", "tenda", 10.0, 10.0, "unit", "rusak", None, "2025-01-05"),
            ("G1", "genset", 2.0, 0.0, "unit", "baik", None, "2025-01-05"),
            ("G1", "truk", 2.0, 2.0, "unit", "baik", "2025-01-10", "2025-01-05"),
            ("G2", "beras", 500.0, 500.0, "kg", "baik", None, "2025-01-05"),
            ("G3", "beras", 50.0, 50.0, "liter", "baik", None, "2025-01-05"),
        ]
    )
    out = committable(
        current_stock(stok),
        today=dt.date(2025, 1, 10),
        status_lokasi={"G2": "tidak_tersedia"},
        satuan_katalog={"beras": "kg"},
    ).set_index(["lokasi_id", "barang"])
    assert out.loc[("G1", "beras"), "komit"] == 60  # siap, not jumlah
    assert out.loc[("G1", "air_minum"), "alasan"] == "kedaluwarsa"
    assert out.loc[("G1", "air_minum"), "komit"] == 0
    assert out.loc[("G1", "truk"), "komit"] == 2  # usable on its expiry day
    assert out.loc[("G1", "tenda"), "alasan"] == "rusak"
    assert out.loc[("G1", "genset"), "komit"] == 0
    assert out.loc[("G2", "beras"), "alasan"] == "lokasi_tidak_tersedia"
    assert out.loc[("G3", "beras"), "alasan"] == "satuan_beda"


def test_last_report_and_stale_members() -> None:
    lokasi = frame("id anggota_id", [("G1", "BPBD"), ("G2", "PMI"), ("G3", "PMI")])
    anggota = frame("id", [("BPBD",), ("PMI",), ("DINSOS",)])
    stok = stok_lines(
        [
            ("G1", "beras", 1.0, 1.0, "kg", "baik", None, "2025-01-05"),
            ("G2", "beras", 1.0, 1.0, "kg", "baik", None, "2024-11-01"),
            ("G3", "beras", 1.0, 1.0, "kg", "baik", None, "2024-12-01"),
        ]
    )
    out = last_report(stok, lokasi, anggota, today=dt.date(2025, 1, 10)).set_index("anggota_id")
    assert not out.loc["BPBD", "usang"]
    assert out.loc["PMI", "laporan_terakhir"] == pd.Timestamp("2024-12-01", tz="UTC")
    assert out.loc["PMI", "usang"]  # 40 days > 30
    assert out.loc["DINSOS", "usang"] and pd.isna(out.loc["DINSOS", "laporan_terakhir"])


def _monolithic(supply: pd.DataFrame, demand: pd.DataFrame, arcs: pd.DataFrame, item: str):
    """(max total, min cost) of one item's whole transport problem: two plain LPs, no
    decomposition, no shortcuts (the reference for the component decomposition)."""
    from scipy import sparse
    from scipy.optimize import linprog

    s = supply[(supply["barang"] == item) & (supply["komit"] > 0)].set_index("lokasi_id")["komit"]
    d = demand[(demand["barang"] == item) & (demand["kebutuhan"] > 0)]
    d = d.set_index("kode")["kebutuhan"]
    a = arcs[arcs["lokasi_id"].isin(s.index) & arcs["kode"].isin(d.index)]
    n = len(a)
    i_s = s.index.get_indexer(a["lokasi_id"])
    i_d = d.index.get_indexer(a["kode"])
    cols = np.arange(n)
    a_ub = sparse.vstack(
        [
            sparse.csr_matrix((np.ones(n), (i_s, cols)), shape=(len(s), n)),
            sparse.csr_matrix((np.ones(n), (i_d, cols)), shape=(len(d), n)),
        ]
    )
    b_ub = np.r_[s.to_numpy(), d.to_numpy()]
    first = linprog(-np.ones(n), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    flow = -first.fun
    a2 = sparse.vstack([a_ub, -np.ones((1, n))])
    cost = a["jarak_m"].to_numpy()
    second = linprog(
        cost, A_ub=a2, b_ub=np.r_[b_ub, -flow * (1 - 1e-10)], bounds=(0, None), method="highs"
    )
    return flow, second.fun


def _random_components(seed: int, n_cluster: int = 12):
    """Clusters of sites and kecamatan far apart (separate components), of every shape: one
    kecamatan, one site, one of each, many of both; two items; floats; shared sites."""
    rng = np.random.default_rng(seed)
    arcs, supply, demand = [], [], []
    for c in range(n_cluster):
        n_s = [1, 1, 3, 6, 10][c % 5]
        n_k = [1, 4, 1, 5, 8][c % 5]
        sites = [f"S{c}_{i}" for i in range(n_s)]
        kec = [f"K{c}_{i}" for i in range(n_k)]
        for k in kec:
            for s in sites:
                if rng.random() < 0.7 or n_s == 1 or n_k == 1:
                    arcs.append((k, s, float(rng.uniform(0, 15_000))))
        for item in ("beras", "tenda"):
            supply += [(s, item, float(rng.uniform(0, 300))) for s in sites]
            demand += [(k, item, float(rng.uniform(0, 400))) for k in kec]
    return (
        frame("lokasi_id barang komit", supply),
        frame("kode barang kebutuhan", demand),
        frame("kode lokasi_id jarak_m", arcs).drop_duplicates(["kode", "lokasi_id"]),
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_component_decomposition_matches_the_monolithic_lp(seed: int) -> None:
    supply, demand, arcs = _random_components(seed)
    out = allocate(supply, demand, arcs)
    for item in ("beras", "tenda"):
        mine = out[out["barang"] == item]
        flow, cost = _monolithic(supply, demand, arcs, item)
        assert mine["jumlah"].sum() == pytest.approx(flow, rel=1e-9, abs=1e-6)
        assert (mine["jumlah"] * mine["jarak_m"]).sum() == pytest.approx(cost, rel=1e-7, abs=1e-3)
        # bounds hold per site and kecamatan (to the last bits of a float sum)
        cap = supply[supply["barang"] == item].set_index("lokasi_id")["komit"]
        need = demand[demand["barang"] == item].set_index("kode")["kebutuhan"]
        per_site = mine.groupby("lokasi_id")["jumlah"].sum()
        per_kec = mine.groupby("kode")["jumlah"].sum()
        assert (per_site <= cap.reindex(per_site.index) * (1 + 1e-12)).all()
        assert (per_kec <= need.reindex(per_kec.index) * (1 + 1e-12)).all()


def test_one_kecamatan_component_fills_nearest_first_and_one_site_component_too() -> None:
    # K1 alone with three sites (a one-kecamatan component); S9 alone serving K5..K7.
    supply = frame(
        "lokasi_id barang komit",
        [("A", "beras", 50.0), ("B", "beras", 50.0), ("C", "beras", 50.0), ("S9", "beras", 70.0)],
    )
    demand = frame(
        "kode barang kebutuhan",
        [
            ("K1", "beras", 80.0),
            ("K5", "beras", 30.0),
            ("K6", "beras", 30.0),
            ("K7", "beras", 30.0),
        ],
    )
    arcs = frame(
        "kode lokasi_id jarak_m",
        [
            ("K1", "A", 3000.0),
            ("K1", "B", 1000.0),
            ("K1", "C", 2000.0),
            ("K5", "S9", 500.0),
            ("K6", "S9", 9000.0),
            ("K7", "S9", 100.0),
            ("K7", "S9", 4000.0),  # the same pair twice: counts once, at its shorter distance
        ],
    )
    out = given(allocate(supply, demand, arcs))
    assert out == pytest.approx(
        {
            ("B", "K1"): 50.0,
            ("C", "K1"): 30.0,
            ("S9", "K7"): 30.0,
            ("S9", "K5"): 30.0,
            ("S9", "K6"): 10.0,
        }
    )


def test_nearest_first_certificate_is_not_taken_when_a_site_would_overstep() -> None:
    # Both kecamatan see S1 as nearest; alone each would take all of S1: the greedy view
    # oversteps, so the component goes to the LP, which sends K2 to S2 (K1 can only use S1).
    supply = frame("lokasi_id barang komit", [("S1", "beras", 10.0), ("S2", "beras", 10.0)])
    demand = frame("kode barang kebutuhan", [("K1", "beras", 10.0), ("K2", "beras", 10.0)])
    arcs = frame(
        "kode lokasi_id jarak_m",
        [("K1", "S1", 5000.0), ("K2", "S1", 1000.0), ("K2", "S2", 2000.0)],
    )
    out = given(allocate(supply, demand, arcs))
    assert out == pytest.approx({("S1", "K1"): 10.0, ("S2", "K2"): 10.0})
