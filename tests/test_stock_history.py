"""An item's committable stock over time, from the append-only history (``/barang/<kode>``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo_klaster.analysis.stock import riwayat_komit
from geo_klaster.results.charts import svg_riwayat


def _lines(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "lokasi_id",
            "barang",
            "jumlah",
            "siap",
            "satuan",
            "kondisi",
            "kedaluwarsa",
            "dilaporkan",
        ],
    )


STOK = _lines(
    [
        ("A", "beras", 100.0, 100.0, "kg", "baik", None, "2026-11-01T08:00:00Z"),
        ("B", "beras", 80.0, 50.0, "kg", "baik", "2026-11-04", "2026-11-02T08:00:00Z"),
        ("A", "beras", 30.0, 30.0, "kg", "baik", None, "2026-11-03T08:00:00Z"),
        ("C", "beras", 40.0, 40.0, "kg", "rusak", None, "2026-11-03T09:00:00Z"),
        ("D", "beras", 20.0, 20.0, "karung", "baik", None, "2026-11-03T10:00:00Z"),
        ("A", "air_minum", 999.0, 999.0, "liter", "baik", None, "2026-11-02T08:00:00Z"),
        ("A", "beras", 70.0, 70.0, "kg", "baik", None, "2026-12-01T08:00:00Z"),  # after
    ]
)


def test_committable_stock_over_time_by_hand() -> None:
    h = riwayat_komit(STOK, "beras", sampai=dt.date(2026, 11, 5), satuan_katalog={"beras": "kg"})
    # A 100 → +B 50 → A replaced by 30 → C damaged (0) → D in another unit (0);
    # on 5 November B's line has expired (usable up to its expiry day, the 4th)
    assert list(h["komit"]) == [100.0, 150.0, 80.0, 80.0, 80.0, 30.0]
    assert h["waktu"].iloc[0] == pd.Timestamp("2026-11-01T08:00:00Z")
    assert h["waktu"].iloc[-1].date() == dt.date(2026, 11, 5)
    assert h["waktu"].is_monotonic_increasing


def test_as_of_the_4th_the_expiring_line_still_counts() -> None:
    h = riwayat_komit(STOK, "beras", sampai=dt.date(2026, 11, 4), satuan_katalog={"beras": "kg"})
    assert h["komit"].iloc[-1] == 80.0


def test_no_history_and_chart() -> None:
    h = riwayat_komit(STOK, "tenda", sampai=dt.date(2026, 11, 5))
    assert h.empty
    svg = svg_riwayat([], [], satuan="unit", judul="Tenda")
    assert "belum ada laporan" in svg
    h = riwayat_komit(STOK, "beras", sampai=dt.date(2026, 11, 5), satuan_katalog={"beras": "kg"})
    svg = svg_riwayat(
        [t.to_pydatetime() for t in h["waktu"]], list(h["komit"]), satuan="kg", judul="<Beras>"
    )
    assert svg.startswith("<svg") and "&lt;Beras&gt;" in svg and "2026-11-01" in svg
    assert svg.count("<circle") == len(h)


@pytest.mark.parametrize("path", ["/barang/beras", "/barang/beras?per=2026-11-01"])
def test_item_page_draws_the_chart(client, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    html = resp.data.decode()
    assert "grafik-riwayat" in html and "<svg" in html and "Beras" in html


def test_unknown_item_is_404(client) -> None:
    resp = client.get("/barang/emas")
    assert resp.status_code == 404 and "<code>kode</code>" in resp.data.decode()
